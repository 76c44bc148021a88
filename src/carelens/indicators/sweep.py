"""Counting a stock on many days at once by sweeping along its intervals.

A stock counted on each of hundreds of days (every Sunday and month end of ten years) by joining
its intervals to the days touches every (interval, day) pair: millions of rows for a large
authority. The count on a day is simply the intervals begun on or before it less those ended by
it, so this module reads each interval once instead: it turns the intervals into +1 on the day they
start and −1 on the day they end, adds those up per day on the backend, and a running total in
Polars gives the count on any day.

When children are counted (once each, however many of their intervals are open), each child's
overlapping intervals are first made disjoint with a window function (:func:`stretches`), so that a child
with two open plans adds one. The children in the numerator are the stretches of the intervals for which the
numerator holds.

This path gives exactly what the join gives for the ``all`` breakdown of a stock whose numerator
and where-clause do not depend on the day counted (a placement type, a legal status); the engine
counts everything else by the join — breakdowns (age changes from day to day), numerators such as
"plan lasting two years or more on the day" (declared ``Stock(numerator_uses_day=True)``), and
averages. Which path is taken follows from the declarations alone (``engine.engine_path``): a
numerator that reads the day without saying so raises here. ``tests/indicators/test_sweep.py``
checks that the two paths agree.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.datatypes as dt_types
import ibis.expr.types as ir
import polars as pl

from carelens.indicators.indicator import CountingUnit, Indicator, Unit
from carelens.indicators.measures import NOT_ENDED, Context, Custom, Stock, authority_key, with_authority
from carelens.indicators.run_cache import AmountsKey, ChangesKey, RunCache

# units whose figure needs only the count and the numerator's count (no amounts)
COUNTED_UNITS = (Unit.RATE, Unit.COUNT, Unit.PERCENT, Unit.REPRESENTATION, Unit.PER_WEEK)
# units a measure giving its amounts as step functions (Custom.amounts_on_day) can be swept for
AMOUNT_UNITS = (Unit.COUNT, Unit.MEAN, Unit.MEDIAN)


def sweepable(ind: Indicator, ctx: Context, breakdown: str) -> bool:
    """Whether ``ind``'s value on each day can be counted by sweeping, in the ``all`` breakdown: a custom
    measure that says how (``on_day``, without amounts; ``amounts_on_day``, with them), or a stock (not a
    cohort) without amounts whose numerator is not declared to use the day counted
    (``numerator_uses_day``) and whose dates are days (not timestamps)."""
    m = ind.measure
    if breakdown != "all":
        return False
    if isinstance(m, Custom) and m.amounts_on_day is not None:
        return ind.unit in AMOUNT_UNITS
    if ind.unit not in COUNTED_UNITS:
        return False
    if isinstance(m, Custom):
        return m.on_day is not None
    if not isinstance(m, Stock) or m.during or m.numerator_uses_day:
        return False
    t = m.intervals(ctx)
    return all(isinstance(t.schema()[c], dt_types.Date) for c in (m.start, m.end))


def intervals(t: ir.Table, by: tuple[str, ...] = ("child_id",)) -> ir.Table:
    """``by`` (the child, by default), ``start``, ``end`` of the intervals that are open on some day: [start,
    end), an empty end filled with a far-off day. An interval that ends as it starts is never open."""
    t = t.select(*by, start=t.start, end=t.end.fill_null(ibis.date(NOT_ENDED)))
    return t.filter(t.start.notnull() & (t.end > t.start))


def stretches(t: ir.Table, by: tuple[str, ...] = ("child_id",)) -> ir.Table:
    """The days on which each ``by`` (each child, by default) has an interval of ``t`` open, as disjoint
    stretches: ``by``, ``start``, ``end``.

    Taken in order of start, each interval adds the days from its start, or from the latest end of the
    intervals before it when that is later, up to its own end — nothing when they already reach its end.
    The intervals before it all started no later, so they cover every day from its start up to that latest
    end: what it adds is exactly what they do not cover. Stretches may touch (one ends on the day the next
    starts): merging them would take a second window function and a grouping, and counting children open
    on a day does not need it."""
    t = intervals(t, by)
    # reach: the latest end among the intervals before this one
    reach = t.end.max().over(ibis.window(group_by=list(by), order_by=[t.start, t.end], rows=(None, -1)))
    t = t.mutate(_reach=reach)
    t = t.filter(t._reach.isnull() | (t.end > t._reach))
    # ifelse, not greatest: engines differ on greatest() with an empty argument
    return t.select(*by, start=ibis.ifelse(t._reach.notnull() & (t._reach > t.start), t._reach, t.start), end=t.end)


def steps(t: ir.Table, by: tuple[str, ...]) -> ir.Table:
    """How many distinct children each ``by`` (a worker) has open, as a step function: ``by``, ``start``,
    ``end`` and ``count``, the count constant from ``start`` up to the day before ``end``, for the
    stretches in which it is above nought. A worker's caseload on any day is the step holding it, so
    days are joined to a few steps per worker rather than to every allocation."""
    d = _deltas(t, True, by)
    d = d.mutate(count=d.delta.sum().over(ibis.cumulative_window(group_by=list(by), order_by=d.day)),
                 end=d.day.lead().over(ibis.window(group_by=list(by), order_by=d.day)))
    # after a child's last interval the count is nought; every open interval ends (on a far-off day)
    return d.filter(d["count"] > 0).select(*by, start=d.day, end=d.end, count=d["count"])


def in_both(a: ir.Table, b: ir.Table) -> ir.Table:
    """The stretches in which a child is in an interval of ``a`` and in one of ``b`` (``child_id``, ``start``,
    ``end``): open cases that are allocated, say. Disjoint per child, as the stretches they come from are."""
    a = stretches(a)
    b = stretches(b).rename(_b_child="child_id", _b_start="start", _b_end="end")
    j = a.join(b, (a.child_id == b._b_child) & (a.start < b._b_end) & (b._b_start < a.end))
    return j.select(child_id=j.child_id, start=ibis.greatest(j.start, j._b_start), end=ibis.least(j.end, j._b_end))


def _deltas(t: ir.Table, per_child: bool, by: tuple[str, ...] = ()) -> ir.Table:
    """``by``, ``day`` and ``delta``: +1 for each interval (or child's stretch) starting that day, −1 for
    each ending, per ``by`` (nothing: the whole authority). Intervals are [start, end): a plan ending on a
    day no longer counts on it."""
    t = stretches(t, (*by, "child_id")) if per_child else intervals(t, by)
    parts = (t.select(*by, day=t.start, delta=ibis.literal(1)), t.select(*by, day=t.end, delta=ibis.literal(-1)))
    both = ibis.union(*(p.mutate(day=p.day.cast(dt_types.Date(nullable=True)), delta=p.delta.cast("int64"))
                        for p in parts), distinct=False)
    d = both.group_by(*by, "day").aggregate(delta=both.delta.sum())
    return d.filter(d.delta != 0)  # a stretch ending as the child's next begins changes nothing


def _terms(ind: Indicator, ctx: Context) -> dict[str, list[tuple[int, ir.Table]]]:
    """The signed interval sets whose children open on a day make the count (``n``) and the numerator
    (``hits``)."""
    m = ind.measure
    if isinstance(m, Custom):
        counted, hits = m.on_day(ctx)
        return {"n": list(counted), "hits": list(hits)}
    t = m.intervals(ctx)
    t = t.mutate(start=t[m.start], end=t[m.end], _hit=m.numerator_of(t, ctx))
    # the counted set without the numerator's column, so that stocks of one source share it (see below)
    kept = ("child_id", *(c for c in authority_key(ctx) if c in t.columns), "start", "end")
    return {"n": [(1, t.select(*kept))], "hits": [(1, t.filter(t._hit).select(*kept))]}


def _days_frame(ctx: Context, days: list[dt.date]) -> pl.DataFrame:
    out = pl.DataFrame({"counting_day": pl.Series(sorted(set(days)), dtype=pl.Date)})
    if authority_key(ctx):
        out = pl.DataFrame({"la_code": pl.Series(ctx.authorities, dtype=pl.String)}).join(out, how="cross")
    return out


def amounts_on_days(ind: Indicator, ctx: Context, days: list[dt.date]) -> pl.DataFrame:
    """``counting_day``, ``n``, ``hits`` (the same: every unit is in the numerator), ``amount_sum``,
    ``amount_n`` and ``amount_median`` on each of ``days`` (and, over several authorities, for each
    ``la_code``), for a measure that gives its units' amounts as step functions (``Custom.amounts_on_day``).

    On a day the amounts are those of the steps holding it. How many units hold each amount changes only
    where a step starts or ends, so the backend adds up +1 and −1 per authority, amount and day, and a
    running total per amount in Polars gives, on any day, how many units hold each amount: the count, the
    sum and the median follow from that (a caseload is one of a few dozen amounts, so this is small)."""
    run = ctx.run if ctx.run is not None else RunCache()  # outside a run: kept for this call only
    t = ind.measure.amounts_on_day(ctx)
    key = AmountsKey(t.op())
    # the mean, median and count of caseloads (G1, G1a, G1b) read the same figures on the same days
    return run.amounts_on_days(key, tuple(days), lambda: _amounts_on_days(ind, ctx, days, run, key, t))


def _amounts_on_days(ind: Indicator, ctx: Context, days: list[dt.date], run: RunCache, key: AmountsKey,
                     t: ir.Table) -> pl.DataFrame:
    by = authority_key(ctx)

    def changes() -> pl.DataFrame:
        units = with_authority(t, ctx, ind.counting_unit)
        # the units holding each amount, +1 and −1 per amount and day (a unit's steps are disjoint already)
        return _deltas(units.mutate(amount=units.amount.cast("float64")), False, (*by, "amount")).to_polars()

    d = run.amount_changes(key, changes).with_columns(pl.col("day").cast(pl.Date)).sort(*by, "amount", "day")
    d = d.with_columns(units=pl.col("delta").cum_sum().over(*by, "amount"))
    grid = d.select(*by, "amount").unique().join(_days_frame(ctx, days), on=list(by), how="inner") if by else \
        d.select("amount").unique().join(_days_frame(ctx, days), how="cross")
    held = grid.sort(*by, "amount", "counting_day").join_asof(
        d.select(*by, "amount", "day", "units"), left_on="counting_day", right_on="day", by=[*by, "amount"],
        strategy="backward", check_sortedness=False).filter(pl.col("units") > 0)  # sorted above
    # the median of the amounts on a day: the middle one, or the mean of the two middle ones, in order
    held = held.sort(*by, "counting_day", "amount").with_columns(
        _upto=pl.col("units").cum_sum().over(*by, "counting_day"),
        _all=pl.col("units").sum().over(*by, "counting_day"))
    lower, upper = (pl.col("_all") - 1) // 2, pl.col("_all") // 2  # positions counted from 0
    per_day = held.group_by(*by, "counting_day").agg(
        n=pl.col("units").sum(), amount_sum=(pl.col("amount") * pl.col("units")).sum(),
        amount_median=(pl.col("amount").filter(pl.col("_upto") > lower).min()
                       + pl.col("amount").filter(pl.col("_upto") > upper).min()) / 2)
    out = _days_frame(ctx, days).join(per_day, on=[*by, "counting_day"], how="left")
    n = pl.col("n").fill_null(0).cast(pl.Int64)
    return out.select(*by, "counting_day", n.alias("n"), n.alias("hits"), pl.col("amount_sum"),
                      n.alias("amount_n"), pl.col("amount_median"))


def counts_on_days(ind: Indicator, ctx: Context, days: list[dt.date]) -> pl.DataFrame:
    """``counting_day``, ``n`` (counted) and ``hits`` (in the numerator) on each of ``days`` (and, over
    several authorities, for each ``la_code``).

    Within a run of the engine each set of intervals is read once: the per-day changes of a set are kept
    with the run's building blocks, under the set's expression, so the children looked after (the
    denominator of a dozen section D shares) or the children open at each level of need (section A) are
    swept once for all the indicators that count them."""
    if isinstance(ind.measure, Custom) and ind.measure.amounts_on_day is not None:
        return amounts_on_days(ind, ctx, days)
    per_child = ind.counting_unit == CountingUnit.CHILDREN or isinstance(ind.measure, Custom)
    run = ctx.run if ctx.run is not None else RunCache()  # outside a run: kept for this call only
    by = authority_key(ctx)
    out = _days_frame(ctx, days)
    for kind, terms in _terms(ind, ctx).items():
        parts = []
        for sign, t in terms:
            def changes(t: ir.Table = t) -> pl.DataFrame:
                d = _deltas(with_authority(t, ctx, ind.counting_unit), per_child, by)
                return d.select(*by, day=d.day.cast(dt_types.Date(nullable=True)), delta=d.delta).to_polars()

            parts.append(run.changes(ChangesKey(t.op(), per_child), changes).with_columns(pl.col("delta") * sign))
        total = pl.col("delta").cum_sum()
        running = (pl.concat(parts).group_by(*by, pl.col("day").cast(pl.Date)).agg(pl.col("delta").sum())
                   .sort(*by, "day").with_columns((total.over(by) if by else total).alias(kind)).drop("delta"))
        out = out.sort(*by, "counting_day").join_asof(running, left_on="counting_day", right_on="day",
                                                      by=list(by) or None, strategy="backward",
                                                      check_sortedness=False).drop("day")  # sorted above
    return out.with_columns(pl.col("n").fill_null(0).cast(pl.Int64), pl.col("hits").fill_null(0).cast(pl.Int64))
