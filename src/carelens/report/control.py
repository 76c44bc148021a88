"""A measure's control chart as the narrative and the charts use it: the XmR limits and signals
(:mod:`carelens.spc`) of its monthly or weekly values, with each limit named as a source a test can find again.

The limits are computed over the points the trend shows (the last 24 months or 104 weeks), clamped to what
the measure can take (no count below 0, no percentage above 100); see docs/report/spc.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carelens.indicators.api import Indicator
from carelens.report.document import Kind
from carelens.spc.signals import Signals, xmr_signals


@dataclass(frozen=True)
class Control:
    indicator: str
    window: str  # month or week
    signals: Signals
    step: str  # "month" or "week": what a sentence calls one point

    @property
    def mean(self) -> float | None:
        return self.signals.limits.mean

    @property
    def lower(self) -> float | None:
        return self.signals.limits.lower if self.signals.limits.has_limits else None

    @property
    def upper(self) -> float | None:
        return self.signals.limits.upper if self.signals.limits.has_limits else None

    @property
    def signal(self) -> str | None:
        """The latest point's signals in words ("above the upper control limit and the 9th month in a row above
        the average"), or None."""
        phrases = self.signals.describe_latest(self.step)
        return " and ".join(phrases) if phrases else None

    @property
    def run(self) -> int | None:
        """How many points in a row, ending with the latest, are on its side of the average (when a signal)."""
        s, i = self.signals, len(self.signals) - 1
        return int(s.run_position[i]) if i >= 0 and s.in_run[i] else None

    @property
    def trend(self) -> int | None:
        """How many points in a row, ending with the latest, have each risen (or fallen) (when a signal)."""
        s, i = self.signals, len(self.signals) - 1
        return int(s.trend_position[i]) if i >= 0 and s.in_trend[i] else None

    def stated(self) -> list[tuple[float, str]]:
        """The numbers :attr:`signal` states ("the 9th month in a row"), with their sources."""
        return [(float(v), self.source(name)) for name, v in (("run", self.run), ("trend", self.trend))
                if v is not None]

    def source(self, column: str) -> str:
        return f"spc|{self.indicator}|{self.window}|{column}"


def bounds(kind: Kind) -> tuple[float | None, float | None]:
    return (0.0, 100.0) if kind is Kind.PERCENT else (0.0, None)


def control_of(ind: Indicator, points: Sequence, kind: Kind) -> Control | None:
    """The control chart of a trend's points (anything with a ``value``); None when there are none."""
    values = [p.value for p in points]
    if not values:
        return None
    floor, ceiling = bounds(kind)
    window = "week" if ind.unit.value == "per_week" else "month"
    return Control(ind.id, window, xmr_signals(values, floor=floor, ceiling=ceiling), window)
