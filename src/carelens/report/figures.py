"""The figures a monthly report is drafted from, gathered once: through the results API (every value and its
flags, from :mod:`carelens.indicators.api`) and the published benchmarks (:mod:`carelens.published`), never by
a query of the report's own on the store.

Three selections, so that only what the report shows is computed:

- the **series**: each indicator of :mod:`carelens.report.sections`, all children, every window from 24
  months before the month end (so the trends' last 24 months or 104 weeks, and the values a month, 6 and 12
  months ago — a rolling 12 months ending a year ago fits, as it starts 24 months back);
- the **breakdowns** at the month end (the windows of :func:`carelens.indicators.api.Selection` at ``as_at``):
  one selection per breakdown, holding only the indicators that break down by it;
- the **benchmarks**: the latest published year of each indicator's DfE measure for the authority compared
  with (its statistical neighbours' median, region and England).

Every number a report states is looked up here (:meth:`ReportFigures.lookup`), which is how the narrative's
test finds each one again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from carelens.indicators.api import (
    Indicator,
    Period,
    Selection,
    definition,
    figures,
    latest_month_end,
    months_before,
)
from carelens.model.store import Store
from carelens.report.sections import SECTIONS, TEAM_INDICATORS, measure_indicators

SERIES_MONTHS = 24


@dataclass(frozen=True)
class Benchmark:
    """One indicator's published comparators in the latest year DfE published them."""

    indicator: str
    measure_id: str
    year: str  # "2024-25"
    published_value: float | None  # the compared authority's own published figure
    neighbour_median: float | None
    region: float | None
    region_name: str | None
    england: float | None
    unit: str
    quartile_band: str | None = None  # the compared authority's published figure among all authorities: A (best) to D
    quartile_cuts: tuple[float, float, float] | None = None  # lower quartile, median, upper quartile of authorities
    polarity: str = "neutral"  # which way is better, as DfE publishes the measure
    quartiles: bool = False  # DfE publishes quartile bands for the measure


@dataclass(frozen=True)
class ReportFigures:
    la_code: str
    as_at: dt.date
    series: pl.DataFrame  # breakdown "all", every window from series_from
    at: pl.DataFrame  # the breakdowns' groups at as_at
    benchmarks: dict[str, Benchmark]
    compared_with: str | None  # the real authority whose neighbours, region and England are compared with
    compared_with_name: str | None
    teams: pl.DataFrame  # team_id, name, service
    store_version: str
    children_held_back: int
    flagged: dict[str, tuple[str, ...]]  # flag -> indicators with a row so flagged

    @property
    def series_from(self) -> dt.date:
        return series_start(self.as_at)

    def window(self, indicator: str, kind: str) -> pl.DataFrame:
        """One indicator's values over ``kind`` windows (all children), oldest first."""
        return self.series.filter((pl.col("indicator") == indicator) & (pl.col("period_kind") == kind)
                                  ).sort("period_end")

    def groups(self, indicator: str, breakdown: str, kind: str) -> pl.DataFrame:
        """One indicator's breakdown groups in the ``kind`` window ending at the month end."""
        return self.at.filter((pl.col("indicator") == indicator) & (pl.col("breakdown") == breakdown)
                              & (pl.col("period_kind") == kind)).sort("group")

    def lookup(self, source: str) -> float | None:
        """The value a :class:`carelens.report.document.Number` names by its ``source``:
        ``figures|<indicator>|<period label>|<breakdown>|<group>|<column>`` or
        ``published|<indicator>|<year>|<column>``, ``spc|<indicator>|<window>|<lower, upper, mean, run or trend>``
        or ``ratio||<source>||<source>`` (one over the other)."""
        if source.startswith("ratio||"):  # one result over another: ratio||<source>||<source>
            _, over, under = source.split("||")
            a, b = self.lookup(over), self.lookup(under)
            return None if a is None or not b else a / b
        parts = source.split("|")
        if parts[0] == "figures" and len(parts) == 6:
            _, ind, period, breakdown, group, column = parts
            frame = self.series if breakdown == "all" else self.at
            rows = frame.filter((pl.col("indicator") == ind) & (pl.col("period") == period)
                                & (pl.col("breakdown") == breakdown) & (pl.col("group") == group))
            if rows.is_empty() and breakdown == "all":
                rows = self.at.filter((pl.col("indicator") == ind) & (pl.col("period") == period)
                                      & (pl.col("breakdown") == "all"))
            return None if rows.is_empty() else rows.item(0, column)
        if parts[0] == "published" and len(parts) == 4:
            _, ind, year, column = parts
            b = self.benchmarks.get(ind)
            return None if b is None or b.year != year else getattr(b, column)
        if parts[0] == "spc" and len(parts) == 4:
            from carelens.report.control import control_of
            from carelens.report.narrative.paragraphs import points_of, value_kind

            _, ind, window, column = parts
            control = control_of(definition(ind), points_of(self.window(ind, window)), value_kind(definition(ind)))
            return None if control is None else getattr(control, column)
        raise ValueError(f"source {source!r}: expected figures|…, published|… or spc|…")


def series_start(as_at: dt.date) -> dt.date:
    """The first day of the 24 months that end with ``as_at``'s month."""
    return months_before(as_at, SERIES_MONTHS) + dt.timedelta(days=1)


def report_month_end(store: Store, la_code: str, as_at: dt.date | None) -> dt.date:
    """The month end reported on: the one asked for, else the latest complete month the store holds."""
    return as_at or latest_month_end(store, la_code)


def _breakdown_selections() -> dict[str, list[str]]:
    """breakdown -> the indicators the report shows by it."""
    wanted: dict[str, dict[str, None]] = {}
    for s in SECTIONS:
        for b in s.breakdowns:
            wanted.setdefault(b.breakdown, {})[b.indicator] = None
        for ind, _ in s.representation:
            for breakdown in ("sex", "age_band"):
                wanted.setdefault(breakdown, {})[ind] = None
        if s.team_caseloads:
            for ind in TEAM_INDICATORS:
                wanted.setdefault("team", {})[ind] = None
    return {b: list(ids) for b, ids in wanted.items()}


def trend_windows(as_at: dt.date, weekly: bool) -> tuple[Period, ...]:
    """The windows a measure's trend and sentences need, and no more (each window costs a computation):
    a weekly measure's 104 ISO weeks and its 4 weeks now, a month, six months and a year before; any other
    measure's 24 months and its rolling 12 months now, six months and a year before."""
    first = series_start(as_at)
    if weekly:
        sunday = as_at - dt.timedelta(days=(as_at.weekday() + 1) % 7)
        weeks = []
        day = sunday
        while day - dt.timedelta(days=6) >= first:
            y, w, _ = day.isocalendar()
            weeks.append(Period.iso_week(y, w))
            day -= dt.timedelta(days=7)
        fours = []
        for months in (0, 1, 6, 12):
            back = months_before(sunday, months) if months else sunday
            back -= dt.timedelta(days=(back.weekday() + 1) % 7)
            fours.append(Period.four_weeks(back))
        return (*reversed(weeks), *fours)
    months, day = [], as_at
    while day >= first:
        months.append(Period.month(day.year, day.month))
        day = day.replace(day=1) - dt.timedelta(days=1)
    rolling = [Period.rolling(months_before(as_at, back) if back else as_at, 12) for back in (12, 6, 0)]
    return (*reversed(months), *rolling)


def gather(store: Store, la_code: str, as_at: dt.date, compare_with: str | None = None,
           step: Callable[[str], None] = lambda what: None) -> ReportFigures:
    """Every figure the report needs for the authority at the month end ``as_at``."""
    ids = measure_indicators()
    weekly = tuple(i for i in ids if definition(i).unit.value == "per_week")
    others = tuple(i for i in ids if i not in weekly)
    parts, held_back, flagged, version = [], 0, {"outside_coverage": [], "history_short": []}, ""
    for what, chosen in (("weekly series", weekly), ("monthly series", others)):
        step(what)
        got = figures(store, Selection(as_at=as_at, indicators=chosen, authorities=la_code,
                                       windows=trend_windows(as_at, chosen is weekly)))
        parts.append(got.values.filter(pl.col("breakdown") == "all"))
        held_back, version = max(held_back, got.children_held_back), got.store_version
        for flag in flagged:
            flagged[flag] += got.flagged(flag)
    at_parts = []
    for breakdown, inds in _breakdown_selections().items():
        step(f"by {breakdown}")
        got = figures(store, Selection(as_at=as_at, indicators=tuple(inds), breakdowns=(breakdown,),
                                       authorities=la_code))
        at_parts.append(got.values)
    step("benchmarks")
    benchmarks, against, against_name = published_benchmarks(store, la_code, [definition(i) for i in ids],
                                                             compare_with)
    return ReportFigures(la_code, as_at, pl.concat(parts, how="vertical"), pl.concat(at_parts, how="vertical"),
                         benchmarks, against, against_name, store.teams(la_code), version, held_back,
                         {flag: tuple(dict.fromkeys(ids)) for flag, ids in flagged.items()})


def published_benchmarks(store: Store, la_code: str, indicators: list[Indicator], compare_with: str | None
                         ) -> tuple[dict[str, Benchmark], str | None, str | None]:
    """The latest published comparators of each indicator with a DfE measure, for the authority compared with:
    ``compare_with`` (a code or name), else the store's authority if DfE publishes it, else the real authority a
    synthetic one imitates. None when the published figures do not know it (the report then says so)."""
    from carelens.published.comparison import BenchmarkError, benchmark
    from carelens.published.figures_file import BenchmarkDataError, open_published
    from carelens.published.views import imitated

    with_measure = [i for i in indicators if i.dfe_short]
    try:
        with open_published() as data:
            against = data.find_authority(compare_with or imitated(store, la_code))
            bench = benchmark(data, against.la_code, sorted({i.dfe_short for i in with_measure}))
    except (BenchmarkError, BenchmarkDataError, LookupError, ValueError):
        return {}, None, None
    bench = bench.filter(pl.col("sn_median").is_not_null() | pl.col("england").is_not_null())
    latest = bench.sort("year_ending", nulls_last=False).group_by("measure_id", maintain_order=True).last()
    by_measure = {r["measure_id"]: r for r in latest.iter_rows(named=True)}
    out = {}
    for ind in with_measure:
        r = by_measure.get(ind.dfe_short)
        if r is None:
            continue
        cuts = (r["lower_cut"], r["median_cut"], r["upper_cut"])
        out[ind.id] = Benchmark(ind.id, ind.dfe_short, r["year"], r["value"], r["sn_median"], r["region"],
                                r["region_name"], r["england"], r["unit"] or "", r["quartile_band"],
                                cuts if None not in cuts else None, r["polarity"] or "neutral",
                                r["quartile_band"] is not None)
    return out, against.la_code, against.name
