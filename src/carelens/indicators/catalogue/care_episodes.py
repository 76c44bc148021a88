"""The episodes in force and the periods of care: the tables derived from the 903 episodes that
section D's indicators count and other sections (permanence, care leavers) and the forecast build on.

- **The episode in force.** A child's 903 episodes are laid end to end over their period of care (each
  episode lasts until the next one starts, the first from the period's start, the last to its end), so that
  the legal status and placement of any looked-after child on any day are known, and the stocks count
  exactly the children ``periods_of_care`` holds. A period with no episodes still counts, its legal status
  and placement "unknown".
- **Placements** follow DfE's counting: a new placement starts when the child moves to a new carer — 903
  reason for new episode S (started), P (change of placement and carer) or B (legal status and carer). A
  change of placement type with the same carer (T, U) and a change of legal status alone (L) are not
  moves. A temporary placement (T0–T4) never starts a placement; a return from one recorded as a change of
  carer (P/B) does, because the store cannot tell it from a move.
- **Spans of care** (:func:`spans_looked_after`) are a child's episodes in force merged where they overlap
  or touch: a cohort ("looked after at any time in the window") is found by joining the windows to these.
- **Placement groups** follow DfE's categories for children looked after at 31 March (LAIT 396–401);
  provision is "in-house" for the authority's own provision (PR1) and "other" for every other provider;
  legal status groups follow DfE's.

The choices are the indicators' own, and each is also stated on their pages: see
:mod:`carelens.indicators.catalogue.looked_after`.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.breakdowns import age_on
from carelens.indicators.measures import Context, not_ended, open_on, shared

SHORT_BREAKS = ("V3", "V4")
NEW_CARER = ("S", "P", "B")  # 903 reasons for a new episode where the child moves to a new carer
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
ADOPTION = ("A3", "A4", "A5", "A6")

FOSTER = "foster care"
PLACEMENT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (FOSTER, ("U1", "U2", "U3", "U4", "U5", "U6")),  # LAIT 396
    ("placed for adoption", ADOPTION),
    ("placed with parents", ("P1",)),  # LAIT 401
    ("secure and children's homes", ("K1", "K2")),  # LAIT 397
    ("independent and supported accommodation", ("P2", "H5", "K3")),  # LAIT 398
    ("other residential settings", ("R1", "R2", "R3", "R5", "S1", "P3")),  # LAIT 399
)
OTHER_PLACEMENTS = "other placements"  # LAIT 400: Z1, Z11–Z14, temporary T0–T4 and any other code

LEGAL_STATUS_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("interim care order", ("C1",)),
    ("care order", ("C2",)),
    ("placement order", ("E1", "D1")),
    ("section 20", ("V2",)),
    ("short breaks", SHORT_BREAKS),
    ("detained for child protection", ("L1", "L2", "L3")),
    ("youth justice", ("J1", "J2", "J3")),
)

ADOPTED = ("E11", "E12")  # 903 reasons a period of care ceased
SPECIAL_GUARDIANSHIP = ("E43", "E44", "E45", "E46", "E47", "E48")  # E43/E44 until 2018, E45–E48 from 2019


def _grouped(codes: ir.StringValue, groups: tuple[tuple[str, tuple[str, ...]], ...], other: str) -> ir.StringValue:
    """The group a code belongs to; ``other`` for any other code; empty when the code is."""
    return ibis.cases(*[(codes.isin(list(members)), label) for label, members in groups],
                      (codes.notnull(), other), else_=ibis.null("string"))


def placement_group(placement_type: ir.StringValue) -> ir.StringValue:
    return _grouped(placement_type, PLACEMENT_GROUPS, OTHER_PLACEMENTS)


def legal_status_group(legal_status: ir.StringValue) -> ir.StringValue:
    return _grouped(legal_status, LEGAL_STATUS_GROUPS, "other")


def provision(provider: ir.StringValue) -> ir.StringValue:
    return ibis.cases((provider == "PR1", "in-house"), (provider.notnull(), "other"), else_=ibis.null("string"))


def _location(inside_la: ir.BooleanValue) -> ir.StringValue:
    return ibis.cases((inside_la, "inside the authority"), (~inside_la, "outside the authority"),
                      else_=ibis.null("string"))


def _distance_band(miles: ir.FloatingValue) -> ir.StringValue:
    return ibis.cases((miles > 20, "over 20 miles"), (miles.notnull(), "20 miles or less"),
                      else_=ibis.null("string"))

def not_short_break(legal_status: ir.StringValue) -> ir.BooleanValue:
    """The legal status is not an agreed series of short breaks (V3/V4), which DfE leaves out of every
    published figure; an unknown legal status is not one."""
    return ~legal_status.isin(list(SHORT_BREAKS)).fill_null(False)


def births(ctx: Context) -> ir.Table:
    """Each child's date of birth, as ``_b_child`` and ``_b_born`` (named to be joined and dropped)."""
    p = ctx.table("person")
    return p.select(_b_child=p.child_id, _b_born=p.date_of_birth)


def with_age(t: ir.Table, ctx: Context, day: str, name: str = "age") -> ir.Table:
    """``t`` with ``name``: the child's age in completed years on ``t[day]`` (empty when not known)."""
    if "date_of_birth" in t.columns:  # the episodes in force carry it (in_care): no join to every child-day
        return t.mutate(**{name: age_on(t[day], t.date_of_birth)})
    born = births(ctx)
    j = t.left_join(born, t.child_id == born._b_child)
    return j.mutate(**{name: age_on(j[day], j._b_born)}).drop("_b_child", "_b_born")


# ---------------------------------------------------------------------------- the episode in force
@shared()
def _tiled_episodes(ctx: Context) -> ir.Table:
    """Every period of care with its 903 episodes laid end to end (see the module's notes).

    One row per episode (one per period for a period without episodes): ``child_id``, ``care_period_id``,
    ``period_start``, ``period_end``, ``reason_ceased``, ``start_date`` and ``end_date`` (the episode in force
    from ``start_date`` until ``end_date``, empty while open), ``episode_no`` (0 for the first), ``last``
    (the period's last episode), ``new_placement`` (the episode starts a placement: the first, or a move to
    a new carer), ``placement_no`` (the placement it belongs to, counting from 1; 0 without episodes),
    ``legal_status``, ``placement_id``, ``placement_type``, ``provider``, and the period's
    ``last_legal_status``.
    """
    e = ctx.table("looked_after_episodes")
    order = ["start_date", "episode_id"]  # a full order: the same on every backend
    w = ibis.window(group_by="period_id", order_by=order)
    e = e.mutate(_no=ibis.row_number().over(w), _next=e.start_date.lead().over(w))
    moved = e.reason_new_episode.isin(list(NEW_CARER)) & ~e.placement_type.isin(list(TEMPORARY))
    e = e.mutate(_moved=ibis.ifelse((e._no == 0) | moved.fill_null(False), 1, 0))
    e = e.mutate(_placement_no=e._moved.sum().over(ibis.cumulative_window(group_by="period_id", order_by=order)),
                 _last_ls=ibis.cases((e._next.isnull(), e.legal_status), else_=ibis.null("string")).max().over(
                     ibis.window(group_by="period_id")))
    e = e.select(_e_period=e.period_id, episode_id=e.episode_id, _e_start=e.start_date, _e_next=e._next,
                 episode_no=e._no, _moved=e._moved, placement_no=e._placement_no, legal_status=e.legal_status,
                 placement_id=e.placement_id, placement_type=e.placement_type, provider=e.placement_provider,
                 last_legal_status=e._last_ls)
    p = ctx.table("periods_of_care")
    p = p.select(child_id=p.child_id, care_period_id=p.period_id, period_start=p.start_date,
                 period_end=p.end_date, reason_ceased=p.reason_ceased)
    j = p.left_join(e, p.care_period_id == e._e_period)
    first = j.episode_no.isnull() | (j.episode_no == 0)
    return j.select(
        "child_id", "care_period_id", "period_start", "period_end", "reason_ceased", "episode_id",
        start_date=ibis.ifelse(first, j.period_start, j._e_start).cast("date"),
        end_date=ibis.ifelse(j._e_next.notnull(), j._e_next, j.period_end).cast("date"),
        episode_no=j.episode_no.fill_null(0), last=j._e_next.isnull(), new_placement=first | (j._moved == 1),
        placement_no=j.placement_no.fill_null(0), legal_status=j.legal_status, placement_id=j.placement_id,
        placement_type=j.placement_type, provider=j.provider, last_legal_status=j.last_legal_status)


@shared()
def _episodes_with_placements(ctx: Context) -> ir.Table:
    """:func:`_tiled_episodes` with the placement each episode belongs to: ``placement_start``,
    ``placement_end`` (the next placement's start, else the period's end; empty while open) and
    ``previous_placement_start`` (the start of the placement before it in the period of care; empty for
    the first)."""
    t = _tiled_episodes(ctx)
    spell = ibis.window(group_by=["care_period_id", "placement_no"])
    t = t.mutate(placement_start=t.start_date.min().over(spell),
                 _open=ibis.ifelse(t.end_date.isnull(), 1, 0).max().over(spell),
                 _end=t.end_date.max().over(spell))
    # the placement before: the placement start in force on the row before this placement's first row
    order = ibis.window(group_by="care_period_id", order_by=["start_date", "episode_no"])
    t = t.mutate(_before=t.placement_start.lag().over(order))
    t = t.mutate(previous_placement_start=ibis.cases((t.new_placement, t._before), else_=ibis.null("date"))
                 .max().over(spell).cast("date"),
                 placement_end=ibis.ifelse(t._open == 1, ibis.null("date"), t._end).cast("date"))
    return t.drop("_open", "_end", "_before")


def placement_spells(ctx: Context) -> ir.Table:
    """Each placement (a stay with one carer; see the module's notes): ``child_id``, ``care_period_id``,
    ``placement_no``, ``placement_start``, ``placement_end``, ``previous_placement_start`` (see
    :func:`_episodes_with_placements`)."""
    t = _episodes_with_placements(ctx)
    return t.filter(t.new_placement).select("child_id", "care_period_id", "placement_no", "placement_start",
                                            "placement_end", "previous_placement_start")


@shared()
def in_care(ctx: Context) -> ir.Table:
    """The episode in force at any time (see :func:`_episodes_with_placements`), with the placement's
    ``distance_miles`` and ``inside_la``, and the groups: ``legal_status_group``, ``placement_group``,
    ``provision``, ``placement_location`` and ``distance_band``; and the child's ``date_of_birth``, joined
    once here rather than to each of the hundreds of days a child is counted on."""
    j = _episodes_with_placements(ctx)
    pl = ctx.table("placements")
    pl = pl.select(_pl_id=pl.placement_id, distance_miles=pl.distance_miles, inside_la=pl.inside_la)
    j = j.left_join(pl, j.placement_id == pl._pl_id).drop("_pl_id")
    born = births(ctx)
    j = j.left_join(born, j.child_id == born._b_child).drop("_b_child").rename(date_of_birth="_b_born")
    return j.mutate(legal_status_group=legal_status_group(j.legal_status),
                    placement_group=placement_group(j.placement_type), provision=provision(j.provider),
                    placement_location=_location(j.inside_la), distance_band=_distance_band(j.distance_miles))


def in_care_not_short_break(ctx: Context) -> ir.Table:
    t = in_care(ctx)
    return t.filter(not_short_break(t.legal_status))


@shared()
def periods(ctx: Context) -> ir.Table:
    """Each period of care (``child_id``, ``care_period_id``, ``start_date``, ``end_date``,
    ``reason_ceased``) with its first episode's legal status and placement (``first_legal_status``,
    ``first_placement_type``, ``first_provider``), its last episode's legal status (``last_legal_status``)
    and, when it ended, the child's ``age_on_leaving``."""
    t = _tiled_episodes(ctx)
    t = t.filter(t.episode_no == 0)  # the first episode, or the period itself when it has none
    t = t.select("child_id", "care_period_id", "reason_ceased", "last_legal_status", start_date=t.period_start,
                 end_date=t.period_end, first_legal_status=t.legal_status, first_placement_type=t.placement_type,
                 first_provider=t.provider)
    return with_age(t, ctx, "end_date", "age_on_leaving")


def looked_after_on(ctx: Context, windows: ir.Table) -> ir.Table:
    """Per window, each child looked after on its last day (short breaks aside): the window's columns and
    the episode in force that day (see :func:`in_care`)."""
    t = in_care_not_short_break(ctx)
    return t.join(windows, open_on(t.start_date, t.end_date, windows.window_end))


def spans_looked_after(ctx: Context) -> ir.Table:
    """Each child's spans of being looked after (short breaks aside): their episodes in force merged where
    they overlap or touch (``child_id``, ``start_date``, ``end_date``, a far-off day while open). A child is
    looked after at some time in a window exactly when one of their spans reaches into it, and a child has
    a few spans where they have many episodes (every move and change of legal status starts one), so a
    cohort is found by joining the windows to these."""
    t = in_care_not_short_break(ctx)
    t = t.select("child_id", "start_date", end_date=not_ended(t.end_date))
    order = [t.start_date, t.end_date]
    # a span begins with an episode starting after every episode before it has ended
    reach = t.end_date.max().over(ibis.window(group_by="child_id", order_by=order, rows=(None, -1)))
    t = t.mutate(_begins=ibis.ifelse(reach.isnull() | (t.start_date > reach), 1, 0))
    t = t.mutate(_span=t._begins.sum().over(ibis.window(group_by="child_id", order_by=order, rows=(None, 0))))
    return t.group_by("child_id", "_span").aggregate(start_date=t.start_date.min(), end_date=t.end_date.max()
                                                    ).drop("_span")
