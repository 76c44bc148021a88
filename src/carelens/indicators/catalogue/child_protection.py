"""C. Child protection: strategy discussions, s47 enquiries, conferences and plans (report §5.4–5.5).

Choices made where the catalogue (``docs/indicators/README.md``, section C) leaves room, each also on the indicator's page:

- **C12** ("C8–C10 by age band") is not a separate indicator: C8, C9 and C10 are broken down by
  ``age_band`` like every child-level indicator (age on the counting day; each band's rate uses that
  band's own population), which is exactly C12. A separate id would repeat C8–C10's figures.
- **ICPC timeliness (C6a, C6b)** runs from the strategy discussion that started the section 47
  enquiry which led to the conference (``initial_cp_conferences.s47_id`` →
  ``s47_enquiries.strategy_discussion_id`` → ``strategy_discussions.discussion_date``); when the
  enquiry records no strategy discussion, from the enquiry's start (in the CIN census the s47 start
  date *is* the date of the strategy discussion that initiated it). Transfer-in conferences have no
  enquiry or strategy discussion in this authority, so they are not timed: DfE times conferences from
  the s47 enquiry that led to them (CIN census Section47 module), which a transfer-in does not have.
  They are counted in the ICPCs held (C6, C6c), as DfE counts them in ICPCs (LAIT 269).
- **Visits (C15)** are judged over the plan's time within the period; **reviews (C16)** over the whole
  plan up to the end of the period, as DfE measure 19 does.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.indicator import (
    LIFETIME_MONTHS,
    OPEN_ON_THE_DAY,
    OWN_WINDOW,
    History,
    Indicator,
    Parameter,
)
from carelens.indicators.measures import Context, Conversion, Custom, Flow, Stock, not_ended, open_on
from carelens.indicators.working_days import calendar_table

# DfE: a plan has lasted two years or more when it covers more than 729 calendar days, counting both
# its first day and its last (the day it ceased, or the day counted on): last - first >= 729.
TWO_YEARS_DAYS = 729


# ------------------------------------------------------------------------------------------ helpers
def _days_before(day: ir.DateValue, days: int) -> ir.DateValue:
    return (day - ibis.interval(days=days)).cast("date")


def _months_after(day: ir.DateValue, months: int) -> ir.DateValue:
    return (day + ibis.interval(months=months)).cast("date")


def _destination(t: ir.Table, ctx: Context) -> ir.StringValue:
    """Where a child went when their plan ended, from ``cp_plans.end_reason`` (report §5.5.11)."""
    r = t.end_reason
    return ibis.cases((r == "STEP_DOWN_CIN", "stepped down to CIN"), (r == "CLOSED", "closed"),
                      (r == "LOOKED_AFTER", "became looked after"), (r.notnull(), "other"),
                      else_=ibis.null("string"))


def _s47_working_days(t: ir.Table, ctx: Context) -> ir.Table:
    return ctx.with_working_days(t, "start_date", "end_date", "working_days")


def _icpc_timed(t: ir.Table, ctx: Context) -> ir.Table:
    """Conferences with ``clock_start`` (the strategy discussion that started the s47 enquiry which led to
    the conference, else that enquiry's start) and ``working_days`` from it to the conference."""
    s47 = ctx.table("s47_enquiries")
    s47 = s47.select(_s_id=s47.s47_id, _s_start=s47.start_date, _s_sd=s47.strategy_discussion_id)
    sd = ctx.table("strategy_discussions")
    sd = sd.select(_d_id=sd.strategy_discussion_id, _d_date=sd.discussion_date)
    j = t.left_join(s47, t.s47_id == s47._s_id)
    j = j.left_join(sd, j._s_sd == sd._d_id)
    j = j.mutate(clock_start=ibis.coalesce(j._d_date, j._s_start)).drop("_s_id", "_s_start", "_s_sd", "_d_id",
                                                                         "_d_date")
    return ctx.with_working_days(j, "clock_start", "conference_date", "working_days")


def _icpc_timeable(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return ~t.transfer_in & t.clock_start.notnull()


def _icpc_band(t: ir.Table, ctx: Context) -> ir.StringValue:
    """DfE's bands of working days from the strategy discussion to the conference (LAIT 268)."""
    d = t.working_days
    return ibis.cases((d <= 10, "0-10"), (d <= 15, "11-15"), (d <= 20, "16-20"), else_="21+")


def _earlier_plans(t: ir.Table, ctx: Context) -> ir.Table:
    """Plans with ``earlier_plans``: how many plans the store holds for the child that started before."""
    e = ctx.table("cp_plans")
    e = e.select(_e_child=e.child_id, _e_start=e.start_date)
    j = t.join(e, (t.child_id == e._e_child) & (e._e_start < t.start_date))
    n = j.group_by(_x_id=j.cp_plan_id).aggregate(_n=j.count())
    out = t.left_join(n, t.cp_plan_id == n._x_id)
    return out.mutate(earlier_plans=out._n.fill_null(0)).drop("_x_id", "_n")


def _recent_earlier_plan(t: ir.Table, ctx: Context) -> ir.Table:
    """Plans with ``recent_earlier_plan``: the store holds an earlier plan for the child that ended on or
    before this one started and no more than ``within_months`` months before."""
    months = int(ctx.param("within_months"))
    e = ctx.table("cp_plans")
    e = e.select(_e_child=e.child_id, _e_start=e.start_date, _e_end=e.end_date)
    j = t.join(e, (t.child_id == e._e_child) & (e._e_start < t.start_date) & e._e_end.notnull()
               & (e._e_end <= t.start_date) & (e._e_end >= (t.start_date - ibis.interval(months=months)).cast("date")))
    n = j.group_by(_x_id=j.cp_plan_id).aggregate(_n=j.count())
    out = t.left_join(n, t.cp_plan_id == n._x_id)
    return out.mutate(recent_earlier_plan=out._n.fill_null(0) > 0).drop("_x_id", "_n")


def _checkpoints(ctx: Context, events: ir.Table, key: str, day: str) -> ir.Table:
    """For each plan of the authority, its start and its events (visits or reviews) in date order.

    Columns: ``plan``, ``child_id``, ``first`` (the row is the plan's start), ``day``, and from the row
    before and after in the plan's order ``prev_day``, ``prev_first`` and ``next_day`` (empty after the
    last). Events dated before the plan started or after it ended are ignored.
    """
    p = ctx.table("cp_plans")
    p = p.select(_p_plan=p.cp_plan_id, _p_child=p.child_id, _p_start=p.start_date, _p_end=p.end_date)
    ev = events.join(p, events.cp_plan_id == p._p_plan)
    ev = ev.filter((ev[day] >= ev._p_start) & (ev._p_end.isnull() | (ev[day] <= ev._p_end)))
    rows = ev.select(plan=ev._p_plan.cast("string"), child_id=ev._p_child.cast("string"), kind=ibis.literal(1, "int8"),
                     key=ev[key].cast("string"), day=ev[day].cast("date"))
    starts = p.select(plan=p._p_plan.cast("string"), child_id=p._p_child.cast("string"), kind=ibis.literal(0, "int8"),
                      key=p._p_plan.cast("string"), day=p._p_start.cast("date"))
    cps = starts.union(rows)
    w = ibis.window(group_by=cps.plan, order_by=[cps.day, cps.kind, cps.key])  # a full order: same on every backend
    cps = cps.mutate(prev_day=cps.day.lag().over(w), prev_kind=cps.kind.lag().over(w),
                     next_day=cps.day.lead().over(w))
    return cps.select("plan", "child_id", "day", "prev_day", "next_day", first=cps.kind == 0,
                      prev_first=(cps.prev_kind == 0).fill_null(False))


def _plans_open_at_end(ctx: Context, windows: ir.Table) -> ir.Table:
    """Per distinct last day of the windows, the plans open on it: ``window_end``, ``plan``, ``child_id``,
    ``plan_start``."""
    days = windows.select("window_end").distinct()
    p = ctx.table("cp_plans")
    j = p.join(days, open_on(p.start_date, p.end_date, days.window_end))
    return j.select("window_end", plan=j.cp_plan_id, child_id=j.child_id, plan_start=j.start_date)


def _in_timescale_rows(windows: ir.Table, plans: ir.Table, checkpoints: ir.Table,
                       late_from_window_start: bool) -> ir.Table:
    """Counted rows for "everything in timescale": one row per window and plan open at its end (``plans``, per
    last day, from :func:`_plans_open_at_end`), in the numerator when none of the plan's counted checkpoints
    was ``late`` and the next one was not yet overdue on the window's last day.

    ``checkpoints`` (from :func:`_checkpoints`) also has ``late`` (the visit or review came later than
    allowed after the checkpoint before it) and ``overdue_on`` (the first day on which the next one would
    be late). A checkpoint counts when it is on or before the window's last day and, with
    ``late_from_window_start``, on or after its first day: then a late checkpoint counts exactly when the
    latest one on or before the last day is on or after the first.

    Both the latest late checkpoint and the plan's last checkpoint depend on the last day alone, so they are
    found once per day and only then joined to the windows ending that day (a month end closes a month,
    three rolling windows and perhaps a financial year).
    """
    # each late checkpoint holds the days up to the plan's next one: one row per plan and day
    late = checkpoints.filter(checkpoints.late)
    late = late.select(_l_plan=late.plan, _l_day=late.day,
                       _l_next=late.day.lead().over(ibis.window(group_by=late.plan, order_by=late.day)))
    plans = plans.left_join(late, (plans.plan == late._l_plan) & (late._l_day <= plans.window_end)
                            & (not_ended(late._l_next) > plans.window_end))
    # the plan's last checkpoint on or before the last day: the one whose next is after it
    g = checkpoints.select(_g_plan=checkpoints.plan, _g_day=checkpoints.day, _g_next=checkpoints.next_day,
                           _g_overdue_on=checkpoints.overdue_on)
    last = plans.join(g, (plans.plan == g._g_plan) & (g._g_day <= plans.window_end)
                      & (not_ended(g._g_next) > plans.window_end))
    last = last.select("window_end", "child_id", _latest_late=last._l_day, _overdue_on=last._g_overdue_on)
    rows = last.join(windows, "window_end")
    late_counted = rows._latest_late.notnull()
    if late_from_window_start:
        late_counted = late_counted & (rows._latest_late >= rows.window_start)
    in_time = ~late_counted & (rows._overdue_on > rows.window_end)
    return rows.select(period_id=rows.period_id, child_id=rows.child_id, counting_day=rows.window_end,
                       numerator=in_time, amount=ibis.null("float64"))


def _visits(ctx: Context) -> ir.Table:
    v = ctx.table("cp_visits")
    return v.filter(v.child_seen.fill_null(False)) if ctx.param("child_seen_only") else v


def _visit_checkpoints(ctx: Context) -> ir.Table:
    """A plan's start and visits (see :func:`_checkpoints`) with ``gap_working_days`` since the checkpoint
    before, ``late`` when that is more than ``interval_working_days``, and ``overdue_on``: the day after the
    last day that is no more than ``interval_working_days`` working days after the checkpoint (the next
    visit is late from that day on)."""
    n = int(ctx.param("interval_working_days"))
    cps = _checkpoints(ctx, _visits(ctx), "cp_visit_id", "visit_date")
    cps = ctx.with_working_days(cps, "prev_day", "day", "gap_working_days")
    cal = calendar_table()
    a = cal.select(_a_day=cal.day, _a_n=cal.working_day_number)
    b = cal.select(_b_day=cal.day, _b_n=cal.working_day_number)
    days = cps.select(_o_day=cps.day).distinct()
    numbered = days.join(a, days._o_day == a._a_day)
    # days whose number is the checkpoint's + n: the n-th working day after it and the days off that follow
    limit = numbered.join(b, b._b_n == numbered._a_n + n)
    limit = limit.group_by("_o_day").aggregate(_o_last=limit._b_day.max())
    out = cps.left_join(limit, cps.day == limit._o_day)
    return out.mutate(late=(out.gap_working_days > n).fill_null(False),
                      overdue_on=(out._o_last + ibis.interval(days=1)).cast("date")).drop("_o_day", "_o_last")


def _cp_visit_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    return _in_timescale_rows(windows, _plans_open_at_end(ctx, windows), _visit_checkpoints(ctx),
                              late_from_window_start=True)


def _visits_with_gap(ctx: Context) -> ir.Table:
    """Each visit with ``gap_working_days`` since the previous visit under the plan (or the plan's start)."""
    cps = _checkpoints(ctx, _visits(ctx), "cp_visit_id", "visit_date")
    cps = ctx.with_working_days(cps.filter(~cps.first), "prev_day", "day", "gap_working_days")
    return cps.mutate(visit_date=cps.day)


# DfE 19: the first review within 3 months of the plan's start, then at most every 6 months.
FIRST_REVIEW_MONTHS = 3
REVIEW_INTERVAL_MONTHS = 6


def _review_checkpoints(ctx: Context) -> ir.Table:
    """A plan's start and reviews (see :func:`_checkpoints`): a review is ``late`` when held after the day it
    was due (3 months after the start for the first, 6 months after the review before for the others);
    ``overdue_on`` is the day after the next review's due day."""
    cps = _checkpoints(ctx, ctx.table("cp_reviews"), "cp_review_id", "review_date")
    due_after_prev = ibis.cases((cps.prev_first, _months_after(cps.prev_day, FIRST_REVIEW_MONTHS)),
                                else_=_months_after(cps.prev_day, REVIEW_INTERVAL_MONTHS))
    next_due = ibis.cases((cps.first, _months_after(cps.day, FIRST_REVIEW_MONTHS)),
                          else_=_months_after(cps.day, REVIEW_INTERVAL_MONTHS))
    return cps.mutate(late=(cps.day > due_after_prev).fill_null(False),
                      overdue_on=(next_due + ibis.interval(days=1)).cast("date"))


def _cp_review_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    plans = _plans_open_at_end(ctx, windows)
    # DfE: children on a plan at the end of the period who had been on it for at least three months
    plans = plans.filter(_months_after(plans.plan_start, FIRST_REVIEW_MONTHS) <= plans.window_end)
    return _in_timescale_rows(windows, plans, _review_checkpoints(ctx), late_from_window_start=False)


C12_NOTE = ("C12 of the catalogue (C8–C10 by age band) is this indicator's `age_band` breakdown: age on the "
            "counting day, each band's rate using that band's own population.")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="C1", name="strategy_discussions", title="Strategy discussions",
        definition="Strategy discussions (or meetings) with police and health about possible significant harm held in "
                   "the period, per week.",
        measure=Flow("strategy_discussions", "discussion_date"), counting_unit="events", unit="per_week",
        polarity="neutral",
        reference="report §5.4.1",
        history=OWN_WINDOW),
    Indicator(
        id="C2", name="strategy_discussion_to_s47", title="Strategy discussions leading to a section 47 enquiry",
        definition="Of the strategy discussions held in the period, the percentage that decided to start a section 47 "
                   "enquiry (`outcome_s47`).",
        measure=Conversion("strategy_discussions", "discussion_date", "outcome_s47"), counting_unit="events",
        unit="percent", polarity="neutral",
        reference="report §5.4.1",
        history=OWN_WINDOW),
    Indicator(
        id="C3", name="s47_enquiries_started", title="Section 47 enquiries started",
        definition="Section 47 enquiries that started in the period. Rate per 10,000 children aged 0–17, annualised.",
        measure=Flow("s47_enquiries", "start_date"), counting_unit="events", unit="rate", polarity="neutral",
        dfe_measure="217", dfe_short="Section_47", dfe_comparable=True,
        history=OWN_WINDOW),
    Indicator(
        id="C4", name="s47_to_icpc", title="Section 47 enquiries leading to an initial child protection conference",
        definition="Of the section 47 enquiries that started in the period, the percentage that concluded an initial "
                   "child protection conference should be held (`outcome` ICPC) or that led to a conference recorded "
                   "against the enquiry. Enquiries still open count as not (yet) leading to one, so the most recent "
                   "weeks understate the rate until the enquiries finish (the lag the report mentions).",
        measure=Conversion("s47_enquiries", "start_date",
                   lambda t, ctx: (t.outcome == "ICPC").fill_null(False) | t.s47_id.isin(
                       ctx.table("initial_cp_conferences").s47_id)),
        counting_unit="events", unit="percent", polarity="neutral", reference="report §5.4.1",
        history=OWN_WINDOW),
    Indicator(
        id="C5", name="s47_completed_within_standard", title="Section 47 enquiries completed within the local standard",
        definition="Of the section 47 enquiries completed in the period, the percentage completed within the local "
                   "standard: no more than `standard_days` working days (default 15; the report quotes 13) after the "
                   "day the enquiry started.",
        measure=Flow("s47_enquiries", "end_date", prepare=_s47_working_days,
             numerator=lambda t, ctx: t.working_days <= ctx.param("standard_days")),
        counting_unit="events", unit="percent", polarity="high", parameters=(
            Parameter("standard_days", 15, "Working days after the start by which an enquiry should be "
                      "completed."),),
        reference="report §5.4.3 (50% within 13 days)",
        computation="Working days are counted after the start day up to and including the end day, excluding "
                    "weekends and England & Wales bank holidays.",
        history=OWN_WINDOW),
    Indicator(
        id="C6", name="icpcs_held", title="Initial child protection conferences held",
        definition="Initial child protection conferences held in the period, per week, including transfer-in "
                   "conferences (as DfE counts conferences). Breakdown `conference_type` separates transfer-in "
                   "conferences from the others.",
        measure=Flow("initial_cp_conferences", "conference_date",
             attributes={"conference_type": lambda t, ctx: ibis.cases((t.transfer_in, "transfer-in"),
                                                                       else_="initial")}),
        counting_unit="events", unit="per_week", polarity="neutral", reference="report §5.4.1 (10 to 11 a week)",
        history=OWN_WINDOW),
    Indicator(
        id="C6a", name="icpcs_within_15_working_days",
        title="Initial child protection conferences held within 15 working days of the strategy discussion",
        definition="Of the initial child protection conferences held in the period, the percentage held within 15 "
                   "working days of the strategy discussion at which the section 47 enquiry that led to the conference "
                   "was initiated (Working Together). Transfer-in conferences are not counted: they follow no strategy "
                   "discussion or enquiry in this authority.",
        measure=Flow("initial_cp_conferences", "conference_date", prepare=_icpc_timed, where=_icpc_timeable,
             numerator=lambda t, ctx: t.working_days <= 15),
        counting_unit="events", unit="percent", polarity="high", dfe_measure="218", dfe_short="CP_conf_15days",
        dfe_comparable=True,
        reference="report §5.4.3 (30% of 13 ICPCs in May)",
        computation="The clock starts on the strategy discussion reached through the conference's enquiry "
                    "(`initial_cp_conferences.s47_id` → `s47_enquiries.strategy_discussion_id` → "
                    "`strategy_discussions.discussion_date`); when the enquiry records no strategy discussion, "
                    "on the enquiry's start date (in the CIN census the s47 start date is the date of the "
                    "strategy discussion that initiated it). Conferences with neither (transfer-ins, or no "
                    "enquiry recorded) are left out. Working days are counted after the strategy discussion up "
                    "to and including the conference day, excluding weekends and England & Wales bank holidays.",
        history=History(1, "the strategy discussion behind each conference, which for a conference early in "
                           "the window falls in the weeks before it")),
    Indicator(
        id="C6b", name="icpc_timeliness_bands",
        title="Initial child protection conferences by working days from the strategy discussion",
        definition="The initial child protection conferences held in the period (transfer-ins excluded, as in C6a) by "
                   "working days from the strategy discussion to the conference, in DfE's bands 0–10, 11–15, 16–20 and "
                   "21+ working days (breakdown `working_days_band`; the share column gives each band's percentage).",
        measure=Flow("initial_cp_conferences", "conference_date", prepare=_icpc_timed, where=_icpc_timeable,
             attributes={"working_days_band": _icpc_band}),
        counting_unit="events", unit="count", polarity="neutral", dfe_measure="268",
        dfe_note="DfE publishes one count per band (LAIT 10_ICPC, 15_ICPC, 20_ICPC, 21_ICPC); compare each "
                 "`working_days_band` group with its own measure.",
        computation="Working days as in C6a. A conference recorded before its strategy discussion (a data "
                    "error) falls in the 0–10 band.",
        history=History(1, "the strategy discussion behind each conference, which for a conference early in "
                           "the window falls in the weeks before it")),
    Indicator(
        id="C6c", name="icpcs", title="Initial child protection conferences",
        definition="Initial child protection conferences held in the period, including transfer-in conferences; a "
                   "child with two conferences counts twice. Rate per 10,000 children aged 0–17, annualised.",
        measure=Flow("initial_cp_conferences", "conference_date"), counting_unit="events", unit="rate",
        polarity="neutral", dfe_measure="269", dfe_short="ISCP_Conf", dfe_comparable=True,
        reference="report §5.5.3",
        history=OWN_WINDOW),
    Indicator(
        id="C7", name="icpc_to_cp_plan", title="ICPCs resulting in a child protection plan",
        definition="Of the initial child protection conferences held in the period, the percentage that made the child "
                   "subject to a child protection plan.",
        measure=Conversion("initial_cp_conferences", "conference_date", "outcome_cp_plan"), counting_unit="events",
        unit="percent",
        polarity="neutral", reference="report §5.4.1 (97%)",
        history=OWN_WINDOW),
    Indicator(
        id="C8", name="children_on_cp_plans", title="Children on child protection plans",
        definition="Children subject to a child protection plan at the end of the period: the plan started on or "
                   "before that day and had not ended by it. Rate per 10,000 children aged 0–17.",
        measure=Stock("cp_plans"), counting_unit="children", unit="rate", polarity="neutral", dfe_measure="215",
        dfe_short="CPP_rate", dfe_comparable=True, reference="report §5.5.1",
        computation=C12_NOTE,
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="C9", name="cp_plans_starting", title="Child protection plans starting",
        definition="Child protection plans that started in the period. Rate per 10,000 children aged 0–17, annualised. "
                   "Breakdown `initial_category`: the plan's initial category of abuse.",
        measure=Flow("cp_plans", "start_date", attributes={"initial_category": "initial_category"}),
        counting_unit="events", unit="rate",
        polarity="low", dfe_measure="219", dfe_short="CPP_Abuse_Rate", dfe_comparable=True, reference="report §5.5.8",
        computation=C12_NOTE,
        history=OWN_WINDOW),
    Indicator(
        id="C10", name="cp_plans_ending", title="Child protection plans ending",
        definition="Child protection plans that ended in the period. Rate per 10,000 children aged 0–17, annualised. "
                   "Breakdown `destination`, from the plan's end reason: stepped down to CIN, closed, became looked "
                   "after, or other (transferred out, reached 18); unknown when no end reason is recorded.",
        measure=Flow("cp_plans", "end_date", attributes={"destination": _destination}), counting_unit="events",
        unit="rate", polarity="neutral", dfe_measure="16", dfe_short="DeRegCPR", dfe_comparable=True,
        reference="report §5.5.8, §5.5.11", computation=C12_NOTE,
        history=OWN_WINDOW),
    Indicator(
        id="C11", name="cp_plans_by_category", title="Children on child protection plans by category of abuse",
        definition="Children subject to a child protection plan at the end of the period, by the plan's initial "
                   "category of abuse (breakdown `initial_category`) and latest category (breakdown "
                   "`latest_category`): NEG neglect, PHY physical, SAB sexual, EMO emotional abuse, MUL multiple. The "
                   "count is the number of children; the share column gives each category's percentage of the children "
                   "on plans.",
        measure=Stock("cp_plans", attributes={"initial_category": "initial_category", "latest_category": "latest_category"}),
        counting_unit="children", unit="count", polarity="neutral", reference="report §5.5.10",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="C13", name="cp_plans_second_or_subsequent",
        title="Child protection plans that were a second or subsequent plan",
        definition="Of the child protection plans that started in the period (each plan counted, so a child may count "
                   "twice), the percentage for a child who had been the subject of a plan before, however long ago.",
        measure=Flow("cp_plans", "start_date", prepare=_earlier_plans,
             numerator=lambda t, ctx: (t.previous_plans.fill_null(0) > 0) | (t.earlier_plans > 0)),
        counting_unit="events", unit="percent", polarity="low", dfe_measure="15", dfe_short="PrevRegCPR",
        dfe_comparable=True,
        reference="report §5.5.15 (20%)",
        computation="A plan is a second or subsequent plan when the return recorded earlier plans "
                    "(`previous_plans` above 0, which counts plans the store may not hold, such as plans in "
                    "another authority) or when the store holds an earlier-starting plan for the child. A "
                    "recorded 0 does not outweigh an earlier plan the store holds.",
        history=History(LIFETIME_MONTHS, "every earlier plan of the child, at any age: 216 months, a child's "
                                         "lifetime. The census's count of previous plans usually makes up "
                                         "for plans the store lacks, but the store cannot check it")),
    Indicator(
        id="C13a", name="cp_plans_within_2_years_of_previous",
        title="Child protection plans starting within 2 years of a "
        "previous plan ending",
        definition="Of the child protection plans that started in the period, the percentage for a child whose "
                   "previous plan had ended no more than `within_months` months (default 24) before this one started. "
                   "Local measure; DfE publishes only the \"ever\" measure (C13).",
        measure=Flow("cp_plans", "start_date", prepare=_recent_earlier_plan, numerator="recent_earlier_plan"),
        counting_unit="events", unit="percent", polarity="low",
        parameters=(Parameter("within_months", 24, "Calendar months between the end of an earlier plan and the "
                              "start of this one."),),
        computation="Only plans the store holds can be dated, so a previous plan known only from the "
                    "`previous_plans` count is not counted here. An earlier plan that ended on the day this one "
                    "started counts. Calendar-month arithmetic (`start − within_months months`).",
        history=History(24, "the end of the child's previous plan, up to 2 years before the new plan starts")),
    Indicator(
        id="C14", name="children_on_cp_plans_2_years_or_more",
        title="Children on child protection plans lasting 2 years or more",
        definition="Of the children subject to a child protection plan at the end of the period, the percentage whose "
                   "plan had lasted two years or more by that day: more than 729 calendar days counting both the "
                   "plan's first day and the day counted on (DfE).",
        measure=Stock("cp_plans", numerator=lambda t, ctx: t.start_date <= _days_before(t.window_end, TWO_YEARS_DAYS),
                      numerator_uses_day=True),
        counting_unit="children", unit="percent", polarity="low", dfe_measure="264", dfe_short="CPPlans2yrsActive",
        dfe_comparable=True,
        dfe_note="DfE's methodology text gives a denominator of plans during the year; its title and our "
                 "definition use plans at 31 March.",
        computation="LAIT 264 is titled \"as at 31 March\"; its methodology text repeats measure 98's "
                    "denominator (\"during the year\"), which we take to be a copying slip: this is the stock "
                    "at the end of the period.",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="C14a", name="cp_plans_ending_after_2_years_or_more",
        title="Child protection plans ending that had lasted 2 years "
        "or more",
        definition="Of the child protection plans that ended in the period (each plan counted, so a child may count "
                   "twice), the percentage that had lasted two years or more: more than 729 calendar days counting "
                   "both the first day and the day the plan ceased (DfE).",
        measure=Flow("cp_plans", "end_date", numerator=lambda t, ctx: t.start_date <= _days_before(t.end_date,
                                                                                          TWO_YEARS_DAYS)),
        counting_unit="events", unit="percent", polarity="low", dfe_measure="98", dfe_short="CPPlans2yrs",
        dfe_comparable=True,
        history=OWN_WINDOW),
    Indicator(
        id="C15", name="children_with_cp_visits_in_timescale",
        title="Children on child protection plans visited in timescale",
        definition="Of the children subject to a child protection plan at the end of the period, the percentage whose "
                   "statutory visits were all in timescale over the plan's time within the period: no gap of more than "
                   "`interval_working_days` working days (default 10) from the plan's start or one visit to the next, "
                   "and the next visit not overdue on the last day of the period. Local measure.",
        measure=Custom(_cp_visit_rows, how="Per period, the plans open on its last day. The plan's start and its "
               "visits (`cp_visits` of the plan, dated within it) are put in date order; a gap from one to the "
               "next is late when it is more than `interval_working_days` working days. A child is in the "
               "numerator when no late gap ends within the period (a gap that began before the period counts "
               "when the visit that closes it falls in the period) and, on the period's last day, no more than "
               "`interval_working_days` working days have passed since the last visit (or the plan's start).",
               sources=("cp_plans", "cp_visits")),
        counting_unit="children", unit="percent", polarity="high",
        parameters=(Parameter("interval_working_days", 10, "Most working days allowed from the plan's start to "
                              "the first visit and between visits."),
                    Parameter("child_seen_only", False, "Count only visits at which the child was seen.")),
        reference="report §5.5.14 (89% of visits in timescale)",
        computation="Working days exclude weekends and England & Wales bank holidays and are counted after the "
                    "earlier day up to and including the later one. Over a long period one late visit puts a "
                    "child out of the numerator, so the percentage falls as the period grows; C15a gives the "
                    "share of visits in timescale, the figure the report quotes.",
        history=History(1, "the last visit before the window, from which the first gap in it is measured")),
    Indicator(
        id="C15a", name="cp_visits_in_timescale", title="Child protection visits in timescale",
        definition="Of the statutory visits to children on child protection plans made in the period, the percentage "
                   "made no more than `interval_working_days` working days (default 10) after the previous visit under "
                   "the same plan (or the plan's start, for the first visit). Local measure.",
        measure=Flow(_visits_with_gap, "visit_date",
             numerator=lambda t, ctx: t.gap_working_days <= ctx.param("interval_working_days")),
        counting_unit="events", unit="percent", polarity="high",
        parameters=(Parameter("interval_working_days", 10, "Most working days allowed from the plan's start to "
                              "the first visit and between visits."),
                    Parameter("child_seen_only", False, "Count only visits at which the child was seen.")),
        reference="report §5.5.14 (89%)",
        computation="Rows are the `cp_visits` of the authority's plans dated within the plan, each with the "
                    "working days since the previous visit under the plan (or its start).",
        history=History(1, "the visit before each visit, which for the first visits in the window falls "
                           "before it")),
    Indicator(
        id="C16", name="cp_reviews_in_timescale", title="Child protection plans reviewed in timescale",
        definition="Of the children subject to a child protection plan at the end of the period who had been on the "
                   "plan for at least three months, the percentage whose plan had been reviewed within the required "
                   "timescales throughout: the first review within 3 months of the plan's start, then each review "
                   "within 6 months of the one before, and no review overdue on the last day of the period (DfE).",
        measure=Custom(_cp_review_rows, how="Per period, the plans open on its last day that started at least 3 "
               "calendar months before it (the denominator). The plan's start and its reviews (`cp_reviews` of "
               "the plan, dated within it) are put in date order; a review is late when held more than 3 months "
               "after the start (the first) or 6 months after the review before. A child is in the numerator "
               "when no review up to the period's last day was late and the next review was not overdue on "
               "that day.", sources=("cp_plans", "cp_reviews"), on_last_day=True),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="19", dfe_short="RevCP",
        dfe_comparable=True,
        reference="report §5.5.14",
        computation="Months are calendar months (a plan starting on 30 November is due its first review by 28 "
                    "February). The whole plan up to the period's end is judged, not only the period.",
        history=History(24, "every review since the plan started: the plans open at the window's start began "
                            "up to 2 years or more before it")),
)
