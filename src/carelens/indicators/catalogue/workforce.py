"""G. Workforce and caseloads: caseloads, unallocated cases, vacancies and agency staff."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator

INDICATORS: tuple[Indicator, ...] = ()
