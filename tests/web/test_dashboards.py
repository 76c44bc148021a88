"""The dashboards: the same document as the monthly report (so a page and the report agree), the published one for
a councillor (small numbers suppressed), an indicator page through the results API, and its downloads."""

from __future__ import annotations

import io

import polars as pl
import pytest

from carelens.model.store import Store
from carelens.report.figures import gather, report_month_end

pytestmark = pytest.mark.django_db


def test_the_overview_says_what_changed_this_month_as_the_report_does(client_as, app_store):
    from carelens.web.dashboards import content

    page = client_as("analyst").get("/")
    assert page.status_code == 200
    html = page.content.decode()
    with Store(app_store, read_only=True) as store:
        built = content.build_document(store, "890", "internal")  # built afresh, not the page's own
    for paragraph in built.report.summary.paragraphs():
        assert paragraph.runs()[0][0] in html  # each sentence's measure, as the report has it
    assert 'href="/areas/cp_plans/"' in html


def test_the_overview_opens_with_the_continuum_of_need_today(client_as, app_store):
    from carelens.web.dashboards import content
    from carelens.web.dashboards.views import CONTINUUM_TABLE

    html = client_as("analyst").get("/").content.decode()
    assert "The continuum of need today" in html
    with Store(app_store, read_only=True) as store:
        built = content.build_document(store, "890", "internal")
    table = next(t for s in built.report.sections for t in s.tables() if t.key == CONTINUUM_TABLE)
    assert table.caption in html
    # every level of need and its count, as the report's table has them
    for row in range(len(table.rows)):
        for column in range(len(table.columns)):
            assert table.cell_text(row, column) in html
    assert html.index("The continuum of need today") < html.index(built.report.summary.title)


def test_a_councillor_sees_the_published_figures(client_as):
    html = client_as("councillor").get("/").content.decode()
    assert "counts below 5 are not shown" in html


def test_an_administrator_is_taken_to_the_users_page(client_as):
    response = client_as("administrator").get("/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/users/")


def test_a_breakdown_suppresses_small_groups_for_a_councillor(client_as, app_store):
    with Store(app_store, read_only=True) as store:
        as_at = report_month_end(store, "890", None)
        figures = gather(store, "890", as_at)
    groups = figures.groups("C8", "age_band", "as_at")
    small = groups.filter((pl.col("numerator") > 0) & (pl.col("numerator") < 5))["group"].to_list()
    analyst = client_as("analyst").get("/indicators/C8/by/age_band/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in analyst  # an htmx fragment
    for r in groups.iter_rows(named=True):
        assert f">{r['numerator']}<" in analyst  # each group's count, a link to the children behind it
    assert 'href="/children/list/C8/?as_at=' in analyst and "breakdown=age_band" in analyst
    councillor = client_as("councillor").get("/indicators/C8/by/age_band/").content.decode()
    assert "/children/list/" not in councillor  # never a way to a child list
    if small:
        assert "[c]" in councillor


def test_the_download_holds_the_indicator_values(client_as):
    response = client_as("analyst").get("/indicators/C8/download.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    values = pl.read_csv(io.BytesIO(response.content))
    assert set(values["period_kind"]) >= {"month", "week"}
    assert values.filter(pl.col("period_kind") == "month").height == 24
    excel = client_as("manager").get("/indicators/C8/download.xlsx")
    assert excel.status_code == 200 and excel.content[:2] == b"PK"


def test_an_indicator_page_places_this_month_among_all_authorities_quartiles(client_as):
    from carelens.web.dashboards import content

    page = content.indicator_page("C8")
    b = page.benchmark
    assert b is not None and b.quartile_cuts is not None
    lower, median, upper = b.quartile_cuts
    assert lower <= median <= upper
    html = client_as("analyst").get("/indicators/C8/").content.decode()
    assert f"lower quartile {lower}, median {median}, upper quartile {upper}" in html
    latest = page.values("month").filter(pl.col("period_end") == page.as_at)["value"].item()
    # A (best) to D when DfE says which way is better, else Q1 (lowest) to Q4
    quarter = 1 + (latest > lower) + (latest > median) + (latest > upper)
    expected = {"low": "ABCD"[quarter - 1], "high": "DCBA"[quarter - 1]}.get(b.polarity, f"Q{quarter}")
    assert ("This month's value against those quartiles</dt><dd class=\"govuk-summary-list__value\">"
            f"{expected}</dd>") in html
