"""Signals of special-cause variation on an XmR chart, point by point, and the words for them.

Three rules, applied to every point (docs/report/spc.md says why these):

(a) **beyond a limit** — the point is above the upper control limit or below the lower one
    (strictly: a point on a limit is not beyond it);
(b) **a run** — the point is one of 8 or more consecutive points on the same side of the centre line
    (a point exactly on the line, or a gap, ends the run);
(c) **a trend** — the point is one of 6 or more consecutive points each higher than the one before
    (or each lower); a point equal to the one before, or a gap, ends the trend.

Every point of a qualifying run or trend triggers its rule, not only the one that completed it: the
whole stretch is the signal. A series with no control limits (too few values, see
:func:`carelens.spc.xmr.control_limits`) has no centre line to judge against, so no rule fires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from carelens.spc.xmr import MINIMUM_POINTS, ControlLimits, as_values, control_limits

RUN_LENGTH = 8  # rule (b): points in a row on one side of the centre line
TREND_LENGTH = 6  # rule (c): points in a row each rising (or each falling) against the one before


class Rule(Enum):
    BEYOND_LIMIT = "a"
    RUN = "b"
    TREND = "c"

    @property
    def description(self) -> str:
        return {Rule.BEYOND_LIMIT: "a point beyond a control limit",
                Rule.RUN: f"{RUN_LENGTH} or more points in a row on one side of the average",
                Rule.TREND: f"{TREND_LENGTH} or more points in a row each rising, or each falling"}[self]


@dataclass(frozen=True)
class Signals:
    """The XmR chart of one series and, for each point, what it shows.

    Arrays are one entry per point of the series, gaps included:

    - ``beyond``: +1 above the upper limit, -1 below the lower one, else 0;
    - ``side``: +1 above the centre line, -1 below, 0 on it or a gap;
    - ``run_position``: the point's place in its run on one side (1 for the run's first point), 0 when
      on the line or a gap; ``run_total``: the length of that whole run;
    - ``direction``: +1 higher than the point before, -1 lower, 0 equal, first, or next to a gap;
    - ``trend_position`` and ``trend_total``: the same for runs of rises (or of falls);
    - ``beyond_limit``, ``in_run``, ``in_trend``: whether the point triggers rule (a), (b), (c).
    """

    values: np.ndarray
    limits: ControlLimits
    beyond: np.ndarray
    side: np.ndarray
    run_position: np.ndarray
    run_total: np.ndarray
    direction: np.ndarray
    trend_position: np.ndarray
    trend_total: np.ndarray
    beyond_limit: np.ndarray
    in_run: np.ndarray
    in_trend: np.ndarray

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def any_rule(self) -> np.ndarray:
        """Per point: whether it triggers any rule."""
        return self.beyond_limit | self.in_run | self.in_trend

    def rules(self, i: int) -> tuple[Rule, ...]:
        """The rules point ``i`` triggers, in the order (a), (b), (c)."""
        hits = (self.beyond_limit[i], self.in_run[i], self.in_trend[i])
        return tuple(rule for rule, hit in zip(Rule, hits) if hit)

    def describe_point(self, i: int, period: str = "month") -> list[str]:
        """The signals of point ``i`` as phrases for a table row: "above the upper control limit",
        "one of 9 months in a row above the average", "one of 6 months in a row rising"."""
        phrases = []
        if self.beyond_limit[i]:
            phrases.append(_beyond_phrase(int(self.beyond[i])))
        if self.in_run[i]:
            where = "above" if self.side[i] > 0 else "below"
            phrases.append(f"one of {self.run_total[i]} {period}s in a row {where} the average")
        if self.in_trend[i]:
            how = "rising" if self.direction[i] > 0 else "falling"
            phrases.append(f"one of {self.trend_total[i]} {period}s in a row {how}")
        return phrases

    def describe_latest(self, period: str = "month") -> list[str]:
        """The signals of the series' last point in words a sentence can take, so far as it has run:
        "above the upper control limit", "the 9th month in a row above the average", "rising for the
        6th month in a row". Empty when the last point triggers no rule, or is a gap."""
        if not len(self):
            return []
        i = len(self) - 1
        phrases = []
        if self.beyond_limit[i]:
            phrases.append(_beyond_phrase(int(self.beyond[i])))
        if self.in_run[i]:
            where = "above" if self.side[i] > 0 else "below"
            phrases.append(f"the {ordinal(int(self.run_position[i]))} {period} in a row {where} the average")
        if self.in_trend[i]:
            how = "rising" if self.direction[i] > 0 else "falling"
            phrases.append(f"{how} for the {ordinal(int(self.trend_position[i]))} {period} in a row")
        return phrases


def _beyond_phrase(beyond: int) -> str:
    return "above the upper control limit" if beyond > 0 else "below the lower control limit"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a sequence of labels (0 = none), each entry's position in its stretch of equal non-zero labels
    (1-based) and the length of that stretch; both 0 where the label is 0."""
    n = labels.size
    if n == 0:
        return np.zeros(0, int), np.zeros(0, int)
    starts = np.ones(n, dtype=bool)
    starts[1:] = labels[1:] != labels[:-1]
    starts |= labels == 0
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    position = np.arange(n) - first[group] + 1
    total = np.bincount(group)[group]
    none = labels == 0
    position[none] = 0
    total[none] = 0
    return position, total


def xmr_signals(values: Sequence[float | None] | np.ndarray, *, floor: float | None = None,
                ceiling: float | None = None, minimum_points: int = MINIMUM_POINTS) -> Signals:
    """The XmR chart of ``values`` (None or NaN for a gap) and the signals at each point."""
    x = as_values(values)
    limits = control_limits(x, floor=floor, ceiling=ceiling, minimum_points=minimum_points)
    present = ~np.isnan(x)

    side = np.zeros(x.size, dtype=int)
    beyond = np.zeros(x.size, dtype=int)
    if limits.has_limits:
        on_line = np.isclose(x, limits.mean, rtol=1e-12, atol=1e-12)
        side[present & ~on_line & (x > limits.mean)] = 1
        side[present & ~on_line & (x < limits.mean)] = -1
        beyond[present & (x > limits.upper)] = 1
        beyond[present & (x < limits.lower)] = -1
    run_position, run_total = runs(side)

    direction = np.zeros(x.size, dtype=int)
    if x.size > 1:
        step = np.diff(x)  # NaN next to a gap: neither rising nor falling
        direction[1:] = np.where(step > 0, 1, np.where(step < 0, -1, 0))
    trend_position, trend_total = runs(direction)

    judged = limits.has_limits
    return Signals(
        values=x, limits=limits, beyond=beyond, side=side, run_position=run_position, run_total=run_total,
        direction=direction, trend_position=trend_position, trend_total=trend_total,
        beyond_limit=beyond != 0,
        in_run=(run_total >= RUN_LENGTH) & judged,
        in_trend=(trend_total >= TREND_LENGTH) & judged,
    )
