"""The forecast a budget meeting gets: the baseline projection and each scenario's, with their spend and the
social workers they need, and each scenario's difference from the baseline — as data frames the command line
prints and writes (docs/forecast/outputs.md).

Every projection of one forecast has the same runs and seed and changes its rates on the same days
(:func:`.scenarios.in_common_phases`), so run *k* of a scenario and run *k* of the baseline are the same children
making the same draws until the scenario's change reaches them, and each difference is taken run by run before
its intervals are: the spread of a difference is that of the scenario's effect, not that of two independent
forecasts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import wraps

import numpy as np
import polars as pl

from carelens.forecast.costs import UnitCosts
from carelens.forecast.intervals import QUANTILE_LABELS, SUMMARY_COLUMNS, summarised
from carelens.forecast.rates import CATEGORIES, Rates
from carelens.forecast.scenarios import BASELINE, Scenario, check_names, in_common_phases
from carelens.forecast.simulate import Projection, month_ends, project
from carelens.forecast.spend import Spend, projected_spend, spend_difference
from carelens.forecast.workforce import FTE_MEASURES, Staffing, fte_difference, projected_fte, year_end_days

LONG_COLUMNS = ("scenario", "measure", "series", "period", "first_day", "last_day", "complete", *SUMMARY_COLUMNS)
"""The long summary frame (:meth:`Forecast.summary`): one row per scenario, measure, series and period."""


@dataclass(frozen=True)
class Outcome:
    """One projection of a forecast (the baseline's, or a scenario's) and its spend."""

    name: str
    scenario: Scenario | None
    projection: Projection
    spend: Spend


def _kept(method):
    """A frame worked out once per forecast (the tables and every sheet of the workbook read the same ones)."""
    @wraps(method)
    def kept(self):
        if method.__name__ not in self._frames:
            self._frames[method.__name__] = method(self)
        return self._frames[method.__name__]
    return kept


@dataclass(frozen=True)
class Forecast:
    """The baseline and every scenario, projected from the same ``rates`` with the same runs and seed."""

    rates: Rates
    costs: UnitCosts
    staffing: Staffing
    baseline: Outcome
    scenarios: tuple[Outcome, ...]
    population_source: str = ""
    _frames: dict = field(default_factory=dict, repr=False, compare=False)

    def outcomes(self) -> tuple[Outcome, ...]:
        return (self.baseline, *self.scenarios)

    def assumptions(self) -> pl.DataFrame:
        """What the figures rest on, as (topic, note) rows: the data and fit, the projection, the unit costs and
        their sources, the staffing inputs, each scenario's changes and how scenarios are compared."""
        r, p, st = self.rates, self.baseline.projection, self.staffing
        notes = [
            ("authority", r.la_code),
            ("fitted from", f"the care histories from {r.window_start} to {r.as_at} (rates are events over days at "
                            f"risk in that window, pooled towards broader groups with {r.prior_days:g} days' weight)"),
            ("projection start", f"{p.start}: day 0, with the {int(p.total()[0, 0]):,} children in care that day"),
            ("horizon", f"{p.days:,} days, to {p.start + dt.timedelta(days=p.days)}"),
            ("runs", f"{p.runs:,} runs, seed {p.seed}: each run draws its own rates from their posteriors and its "
                     "own year-to-year variation of entries"),
            ("population", self.population_source or "as the histories give it"),
            ("intervals", "median and the 50%, 80% and 95% intervals over the runs (np.quantile, inverted_cdf: each "
                          "end is a value a run had); the mean beside them, which adds up across lines and years"),
            ("unit costs", f"{self.costs.file or 'given'}; inflation {self.costs.inflation:.1%} a year "
                           f"({self.costs.inflation_source})"),
            *((f"unit cost: {c}", f"£{u.weekly:,.0f} a week at {u.year} prices: {u.source}")
              for c, u in self.costs.costs.items()),
            ("spend", "a day's cost is, over the categories, the children in each × its weekly cost at the prices of "
                      "the day's calendar year ÷ 7; financial years run 1 April to 31 March"),
            ("target caseload", f"{st.target_caseload:g} children per FTE"),
            ("vacancy rate", f"{st.vacancy_rate:.1%} of funded posts empty (net of agency cover)"),
            ("agency share", f"{st.agency_share:.1%} of those in post"),
            *(("staffing", source) for source in st.sources),
            *(("fit note", note) for note in r.notes),
        ]
        for o in self.scenarios:
            s = o.scenario
            notes.append((f"scenario: {o.name}", f"{s.description} ({s.file})".strip()))
            notes += [(f"scenario: {o.name}", step) for step in s.steps]
        if self.scenarios:
            notes += [
                ("scenario comparison", "each scenario is projected with the baseline's runs and seed, changing "
                                        "rates on the same days, and compared run by run (common random numbers)"),
                ("new in-house home", "its places hold children the projection has in residential care (as many as "
                                      "there are, up to its places), costed at the home's weekly cost instead of "
                                      "the residential unit cost: it changes the cost, not the children"),
            ]
        return pl.DataFrame(notes, schema=["topic", "note"], orient="row")

    @_kept
    def children(self) -> pl.DataFrame:
        """Children in care at each month end (and the last day), every series, each projection: scenario,
        date, series, mean, lower_95 … upper_95 (the quantiles are :meth:`.Projection.summary`'s)."""
        frames = []
        for o in self.outcomes():
            days = month_ends(o.projection.start, o.projection.days)
            frames.append(_series_frame(o.projection, days).select(pl.lit(o.name).alias("scenario"), pl.all()))
        return pl.concat(frames)

    @_kept
    def spend(self) -> pl.DataFrame:
        """Spend by financial year and line, each projection (scenario, then :meth:`.Spend.summary`'s columns)."""
        return pl.concat([o.spend.summary().select(pl.lit(o.name).alias("scenario"), pl.all())
                          for o in self.outcomes()])

    @_kept
    def workforce(self) -> pl.DataFrame:
        """Children and FTE at the start and each year end, each projection (scenario, date, measure, …)."""
        return pl.concat([projected_fte(o.projection, self.staffing).select(pl.lit(o.name).alias("scenario"),
                                                                            pl.all())
                          for o in self.outcomes()])

    @_kept
    def children_difference(self) -> pl.DataFrame:
        """Each scenario's children minus the baseline's, run by run, at the start and each year end, every
        series: scenario, date, series, mean, lower_95 … upper_95."""
        base = self.baseline.projection
        days = year_end_days(base)
        frames = []
        for o in self.scenarios:
            ours, theirs = o.projection.series(), base.series()
            rows = []
            for name in theirs:
                s = summarised(ours[name][:, days].astype(float) - theirs[name][:, days])
                rows += [{"date": base.start + dt.timedelta(days=d), "series": name,
                          **{k: float(v[i]) for k, v in s.items()}} for i, d in enumerate(days)]
            frames.append(pl.DataFrame(rows).select(pl.lit(o.name).alias("scenario"), pl.all()))
        return pl.concat(frames) if frames else _empty(("scenario", "date", "series"))

    @_kept
    def spend_difference(self) -> pl.DataFrame:
        """Each scenario's spend minus the baseline's, run by run (scenario, then :meth:`.Spend.summary`'s)."""
        frames = [spend_difference(o.spend, self.baseline.spend).select(pl.lit(o.name).alias("scenario"), pl.all())
                  for o in self.scenarios]
        return pl.concat(frames) if frames else _empty(("scenario", "financial_year", "line"))

    @_kept
    def fte_difference(self) -> pl.DataFrame:
        """Each scenario's children and FTE minus the baseline's at the start and each year end."""
        frames = [fte_difference(o.projection, self.baseline.projection, self.staffing)
                  .select(pl.lit(o.name).alias("scenario"), pl.all()) for o in self.scenarios]
        return pl.concat(frames) if frames else _empty(("scenario", "date", "measure"))

    @_kept
    def headline(self) -> pl.DataFrame:
        """The baseline a budget meeting reads first: section (children, placements, spend, workforce), series,
        period, mean, lower_95 … upper_95 — children in care now and at each year end, by category at the last
        year end, spend in each financial year and over them all, and FTE in post and the establishment at each
        year end."""
        base = self.baseline.projection
        fte = projected_fte(base, self.staffing)
        last = base.start + dt.timedelta(days=year_end_days(base)[-1])
        def rows(frame: pl.DataFrame, section: str, series: pl.Expr, period: pl.Expr) -> pl.DataFrame:
            return frame.select(pl.lit(section).alias("section"), series.alias("series"), period.alias("period"),
                                *SUMMARY_COLUMNS)

        on_day = pl.col("date").cast(pl.String)
        children = rows(fte.filter(pl.col("measure") == "children"), "children in care", pl.lit("total"), on_day)
        by_category = rows(_series_frame(base, [year_end_days(base)[-1]]).filter(pl.col("series").is_in(CATEGORIES)),
                           "placements", pl.col("series"), pl.lit(str(last)))
        spend = rows(self.baseline.spend.summary().filter(pl.col("line") == "total"), "spend", pl.col("line"),
                     pl.col("financial_year"))
        workforce = rows(fte.filter(pl.col("measure").is_in(("in_post", "establishment"))), "social workers (FTE)",
                         pl.col("measure"), on_day)
        return pl.concat([p.cast({c: pl.Float64 for c in SUMMARY_COLUMNS})
                          for p in (children, by_category, spend, workforce)])

    @_kept
    def summary(self) -> pl.DataFrame:
        """Everything above in one long frame (:data:`LONG_COLUMNS`): measure children, spend, fte and their
        ``_difference``; series the children's series, the spend lines or the FTE measures; period a date
        (ISO) or a financial year (2026/27, or the span of them all); first and last day of the period."""
        def dated(frame: pl.DataFrame, measure: str, series: str) -> pl.DataFrame:
            return frame.select("scenario", pl.lit(measure).alias("measure"), pl.col(series).alias("series"),
                                pl.col("date").dt.to_string("%Y-%m-%d").alias("period"), pl.col("date").alias(
                                    "first_day"), pl.col("date").alias("last_day"),
                                pl.lit(None, pl.Boolean).alias("complete"), *SUMMARY_COLUMNS)

        def yearly(frame: pl.DataFrame, measure: str) -> pl.DataFrame:
            return frame.select("scenario", pl.lit(measure).alias("measure"), pl.col("line").alias("series"),
                                pl.col("financial_year").alias("period"), "first_day", "last_day", "complete",
                                *SUMMARY_COLUMNS)

        fte = self.workforce()
        parts = [dated(self.children(), "children", "series"), yearly(self.spend(), "spend"),
                 dated(fte.filter(pl.col("measure").is_in(FTE_MEASURES)), "fte", "measure")]
        if self.scenarios:
            fte_diff = self.fte_difference()
            parts += [dated(self.children_difference(), "children_difference", "series"),
                      yearly(self.spend_difference(), "spend_difference"),
                      dated(fte_diff.filter(pl.col("measure").is_in(FTE_MEASURES)), "fte_difference", "measure")]
        return pl.concat([p.cast({c: pl.Float64 for c in SUMMARY_COLUMNS}) for p in parts])


def _series_frame(projection: Projection, days: list[int]) -> pl.DataFrame:
    series = projection.series()
    rows = []
    for name, values in series.items():
        s = summarised(values[:, days])
        rows += [{"date": projection.start + dt.timedelta(days=d), "series": name,
                  **{k: float(v[i]) for k, v in s.items()}} for i, d in enumerate(days)]
    return pl.DataFrame(rows).with_columns(pl.col(QUANTILE_LABELS).cast(pl.Int64))


def _empty(keys: tuple[str, ...]) -> pl.DataFrame:
    return pl.DataFrame(schema={**{k: pl.String for k in keys}, **{c: pl.Float64 for c in SUMMARY_COLUMNS}})


def _compact(projection: Projection) -> Projection:
    """The projection with its daily counts in 16 bits when they fit (an authority's children in care always do):
    a forecast keeps every scenario's days, and a laptop's memory is shared with the rest of the work."""
    if max(int(projection.by_band.max(initial=0)), int(projection.by_category.max(initial=0))) >= 2 ** 15:
        return projection
    return replace(projection, by_band=projection.by_band.astype(np.int16),
                   by_category=projection.by_category.astype(np.int16))


def run_forecast(rates: Rates, costs: UnitCosts, staffing: Staffing, scenarios: tuple[Scenario, ...] = (),
                 years: float = 5, runs: int = 1000, seed: int = 0, population_source: str = "",
                 step: Callable[[str], None] | None = None) -> Forecast:
    """Project the baseline and each scenario from ``rates`` (the same runs and seed, the same days of change),
    and cost them. ``step`` is told before each projection starts (for a progress bar)."""
    check_names(scenarios)
    days = set().union(*(s.change_days() for s in scenarios)) if scenarios else set()

    def outcome(name: str, scenario: Scenario | None) -> Outcome:
        if step:
            step(name)
        own = scenario.changes if scenario else ()
        projection = project(rates, years=years, runs=runs, seed=seed, changes=in_common_phases(own, days))
        spend = projected_spend(projection, costs, scenario.homes if scenario else ())
        return Outcome(name, scenario, _compact(projection), spend)

    baseline = outcome(BASELINE, None)
    return Forecast(rates, costs, staffing, baseline, tuple(outcome(s.name, s) for s in scenarios),
                    population_source)
