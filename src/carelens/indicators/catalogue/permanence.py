"""E. Permanence: adoption and special guardianship (report §5.9)."""

from __future__ import annotations

from carelens.indicators.indicator import Indicator

INDICATORS: tuple[Indicator, ...] = ()
