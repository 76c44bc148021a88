"""The missing episodes section D counts (D9a, D9b): of the 903 types asked for, each with how often the child
had gone missing in the 12 months up to it, and the placement they went missing from."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.catalogue.care_episodes import in_care, not_short_break
from carelens.indicators.catalogue.custom_rows import join_as_view
from carelens.indicators.dates import add_months, plus_days
from carelens.indicators.measures import Context, open_on

def missing_types(ctx: Context) -> list[str]:
    return [c.strip() for c in str(ctx.param("missing_types")).split(",") if c.strip()]


def missing_episodes(ctx: Context) -> ir.Table:
    """Missing episodes of the types asked for, with ``missing_frequency`` (the child's episodes of those
    types starting in the 12 months up to this one's start, this one included: "1-2" or "3 or more"), the
    placement the child was in when it started (``placement_group``, ``placement_location``) and
    ``short_break`` (the child was then looked after under an agreed series of short breaks)."""
    m = ctx.table("missing_episodes")
    m = m.filter(m.missing_type.isin(missing_types(ctx)))
    o = m.select(_o_child=m.child_id, _o_start=m.start_date)
    f = join_as_view(m, o, lambda m, o: (m.child_id == o._o_child) & (o._o_start <= m.start_date)
                     & (o._o_start >= plus_days(add_months(m.start_date, -12), 1)))
    f = f.group_by(_f_id=f.missing_id).aggregate(_f_n=f.count())
    c = in_care(ctx)
    c = c.select(_c_child=c.child_id, _c_start=c.start_date, _c_end=c.end_date, _c_group=c.placement_group,
                 _c_location=c.placement_location, _c_short_break=ibis.ifelse(not_short_break(c.legal_status), 0, 1))
    p = join_as_view(m, c, lambda m, c: (m.child_id == c._c_child) & open_on(c._c_start, c._c_end, m.start_date))
    p = p.group_by(_p_id=p.missing_id).aggregate(placement_group=p._c_group.min(),
                                                  placement_location=p._c_location.min(),
                                                  short_break=p._c_short_break.max() == 1)
    j = join_as_view(m, f, lambda m, f: m.missing_id == f._f_id, "left")
    j = join_as_view(j, p, lambda j, p: j.missing_id == p._p_id, "left")
    return j.mutate(missing_frequency=ibis.cases((j._f_n >= 3, "3 or more"), else_="1-2"),
                    short_break=j.short_break.fill_null(False)).drop("_f_id", "_f_n", "_p_id")
