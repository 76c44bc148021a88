"""B. Front door and assessment: contacts, referrals, assessments (report §5.3).

Timescales are in working days (Monday to Friday less England and Wales bank holidays) counted
*after* the start day, as the statutory guidance counts them: an assessment authorised on the 45th
working day after the referral is in time, on the 46th it is late.

**Two clocks for the 45 working days (decision 011).** Working Together to Safeguard Children 2023
(chapter 3, assessments under the Children Act 1989) sets the maximum timeframe for an assessment to
conclude at 45 working days *from the point of referral*. The DfE's published measure, "continuous
assessments completed within 45 working days" (LAIT 304, from the Children in need statistics' table
of completed assessments by duration), counts from the *start of the assessment* (CIN census
AssessmentActualStartDate) to its completion (AssessmentAuthorisationDate): its shortest band is
"started and finished the same day", and the census's own check 8670Q counts the 45 working days
from the assessment's start. B8 is the DfE's measure, comparable with the published figures; B8a
keeps the Working Together clock from the referral, the local measure. B7a (open assessments beyond
45 working days) stays on the referral clock, as Working Together asks.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import polars as pl

from carelens.indicators.indicator import (
    OPEN_ON_THE_DAY,
    OWN_WINDOW,
    SHARE_WINDOWS,
    History,
    Indicator,
    Parameter,
)
from carelens.indicators.measures import Context, Custom, Flow, Stock
from carelens.indicators.working_days import calendar

TIMESCALE = Parameter("timescale_working_days", 45, "Working days after the referral within which an assessment "
                                                     "should be authorised (Working Together: 45).")
ASSESSMENT_TIMESCALE = Parameter("timescale_working_days", 45, "Working days after the assessment started within "
                                                               "which it should be authorised (DfE's published "
                                                               "measure: 45).")
# Shares the overview also reads over the last four weeks ("down to a third for the past four weeks").
FOUR_WEEK_SHARE_WINDOWS = ("4_weeks", *SHARE_WINDOWS)
ASSESSED_NOT_IN_NEED = ("RC8", "RC9")  # case closed after assessment: no further action / referred to early help


# ------------------------------------------------------------------------------------------ helpers
def with_previous(t: ir.Table, date: str, row_id: str, name: str) -> ir.Table:
    """``t`` with ``name``: the date of the same child's previous row (ordered by date, then id; null if none).

    Rows on the same day are taken in id order, so of two on one day the second has a previous row that day.
    """
    w = ibis.window(group_by=t.child_id, order_by=[t[date], t[row_id]])
    return t.mutate(**{name: t[date].lag().over(w)})


def with_referral_date(t: ir.Table, ctx: Context) -> ir.Table:
    """Assessments with their referral's ``referral_date`` and ``closure_date`` (``ref_closure_date``)."""
    r = ctx.table("referrals")
    r = r.select(_r_id=r.referral_id, referral_date=r.referral_date, ref_closure_date=r.closure_date)
    return t.left_join(r, t.referral_id == r._r_id).drop("_r_id")


def with_working_day_deadline(t: ir.Table, start: str, n: int, name: str) -> ir.Table:
    """``t`` with ``name``: the ``n``-th working day after ``t[start]`` (null if ``start`` is).

    Something open on day D has been open for more than ``n - 1`` working days after ``start`` exactly when
    D is on or after this day, so a stock can compare its counting day with a column instead of joining the
    calendar once per day.
    """
    cal = calendar()
    numbers = ibis.memtable(cal.select(_dl_day="day", _dl_number="working_day_number").to_arrow())
    working = ibis.memtable(cal.filter(pl.col("working_day")).select(
        _dl_deadline="day", _dl_k="working_day_number").to_arrow())
    joined = t.left_join(numbers, t[start] == numbers._dl_day)
    joined = joined.left_join(working, (joined._dl_number + int(n)) == working._dl_k)
    return joined.mutate(**{name: joined._dl_deadline}).drop("_dl_day", "_dl_number", "_dl_deadline", "_dl_k")


def _earlier(a: ir.DateValue, b: ir.DateValue) -> ir.DateValue:
    """The earlier of two dates, ignoring a null one (the same on every backend)."""
    return ibis.cases((a.isnull(), b), (b.isnull(), a), (a <= b, a), else_=b)


# ----------------------------------------------------------------------------------- prepared tables
def _repeat_contacts(t: ir.Table, ctx: Context) -> ir.Table:
    return with_previous(t, "contact_date", "contact_id", "previous_contact_date")


def _is_repeat_contact(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    since = t.contact_date - ibis.interval(months=int(ctx.param("repeat_within_months")))
    return t.previous_contact_date.notnull() & (t.previous_contact_date >= since)


def _re_referrals(t: ir.Table, ctx: Context) -> ir.Table:
    return with_previous(t, "referral_date", "referral_id", "previous_referral_date")


def _is_re_referral(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    since = t.referral_date - ibis.interval(months=int(ctx.param("within_months")))
    return t.previous_referral_date.notnull() & (t.previous_referral_date >= since)


def _open_assessments(t: ir.Table, ctx: Context) -> ir.Table:
    t = with_referral_date(t, ctx)
    return t.mutate(open_end=_earlier(t.authorised_date, t.ref_closure_date))


def _open_assessments_with_deadline(t: ir.Table, ctx: Context) -> ir.Table:
    t = _open_assessments(t, ctx)
    return with_working_day_deadline(t, "referral_date", int(ctx.param("timescale_working_days")) + 1, "late_from")


def _completed_assessments(t: ir.Table, ctx: Context) -> ir.Table:
    """Working days from the assessment's start to its authorisation (the DfE's clock)."""
    return ctx.with_working_days(t, "start_date", "authorised_date", "working_days")


def _completed_assessments_from_referral(t: ir.Table, ctx: Context) -> ir.Table:
    """Working days from the referral to the assessment's authorisation (Working Together's clock)."""
    return ctx.with_working_days(with_referral_date(t, ctx), "referral_date", "authorised_date", "working_days")


def assessment_moves(ctx: Context) -> ir.Table:
    """Every assessment start and every authorisation, each an event on its own day (``day``), with
    ``completion`` true for the authorisations. As events, they are counted once per day and the days
    added into each window (a flow), not joined to every window."""
    a = ctx.table("assessments")

    def moves(t: ir.Table, day: str, completion: bool) -> ir.Table:
        return t.select(child_id=t.child_id, day=t[day].cast("date"), completion=ibis.literal(completion),
                        team_id=t.team_id, worker_id=t.worker_id)

    started = moves(a, "start_date", False)
    completed = moves(a.filter(a.authorised_date.notnull()), "authorised_date", True)
    return ibis.union(started, completed, distinct=False)


def _assessed_not_in_need(ctx: Context, windows: ir.Table) -> ir.Table:
    """Referrals in the window; in the numerator when closed after assessment with no further action or to
    early help (RC8/RC9) by the window's last day, as a return made then would show it."""
    r = ctx.table("referrals")
    j = r.join(windows, r.referral_date.between(windows.window_start, windows.window_end))
    hit = (~j.referral_nfa) & j.closure_reason.isin(ASSESSED_NOT_IN_NEED) & (j.closure_date <= j.window_end)
    return j.select(period_id=j.period_id, child_id=j.child_id, counting_day=j.referral_date,
                    numerator=hit.fill_null(False), amount=ibis.null("float64"), team_id=j.team_id,
                    worker_id=j.worker_id)


CONTACT_ATTRIBUTES = {"contact_source": "source"}
OPEN_END = ("`open_end` is the earlier of the assessment's `authorised_date` and its referral's `closure_date`: "
            "an assessment whose referral closed without it being authorised is not open after the closure.")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="B1", name="contacts_per_week", title="Contacts per week",
        definition="Contacts received at the front door (requests for help or concerns about a child), counting every "
                   "contact, per week: the count × 7 / days in the period, so the 4-week window is the 4-week average.",
        measure=Flow("contacts", "contact_date", attributes={**CONTACT_ATTRIBUTES, "contact_outcome": "outcome"}),
        counting_unit="events", unit="per_week", polarity="neutral", reference="report §5.3.1 (170–180 a week)",
        history=OWN_WINDOW),
    Indicator(
        id="B2", name="repeat_contacts", title="Repeat contacts within 3 months",
        definition="Of the contacts received in the period, the percentage about a child who had another contact in "
                   "the 3 calendar months before it: an earlier contact dated on or after the same day 3 months before "
                   "(for a contact on 31 May, from 28 or 29 February). A second contact on the same day counts as a "
                   "repeat; the contact itself does not.",
        measure=Flow("contacts", "contact_date", prepare=_repeat_contacts, numerator=_is_repeat_contact,
             amount=None, attributes=CONTACT_ATTRIBUTES),
        counting_unit="events", unit="percent", polarity="low", windows=FOUR_WEEK_SHARE_WINDOWS,
        parameters=(Parameter("repeat_within_months", 3, "Calendar months before a contact in which an earlier "
                                                         "contact makes it a repeat."),),
        reference="report §5.3.1 (12%)",
        computation="Earlier contacts are looked for in all of the authority's contacts, not only those in the "
                    "period. Months are calendar months (a date minus 3 months; a day the month lacks becomes "
                    "its last day).",
        history=History(3, "each contact's previous contact, up to `repeat_within_months` (3) months before "
                           "it")),
    Indicator(
        id="B3", name="contacts_to_referral", title="Contacts converting to referrals",
        definition="Of the contacts received in the period, the percentage whose outcome was a referral to children's "
                   "social care.",
        measure=Flow("contacts", "contact_date", numerator=lambda t, ctx: t.outcome == "REFERRAL",
             attributes=CONTACT_ATTRIBUTES),
        counting_unit="events", unit="percent", polarity="neutral", windows=FOUR_WEEK_SHARE_WINDOWS,
        reference="report §5.3.3 (a third; region about 30%)",
        history=OWN_WINDOW),
    Indicator(
        id="B4", name="referrals", title="Referrals received",
        definition="Referrals to children's social care received in the period, counting every referral (a child "
                   "referred twice counts twice). The rate is per 10,000 children aged 0–17, annualised for periods "
                   "shorter or longer than a year.",
        measure=Flow("referrals", "referral_date"), counting_unit="events", unit="rate", polarity="neutral",
        dfe_measure="305",
        dfe_short="CPP_Total_Rateper10,000", dfe_comparable=True, reference="report §5.3.2",
        history=OWN_WINDOW),
    Indicator(
        id="B4a", name="referrals_per_week", title="Referrals per week",
        definition="Referrals to children's social care received in the period, counting every referral, per week: the "
                   "count × 7 / days in the period, so the 4-week window is the weekly average over the last 4 weeks.",
        measure=Flow("referrals", "referral_date", attributes={"referral_source": "source"}), counting_unit="events",
        unit="per_week",
        polarity="neutral", reference="report §5.3.3 (62 a week over the past four weeks)",
        history=OWN_WINDOW),
    Indicator(
        id="B5", name="re_referrals_within_12_months", title="Re-referrals within 12 months",
        definition="Of the referrals received in the period, the percentage made within 12 months of a previous "
                   "referral of the same child (DfE: re-referrals within 12 months of the previous referral): the "
                   "child's latest earlier referral is dated on or after the same day 12 months before. Every referral "
                   "counts, as in the DfE figure.",
        measure=Flow("referrals", "referral_date", prepare=_re_referrals, numerator=_is_re_referral),
        counting_unit="events", unit="percent", polarity="low", dfe_measure="271", dfe_short="ReReferral",
        dfe_comparable=True,
        parameters=(Parameter("within_months", 12, "Calendar months after a referral within which a new "
                                                   "referral is a re-referral (DfE: 12)."),),
        reference="report §5.3.4 (17% for referrals received in the past three months)",
        computation="Earlier referrals are looked for in all of the authority's referrals, not only those in "
                    "the period; two referrals on the same day are taken in referral id order.",
        history=History(12, "each referral's previous referral of the same child, up to 12 months before it "
                            "(`within_months`)")),
    Indicator(
        id="B6", name="referrals_nfa", title="Referrals closed with no further action",
        definition="Of the referrals received in the period, the percentage closed with no further action without an "
                   "assessment (CIN census ReferralNFA; DfE: referrals to children's social care closed with no "
                   "further action, LAIT CIN_Refferals_NFA).",
        measure=Flow("referrals", "referral_date", numerator="referral_nfa"), counting_unit="events", unit="percent",
        polarity="neutral", dfe_measure="290",
        dfe_short="CIN_Refferals_NFA", dfe_comparable=True, reference="the catalogue ([indicators](README.md)), B6",
        history=OWN_WINDOW),
    Indicator(
        id="B7", name="open_assessments", title="Open assessments",
        definition="Assessments open on the last day of the period: started on or before that day and neither "
                   "authorised nor ended with the closure of their referral by it. An assessment authorised on the day "
                   "is no longer open.",
        measure=Stock("assessments", start="start_date", end="open_end", prepare=_open_assessments),
        counting_unit="episodes", unit="count",
        polarity="neutral", reference="report §5.3.4 (367; 500 before Easter)", computation=OPEN_END,
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="B7a", name="open_assessments_beyond_45_working_days", title="Open assessments beyond 45 working days",
        definition="Of the assessments open on the last day of the period (as B7), the percentage — and, as the "
                   "numerator, the number — open for more than 45 working days after the referral date on that day: "
                   "the 46th working day after the referral has been reached.",
        measure=Stock("assessments", start="start_date", end="open_end", prepare=_open_assessments_with_deadline,
              numerator=lambda t, ctx: t.late_from.notnull() & (t.window_end >= t.late_from),
              numerator_uses_day=True),
        counting_unit="episodes", unit="percent", polarity="low", parameters=(TIMESCALE,),
        reference="report §5.3.4 (incomplete assessments out of timescale)",
        computation=OPEN_END + " Working days exclude weekends and England and Wales bank holidays; the day of "
                               "the referral is not counted.",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="B8", name="assessments_within_45_working_days", title="Assessments completed within 45 working days",
        definition="Of the assessments completed (authorised) in the period, the percentage authorised within 45 "
                   "working days of the assessment's start, as DfE publishes it (continuous assessments completed "
                   "within 45 working days, LAIT 304): the working days after the assessment's start date up to and "
                   "including its authorisation date are 45 or fewer. Working Together counts the 45 days from the "
                   "referral instead: that is B8a.",
        measure=Flow("assessments", "authorised_date", prepare=_completed_assessments,
             numerator=lambda t, ctx: t.working_days <= int(ctx.param("timescale_working_days")),
             amount="working_days"),
        counting_unit="events", unit="percent", polarity="high", dfe_measure="304", dfe_short="Continue_Assess_Comp",
        dfe_comparable=True,
        windows=FOUR_WEEK_SHARE_WINDOWS, parameters=(ASSESSMENT_TIMESCALE,),
        reference="report §5.3.4 (about three quarters)",
        computation="The clock is the DfE's: from the CIN census AssessmentActualStartDate (`start_date`) to "
                    "AssessmentAuthorisationDate (`authorised_date`), as in the Children in need statistics' "
                    "completed assessments by duration (whose shortest band is \"started and finished the same "
                    "day\") and the census check 8670Q. Working days exclude weekends and England and Wales bank "
                    "holidays; the day the assessment started is not counted. Each counted row's amount is its "
                    "working days, for the drill-down. Decision 011.",
        history=OWN_WINDOW),
    Indicator(
        id="B8a", name="assessments_within_45_working_days_of_referral",
        title="Assessments completed within 45 working days of the referral",
        definition="Of the assessments completed (authorised) in the period, the percentage authorised within 45 "
                   "working days of the referral, the maximum timeframe Working Together to Safeguard Children 2023 "
                   "sets (\"no longer than 45 working days from the point of referral\"): the working days after the "
                   "referral date up to and including the authorisation date are 45 or fewer. A local measure: DfE "
                   "publishes B8's clock, from the assessment's start.",
        measure=Flow("assessments", "authorised_date", prepare=_completed_assessments_from_referral,
             numerator=lambda t, ctx: t.working_days <= int(ctx.param("timescale_working_days")),
             amount="working_days"),
        counting_unit="events", unit="percent", polarity="high", windows=FOUR_WEEK_SHARE_WINDOWS,
        parameters=(TIMESCALE,),
        reference="report §5.3.4 (about three quarters)",
        computation="The referral date is the `referral_date` of the assessment's referral. Working days exclude "
                    "weekends and England and Wales bank holidays; the day of the referral is not counted. Each "
                    "counted row's amount is its working days, for the drill-down. An assessment that starts some "
                    "days after its referral has fewer of the 45 days left than B8 gives it: as no assessment "
                    "starts before its referral, B8a is never above B8. Decision 011.",
        history=OWN_WINDOW),
    Indicator(
        id="B9", name="assessments_completed_per_week", title="Assessments completed per week",
        definition="Assessments completed (authorised) in the period, per week: the count × 7 / days in the period. "
                   "With B9a it shows whether the assessment teams keep up with the referrals coming to them.",
        measure=Flow("assessments", "authorised_date"), counting_unit="events", unit="per_week", polarity="neutral",
        reference="report §5.3.4",
        history=OWN_WINDOW),
    Indicator(
        id="B9a", name="referrals_progressing_to_assessment_per_week",
        title="Referrals progressing to assessment per week",
        definition="Referrals progressing to assessment in the period, per week: assessments that started in the "
                   "period (a referral progresses to assessment on the day its assessment starts), count × 7 / days in "
                   "the period.",
        measure=Flow("assessments", "start_date"), counting_unit="events", unit="per_week", polarity="neutral",
        reference="report §5.3.4",
        history=OWN_WINDOW),
    Indicator(
        id="B9b", name="assessment_flow_balance", title="Assessment flow balance",
        definition="Assessments completed as a percentage of all assessment movements in the period (assessments "
                   "started plus assessments completed). 50% is equilibrium — as many completed as started; above 50% "
                   "the number of open assessments falls, below 50% it grows. Completed ÷ started = value ÷ (100 − "
                   "value).",
        measure=Flow(assessment_moves, "day", numerator="completion"), counting_unit="events", unit="percent",
        polarity="neutral",
        windows=FOUR_WEEK_SHARE_WINDOWS, reference="report §5.3.4 (equilibrium)",
        computation="The events are every assessment start (`assessments.start_date`) and every authorisation "
                    "(`authorised_date`), each on its own day; the authorisations are the numerator.",
        history=OWN_WINDOW),
    Indicator(
        id="B10", name="assessments_ending_nfa", title="Assessments ending with no further involvement",
        definition="Of the assessments completed (authorised) in the period, the percentage that ended with no further "
                   "children's social care involvement (CIN census: assessed, not in need).",
        measure=Flow("assessments", "authorised_date", numerator="outcome_nfa"), counting_unit="events", unit="percent",
        polarity="neutral",
        windows=FOUR_WEEK_SHARE_WINDOWS, reference="report §5.3.4 (48% over the past four weeks)",
        history=OWN_WINDOW),
    Indicator(
        id="B10a", name="referrals_assessed_not_in_need", title="Referrals assessed as not in need",
        definition="Of the referrals received in the period, the percentage that had an assessment and were closed "
                   "after it with no further action or a referral to early help (closure reason RC8 or RC9) by the end "
                   "of the period, not having been closed with no further action before assessment (DfE: referrals "
                   "where the child is assessed but not found to be in need, LAIT Referrals_AssessedNotNeed).",
        measure=Custom(_assessed_not_in_need, "Rows of `referrals` whose `referral_date` falls in the period; in the "
               "numerator when `referral_nfa` is false and `closure_reason` is RC8 or RC9 with `closure_date` on "
               "or before the period's last day.", sources=("referrals",)),
        counting_unit="events", unit="percent", polarity="neutral", dfe_measure="290",
        dfe_short="Referrals_AssessedNotNeed", dfe_comparable=True,
        computation="A referral still open at the end of the period is not (yet) in the numerator, as in the "
                    "census; recent periods therefore rise as their assessments finish.",
        history=OWN_WINDOW),
)
