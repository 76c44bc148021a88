"""The whole monthly report of a synthetic authority, from the store to its three files: the PDF's pages drawn and
read back (every section heading, no blank page or chart, a sensible page count), the HTML checked by axe-core in
a real browser, the workbook read back equal to the indicator results, and the command line's own run."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import fastexcel
import numpy as np
import polars as pl
import pytest
from PIL import Image

from browser import assert_no_axe_violations, open_file
from carelens.model.store import Store
from carelens.report.build import ReportOptions, build_report, write_report
from carelens.report.figures import gather
from carelens.report.sections import SECTIONS

AS_AT = dt.date(2025, 3, 31)
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")


@pytest.fixture(scope="module")
def written(small_store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("monthly")
    with Store(small_store_path, read_only=True) as store:
        built = build_report(store, "890", AS_AT)
        paths = write_report(built, out / "internal")
        published = build_report(store, "890", AS_AT, ReportOptions(audience="published"))
        published_paths = write_report(published, out / "published", ("html",))
        figures = gather(store, "890", AS_AT)
    return built, {p.suffix: p for p in paths}, published_paths[0], figures


def test_files_are_named_by_authority_month_and_audience(written):
    _, paths, published_html, _ = written
    assert sorted(p.name for p in paths.values()) == sorted([
        "890-2025-03-internal.html", "890-2025-03-internal.pdf", "890-2025-03-internal-narrative.yaml",
        "890-2025-03-internal.xlsx"])
    assert published_html.name == "890-2025-03-published.html"
    assert not list(paths[".pdf"].parent.glob(".*partial"))  # each written beside its name, then renamed


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdftotext) is not installed")
def test_every_pdf_page_is_drawn_every_section_is_there_and_no_chart_is_blank(written, tmp_path):
    built, paths, _, _ = written
    pdf = paths[".pdf"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = " ".join(text.split())
    for section in built.report.all_sections():
        heading = f"{section.number} {section.title}".strip()
        assert " ".join(heading.split()) in flat, heading
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    charts = sum(len(s.figures()) for s in built.report.all_sections())
    tables = sum(len(s.tables()) for s in built.report.all_sections())
    # a title page, contents, a page per section at least, and no more than a page per chart and table
    assert len(built.report.sections) + 3 <= len(pages) <= 3 + len(built.report.sections) + charts + tables
    for page in pages:
        assert np.asarray(Image.open(page).convert("L"), dtype=float).std() > 2, f"{page.name} is blank"
    for section in built.report.all_sections():
        for figure in section.figures():
            png = tmp_path / f"{figure.chart.key}.png"
            png.write_bytes(figure.chart.png(scale=1))
            pixels = np.asarray(Image.open(png).convert("L"), dtype=float)
            assert pixels.std() > 10, f"chart {figure.chart.key} is blank"


def test_every_measure_has_its_trend_chart_with_a_text_alternative(written):
    built = written[0]
    keys = {f.chart.key for s in built.report.sections for f in s.figures()}
    for spec in SECTIONS:
        for m in spec.measures:
            assert f"{m.indicator}-trend" in keys, m.indicator
    for section in built.report.all_sections():
        for figure in section.figures():
            assert figure.chart.alt_text.strip() and figure.chart.title


def test_the_html_report_has_no_accessibility_violations(written, browser_context):
    _, paths, published_html, _ = written
    for path in (paths[".html"], published_html):
        page = open_file(browser_context, path)
        assert_no_axe_violations(page)
        page.close()


def test_the_workbook_holds_the_indicator_results(written):
    built, paths, _, figures = written
    reader = fastexcel.read_excel(paths[".xlsx"])
    names = set(reader.table_names())
    compared = 0
    for section in built.report.sections:
        for figure in section.figures():
            key = figure.chart.key
            if not key.endswith("-trend"):
                continue
            indicator = key.removesuffix("-trend")
            table = f"chart_{key.replace('-', '_')}"
            assert table in names, table
            back = reader.load_table(table, dtypes={1: "float", 5: "string"}).to_polars()
            window = "week" if "Week ending" in back.columns else "month"
            expected = figures.window(indicator, window).select("period_end", "value").drop_nulls("value")
            got = back.select(pl.col(back.columns[0]).cast(pl.Date).alias("period_end"),
                              pl.col(back.columns[1]).alias("value")).drop_nulls("value")
            joined = expected.join(got, on="period_end", how="inner", suffix="_back")
            assert joined.height == min(expected.height, 104), indicator
            assert (joined["value"] - joined["value_back"]).abs().max() < 1e-9, indicator
            compared += joined.height
    assert compared > 1000
    teams = reader.load_table("table_caseloads_by_team").to_polars()
    total = teams.filter(pl.col("Team") == "All teams")
    g1 = figures.at.filter((pl.col("indicator") == "G1") & (pl.col("breakdown") == "all")
                           & (pl.col("period_kind") == "as_at"))
    assert total["Social workers"].item() == g1["numerator"].item()
    assert abs(total["Average caseload"].item() - g1["value"].item()) < 1e-9


def test_the_command_writes_the_report(small_store_path, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copy(small_store_path, store)
    run = subprocess.run(["uv", "run", "--frozen", "carelens", "report", "--store", str(store), "--out",
                          str(tmp_path / "out"), "--as-at", "2025-03-31", "--format", "html,xlsx",
                          "--audience", "published"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "out" / "890-2025-03-published.html").exists()
    assert (tmp_path / "out" / "890-2025-03-published.xlsx").exists()
    bad = subprocess.run(["uv", "run", "--frozen", "carelens", "report", "--store", str(store), "--out",
                          str(tmp_path / "out"), "--format", "docx"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--format 'docx'" in bad.stdout and "Traceback" not in bad.stdout + bad.stderr
