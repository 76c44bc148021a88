"""The PDF report: tagged and accessible (PDF/UA-1), its fonts embedded, every page drawn, and the words a
reader needs where they should be.

The sample report (``tests/sample_report.py``) is written once per audience; pikepdf reads its structure
and metadata, poppler's ``pdftoppm`` draws its pages and ``pdftotext`` reads its text, as a reader's tools
would. Expected words and counts are taken from the sample by hand.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageStat

from carelens.report.document import Column, Figure, Kind, Mark, Paragraph, Section, Table
from carelens.report.formats.pdf import PdfWriteError, chart_svgs, write_pdf
from sample_report import sample_chart, sample_report

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdftotext) is not installed")

TITLE = "Children's social care performance overview: Coastal (synthetic), March 2026"
# title page, contents, summary, section 4, section 9, about this report
SAMPLE_PAGES = 6


@pytest.fixture(scope="module")
def internal_pdf(tmp_path_factory) -> Path:
    return write_pdf(sample_report("internal"), tmp_path_factory.mktemp("pdf") / "internal.pdf")


@pytest.fixture(scope="module")
def published_pdf(tmp_path_factory) -> Path:
    return write_pdf(sample_report("published"), tmp_path_factory.mktemp("pdf") / "published.pdf")


def structure_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of the tagged PDF, in reading order."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            walk(node.get("/K"))

    walk(pdf.Root.StructTreeRoot.K)
    return found


def of_type(pdf: pikepdf.Pdf, kind: str) -> list[pikepdf.Dictionary]:
    return [e for e in structure_elements(pdf) if e.S == kind]


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    # Typst puts a word joiner before a contents entry's page number; a reader sees nothing there
    return [page.replace("\u2060", "") for page in text.split("\f")[:-1]]


def rendered_pages(path: Path, resolution: int, tmp_path: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(path), str(tmp_path / "page")], check=True)
    return [Image.open(io.BytesIO(p.read_bytes())).convert("RGB") for p in sorted(tmp_path.glob("page-*.png"))]


# ---- accessibility: tags, language, title, alt text, fonts


def test_the_pdf_is_tagged_in_british_english_and_claims_pdf_ua_1(internal_pdf):
    with pikepdf.open(internal_pdf) as pdf:
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True  # a viewer shows the title, not the file name
        assert str(pdf.docinfo.Title) == TITLE
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == TITLE
            assert xmp["pdfuaid:part"] == "1"
        assert len(pdf.pages) == SAMPLE_PAGES


def test_every_chart_is_a_figure_whose_alternative_text_is_the_charts(internal_pdf):
    with pikepdf.open(internal_pdf) as pdf:
        figures = of_type(pdf, "/Figure")
        assert [str(f.Alt) for f in figures] == [sample_chart().alt_text]


def test_headings_are_structure_and_tables_have_header_cells(internal_pdf):
    with pikepdf.open(internal_pdf) as pdf:
        headings = [str(h.T) for h in of_type(pdf, "/H1")]
        assert headings == ["Contents", "What changed this month", "4 Child protection plans",
                            "9 Caseloads and workforce", "About this report"]
        # a measure's name is a heading of its own (the sample's C8 paragraph; its C14 edit opens with no name)
        assert [str(h.T) for h in of_type(pdf, "/H2")] == ["Children subject to a child protection plan",
                                                           "Symbols in tables", "Definitions",
                                                           "Where the figures come from"]
        # the ratio table's 4 columns, the caseloads' 4 and the definitions' 3
        assert len(of_type(pdf, "/Table")) == 3
        assert len(of_type(pdf, "/TH")) == 4 + 4 + 3


def test_every_font_is_embedded_and_is_the_shipped_face(internal_pdf):
    def fonts(resources, seen):
        if resources is None:
            return
        for font in resources.get("/Font", {}).values():
            yield font
        for xobject in resources.get("/XObject", {}).values():  # a chart is drawn as a form XObject
            if xobject.objgen not in seen:
                seen.add(xobject.objgen)
                yield from fonts(xobject.get("/Resources"), seen)

    with pikepdf.open(internal_pdf) as pdf:
        found = {}
        seen: set = set()
        for page in pdf.pages:
            for font in fonts(page.Resources, seen):
                descriptor = (font.DescendantFonts[0] if font.Subtype == "/Type0" else font).FontDescriptor
                found[str(font.BaseFont).split("+")[-1]] = any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert found, "no fonts found"
        assert all(found.values()), found
        assert {name.split("-Identity")[0] for name in found} == {"SourceSans3-Regular", "SourceSans3-Bold"}


# ---- what a reader sees


@needs_poppler
def test_every_page_is_drawn_and_the_chart_is_not_blank(internal_pdf, tmp_path):
    resolution = 40
    pages = rendered_pages(internal_pdf, resolution, tmp_path)
    assert len(pages) == SAMPLE_PAGES
    for number, page in enumerate(pages, start=1):
        assert ImageStat.Stat(page.convert("L")).stddev[0] > 5, f"page {number} is blank"
    with pikepdf.open(internal_pdf) as pdf:
        figure = of_type(pdf, "/Figure")[0]
        x0, y0, x1, y1 = (float(v) for v in figure.A[0].BBox)
        page_height = float(pdf.pages[3].mediabox[3])
    scale = resolution / 72
    chart = pages[3].crop((int(x0 * scale), int((page_height - y1) * scale),
                           int(x1 * scale), int((page_height - y0) * scale)))
    assert chart.width > 200 and chart.height > 100  # nearly the text's width: 479 pt at 40 dpi is 266 px
    assert ImageStat.Stat(chart.convert("L")).stddev[0] > 10
    # the trend line is drawn in GOV.UK blue (#1d70b8): some pixels are near it
    pixels = np.asarray(chart, dtype=int)
    near_blue = (np.abs(pixels - np.array([0x1D, 0x70, 0xB8])) < 40).all(axis=2)
    assert near_blue.sum() > 50


@needs_poppler
def test_title_page_contents_headers_and_footers(internal_pdf):
    pages = page_texts(internal_pdf)
    assert len(pages) == SAMPLE_PAGES
    title = " ".join(pages[0].split())
    for words in ("Coastal (synthetic)", "Children's social care performance overview", "March 2026",
                  "Internal: contains team-level data", "31 March 2026"):
        assert words in title
    assert "Page 1 of" not in title  # the title page has no header or footer
    for number, page in enumerate(pages[1:], start=2):
        assert "Coastal (synthetic)" in page.splitlines()[0]
        assert "as at 31 March 2026" in page.splitlines()[0]
        assert f"Page {number} of {SAMPLE_PAGES}" in page
    contents = [" ".join(line.replace(".", " ").split()) for line in pages[1].splitlines()]
    for entry in ("What changed this month 3", "4 Child protection plans 4", "9 Caseloads and workforce 5",
                  "About this report 6"):
        assert entry in contents


@needs_poppler
def test_each_section_is_on_its_page_with_its_tables_notes_and_marks(internal_pdf):
    pages = page_texts(internal_pdf)
    assert "What changed this month" in pages[2]
    assert "Children on child protection plans rose from 402 to 429." in " ".join(pages[2].split())
    cp = " ".join(pages[3].split())
    assert "4 Child protection plans" in cp
    assert "Figure 1: Children on child protection plans, last 12 months" in cp
    assert "Table 1: Rates per 10,000 children against the statistical neighbours' median" in cp
    assert "Referrals 1,012 552 1.8" in cp  # the rate and ratio written with their kinds' decimals
    assert "Source: CareLens computed from the store; DfE Children in need 2017-18." in cp
    teams = " ".join(pages[4].split())
    assert "Safeguarding 2 [c] [x] [c]" in teams
    assert "[c] means suppressed to protect children from being identified." in teams
    assert "[x] means not available." in teams
    assert "[z] means" not in teams  # only the marks the table shows are explained
    assert "All teams 31 22.1 19%" in teams
    about = " ".join(pages[5].split())
    assert "C8 Children on child protection plans" in about
    assert "store version v-sample" in about


@needs_poppler
def test_edits_are_marked_for_officers_and_not_for_the_public(internal_pdf, published_pdf):
    internal = " ".join(" ".join(page_texts(internal_pdf)).split())
    published = " ".join(" ".join(page_texts(published_pdf)).split())
    edited = "Edited by the analyst: plans over two years remain few."
    assert f"{edited} Edited" in internal
    assert "Check this paragraph: it was edited against figures that have changed since." in internal
    assert edited in published
    assert f"{edited} Edited" not in published and "Check this paragraph" not in published
    assert "Published version" in published and "Internal: contains team-level data" not in published
    assert "Counts below 5 are not shown" in published


# ---- what the writer takes care of


def report_with(sections: tuple[Section, ...], audience: str = "internal"):
    return dataclasses.replace(sample_report(audience), sections=sections)


@needs_poppler
def test_a_long_table_runs_across_pages_with_its_header_row_repeated(tmp_path):
    rows = tuple((f"Team {i:02d}", i, 20.0 + i / 10) for i in range(1, 91))
    table = Table("teams", "Caseload by team", (Column("team", "Team"), Column("n", "Social workers", Kind.COUNT),
                                                Column("c", "Average caseload", Kind.DECIMAL)), rows)
    path = write_pdf(report_with((Section("9", "workforce", "Caseloads and workforce", (table,)),)),
                     tmp_path / "long.pdf")
    pages = page_texts(path)
    table_pages = [p for p in pages if "Team 0" in p or "Team 5" in p or "Team 9" in p]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "Social workers" in page and "Average caseload" in page
    whole = " ".join(" ".join(pages).split())
    assert "Team 01 1 20.1" in whole and "Team 90 90 29.0" in whole
    with pikepdf.open(path) as pdf:
        # a repeated header is drawn, not tagged again: the table has one header row
        assert len(of_type(pdf, "/TH")) == 3 + 3  # this table and the definitions


@needs_poppler
def test_text_that_looks_like_typst_markup_is_printed_as_written(tmp_path):
    text = "Typst would read #pagebreak() $x^2$ <label> @ref _this_ `raw` // and \\ as markup."
    section = Section("1", "odd", "A #heading and $maths$", (Paragraph("odd/p", text),))
    path = write_pdf(report_with((section,)), tmp_path / "markup.pdf")
    whole = " ".join(" ".join(page_texts(path)).split())
    assert text in whole
    assert "1 A #heading and $maths$" in whole
    assert len(page_texts(path)) == 5  # title, contents, summary, the section, about: no page was broken


def test_a_chart_without_a_text_alternative_is_refused_by_name(tmp_path):
    chart = dataclasses.replace(sample_chart(), alt_text=" ")
    section = Section("4", "cp_plans", "Child protection plans", (Figure(chart, "No words"),))
    with pytest.raises(PdfWriteError, match="'C8-trend' in section 4 .*no text alternative"):
        write_pdf(report_with((section,)), tmp_path / "no-alt.pdf")
    assert not (tmp_path / "no-alt.pdf").exists()


def test_a_report_of_forty_charts_and_forty_tables_is_written_in_seconds(tmp_path):
    cp = sample_report().sections[0]
    sections = tuple(
        dataclasses.replace(cp, number=str(n), blocks=tuple(
            Figure(dataclasses.replace(b.chart, key=f"chart-{n}"), b.caption) if isinstance(b, Figure) else b
            for b in cp.blocks))  # forty charts of their own, each rendered
        for n in range(1, 41))
    report = report_with(sections)
    sample_chart().svg()  # vl-convert's first call starts its engine; that is not this writer's time
    started = time.perf_counter()
    path = write_pdf(report, tmp_path / "forty.pdf")
    took = time.perf_counter() - started
    with pikepdf.open(path) as pdf:
        # title, contents (43 entries at about 28 a page: two pages), summary, the sections, about
        assert len(pdf.pages) == 1 + 2 + 1 + 40 + 1
        assert len(of_type(pdf, "/Figure")) == 40
    assert took < 10, f"{took:.1f} s"  # about 1 s on the 2-core development machine


def test_marks_in_any_column_are_explained_once():
    table = Table("t", "Rates", (Column("a", "Area"), Column("r", "Rate", Kind.RATE)),
                  (("North", Mark.NOT_APPLICABLE), ("South", Mark.NOT_APPLICABLE), ("East", 12.0)))
    assert table.marks_explained() == ["[z] means not applicable."]


def test_charts_are_rendered_once_each_and_a_callers_svg_is_the_one_drawn(tmp_path):
    report = sample_report()
    svgs = chart_svgs(report)
    assert list(svgs) == ["C8-trend"] and svgs["C8-trend"].startswith("<svg")
    red = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
           '<rect width="400" height="200" fill="#d4351c"/></svg>')
    path = write_pdf(report, tmp_path / "given.pdf", svgs={"C8-trend": red})
    if not POPPLER:
        pytest.skip("poppler-utils is not installed")
    page = rendered_pages(path, 30, tmp_path)[3]
    pixels = np.asarray(page, dtype=int)
    assert (np.abs(pixels - np.array([0xD4, 0x35, 0x1C])) < 30).all(axis=2).sum() > 1000
