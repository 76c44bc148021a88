"""B. Front door and assessment: contacts, referrals, assessments (report §5.3)."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator
from carelens.indicators.measures import Flow

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "B4", "referrals", "Referrals received",
        "Referrals to children's social care received in the period, counting every referral (a child "
        "referred twice counts twice). The rate is per 10,000 children aged 0–17, annualised for periods "
        "shorter or longer than a year.",
        Flow("referrals", "referral_date"), "events", "rate", "neutral", "305", reference="report §5.3.2"),
)
