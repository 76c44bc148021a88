"""Files are routed to a reader by what they hold, not by their names (issue 13, point 3).

Every case goes through :func:`carelens.ingest.ingest`, as ``carelens ingest`` does, with files
CareLens wrote from a synthetic authority's 2025 returns.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from carelens.ingest import IngestError, formats, ingest, source_kind
from carelens.model.store import Store
from carelens.returns.cin_census import write_cin_census
from carelens.returns.ssda903 import write_ssda903
from ssda903_xml import to_xml


@pytest.fixture(scope="module")
def returns(small_store_path, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("returns")
    with Store(small_store_path, read_only=True) as store:
        write_ssda903(store, 2025, d / "ssda903_2025")
        write_cin_census(store, 2025, d / "cin_census_2025.xml")
        write_cin_census(store, 2024, d / "cin_census_2024.xml")
    (d / "ssda903_2025.xml").write_text(to_xml(d / "ssda903_2025"))
    return d


def problems(paths, **kw) -> list:
    with pytest.raises(IngestError) as e:
        ingest("unused.duckdb", paths, check=True, **kw)
    return e.value.problems


def only(paths, **kw):
    (p,) = problems(paths, **kw)
    return p


# -------------------------------------------------------------------------------- SSDA903 XML
def test_an_ssda903_xml_file_alone_is_read_as_ssda903(returns):
    """Every episode carries <CIN>N…</CIN>: the file used to be sent to the CIN census reader and refused
    as "root element EXPSSDA903 — expected Message"."""
    xml = returns / "ssda903_2025.xml"
    assert "<CIN>" in xml.read_text()[:4096]
    assert source_kind(xml) == "ssda903"
    report = ingest("unused.duckdb", [xml], check=True)
    (extract,) = report.extracts
    assert (extract.kind, extract.collection_year) == ("ssda903", 2025)
    clean = ingest("unused.duckdb", [returns / "ssda903_2025"], check=True)
    assert extract.row_count == clean.extracts[0].row_count > 0


def test_an_ssda903_xml_file_in_the_form_the_validator_tests_with(returns, tmp_path):
    """The form of the file docs/ingest/ssda903.md cites (the 903 validator's fake_903.xml): a us-ascii
    declaration, then the whole return on one line starting <EXPSSDA903><CHILD><HEADER><CHILDID>."""
    lines = (returns / "ssda903_2025.xml").read_text().splitlines()
    one_line = tmp_path / "fake_903.xml"
    one_line.write_text("<?xml version='1.0' encoding='us-ascii'?>\n" + "".join(lines[1:]) + "\n")
    assert one_line.read_text().splitlines()[1].startswith("<EXPSSDA903><CHILD><HEADER><CHILDID>")
    assert source_kind(one_line) == "ssda903"
    (extract,) = ingest("unused.duckdb", [one_line], check=True).extracts
    assert extract.kind == "ssda903" and extract.children() > 0


def test_a_root_of_any_case_or_namespace_and_an_unknown_root(tmp_path):
    found = formats.identify(_write(tmp_path / "a.xml", '<?xml version="1.0"?>\n<!-- exported -->\n'
                                    '<x:expssda903 xmlns:x="urn:any"><x:CHILD/></x:expssda903>'))
    assert (found.kind, found.root, found.namespace) == (formats.SSDA903_XML, "expssda903", "urn:any")
    found = formats.identify(_write(tmp_path / "b.xml", '<Return><CHILD><HEADER/></CHILD></Return>'))
    assert found.kind == formats.SSDA903_XML  # a 903 return under another root name: its CHILD elements say so
    found = formats.identify(_write(tmp_path / "c.xml", '<Message xmlns="http://www.dfe.gov.uk/x"><Header/>'))
    assert (found.kind, found.namespace) == (formats.CIN_CENSUS_XML, "http://www.dfe.gov.uk/x")
    odd = _write(tmp_path / "d.xml", "<?xml version='1.0'?><Invoice><Line/></Invoice>")
    p = only([odd])
    assert (p.file, p.field, p.value) == (str(odd), "root element", "Invoice")
    assert "EXPSSDA903" in p.expected and "Message" in p.expected


# ------------------------------------------------------------------------------ CIN census XML
def test_a_folder_of_cin_census_files_is_read_file_by_file(returns, tmp_path):
    folder = tmp_path / "cin"
    folder.mkdir()
    for name in ("cin_census_2024.xml", "cin_census_2025.xml"):
        shutil.copy(returns / name, folder / name)
    assert source_kind(folder) == "cin_census"
    report = ingest("unused.duckdb", [folder], check=True)
    assert sorted((e.kind, e.collection_year) for e in report.extracts) == [("cin_census", 2024),
                                                                           ("cin_census", 2025)]


def test_a_txt_copy_of_an_xml_file_goes_where_its_content_says(returns, tmp_path):
    cin = tmp_path / "census export.txt"
    shutil.copy(returns / "cin_census_2025.xml", cin)
    ssda903 = tmp_path / "903 export.txt"
    shutil.copy(returns / "ssda903_2025.xml", ssda903)
    assert (source_kind(cin), source_kind(ssda903)) == ("cin_census", "ssda903")
    report = ingest("unused.duckdb", [cin, ssda903], check=True)
    assert [e.kind for e in report.extracts] == ["cin_census", "ssda903"]


def test_a_cin_census_file_in_an_ssda903_folder_is_named(returns, tmp_path):
    folder = Path(shutil.copytree(returns / "ssda903_2025", tmp_path / "ssda903_2025"))
    shutil.copy(returns / "cin_census_2025.xml", folder / "cin.xml")
    p = only([folder])
    assert p.file == str(folder / "cin.xml") and "this is a CIN census XML file" in p.expected


# -------------------------------------------------------------------------------- workbooks
def test_a_workbook_dropped_into_an_ssda903_folder_is_named(returns, tmp_path):
    import xlsxwriter

    folder = Path(shutil.copytree(returns / "ssda903_2025", tmp_path / "ssda903_2025"))
    wb = xlsxwriter.Workbook(str(folder / "episodes.xlsx"))
    wb.add_worksheet("episodes").write_row(0, 0, ["CHILD", "DECOM"])
    wb.close()
    assert formats.identify(folder / "episodes.xlsx").sheets == ("episodes",)
    p = only([folder])
    assert p.file == str(folder / "episodes.xlsx")
    assert "this is an Excel workbook: save each of its sheets as a CSV file" in p.expected


def test_empty_and_corrupt_files_say_what_they_should_have_been(tmp_path):
    empty_xml = _write(tmp_path / "census.xml", "")
    p = only([empty_xml])
    assert p.expected == "an XML file (this file is empty: 0 bytes)"
    empty_xlsx = _write(tmp_path / "annex_a.xlsx", "")
    assert only([empty_xlsx], la_code="890").expected == "a readable Excel workbook (this file is empty: 0 bytes)"
    corrupt = tmp_path / "broken.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 40 + b"not really a zip")
    p = only([corrupt], la_code="890")
    assert p.expected == "a readable Excel workbook (this one is damaged or incomplete)"
    other_zip = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("photo.jpg", b"\xff\xd8")
    assert only([other_zip], la_code="890").expected == ("a readable Excel workbook (this is a zip file "
                                                         "without a workbook in it)")


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
