"""D. Children looked after: numbers, legal status, placements, stability, missing, health (report §5.6–5.8).

Choices made where the catalogue (``docs/indicators/README.md``, section D) leaves room, each also on the indicator's page. This
module declares the indicators and the measures only they use; the tables they are counted from are derived
in modules named for what they hold, which other sections (and the forecast) read too:
:mod:`~carelens.indicators.catalogue.care_episodes` (the episodes in force, placements, periods of care and
spans of care), :mod:`~carelens.indicators.catalogue.counts_in_a_year` (placements and social workers in the
12 months ending on each day), :mod:`~carelens.indicators.catalogue.missing_episodes`, and
:mod:`~carelens.indicators.catalogue.custom_rows` (the steps of building a custom measure's rows).

- **Short breaks.** DfE leaves children looked after under an agreed series of short-term breaks (903 legal
  status V3/V4) out of every published figure, and so does this section: out of the stocks when the episode
  in force on the day is V3/V4, out of the starters (D2) when the first episode is, out of the leavers (D3)
  when the last episode is.
- **The episode in force.** A child's 903 episodes are laid end to end over their period of care (each
  episode lasts until the next one starts, the first from the period's start, the last to its end), so that
  the legal status and placement of any looked-after child on any day are known, and the stocks count
  exactly the children ``periods_of_care`` holds. A period with no episodes still counts, its legal status
  and placement "unknown".
- **Placements** (D7, D8, D11) follow DfE's counting: a new placement starts when the child moves to a new
  carer — 903 reason for new episode S (started), P (change of placement and carer) or B (legal status and
  carer). A change of placement type with the same carer (T, U; for example placed for adoption with the
  current foster carers) and a change of legal status alone (L) are not moves. A temporary placement
  (T0–T4) never starts a placement; a return from one recorded as a change of carer (P/B) does, because the
  store cannot tell it from a move.
- **Placement groups** follow DfE's categories for children looked after at 31 March (LAIT 396–401):
  ``PLACEMENT_GROUPS`` below maps every 903 placement type to one. Provision is "in-house" for the
  authority's own provision (PR1) and "other" for every other provider (PR0 parents, PR2 other authorities,
  PR3 other public, PR4 private, PR5 voluntary).
- **Legal status groups** follow DfE's: care orders (interim C1, full C2), placement orders (E1, D1 freeing
  orders), section 20 (V2), short breaks (V3/V4), detained for child protection (L1–L3), youth justice
  (J1–J3).
- **Reasons for leaving care** (D3): adopted (E11/E12), special guardianship order (E43–E48), returned home
  (E4A/E4B, as DfE 273b: to parents or others with parental responsibility), then any other reason when the
  child left on or after their 18th birthday ("aged 18 or over"), else "other" (E13 left to live with
  relatives without parental responsibility, E41 child arrangements order, E3 care taken over by another
  authority, …). The 903 code is a breakdown too.
- **Month arithmetic** is done on the date's parts (year, month, day; the day capped at the month's last),
  never with month intervals, so every backend gives the same answer: 6 months after 31 August is 28 (or 29)
  February, as :func:`carelens.indicators.periods.months_before` counts.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.catalogue.care_episodes import (
    ADOPTED,
    ADOPTION,
    FOSTER,
    LEGAL_STATUS_GROUPS,
    OTHER_PLACEMENTS,
    PLACEMENT_GROUPS,
    SPECIAL_GUARDIANSHIP,
    births,
    in_care_not_short_break,
    legal_status_group,
    looked_after_on,
    not_short_break,
    periods,
    placement_group,
    spans_looked_after,
    with_age,
)
from carelens.indicators.catalogue.counts_in_a_year import (
    placement_steps,
    social_worker_steps,
    three_or_more_on_day,
    with_count_on_day,
)
from carelens.indicators.catalogue.custom_rows import (
    count_band,
    counted_on_last_day,
    join_as_view,
    last_on_or_before,
    plus_working_days,
    with_count,
)
from carelens.indicators.catalogue.missing_episodes import missing_episodes, missing_types
from carelens.indicators.dates import add_months, months_on, plus_days
from carelens.indicators.indicator import (
    CASE_BREAKDOWNS,
    OPEN_ON_THE_DAY,
    OWN_WINDOW,
    PERSON_BREAKDOWNS,
    STOCK_WINDOWS,
    History,
    Indicator,
    Parameter,
)
from carelens.indicators.measures import Context, Custom, Flow, Stock, not_ended
from carelens.indicators.sweep import in_both

BREAKDOWNS = PERSON_BREAKDOWNS + CASE_BREAKDOWNS

LONG_TERM_FOSTERING = ("U1", "U4")  # placements intended to last until the child is 18

RETURNED_HOME = ("E4A", "E4B")

# The roles that are not the child's social worker (D13 counts social workers, as DfE does)


# ------------------------------------------------------------------------------------- reasons for leaving


def _reason_group(t: ir.Table) -> ir.StringValue:
    r = t.reason_ceased
    return ibis.cases((r.isin(list(ADOPTED)), "adopted"),
                      (r.isin(list(SPECIAL_GUARDIANSHIP)), "special guardianship order"),
                      (r.isin(list(RETURNED_HOME)), "returned home"),
                      (t.age_on_leaving >= 18, "aged 18 or over"),
                      (r.isnull(), ibis.null("string")), else_="other")


# ------------------------------------------------------------------------------- D1–D6: numbers, placements
def _ceasing_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    """Each child who ceased to be looked after in the window, once, on the last occasion (DfE)."""
    p = periods(ctx)
    p = p.filter(p.end_date.notnull() & not_short_break(p.last_legal_status))
    p = p.mutate(reason_group=_reason_group(p))
    j = p.join(windows, p.end_date.between(windows.window_start, windows.window_end))
    last = j.group_by(_l_window=j.period_id, _l_child=j.child_id).aggregate(_l_day=j.end_date.max())
    j = join_as_view(j, last, lambda j, x: (j.period_id == x._l_window) & (j.child_id == x._l_child)
                     & (j.end_date == x._l_day))
    # periods of care never overlap, so one ends on that day; min() keeps every backend alike
    j = j.group_by("period_id", "child_id", "end_date").aggregate(
        reason_group=j.reason_group.min(), reason_ceased=j.reason_ceased.min())
    return j.select("period_id", "child_id", counting_day=j.end_date.cast("date"), numerator=ibis.literal(True),
                    amount=ibis.null("float64"), reason_group=j.reason_group, reason_ceased=j.reason_ceased)


def _has_placement(groups: tuple[str, ...]):
    return lambda t, ctx: t.placement_group.isin(list(groups)).fill_null(False)


IN_FORCE = {"legal_status_group": "legal_status_group", "legal_status": "legal_status",
            "placement_group": "placement_group", "placement_type": "placement_type", "provision": "provision"}
PLACEMENT_ATTRIBUTES = {"placement_type": "placement_type", "provision": "provision"}

IN_FORCE_HOW = ("Each child's 903 episodes are laid end to end over their period of care (an episode lasts until "
                "the next starts), so the legal status and placement on the day are the episode's in force; "
                "children under an agreed series of short breaks (V3/V4) are left out, as DfE does.")
PLACEMENT_HOW = ("A placement is a stay with one carer: a new one starts with a 903 episode whose reason is S "
                 "(started to be looked after), P (change of placement and carer) or B (change of legal status "
                 "and of carer); a change of placement type with the same carer (T, U: for example placed for "
                 "adoption with the current foster carers) or of legal status alone (L) is not a move. A "
                 "temporary placement (T0–T4) never starts one; a return from it recorded as P or B does.")


def _codes(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    return "; ".join(f"{label}: {', '.join(codes)}" for label, codes in groups)


GROUPS_HOW = (f"Placement groups (DfE's for children looked after at 31 March): {_codes(PLACEMENT_GROUPS)}; "
              f"{OTHER_PLACEMENTS}: any other code (Z1, T0–T4, …). Provision: in-house is the authority's own "
              f"(PR1), other is every other provider (PR0 parents, PR2–PR5). Legal status groups: "
              f"{_codes(LEGAL_STATUS_GROUPS)}.")


def _cla_share(id_: str, name: str, title: str, groups: tuple[str, ...], codes: str, dfe: str | None,
               polarity: str = "neutral", reference: str = "report §5.8.1", dfe_short: str | None = None) -> Indicator:
    return Indicator(
        id=id_, name=name, title=title,
        definition=f"Of the children looked after at the end of the period, the percentage whose placement that "
                   f"day was {codes}.",
        measure=Stock(in_care_not_short_break, numerator=_has_placement(groups), attributes=PLACEMENT_ATTRIBUTES),
        counting_unit="children", unit="percent", polarity=polarity, dfe_measure=dfe, dfe_short=dfe_short,
        dfe_comparable=dfe_short is not None,
        reference=reference, computation=IN_FORCE_HOW + " " + GROUPS_HOW, history=OPEN_ON_THE_DAY)


def _groups_text(label: str) -> str:
    return ", ".join(dict(PLACEMENT_GROUPS)[label])


# ----------------------------------------------------------------------------------- D7: short-term


def _placements_in_year_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    rows = with_count_on_day(looked_after_on(ctx, windows), placement_steps(ctx), "placement_group", "provision")
    placements = rows._n
    return counted_on_last_day(rows, placements >= 3, number_of_placements=count_band(placements),
                               placement_group=rows.placement_group, provision=rows.provision)


def _placements_in_year_on_day(ctx: Context):
    """The same children as ``_placements_in_year_rows``, for counting on many days at once: those looked
    after, and of them those in a stretch with three or more placements in the 12 months."""
    return three_or_more_on_day(ctx, placement_steps(ctx))


# ------------------------------------------------------------------------------------ D8: long-term
def _long_term_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    cla = with_age(looked_after_on(ctx, windows), ctx, "window_end")
    cla = cla.filter((cla.age < 16) & (cla.period_start <= add_months(cla.window_end, -30)))
    two_years_ago = add_months(cla.window_end, -24)
    same = cla.placement_start <= two_years_ago
    adoptive = cla.placement_type.isin(list(ADOPTION)) & (cla.previous_placement_start <= two_years_ago)
    return counted_on_last_day(cla, same | adoptive.fill_null(False), placement_group=cla.placement_group)


def _long_term_on_day(ctx: Context):
    """The same children as ``_long_term_rows``, for counting on many days at once. Each episode in force
    counts from the day its period of care is 30 months old until the child turns 16, and is in the
    numerator from the day its placement (or, in an adoptive placement, the one before) is 24 months old."""
    c = in_care_not_short_break(ctx)
    c = c.filter(c.date_of_birth.notnull())  # of unknown age: never known to be under 16
    start = ibis.greatest(c.start_date, months_on(c.period_start, 30))
    end = ibis.least(not_ended(c.end_date), months_on(c.date_of_birth, 16 * 12))
    settled = months_on(c.placement_start, 24)
    adoptive = c.placement_type.isin(list(ADOPTION)) & c.previous_placement_start.notnull()
    settled = ibis.ifelse(adoptive, ibis.least(settled, months_on(c.previous_placement_start, 24)), settled)
    return ([(1, c.select("child_id", start=start, end=end))],
            [(1, c.select("child_id", start=ibis.greatest(start, settled), end=end))])


# -------------------------------------------------------------------------------------- D9: missing


def _missing_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    """Children looked after at any time in the window, with the missing episodes they had in it."""
    t = spans_looked_after(ctx)
    j = t.join(windows, (t.start_date <= windows.window_end) & (t.end_date >= windows.window_start))
    cohort = j.select("period_id", "window_start", "window_end", "child_id").distinct()
    m = ctx.table("missing_episodes")
    m = m.filter(m.missing_type.isin(missing_types(ctx)))
    m = m.select(_m_child=m.child_id, _m_start=m.start_date, _m_end=m.end_date)
    rows = with_count(cohort, m, lambda c, m: (c.child_id == m._m_child) & (m._m_start <= c.window_end)
                      & (not_ended(m._m_end) >= c.window_start), lambda j: j._m_child.count())
    episodes = rows._n
    return counted_on_last_day(rows, episodes > 0, missing_episodes=count_band(episodes, "none"))


def _returned(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return t.end_date.notnull() & ~t.short_break


def _offered(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return _returned(t, ctx) & t.return_interview_offered.fill_null(False)


MISSING_ATTRIBUTES = {"missing_frequency": "missing_frequency", "placement_group": "placement_group",
                      "placement_location": "placement_location"}
MISSING_TYPES = Parameter("missing_types", "M", "903 MISSING codes counted, comma-separated: M missing (DfE "
                                                "161), A away from placement without authorisation, or M,A.")


# -------------------------------------------------------------------------------------- D10: health
def _checks_rows(check_type: str, months_param: str, under_5_param: str | None = None):
    """Children looked after on the window's last day, continuously for ``months_looked_after`` months, in
    the numerator when they had a ``check_type`` check in the ``months_param`` months up to that day
    (``under_5_param`` months for children under 5)."""

    def rows(ctx: Context, windows: ir.Table) -> ir.Table:
        cla = with_age(looked_after_on(ctx, windows), ctx, "window_end")
        cla = cla.filter(cla.period_start <= add_months(cla.window_end, -int(ctx.param("months_looked_after"))))
        since = add_months(cla.window_end, -int(ctx.param(months_param)))
        if under_5_param is not None:
            since = ibis.ifelse(cla.age < 5, add_months(cla.window_end, -int(ctx.param(under_5_param))), since)
        cla = cla.mutate(_since=since)
        hc = ctx.table("health_checks")
        hc = hc.filter(hc.check_type == check_type)
        last = last_on_or_before(cla, hc.select(_l_child=hc.child_id, _l_day=hc.check_date))
        return counted_on_last_day(last, last._l_day > last._since, placement_group=last.placement_group,
                                   placement_location=last.placement_location)

    return rows


def _checks_on_day(check_type: str, months_param: str, under_5_param: str | None = None):
    """The same children as ``_checks_rows``, for counting on many days at once: each episode in force from
    the day its period of care is ``months_looked_after`` months old; in the numerator on the days a check
    covers, from its date up to the day it is ``months_param`` months old (``under_5_param`` while the child
    is under 5). Being covered by any check is being covered by the latest, which is the most recent."""

    def on_day(ctx: Context):
        c = in_care_not_short_break(ctx)
        counted = c.select("child_id", start=ibis.greatest(c.start_date, months_on(
            c.period_start, int(ctx.param("months_looked_after")))), end=c.end_date)
        hc = ctx.table("health_checks")
        hc = hc.filter((hc.check_type == check_type) & hc.check_date.notnull())
        hc = hc.select("child_id", day=hc.check_date.cast("date"))
        if under_5_param is None:
            covered = hc.select("child_id", start=hc.day, end=months_on(hc.day, int(ctx.param(months_param))))
        else:
            born = births(ctx)
            hc = hc.left_join(born, hc.child_id == born._b_child)
            # the first day the child is 5 (of unknown age: never under 5, as in the rows)
            five = ibis.ifelse(hc._b_born.isnull(), hc.day, months_on(hc._b_born, 5 * 12))
            under_5 = hc.select("child_id", start=hc.day,
                                end=ibis.least(months_on(hc.day, int(ctx.param(under_5_param))), five))
            over_5 = hc.select("child_id", start=ibis.greatest(hc.day, five),
                               end=months_on(hc.day, int(ctx.param(months_param))))
            covered = under_5.union(over_5, distinct=False)
        return [(1, counted)], [(1, in_both(counted, covered))]

    return on_day


MONTHS_LOOKED_AFTER = Parameter("months_looked_after", 12, "Children counted: looked after continuously for at "
                                                           "least this many months on the day (DfE: 12).")


# ------------------------------------------------------------------------------ D11: visits, reviews
def _visit_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    cla = looked_after_on(ctx, windows)
    v = ctx.table("looked_after_visits")
    v = v.filter(v.child_seen.fill_null(True))
    r = last_on_or_before(cla, v.select(_l_child=v.child_id, _l_day=v.visit_date))
    # a visit before the placement started is not a visit in it
    r = r.mutate(_last_visit=ibis.ifelse(r._l_day >= r.placement_start, r._l_day, ibis.null("date")))
    first_year = r._last_visit < add_months(r.placement_start, 12)
    long_term = r.placement_type.isin(list(LONG_TERM_FOSTERING)).fill_null(False)
    due = ibis.cases(
        (r._last_visit.isnull(), plus_days(r.placement_start, int(ctx.param("first_visit_days")))),
        (first_year | ~long_term, plus_days(r._last_visit, int(ctx.param("visit_interval_days")))),
        else_=add_months(r._last_visit, int(ctx.param("long_term_interval_months"))))
    return counted_on_last_day(r, r.window_end <= due, placement_group=r.placement_group)


def _visits_on_day(ctx: Context):
    """The same children as ``_visit_rows``, for counting on many days at once. The child's latest visit on
    or before a day is the one whose days run from it to the next: each episode in force is paired with
    the visits whose days overlap it, and is in the numerator over those days up to the visit's due day
    (or the placement's first-visit day, for a visit before the placement). Before the child's first visit
    it is in the numerator up to the placement's first-visit day."""
    c = in_care_not_short_break(ctx)
    v = ctx.table("looked_after_visits")
    v = v.filter(v.child_seen.fill_null(True) & v.visit_date.notnull())
    v = v.select(_v_child=v.child_id, _v_day=v.visit_date.cast("date"))
    v = v.mutate(_v_next=v._v_day.lead().over(ibis.window(group_by="_v_child", order_by="_v_day")))

    def past_first_visit(placement_start: ir.DateValue) -> ir.DateValue:  # the day after the first visit is due
        return plus_days(placement_start, int(ctx.param("first_visit_days")) + 1)

    j = join_as_view(c, v, lambda c, v: (c.child_id == v._v_child) & (v._v_day < not_ended(c.end_date))
                     & (not_ended(v._v_next) > c.start_date))
    in_placement = j._v_day >= j.placement_start
    first_year = j._v_day < add_months(j.placement_start, 12)
    long_term = j.placement_type.isin(list(LONG_TERM_FOSTERING)).fill_null(False)
    # the day after the next visit is due
    due_after = ibis.cases(
        (~in_placement, past_first_visit(j.placement_start)),
        (first_year | ~long_term, plus_days(j._v_day, int(ctx.param("visit_interval_days")) + 1)),
        else_=plus_days(add_months(j._v_day, int(ctx.param("long_term_interval_months"))), 1))
    visited = j.select("child_id", start=ibis.greatest(j.start_date, j._v_day),
                       end=ibis.least(not_ended(j.end_date), not_ended(j._v_next), due_after))
    first = v.group_by(_f_child=v._v_child).aggregate(_f_day=v._v_day.min())
    k = c.left_join(first, c.child_id == first._f_child)
    not_yet = k.select("child_id", start=k.start_date,
                       end=ibis.least(not_ended(k.end_date), not_ended(k._f_day), past_first_visit(k.placement_start)))
    counted = c.select("child_id", start=c.start_date, end=c.end_date)
    return [(1, counted)], [(1, visited.union(not_yet, distinct=False))]


VISIT_PARAMETERS = (
    Parameter("first_visit_days", 7, "A new placement's first visit is due within this many days of its start "
                                     "(Care Planning Regulations 2010, reg 28: one week)."),
    Parameter("visit_interval_days", 42, "Then at most this many days between visits (reg 28: six weeks) in the "
                                         "placement's first year, and always outside long-term fostering."),
    Parameter("long_term_interval_months", 3, "After a year in a long-term foster placement (U1, U4: intended "
                                              "to last until 18), at most this many months between visits "
                                              "(reg 28: three months)."),
)


def _review_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    """Each review due in the window — held or not — in the numerator when held on or before its due day."""
    first_days = int(ctx.param("first_review_working_days"))
    second, later = int(ctx.param("second_review_months")), int(ctx.param("later_review_months"))
    p = periods(ctx)
    p = p.filter(not_short_break(p.first_legal_status))
    p = plus_working_days(p.select("child_id", "care_period_id", "start_date", "end_date"), "start_date",
                          first_days, "first_due")
    r = ctx.table("looked_after_reviews")
    r = r.select(_r_id=r.review_id, _r_period=r.period_id, review_date=r.review_date)
    r = r.join(p, r._r_period == p.care_period_id)
    r = r.filter((r.review_date >= r.start_date) & (r.end_date.isnull() | (r.review_date <= r.end_date)))
    w = ibis.window(group_by=r.care_period_id, order_by=[r.review_date, r._r_id])
    r = r.mutate(_k=ibis.row_number().over(w), _prev=r.review_date.lag().over(w))

    def due_after(k: ir.IntegerValue, prev: ir.DateValue, first_due: ir.DateValue) -> ir.DateValue:
        return ibis.cases((k == 0, first_due), (k == 1, add_months(prev, second)), else_=add_months(prev, later))

    def which(k: ir.IntegerValue) -> ir.StringValue:
        return ibis.cases((k == 0, "first"), (k == 1, "second"), else_="later")

    r = r.mutate(due=due_after(r._k, r._prev, r.first_due))
    held = r.select(child_id=r.child_id, due=r.due.cast("date"), numerator=r.review_date <= r.due,
                    review=which(r._k))
    # the next review, not held (yet): due unless the child left care on or before its due day
    n = r.group_by(_n_period=r.care_period_id).aggregate(_n=r.count(), _last=r.review_date.max())
    q = join_as_view(p, n, lambda p, n: p.care_period_id == n._n_period, "left")
    q = q.mutate(_k=q._n.fill_null(0))
    q = q.mutate(due=due_after(q._k, q._last, q.first_due))
    q = q.filter(q.due.notnull() & (q.end_date.isnull() | (q.end_date > q.due)))
    pending = q.select(child_id=q.child_id, due=q.due.cast("date"), numerator=ibis.literal(False),
                       review=which(q._k))
    events = held.union(pending)
    j = events.join(windows, events.due.between(windows.window_start, windows.window_end))
    return j.select("period_id", "child_id", counting_day=j.due, numerator=j.numerator.fill_null(False),
                    amount=ibis.null("float64"), review=j.review)


REVIEW_PARAMETERS = (
    Parameter("first_review_working_days", 20, "The first review is due within this many working days of the "
                                               "child becoming looked after (Care Planning Regulations 2010, "
                                               "reg 33: 20 working days)."),
    Parameter("second_review_months", 3, "The second review at most this many months after the first (reg 33: "
                                         "three months)."),
    Parameter("later_review_months", 6, "Every later review at most this many months after the one before (reg "
                                        "33: six months)."),
)


# ------------------------------------------------------------------------------- D12: distance
def _far_outside(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return ((t.distance_miles > 20) & ~t.inside_la).fill_null(False)


def _outside(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return (~t.inside_la).fill_null(False)


def _far(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return (t.distance_miles > 20).fill_null(False)


LOCATION_ATTRIBUTES = {"placement_location": "placement_location", "distance_band": "distance_band",
                       "placement_group": "placement_group", "provision": "provision"}


# -------------------------------------------------------------------------------- D13: social workers


def _social_workers_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    rows = with_count_on_day(looked_after_on(ctx, windows), social_worker_steps(ctx))
    workers = rows._n
    return counted_on_last_day(rows, workers >= 3, number_of_social_workers=count_band(workers, "none"))


def _social_workers_on_day(ctx: Context):
    """The same children as ``_social_workers_rows``, for counting on many days at once: those looked after,
    and of them those in a stretch with three or more social workers in the 12 months."""
    return three_or_more_on_day(ctx, social_worker_steps(ctx))


D4_NOTE = ("D4 of the catalogue (D1–D3 by age band, report §5.7) is this indicator's `age_band` breakdown: age "
           "on the counting day, each band's rate using that band's own population; children aged 18 (leaving "
           "care on their birthday) are a group of their own.")

INDICATORS: tuple[Indicator, ...] = (
    # ----------------------------------------------------------------------------- D1–D4 numbers
    Indicator(
        id="D1", name="children_looked_after", title="Children looked after",
        definition="Children looked after at the end of the period: a period of care started on or before that day and "
                   "had not ended by it, excluding children looked after under an agreed series of short breaks (DfE). "
                   "Rate per 10,000 children aged 0–17. Broken down by the legal status and placement in force that "
                   "day.",
        measure=Stock(in_care_not_short_break, attributes=IN_FORCE), counting_unit="children", unit="rate",
        polarity="neutral", dfe_measure="124", dfe_short="LAC", dfe_comparable=True,
        reference="report §5.6.1, §5.7 (D4)", computation=f"{IN_FORCE_HOW} {GROUPS_HOW} {D4_NOTE}",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="D2", name="children_starting_care", title="Children starting to be looked after",
        definition="Children who started a period of care in the period; a child who started twice counts once. "
                   "Children whose care started under an agreed series of short breaks are left out (DfE). Rate per "
                   "10,000 children aged 0–17, annualised.",
        measure=Flow(periods, "start_date", where=lambda t, ctx: not_short_break(t.first_legal_status),
             distinct_children=True,
             attributes={"legal_status_group": lambda t, ctx: legal_status_group(t.first_legal_status),
                         "placement_group": lambda t, ctx: placement_group(t.first_placement_type)}),
        counting_unit="children", unit="rate", polarity="neutral", dfe_measure="376", dfe_short="LAC_Start_Rate",
        dfe_comparable=True,
        reference="report §5.6.2, §5.7 (D4)",
        computation="Legal status and placement are the first episode's. " + D4_NOTE,
        history=OWN_WINDOW),
    Indicator(
        id="D3", name="children_ceasing_care", title="Children ceasing to be looked after",
        definition="Children who ceased to be looked after in the period; a child who ceased twice counts once, on the "
                   "last occasion (DfE). Children whose last episode was a short break are left out. Rate per 10,000 "
                   "children aged 0–17, annualised. Broken down by reason: adopted (E11, E12), special guardianship "
                   "order (E43–E48), returned home (E4A, E4B), aged 18 or over (any other reason, on or after the 18th "
                   "birthday) and other.",
        measure=Custom(_ceasing_rows, "Each child whose period of care ended in the period (`periods_of_care.end_date`), "
               "once, on the last day they ceased to be looked after in it, with that period's reason.",
               ("periods_of_care", "looked_after_episodes", "person")),
        counting_unit="children", unit="rate", polarity="neutral", dfe_measure="392", dfe_short="LAC_Cease_Rate",
        dfe_comparable=True,
        breakdowns=BREAKDOWNS + ("reason_group", "reason_ceased"),
        reference="report §5.6.3, §5.7.7–5.7.9 (D4)", computation=D4_NOTE,
        history=OWN_WINDOW),
    # --------------------------------------------------------------------------------- D5 legal status
    Indicator(
        id="D5", name="looked_after_under_section_20", title="Children looked after accommodated under section 20",
        definition="Of the children looked after at the end of the period, the percentage accommodated under section "
                   "20 of the Children Act 1989 (903 legal status V2, a single period of accommodation). The legal "
                   "status mix is D1 broken down by `legal_status_group` (or `legal_status`); this indicator broken "
                   "down by age band shows how old the children accommodated under section 20 are (the `share` of each "
                   "band).",
        measure=Stock(in_care_not_short_break, numerator=lambda t, ctx: (t.legal_status == "V2").fill_null(False),
              attributes={"placement_group": "placement_group", "provision": "provision"}),
        counting_unit="children", unit="percent", polarity="neutral",
        reference="report §5.6.6 (10%, 36% of them aged 16–17)",
        computation=IN_FORCE_HOW,
        history=OPEN_ON_THE_DAY),
    # ------------------------------------------------------------------------------ D6 placement mix
    _cla_share("D6", "looked_after_in_foster_care", "Children looked after in foster care", (FOSTER,),
               f"foster care ({_groups_text(FOSTER)}). Broken down by provision, the share of each group is the "
               "split between the authority's own foster carers (in-house, PR1) and others", "396", "high",
               "report §5.8.1 (71%, 75% of them in-house)", dfe_short="LAC_Foster_Placements"),
    _cla_share("D6a", "looked_after_placed_for_adoption", "Children looked after placed for adoption",
               ("placed for adoption",), f"placed for adoption ({_groups_text('placed for adoption')})", None),
    _cla_share("D6b", "looked_after_placed_with_parents", "Children looked after placed with parents",
               ("placed with parents",), "with parents or another person with parental responsibility (P1)",
               "401", reference="report §5.8.1 (9%)", dfe_short="LAC_Parents_OR_Others"),
    _cla_share("D6c", "looked_after_in_childrens_homes", "Children looked after in secure and children's homes",
               ("secure and children's homes",), "a secure children's home (K1) or a children's home (K2)", "397",
               reference="report §5.8.1 (57 children)", dfe_short="LAC_SecHome_And_ChildHome"),
    _cla_share("D6d", "looked_after_in_independent_living", "Children looked after in independent living or "
               "supported accommodation", ("independent and supported accommodation",),
               "independent living (P2), semi-independent accommodation (H5) or supported accommodation "
               "registered with Ofsted (K3)", "398", dfe_short="LAC_Ind_SInd_Liv_Arr"),
    _cla_share("D6e", "looked_after_in_other_residential_settings", "Children looked after in other residential "
               "settings", ("other residential settings",),
               "another residential setting: a residential care home (R1), an NHS or health establishment (R2), a "
               "family centre or mother and baby unit (R3), a young offender institution (R5), a residential "
               "school (S1) or residential employment (P3)", "399", dfe_short="LAC_Other_Res_Settings"),
    _cla_share("D6f", "looked_after_in_other_placements", "Children looked after in other placements",
               (OTHER_PLACEMENTS,), "any other placement (Z1 and its 2025/26 subdivisions, temporary placements "
               "T0–T4)", "400", dfe_short="LAC_Other_Place_Inc_Unreg"),
    # ------------------------------------------------------------------------------------ D7, D8 stability
    Indicator(
        id="D7", name="looked_after_three_or_more_placements",
        title="Children looked after with three or more placements "
        "in the year",
        definition="Of the children looked after at the end of the period, the percentage who had three or more "
                   "placements in the 12 months ending that day (DfE short-term placement stability). Every placement "
                   "of a day or more open at any time in those 12 months counts, including the one open at their start "
                   "and placements in earlier periods of care; a placement is a stay with one carer.",
        measure=Custom(_placements_in_year_rows, "Each child looked after on the last day of the period (short breaks "
               "aside), with their placements open at any time in the 12 months ending on that day — those "
               "that ended on the first of the 12 months included, those that started and ended on the same "
               "day left out. In the numerator with three or more.", ("looked_after_episodes", "periods_of_care"),
               on_day=_placements_in_year_on_day, once_per_child=True, on_last_day=True),
        counting_unit="children", unit="percent", polarity="low", dfe_measure="372", dfe_short="LACStable_2016on",
        dfe_comparable=True, windows=STOCK_WINDOWS,
        breakdowns=BREAKDOWNS + ("number_of_placements", "placement_group", "provision"),
        reference="report §5.8.3–5.8.4 (12%)", computation=PLACEMENT_HOW,
        history=History(12, "every placement open in the 12 months up to the day counted")),
    Indicator(
        id="D8", name="looked_after_long_term_stability", title="Long-term placement stability",
        definition="Of the children under 16 looked after at the end of the period who had been looked after "
                   "continuously for at least two and a half years, the percentage living in the same placement for at "
                   "least two years, or placed for adoption where the adoptive placement and the placement before it "
                   "together lasted at least two years (DfE).",
        measure=Custom(_long_term_rows, "Each child looked after on the last day of the period (short breaks aside), "
               "aged under 16 that day, whose period of care started at least 30 months before it. In the "
               "numerator when their placement (a stay with one carer: a change of placement type with the same "
               "carers, such as being placed for adoption with their foster carers, is the same placement) "
               "started at least 24 months before the day, or it is an adoptive placement (A3–A6) and the "
               "placement before it in the period of care started at least 24 months before the day.",
               ("looked_after_episodes", "periods_of_care", "person"), on_day=_long_term_on_day, on_last_day=True),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="393", dfe_short="LAC_LongStable%",
        dfe_comparable=True, windows=STOCK_WINDOWS,
        breakdowns=BREAKDOWNS + ("placement_group",), reference="report §5.8.3 (64%)", computation=PLACEMENT_HOW,
        history=History(30, "the child's care and placements in the 2½ years up to the day counted")),
    # ---------------------------------------------------------------------------------------- D9 missing
    Indicator(
        id="D9", name="looked_after_missing", title="Children looked after who went missing",
        definition="Of the children looked after at any time in the period (short breaks aside), the percentage who "
                   "had a missing episode in it (DfE 161 over a financial year: episodes that started in the year or "
                   "were open on its first day). Report §5.8.5 uses the rolling 12 months.",
        measure=Custom(_missing_rows, "Each child with a period of care (an episode other than a short break) open at "
               "any time in the period, counted on its last day; in the numerator when a missing episode of the "
               "types in `missing_types` was open at any time in the period (started on or before its last day, "
               "ended on or after its first or not yet).", ("looked_after_episodes", "periods_of_care",
                                                            "missing_episodes"), once_per_child=True),
        counting_unit="children", unit="percent", polarity="low", dfe_measure="161", dfe_short="Children_missing",
        dfe_comparable=True,
        breakdowns=BREAKDOWNS + ("missing_episodes",),
        parameters=(MISSING_TYPES,), reference="report §5.8.5 (14%)",
        history=OWN_WINDOW),
    Indicator(
        id="D9a", name="missing_return_interview_offered", title="Return home interviews offered",
        definition="Of the missing episodes that ended (the child returned) in the period, the percentage after which "
                   "a return home interview was offered. Broken down by how often the child had gone missing in the 12 "
                   "months up to the episode and by the placement they went missing from.",
        measure=Flow(missing_episodes, "end_date", where=_returned, numerator="return_interview_offered",
             attributes=MISSING_ATTRIBUTES),
        counting_unit="episodes", unit="percent", polarity="high", parameters=(MISSING_TYPES,),
        reference="report §5.8.5–5.8.6 (52%)",
        computation="`missing_frequency`: the child's episodes of the types counted that started in the 12 months "
                    "up to this one's start, this one included (1-2, 3 or more); the placement is the one in "
                    "force on the day the episode started. Episodes of a child then looked after under an agreed "
                    "series of short breaks are left out, as in D9.",
        history=OWN_WINDOW),
    Indicator(
        id="D9b", name="missing_return_interview_accepted", title="Return home interviews accepted",
        definition="Of the missing episodes that ended in the period after which a return home interview was offered, "
                   "the percentage where the child accepted it.",
        measure=Flow(missing_episodes, "end_date", where=_offered, numerator="return_interview_accepted",
             attributes=MISSING_ATTRIBUTES),
        counting_unit="episodes", unit="percent", polarity="high", parameters=(MISSING_TYPES,),
        reference="report §5.8.5 (88%)",
        computation="Breakdowns as D9a.",
        history=OWN_WINDOW),
    # ----------------------------------------------------------------------------------------- D10 health
    Indicator(
        id="D10", name="looked_after_health_assessment_up_to_date", title="Health assessments up to date",
        definition="Of the children looked after at the end of the period who had been looked after continuously for "
                   "at least 12 months, the percentage with a health assessment in the 12 months up to that day (6 "
                   "months for children under 5, who need one every six months). A monthly view of DfE 3, which D10b "
                   "gives from the year-end return.",
        measure=Custom(_checks_rows("HEALTH_ASSESSMENT", "months", "months_under_5"), "Each child looked after on the "
               "last day of the period (short breaks aside) whose period of care started at least "
               "`months_looked_after` months before it; in the numerator with a `health_checks` row of type "
               "HEALTH_ASSESSMENT dated after the day `months` months (`months_under_5` for a child under 5) "
               "before, and on or before the last day.", ("health_checks", "looked_after_episodes",
                                                          "periods_of_care", "person"),
               on_day=_checks_on_day("HEALTH_ASSESSMENT", "months", "months_under_5"), on_last_day=True),
        counting_unit="children", unit="percent", polarity="high", windows=STOCK_WINDOWS,
        breakdowns=BREAKDOWNS + ("placement_group", "placement_location"),
        parameters=(MONTHS_LOOKED_AFTER,
                    Parameter("months", 12, "A health assessment is up to date when held in this many months."),
                    Parameter("months_under_5", 6, "… and for children under 5, in this many months.")),
        reference="report §5.7.10–5.7.11 (62%)",
        history=History(12, "12 months of continuous care, and the health assessments in them, up to the day "
                            "counted")),
    Indicator(
        id="D10a", name="looked_after_dental_check_up_to_date", title="Dental checks up to date",
        definition="Of the children looked after at the end of the period who had been looked after continuously for "
                   "at least 12 months, the percentage whose teeth were checked by a dentist in the 12 months up to "
                   "that day. A monthly view of DfE 3, which D10c gives from the year-end return.",
        measure=Custom(_checks_rows("DENTAL", "months"), "Each child looked after on the last day of the period (short "
               "breaks aside) whose period of care started at least `months_looked_after` months before it; in "
               "the numerator with a `health_checks` row of type DENTAL dated after the day `months` months "
               "before, and on or before the last day.", ("health_checks", "looked_after_episodes",
                                                           "periods_of_care", "person"),
               on_day=_checks_on_day("DENTAL", "months"), on_last_day=True),
        counting_unit="children", unit="percent", polarity="high", windows=STOCK_WINDOWS,
        breakdowns=BREAKDOWNS + ("placement_group", "placement_location"),
        parameters=(MONTHS_LOOKED_AFTER,
                    Parameter("months", 12, "A dental check is up to date when held in this many months.")),
        reference="report §5.7.10–5.7.11 (65%)",
        history=History(12, "12 months of continuous care, and the dental checks in them, up to the day "
                            "counted")),
    Indicator(
        id="D10b", name="health_assessments_up_to_date_at_31_march",
        title="Health assessments up to date (year-end return)",
        definition="Of the children looked after at 31 March who had been looked after continuously for at least 12 "
                   "months, the percentage whose annual health assessment was up to date, as the 903 return (OC2) "
                   "records it (DfE 3).",
        measure=Flow("annual_outcomes", "year_ending", numerator="health_assessment_up_to_date"),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="3", dfe_short="LACHealth%",
        dfe_comparable=True, windows=("financial_year",),
        reference="report §5.7.10",
        history=OWN_WINDOW),
    Indicator(
        id="D10c", name="dental_checks_at_31_march", title="Dental checks (year-end return)",
        definition="Of the children looked after at 31 March who had been looked after continuously for at least 12 "
                   "months, the percentage whose teeth were checked by a dentist in the year, as the 903 return (OC2) "
                   "records it (DfE 3).",
        measure=Flow("annual_outcomes", "year_ending", numerator="teeth_checked"),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="3", dfe_short="LACDental%",
        dfe_comparable=True, windows=("financial_year",),
        reference="report §5.7.10",
        history=OWN_WINDOW),
    # ------------------------------------------------------------------------------ D11 visits, reviews
    Indicator(
        id="D11", name="looked_after_visits_in_timescale", title="Statutory visits in timescale",
        definition="Of the children looked after at the end of the period, the percentage whose statutory visits were "
                   "up to date that day: the child was seen within a week of their placement starting, then at most "
                   "every six weeks, or every three months after the first year of a long-term foster placement (Care "
                   "Planning, Placement and Case Review (England) Regulations 2010, reg 28; local parameters).",
        measure=Custom(_visit_rows, "Each child looked after on the last day of the period (short breaks aside). The "
               "next visit is due `first_visit_days` after the placement started when the child has not been "
               "visited since, else `visit_interval_days` after the last visit — `long_term_interval_months` "
               "when that visit was a year or more into a long-term foster placement (U1, U4). In the numerator "
               "when the last day is on or before the due day. Visits count unless recorded as the child not "
               "seen.",
               ("looked_after_visits", "looked_after_episodes", "periods_of_care"), on_day=_visits_on_day,
               on_last_day=True),
        counting_unit="children", unit="percent", polarity="high", windows=STOCK_WINDOWS,
        breakdowns=BREAKDOWNS + ("placement_group",),
        parameters=VISIT_PARAMETERS, reference="report §5.7.10 (88%, teams 73–96%)", computation=PLACEMENT_HOW,
        history=History(3, "the last visit before the day counted, up to 3 months before it (long-term "
                           "foster placements)")),
    Indicator(
        id="D11a", name="looked_after_reviews_in_timescale", title="Looked-after reviews in timescale",
        definition="Of the looked-after reviews due in the period, the percentage held on or before the day they were "
                   "due: the first within 20 working days of the child becoming looked after, the second within three "
                   "months of the first, each later one within six months of the one before (Care Planning, Placement "
                   "and Case Review (England) Regulations 2010, reg 33; local parameters). A review not held by its "
                   "due day counts as out of timescale.",
        measure=Custom(_review_rows, "Each review of a period of care (short breaks aside), in date order, is due "
               "`first_review_working_days` working days after the period started (the first), "
               "`second_review_months` after the review before (the second) or `later_review_months` after it "
               "(the others); the review after the last one held is due in the same way, unless care ended on or "
               "before that day. Every review due in the period is counted, on its due day; in the numerator "
               "when held on or before it. Due days are recomputed from the regulations, not taken from "
               "`looked_after_reviews.due_date`.", ("looked_after_reviews", "periods_of_care",
                                                    "looked_after_episodes")),
        counting_unit="events", unit="percent", polarity="high", breakdowns=BREAKDOWNS + ("review",),
        parameters=REVIEW_PARAMETERS,
        reference="report §5.7.10 (96%)",
        history=History(6, "the review before each review due in the window, up to 6 months before it")),
    # --------------------------------------------------------------------------------- D12 distance
    Indicator(
        id="D12", name="looked_after_placed_far_outside",
        title="Children placed outside the authority and more than 20 miles "
        "from home",
        definition="Of the children looked after at the end of the period, the percentage placed outside the "
                   "authority's boundary and more than 20 miles from the home they were first placed from (DfE). "
                   "Children whose placement's distance or location is not recorded are counted in the denominator "
                   "only (the `distance_band` and `placement_location` breakdowns show how many).",
        measure=Stock(in_care_not_short_break, numerator=_far_outside, attributes=LOCATION_ATTRIBUTES),
        counting_unit="children", unit="percent", polarity="low", dfe_measure="87", dfe_short="LACDistance",
        dfe_comparable=True, computation=IN_FORCE_HOW + " Distance and location are the "
        "placement's (`placements.distance_miles`, `inside_la`).", reference="the catalogue ([indicators](README.md)), D12",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="D12a", name="looked_after_placed_outside", title="Children placed outside the authority",
        definition="Of the children looked after at the end of the period, the percentage placed outside the "
                   "authority's boundary, at any distance.",
        measure=Stock(in_care_not_short_break, numerator=_outside, attributes=LOCATION_ATTRIBUTES),
        counting_unit="children", unit="percent", polarity="low", computation=IN_FORCE_HOW,
        reference="report §5.7.11, §5.8.6",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="D12b", name="looked_after_placed_over_20_miles", title="Children placed more than 20 miles from home",
        definition="Of the children looked after at the end of the period, the percentage placed more than 20 miles "
                   "from home, inside or outside the authority.",
        measure=Stock(in_care_not_short_break, numerator=_far, attributes=LOCATION_ATTRIBUTES),
        counting_unit="children", unit="percent", polarity="low", computation=IN_FORCE_HOW,
        reference="the catalogue ([indicators](README.md)), D12",
        history=OPEN_ON_THE_DAY),
    # ------------------------------------------------------------------------------ D13 social workers
    Indicator(
        id="D13", name="looked_after_three_or_more_social_workers",
        title="Children looked after with three or more social "
        "workers in the year",
        definition="Of the children looked after at the end of the period, the percentage who had three or more "
                   "different social workers in the 12 months ending that day, counting workers allocated while the "
                   "child was not looked after too; a worker allocated twice counts once (DfE social worker "
                   "instability, which LAIT shows without a measure code).",
        measure=Custom(_social_workers_rows, "Each child looked after on the last day of the period (short breaks "
               "aside), with the distinct workers of their `allocations` open at any time in the 12 months "
               "ending that day (personal advisers and early help practitioners aside); in the numerator with "
               "three or more.", ("allocations", "workers", "looked_after_episodes", "periods_of_care"),
               on_day=_social_workers_on_day, once_per_child=True, on_last_day=True),
        counting_unit="children", unit="percent", polarity="low", windows=STOCK_WINDOWS,
        breakdowns=BREAKDOWNS + ("number_of_social_workers",), reference="the catalogue ([indicators](README.md)), D13",
        history=History(12, "every social worker allocated in the 12 months up to the day counted")),
)
