"""C. Child protection: strategy discussions, s47 enquiries, conferences and plans (report §5.4–5.5)."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator
from carelens.indicators.measures import Conversion, Flow, Stock

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "C3", "s47_enquiries_started", "Section 47 enquiries started",
        "Section 47 enquiries that started in the period. Rate per 10,000 children aged 0–17, annualised.",
        Flow("s47_enquiries", "start_date"), "events", "rate", "neutral", "217"),
    Indicator(
        "C7", "icpc_to_cp_plan", "ICPCs resulting in a child protection plan",
        "Of the initial child protection conferences held in the period, the percentage that made the child "
        "subject to a child protection plan.",
        Conversion("initial_cp_conferences", "conference_date", "outcome_cp_plan"), "events", "percent",
        "neutral", reference="report §5.4.1 (97%)"),
    Indicator(
        "C8", "children_on_cp_plans", "Children on child protection plans",
        "Children subject to a child protection plan at the end of the period: the plan started on or before "
        "that day and had not ended by it. Rate per 10,000 children aged 0–17.",
        Stock("cp_plans"), "children", "rate", "neutral", "215"),
    Indicator(
        "C9", "cp_plans_starting", "Child protection plans starting",
        "Child protection plans that started in the period. Rate per 10,000 children aged 0–17, annualised.",
        Flow("cp_plans", "start_date"), "events", "rate", "low", "219"),
    Indicator(
        "C10", "cp_plans_ending", "Child protection plans ending",
        "Child protection plans that ended in the period. Rate per 10,000 children aged 0–17, annualised.",
        Flow("cp_plans", "end_date"), "events", "rate", "neutral", "16"),
)
