"""Building the counted rows of a custom measure counted on each window's last day, as section D's do.

A custom measure (:class:`~carelens.indicators.measures.Custom`) returns its counted rows itself. These are the
steps the looked-after measures share: joining a table derived from another without Ibis mistaking one's
columns for the other's (:func:`join_as_view`), one row per window and child with a count of what matched it
(:func:`with_count`) or the day of the latest dated row on or before the day (:func:`last_on_or_before`), a
count in bands (:func:`count_band`), the n-th working day after a day (:func:`plus_working_days`), and the
counted rows themselves (:func:`counted_on_last_day`).
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from carelens.indicators.measures import not_ended
from carelens.indicators.working_days import calendar_table

def count_band(n: ir.IntegerValue, none: str | None = None) -> ir.StringValue:
    """"1", "2", "3 or more" (and ``none`` for zero, when given)."""
    return ibis.cases((n >= 3, "3 or more"), (n == 2, "2"), (n == 1, "1"),
                      else_=ibis.literal(none, "string") if none else ibis.null("string"))


def join_as_view(left: ir.Table, right: ir.Table, on, how: str = "inner") -> ir.Table:
    """``left`` joined to ``right`` where ``on(left, right)``.

    ``left`` is joined as a view. When ``right`` was derived from ``left`` (its rows counted per child, its
    placements), Ibis could otherwise read a column of ``left`` in the condition as the column of ``right``
    derived from it, and join ``right`` to itself.
    """
    left = left.view()
    return left.join(right, on(left, right), how=how)


def plus_working_days(t: ir.Table, day: str, n: int, name: str) -> ir.Table:
    """``t`` with ``name``: the ``n``-th working day after ``t[day]`` (England and Wales)."""
    cal = calendar_table()
    a = cal.select(_wa_day=cal.day, _wa_n=cal.working_day_number)
    # a number belongs to a working day and the days off after it: the earliest is the working day
    b = cal.group_by(_wb_n=cal.working_day_number).aggregate(_wb_day=cal.day.min())
    j = t.left_join(a, t[day] == a._wa_day)
    j = j.left_join(b, (j._wa_n + n) == b._wb_n)
    return j.mutate(**{name: j._wb_day.cast("date")}).drop("_wa_day", "_wa_n", "_wb_n", "_wb_day")


def with_count(rows: ir.Table, counted: ir.Table, on, value: Callable[[ir.Table], ir.Value],
                *carried: str) -> ir.Table:
    """One row per window and child of ``rows``, with ``_n``: ``value`` over the rows of ``counted`` matched to
    the child's row by ``on`` (nought when none match), and ``window_end`` and the ``carried`` columns of
    ``rows``.

    One aggregation of ``rows`` left-joined to ``counted``, rather than counting the matches and joining the
    counts back: its rows are one per window and child by construction, so the measure says so
    (``Custom(once_per_child=True)``) and the engine does not group them by child a second time."""
    j = join_as_view(rows, counted, on, "left")
    return j.group_by("period_id", "child_id").aggregate(window_end=j.window_end.max(), _n=value(j),
                                                         **{c: j[c].min() for c in carried})


def last_on_or_before(rows: ir.Table, dated: ir.Table) -> ir.Table:
    """``rows`` (one per window and child) with ``_l_day``: the day of the child's latest ``dated`` row (a
    visit, a check; ``_l_child``, ``_l_day``) on or before the window's last day, empty when none.

    Each dated row is given the day of the child's next one, so that exactly one row holds any day: the
    join yields one row per window and child, not every visit the child ever had (tens of millions of
    rows for a large authority over hundreds of days)."""
    after = ibis.window(group_by="_l_child", order_by="_l_day")
    dated = dated.filter(dated._l_day.notnull()).mutate(_l_next=dated._l_day.lead().over(after))
    j = join_as_view(rows, dated, lambda r, d: (r.child_id == d._l_child) & (d._l_day <= r.window_end)
                     & (not_ended(d._l_next) > r.window_end), "left")
    return j.drop("_l_child", "_l_next")


def counted_on_last_day(t: ir.Table, numerator: ir.BooleanValue, **attributes: ir.Value) -> ir.Table:
    """The counted rows of a custom measure counted on the window's last day."""
    return t.select("period_id", "child_id", counting_day=t.window_end.cast("date"),
                    numerator=numerator.fill_null(False), amount=ibis.null("float64"),
                    **{k: v.cast("string") for k, v in attributes.items()})
