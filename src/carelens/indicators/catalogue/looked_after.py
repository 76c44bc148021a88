"""D. Children looked after: numbers, legal status, placements, stability, missing, health (report §5.6–5.8)."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator
from carelens.indicators.measures import Flow, Stock

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "D1", "children_looked_after", "Children looked after",
        "Children looked after at the end of the period: a period of care started on or before that day and "
        "had not ended by it. Rate per 10,000 children aged 0–17.",
        Stock("periods_of_care"), "children", "rate", "neutral", "124"),
    Indicator(
        "D2", "children_starting_care", "Children starting to be looked after",
        "Children who started a period of care in the period; a child who started twice counts once. Rate "
        "per 10,000 children aged 0–17, annualised.",
        Flow("periods_of_care", "start_date", distinct_children=True), "children", "rate", "neutral", "376"),
)
