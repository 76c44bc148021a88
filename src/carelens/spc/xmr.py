"""The XmR (individuals) chart's centre line and control limits for one series of values.

An indicator series — one value a month or a week — is a series of individual values, not of
subgroups, so the chart is the individuals chart: its centre line is the mean of the values, and
the variation expected from common causes is estimated from the moving range, the absolute
difference between each value and the one before. For pairs of values from one stable process the
mean moving range is d2 = 1.128 times the process's standard deviation, so

    sigma = mean moving range / 1.128,    limits = mean ± 3 sigma.

The moving range, not the standard deviation of all the values, is what makes the limits honest: a
shift or a trend inflates the overall standard deviation (and so hides itself behind wide limits)
but hardly moves the point-to-point differences.

A gap (a missing value) leaves the mean to the values there are, and breaks the moving range: the
difference across a gap spans two intervals, not one, so it is not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# d2 for moving ranges of two consecutive values (the expected range of two normal values in sigmas)
D2 = 1.128
# fewer values than this give a centre line and limits too unsteady to judge signals against
MINIMUM_POINTS = 12


@dataclass(frozen=True)
class ControlLimits:
    """The centre line and control limits of a series, or why there are none.

    ``upper`` and ``lower`` are already clamped to the ceiling and floor the caller gave (a count
    cannot fall below 0, a percentage cannot pass 100), so a limit that would lie outside what the
    measure can take sits on the bound instead, and no point can be beyond it.
    """

    points: int  # values present (not gaps)
    mean: float | None
    sigma: float | None
    upper: float | None
    lower: float | None
    mean_moving_range: float | None
    why_none: str | None = None  # set when there are no limits: a sentence a reader can act on

    @property
    def has_limits(self) -> bool:
        return self.why_none is None


def as_values(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    """The series as floats, with NaN for each gap (None or NaN)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def moving_ranges(values: np.ndarray) -> np.ndarray:
    """|x[i] - x[i-1]| for each pair of neighbouring values both present (a gap breaks the pair)."""
    ranges = np.abs(np.diff(values))
    return ranges[~np.isnan(ranges)]


def control_limits(values: Sequence[float | None] | np.ndarray, *, floor: float | None = None,
                   ceiling: float | None = None, minimum_points: int = MINIMUM_POINTS) -> ControlLimits:
    """The XmR chart's mean, sigma and limits (mean ± 3 sigma, clamped to ``floor`` and ``ceiling``).

    With fewer than ``minimum_points`` values present, or no two neighbouring values to take a moving
    range from, there are no limits and ``why_none`` says why.
    """
    x = as_values(values)
    present = x[~np.isnan(x)]
    n = int(present.size)
    if n < minimum_points:
        have = "no values" if n == 0 else f"only {n} value{'s' if n != 1 else ''}"
        return ControlLimits(n, None, None, None, None, None,
                             f"{have}: control limits need at least {minimum_points} to be steady enough to judge")
    ranges = moving_ranges(x)
    if ranges.size == 0:
        return ControlLimits(n, None, None, None, None, None,
                             "no two consecutive values: the moving range cannot be measured across gaps")
    mean = float(present.mean())
    mean_range = float(ranges.mean())
    sigma = mean_range / D2
    upper, lower = mean + 3 * sigma, mean - 3 * sigma
    if ceiling is not None:
        upper = min(upper, ceiling)
    if floor is not None:
        lower = max(lower, floor)
    return ControlLimits(n, mean, sigma, upper, lower, mean_range)
