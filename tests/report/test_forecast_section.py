"""The monthly report's forecast section ("Children in care: forecast"), on the small synthetic authority: its blocks,
the table against the forecast's own summary, the sentences' numbers found again in a forecast made on its own,
the same report each time (a fixed seed), the published rule for small numbers, and no section when asked for none."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from carelens.forecast.histories import care_histories, children_in_care_on
from carelens.model.store import Store
from carelens.report.build import ReportOptions, build_report
from carelens.report.document import Figure, Kind, Mark, Paragraph, Table
from carelens.report.forecast import ForecastUnavailable, draft_forecast, forecast_blocks, report_forecast

AS_AT = dt.date(2025, 3, 31)
RUNS = 100  # a few futures: the section's arithmetic, not the forecast's accuracy, is what is tested here
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
NOT_NUMBERS = [rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}", rf"(?:{MONTHS}) \d{{4}}", r"\b(?:50|80|95)% interval",
               r"fewer than \d+", r"\(docs/forecast/\)"]
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.fixture(scope="module")
def made(small_store_path):
    with Store(small_store_path, read_only=True) as store:
        internal = build_report(store, "890", AS_AT, ReportOptions(forecast_runs=RUNS))
        published = build_report(store, "890", AS_AT, ReportOptions(audience="published", charts=False,
                                                                    forecast_runs=RUNS))
        again = report_forecast(store, "890", AS_AT, runs=RUNS)  # made on its own, as a check
        histories = care_histories(store, "890", AS_AT)
    return internal, published, again, histories


def _section(built):
    return next(s for s in built.report.sections if s.key == "forecast")


def _stated(text: str) -> list[str]:
    text = re.sub(r"\*\*.*?\*\*", "", text)
    for pattern in NOT_NUMBERS:
        text = re.sub(pattern, " ", text)
    return NUMBER.findall(text)


def test_the_section_comes_after_the_sections_it_projects_from(made):
    report = made[0].report
    assert [s.key for s in report.sections][-3:] == ["workforce", "forecast", "at_a_glance"]
    section = _section(made[0])
    assert (section.number, section.title) == ("10", "Children in care: forecast")
    assert [type(b) for b in section.blocks] == [Paragraph, Figure, Paragraph, Table, Table, Paragraph]
    assert [p.key for p in section.paragraphs()] == ["forecast/total", "forecast/placements", "forecast/method"]


def test_the_forecast_starts_from_the_children_in_care_at_the_month_end(made):
    built, _, again, histories = made
    forecast = built.forecast
    assert forecast.as_at == AS_AT and forecast.runs == RUNS and forecast.years == 5
    in_care = children_in_care_on(histories.spells, AS_AT)
    assert forecast.start["total"] == in_care == sum(v for k, v in forecast.start.items() if k != "total")
    d1 = built.figures.window("D1", "month").filter(pl.col("period_end") == AS_AT)
    assert d1.item(0, "numerator") == in_care  # the same children as section 5's children looked after
    # the actual line before the fan: the last 24 month ends, the last the forecast's first day
    assert forecast.history.height == 24 and forecast.history["date"][-1] == AS_AT
    assert forecast.history["value"][-1] == in_care
    assert forecast.history["value"][0] == children_in_care_on(histories.spells, dt.date(2023, 4, 30))


def test_the_same_store_and_month_give_the_same_forecast(made):
    built, _, again, _ = made
    assert built.forecast.summary.equals(again.summary)  # the seed is fixed
    assert made[1].forecast.summary.equals(again.summary)  # and the audience does not change it


def test_the_tables_give_each_placement_a_year_on_and_at_five_years_from_the_summary(made):
    forecast = made[0].forecast
    year_on, five_years = _section(made[0]).tables()
    assert (year_on.key, five_years.key) == ("forecast_by_placement_1y", "forecast_by_placement_5y")
    assert [c.label for c in year_on.columns] == ["Placement", "In care at 31 March 2025", "Median, March 2026",
                                                  "80% interval from", "80% interval to"]
    assert five_years.columns[2].label == "Median, March 2030"
    series = ["foster_in_house", "foster_agency", "kinship", "placed_with_parents", "residential",
              "supported_independent", "adoption_placement", "other", "total"]
    for table, day in ((year_on, dt.date(2026, 3, 31)), (five_years, dt.date(2030, 3, 31))):
        assert all(c.kind is Kind.COUNT for c in table.columns[1:])
        assert [r[0] for r in table.rows][-1] == "All children in care" and len(table.rows) == len(series)
        for row, name in zip(table.rows, series, strict=True):
            s = forecast.summary.filter((pl.col("series") == name) & (pl.col("date") == day)).row(0, named=True)
            assert row[1:] == (forecast.start[name], s["median"], s["lower_80"], s["upper_80"]), (name, day)


def test_every_number_the_sentences_state_is_found_again_in_the_forecast(made):
    internal, published, again, _ = made
    checked = 0
    for built in (internal, published):
        for p in _section(built).paragraphs():
            stated = _stated(p.text)
            recorded = {f"{n.value:,.0f}" for n in p.numbers}
            assert set(stated) <= recorded, (p.key, stated, p.text)
            for n in p.numbers:
                found = built.figures.lookup(n.source) if n.source.startswith("figures|") else again.lookup(n.source)
                assert found == n.value, (p.key, n)
            checked += len(stated)
    assert checked > 20
    total = _section(internal).paragraphs()[0]
    start = again.start["total"]
    end = again.summary.filter((pl.col("series") == "total") & (pl.col("date") == dt.date(2030, 3, 31)))
    assert f"from {start:,} children in care at the end of March 2025" in total.text
    assert f"and {end.item(0, 'median'):,} at the end of March 2030 (80% interval {end.item(0, 'lower_80'):,} to " \
           f"{end.item(0, 'upper_80'):,}; 95% interval {end.item(0, 'lower_95'):,} to {end.item(0, 'upper_95'):,})" \
           in total.text


def test_the_fan_chart_draws_the_total_after_the_actual_month_ends(made):
    forecast = made[0].forecast
    figure = _section(made[0]).figures()[0]
    assert figure.chart.key == "forecast-total"
    assert figure.chart.title == "Children in care: actual to March 2025, forecast to March 2030"
    data = figure.chart.data
    assert data.filter(pl.col("Actual").is_not_null()).height == 24
    last = data.row(-1, named=True)
    final = forecast.summary.filter((pl.col("series") == "total")).sort("date").row(-1, named=True)
    assert last["Month end"] == dt.date(2030, 3, 31) and last["Median forecast"] == final["median"]
    assert f"The last actual value before the forecast was {forecast.start['total']:,} in March 2025." \
        in figure.chart.alt_text


def test_a_published_forecast_shows_no_small_number_and_no_actual_count_by_placement(made):
    published = made[1]
    section = _section(published)
    assert not section.figures()  # charts=False
    for table in section.tables():
        assert [c.key for c in table.columns] == ["placement", "median", "lower", "upper"]  # no actual counts
        for row in table.rows:
            for cell in row[1:]:
                assert cell is Mark.SUPPRESSED or cell == 0 or cell >= 5, row
        assert any(Mark.SUPPRESSED in row for row in table.rows), "the small authority has small projections"
        assert any("[c]" in note for note in table.notes)
    for p in section.paragraphs():
        for n in p.numbers:
            assert not n.source.endswith("|actual") or n.source.startswith("difference||"), (p.key, n)
            if n.source.startswith("forecast|") and n.source.count("|") == 3:
                assert n.value == 0 or n.value >= 5, (p.key, n)
    assert any("projected numbers below 5 are not shown" in note for note in published.report.notes)


def test_no_forecast_section_when_none_is_asked_for_and_a_reason_when_none_can_be_made(small_store_path):
    with Store(small_store_path, read_only=True) as store:
        built = build_report(store, "890", AS_AT, ReportOptions(charts=False, forecast_runs=0))
    assert "forecast" not in [s.key for s in built.report.sections] and built.forecast is None
    unavailable = ForecastUnavailable("no population for authority 999")
    [paragraph] = draft_forecast(unavailable, built.figures, None)
    assert paragraph.text == ("**Children in care, forecast**: no forecast could be made: no population for "
                              "authority 999")
    assert forecast_blocks(unavailable, [paragraph], None) == (paragraph,)
    with pytest.raises(ValueError, match="forecast runs must be 0"):
        build_report(store, "890", AS_AT, ReportOptions(forecast_runs=-1))


def test_the_command_refuses_a_forecast_it_cannot_make_with_a_message(small_store_path, tmp_path):
    from typer.testing import CliRunner

    from carelens.cli import app

    result = CliRunner().invoke(app, ["report", "--store", str(small_store_path), "--out", str(tmp_path / "out"),
                                      "--forecast-years", "9"])
    assert result.exit_code == 2 and "1 to 5 years" in result.output
    assert "Traceback" not in result.output
