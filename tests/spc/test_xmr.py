"""The XmR chart's centre line and limits, on series worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from carelens.spc import control_limits
from carelens.spc.xmr import moving_ranges


def test_limits_are_the_mean_plus_and_minus_three_moving_range_sigmas():
    # mean 11; every moving range 2, so sigma = 2 / 1.128 and the limits 11 ± 6 / 1.128
    limits = control_limits([10, 12] * 6)
    assert limits.has_limits and limits.why_none is None
    assert limits.points == 12
    assert limits.mean == 11
    assert limits.mean_moving_range == 2
    assert limits.sigma == pytest.approx(1.773050, abs=1e-6)
    assert limits.upper == pytest.approx(16.319149, abs=1e-6)
    assert limits.lower == pytest.approx(5.680851, abs=1e-6)


def test_a_gap_keeps_the_mean_to_the_values_there_are_and_breaks_the_moving_range():
    assert list(moving_ranges(np.array([10, 12, np.nan, 20, 21.0]))) == [2, 1]
    # 12 values present around one gap: the range across the gap (12 -> 20) is not counted
    values = [10, 12, 10, 12, 10, 12, None, 20, 22, 20, 22, 20, 22]
    limits = control_limits(values)
    assert limits.points == 12
    assert limits.mean == 16
    assert limits.mean_moving_range == 2  # ten ranges of 2; none across the gap


def test_a_constant_series_has_zero_sigma_and_limits_on_the_mean():
    limits = control_limits([5.0] * 12)
    assert (limits.mean, limits.sigma, limits.upper, limits.lower) == (5, 0, 5, 5)


def test_limits_are_clamped_to_the_floor_and_ceiling_the_measure_allows():
    # counts 0, 1, 0, 1 …: mean 0.5, sigma 1 / 1.128, lower limit 0.5 - 2.66 would be below zero
    limits = control_limits([0, 1] * 6, floor=0)
    assert limits.lower == 0
    assert limits.upper == pytest.approx(0.5 + 3 / 1.128)
    # percentages near 100: the upper limit stops at 100
    near_full = control_limits([97, 100] * 6, floor=0, ceiling=100)
    assert near_full.upper == 100
    assert near_full.lower == pytest.approx(98.5 - 9 / 1.128)


@pytest.mark.parametrize(("values", "why"), [
    ([3.0] * 11, "only 11 values: control limits need at least 12 to be steady enough to judge"),
    ([1.0], "only 1 value: control limits need at least 12 to be steady enough to judge"),
    ([], "no values: control limits need at least 12 to be steady enough to judge"),
    ([None] * 20, "no values: control limits need at least 12 to be steady enough to judge"),
    ([1, None] * 12, "no two consecutive values: the moving range cannot be measured across gaps"),
])
def test_too_few_values_give_no_limits_and_say_why(values, why):
    limits = control_limits(values)
    assert not limits.has_limits
    assert limits.why_none == why
    assert (limits.mean, limits.sigma, limits.upper, limits.lower) == (None, None, None, None)


def test_the_minimum_can_be_changed_by_the_caller():
    assert control_limits([1, 2, 3], minimum_points=3).has_limits
    assert not control_limits([1, 2, 3], minimum_points=4).has_limits
