"""The three signal rules, on hand-made series whose signals are known, and the words for them."""

from __future__ import annotations

import numpy as np
import pytest

from carelens.spc import Rule, ordinal, xmr_signals
from carelens.spc.signals import runs

# values alternating around 12 (above a centre line of 10) and around 8 (below it)
ABOVE = [11, 13, 11, 13, 11, 13, 11, 13]
BELOW = [9, 7, 9, 7, 9, 7, 9, 7]


def flagged(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def test_runs_number_each_stretch_of_equal_labels():
    position, total = runs(np.array([1, 1, 0, -1, -1, -1, 1]))
    assert list(position) == [1, 2, 0, 1, 2, 3, 1]
    assert list(total) == [2, 2, 0, 3, 3, 3, 1]
    empty = runs(np.array([], dtype=int))
    assert [list(a) for a in empty] == [[], []]


# rule (a): beyond a limit

def test_a_point_above_the_upper_limit_is_a_signal():
    # twenty values 10, 12 … then 30: mean 250/21, mean moving range (19 × 2 + 18) / 20 = 2.8
    s = xmr_signals([10, 12] * 10 + [30])
    assert s.limits.upper == pytest.approx(250 / 21 + 3 * 2.8 / 1.128)
    assert flagged(s.beyond_limit) == [20]
    assert s.rules(20) == (Rule.BEYOND_LIMIT,)
    assert s.describe_latest() == ["above the upper control limit"]
    assert s.describe_point(20) == ["above the upper control limit"]


def test_a_point_below_the_lower_limit_is_a_signal():
    s = xmr_signals([30, 32] * 10 + [10])
    assert flagged(s.beyond_limit) == [20]
    assert s.beyond[20] == -1
    assert s.describe_latest() == ["below the lower control limit"]


def test_a_point_on_a_limit_is_not_beyond_it_and_a_constant_series_has_no_signal():
    s = xmr_signals([5.0] * 14)
    assert s.limits.sigma == 0
    assert not s.any_rule.any()
    assert list(s.side) == [0] * 14  # every point is on the centre line


def test_a_floor_at_zero_means_no_count_is_below_the_lower_limit():
    s = xmr_signals([0, 1] * 6, floor=0)
    assert s.limits.lower == 0
    assert not s.beyond_limit.any()


# rule (b): a run on one side of the centre line

def test_eight_in_a_row_on_each_side_are_runs():
    # 8 above, one on the line (10, the mean), 8 below: mean 170 / 17 = 10
    s = xmr_signals(ABOVE + [10] + BELOW)
    assert s.limits.mean == 10
    assert not s.beyond_limit.any()
    assert flagged(s.in_run) == list(range(8)) + list(range(9, 17))
    assert s.side[8] == 0 and s.run_position[8] == 0
    assert list(s.run_position[9:]) == list(range(1, 9))
    assert s.describe_latest() == ["the 8th month in a row below the average"]
    assert s.describe_point(0) == ["one of 8 months in a row above the average"]
    assert s.rules(0) == (Rule.RUN,)


def test_seven_in_a_row_is_not_a_run():
    # 7 above, one on the line, 7 below: mean 150 / 15 = 10
    s = xmr_signals(ABOVE[:7] + [10] + BELOW[:7])
    assert s.limits.mean == 10
    assert list(s.run_total[:7]) == [7] * 7
    assert not s.in_run.any()
    assert s.describe_latest() == []


def test_a_point_on_the_centre_line_breaks_a_run():
    # 4 above, one on the line, 4 above (sum 106), then 9 below (sum 74): mean 180 / 18 = 10
    values = [11, 13, 11, 13, 10, 11, 13, 11, 13] + [7, 9, 7, 9, 9, 7, 9, 8, 9]
    s = xmr_signals(values)
    assert s.limits.mean == 10
    assert not s.in_run[:9].any()
    assert flagged(s.in_run) == list(range(9, 18))
    assert s.describe_latest(period="week") == ["the 9th week in a row below the average"]


def test_a_gap_breaks_a_run():
    values = ABOVE[:4] + [None] + ABOVE[4:] + BELOW[:4] + [None] + BELOW[4:]
    s = xmr_signals(values)
    assert s.limits.mean == 10
    assert not s.in_run.any()
    assert s.run_position[4] == 0 and s.side[4] == 0


# rule (c): a trend of rises or falls

def test_six_rises_in_a_row_are_a_trend():
    s = xmr_signals([10, 12, 10, 12, 10, 12, 10, 11, 12, 13, 14, 15, 16])
    assert flagged(s.in_trend) == [7, 8, 9, 10, 11, 12]  # the six points that each rose
    assert s.trend_position[12] == 6
    assert Rule.TREND in s.rules(12)
    assert "rising for the 6th month in a row" in s.describe_latest()
    assert "one of 6 months in a row rising" in s.describe_point(7)


def test_five_rises_in_a_row_are_not_a_trend():
    s = xmr_signals([10, 12, 10, 12, 10, 12, 10, 11, 12, 13, 14, 15])
    assert s.trend_position[11] == 5
    assert not s.in_trend.any()


def test_six_falls_in_a_row_are_a_trend():
    s = xmr_signals([20, 18, 20, 18, 20, 18, 20, 19, 18, 17, 16, 15, 14])
    assert flagged(s.in_trend) == [7, 8, 9, 10, 11, 12]
    assert "falling for the 6th month in a row" in s.describe_latest()


def test_a_tie_breaks_a_trend():
    # 10 -> 11 -> 12 -> 13, equal, then 14 -> 15 -> 16: two runs of three rises
    s = xmr_signals([10, 12, 10, 12, 10, 12, 10, 11, 12, 13, 13, 14, 15, 16])
    assert s.direction[10] == 0
    assert not s.in_trend.any()
    assert s.trend_position[13] == 3


def test_a_gap_breaks_a_trend():
    s = xmr_signals([10, 12, 10, 12, 10, 12, 10, 11, 12, 13, None, 14, 15, 16, 17])
    assert s.direction[10] == 0 and s.direction[11] == 0  # nothing to compare across the gap
    assert not s.in_trend.any()


def test_a_point_can_trigger_several_rules():
    # nine values alternating round 10, then a rise of six to far above the limits
    s = xmr_signals([10, 11, 10, 11, 10, 11, 10, 11, 10, 12, 14, 16, 18, 20, 40])
    last = len(s) - 1
    assert s.rules(last) == (Rule.BEYOND_LIMIT, Rule.TREND)
    assert s.describe_latest() == ["above the upper control limit", "rising for the 6th month in a row"]


def test_without_limits_no_rule_fires():
    s = xmr_signals(list(range(11)))  # ten rises, but only 11 values
    assert not s.limits.has_limits
    assert s.trend_position[10] == 10
    assert not s.any_rule.any()
    assert s.describe_latest() == []


def test_a_gap_as_the_latest_point_has_no_signal_to_describe():
    s = xmr_signals([10, 12] * 10 + [30, None])
    assert s.beyond_limit[20] and s.describe_latest() == []
    assert xmr_signals([]).describe_latest() == []


@pytest.mark.parametrize(("n", "word"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                         (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st"),
                                         (111, "111th")])
def test_ordinals(n, word):
    assert ordinal(n) == word
