"""H. Early help: episodes open and starting, step-ups to social care and step-downs from it (report §5.2).

Choices made where the catalogue (``docs/indicators/README.md``, section H) leaves room, each also on the indicator's page:

- Counted in **episodes** of early help (``early_help_episodes``); a child's episodes never overlap, so
  the episodes open on a day are also the children open to early help that day.
- A **step-up** is an episode that ended because the family was stepped up to children's social care
  (``end_reason`` STEP_UP), counted on the day it ended. A **step-down** is an episode that started
  from a social-care referral (``from_referral_id`` recorded), counted on the day it started.
- **Team and worker** are the episode's own (``team_id``, ``worker_id``) when it records them; otherwise
  those of the worker allocated to the child on the day counted (``allocations``), so that an early help
  episode is split by the practitioner holding it even when the episode row does not say who that is.
  For an episode ending, the day counted for the team is the day before it ended (the allocation ends with
  the episode).
"""

from __future__ import annotations

import ibis.expr.types as ir

from carelens.indicators.breakdowns import own_or_allocated
from carelens.indicators.indicator import (
    CASE_BREAKDOWNS,
    OPEN_ON_THE_DAY,
    OWN_WINDOW,
    PERSON_BREAKDOWNS,
    STOCK_WINDOWS,
    Indicator,
)
from carelens.indicators.measures import Context, Conversion, Flow, Stock

BREAKDOWNS = PERSON_BREAKDOWNS + CASE_BREAKDOWNS
COUNT_WINDOWS = ("week", "4_weeks", "month", "rolling_3", "rolling_6", "rolling_12", "financial_year",
                 "year_to_date")
SHARE_WINDOWS = ("month", "rolling_3", "rolling_6", "rolling_12", "financial_year", "year_to_date")


def _at(day: str, days_before: int = 0):
    return lambda t, ctx: own_or_allocated(t, ctx, day, days_before)


def _stepped_up(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return t.end_reason == "STEP_UP"


def _stepped_down(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return t.from_referral_id.notnull()


def _ended(t: ir.Table, ctx: Context) -> ir.BooleanValue:
    return t.end_date.notnull()


NEED = {"primary_need": "reason"}
TEAM = ("Team and worker: the episode's own when it records a team, else those allocated to the child on the day "
        "counted.")
# open episodes are a stock: the team is looked up only when split by team (breakdowns.with_group), so the
# total is counted by sweeping along the episodes
TEAM_OPEN = ("Team and worker: the episode's own when it records them, else those allocated to the child on the "
             "day counted.")
TEAM_ENDING = ("Team and worker: the episode's own when it records a team, else those allocated to the child the day "
               "before the episode ended (the allocation ends with it).")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="H1", name="early_help_episodes_open", title="Open early help episodes",
        definition="Early help episodes open at the end of the period: started on or before that day and not ended by "
                   "it.",
        measure=Stock("early_help_episodes", attributes=NEED),
        counting_unit="episodes", unit="count", polarity="neutral", windows=STOCK_WINDOWS,
        breakdowns=BREAKDOWNS + ("primary_need",),
        reference="report §5.2.2", computation=TEAM_OPEN,
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="H1a", name="early_help_episodes_starting", title="Early help episodes starting",
        definition="Early help episodes that started in the period. Rate per 10,000 children aged 0–17, annualised.",
        measure=Flow("early_help_episodes", "start_date", prepare=_at("start_date"), attributes=NEED),
        counting_unit="episodes", unit="rate", polarity="neutral", windows=COUNT_WINDOWS, reference="report §5.2",
        computation=TEAM,
        history=OWN_WINDOW),
    Indicator(
        id="H1b", name="early_help_step_ups", title="Early help episodes stepped up to social care",
        definition="Early help episodes that ended in the period because the family was stepped up to children's "
                   "social care (end reason STEP_UP).",
        measure=Flow("early_help_episodes", "end_date", where=_stepped_up, prepare=_at("end_date", 1), attributes=NEED),
        counting_unit="episodes", unit="count", polarity="neutral", windows=COUNT_WINDOWS, reference="report §5.2",
        computation=TEAM_ENDING,
        history=OWN_WINDOW),
    Indicator(
        id="H1c", name="early_help_ending_in_step_up", title="Early help episodes ending in a step-up",
        definition="Of the early help episodes that ended in the period, the percentage that ended because the family "
                   "was stepped up to children's social care.",
        measure=Conversion("early_help_episodes", "end_date", _stepped_up, where=_ended, prepare=_at("end_date", 1),
                   attributes={**NEED, "end_reason": "end_reason"}),
        counting_unit="episodes", unit="percent", polarity="neutral", windows=SHARE_WINDOWS, reference="report §5.2",
        computation=TEAM_ENDING,
        history=OWN_WINDOW),
    Indicator(
        id="H1d", name="early_help_step_downs", title="Early help episodes stepped down from social care",
        definition="Early help episodes that started in the period when a family was stepped down from children's "
                   "social care (the episode records the social-care referral it came from).",
        measure=Flow("early_help_episodes", "start_date", where=_stepped_down, prepare=_at("start_date"),
             attributes=NEED),
        counting_unit="episodes", unit="count", polarity="neutral", windows=COUNT_WINDOWS, reference="report §5.2",
        computation=TEAM,
        history=OWN_WINDOW),
    Indicator(
        id="H1e", name="early_help_starting_from_step_down", title="Early help episodes starting as a step-down",
        definition="Of the early help episodes that started in the period, the percentage that were step-downs from "
                   "children's social care.",
        measure=Conversion("early_help_episodes", "start_date", _stepped_down, prepare=_at("start_date"),
                   attributes=NEED),
        counting_unit="episodes", unit="percent", polarity="neutral", windows=SHARE_WINDOWS, reference="report §5.2",
        computation=TEAM,
        history=OWN_WINDOW),
)
