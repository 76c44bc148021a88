"""E. Permanence: adoption and special guardianship (report §5.9).

Choices made where the catalogue (``docs/indicators/README.md``, section E) leaves room, each also on the indicator's page:

- **Leaving care by adoption or special guardianship** follows DfE (LAIT 208 and 390): the reason the
  period of care ceased (903 REC: E11/E12 adopted; E43–E48 special guardianship order). For the
  percentages (E1a, E5a) each child who ceased to be looked after in the period is counted once, on the
  last occasion they ceased in it, as DfE does.
- **A10 and A2 (E3, E4)** follow the adoption scorecard: children adopted in the period (E11/E12),
  timed from the start of the period of care that ended in adoption to the day the child moved in with
  the adoptive family (the placement for adoption; for a child adopted by their foster carers, the day
  they moved in with those carers: the start of the placement just before the adoptive placement), and
  from the placement order to the match (zero when matched before the order; children without a
  placement order, a match, or a placement for adoption before the adoption order are left out). The
  scorecard reports three-year averages; E3a and E4a are the three years ending on the period's last
  day, E3 and E4 the period itself (12 months for a rolling year). The thresholds are parameters: 426
  days (14 months) for A10, 121 days (4 months) for A2, the thresholds in force since the 2014–17
  scorecard.
- **The pipeline (E2)** counts children waiting to be adopted on the day: an agency decision that they
  should be placed for adoption, not reversed, no adoption (or other) order yet and still looked after.
  E2a and E2b are the "of which" figures of report §5.9.1: with a placement order, and placed for
  adoption.
- **Reversed decisions (E6)** are decisions that the child should no longer be placed for adoption
  (903 REASON_PLACED_CEASED RD1–RD4); an adoption order ends the decision without reversing it, so a
  reason of E11/E12 is not counted.
- **Team and worker** for a child leaving care (E1, E1a, E3–E5a) are those allocated on their last day in
  care, since the allocation ends with the period of care.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.breakdowns import own_or_allocated
from carelens.indicators.catalogue.care_episodes import ADOPTED, SPECIAL_GUARDIANSHIP
from carelens.indicators.dates import days_between, lookback_start
from carelens.indicators.indicator import (
    CASE_BREAKDOWNS,
    OPEN_ON_THE_DAY,
    OWN_WINDOW,
    PERSON_BREAKDOWNS,
    History,
    Indicator,
    Parameter,
)
from carelens.indicators.measures import Context, Custom, Flow, Stock, shared

ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
WITH_FOSTER_CARERS = ("A3", "A5")  # placed for adoption with the current foster carers
NOT_A_REVERSAL = ADOPTED  # an adoption ends the decision; it does not reverse it
FAR = ibis.date(2999, 12, 31)  # "not yet" for an end that has not happened

COUNT_WINDOWS = ("month", "rolling_3", "rolling_6", "rolling_12", "financial_year", "year_to_date")
AS_AT_WINDOWS = ("month", "financial_year", "as_at")
BREAKDOWNS = PERSON_BREAKDOWNS + CASE_BREAKDOWNS


# -------------------------------------------------------------------------------- leaving care
def _ceased_last_occasion(codes: tuple[str, ...]):
    """Custom rows: each child who ceased to be looked after in the window, on the last occasion they
    ceased in it, in the numerator when that period of care ended with one of ``codes``."""

    def rows(ctx: Context, windows: ir.Table) -> ir.Table:
        p = ctx.table("periods_of_care")
        p = p.filter(p.end_date.notnull()).select(child_id=p.child_id, ceased=p.end_date,
                                                  reason_ceased=p.reason_ceased)
        j = p.join(windows, p.ceased.between(windows.window_start, windows.window_end))
        last = j.group_by(_l_period=j.period_id, _l_child=j.child_id).aggregate(_l_day=j.ceased.max())
        j = j.join(last, (j.period_id == last._l_period) & (j.child_id == last._l_child)
                   & (j.ceased == last._l_day))
        # periods of care never overlap, so one period ends on the last day; min() keeps every backend alike
        j = j.group_by("period_id", "child_id", "ceased").aggregate(reason_ceased=j.reason_ceased.min())
        j = own_or_allocated(j, ctx, "ceased", days_before=1)
        return j.select("period_id", "child_id", "team_id", "worker_id", counting_day=j.ceased.cast("date"),
                        numerator=j.reason_ceased.isin(codes).fill_null(False),
                        amount=ibis.null("float64"), reason_ceased=j.reason_ceased)

    return rows


def _ceased_with(codes: tuple[str, ...]):
    return lambda t, ctx: t.reason_ceased.isin(codes) & t.end_date.notnull()


def _last_day_in_care(column: str):
    """``prepare``: the team and worker allocated on the last day before ``column`` (the day care ended)."""
    return lambda t, ctx: own_or_allocated(t, ctx, column, days_before=1)


# ---------------------------------------------------------------------------------------- adoptions
@shared()
def adoptions(ctx: Context) -> ir.Table:
    """Children adopted from care: one row per period of care that ended in adoption (E11/E12).

    Columns: ``entered_care`` (the period's start), ``adopted`` (the day it ended), ``placement_order``,
    ``matched``, ``placed`` (placed for adoption: the permanence record's date, else the start of the first
    adoptive placement A3–A6), ``foster_carer`` (adopted by their foster carers: 903 FOSTER_CARE, else an
    adoptive placement with the current foster carers A3/A5), ``moved_in`` (the day the child moved in with
    the adoptive family: ``placed``, or for a foster-carer adoption the start of the placement just before
    the adoptive one), ``a10_days`` (``entered_care`` to ``moved_in``) and ``a2_days`` (placement order to
    match, zero when matched first; empty without a placement order, a match, or a placement for adoption
    on or before the adoption).
    """
    p = ctx.table("periods_of_care")
    p = p.filter(p.reason_ceased.isin(ADOPTED) & p.end_date.notnull())
    p = p.select(care_period=p.period_id, child_id=p.child_id, entered_care=p.start_date, adopted=p.end_date)
    perm = ctx.table("permanence")
    flag = perm.adopted_by_foster_carer
    perm = perm.group_by(_pm_period=perm.period_id).aggregate(
        placement_order=perm.placement_order_date.min(), matched=perm.matched_date.min(),
        _pm_placed=perm.placed_for_adoption_date.min(),
        _fc_yes=ibis.cases((flag, 1), else_=0).max(), _fc_known=flag.count())
    pl = ctx.table("placements")
    ap = pl.filter(pl.placement_type.isin(ADOPTION_PLACEMENTS))
    ap = ap.group_by(_ap_period=ap.period_id).aggregate(
        _ap_start=ap.start_date.min(), _ap_fc=ibis.cases((ap.placement_type.isin(WITH_FOSTER_CARERS), 1),
                                                         else_=0).max())
    j = p.left_join(perm, p.care_period == perm._pm_period).left_join(ap, p.care_period == ap._ap_period)
    j = j.mutate(placed=ibis.coalesce(j._pm_placed, j._ap_start),
                 foster_carer=ibis.ifelse(j._fc_known > 0, j._fc_yes == 1, j._ap_fc.fill_null(0) == 1))
    # the placement the child was in just before the adoptive placement (with the foster carers who adopt)
    before = pl.select(_b_period=pl.period_id, _b_start=pl.start_date)
    b = j.select("care_period", "placed").join(before, (j.care_period == before._b_period)
                                               & (before._b_start < j.placed))
    b = b.group_by(_b_care=b.care_period).aggregate(_b_moved_in=b._b_start.max())
    j = j.left_join(b, j.care_period == b._b_care)
    j = j.mutate(moved_in=ibis.ifelse(j.foster_carer & j._b_moved_in.notnull(), j._b_moved_in, j.placed))
    a2 = days_between(j.placement_order, j.matched)
    a2_known = j.placement_order.notnull() & j.matched.notnull() & j.placed.notnull() & (j.placed <= j.adopted)
    j = j.mutate(a10_days=days_between(j.entered_care, j.moved_in),
                 a2_days=ibis.ifelse(a2_known, ibis.greatest(a2, 0), ibis.null("int32")))
    return j.select("care_period", "child_id", "entered_care", "adopted", "placement_order", "matched", "placed",
                    "foster_carer", "moved_in", "a10_days", "a2_days")


def _has(column: str):
    return lambda t, ctx: t[column].notnull()


def _within(column: str, parameter: str):
    return lambda t, ctx: t[column] <= int(ctx.param(parameter))


def _over_years(column: str):
    """Custom rows: children adopted in the ``years`` years ending on the window's last day, with the
    amount ``column``."""

    def rows(ctx: Context, windows: ir.Table) -> ir.Table:
        a = adoptions(ctx)
        a = a.filter(a[column].notnull())
        w = windows.mutate(_lookback=lookback_start(windows.window_end, int(ctx.param("years"))))
        j = a.join(w, a.adopted.between(w._lookback, w.window_end))
        return j.select("period_id", "child_id", counting_day=j.adopted.cast("date"), numerator=ibis.literal(True),
                        amount=j[column].cast("float64"))

    return rows


# ------------------------------------------------------------------------------------------ pipeline
@shared()
def pipeline(ctx: Context) -> ir.Table:
    """Adoption decisions with ``waiting_until``: the first of the decision being reversed, an adoption or
    other order, and the period of care ending (far in the future while none has happened)."""
    pm = ctx.table("permanence")
    p = ctx.table("periods_of_care")
    p = p.select(_pc_period=p.period_id, _pc_end=p.end_date)
    j = pm.left_join(p, pm.period_id == p._pc_period)
    until = ibis.least(j.decision_reversed_date.fill_null(FAR), j.order_date.fill_null(FAR),
                       j._pc_end.fill_null(FAR))
    return j.filter(j.adoption_decision_date.notnull()).mutate(waiting_until=until).drop("_pc_period", "_pc_end")


def _stage(t: ir.Table, ctx: Context) -> ir.StringValue:
    day = t.window_end
    return ibis.cases((t.placed_for_adoption_date <= day, "placed for adoption"),
                      (t.placement_order_date <= day, "placement order, not yet placed"),
                      else_="decision, no placement order yet")


def _reversal_reason(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return t.decision_reversed_reason.isnull() | ~t.decision_reversed_reason.isin(NOT_A_REVERSAL)


A10_THRESHOLD = Parameter("threshold_days", 426, "The national threshold for A10 in days (14 months; "
                                                 "adoption scorecards from 2014–17).")
A2_THRESHOLD = Parameter("threshold_days", 121, "The national threshold for A2 in days (4 months; adoption "
                                                "scorecards from 2014–17).")
YEARS = Parameter("years", 3, "Length of the scorecard's window in years, ending on the period's last day.")

A10_HOW = ("Days from the start of the period of care that ended in adoption to the day the child moved in "
           "with the adoptive family: the date placed for adoption (`permanence.placed_for_adoption_date`, "
           "else the start of the first adoptive placement A3–A6); for a child adopted by their foster carers "
           "(903 FOSTER_CARE, else an A3/A5 placement) the start of the placement just before the adoptive "
           "one, when the child moved in with those carers.")
LAST_DAY_TEAM = " Team and worker: those allocated on the child's last day in care (the allocation ends with care)."
A2_HOW = ("Days from the placement order to the match (`permanence.placement_order_date` to `matched_date`), "
          "zero when the match came first. Children without a placement order or a match, or not placed for "
          "adoption on or before the adoption, are left out, as in the scorecard.")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="E1", name="children_adopted", title="Children adopted from care",
        definition="Children who ceased to be looked after in the period because they were adopted (903 reason episode "
                   "ceased E11 or E12).",
        measure=Flow("periods_of_care", "end_date", where=_ceased_with(ADOPTED), distinct_children=True,
             prepare=_last_day_in_care("end_date")),
        counting_unit="children", unit="count", polarity="neutral", dfe_measure="208", dfe_short="No_of LAC Adopted",
        dfe_comparable=True,
        windows=COUNT_WINDOWS, reference="report §5.9.1",
        computation=LAST_DAY_TEAM.strip(),
        history=OWN_WINDOW),
    Indicator(
        id="E1a", name="ceased_care_adopted", title="Children ceasing care who were adopted",
        definition="Of the children who ceased to be looked after in the period, the percentage who were adopted (E11 "
                   "or E12), judged on the last occasion each child ceased to be looked after in the period (DfE).",
        measure=Custom(_ceased_last_occasion(ADOPTED), "Each child who ceased to be looked after in the period (a "
               "`periods_of_care` row whose `end_date` falls in it), once, on the last day they ceased; in the "
               "numerator when that period of care ended with E11 or E12.", ("periods_of_care",)),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="208", dfe_short="%_of LAC Adopted",
        dfe_comparable=True,
        breakdowns=BREAKDOWNS + ("reason_ceased",),
        reference="report §5.9.1 (14% in the last 6 months)", computation=LAST_DAY_TEAM.strip(),
        history=OWN_WINDOW),
    Indicator(
        id="E2", name="children_waiting_for_adoption", title="Children waiting to be adopted",
        definition="Children with an agency decision that they should be placed for adoption who, at the end of the "
                   "period, had not been adopted: the decision was not reversed, no adoption (or other) order had been "
                   "made and they were still looked after. Broken down by stage: placed for adoption, placement order "
                   "but not yet placed, decision only.",
        measure=Stock(pipeline, "adoption_decision_date", "waiting_until", attributes={"adoption_stage": _stage}),
        counting_unit="children", unit="count", polarity="neutral", reference="report §5.9.1 (56 waiting)",
        computation="A decision ends on the day it is reversed, an order is made, or care ends.",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="E2a", name="waiting_with_placement_order", title="Children waiting to be adopted with a placement order",
        definition="Of the children waiting to be adopted at the end of the period (E2), those with a placement order "
                   "made on or before that day.",
        measure=Stock(pipeline, "placement_order_date", "waiting_until", where=_has("placement_order_date")),
        counting_unit="children", unit="count", polarity="neutral",
        reference="report §5.9.1 (42 with a placement order)",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="E2b", name="placed_for_adoption_not_adopted", title="Children placed for adoption, not yet adopted",
        definition="Of the children waiting to be adopted at the end of the period (E2), those placed for adoption "
                   "(living with their prospective adopters) on or before that day.",
        measure=Stock(pipeline, "placed_for_adoption_date", "waiting_until", where=_has("placed_for_adoption_date")),
        counting_unit="children", unit="count", polarity="neutral",
        reference="report §5.9.1 (28 in adoption placements)",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="E3", name="days_entering_care_to_adoptive_family",
        title="A10: days from entering care to moving in with the "
        "adoptive family",
        definition="Adoption scorecard A10 over the children adopted in the period: the average number of days between "
                   "entering care and moving in with the adoptive family, adjusted for foster carer adoptions (the day "
                   "the child moved in with the foster carers who adopted them).",
        measure=Flow(adoptions, "adopted", where=_has("a10_days"), amount="a10_days",
             prepare=_last_day_in_care("adopted")), counting_unit="children", unit="mean", polarity="low",
        reference="report §5.9.2 (346 days)", computation=A10_HOW + LAST_DAY_TEAM,
        history=History(36, "the start of each adopted child's period of care, typically one to three years "
                            "before the adoption")),
    Indicator(
        id="E3a", name="days_entering_care_to_adoptive_family_3_years", title="A10 over three years",
        definition="Adoption scorecard A10 as DfE publishes it: the average number of days between entering care and "
                   "moving in with the adoptive family (adjusted for foster carer adoptions), for the children adopted "
                   "in the three years ending on the last day of the period.",
        measure=Custom(_over_years("a10_days"), "Children adopted (E11/E12) in the `years` years ending on the last "
               "day of the period, each with the A10 days. " + A10_HOW, ("periods_of_care", "permanence",
                                                                         "placements"), on_last_day=True),
        counting_unit="children", unit="mean", polarity="low", windows=AS_AT_WINDOWS, breakdowns=PERSON_BREAKDOWNS,
        parameters=(YEARS,),
        reference="report §5.9.2",
        history=History(72, "three years of adoptions up to the day counted, and the start of each child's "
                            "care before that")),
    Indicator(
        id="E3b", name="adopted_within_a10_threshold", title="Children adopted who moved in with their adoptive family "
        "within the A10 threshold",
        definition="Of the children adopted in the period, the percentage who moved in with their adoptive family "
                   "within the national A10 threshold (default 426 days, 14 months) of entering care.",
        measure=Flow(adoptions, "adopted", where=_has("a10_days"), numerator=_within("a10_days", "threshold_days"),
             prepare=_last_day_in_care("adopted")),
        counting_unit="children", unit="percent", polarity="high", parameters=(A10_THRESHOLD,),
        reference="report §5.9.2 (over two thirds)",
        computation=A10_HOW + " Within: at most the threshold." + LAST_DAY_TEAM,
        history=History(36, "the start of each adopted child's period of care, typically one to three years "
                            "before the adoption")),
    Indicator(
        id="E4", name="days_placement_order_to_match", title="A2: days from placement order to match",
        definition="Adoption scorecard A2 over the children adopted in the period: the average number of days between "
                   "the court's authority to place the child for adoption (placement order) and the decision on a "
                   "match to an adoptive family.",
        measure=Flow(adoptions, "adopted", where=_has("a2_days"), amount="a2_days",
             prepare=_last_day_in_care("adopted")), counting_unit="children", unit="mean", polarity="low",
        reference="report §5.9.2 (116 days)", computation=A2_HOW + LAST_DAY_TEAM,
        history=OWN_WINDOW),
    Indicator(
        id="E4a", name="days_placement_order_to_match_3_years", title="A2 over three years",
        definition="Adoption scorecard A2 as DfE publishes it: the average number of days between the placement order "
                   "and the match, for the children adopted in the three years ending on the last day of the period.",
        measure=Custom(_over_years("a2_days"), "Children adopted (E11/E12) in the `years` years ending on the last day "
               "of the period, each with the A2 days. " + A2_HOW, ("periods_of_care", "permanence", "placements"),
               on_last_day=True),
        counting_unit="children", unit="mean", polarity="low", windows=AS_AT_WINDOWS, breakdowns=PERSON_BREAKDOWNS,
        parameters=(YEARS,),
        reference="report §5.9.2",
        history=History(36, "three years of adoptions up to the day counted")),
    Indicator(
        id="E4b", name="matched_within_a2_threshold", title="Children adopted who were matched within the A2 threshold",
        definition="Of the children adopted in the period who had a placement order, the percentage matched to an "
                   "adoptive family within the national A2 threshold (default 121 days, 4 months) of the order.",
        measure=Flow(adoptions, "adopted", where=_has("a2_days"), numerator=_within("a2_days", "threshold_days"),
             prepare=_last_day_in_care("adopted")),
        counting_unit="children", unit="percent", polarity="high", parameters=(A2_THRESHOLD,),
        reference="report §5.9.2",
        computation=A2_HOW + " Within: at most the threshold." + LAST_DAY_TEAM,
        history=OWN_WINDOW),
    Indicator(
        id="E5", name="children_leaving_care_on_sgo", title="Children leaving care on a special guardianship order",
        definition="Children who ceased to be looked after in the period because a special guardianship order was made "
                   "(903 reason episode ceased E43–E44 before 2019, E45–E48 from 2019).",
        measure=Flow("periods_of_care", "end_date", where=_ceased_with(SPECIAL_GUARDIANSHIP), distinct_children=True,
             prepare=_last_day_in_care("end_date")),
        counting_unit="children", unit="count", polarity="neutral", dfe_measure="390", dfe_short="LAC_ceased_SGO",
        dfe_comparable=True,
        windows=COUNT_WINDOWS, reference="report §5.9.3",
        computation=LAST_DAY_TEAM.strip(),
        history=OWN_WINDOW),
    Indicator(
        id="E5a", name="ceased_care_on_sgo", title="Children ceasing care on a special guardianship order",
        definition="Of the children who ceased to be looked after in the period, the percentage who left on a special "
                   "guardianship order (E43–E48), judged on the last occasion each child ceased to be looked after in "
                   "the period (DfE's method for LAIT 390; LAIT publishes the percentage without a measure code).",
        measure=Custom(_ceased_last_occasion(SPECIAL_GUARDIANSHIP), "Each child who ceased to be looked after in the "
               "period, once, on the last day they ceased; in the numerator when that period of care ended with "
               "E43–E48.", ("periods_of_care",)),
        counting_unit="children", unit="percent", polarity="neutral", breakdowns=BREAKDOWNS + ("reason_ceased",),
        reference="report §5.9.3 (a quarter in the last 6 months)", computation=LAST_DAY_TEAM.strip(),
        history=OWN_WINDOW),
    Indicator(
        id="E6", name="adoption_decisions_reversed", title="Adoption decisions reversed",
        definition="Decisions that a child should no longer be placed for adoption, made in the period (903 "
                   "REASON_PLACED_CEASED RD1–RD4). An adoption ends the decision but is not a reversal.",
        measure=Flow("permanence", "decision_reversed_date", where=_reversal_reason,
             attributes={"reversal_reason": "decision_reversed_reason"}),
        counting_unit="events", unit="count", polarity="neutral", windows=COUNT_WINDOWS,
        reference="report §5.9.2 (once in the last year)",
        history=OWN_WINDOW),
)
