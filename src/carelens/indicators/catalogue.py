"""The indicator catalogue: every measure declared once, with its definition.

Each :class:`Indicator` says what it counts (its measure), in what unit, which way is better, and
which DfE/LAIT measure it follows. The docs page of an indicator is generated from its declaration
(``python -m carelens.indicators.docs``).

This is the first part of the catalogue in ``../shared/design/INDICATORS.md``: the child protection
and looked-after stocks and flows the §5.5.3 ratio table and the CLA section are built on.
"""

from __future__ import annotations

from dataclasses import dataclass

from carelens.indicators.measures import Conversion, Flow, Measure, Stock


@dataclass(frozen=True)
class Indicator:
    id: str  # catalogue id, e.g. "C8"
    name: str  # domain name, e.g. "children_on_cp_plans"
    title: str
    definition: str  # plain English, as a council analyst would write it
    measure: Measure
    counting_unit: str  # children, events
    unit: str  # count (with a rate per 10,000 children aged 0-17), or percent
    polarity: str  # "low" (lower is better), "high", or "neutral" (context, not a target)
    dfe_measure: str | None = None  # LAIT measure code, where DfE publishes the measure

    @property
    def is_rate(self) -> bool:
        return self.unit == "count"


CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "B4", "referrals", "Referrals received",
        "Referrals to children's social care received in the period, counting every referral (a child "
        "referred twice counts twice). The rate is per 10,000 children aged 0–17, annualised for periods "
        "shorter or longer than a year.",
        Flow("referrals", "referral_date"), "events", "count", "neutral", "305"),
    Indicator(
        "C3", "s47_enquiries_started", "Section 47 enquiries started",
        "Section 47 enquiries that started in the period. Rate per 10,000 children aged 0–17, annualised.",
        Flow("s47_enquiries", "start_date"), "events", "count", "neutral", "217"),
    Indicator(
        "C7", "icpc_to_cp_plan", "ICPCs resulting in a child protection plan",
        "Of the initial child protection conferences held in the period, the percentage that made the child "
        "subject to a child protection plan.",
        Conversion("initial_cp_conferences", "conference_date", "outcome_cp_plan"), "events", "percent",
        "neutral"),
    Indicator(
        "C8", "children_on_cp_plans", "Children on child protection plans",
        "Children subject to a child protection plan at the end of the period: the plan started on or before "
        "that day and had not ended by it. Rate per 10,000 children aged 0–17.",
        Stock("cp_plans"), "children", "count", "neutral", "215"),
    Indicator(
        "C9", "cp_plans_starting", "Child protection plans starting",
        "Child protection plans that started in the period. Rate per 10,000 children aged 0–17, annualised.",
        Flow("cp_plans", "start_date"), "events", "count", "low", "219"),
    Indicator(
        "C10", "cp_plans_ending", "Child protection plans ending",
        "Child protection plans that ended in the period. Rate per 10,000 children aged 0–17, annualised.",
        Flow("cp_plans", "end_date"), "events", "count", "neutral", "16"),
    Indicator(
        "D1", "children_looked_after", "Children looked after",
        "Children looked after at the end of the period: a period of care started on or before that day and "
        "had not ended by it. Rate per 10,000 children aged 0–17.",
        Stock("periods_of_care"), "children", "count", "neutral", "124"),
    Indicator(
        "D2", "children_starting_care", "Children starting to be looked after",
        "Children who started a period of care in the period; a child who started twice counts once. Rate "
        "per 10,000 children aged 0–17, annualised.",
        Flow("periods_of_care", "start_date", distinct_children=True), "children", "count", "neutral", "376"),
)

BY_ID = {i.id: i for i in CATALOGUE}


def indicator(id_or_name: str) -> Indicator:
    for i in CATALOGUE:
        if id_or_name in (i.id, i.name):
            return i
    raise KeyError(f"no indicator {id_or_name!r}; the catalogue has: {', '.join(i.id for i in CATALOGUE)}")
