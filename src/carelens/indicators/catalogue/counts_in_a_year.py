"""How many placements, or social workers, each child had in the 12 months ending on each day (D7, D13).

Each is a step function per child (:func:`~carelens.indicators.sweep.steps`): every placement or allocation
is extended to the last day whose 12 months still reach its end (:func:`reach_of_a_year`), and the count of
distinct placements or workers holding each day is constant between two starts or ends. A child looked after
on a day is joined to the one step holding it (:func:`with_count_on_day`), and the children with three or
more are swept as the stretches in which they are looked after and their count is three or more
(:func:`three_or_more_on_day`).
"""

from __future__ import annotations

import ibis.expr.types as ir

from carelens.indicators.catalogue.care_episodes import in_care_not_short_break, placement_spells
from carelens.indicators.catalogue.custom_rows import with_count
from carelens.indicators.dates import months_on
from carelens.indicators.measures import Context, open_on, shared
from carelens.indicators.sweep import in_both, steps

# The roles that are not the child's social worker (D13 counts social workers, as DfE does)
NOT_SOCIAL_WORKERS = ("PERSONAL_ADVISER", "EARLY_HELP_PRACTITIONER")


def reach_of_a_year(end: ir.DateValue) -> ir.DateValue:
    """For an interval ending on ``end`` (its last day), the first day whose 12 months (:func:`~carelens.indicators.dates.year_from`) no
    longer reach it: the interval is within the 12 months ending on a day exactly when it started on or
    before the day and the day is before this one. Empty when ``end`` is.

    The 12 months ending on day d start the day after d less 12 months, so they reach ``end`` while d less
    12 months is before it: up to the day before :func:`months_on` ``end`` plus 12 months. The year to 29
    February 2024 starts on 1 March 2023, as does the year to 28 February 2024."""
    return months_on(end, 12)


def counts_reaching_a_year(t: ir.Table, counted: ir.StringValue, start: ir.DateValue, end: ir.DateValue) -> ir.Table:
    """Per child of ``t``, how many distinct ``counted`` (placements, workers) had an interval from ``start`` to
    ``end`` at some time in the 12 months ending on each day: a step function (``child``, ``start``, ``end``,
    ``count``), each interval reaching up to :func:`reach_of_a_year` of its end."""
    # steps() counts distinct "child_id" per group: here what is counted for each child
    return steps(t.select(child=t.child_id, child_id=counted, start=start, end=reach_of_a_year(end)), ("child",))


@shared()
def placement_steps(ctx: Context) -> ir.Table:
    """Per child, how many placements (of a day or more) were open at some time in the 12 months ending on each
    day, as a step function (:func:`~carelens.indicators.sweep.steps`): ``child``, ``start``, ``end`` and
    ``count``. Each placement reaches the days from its start up to :func:`reach_of_a_year` of its end."""
    sp = placement_spells(ctx)
    # a placement of less than a day (ended the day it started) is not counted
    sp = sp.filter(sp.placement_end.isnull() | (sp.placement_end > sp.placement_start))
    placement = sp.care_period_id.cast("string").concat("/", sp.placement_no.cast("string"))
    return counts_reaching_a_year(sp, placement, sp.placement_start, sp.placement_end)


@shared()
def social_worker_steps(ctx: Context) -> ir.Table:
    """Per child, how many social workers were allocated to them at some time in the 12 months ending on each
    day, as a step function (:func:`~carelens.indicators.sweep.steps`): ``child``, ``start``, ``end`` and
    ``count``. Each allocation reaches the days from its start up to :func:`reach_of_a_year` of its end; a
    worker allocated twice counts once."""
    a = ctx.table("allocations")
    wk = ctx.table("workers")
    wk = wk.select(_w_id=wk.worker_id, _w_role=wk.role)
    a = a.left_join(wk, a.worker_id == wk._w_id)
    a = a.filter(~a._w_role.isin(list(NOT_SOCIAL_WORKERS)).fill_null(False))
    return counts_reaching_a_year(a, a.worker_id, a.start_date, a.end_date)


def with_count_on_day(cla: ir.Table, counts: ir.Table, *carried: str) -> ir.Table:
    """``cla`` (children looked after on each window's last day) one row per window and child, with ``_n``: the
    child's count that day from ``counts`` (a step function per child), nought when no step holds it."""
    s = counts.select(_s_child=counts.child, _s_start=counts.start, _s_end=counts.end, _s_n=counts["count"])
    # the child's steps are disjoint: at most one holds the day
    rows = with_count(cla, s, lambda c, s: (c.child_id == s._s_child) & open_on(s._s_start, s._s_end, c.window_end),
                      lambda j: j._s_n.max(), *carried)
    return rows.mutate(_n=rows._n.fill_null(0))


def three_or_more_on_day(ctx: Context, counts: ir.Table):
    c = in_care_not_short_break(ctx)
    c = c.select("child_id", start=c.start_date, end=c.end_date)
    counts = counts.filter(counts["count"] >= 3).select(child_id=counts.child, start=counts.start, end=counts.end)
    return [(1, c)], [(1, in_both(c, counts))]
