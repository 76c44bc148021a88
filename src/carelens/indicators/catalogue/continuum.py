"""A. Continuum of need: open cases by level and representation (report §5.2)."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator

INDICATORS: tuple[Indicator, ...] = ()
