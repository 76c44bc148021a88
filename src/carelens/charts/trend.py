"""A measure's trend: the last 24 months (or 104 weeks) as a line, on an XmR chart, with benchmarks.

The line is drawn over a calendar of periods, not just the rows given, so a missing month is a gap in
the line (and in the control-limit arithmetic, :mod:`carelens.spc`), never two months joined as if
they were neighbours. The average and control limits are dashed lines; points that signal
special-cause variation are red diamonds, named in the legend; benchmarks (the statistical neighbours'
median, the region, England) are horizontal lines labelled with their values.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np
import polars as pl

from carelens.charts.chart import Chart
from carelens.charts.palette import BENCHMARKS, CENTRE_LINE, CONTROL_LIMIT, SERIES, SIGNAL
from carelens.charts.style import HEIGHT, WIDTH, finished_spec
from carelens.charts.units import Unit, unit
from carelens.charts.words import listed, period_name, sentence
from carelens.spc import Signals, xmr_signals

# how far back a trend looks: two years, whichever the period
WINDOW = {"month": 24, "week": 104}
X_TITLE = {"month": "Month end", "week": "Week ending"}  # the table's date column
AXIS_TITLE = {"month": "Month", "week": "Week ending"}
AVERAGE_DASH, LIMIT_DASH = [6, 4], [2, 2]
BENCHMARK_DASHES = ([1, 0], [14, 4], [14, 4, 3, 4], [3, 3, 9, 3])


@dataclass(frozen=True)
class Benchmark:
    """A value to compare the measure with, drawn as a labelled horizontal line."""

    label: str  # "Neighbour median", "Region", "England"
    value: float | None  # None: not published for this measure; not drawn


def _month_end(index: int) -> dt.date:
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def _periods(ends: Sequence[dt.date], period: str) -> list[dt.date]:
    """The calendar of periods the chart covers: the window ending at the latest period, or from the
    earliest one if the series is shorter."""
    first, last = min(ends), max(ends)
    if period == "month":
        last_i, first_i = last.year * 12 + last.month - 1, first.year * 12 + first.month - 1
        count = min(WINDOW[period], last_i - first_i + 1)
        return [_month_end(last_i - k) for k in reversed(range(count))]
    count = min(WINDOW[period], (last - first).days // 7 + 1)
    return [last - dt.timedelta(days=7 * k) for k in reversed(range(count))]


def _on_calendar(series: pl.DataFrame, period: str) -> tuple[list[dt.date], list[float | None]]:
    """Each period of the chart's calendar with its value (None where the series has none)."""
    if period not in WINDOW:
        raise ValueError(f"period {period!r}: expected month or week")
    missing = {"period_end", "value"} - set(series.columns)
    if missing:
        raise ValueError(f"a trend needs columns period_end and value; missing {', '.join(sorted(missing))}")
    rows = [(r["period_end"], r["value"]) for r in series.select("period_end", "value").iter_rows(named=True)
            if r["period_end"] is not None]
    if not rows:
        raise ValueError("a trend needs at least one period")
    key = (lambda d: (d.year, d.month)) if period == "month" else (lambda d: d)
    values: dict = {}
    for end, value in rows:
        if key(end) in values:
            raise ValueError(f"two values for {period_name(end, period)}")
        values[key(end)] = None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)
    days = _periods([end for end, _ in rows], period)
    return days, [values.get(key(d)) for d in days]


def _stretches(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each stretch of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))


def _signal_sentences(signals: Signals, days: list[dt.date], period: str) -> list[str]:
    """The signals of the whole chart, a phrase per limit crossing, run or trend."""
    said = []
    for side, where in ((1, "above the upper control limit"), (-1, "below the lower control limit")):
        hits = []
        for first, last in _stretches(signals.beyond == side):
            if last - first >= 2:
                hits.append(f"every {period} from {period_name(days[first], period)} to "
                            f"{period_name(days[last], period)}")
            else:
                hits += [period_name(days[i], period) for i in range(first, last + 1)]
        if hits:
            said.append(f"{where} in {listed(hits)}")
    # a run and a trend are stretches of points; adjacent runs on opposite sides are separate stretches
    for first, last in _stretches(signals.in_run):
        for start in [i for i in range(first, last + 1) if signals.run_position[i] == 1]:
            end = start + int(signals.run_total[start]) - 1
            where = "above" if signals.side[start] > 0 else "below"
            said.append(f"{signals.run_total[start]} {period}s in a row {where} the average, from "
                        f"{period_name(days[start], period)} to {period_name(days[end], period)}")
    for first, last in _stretches(signals.in_trend):
        for start in [i for i in range(first, last + 1) if signals.trend_position[i] == 1]:
            end = start + int(signals.trend_total[start]) - 1
            how = "rising" if signals.direction[start] > 0 else "falling"
            said.append(f"{how} {signals.trend_total[start]} {period}s in a row, from "
                        f"{period_name(days[start], period)} to {period_name(days[end], period)}")
    return said


def _alt_text(title: str, value_title: str, u: Unit, days: list[dt.date], values: list[float | None],
              signals: Signals, benchmarks: list[Benchmark], period: str) -> str:
    def name(i: int) -> str:
        return period_name(days[i], period)

    shown = [i for i, v in enumerate(values) if v is not None]
    every = "monthly" if period == "month" else "weekly"
    parts = [f"Line chart: {title}. {value_title}, {every}, from {name(0)} to {name(len(days) - 1)}."]
    if not shown:
        parts.append("There are no values to show.")
    else:
        first, last = shown[0], shown[-1]
        parts.append(f"It was {u.written(values[first])} in {name(first)} and {u.written(values[last])} "
                     f"in {name(last)}.")
        high = max(shown, key=lambda i: (values[i], -i))  # the first time the highest was reached
        low = min(shown, key=lambda i: (values[i], i))
        parts.append(f"The highest was {u.written(values[high])} in {name(high)}; the lowest "
                     f"{u.written(values[low])} in {name(low)}.")
        gaps = [name(i) for i, v in enumerate(values) if v is None]
        if gaps:
            parts.append(sentence(f"there is no value for {listed(gaps)}") if len(gaps) <= 3
                         else f"Several {period}s have no value.")
    limits = signals.limits
    places = max(u.decimals, 1)
    if limits.has_limits:
        parts.append(f"The average was {u.written(limits.mean, places)}, with control limits at "
                     f"{u.written(limits.lower, places)} and {u.written(limits.upper, places)}.")
        said = _signal_sentences(signals, days, period)
        parts.append(sentence(f"signals: {'; '.join(said)}") if said
                     else "No point signals unusual variation.")
    elif shown:
        parts.append(f"There are too few {period}s of values to draw control limits.")
    if benchmarks:
        parts.append(sentence("for comparison: " + listed([f"{b.label} {u.written(b.value)}" for b in benchmarks])))
    return " ".join(parts)


def trend_chart(series: pl.DataFrame, *, key: str, title: str, unit_name: str, period: str = "month",
                counting_unit: str | None = None, value_title: str | None = None,
                benchmarks: Sequence[Benchmark | tuple[str, float | None]] = (),
                floor: float | None = None, ceiling: float | None = None) -> Chart:
    """The trend of one measure over the last 24 months (``period="month"``) or 104 weeks (``"week"``).

    ``series`` has a ``period_end`` (date) and a ``value`` (None for a gap) per period — an indicator's
    results for one window kind, breakdown and group (:func:`series_of` picks them out). ``unit_name``
    is the indicator's unit (``rate``, ``percent`` … or the results' label, ``per 10,000`` …); it sets
    the value axis's title (unless ``value_title`` is given), how values are written, and the floor
    and ceiling the control limits stop at (unless given). ``benchmarks`` are ``Benchmark`` or
    (label, value) pairs; those without a value are left out.
    """
    u = unit(unit_name)
    days, values = _on_calendar(series, period)
    signals = xmr_signals(values, floor=u.floor if floor is None else floor,
                          ceiling=u.ceiling if ceiling is None else ceiling)
    marks = [b if isinstance(b, Benchmark) else Benchmark(*b) for b in benchmarks]
    marks = [b for b in marks if b.value is not None]
    y_title = value_title or u.axis_title(counting_unit)
    x_title = X_TITLE[period]
    limits = signals.limits
    point_label = "Monthly value" if period == "month" else "Weekly value"
    described = ["; ".join(signals.describe_point(i, period)) for i in range(len(days))]

    data = pl.DataFrame({
        x_title: days, y_title: values,
        "Average": [limits.mean] * len(days), "Lower control limit": [limits.lower] * len(days),
        "Upper control limit": [limits.upper] * len(days), "Signal": described,
        **{b.label: [float(b.value)] * len(days) for b in marks},
    }, schema_overrides={y_title: pl.Float64, "Average": pl.Float64, "Lower control limit": pl.Float64,
                         "Upper control limit": pl.Float64})

    # the spec's own field names are short and fixed; the titles carry the readable names
    gaps_before = np.cumsum([v is None for v in values])
    rows = [{"period_end": d.isoformat(), "value": v, "segment": int(g),
             "marker": "Signal" if text else point_label, "signal": text}
            for d, v, g, text in zip(days, values, gaps_before, described)]
    # a month is placed at its start, where the axis labels it, not on its last day (a day before the next tick)
    unit_of_time = "utcyearmonth" if period == "month" else "utcyearmonthdate"
    date_format = "%b %Y" if period == "month" else "%-d %b %Y"
    x = alt.X("period_end:T", timeUnit=unit_of_time, title=AXIS_TITLE[period],
              axis=alt.Axis(format=date_format, labelAngle=0,
                            tickCount={"interval": "month", "step": 3 if period == "month" else 6}))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=",~f"))
    series_data = alt.InlineData(values=rows)
    line = alt.Chart(series_data).transform_filter("isValid(datum.value)").mark_line(
        color=SERIES, strokeWidth=2).encode(x=x, y=y, detail="segment:N")
    markers = [point_label, *(["Signal"] if signals.any_rule.any() else [])]
    marker_scale = dict(domain=markers)
    tooltip = [alt.Tooltip("period_end:T", timeUnit=unit_of_time, title=x_title,
                           format="%B %Y" if period == "month" else "%-d %B %Y"),
               alt.Tooltip("value:Q", title=y_title, format=u.axis_format()), alt.Tooltip("signal:N", title="Signal")]
    points = alt.Chart(series_data).transform_filter("isValid(datum.value)").mark_point(
        filled=True, opacity=1).encode(
        x=x, y=y,
        color=alt.Color("marker:N", title=None, scale=alt.Scale(**marker_scale, range=[SERIES, SIGNAL])),
        shape=alt.Shape("marker:N", title=None, scale=alt.Scale(**marker_scale, range=["circle", "diamond"])),
        size=alt.Size("marker:N", title=None, scale=alt.Scale(**marker_scale, range=[30, 110])),
        tooltip=tooltip)
    layers = [line, points]

    places = max(u.decimals, 1)
    lines = []
    if limits.has_limits:
        lines += [(f"Average ({u.written(limits.mean, places)})", limits.mean, CENTRE_LINE, AVERAGE_DASH)]
        limit_label = f"Control limits ({u.written(limits.lower, places)} and {u.written(limits.upper, places)})"
        lines += [(limit_label, limits.lower, CONTROL_LIMIT, LIMIT_DASH),
                  (limit_label, limits.upper, CONTROL_LIMIT, LIMIT_DASH)]
    for b, colour, dash in zip(marks, BENCHMARKS, BENCHMARK_DASHES):
        lines.append((f"{b.label} ({u.written(b.value)})", float(b.value), colour, dash))
    if len(marks) > len(BENCHMARKS):
        raise ValueError(f"at most {len(BENCHMARKS)} benchmarks can be told apart")
    if lines:
        labels = list(dict.fromkeys(label for label, *_ in lines))
        style = {label: (colour, dash) for label, _, colour, dash in lines}
        rule_rows = [{"line": label, "y": value} for label, value, *_ in lines]
        layers.insert(0, alt.Chart(alt.InlineData(values=rule_rows)).mark_rule(strokeWidth=1.5).encode(
            y=alt.Y("y:Q"),
            color=alt.Color("line:N", title=None, legend=alt.Legend(columns=2), scale=alt.Scale(domain=labels,
                                                                  range=[style[k][0] for k in labels])),
            strokeDash=alt.StrokeDash("line:N", title=None, legend=alt.Legend(columns=2), scale=alt.Scale(domain=labels,
                                                                            range=[style[k][1] for k in labels])),
            tooltip=[alt.Tooltip("line:N", title="Line")]))

    alt_text = _alt_text(title, y_title, u, days, values, signals, marks, period)
    subtitle = None if limits.has_limits or not any(v is not None for v in values) else \
        f"No control limits: {limits.why_none}."
    chart = alt.layer(*layers).resolve_scale(color="independent", strokeDash="independent", shape="independent",
                                                           size="independent").properties(
        width=WIDTH, height=HEIGHT)
    spec = finished_spec(chart, title=title, subtitle=subtitle, alt_text=alt_text)
    return Chart(key, title, spec, data, alt_text)


def series_of(results: pl.DataFrame, indicator: str, *, period_kind: str = "month", breakdown: str = "all",
              group: str = "all") -> tuple[pl.DataFrame, str]:
    """One indicator's series (period_end, value) and unit label, picked from indicator results — the
    ``values`` of :func:`carelens.indicators.api.figures` over a series of windows."""
    rows = results.filter((pl.col("indicator") == indicator) & (pl.col("period_kind") == period_kind)
                          & (pl.col("breakdown") == breakdown) & (pl.col("group") == group))
    if rows.is_empty():
        raise ValueError(f"no {period_kind} results for {indicator} ({breakdown} {group})")
    if "la_code" in rows.columns and rows["la_code"].n_unique() > 1:
        raise ValueError(f"{indicator}: results of several authorities; pick one")
    units = rows["unit"].unique().to_list()
    if len(units) != 1:
        raise ValueError(f"{indicator}: results in several units ({', '.join(map(str, units))})")
    return rows.select("period_end", "value").sort("period_end"), units[0]
