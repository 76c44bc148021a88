"""The forecast's backtest: refit the model as of past days, project forward, and compare with what happened
(docs/forecast/backtest.md).

At each **origin** — by default each quarter end in the data's last three years that leaves a whole fitting
window of data before it and at least six months of outcome after it — the rates are fitted as if the data
ended there (:func:`carelens.forecast.rates.fit` with ``as_at``: nothing after the origin is read), the children
in care are projected forward up to 24 months, and the projection is compared, 6, 12 and 24 months on (only
where the data reach that far), with the children who were in care that day by the spells. Two naive baselines
are made at the same origins from the same data as known then: the **last value carried forward**, and a
**linear trend** fitted by least squares to the last 12 month-end counts up to the origin.

:func:`backtest` returns every origin × horizon × series × method as a frame (forecast, actual and, for
CareLens, the 50/80/95% intervals' ends) and :func:`summarise` the measures: mean absolute percentage error
(MAPE), weighted absolute percentage error (WAPE: Σ|error| / Σ actual, safe for the small categories), the mean
error (bias) and the share of outcomes inside each interval (coverage), each with the number of forecasts it
rests on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from carelens.forecast.histories import CareHistories, children_in_care_on
from carelens.forecast.rates import DEFAULT_WINDOW_YEARS, Rates, fit
from carelens.forecast.simulate import QUANTILES, project
from carelens.forecast.states import PLACEMENT_CATEGORIES
from carelens.model.store import Store

HORIZONS = (6, 12, 24)
"""Months ahead at which forecasts are measured."""
DEFAULT_RUNS = 1000
SPAN_YEARS = 3  # origins are chosen in the data's last 3 years
MIN_OUTCOME_MONTHS = 6  # an origin needs at least this much outcome after it
ORIGIN_EVERY_MONTHS = 3  # quarter ends
TREND_MONTHS = 12  # the linear trend is fitted to this many month-end counts, the origin's the last

METHODS = ("carelens", "carry_forward", "linear_trend")
INTERVAL_LEVELS = (50, 80, 95)
BOUNDS = ("lower_95", "lower_80", "lower_50", "median", "upper_50", "upper_80", "upper_95")  # QUANTILES' order

RESULTS_SCHEMA: dict[str, pl.DataType] = {
    "la_code": pl.String,
    "origin": pl.Date,  # the day the model was fitted as of (the last day of data it saw)
    "horizon_months": pl.Int32,
    "target": pl.Date,  # the month end `horizon_months` after the origin, the day the forecast is of
    "series": pl.String,  # total, a placement category, or a group of categories
    "kind": pl.String,  # total, category or group
    "method": pl.String,  # carelens, carry_forward, linear_trend (the benchmark adds peer)
    "forecast": pl.Float64,  # the point forecast: CareLens's median over its runs
    "actual": pl.Int64,  # children in care on the target day by the spells
    "lower_95": pl.Float64, "lower_80": pl.Float64, "lower_50": pl.Float64,
    "upper_50": pl.Float64, "upper_80": pl.Float64, "upper_95": pl.Float64,
}


class BacktestError(ValueError):
    """The backtest cannot be run on these data: the message says why and what would do."""


@dataclass(frozen=True)
class Backtest:
    """What :func:`backtest` found: ``results`` (:data:`RESULTS_SCHEMA`), ``summary`` (:func:`summarise`), the
    ``origins``, the seconds spent on each part (``seconds``: fit, project, outcomes, baselines, total) and
    ``notes`` (the histories' and the fits' assumptions, once each)."""

    la_code: str
    origins: tuple[dt.date, ...]
    runs: int
    window_years: int
    results: pl.DataFrame
    summary: pl.DataFrame
    seconds: Mapping[str, float]
    notes: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------------------------- days and origins

def month_end(day: dt.date, months: int = 0) -> dt.date:
    """The last day of the month ``months`` after ``day``'s month (before it when negative)."""
    m = day.year * 12 + day.month - 1 + months
    year, month = divmod(m, 12)
    return dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def default_origins(first_day: dt.date, last_day: dt.date, window_years: int = DEFAULT_WINDOW_YEARS,
                    span_years: int = SPAN_YEARS, min_outcome_months: int = MIN_OUTCOME_MONTHS) -> list[dt.date]:
    """Each quarter end after the first day of the data's last ``span_years`` whose fitting window
    (``window_years`` up to it) lies within the data (from ``first_day``), and that leaves at least
    ``min_outcome_months`` of outcome before ``last_day``."""
    span_start = _years_before(last_day, span_years)  # the last day before the span: not an origin
    out = []
    day = month_end(span_start, 1)
    while month_end(day, min_outcome_months) <= last_day:
        window_start = _years_before(day, window_years) + dt.timedelta(days=1)
        if day.month % ORIGIN_EVERY_MONTHS == 0 and window_start >= first_day:
            out.append(day)
        day = month_end(day, 1)
    return out


def data_first_day(store: Store, la_code: str) -> dt.date | None:
    """The first day the authority's looked-after data cover (their sources' coverage), or None when the store
    does not record it."""
    coverage = store.coverage([la_code]).filter(pl.col("table") == "looked_after_episodes")
    return None if coverage.is_empty() else coverage["first_day"].min()


# ------------------------------------------------------------------------------------------------ outcomes

def known_on(spells: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The spells as they were known on ``day``: begun by then, and an end after it not yet known."""
    known = pl.col("end").is_not_null() & (pl.col("end") <= day)
    return spells.filter(pl.col("start") <= day).with_columns(
        end=pl.when(known).then("end"), end_reason=pl.when(known).then("end_reason"))


def in_care_by_category(spells: pl.DataFrame, day: dt.date) -> dict[str, int]:
    """Children in care on ``day`` in each placement category (every category, 0 when none), counted as
    :func:`~carelens.forecast.histories.children_in_care_on` counts the total."""
    on = spells.filter((pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day)))
    counted = dict(on.group_by("category").agg(pl.col("child_id").n_unique()).iter_rows())
    return {c: int(counted.get(c, 0)) for c in PLACEMENT_CATEGORIES}


def observed(spells: pl.DataFrame, day: dt.date, groups: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Every series on ``day``: the total, each category and each group (the sum of its categories)."""
    by_category = in_care_by_category(spells, day)
    out = {"total": children_in_care_on(spells, day), **by_category}
    out |= {g: sum(by_category[c] for c in members) for g, members in groups.items()}
    return out


def _kind(series: str, groups: Mapping[str, Sequence[str]]) -> str:
    return "total" if series == "total" else "group" if series in groups else "category"


# --------------------------------------------------------------------------------------------- the methods

def refit(histories: CareHistories, origin: dt.date, window_years: int = DEFAULT_WINDOW_YEARS) -> Rates:
    """The rates as they would have been fitted on ``origin``: the spells as known then (``fit`` reads nothing
    after it) and the population's years up to the origin's (later years are the model's to age forward, as
    they are for a forecast from today)."""
    population = histories.population
    known = population.filter(pl.col("year") <= origin.year)
    if known.is_empty() and not population.is_empty():  # only later years given: the earliest stands in
        known = population.filter(pl.col("year") == population["year"].min())
    return fit(replace(histories, population=known), as_at=origin, window_years=window_years)


def carelens_forecasts(rates: Rates, targets: Sequence[dt.date], runs: int, seed: int,
                       groups: Mapping[str, Sequence[str]]) -> dict[str, np.ndarray]:
    """CareLens's projection from ``rates.as_at`` to the last target: for every series, the median and the
    interval ends on each target, (bound, target) in :data:`BOUNDS`' order."""
    days = [(t - rates.as_at).days for t in targets]
    projection = project(rates, runs=runs, seed=seed, days=max(days))
    by_category = projection.by_category[:, :, days]  # runs, category, target
    stacked = {"total": by_category.sum(1)}
    stacked |= {c: by_category[:, i] for i, c in enumerate(PLACEMENT_CATEGORIES)}
    index = {c: i for i, c in enumerate(PLACEMENT_CATEGORIES)}
    stacked |= {g: by_category[:, [index[c] for c in members]].sum(1) for g, members in groups.items()}
    names = list(stacked)
    q = np.quantile(np.stack([stacked[n] for n in names], 1), QUANTILES, axis=0, method="inverted_cdf")
    return {n: q[:, i].astype(float) for i, n in enumerate(names)}  # bound, target


def carry_forward(at_origin: Mapping[str, int], n_targets: int) -> dict[str, np.ndarray]:
    """The last value carried forward: every series' count on the origin, on every target."""
    return {s: np.full(n_targets, float(v)) for s, v in at_origin.items()}


def linear_trend(history: Mapping[dt.date, Mapping[str, int]], origin: dt.date,
                 targets: Sequence[dt.date]) -> dict[str, np.ndarray]:
    """Each series' least-squares line through its month-end counts (``history``: day → series → count, the
    origin's the last), extrapolated to the targets; a count cannot fall below 0, so neither can the line's.
    The x is days from the origin, so months of unequal length are spaced as they are."""
    days = sorted(history)
    x = np.array([(d - origin).days for d in days], dtype=float)
    xt = np.array([(t - origin).days for t in targets], dtype=float)
    out = {}
    for series in history[days[-1]]:
        y = np.array([history[d][series] for d in days], dtype=float)
        slope, intercept = np.polyfit(x, y, 1) if len(x) > 1 else (0.0, y[-1])
        out[series] = np.maximum(intercept + slope * xt, 0.0)
    return out


@dataclass(frozen=True)
class Forecasts:
    """Every method's forecasts made at ``origin`` for ``targets``: ``methods[method][series]`` is an array,
    (bound, target) in :data:`BOUNDS`' order for CareLens and (target,) for a baseline; ``rates`` as fitted;
    ``seconds`` spent fitting, projecting and making the baselines."""

    origin: dt.date
    targets: tuple[dt.date, ...]
    rates: Rates
    methods: Mapping[str, Mapping[str, np.ndarray]]
    seconds: Mapping[str, float]


def forecasts_at(histories: CareHistories, origin: dt.date, targets: Sequence[dt.date], runs: int = DEFAULT_RUNS,
                 seed: int = 0, groups: Mapping[str, Sequence[str]] | None = None,
                 window_years: int = DEFAULT_WINDOW_YEARS) -> Forecasts:
    """What each method forecasts at ``origin`` from the data as known then, and nothing later: the same
    whatever happened after it (tests/forecast/test_backtest.py checks it against histories cut there)."""
    groups = dict(groups or {})
    t0 = time.perf_counter()
    rates = refit(histories, origin, window_years)
    t1 = time.perf_counter()
    model = carelens_forecasts(rates, targets, runs, seed, groups)
    t2 = time.perf_counter()
    # the baselines see the spells as known on the origin (counts up to it are the same either way)
    known = known_on(histories.spells, origin)
    history = {month_end(origin, -k): observed(known, month_end(origin, -k), groups)
               for k in range(TREND_MONTHS - 1, -1, -1)}
    methods = {"carelens": model, "carry_forward": carry_forward(history[origin], len(targets)),
               "linear_trend": linear_trend(history, origin, targets)}
    t3 = time.perf_counter()
    return Forecasts(origin, tuple(targets), rates, methods,
                     {"fit": t1 - t0, "project": t2 - t1, "baselines": t3 - t2})


# ------------------------------------------------------------------------------------------------ backtest

def backtest(histories: CareHistories, *, first_day: dt.date | None = None, origins: Sequence[dt.date] | None = None,
             runs: int = DEFAULT_RUNS, seed: int = 0, horizons: Sequence[int] = HORIZONS,
             window_years: int = DEFAULT_WINDOW_YEARS, groups: Mapping[str, Sequence[str]] | None = None,
             on_origin: Callable[[int, int, dt.date], None] | None = None) -> Backtest:
    """Refit at each origin, project to the horizons the data reach, and compare with what happened.

    ``first_day``: the data's first day (default: the first spell's start); origins default to
    :func:`default_origins`. ``groups`` adds series that sum categories (the benchmark compares with its peer
    on them). Each origin's projection has its own seed (``seed`` + the origin's index), so origins are
    independent draws. ``on_origin(i, n, origin)`` is called as each origin is done (for a progress bar).
    Raises :class:`BacktestError` when no origin can be had."""
    if runs < 1:
        raise BacktestError(f"runs {runs!r}: expected 1 or more")
    groups = dict(groups or {})
    for g, members in groups.items():
        unknown = set(members) - set(PLACEMENT_CATEGORIES)
        if unknown or g in PLACEMENT_CATEGORIES or g == "total":
            raise BacktestError(f"group {g!r}: expected a new name over placement categories, not {sorted(unknown)}")
    spells = histories.spells
    last_day = histories.last_day
    if first_day is None:
        first_day = spells["start"].min() if spells.height else last_day
    if origins is None:
        origins = default_origins(first_day, last_day, window_years)
    origins = sorted(set(origins))
    if not origins:
        raise BacktestError(
            f"the data for {histories.la_code} cover {first_day} to {last_day}: a backtest needs an origin (a "
            f"quarter end in the last {SPAN_YEARS} years) with {window_years} years of data before it to fit "
            f"and {MIN_OUTCOME_MONTHS} months after it to compare with, so at least {window_years} years "
            f"{MIN_OUTCOME_MONTHS} months of data")
    late = [o for o in origins if month_end(o, min(horizons)) > last_day]
    if late:
        raise BacktestError(f"origin {late[0]}: the data end {last_day}, before its first horizon "
                            f"({min(horizons)} months, {month_end(late[0], min(horizons))})")
    seconds = {"fit": 0.0, "project": 0.0, "outcomes": 0.0, "baselines": 0.0}
    started = time.perf_counter()
    rows: list[dict] = []
    notes: list[str] = list(histories.notes)
    for i, origin in enumerate(origins):
        targets = [month_end(origin, h) for h in horizons if month_end(origin, h) <= last_day]
        months = [h for h in horizons if month_end(origin, h) <= last_day]
        made = forecasts_at(histories, origin, targets, runs, seed + i, groups, window_years)
        t0 = time.perf_counter()
        actual = {t: observed(spells, t, groups) for t in targets}
        seconds["outcomes"] += time.perf_counter() - t0
        for part, spent in made.seconds.items():
            seconds[part] += spent
        rates, model = made.rates, made.methods["carelens"]
        baselines = {m: f for m, f in made.methods.items() if m != "carelens"}
        notes += [n for n in rates.notes if n not in notes]
        for j, (h, target) in enumerate(zip(months, targets, strict=True)):
            for series, q in model.items():
                bounds = dict(zip(BOUNDS, q[:, j].tolist(), strict=True))
                rows.append({"origin": origin, "horizon_months": h, "target": target, "series": series,
                             "method": "carelens", "forecast": bounds.pop("median"),
                             "actual": actual[target][series], **bounds})
            for method, forecasts in baselines.items():
                for series, f in forecasts.items():
                    rows.append({"origin": origin, "horizon_months": h, "target": target, "series": series,
                                 "method": method, "forecast": float(f[j]), "actual": actual[target][series]})
        if on_origin is not None:
            on_origin(i + 1, len(origins), origin)
    seconds["total"] = time.perf_counter() - started
    results = results_frame(rows, histories.la_code, groups)
    return Backtest(histories.la_code, tuple(origins), runs, window_years, results, summarise(results), seconds,
                    tuple(notes))


def results_frame(rows: list[dict], la_code: str, groups: Mapping[str, Sequence[str]] | None = None
                  ) -> pl.DataFrame:
    """Rows (origin, horizon_months, target, series, method, forecast, actual and any interval ends) as a frame
    of :data:`RESULTS_SCHEMA`, with ``la_code`` and each series' kind."""
    groups = groups or {}
    filled = [{"la_code": la_code, "kind": _kind(r["series"], groups)} | r for r in rows]
    frame = pl.DataFrame(filled, schema_overrides=RESULTS_SCHEMA, infer_schema_length=None)
    missing = {c: pl.lit(None, dtype=t) for c, t in RESULTS_SCHEMA.items() if c not in frame.columns}
    return frame.with_columns(**missing).select(list(RESULTS_SCHEMA)).cast(RESULTS_SCHEMA)


# ------------------------------------------------------------------------------------------------ measures

SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "la_code": pl.String, "method": pl.String, "series": pl.String, "kind": pl.String,
    "horizon_months": pl.Int32,
    "forecasts": pl.UInt32,  # how many forecasts the figures rest on (origins, × series for a pooled row)
    "mape": pl.Float64,  # mean of |forecast − actual| / actual, %, over the forecasts whose actual is not 0
    "wape": pl.Float64,  # Σ |forecast − actual| / Σ actual, %
    "mean_error": pl.Float64,  # mean of forecast − actual (children): > 0 when the method forecast too many
    "inside_50": pl.UInt32, "inside_80": pl.UInt32, "inside_95": pl.UInt32,  # outcomes inside each interval
    "coverage_50": pl.Float64, "coverage_80": pl.Float64, "coverage_95": pl.Float64,  # the shares of them
}
POOLED = {"category": "all_categories", "group": "all_groups"}
"""The pooled row of each kind of series: every category's (group's) forecasts together."""


def summarise(results: pl.DataFrame) -> pl.DataFrame:
    """The measures (:data:`SUMMARY_SCHEMA`) of each authority, method, series and horizon, and of the
    categories (and groups) pooled: ``all_categories`` weighs each category's errors by its size, so WAPE there
    is Σ over categories and origins of |error| over Σ of actual. Coverage is counted where the method has
    intervals (CareLens); an outcome on an interval's end is inside it."""
    pooled = (results.filter(pl.col("kind").is_in(list(POOLED)))
              .with_columns(series=pl.col("kind").replace_strict(POOLED)))
    frame = pl.concat([results, pooled])
    error = pl.col("forecast") - pl.col("actual")
    aggregates = [
        pl.len().alias("forecasts"),
        (100 * (error.abs() / pl.col("actual")).filter(pl.col("actual") > 0).mean()).alias("mape"),
        (100 * error.abs().sum() / pl.col("actual").sum()).alias("wape"),
        error.mean().alias("mean_error"),
    ]
    for level in INTERVAL_LEVELS:
        has = pl.col(f"lower_{level}").is_not_null()
        inside = (pl.col("actual") >= pl.col(f"lower_{level}")) & (pl.col("actual") <= pl.col(f"upper_{level}"))
        aggregates += [pl.when(has.any()).then(inside.filter(has).sum()).alias(f"inside_{level}"),
                       pl.when(has.any()).then(inside.filter(has).mean()).alias(f"coverage_{level}")]
    order = {m: i for i, m in enumerate((*METHODS, "peer"))}
    summary = frame.group_by("la_code", "method", "series", "kind", "horizon_months").agg(aggregates)
    summary = summary.with_columns(pl.col("wape").fill_nan(None))
    return summary.sort("la_code", pl.col("method").replace_strict(order, default=len(order)),
                        pl.col("kind").replace_strict({"total": 0, "category": 1, "group": 2}), "series",
                        "horizon_months").select(list(SUMMARY_SCHEMA)).cast(SUMMARY_SCHEMA)


def coverage_words(inside: int, forecasts: int, level: int) -> str:
    """How close an interval's coverage came to its nominal level, in words a reader can weigh: the share is
    compared with the spread chance alone would give over that many forecasts (a binomial's standard error),
    so 7 of 10 against 80% is "about right" and 70 of 100 is "too narrow"."""
    if forecasts == 0:
        return "no forecast to judge"
    share = inside / forecasts
    nominal = level / 100
    se = (nominal * (1 - nominal) / forecasts) ** 0.5
    gap = share - nominal
    if abs(gap) <= se:
        return "about right"
    if abs(gap) <= 2 * se:
        return "a little narrow" if gap < 0 else "a little wide"
    return "too narrow" if gap < 0 else "too wide"
