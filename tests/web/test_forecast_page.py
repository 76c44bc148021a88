"""The forecast page: the baseline and the scenarios a manager chooses, each figure the forecast's own (made
again here, independently of the page's kept one), and a name not in the file told, not obeyed."""

from __future__ import annotations

import polars as pl
import pytest
from django.utils.html import escape

from carelens.forecast.wording import money, number
from carelens.model.store import Store

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")


@pytest.fixture()
def made_again(app_store):
    from carelens.web.dashboards.forecast import compute_forecast

    with Store(app_store, read_only=True) as store:
        return compute_forecast(store, "890").forecast


def test_a_manager_sees_the_baseline_and_every_scenario_to_choose(client_as, made_again):
    html = client_as("manager").get("/forecast/").content.decode()
    assert "Forecast: compare scenarios" in html
    for o in made_again.scenarios:
        assert f'value="{escape(o.name)}"' in html
    children = made_again.headline().filter(pl.col("section") == "children in care")
    for row in children.to_dicts():
        assert f"<td class=\"govuk-table__cell govuk-table__cell--numeric\">{number(row['median'])}</td>" in html
    assert "Each scenario against the baseline" not in html  # none chosen yet


def test_chosen_scenarios_are_compared_with_the_baseline(client_as, made_again):
    first, second = (o.name for o in made_again.scenarios[:2])
    html = client_as("analyst").get("/forecast/", {"scenario": [first, second]}).content.decode()
    assert "Each scenario against the baseline" in html
    assert f'value="{escape(first)}" aria-describedby="scenario-1-hint" checked' in html
    start = made_again.baseline.projection.start
    children = made_again.children_difference().filter((pl.col("series") == "total") & (pl.col("date") > start))
    for row in children.filter(pl.col("scenario").is_in([first, second])).to_dicts():
        shown = number(row["median"], signed=True)
        assert f">{shown}</td>" in html, (row["scenario"], row["date"], shown)
    spend = made_again.spend_difference().filter((pl.col("line") == "total") & pl.col("scenario").is_in([first]))
    for row in spend.to_dicts():
        assert f">{money(row['median'])}</td>" in html
    # the chart compares them, with a text alternative
    assert "Children in care: the baseline and the scenarios chosen" in html


def test_a_scenario_not_in_the_file_is_told_not_obeyed(client_as):
    html = client_as("analyst").get("/forecast/", {"scenario": "Close every home"}).content.decode()
    assert "There is no scenario called “Close every home”" in html
    assert "Each scenario against the baseline" not in html


def test_a_councillor_reads_the_forecast_in_the_published_report_not_here(client_as):
    assert client_as("councillor").get("/forecast/").status_code == 403
