"""Counting a stock on many days at once by sweeping along its intervals.

A stock counted on each of hundreds of days (every Sunday and month end of ten years) by joining
its intervals to the days touches every (interval, day) pair: millions of rows for a large
authority. The count on a day is simply the intervals begun on or before it less those ended by
it, so this module reads each interval once instead: it turns the intervals into +1 on the day they
start and −1 on the day they end, adds those up per day on the backend, and a running total in
Polars gives the count on any day.

When children are counted (once each, however many of their intervals are open), each child's
overlapping intervals are first merged into islands with window functions, so that a child with two
open plans adds one. The children in the numerator are the islands of the intervals for which the
numerator holds.

This path gives exactly what the join gives for the ``all`` breakdown of a stock whose numerator
and where-clause do not depend on the day counted (a placement type, a legal status); the engine
falls back to the join for everything else — breakdowns (age changes from day to day), numerators
such as "plan lasting two years or more on the day", and averages. ``tests/indicators/test_sweep.py``
checks that the two paths agree.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.datatypes as dt_types
import ibis.expr.types as ir
from ibis.common.exceptions import IbisError
import polars as pl

from carelens.indicators.indicator import Indicator
from carelens.indicators.measures import NOT_ENDED, Context, Stock
# units whose figure needs only the count and the numerator's count (no amounts)
COUNTED_UNITS = ("rate", "count", "percent", "representation", "per_week")


def sweepable(ind: Indicator, ctx: Context, breakdown: str) -> bool:
    """Whether ``ind``'s value on each day can be counted by sweeping: a stock (not a cohort) in the
    ``all`` breakdown, counted without amounts, whose numerator does not use the day counted and whose
    dates are days (not timestamps)."""
    m = ind.measure
    if not isinstance(m, Stock) or m.during or breakdown != "all" or ind.unit not in COUNTED_UNITS:
        return False
    try:
        t = m.intervals(ctx)
        m.numerator_of(t, ctx)
    except (AttributeError, IbisError):  # the numerator needs window_end: count by joining to the days
        return False
    return all(isinstance(t.schema()[c], dt_types.Date) for c in (m.start, m.end))


def _deltas(t: ir.Table, per_child: bool) -> ir.Table:
    """``day`` and ``delta``: +1 for each interval (or child's island) starting that day, −1 for each
    ending. Intervals are [start, end): a plan ending on a day no longer counts on it."""
    t = t.select(child_id=t.child_id, start=t.start, end=t.end.fill_null(ibis.date(NOT_ENDED)))
    t = t.filter(t.start.notnull() & (t.end > t.start))  # an interval that ends as it starts is never open
    if not per_child:
        starts, ends = t.select(day=t.start, delta=ibis.literal(1)), t.select(day=t.end, delta=ibis.literal(-1))
    else:
        order = [t.start, t.end]
        before = ibis.window(group_by=t.child_id, order_by=order, rows=(None, -1))
        upto = ibis.window(group_by=t.child_id, order_by=order, rows=(None, 0))
        following = ibis.window(group_by=t.child_id, order_by=order)
        # reach: the latest end among the child's intervals so far. An interval starting at or after the
        # reach of those before it begins a new island; an island ends at its reach when the next
        # interval starts at or after that reach (or there is no next interval).
        s = t.mutate(_reach_before=t.end.max().over(before), _reach=t.end.max().over(upto),
                     _next_start=t.start.lead().over(following))
        first = s.filter(s._reach_before.isnull() | (s.start >= s._reach_before))
        last = s.filter(s._next_start.isnull() | (s._next_start >= s._reach))
        starts = first.select(day=first.start, delta=ibis.literal(1))
        ends = last.select(day=last._reach, delta=ibis.literal(-1))
    both = ibis.union(*(p.select(day=p.day.cast(dt_types.Date(nullable=True)), delta=p.delta.cast("int64"))
                        for p in (starts, ends)), distinct=False)
    return both.group_by("day").aggregate(delta=both.delta.sum())


def counts_on_days(ind: Indicator, ctx: Context, days: list[dt.date]) -> pl.DataFrame:
    """``counting_day``, ``n`` (counted) and ``hits`` (in the numerator) on each of ``days``."""
    m = ind.measure
    per_child = ind.counting_unit == "children"
    t = m.intervals(ctx)
    t = t.mutate(start=t[m.start], end=t[m.end], _hit=m.numerator_of(t, ctx))
    counted = _deltas(t, per_child).mutate(kind=ibis.literal("n"))
    hits = _deltas(t.filter(t._hit), per_child).mutate(kind=ibis.literal("hits"))
    deltas = ibis.union(counted, hits, distinct=False).to_polars()
    wanted = pl.DataFrame({"counting_day": pl.Series(sorted(set(days)), dtype=pl.Date)})
    out = wanted
    for kind in ("n", "hits"):
        running = (deltas.filter(pl.col("kind") == kind).select(pl.col("day").cast(pl.Date), pl.col("delta"))
                   .sort("day").with_columns(pl.col("delta").cum_sum().alias(kind)).drop("delta"))
        out = out.join_asof(running, left_on="counting_day", right_on="day", strategy="backward").drop("day")
    return out.with_columns(pl.col("n").fill_null(0).cast(pl.Int64), pl.col("hits").fill_null(0).cast(pl.Int64))
