"""H. Early help: episodes, step-ups and step-downs."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator

INDICATORS: tuple[Indicator, ...] = ()
