"""Every chart kind, on hand-made results: what it draws, its colours, its text alternative, its rendering."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import polars as pl
import pytest
from PIL import Image, ImageStat

from carelens.charts import Benchmark, breakdown_chart, contrast_ratio, representation_chart, series_of, trend_chart
from carelens.charts.palette import BACKGROUND
from carelens.charts.trend import _month_end

# 30 months: a steady level, then a rise to above the upper limit; one month missing
MONTHLY = [250, 262, 255, 270, 260, 268, 258, 265, 262, 270, 266, 272, 264, 268, 260, 266,
           270, 263, 267, 275, 281, 290, 300, 310, 322, 335, 349, 360, 372, 430]


def monthly_series(values=MONTHLY, first=2023 * 12 + 9, skip=()) -> pl.DataFrame:
    ends = [_month_end(first + i) for i in range(len(values))]
    return pl.DataFrame({"period_end": [e for i, e in enumerate(ends) if i not in skip],
                         "value": [float(v) for i, v in enumerate(values) if i not in skip]})


def rows(spec: dict, layer: dict) -> list[dict]:
    """A layer's data rows: inline in the layer, or in the spec's own ``datasets`` (where Altair puts data
    that several layers share), never behind a URL."""
    data = layer.get("data", spec.get("data"))
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


@pytest.fixture(scope="module")
def charts():
    """One chart of each kind (and each trend shape), built once for the module."""
    weekly = pl.DataFrame({"period_end": [dt.date(2024, 1, 7) + dt.timedelta(days=7 * i) for i in range(110)],
                           "value": [30.0 + (i % 5) for i in range(110)]})
    return {
        "monthly": trend_chart(monthly_series(skip={20}), key="C8-trend", title="Children on child protection plans",
                               unit_name="per 10,000", counting_unit="children",
                               benchmarks=[("Neighbour median", 70.0), Benchmark("Region", 61.5),
                                           ("England", 42.1), ("Missing", None)]),
        "weekly": trend_chart(weekly, key="B1-trend", title="Contacts each week", unit_name="per_week",
                              period="week", counting_unit="contacts"),
        "short": trend_chart(monthly_series(MONTHLY[:9]), key="E1-trend", title="Children looked after",
                             unit_name="count", counting_unit="children"),
        "representation": representation_chart(
            pl.DataFrame({"group": ["10-15", "16-17", "1-4", "5-9", "under 1", "18 and over"],
                          "numerator": [120, 40, 90, 100, 30, 20],
                          "denominator": [9000, 3000, 8000, 9500, 2000, None]}),
            key="A2c-age", title="Children on plans by age", cohort_label="Children on plans", group_title="Age band"),
        "breakdown": breakdown_chart(
            pl.DataFrame({"group": ["Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse", "Multiple"],
                          "value": [45.2, 30.1, 10.4, None, 14.3]}),
            key="C10-category", title="Plans by category of abuse", unit_name="percent", group_title="Category",
            counting_unit="plans"),
    }


@pytest.fixture(scope="module")
def rendered(charts):
    return {name: (c.svg(), c.png(scale=1)) for name, c in charts.items()}


# the trend

def test_a_monthly_trend_shows_the_last_24_months_on_a_calendar_with_the_gap_kept(charts):
    data = charts["monthly"].data
    assert data.height == 24
    assert data["Month end"][0] == dt.date(2024, 4, 30) and data["Month end"][-1] == dt.date(2026, 3, 31)
    assert data.columns == ["Month end", "Children per 10,000", "Average", "Lower control limit",
                            "Upper control limit", "Signal", "Neighbour median", "Region", "England"]
    # month 20 of the 30 (June 2025) was left out of the series: a gap, not a join
    assert data.filter(pl.col("Month end") == dt.date(2025, 6, 30))["Children per 10,000"].to_list() == [None]
    line = next(layer for layer in charts["monthly"].spec["layer"] if layer["mark"]["type"] == "line")
    segments = {r["segment"] for r in rows(charts["monthly"].spec, line)}
    assert segments == {0, 1}  # the line breaks at the gap


def test_the_trend_marks_signals_and_names_them_in_the_legend_and_the_table(charts):
    chart = charts["monthly"]
    last = chart.data.row(-1, named=True)
    assert last["Children per 10,000"] == 430
    assert last["Signal"].startswith("above the upper control limit")
    points = next(layer for layer in chart.spec["layer"] if layer["mark"]["type"] == "point")
    assert points["encoding"]["shape"]["scale"] == {"domain": ["Monthly value", "Signal"],
                                                    "range": ["circle", "diamond"]}
    signal_rows = [r for r in rows(chart.spec, points) if r["marker"] == "Signal"]
    assert signal_rows and all(r["signal"] for r in signal_rows)


def test_the_trend_draws_the_average_limits_and_each_given_benchmark(charts):
    chart = charts["monthly"]
    rules = next(layer for layer in chart.spec["layer"] if layer["mark"]["type"] == "rule")
    labels = rules["encoding"]["color"]["scale"]["domain"]
    limits = chart.data.row(0, named=True)
    assert labels[0] == f"Average ({limits['Average']:.1f})"
    assert labels[1].startswith("Control limits (")
    assert labels[2:] == ["Neighbour median (70.0)", "Region (61.5)", "England (42.1)"]  # no value, no line
    assert {r["line"] for r in rows(chart.spec, rules)} == set(labels)


def test_a_weekly_trend_shows_104_weeks(charts):
    data = charts["weekly"].data
    assert data.height == 104
    assert data["Week ending"][-1] == dt.date(2024, 1, 7) + dt.timedelta(days=7 * 109)
    assert "the week ending" in charts["weekly"].alt_text


def test_a_short_series_has_no_limits_and_says_why(charts):
    chart = charts["short"]
    assert chart.data["Upper control limit"].null_count() == 9
    assert chart.spec["title"]["subtitle"] == ("No control limits: only 9 values: control limits need at least 12 "
                                               "to be steady enough to judge.")
    assert "too few months of values to draw control limits" in chart.alt_text


def test_a_trend_needs_a_title_and_one_value_a_period():
    with pytest.raises(ValueError, match="needs a title"):
        trend_chart(monthly_series(), key="x", title=" ", unit_name="count")
    twice = pl.concat([monthly_series(MONTHLY[:2]), monthly_series(MONTHLY[:1])])
    with pytest.raises(ValueError, match="two values for October 2023"):
        trend_chart(twice, key="x", title="x", unit_name="count")


def test_series_of_picks_one_indicator_window_kind_and_group_from_results():
    ends = [_month_end(2025 * 12 + i) for i in range(3)]
    results = pl.DataFrame({
        "indicator": ["C8"] * 4 + ["C9"], "period_kind": ["month"] * 3 + ["rolling_12", "month"],
        "period_end": [*ends, ends[-1], ends[0]], "breakdown": ["all"] * 5, "group": ["all"] * 5,
        "value": [1.0, 2.0, 3.0, 9.0, 7.0], "unit": ["per 10,000"] * 5})
    series, unit = series_of(results, "C8")
    assert unit == "per 10,000"
    assert series["value"].to_list() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="no week results for C8"):
        series_of(results, "C8", period_kind="week")


# representation and breakdown

def test_representation_pairs_each_groups_share_with_its_population_share(charts):
    data = charts["representation"].data
    assert data["Age band"].to_list() == ["under 1", "1-4", "5-9", "10-15", "16-17", "18 and over"]
    under_1 = data.row(0, named=True)
    # 30 of 400 children on plans; 2,000 of 31,500 children in the population
    assert under_1["Children on plans (%)"] == pytest.approx(7.5)
    assert under_1["Children aged 0–17 (%)"] == pytest.approx(100 * 2000 / 31500)
    assert under_1["Representation ratio"] == pytest.approx(7.5 / (100 * 2000 / 31500))
    adults = data.row(-1, named=True)
    assert adults["Children on plans (%)"] == 5 and adults["Children aged 0–17 (%)"] is None
    assert "18 and over: 5.0%, with no population share." in charts["representation"].alt_text


def test_a_breakdown_runs_largest_first_and_keeps_a_group_without_a_value(charts):
    chart = charts["breakdown"]
    assert chart.data["Category"].to_list() == ["Neglect", "Emotional abuse", "Multiple", "Physical abuse",
                                                "Sexual abuse"]
    assert chart.spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == chart.data["Category"].to_list()
    assert chart.alt_text == ("Bar chart: Plans by category of abuse. Percent of plans by category. From largest "
                              "to smallest: Neglect 45.2%, Emotional abuse 30.1%, Multiple 14.3% and Physical "
                              "abuse 10.4%. No value for Sexual abuse.")


# what every chart promises

def _colours(node, key=""):
    """(key, colour) for every colour string anywhere in a specification."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _colours(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _colours(v, key)
    elif isinstance(node, str) and re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", node):
        yield key, node


TEXT_KEYS = {"labelColor", "titleColor", "subtitleColor"}


@pytest.mark.parametrize("name", ["monthly", "weekly", "short", "representation", "breakdown"])
def test_every_colour_in_the_spec_has_enough_contrast_against_white(charts, name):
    found = [(k, c) for k, c in _colours(charts[name].spec) if k != "background"]
    assert found
    for key, colour in found:
        needed = 4.5 if key in TEXT_KEYS else 3.0
        assert contrast_ratio(colour) >= needed, f"{key} {colour}: {contrast_ratio(colour):.2f}"
    assert charts[name].spec["background"] == BACKGROUND


@pytest.mark.parametrize("name", ["monthly", "weekly", "short", "representation", "breakdown"])
def test_every_colour_drawn_in_the_svg_has_enough_contrast(rendered, name):
    svg = rendered[name][0]
    drawn = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', svg))
    drawn -= {"#fff", "#ffffff", "#FFFFFF"}
    assert drawn
    for colour in drawn:
        assert contrast_ratio(colour) >= 3, colour
    assert "rgb(" not in svg  # every colour is one of ours, written as hex


@pytest.mark.parametrize("name", ["monthly", "weekly", "short", "representation", "breakdown"])
def test_specs_are_self_contained_titled_and_described(charts, name):
    chart = charts[name]
    text = json.dumps(chart.spec)
    assert "http" not in text and '"url"' not in text
    assert chart.spec["title"]["text"] == chart.title
    assert chart.spec["description"] == chart.alt_text
    layers = chart.spec["layer"]
    assert all(rows(chart.spec, layer) for layer in layers)
    titled = [ch["title"] for layer in layers for axis, ch in layer["encoding"].items()
              if axis in ("x", "y") and ch.get("title")]
    assert len(set(titled)) >= 2  # both axes are labelled


NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def _known_numbers(chart) -> tuple[set[str], list[float]]:
    """What the chart's data and title say, as number strings found in text and as numeric values."""
    words, numbers = set(NUMBER.findall(chart.title)), []
    for column in chart.data.columns:
        words |= set(NUMBER.findall(column))
        for value in chart.data[column].to_list():
            if isinstance(value, dt.date):
                words |= {str(value.year), str(value.day)}
            elif isinstance(value, str):
                words |= set(NUMBER.findall(value))
            elif value is not None:
                numbers.append(float(value))
    return words, numbers


@pytest.mark.parametrize("name", ["monthly", "weekly", "short", "representation", "breakdown"])
def test_every_number_in_the_text_alternative_is_in_the_charts_data(charts, name):
    chart = charts[name]
    words, numbers = _known_numbers(chart)
    said = NUMBER.findall(chart.alt_text)
    assert said
    for token in said:
        places = len(token.split(".")[1]) if "." in token else 0
        value = float(token.replace(",", ""))
        assert token in words or any(round(n, places) == value for n in numbers), token


def test_the_monthly_alt_text_reads_as_written(charts):
    text = charts["monthly"].alt_text
    assert text.startswith("Line chart: Children on child protection plans. Children per 10,000, monthly, from "
                           "April 2024 to March 2026. It was 258.0 in April 2024 and 430.0 in March 2026. "
                           "The highest was 430.0 in March 2026; the lowest 258.0 in April 2024.")
    assert "There is no value for June 2025." in text
    assert "above the upper control limit in" in text
    assert text.endswith("For comparison: Neighbour median 70.0, Region 61.5 and England 42.1.")


@pytest.mark.parametrize("name", ["monthly", "weekly", "short", "representation", "breakdown"])
def test_each_chart_renders_to_svg_and_a_png_that_is_not_blank(rendered, charts, name):
    svg, png = rendered[name]
    assert svg.startswith("<svg") and charts[name].title in svg
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.width > 300 and image.height > 150
    assert ImageStat.Stat(image).var[0] > 100  # a blank or one-colour image has no variance
