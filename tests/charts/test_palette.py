"""The WCAG contrast ratio, checked against values worked out from the formula (and published ones)."""

from __future__ import annotations

import pytest

from carelens.charts import contrast_ratio
from carelens.charts.palette import BENCHMARKS, GOVUK, SERIES, SIGNAL, TEXT, relative_luminance


def test_black_on_white_is_21_and_a_colour_on_itself_is_1():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)  # either way round
    assert contrast_ratio("#1d70b8", "#1d70b8") == 1


def test_known_ratios():
    # #767676 is the lightest grey that passes 4.5:1 on white (4.54); GOV.UK blue is 5.17
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio(GOVUK["blue"]) == pytest.approx(5.17, abs=0.01)
    assert contrast_ratio("#fff") == 1  # short form


def test_relative_luminance_of_mid_grey_follows_the_srgb_curve():
    # 0x80 / 255 = 0.50196 -> ((0.50196 + 0.055) / 1.055) ** 2.4 = 0.21586
    assert relative_luminance("#808080") == pytest.approx(0.21586, abs=1e-5)
    with pytest.raises(ValueError, match="expected #rrggbb"):
        relative_luminance("#12345")


def test_the_colours_charts_use_pass_and_the_ones_left_out_fail():
    for colour in (SERIES, SIGNAL, *BENCHMARKS):
        assert contrast_ratio(colour) >= 3
    assert contrast_ratio(TEXT) >= 4.5
    for light in ("yellow", "orange", "light-pink", "mid-grey"):
        assert contrast_ratio(GOVUK[light]) < 3
