"""F. Care leavers: in touch, accommodation, education, employment and training (report §5.10).

Choices made where the catalogue (``docs/indicators/README.md``, section F) leaves room, each also on the indicator's page:

- **Who is counted (F1–F3).** The 903 OC3 information (``care_leaver_contacts``) about a young person's
  17th to 21st birthday, counted in the period holding that birthday, as DfE counts a collection year:
  a 19-year-old whose birthday falls in the period is in the 19–21 cohort. The day counted on is the
  birthday (29 February counts as 1 March in a common year), so age bands see 17 or 18 and over.
- **Exclusions, as DfE (LAIT 112, 113, 220):** young people who have died (IN_TOUCH DIED) or returned
  home to their parents for six months or more (RHOM) are left out. Young people the authority is not in
  touch with, who refuse contact or no longer need services stay in the denominator (their
  accommodation and activity are not known, so they are not counted as suitable or in education,
  employment or training). For suitable accommodation, young people gone abroad, deported or whose
  residence is not known (ACCOM G, H, R) are also left out, since suitability is not usually known.
- **Care taken over by another authority (E3).** A young person whose latest period of care ended, on or
  before the birthday, with reason ceased E3 is that authority's care leaver: it returns their OC3
  information, and our 903 return leaves them out (``returns/ssda903``). F1–F3b leave them out too, so the
  indicators count the young people the return does.
- **Suitable** is the ACCOM suitability digit 1; **education, employment or training** is ACTIV
  F1/P1/F2/P2/F3/P3 (to 2021) and F4/P4/F5/P5 (from 2022); **higher education** F1/P1.
- **F4** (remaining looked after to 18) is local: of the care leavers whose 18th birthday falls in the
  period — looked after for at least 13 weeks in all since their 14th birthday, some of it after their
  16th, not on short breaks (V3/V4), as the 903 defines eligibility — the percentage looked after on the
  eve of their 18th birthday. Young people who left care earlier by adoption, special guardianship or a
  child arrangements order, whose care passed to another authority (E3) or who died are not care
  leavers and are left out. Team and worker: those allocated on the eve of the 18th birthday.
- **Accommodation types (F2b)**: the 903 ACCOM letters. The store has no "house in multiple
  occupation" category (report §5.10.2): the 903 does not collect it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.breakdowns import own_or_allocated
from carelens.indicators.catalogue.care_episodes import ADOPTED, SHORT_BREAKS, SPECIAL_GUARDIANSHIP
from carelens.indicators.dates import add_years, days_between
from carelens.indicators.indicator import (
    CASE_BREAKDOWNS,
    OWN_WINDOW,
    PERSON_BREAKDOWNS,
    History,
    Indicator,
    Parameter,
)
from carelens.indicators.measures import Context, Custom, Flow

NOT_CARE_LEAVERS = ("DIED", "RHOM")  # left out of every care-leaver measure (DfE)
TRANSFERRED = "E3"  # care taken over by another authority: that authority's care leaver (903 OC3 guidance)
SUITABILITY_UNKNOWN = ("G", "H", "R")  # gone abroad, deported, residence not known (DfE, LAIT 112)
EET = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5")
HIGHER_EDUCATION = ("F1", "P1")
# a young person who left care this way before 18 is not a care leaver
LEFT_CARE_FOR_GOOD = ADOPTED + SPECIAL_GUARDIANSHIP + ("E41", "E2", TRANSFERRED)
ACCOMMODATION_TYPES = {
    "B": "with parents or relatives", "C": "community home or other residential care",
    "D": "semi-independent transitional accommodation", "E": "supported lodgings", "G": "gone abroad",
    "H": "deported", "K": "ordinary lodgings", "R": "residence not known", "S": "no fixed abode or homeless",
    "T": "foyer", "U": "independent living", "V": "emergency accommodation", "W": "bed and breakfast",
    "X": "in custody", "Y": "other accommodation", "Z": "with former foster carers"}
ACTIVITIES = {
    "F1": "higher education", "P1": "higher education", "F2": "other education", "P2": "other education",
    "F3": "training or employment", "P3": "training or employment", "F4": "apprenticeship",
    "P4": "apprenticeship", "F5": "training or employment", "P5": "training or employment",
    "G4": "NEET: illness or disability", "G5": "NEET: other reasons", "G6": "NEET: pregnancy or parenting"}
BREAKDOWNS = PERSON_BREAKDOWNS + CASE_BREAKDOWNS


def care_taken_over_by_another_authority(ctx: Context) -> ir.Table:
    """``child_id`` and ``transferred_on`` of every child whose latest period of care ended with its care
    passing to another authority (903 reason ceased E3): from then on they are that authority's children,
    and its care leavers. A later period of care with this authority makes them ours again."""
    p = ctx.table("periods_of_care")
    latest = p.group_by(_l_child=p.child_id).aggregate(_l_start=p.start_date.max())
    j = p.join(latest, (p.child_id == latest._l_child) & (p.start_date == latest._l_start))
    j = j.filter(j.end_date.notnull() & (j.reason_ceased == TRANSFERRED))
    return j.select(child_id=j.child_id, transferred_on=j.end_date).distinct()


def care_leavers(ctx: Context) -> ir.Table:
    """OC3 information with ``birthday`` (the birthday it is about), ``age_group`` (17-18 or 19-21),
    ``suitable``, ``in_eet`` and ``in_higher_education``; young people who died or went home for good are
    left out, and so are those whose care passed to another authority (E3) before the birthday — the 903
    return leaves them out of OC3 for the same reason."""
    c = ctx.table("care_leaver_contacts")
    c = c.filter(~c.in_touch.isin(NOT_CARE_LEAVERS))
    person = ctx.table("person")
    person = person.select(_p_child=person.child_id, _p_born=person.date_of_birth)
    j = c.join(person, c.child_id == person._p_child)
    j = j.mutate(_birthday=add_years(j._p_born, j.birthday_age))
    moved = care_taken_over_by_another_authority(ctx)
    moved = moved.select(_t_child=moved.child_id, _t_on=moved.transferred_on)
    j = j.left_join(moved, (j.child_id == moved._t_child) & (moved._t_on <= j._birthday))
    j = j.filter(j._t_child.isnull())
    accommodation = j.accommodation.fill_null("0")
    return j.select(
        "child_id", "birthday_age", "in_touch", "activity", "accommodation",
        birthday=j._birthday,
        age_group=ibis.ifelse(j.birthday_age <= 18, "17-18", "19-21"),
        accommodation_letter=accommodation.substr(0, 1),
        suitable=accommodation.substr(1, 1) == "1",
        in_eet=j.activity.isin(EET).fill_null(False),
        in_higher_education=j.activity.isin(HIGHER_EDUCATION).fill_null(False))


def _ages(*ages: int):
    return lambda t, ctx: t.birthday_age.isin(ages)


def _suitability_known(*ages: int):
    return lambda t, ctx: t.birthday_age.isin(ages) & ~t.accommodation_letter.isin(SUITABILITY_UNKNOWN)


def _accommodation_type(t: ir.Table, ctx: Context) -> ir.StringValue:
    letter = t.accommodation_letter
    return ibis.cases(*[(letter == k, f"{k} {v}") for k, v in ACCOMMODATION_TYPES.items()],
                      else_="not known")


def _activity(t: ir.Table, ctx: Context) -> ir.StringValue:
    return ibis.cases(*[(t.activity == k, v) for k, v in ACTIVITIES.items()], else_="not known")


def _in_touch_attributes() -> dict:
    return {"birthday_age": "birthday_age", "in_touch": "in_touch"}


# ------------------------------------------------------------------------------- remaining to 18
def turning_18(ctx: Context) -> ir.Table:
    """Care leavers by their 18th birthday: ``child_id``, ``birthday`` (18th), ``looked_after_on_eve``.

    A care leaver: looked after (not on short breaks) for at least ``eligible_days`` in all since their
    14th birthday, some of it after their 16th, and not gone from care for good before 18 (see the
    module's notes). Periods of care are clipped to the 14th and 18th birthdays before the days are added.
    """
    person = ctx.table("person")
    person = person.select(_p_child=person.child_id, _p_born=person.date_of_birth, _p_died=person.date_of_death)
    person = person.mutate(_b14=add_years(person._p_born, 14), _b16=add_years(person._p_born, 16),
                           _b18=add_years(person._p_born, 18))
    p = ctx.table("periods_of_care")
    # a period of care entirely on short breaks does not make a care leaver
    e = ctx.table("looked_after_episodes")
    e = e.filter(~e.legal_status.isin(SHORT_BREAKS))
    full_care = e.select(_e_period=e.period_id).distinct()
    p = p.join(full_care, p.period_id == full_care._e_period)
    j = p.join(person, (p.child_id == person._p_child) & (p.start_date < person._b18))
    j = j.mutate(_to=ibis.least(j.end_date.fill_null(j._b18), j._b18))
    j = j.mutate(_days14=ibis.greatest(days_between(ibis.greatest(j.start_date, j._b14), j._to), 0),
                 _after16=(j._to > j._b16).ifelse(1, 0),
                 _on_eve=(j.end_date.isnull() | (j.end_date >= j._b18)).ifelse(1, 0))
    per_child = j.group_by(_c_child=j.child_id).aggregate(
        _days=j._days14.sum(), _after16=j._after16.max(), _on_eve=j._on_eve.max(), _last_start=j.start_date.max())
    # how the last period of care before 18 ended
    last = j.join(per_child, (j.child_id == per_child._c_child) & (j.start_date == per_child._last_start))
    last = last.group_by(_l_child=last.child_id).aggregate(
        _left_for_good=(last.end_date.notnull() & (last.end_date < last._b18)
                        & last.reason_ceased.isin(LEFT_CARE_FOR_GOOD)).ifelse(1, 0).max())
    c = per_child.join(last, per_child._c_child == last._l_child).join(person, per_child._c_child == person._p_child)
    c = c.filter((c._days >= ctx.param("eligible_days")) & (c._after16 == 1) & (c._left_for_good == 0)
                 & (c._p_died.isnull() | (c._p_died >= c._b18)))
    return c.select(child_id=c._c_child, birthday=c._b18, looked_after_on_eve=c._on_eve == 1)


def _remained_to_18(ctx: Context, windows: ir.Table) -> ir.Table:
    t = turning_18(ctx)
    j = t.join(windows, t.birthday.between(windows.window_start, windows.window_end))
    j = own_or_allocated(j, ctx, "birthday", days_before=1)  # the team holding the case on the eve of 18
    return j.select("period_id", "child_id", "team_id", "worker_id", counting_day=j.birthday.cast("date"),
                    numerator=j.looked_after_on_eve, amount=ibis.null("float64"))


EXCLUSIONS = ("Each row of `care_leaver_contacts` (903 OC3) is counted on the birthday it is about (29 February "
              "counts as 1 March in a common year), in the period holding that birthday. Young people who died "
              "(IN_TOUCH DIED) or returned home for six months or more (RHOM) are left out, as DfE does. So are "
              "young people whose latest period of care (`periods_of_care`) ended on or before the birthday with "
              "their care taken over by another authority (reason ceased E3): they are that authority's care "
              "leavers, and the 903 return leaves them out of OC3.")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="F1", name="care_leavers_in_touch_17_18", title="Care leavers aged 17–18 in touch",
        definition="Of the care leavers whose 17th or 18th birthday falls in the period, the percentage the authority "
                   "was in touch with around that birthday (903 IN_TOUCH YES).",
        measure=Flow(care_leavers, "birthday", where=_ages(17, 18), numerator=lambda t, ctx: t.in_touch == "YES",
             attributes=_in_touch_attributes()),
        counting_unit="children", unit="percent", polarity="high", reference="report §5.10.1 (84%)",
        computation=EXCLUSIONS,
        history=OWN_WINDOW),
    Indicator(
        id="F1a", name="care_leavers_in_touch_19_21", title="Care leavers aged 19–21 in touch",
        definition="Of the care leavers whose 19th, 20th or 21st birthday falls in the period, the percentage the "
                   "authority was in touch with around that birthday (903 IN_TOUCH YES). DfE publishes the opposite, "
                   "not in touch (LAIT 317).",
        measure=Flow(care_leavers, "birthday", where=_ages(19, 20, 21), numerator=lambda t, ctx: t.in_touch == "YES",
             attributes=_in_touch_attributes()),
        counting_unit="children", unit="percent", polarity="high", reference="report §5.10.1 (89%)",
        computation=EXCLUSIONS,
        history=OWN_WINDOW),
    Indicator(
        id="F2", name="care_leavers_suitable_accommodation_17_18",
        title="Care leavers aged 17–18 in suitable accommodation",
        definition="Of the care leavers whose 17th or 18th birthday falls in the period, the percentage in "
                   "accommodation judged suitable (903 ACCOM suitability digit 1). Those not in touch count as not "
                   "known to be suitable.",
        measure=Flow(care_leavers, "birthday", where=_suitability_known(17, 18), numerator="suitable",
             attributes={"birthday_age": "birthday_age", "accommodation_type": _accommodation_type}),
        counting_unit="children", unit="percent", polarity="high", reference="report §5.10.2 (87%)",
        computation=EXCLUSIONS + " So are young people gone abroad, deported or whose residence is not known "
        "(ACCOM G, H, R), as DfE does for LAIT 112.",
        history=OWN_WINDOW),
    Indicator(
        id="F2a", name="care_leavers_suitable_accommodation_19_21",
        title="Care leavers aged 19–21 in suitable accommodation",
        definition="Of the care leavers whose 19th, 20th or 21st birthday falls in the period, the percentage in "
                   "accommodation judged suitable (903 ACCOM suitability digit 1). Those not in touch count as not "
                   "known to be suitable.",
        measure=Flow(care_leavers, "birthday", where=_suitability_known(19, 20, 21), numerator="suitable",
             attributes={"birthday_age": "birthday_age", "accommodation_type": _accommodation_type}),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="112", dfe_short="CareLeaverAcc",
        dfe_comparable=True, reference="report §5.10.2 (90%)",
        computation=EXCLUSIONS + " So are young people gone abroad, deported or whose residence is not known "
        "(ACCOM G, H, R), as DfE does for LAIT 112.",
        history=OWN_WINDOW),
    Indicator(
        id="F2b", name="care_leavers_by_accommodation_type", title="Care leavers by type of accommodation",
        definition="Care leavers whose 17th to 21st birthday falls in the period, by the type of accommodation they "
                   "were living in around that birthday (903 ACCOM letter; \"not known\" when the authority was not in "
                   "touch). The share of each type is the breakdown's share.",
        measure=Flow(care_leavers, "birthday", attributes={"accommodation_type": _accommodation_type,
                                                   "age_group": "age_group"}),
        counting_unit="children", unit="count", polarity="neutral",
        windows=("month", "rolling_3", "rolling_6", "rolling_12", "financial_year",
                                                 "year_to_date"),
        reference="report §5.10.2 (8% in houses of multiple occupation)",
        computation=EXCLUSIONS + " The 903 has no category for houses in multiple occupation.",
        history=OWN_WINDOW),
    Indicator(
        id="F3", name="care_leavers_in_eet_17_18", title="Care leavers aged 17–18 in education, employment or training",
        definition="Of the care leavers whose 17th or 18th birthday falls in the period, the percentage in education, "
                   "employment or training around that birthday (903 ACTIV F1–F5, P1–P5). Those not in touch count as "
                   "not known to be.",
        measure=Flow(care_leavers, "birthday", where=_ages(17, 18), numerator="in_eet",
             attributes={"birthday_age": "birthday_age", "activity": _activity}),
        counting_unit="children", unit="percent", polarity="high", reference="report §5.10.3 (54%)",
        computation=EXCLUSIONS,
        history=OWN_WINDOW),
    Indicator(
        id="F3a", name="care_leavers_in_eet_19_21",
        title="Care leavers aged 19–21 in education, employment or training",
        definition="Of the care leavers whose 19th, 20th or 21st birthday falls in the period, the percentage in "
                   "education, employment or training around that birthday (903 ACTIV F1–F5, P1–P5). Those not in "
                   "touch count as not known to be.",
        measure=Flow(care_leavers, "birthday", where=_ages(19, 20, 21), numerator="in_eet",
             attributes={"birthday_age": "birthday_age", "activity": _activity}),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="113", dfe_short="CareLeaverEET",
        dfe_comparable=True, reference="report §5.10.3 (47%)", computation=EXCLUSIONS,
        history=OWN_WINDOW),
    Indicator(
        id="F3b", name="care_leavers_in_higher_education_19_21", title="Care leavers aged 19–21 in higher education",
        definition="Of the care leavers whose 19th, 20th or 21st birthday falls in the period, the percentage in "
                   "higher education (studies beyond A level) around that birthday (903 ACTIV F1 or P1).",
        measure=Flow(care_leavers, "birthday", where=_ages(19, 20, 21), numerator="in_higher_education",
             attributes={"birthday_age": "birthday_age"}),
        counting_unit="children", unit="percent", polarity="high", dfe_measure="220", dfe_short="LAC_19_HE",
        dfe_comparable=True, reference="report §5.10.3 (1 in 9)", computation=EXCLUSIONS,
        history=OWN_WINDOW),
    Indicator(
        id="F4", name="care_leavers_looked_after_to_18", title="Care leavers who remained looked after until 18",
        definition="Of the care leavers whose 18th birthday falls in the period, the percentage who were still looked "
                   "after on the eve of their 18th birthday (rather than leaving care at 16 or 17). A care leaver was "
                   "looked after for at least 13 weeks in all since their 14th birthday, some of it after their 16th, "
                   "not on short breaks, and did not leave care earlier by adoption, special guardianship, a child "
                   "arrangements order, a transfer to another authority or death.",
        measure=Custom(_remained_to_18, "Each child whose 18th birthday falls in the period and who qualifies as a care "
               "leaver from their `periods_of_care` (clipped to the 14th and 18th birthdays; periods made only of "
               "short-break episodes V3/V4 left out), counted on the birthday; in the numerator when a period of "
               "care was open on the day before it.", ("periods_of_care", "looked_after_episodes", "person")),
        counting_unit="children", unit="percent", polarity="high", breakdowns=BREAKDOWNS,
        computation="Team and worker: those allocated on the eve of the 18th birthday.",
        parameters=(Parameter("eligible_days", 91, "Days looked after since the 14th birthday that make a care "
                                                   "leaver (13 weeks)."),),
        reference="report §5.10.1 (nine out of ten)",
        history=History(48, "the young person's care since their 14th birthday, four years before the 18th "
                            "birthday counted")),
)
