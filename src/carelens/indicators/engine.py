"""Computing indicators: values, numerators and denominators for many windows at once, and the
children behind any value.

Rates follow the DfE conventions (``docs/indicators/engine.md``):

- **Per 10,000.** Counts become rates per 10,000 children aged 0–17. The population used is the
  latest mid-year (30 June) estimate on or before the end of the window: the year ending 31 March
  2025 uses mid-2024, as DfE does.
- **Annualised.** Flows over a window other than a year are annualised: count × 365 / days.
- **Percentages.** Conversions are numerator / denominator × 100.

A whole series is one query per indicator and breakdown, not one per window. Events are first
counted per day (and group) on the backend, and the day counts are then summed into every window
that holds the day; stocks are counted on each distinct last day once (a month end serves the
month, the rolling windows and the financial year). Only cohorts, children counted once across a
window, and medians join the rows to the windows on the backend. Which of these paths an indicator
takes (:class:`EnginePath`) follows from its declaration alone, never from whether an expression can be
built, so a mistake in a measure raises (:class:`MeasureError`) rather than changing path. Every step is
an Ibis expression, so the same definition runs on DuckDB, PostgreSQL and Spark; the windowing of the
per-day counts is plain arithmetic done in Polars.

Inside the engine the authorities are always a tuple of codes (:func:`authorities` makes one from what a
caller passes), and what a run computes once for its indicators is kept in a
:class:`~carelens.indicators.run_cache.RunCache`.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import os
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import ibis
import ibis.expr.types as ir
import polars as pl
from ibis.common.exceptions import IbisError

from carelens.indicators.breakdowns import AGE_BANDS, with_group
from carelens.indicators.flags import FLAG_SCHEMA, with_flags
from carelens.indicators.indicator import CountingUnit, Indicator, Unit
from carelens.indicators.measures import Context, Custom, Flow, Stock, Tables, authority_key, with_authority
from carelens.indicators.periods import Period
from carelens.indicators.run_cache import RunCache
from carelens.indicators.sweep import counts_on_days, sweepable

# the figures, then the flags saying whether the store's data can support them (indicators/flags.py)
VALUE_SCHEMA = {"indicator": pl.String, "name": pl.String, "period": pl.String, "period_kind": pl.String,
                "period_start": pl.Date, "period_end": pl.Date, "breakdown": pl.String, "group": pl.String,
                "value": pl.Float64, "unit": pl.String, "numerator": pl.Int64, "denominator": pl.Int64,
                "share": pl.Float64}
RESULT_SCHEMA = {**VALUE_SCHEMA, **FLAG_SCHEMA}
RESULT_COLUMNS = list(RESULT_SCHEMA)
# over several authorities, each result row also says whose it is
AUTHORITY_RESULT_SCHEMA = {"la_code": pl.String, **RESULT_SCHEMA}
# the rows whose groups add up to a total: one authority's, in one window
WINDOW = ("period_id", "la_code")
UNIT_LABEL = {"rate": "per 10,000", "count": "count", "per_week": "per week", "percent": "%", "mean": "mean",
              "median": "median", "representation": "ratio"}


@dataclass(frozen=True)
class Value:
    indicator: str
    period: Period
    value: float | None
    numerator: int
    denominator: int | None
    unit: str


def population_year(period_end: dt.date) -> int:
    """The mid-year estimate a window uses: the latest 30 June on or before the window's end."""
    return period_end.year if period_end >= dt.date(period_end.year, 6, 30) else period_end.year - 1


def population_years(period_end: pl.Expr) -> pl.Expr:
    """:func:`population_year` for a column of days."""
    before_30_june = (period_end.dt.month().cast(pl.Int32) * 100 + period_end.dt.day()) < 630  # month is Int8
    return (period_end.dt.year() - before_30_june.cast(pl.Int32)).cast(pl.Int32)


def authorities(la_code: str | Iterable[str]) -> tuple[tuple[str, ...], bool]:
    """What the entry points are given as ``la_code``, as the engine holds it: the codes as a tuple, and
    whether each result row says whose it is (several codes, or a list even of one) or not (one code, a
    string). Only here is the difference between a code and a list of codes looked at."""
    if isinstance(la_code, str):
        return (la_code,), False
    codes = tuple(la_code)
    if not all(isinstance(code, str) for code in codes):
        raise ValueError(f"la_code {la_code!r}: expected an authority code or a list of them")
    return codes, True


def context(tables: Tables, ind: Indicator, la_code: str | Iterable[str], params: Mapping[str, Any] | None = None,
            run: RunCache | None = None) -> Context:
    """What ``ind`` is evaluated against over ``la_code`` (one code, or several: :func:`authorities`)."""
    codes, per_authority = authorities(la_code)
    return Context(tables, codes, {**ind.defaults(), **(params or {})}, run, per_authority)


def _windows_table(periods: list[Period]) -> ir.Table:
    return _windows_memtable(tuple((p.start, p.end) for p in periods))


@functools.lru_cache(maxsize=32)
def _windows_memtable(windows: tuple[tuple[dt.date, dt.date], ...]) -> ir.Table:
    # the same windows give the same table, so that indicators of one run share the building blocks
    # computed over them (measures.shared), such as the workers' caseloads on each last day
    return ibis.memtable(pl.DataFrame({
        "period_id": pl.Series(range(len(windows)), dtype=pl.Int32),
        "window_start": pl.Series([start for start, _ in windows], dtype=pl.Date),
        "window_end": pl.Series([end for _, end in windows], dtype=pl.Date)}).to_arrow())


def _periods_frame(periods: list[Period]) -> pl.DataFrame:
    return pl.DataFrame({"period_id": pl.Series(range(len(periods)), dtype=pl.Int32),
                         "period": [p.label for p in periods], "period_kind": [p.kind for p in periods],
                         "period_start": pl.Series([p.start for p in periods], dtype=pl.Date),
                         "period_end": pl.Series([p.end for p in periods], dtype=pl.Date),
                         "days": [p.days for p in periods]})


# ------------------------------------------------------------------------------ counted rows per window
def windowed_rows(ind: Indicator, ctx: Context, windows: ir.Table) -> ir.Table:
    """Every counted row joined to each window it counts in: ``period_id`` plus the measure's rows.

    This is the definition in full, row by row: the drill-down lists it, and the series is its count.
    """
    m = ind.measure
    if isinstance(m, Flow):
        ev = m.events(ctx)
        rows = ev.join(windows, ev.counting_day.between(windows.window_start, windows.window_end))
        return rows.drop("window_start", "window_end")
    if isinstance(m, Stock):
        t = m.intervals(ctx)
        windows = windows.rename(_window_id="period_id")
        joined = t.join(windows, m.in_window(t, windows.window_start, windows.window_end))
        return m.counted(joined, ctx)
    if isinstance(m, Custom):
        return m.rows(ctx, windows)
    raise TypeError(m)


def _children_once(rows: ir.Table, key: str, ctx: Context) -> ir.Table:
    """One row per child per window: counted in the numerator if any of their rows is; their group is
    the first in sort order, so that every backend chooses the same one."""
    measures = dict(numerator=rows.numerator.ifelse(1, 0).max() == 1, amount=rows.amount.max(),
                    group=rows.group.min())
    if key != "counting_day":
        measures["counting_day"] = rows.counting_day.max()
    return rows.group_by(key, *authority_key(ctx), "child_id").aggregate(**measures)


def _aggregate(rows: ir.Table, key: str, median: bool, ctx: Context) -> pl.DataFrame:
    """``key``, ``la_code``, ``group`` and the counts: ``n``, ``hits``, amount sum and count (and median)."""
    measures = dict(n=rows.count(), hits=rows.numerator.ifelse(1, 0).sum(), amount_sum=rows.amount.sum(),
                    amount_n=rows.amount.count())
    if median:
        measures["amount_median"] = rows.amount.median()
    return _owned(rows.group_by(key, *authority_key(ctx), "group").aggregate(**measures).to_polars(), ctx)


def _owned(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """``frame`` with ``la_code``: over one authority, its code (the queries leave it out)."""
    if "la_code" in frame.columns:
        return frame
    return frame.with_columns(la_code=pl.lit(ctx.la_code[0], pl.String))


def _counted(ind: Indicator, ctx: Context, rows: ir.Table, breakdown: str) -> ir.Table:
    return with_group(with_authority(rows, ctx, ind.counting_unit), breakdown, ctx)


class EnginePath(StrEnum):
    """The four ways the engine counts an indicator's rows into windows, each chosen from what the
    indicator declares (its shape, unit and counting unit, and its measure's fields), never by trying to
    build an expression: a mistake in a measure raises rather than sending it down another path."""

    # a flow counting every event: each day's events counted once, the days then added into every window
    EVENT_DAYS = "event days"
    # the count on each distinct last day from one pass along the intervals (indicators/sweep.py)
    SWEEP = "sweep"
    # the rows built once per distinct last day: a stock, or a Custom(on_last_day=True)
    LAST_DAYS = "last days"
    # the rows joined to every window: cohorts, flows counting children once, medians, other custom measures
    WINDOWS = "windows"


def engine_path(ind: Indicator, ctx: Context, breakdown: str) -> EnginePath:
    """How ``ind`` is counted in ``breakdown`` (see :class:`EnginePath`)."""
    m = ind.measure
    if isinstance(m, Flow) and not _per_child(ind) and ind.unit != Unit.MEDIAN:
        return EnginePath.EVENT_DAYS
    if sweepable(ind, ctx, breakdown):
        return EnginePath.SWEEP
    if (isinstance(m, Stock) and not m.during) or (isinstance(m, Custom) and m.on_last_day):
        return EnginePath.LAST_DAYS
    return EnginePath.WINDOWS


def _per_child(ind: Indicator) -> bool:
    """Whether the rows are grouped to one per child and window: counting children, unless the measure's
    rows already are."""
    m = ind.measure
    return ind.counting_unit == CountingUnit.CHILDREN and not (isinstance(m, Custom) and m.once_per_child)


class MeasureError(Exception):
    """An indicator's measure could not be built: a misspelt column, or a column its declared path does
    not give it (``window_start`` in a ``Custom(on_last_day=True)``, ``window_end`` in the numerator of a
    stock not declared ``numerator_uses_day``)."""


def grouped_counts(ind: Indicator, ctx: Context, periods: list[Period], breakdown: str) -> pl.DataFrame:
    """Per window and group: ``n`` rows counted, ``hits`` in the numerator, amount sum/count/median."""
    path = None
    try:
        path = engine_path(ind, ctx, breakdown)
        return _COUNTS[path](ind, ctx, periods, breakdown)
    except (AttributeError, IbisError) as e:
        how = f"counted by {path}" if path else "choosing how to count it"
        raise MeasureError(f"indicator {ind.id} ({ind.name}), {how} in the {breakdown} breakdown: "
                           f"{type(e).__name__}: {e}") from e


def _event_day_counts(ind: Indicator, ctx: Context, periods: list[Period], breakdown: str) -> pl.DataFrame:
    # count each day's events once, then add the days into every window that holds them
    frame = _periods_frame(periods)
    days = _aggregate(_counted(ind, ctx, ind.measure.events(ctx), breakdown), "counting_day", False, ctx)
    if breakdown == "all" and ind.unit != Unit.MEAN:
        return _sum_days_by_running_totals(frame, days)
    joined = frame.select("period_id", "period_start", "period_end").join_where(
        days, pl.col("counting_day") >= pl.col("period_start"), pl.col("counting_day") <= pl.col("period_end"))
    return _sum_days(joined)


def _swept_counts(ind: Indicator, ctx: Context, periods: list[Period], breakdown: str) -> pl.DataFrame:
    # the count on each distinct last day from one pass along the intervals (indicators/sweep.py)
    frame = _periods_frame(periods)
    counts = counts_on_days(ind, ctx, [p.end for p in periods]).rename({"counting_day": "period_end"})
    counts = _owned(counts, ctx)
    no_amounts = {"amount_sum": pl.lit(None, pl.Float64), "amount_n": pl.lit(0, pl.Int64),
                  "amount_median": pl.lit(None, pl.Float64)}
    return frame.select("period_id", "period_end").join(counts, on="period_end").drop("period_end").with_columns(
        group=pl.lit("all"), **{c: v for c, v in no_amounts.items() if c not in counts.columns})


def _last_day_counts(ind: Indicator, ctx: Context, periods: list[Period], breakdown: str) -> pl.DataFrame:
    # count each distinct last day once; a month end serves the month, rolling windows and year
    median = ind.unit == Unit.MEDIAN
    frame = _periods_frame(periods)
    ends = sorted({p.end for p in periods})
    days = _windows_table([Period(day, day, "", "as_at") for day in ends])
    if isinstance(ind.measure, Custom):  # declared on_last_day: it is given no window_start to read
        days = days.drop("window_start")
    rows = _counted(ind, ctx, windowed_rows(ind, ctx, days), breakdown)
    if _per_child(ind):
        rows = _children_once(rows, "period_id", ctx)
    counts = _aggregate(rows, "period_id", median, ctx)
    if not median:
        counts = counts.with_columns(amount_median=pl.lit(None, pl.Float64))
    day_of = pl.DataFrame({"day_id": pl.Series(range(len(ends)), dtype=pl.Int32),
                           "period_end": pl.Series(ends, dtype=pl.Date)})
    counts = counts.rename({"period_id": "day_id"}).with_columns(pl.col("day_id").cast(pl.Int32)).join(
        day_of, on="day_id")
    return frame.select("period_id", "period_end").join(counts, on="period_end").drop("period_end", "day_id")


def _window_counts(ind: Indicator, ctx: Context, periods: list[Period], breakdown: str) -> pl.DataFrame:
    median = ind.unit == Unit.MEDIAN
    rows = _counted(ind, ctx, windowed_rows(ind, ctx, _windows_table(periods)), breakdown)
    if _per_child(ind):
        rows = _children_once(rows, "period_id", ctx)
    out = _aggregate(rows, "period_id", median, ctx)
    if not median:
        out = out.with_columns(amount_median=pl.lit(None, pl.Float64))
    return out.with_columns(pl.col("period_id").cast(pl.Int32), pl.col("amount_median").cast(pl.Float64))


_COUNTS = {EnginePath.EVENT_DAYS: _event_day_counts, EnginePath.SWEEP: _swept_counts,
           EnginePath.LAST_DAYS: _last_day_counts, EnginePath.WINDOWS: _window_counts}


def _sum_days_by_running_totals(frame: pl.DataFrame, days: pl.DataFrame) -> pl.DataFrame:
    """The counts :func:`_sum_days` gives (not the amounts), for one group per authority: each window's counts
    as the running total of the days' counts at its last day less the running total before its first day.
    One lookup per window and authority instead of a row per day in every window (ten years of days in 1,500
    windows are millions of rows over many authorities). Only for whole numbers: differences of running
    totals of amounts would not be exactly their sums."""
    counted = ["n", "hits", "amount_n"]
    key = ["la_code", "group"]
    running = days.sort(*key, "counting_day").select(*key, "counting_day",
                                                     *[pl.col(c).cum_sum().over(key) for c in counted])
    windows = frame.select("period_id", "period_start", "period_end").join(running.select(key).unique(), how="cross")

    def total(day: str, on_the_day: bool) -> pl.DataFrame:
        return windows.sort(*key, day).join_asof(
            running, left_on=day, right_on="counting_day", by=key, strategy="backward",
            allow_exact_matches=on_the_day, check_sortedness=False)  # sorted above

    upto = total("period_end", True).select("period_id", *key, *counted)
    before = total("period_start", False).select("period_id", *key, *[pl.col(c).alias(f"_{c}") for c in counted])
    out = upto.join(before, on=["period_id", *key]).select(
        "period_id", *key, *[(pl.col(c).fill_null(0) - pl.col(f"_{c}").fill_null(0)).alias(c) for c in counted])
    # a window holding none of the group's days has no row, as when the days are joined to it
    return out.filter(pl.col("n") > 0).with_columns(amount_sum=pl.lit(None, pl.Float64),
                                                     amount_median=pl.lit(None, pl.Float64))


def _sum_days(joined: pl.DataFrame) -> pl.DataFrame:
    return joined.group_by("period_id", "la_code", "group").agg(
        pl.col("n").sum(), pl.col("hits").sum(), pl.col("amount_sum").sum(), pl.col("amount_n").sum(),
        amount_median=pl.lit(None, pl.Float64))


# ------------------------------------------------------------------------------------- population
def _population(ctx: Context, breakdown: str) -> pl.DataFrame:
    """Children aged 0–17 by mid-year, authority and group (``year``, ``la_code``, ``group``, ``population``)."""
    pop = ctx.table("population")
    pop = pop.filter(pop.age <= 17)
    if breakdown == "age_band":
        group = ibis.cases(*[((pop.age >= lo) & (pop.age < hi), label) for lo, hi, label in AGE_BANDS])
    elif breakdown == "sex":
        group = pop.sex
    else:
        group = ibis.literal("all")
    return pop.group_by(year=pop.year, la_code=pop.la_code, group=group).aggregate(
        population=pop.children.sum()).to_polars().with_columns(
        pl.col("year").cast(pl.Int32), pl.col("population").cast(pl.Int64))


# --------------------------------------------------------------------------------------- values
def evaluate_series(tables: Tables, indicators: Iterable[Indicator], periods: list[Period],
                    la_code: str | Iterable[str], breakdowns: Iterable[str] = ("all",),
                    params: Mapping[str, Mapping[str, Any]] | None = None, every_window: bool = False,
                    threads: int | None = None, flags: bool = True) -> pl.DataFrame:
    """Long-form results: one row per indicator, window, breakdown and group.

    ``la_code`` is one authority, or several (a list): then all of them are evaluated in one pass, each
    query counting every authority at once, and each row starts with its ``la_code``. A pooled store
    (a region, England) is evaluated far faster that way than authority by authority, since building and
    compiling the queries — a large part of one authority's time — is done once.

    Each indicator is evaluated over the windows of ``periods`` whose kind it is reported over (or
    all of them, with ``every_window``), and for each requested breakdown it offers. ``params``
    overrides parameters by indicator id.

    When ``tables`` can open more connections (a :class:`~carelens.model.store.Store`), the catalogue's
    sections are evaluated on ``threads`` threads at once (default: one per core), each on its own
    connection: while one thread's query runs, another builds and compiles the next. A section stays on
    one thread, so that its indicators share the building blocks they read (``measures.shared``). The
    rows come back in the order of ``indicators`` whatever the threads did.

    Each row ends with the flags of :mod:`carelens.indicators.flags` (``outside_coverage``,
    ``history_short``, ``children_held_back``), read from the same tables; ``flags=False`` leaves them
    empty, for callers that take a value and not the row (:func:`evaluate`).
    """
    codes, per_authority = authorities(la_code)
    numbered = list(enumerate(indicators))
    job = functools.partial(_evaluate, periods=periods, la_code=codes, per_authority=per_authority,
                            breakdowns=tuple(breakdowns), params=params or {}, every_window=every_window)
    sections: dict[str, list[tuple[int, Indicator]]] = {}
    for item in numbered:
        sections.setdefault(item[1].group, []).append(item)
    threads = min(threads or os.cpu_count() or 1, len(sections))
    if threads < 2 or not hasattr(tables, "reader"):
        # section by section, as on threads: each section's building blocks are dropped when it is done,
        # not kept on the backend until the end of the catalogue (Spark holds them in the driver's memory)
        frames = [frame for section in sections.values() for frame in job(tables, section)]
    else:
        frames = _on_threads(tables, sorted(sections.values(), key=len, reverse=True), job, threads)
    if not frames:
        return pl.DataFrame(schema=AUTHORITY_RESULT_SCHEMA if per_authority else RESULT_SCHEMA)
    out = pl.concat([frame for _, frame in sorted(frames, key=lambda f: f[0])], how="vertical")
    if flags:
        out = with_flags(out, [ind for _, ind in numbered], tables, codes)
    else:
        out = out.with_columns(**{c: pl.lit(None, t) for c, t in FLAG_SCHEMA.items()})
    return out if per_authority else out.drop("la_code")


def _on_threads(tables: Tables, sections: list[list[tuple[int, Indicator]]], job, threads: int) -> list:
    """``job`` for each section, on ``threads`` threads, each with its own connection (``tables.reader()``);
    the largest sections first, each thread taking the next one left when it is done."""
    left = collections.deque(sections)
    lock = threading.Lock()

    def work() -> list:
        done = []
        with tables.reader() as reader:
            while True:
                with lock:
                    if not left:
                        return done
                    section = left.popleft()
                done += job(reader, section)

    with ThreadPoolExecutor(threads) as pool:
        running = [pool.submit(work) for _ in range(threads)]
        return [frame for r in running for frame in r.result()]


def _evaluate(tables: Tables, numbered: list[tuple[int, Indicator]], periods: list[Period],
              la_code: tuple[str, ...], per_authority: bool,
              breakdowns: tuple[str, ...], params: Mapping[str, Mapping[str, Any]],
              every_window: bool) -> list[tuple[tuple[int, int], pl.DataFrame]]:
    """The frames of ``numbered`` indicators on one connection, each keyed by (position, breakdown)."""
    frames = []
    populations: dict[str, pl.DataFrame] = {}
    run = RunCache()  # what the indicators evaluated here share (measures.shared, the sweep's interval changes)
    try:
        for position, ind in numbered:
            own = periods if every_window else [p for p in periods if p.kind in ind.series]
            if not own:
                continue
            ctx = Context(tables, la_code, {**ind.defaults(), **(params.get(ind.id) or {})}, run, per_authority)
            for number, breakdown in enumerate(breakdowns):
                if breakdown in ind.all_breakdowns:
                    if breakdown not in populations:  # one population query per breakdown, not per indicator
                        populations[breakdown] = _population(ctx, breakdown)
                    frames.append(((position, number), _values(ind, ctx, own, breakdown, populations[breakdown])))
    finally:
        run.release()  # temporary tables on the backend: drop them now, not at exit
    return frames


def _values(ind: Indicator, ctx: Context, periods: list[Period], breakdown: str,
            population: pl.DataFrame) -> pl.DataFrame:
    frame = _periods_frame(periods).with_columns(
        year=population_years(pl.col("period_end")))
    counts = grouped_counts(ind, ctx, periods, breakdown)
    population_groups = breakdown in ("all", "age_band", "sex")
    group = ["la_code", "group"]
    if population_groups:
        pop = population
        authorities = pl.DataFrame({"la_code": pl.Series(ctx.authorities, dtype=pl.String)})
        groups = (pop.select(group).unique() if breakdown != "all"
                  else authorities.with_columns(group=pl.lit("all")))
        # every window gets every population group of every authority, with zero when nothing was
        # counted in it, and any other group that was counted (children aged 18 and over, sex unknown)
        keys = pl.concat([frame.select("period_id").join(groups, how="cross"), counts.select("period_id", *group)]
                         ).unique()
        out = (keys.join(frame, on="period_id").join(pop, on=["year", *group], how="left")
               .join(counts, on=["period_id", *group], how="left"))
    else:
        out = frame.join(counts, on="period_id", how="inner").with_columns(population=pl.lit(None, pl.Int64))
    out = out.with_columns(pl.col("n").fill_null(0), pl.col("hits").fill_null(0), pl.col("amount_n").fill_null(0))
    value, unit, numerator, denominator = _value_columns(ind, breakdown, population_groups)
    out = out.with_columns(value=value, unit=pl.lit(unit), numerator=numerator, denominator=denominator)
    share = (100 * pl.col("numerator") / pl.col("numerator").sum().over(WINDOW)) if breakdown != "all" else None
    out = out.with_columns(share=share if share is not None else pl.lit(None, pl.Float64))
    return out.with_columns(indicator=pl.lit(ind.id), name=pl.lit(ind.name), breakdown=pl.lit(breakdown)).select(
        [pl.col(c).cast(t) for c, t in {"la_code": pl.String, **VALUE_SCHEMA}.items()]).sort(
        "la_code", "period_start", "period_end", "period", "group")


def _value_columns(ind: Indicator, breakdown: str, population_groups: bool):
    n, hits, days = pl.col("n"), pl.col("hits"), pl.col("days")
    no_denominator = pl.lit(None, pl.Int64)
    if ind.unit == Unit.RATE:
        if not population_groups:  # no population for a team or an ethnic group: the count alone
            return n.cast(pl.Float64), "count", n, no_denominator
        annualise = 1.0 if ind.is_stock else 365 / days
        rate = pl.when(pl.col("population") > 0).then(n * 10_000 / pl.col("population") * annualise)
        return rate, UNIT_LABEL["rate"], n, pl.col("population")
    if ind.unit == Unit.COUNT:
        return n.cast(pl.Float64), "count", n, no_denominator
    if ind.unit == Unit.PER_WEEK:
        return n * 7 / days, UNIT_LABEL["per_week"], n, no_denominator
    if ind.unit == Unit.PERCENT:
        return pl.when(n > 0).then(100 * hits / n), "%", hits, n
    if ind.unit == Unit.MEAN:
        return (pl.when(pl.col("amount_n") > 0).then(pl.col("amount_sum") / pl.col("amount_n")), "mean",
                pl.col("amount_n"), no_denominator)
    if ind.unit == Unit.MEDIAN:
        return pl.col("amount_median"), "median", pl.col("amount_n"), no_denominator
    if ind.unit == Unit.REPRESENTATION:
        if breakdown in ("all",) or not population_groups:
            return pl.lit(None, pl.Float64), "ratio", n, no_denominator
        child_share = n / n.sum().over(WINDOW)
        population_share = pl.col("population") / pl.col("population").sum().over(WINDOW)
        return (pl.when(population_share > 0).then(child_share / population_share), "ratio", n,
                pl.col("population"))
    raise ValueError(f"{ind.id}: unknown unit {ind.unit!r}")


def evaluate(tables: Tables, ind: Indicator, period: Period, la_code: str,
             params: Mapping[str, Any] | None = None) -> Value:
    """One indicator for one authority and window (whatever the window's kind)."""
    r = evaluate_series(tables, [ind], [period], la_code, params={ind.id: params or {}}, every_window=True,
                        flags=False).row(0, named=True)
    return Value(ind.id, period, r["value"], r["numerator"], r["denominator"], r["unit"])


def evaluate_by(tables: Tables, ind: Indicator, period: Period, la_code: str, breakdown: str,
                params: Mapping[str, Any] | None = None) -> pl.DataFrame:
    """One indicator for one window split by a breakdown: group, value, numerator, denominator."""
    if breakdown not in ind.all_breakdowns:
        raise ValueError(f"breakdown {breakdown!r}: expected one of {', '.join(ind.all_breakdowns)}")
    out = evaluate_series(tables, [ind], [period], la_code, [breakdown], {ind.id: params or {}}, every_window=True,
                          flags=False)
    return out.select("group", "value", "numerator", "denominator", "share").sort("group")


def counted_rows(tables: Tables, ind: Indicator, period: Period, la_code: str, breakdown: str = "all",
                 params: Mapping[str, Any] | None = None) -> ir.Table:
    """The rows behind one value: each counted child (or event) with ``numerator`` true when it is in
    the numerator, and its ``group`` for the breakdown. For a percentage, every row is in the
    denominator; for a count, every row is counted."""
    ctx = context(tables, ind, la_code, params)
    rows = with_group(windowed_rows(ind, ctx, _windows_table([period])), breakdown, ctx)
    if ind.counting_unit == CountingUnit.CHILDREN:
        rows = _children_once(rows, "period_id", ctx)
    return rows.drop("period_id")


def evaluate_many(tables: Tables, indicators: list[Indicator], periods: list[Period], la_code: str) -> pl.DataFrame:
    """Every indicator over exactly the windows given, whatever their kind (the "all" breakdown)."""
    return evaluate_series(tables, indicators, periods, la_code, every_window=True)
