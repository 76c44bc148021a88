"""F. Care leavers: in touch, accommodation, education, employment and training."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator

INDICATORS: tuple[Indicator, ...] = ()
