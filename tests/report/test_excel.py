"""The Excel report, read back: every table and chart series equal to the document, formatted as its kind says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path, PurePosixPath

import fastexcel
import pytest
from lxml import etree

from carelens.report.document import Column, Figure, Kind, Mark, Paragraph, Section, Table
from carelens.report.formats.excel import NUMBER_FORMATS, write_excel
from sample_report import sample_chart, sample_report

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class Xlsx:
    """What fastexcel does not say about a workbook, read from its XML: each cell's stored type and
    number format, each table's place, frozen panes and hyperlinks."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        workbook = self._xml("xl/workbook.xml")
        rels = {r.get("Id"): r.get("Target") for r in self._xml("xl/_rels/workbook.xml.rels")}
        self.sheet_parts = {s.get("name"): self._part("xl", rels[s.get(f"{REL}id")])
                            for s in workbook.iter(f"{MAIN}sheet")}
        styles = self._xml("xl/styles.xml")
        codes = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{MAIN}numFmt")}
        self.cell_formats = [codes.get(int(xf.get("numFmtId", 0)), "General")
                             for xf in styles.find(f"{MAIN}cellXfs")]
        self.tables: dict[str, tuple[str, str]] = {}
        for name, part in self.sheet_parts.items():
            rels_part = str(PurePosixPath(part).parent / "_rels" / (PurePosixPath(part).name + ".rels"))
            if rels_part not in self.zip.namelist():
                continue
            for rel in self._xml(rels_part).iter(f"{PKG_REL}Relationship"):
                if rel.get("Type").endswith("/table"):
                    table = self._xml(self._part(str(PurePosixPath(part).parent), rel.get("Target")))
                    self.tables[table.get("name")] = (name, table.get("ref"))

    def sheet(self, name: str):
        return self._xml(self.sheet_parts[name])

    def cells(self, sheet: str) -> dict[str, tuple[str, str | None, str]]:
        """Each cell's reference → (stored type: n number, s string, str formula text…, its value, number format)."""
        out = {}
        for c in self.sheet(sheet).iter(f"{MAIN}c"):
            kind = "f" if c.find(f"{MAIN}f") is not None else c.get("t", "n")
            v = c.find(f"{MAIN}v")
            out[c.get("r")] = (kind, None if v is None else v.text, self.cell_formats[int(c.get("s", 0))])
        return out

    def _xml(self, part: str):
        return etree.fromstring(self.zip.read(part))

    @staticmethod
    def _part(folder: str, target: str) -> str:
        if target.startswith("/"):
            return target[1:]
        parts = []
        for piece in (PurePosixPath(folder) / target).parts:
            if piece == "..":
                parts.pop()
            else:
                parts.append(piece)
        return "/".join(parts)


def _refs(ref: str) -> tuple[int, int, int, int]:
    """"B4:E8" → (first row, first column, last row, last column), counted from 0."""
    (c1, r1), (c2, r2) = (re.fullmatch(r"([A-Z]+)(\d+)", p).groups() for p in ref.split(":"))
    return int(r1) - 1, _column(c1), int(r2) - 1, _column(c2)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell_ref(row: int, column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


@pytest.fixture(scope="module")
def internal():
    return sample_report("internal")


@pytest.fixture(scope="module")
def internal_book(internal, tmp_path_factory):
    return write_excel(internal, tmp_path_factory.mktemp("xlsx") / "report.xlsx")


@pytest.fixture(scope="module")
def published_book(tmp_path_factory):
    return write_excel(sample_report("published"), tmp_path_factory.mktemp("xlsx") / "published.xlsx")


def test_a_sheet_per_section_after_the_contents_then_definitions_and_notes_when_published(internal_book,
                                                                                            published_book):
    assert fastexcel.read_excel(internal_book).sheet_names == [
        "Contents", "What changed this month", "4 Child protection plans", "9 Caseloads and workforce", "Definitions"]
    assert fastexcel.read_excel(published_book).sheet_names[-2:] == ["Definitions", "Notes"]


def test_every_table_reads_back_as_the_documents_cells(internal, internal_book):
    reader, xlsx = fastexcel.read_excel(internal_book), Xlsx(internal_book)
    tables = [(s, t) for s in internal.all_sections() for t in s.tables()]
    assert len(tables) == 2
    for section, table in tables:
        name = f"table_{table.key}"
        sheet, ref = xlsx.tables[name]
        assert sheet == f"{section.number} {section.title}"
        numeric = {i: "float" for i, c in enumerate(table.columns) if c.kind is not Kind.TEXT}
        as_numbers = reader.load_table(name, dtypes=numeric).to_polars()
        as_text = reader.load_table(name, dtypes="string").to_polars()
        assert as_numbers.columns == [c.label for c in table.columns]
        assert as_numbers.height == len(table.rows)
        first_row, first_col, _, _ = _refs(ref)
        cells = xlsx.cells(sheet)
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                stored, _, number_format = cells[_cell_ref(first_row + 1 + r, first_col + c)]
                if isinstance(value, Mark) or value is None:
                    assert stored == "s" and as_text[r, c] == str(value or Mark.NOT_AVAILABLE)
                    assert as_numbers[r, c] is None
                elif isinstance(value, str):
                    assert stored == "s" and as_text[r, c] == value
                else:
                    assert stored == "n" and as_numbers[r, c] == value
                    assert number_format == NUMBER_FORMATS[table.columns[c].kind]
        # the caption is the line above the table
        caption_row = [v for k, v in cells.items() if k == _cell_ref(first_row - 1, first_col)]
        assert caption_row and caption_row[0][0] == "s"


def test_number_formats_write_each_kind_as_the_report_does():
    # hand-checked: what Excel shows for each format is the text document.written gives
    assert NUMBER_FORMATS == {Kind.COUNT: "#,##0", Kind.PERCENT: '0"%"', Kind.RATE: "#,##0", Kind.RATIO: "0.0",
                              Kind.DECIMAL: "0.0", Kind.DAYS: "#,##0"}


def test_percentages_read_back_as_the_number_the_report_states(internal_book):
    agency = fastexcel.read_excel(internal_book).load_table("table_caseloads_by_team", dtypes={3: "float"})
    assert agency.to_polars()["Agency"].to_list() == [25.0, None, 19.4]


def test_every_charts_data_reads_back_equal_to_chart_data(internal, internal_book):
    reader, xlsx = fastexcel.read_excel(internal_book), Xlsx(internal_book)
    figures = [f for s in internal.all_sections() for f in s.figures()]
    assert len(figures) == 1
    for figure in figures:
        data = figure.chart.data
        name = "chart_" + figure.chart.key.replace("-", "_")  # C8-trend: a table name has no hyphen
        back = reader.load_table(name).to_polars()
        assert back.columns == data.columns
        months = [v.date() if isinstance(v, dt.datetime) else v for v in back["Month end"].to_list()]
        assert months == data["Month end"].to_list()
        assert back["Children"].to_list() == data["Children"].to_list()
        sheet, ref = xlsx.tables[name]
        first_row, _, _, _ = _refs(ref)
        cells = xlsx.cells(sheet)
        assert cells[_cell_ref(first_row + 1, 0)][2] == "d mmm yyyy"
        assert cells[_cell_ref(first_row + 1, 1)][2] == "#,##0"  # whole numbers, though stored as floats


def test_the_contents_sheet_says_what_the_report_is_and_links_to_every_sheet(internal_book):
    xlsx = Xlsx(internal_book)
    rows = fastexcel.read_excel(internal_book).load_sheet("Contents", header_row=None).to_polars().rows()
    assert rows[0][0] == "Children's social care performance overview: March 2026"
    about = {r[0]: r[1] for r in rows[3:11]}
    assert about["Authority"] == "Coastal (synthetic)" and about["Local authority code"] == "890"
    assert about["Audience"] == "Internal" and about["Store version"] == "v-sample"
    assert about["CareLens version"] == "0.2.0"
    sheets = fastexcel.read_excel(internal_book).load_table("contents").to_polars()["Sheet"].to_list()
    assert sheets == fastexcel.read_excel(internal_book).sheet_names[1:]
    links = {h.get("location") for h in xlsx.sheet("Contents").iter(f"{MAIN}hyperlink")}
    assert links == {f"'{name}'!A1" for name in sheets}
    symbols = fastexcel.read_excel(internal_book).load_table("symbols").to_polars().rows()
    assert symbols[0] == ("[c]", "Suppressed to protect children from being identified")


def test_definitions_and_notes(internal_book, published_book):
    reader = fastexcel.read_excel(published_book)
    assert reader.load_table("definitions").to_polars().rows() == [
        ("C8", "Children on child protection plans",
         "Children subject to a child protection plan on the day, per 10,000 children.", "rate")]
    notes = reader.load_table("notes").to_polars().rows()
    assert notes == [("Note 1", sample_report("published").notes[0])]
    assert "suppressed" in notes[0][1]
    assert "notes" not in fastexcel.read_excel(internal_book).table_names()


def test_section_sheets_hold_the_sentences_and_flag_edits_for_the_internal_audience(internal, internal_book,
                                                                                    published_book):
    rows = fastexcel.read_excel(internal_book).load_sheet("4 Child protection plans", header_row=None,
                                                          dtypes="string").to_polars().rows()
    assert rows[0][0] == "4. Child protection plans"
    assert rows[1][0] == "Coastal (synthetic), as at 31 March 2026"
    texts = [r[0] for r in rows]
    for paragraph in internal.sections[0].paragraphs():
        assert paragraph.plain() in texts
    stale = rows[texts.index("Edited by the analyst: plans over two years remain few.")]
    assert stale[1].startswith("Edited by the analyst; the numbers it was written against have changed")
    published = fastexcel.read_excel(published_book).load_sheet("4 Child protection plans", header_row=None,
                                                                dtypes="string").to_polars().rows()
    assert not any((r[1] or "").startswith("Edited") for r in published)


def test_panes_are_frozen_below_each_sheets_title(internal_book):
    xlsx = Xlsx(internal_book)
    for name in fastexcel.read_excel(internal_book).sheet_names:
        pane = xlsx.sheet(name).find(f".//{MAIN}pane")
        assert pane is not None and pane.get("state") == "frozen", name
        assert pane.get("ySplit") == ("3" if name == "Definitions" else "2")


def test_columns_are_sized_to_their_content(internal_book):
    xlsx = Xlsx(internal_book)
    widths = {int(c.get("min")): float(c.get("width")) for c in xlsx.sheet("9 Caseloads and workforce").iter(
        f"{MAIN}col")}
    # "Average caseload" is the longest text in column C (16 characters): a little wider than that
    assert 16 < widths[3] < 22
    # column A holds the sentences (none here) and the team names: fitted to "Safeguarding 2"… and the caption
    assert widths[1] >= len("Safeguarding 2")


def test_sheet_and_table_names_are_valid_and_unique_and_text_is_never_a_formula(internal, tmp_path):
    long = "Placements: stability/distance [and] missing episodes?"
    table = Table("C8", "=HYPERLINK(\"x\")", (Column("a", "Team"), Column("b", "Team", Kind.COUNT)),
                  (("=1+1", 3),))
    sections = (Section("6", "p", long, (Paragraph("p/x", "=SUM(A1:A9) is text"), table)),
                Section("6", "q", long, (Figure(sample_chart("C8")), Figure(sample_chart("C8")), table)),
                Section("7", "h", "History", ()))
    path = write_excel(dataclasses.replace(internal, sections=sections), tmp_path / "odd.xlsx")
    reader, xlsx = fastexcel.read_excel(path), Xlsx(path)
    names = reader.sheet_names
    assert names[2:5] == ["6 Placements stability distance", "6 Placements stability dist (2)", "7 History"]
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert sorted(reader.table_names()) == sorted(["contents", "symbols", "table_C8", "chart_C8", "chart_C8_2",
                                                   "table_C8_2", "definitions"])
    assert reader.load_table("table_C8").to_polars().columns == ["Team", "Team (2)"]
    for name in names:
        assert all(kind != "f" for kind, _, _ in xlsx.cells(name).values()), name
    rows = reader.load_sheet(names[2], header_row=None, dtypes="string").to_polars().rows()
    assert "=SUM(A1:A9) is text" in [r[0] for r in rows]
    assert "=1+1" in [r[0] for r in rows]
