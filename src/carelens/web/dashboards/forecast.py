"""The forecast page: the children in care projected five years from the latest month end, and the scenarios a
manager chooses compared with the baseline — children, spend and social workers (docs/web/forecast.md).

The forecast is the same as ``carelens forecast`` makes (:func:`carelens.forecast.comparison.run_forecast`), with
the scenarios of the file the app is given (``CARELENS_SCENARIOS``; the shipped example otherwise), the shipped
unit costs and the store's own caseloads. All of it is worked out once per store version and kept
(:class:`~carelens.web.store.PerVersion`): a choice of scenarios only picks among projections already made.

Forecasts are aggregates, but they are drawn from every child in care, and a manager's scenario is a planning
tool rather than a publication: the page is for the analyst, the manager and the auditor; a councillor reads the
forecast section of the published report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from carelens.charts import scenario_chart
from carelens.forecast.comparison import Forecast, run_forecast
from carelens.forecast.costs import default_unit_costs
from carelens.forecast.histories import care_histories
from carelens.forecast.rates import fit
from carelens.forecast.scenarios import check_names, example_scenarios_file, read_scenarios
from carelens.forecast.simulate import years_after
from carelens.forecast.wording import money, number
from carelens.forecast.workforce import staffing_for
from carelens.model.store import Store
from carelens.report.figures import report_month_end
from carelens.web.accounts.access import role_required
from carelens.web.accounts.roles import Role
from carelens.web.store import PerVersion

FORECAST_ROLES = (Role.ANALYST, Role.MANAGER, Role.AUDITOR)
YEARS = 5
RUNS = 500  # a page's forecast: intervals steady to a child or two, made in a few seconds
SEED = 0
MOST_COMPARED = 3  # with the baseline, as many as a chart can tell apart


@dataclass(frozen=True)
class ForecastPage:
    forecast: Forecast
    scenarios_file: str
    population_source: str


def scenarios_file() -> Path:
    given = getattr(settings, "FORECAST_SCENARIOS", "")
    return Path(given) if given else example_scenarios_file()


def compute_forecast(store: Store, la_code: str) -> ForecastPage:
    """The baseline and every scenario of the app's file, from the latest complete month end (uncached)."""
    as_at = report_month_end(store, la_code, None)
    histories = care_histories(store, la_code, as_at=as_at)
    rates = fit(histories, as_at)
    path = scenarios_file()
    scenarios = tuple(read_scenarios(path, rates.as_at, years_after(rates.as_at, YEARS)))
    check_names(scenarios)
    staffing = staffing_for(store, la_code, rates.as_at)
    result = run_forecast(rates, default_unit_costs(), staffing, scenarios, years=YEARS, runs=RUNS, seed=SEED,
                          population_source=histories.population_source)
    return ForecastPage(result, str(path), histories.population_source)


_FORECASTS: PerVersion[ForecastPage] = PerVersion("forecast", size=4)


def forecast_page() -> ForecastPage:
    return _FORECASTS.get("forecast", compute_forecast)


def _summary_of(outcome) -> pl.DataFrame:
    return outcome.projection.summary(series=("total",))


def _told(row: dict, show) -> dict:
    return {"median": show(row["median"]), "interval": f"{show(row['lower_80'])} to {show(row['upper_80'])}"}


def _differences(result: Forecast, chosen: list[str]) -> tuple[list[dict], list[dict]]:
    """Each chosen scenario against the baseline (scenario − baseline, run by run: median and 80% interval): the
    children in care and the establishment FTE at each year end, and the spend in each financial year."""
    start = result.baseline.projection.start
    children = result.children_difference().filter((pl.col("series") == "total") & (pl.col("date") > start))
    fte = result.fte_difference().filter((pl.col("measure") == "establishment") & (pl.col("date") > start))
    spend = result.spend_difference().filter(pl.col("line") == "total")
    people, pounds = [], []
    for name in chosen:
        c = children.filter(pl.col("scenario") == name).sort("date").to_dicts()
        f = fte.filter(pl.col("scenario") == name).sort("date").to_dicts()
        for i, (cr, fr) in enumerate(zip(c, f, strict=True)):
            people.append({"scenario": name, "first": i == 0, "span": len(c), "date": cr["date"],
                           "children": _told(cr, lambda v: number(v, signed=True)),
                           "fte": _told(fr, lambda v: number(v, 1, signed=True))})
        years = spend.filter(pl.col("scenario") == name).to_dicts()
        for i, row in enumerate(years):
            pounds.append({"scenario": name, "first": i == 0, "span": len(years), "year": row["financial_year"],
                           "complete": row.get("complete", True), **_told(row, money)})
    return people, pounds


@role_required(*FORECAST_ROLES)
@require_safe
def forecast(request: HttpRequest) -> HttpResponse:
    page = forecast_page()
    result = page.forecast
    names = [o.name for o in result.scenarios]
    chosen = [n for n in request.GET.getlist("scenario") if n in names][:MOST_COMPARED]
    unknown = [n for n in request.GET.getlist("scenario") if n not in names]
    picked = [o for o in result.scenarios if o.name in chosen]
    chart = scenario_chart([("Baseline", _summary_of(result.baseline)), *((o.name, _summary_of(o)) for o in picked)],
                           series="total", key="forecast-scenarios",
                           title="Children in care: the baseline and the scenarios chosen")
    baseline = result.headline()
    return render(request, "dashboards/forecast.html", {
        "result": result, "page": page, "scenarios": result.scenarios, "chosen": chosen, "unknown": unknown,
        "too_many": len([n for n in request.GET.getlist("scenario") if n in names]) > MOST_COMPARED,
        "most": MOST_COMPARED, "chart": chart, "differences": _differences(result, chosen),
        "children": [{"on": r["period"], "median": number(r["median"]),
                      "interval": f"{number(r['lower_80'])} to {number(r['upper_80'])}"}
                     for r in baseline.filter(pl.col("section") == "children in care").to_dicts()],
        "years": YEARS, "runs": RUNS, "start": result.baseline.projection.start,
        "horizon": result.baseline.projection.start + dt.timedelta(days=result.baseline.projection.days),
        "staffing": result.staffing,
        # the command's sources name its options; here they say only where each figure came from
        "staffing_sources": [source.split("; give")[0] for source in result.staffing.sources]})
