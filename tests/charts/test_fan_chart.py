"""The fan chart and the baseline-against-scenario chart, on hand-made forecast summaries: what they draw, their
colours against white and against the bands they lie on, their text alternatives (every number found in the
chart's data), and that bad frames are refused with a reason."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import polars as pl
import pytest
from PIL import Image, ImageStat

from carelens.charts import contrast_ratio
from carelens.charts.fan import fan_chart, scenario_chart
from carelens.charts.palette import (
    BAND_EDGE,
    BAND_TINTS,
    MEDIAN,
    SCENARIO_BAND_OPACITY,
    SCENARIOS,
    SERIES,
    tint,
)

START = dt.date(2026, 3, 31)


def month_end(months_after_start: int) -> dt.date:
    index = START.year * 12 + START.month - 1 + months_after_start + 1  # the month after: its first day's eve
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def summary(months: int = 12, median=lambda i: 100 + i, series: str = "total") -> pl.DataFrame:
    """A forecast whose median at month i is ``median(i)``, its 50% interval ± i, 80% ± 2i and 95% ± 3i."""
    rows = []
    for i in range(1, months + 1):
        m = median(i)
        rows.append({"date": month_end(i), "series": series, "lower_95": m - 3 * i, "lower_80": m - 2 * i,
                     "lower_50": m - i, "median": m, "upper_50": m + i, "upper_80": m + 2 * i, "upper_95": m + 3 * i})
    return pl.DataFrame(rows)


# six month ends up to the forecast's start: 95, 96 … 100
HISTORY = pl.DataFrame({"date": [month_end(i) for i in range(-5, 1)], "value": [95, 96, 97, 98, 99, 100]})


def rows(spec: dict, layer: dict) -> list[dict]:
    data = layer.get("data", spec.get("data"))
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


@pytest.fixture(scope="module")
def fan():
    return fan_chart(summary(), key="forecast-total", title="Children in care", history=HISTORY,
                     value_title="Children in care")


@pytest.fixture(scope="module")
def compared():
    return scenario_chart([("Baseline", summary()), ("Fewer entries", summary(median=lambda i: 100 + i // 2))],
                          key="scenario-total", title="Children in care: baseline and scenario",
                          value_title="Children in care")


# the fan chart

def test_the_table_holds_the_history_then_the_forecast(fan):
    data = fan.data
    assert data.columns == ["Month end", "Actual", "Median forecast", "50% interval, lower", "50% interval, upper",
                            "80% interval, lower", "80% interval, upper", "95% interval, lower",
                            "95% interval, upper"]
    assert data.height == 6 + 12
    assert data["Month end"].to_list() == [month_end(i) for i in range(-5, 13)]
    assert data["Actual"].to_list()[:6] == [95, 96, 97, 98, 99, 100] and data["Actual"][6] is None
    last = data.row(-1, named=True)  # March 2027, month 12: median 112, ± 12, 24 and 36
    assert (last["Median forecast"], last["50% interval, lower"], last["80% interval, upper"],
            last["95% interval, lower"]) == (112, 100, 136, 76)
    assert data["Median forecast"][:6].null_count() == 6


def test_the_bands_are_drawn_widest_first_and_start_at_the_last_actual_value(fan):
    layers = fan.spec["layer"]
    areas = [layer for layer in layers if layer["mark"]["type"] == "area"]
    assert [rows(fan.spec, a)[0]["band"] for a in areas] == ["95% interval", "80% interval", "50% interval"]
    for area in areas:
        first = rows(fan.spec, area)[0]
        assert first["date"] == "2026-03-31" and first["lower"] == first["upper"] == 100  # every future starts there
    fill = areas[0]["encoding"]["fill"]["scale"]
    assert fill == {"domain": ["95% interval", "80% interval", "50% interval"],
                    "range": [BAND_TINTS[95], BAND_TINTS[80], BAND_TINTS[50]]}
    edges = next(layer for layer in layers if layer["mark"]["type"] == "line" and "detail" in layer["encoding"])
    assert edges["mark"]["color"] == BAND_EDGE
    assert edges["encoding"]["strokeDash"]["scale"]["range"] == [[1, 3], [4, 3], [1, 0]]  # dotted, dashed, solid
    assert len({r["edge"] for r in rows(fan.spec, edges)}) == 6  # each interval's lower and upper edge
    lines = next(layer for layer in layers if layer["mark"]["type"] == "line" and "color" in layer["encoding"])
    assert lines["encoding"]["color"]["scale"]["domain"] == ["Actual", "Median forecast"]
    median = [r for r in rows(fan.spec, lines) if r["line"] == "Median forecast"]
    assert (median[0]["date"], median[0]["value"]) == ("2026-03-31", 100) and median[-1]["value"] == 112
    rule = next(layer for layer in layers if layer["mark"]["type"] == "rule")
    assert rows(fan.spec, rule)[0]["date"] == "2026-03-31"  # the forecast's start marked


def test_the_fan_charts_text_alternative_reads_as_written(fan):
    assert fan.alt_text == (
        "Fan chart: Children in care. Children in care: actual from October 2025 to March 2026, and the forecast "
        "from April 2026 to March 2027, its median with 50%, 80% and 95% intervals. The last actual value before "
        "the forecast was 100 in March 2026. March 2027: median 112; 50% interval 100 to 124; 80% interval 88 to "
        "136; 95% interval 76 to 148.")


def test_a_long_forecast_reads_out_each_year_and_the_last_in_full():
    chart = fan_chart(summary(months=24), key="k", title="Two years", value_title="Children in care")
    assert ("March 2027: median 112 (80% interval 88 to 136). March 2028: median 124; 50% interval 100 to 148; "
            "80% interval 76 to 172; 95% interval 52 to 196.") in chart.alt_text
    assert "actual" not in chart.alt_text.split(".")[1]  # no history given, none said
    assert chart.data.columns[1] == "Actual" and chart.data["Actual"].null_count() == 24


def test_history_after_the_start_is_drawn_over_the_fan_and_said():
    outcome = pl.concat([HISTORY, pl.DataFrame({"date": [month_end(1), month_end(2)], "value": [103, 99]})])
    chart = fan_chart(summary(), key="k", title="Backtest", history=outcome)
    assert chart.data.filter(pl.col("Month end") == month_end(1)).row(0) == (month_end(1), 103, 101, 100, 102, 99,
                                                                               103, 98, 104)
    assert chart.alt_text.endswith("Actual values are drawn over the forecast from April 2026 to May 2026.")


def test_a_summary_of_several_series_needs_one_named():
    both = pl.concat([summary(), summary(median=lambda i: 20 + i, series="residential")])
    chart = fan_chart(both, key="k", title="Residential", series="residential")
    assert chart.data["Median forecast"][-1] == 32
    with pytest.raises(ValueError, match="several series .*name one"):
        fan_chart(both, key="k", title="x")
    with pytest.raises(ValueError, match="no series 'kinship'"):
        fan_chart(both, key="k", title="x", series="kinship")


def test_bad_frames_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="missing upper_95"):
        fan_chart(summary().drop("upper_95"), key="k", title="x")
    crossed = summary().with_columns(pl.when(pl.col("date") == month_end(3)).then(200).otherwise(pl.col("lower_50"))
                                     .alias("lower_50"))
    with pytest.raises(ValueError, match="2026-06-30 the intervals are not nested"):
        fan_chart(crossed, key="k", title="x")
    with pytest.raises(ValueError, match="two rows for 2026-04-30"):
        fan_chart(pl.concat([summary(1), summary(1)]), key="k", title="x")
    with pytest.raises(ValueError, match="needs a title"):
        fan_chart(summary(), key="k", title="")
    with pytest.raises(ValueError, match="history needs columns date and value; missing value"):
        fan_chart(summary(), key="k", title="x", history=HISTORY.rename({"value": "children"}))


# baseline against a scenario

def test_the_comparison_table_gives_each_forecast_and_its_difference_from_the_baseline(compared):
    data = compared.data
    assert data.columns == ["Month end", "Baseline: median", "Baseline: 80% interval, lower",
                            "Baseline: 80% interval, upper", "Fewer entries: median",
                            "Fewer entries: 80% interval, lower", "Fewer entries: 80% interval, upper",
                            "Fewer entries: difference from Baseline", "Fewer entries: difference from Baseline (%)"]
    last = data.row(-1, named=True)  # month 12: baseline 112, the scenario 100 + 6 = 106
    assert last["Fewer entries: median"] == 106 and last["Fewer entries: difference from Baseline"] == -6
    assert last["Fewer entries: difference from Baseline (%)"] == pytest.approx(-600 / 112)


def test_the_comparison_draws_each_median_and_interval_in_its_own_colour_and_dash(compared):
    layers = compared.spec["layer"]
    lines = layers[-1]
    assert lines["encoding"]["color"]["scale"] == {"domain": ["Baseline", "Fewer entries"],
                                                   "range": list(SCENARIOS[:2])}
    assert lines["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [8, 4]]
    wash = layers[0]
    assert wash["mark"] == {"type": "area", "fillOpacity": SCENARIO_BAND_OPACITY}
    edges = layers[1]
    assert edges["encoding"]["color"] == lines["encoding"]["color"]  # one legend: the line and its edges
    assert len({r["edge"] for r in rows(compared.spec, edges)}) == 4


def test_the_comparisons_text_alternative_says_the_difference_at_the_last_date(compared):
    assert compared.alt_text == (
        "Line chart: Children in care: baseline and scenario. Children in care, forecast from April 2026 to March "
        "2027: the median and 80% interval of Baseline and Fewer entries, the first the baseline. In March 2027: "
        "Baseline 112 (80% interval 88 to 136); Fewer entries 106 (82 to 130), 6 fewer than Baseline (5.4%).")


def test_a_scenario_the_same_as_the_baseline_says_so_and_history_is_said():
    chart = scenario_chart([("Baseline", summary()), ("No change", summary())], key="k", title="Same",
                           history=HISTORY)
    assert "No change 112 (88 to 136), the same as Baseline." in chart.alt_text
    assert "Actual values are drawn from October 2025 to March 2026." in chart.alt_text
    assert chart.data.columns[1] == "Actual"


def test_scenarios_that_cannot_be_compared_are_refused():
    later = summary().with_columns(pl.col("date").dt.offset_by("2y").dt.month_end())
    with pytest.raises(ValueError, match="no date in common"):
        scenario_chart([("Baseline", summary()), ("Later", later)], key="k", title="x")
    with pytest.raises(ValueError, match="a name of its own"):
        scenario_chart([("A", summary()), ("A", summary())], key="k", title="x")
    with pytest.raises(ValueError, match="at most 4"):
        scenario_chart([(str(i), summary()) for i in range(5)], key="k", title="x")
    with pytest.raises(ValueError, match="interval 90"):
        scenario_chart([("A", summary())], key="k", title="x", level=90)


# what every chart promises: numbers from the data, contrast, a self-contained spec, a drawing

NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@pytest.mark.parametrize("name", ["fan", "compared"])
def test_every_number_in_the_text_alternative_is_in_the_charts_data(request, name):
    chart = request.getfixturevalue(name)
    words = set(NUMBER.findall(chart.title)) | {n for c in chart.data.columns for n in NUMBER.findall(c)}
    numbers = []
    for column in chart.data.columns:
        for value in chart.data[column].to_list():
            if isinstance(value, dt.date):
                words.add(str(value.year))
            elif value is not None:
                numbers.append(abs(float(value)))  # a difference is said as its size, with more or fewer
    said = NUMBER.findall(chart.alt_text)
    assert len(said) > 8
    for token in said:
        places = len(token.split(".")[1]) if "." in token else 0
        value = float(token.replace(",", ""))
        assert token in words or any(round(n, places) == value for n in numbers), token


def _colours(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "background":
                yield from _colours(v)
    elif isinstance(node, list):
        for v in node:
            yield from _colours(v)
    elif isinstance(node, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", node):
        yield node


def _over(colour: str, opacity: float, background: str) -> str:
    """``colour`` at ``opacity`` over ``background``: what the eye sees."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    under = [int(background[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(opacity * a + (1 - opacity) * b):02x}" for a, b in zip(rgb, under, strict=True))


def test_the_fans_lines_and_edges_pass_against_white_and_every_band_and_only_the_tints_are_lighter(fan):
    found = set(_colours(fan.spec))
    tints = set(BAND_TINTS.values())
    assert tints <= found
    for colour in found - tints:
        assert contrast_ratio(colour) >= 3, colour
    for band in tints:  # the tints are too light to read on white (they only group the edges) …
        assert contrast_ratio(band) < 3
        # … so the edges, and the median drawn over the innermost band, carry the intervals
        assert contrast_ratio(BAND_EDGE, band) >= 3 and contrast_ratio(MEDIAN, band) >= 3
    assert contrast_ratio(BAND_EDGE) >= 3
    assert tint(SERIES, 0.5) == "#8eb8dc" == BAND_TINTS[50]  # 255 − (255 − 29) / 2 = 142 = 0x8e, and so on
    assert tint(SERIES, 1) == SERIES and tint(SERIES, 0) == "#ffffff"


def test_every_scenario_line_passes_where_all_four_washes_overlap():
    background = "#ffffff"
    for colour in SCENARIOS:
        background = _over(colour, SCENARIO_BAND_OPACITY, background)
    for colour in SCENARIOS:
        assert contrast_ratio(colour, background) >= 3, colour
        assert contrast_ratio(colour) >= 3


@pytest.mark.parametrize("name", ["fan", "compared"])
def test_the_rendered_chart_draws_only_checked_colours(request, name):
    chart = request.getfixturevalue(name)
    svg = chart.svg()
    drawn = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', svg)) - {"#fff", "#ffffff"}
    assert drawn
    for colour in drawn:
        assert contrast_ratio(colour) >= 3 or colour in BAND_TINTS.values(), colour
    assert "rgb(" not in svg
    image = Image.open(io.BytesIO(chart.png(scale=1))).convert("L")
    assert image.width > 300 and image.height > 150 and ImageStat.Stat(image).var[0] > 100


@pytest.mark.parametrize("name", ["fan", "compared"])
def test_the_spec_is_self_contained_titled_and_described(request, name):
    chart = request.getfixturevalue(name)
    assert "http" not in json.dumps(chart.spec) and '"url"' not in json.dumps(chart.spec)
    assert chart.spec["title"]["text"] == chart.title
    assert chart.spec["description"] == chart.alt_text
    titles = {layer["encoding"][axis].get("title") for layer in chart.spec["layer"] for axis in ("x", "y")
              if axis in layer.get("encoding", {})}
    assert {"Month", "Children in care"} <= titles
