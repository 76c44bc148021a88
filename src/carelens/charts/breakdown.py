"""A breakdown's groups as horizontal bars: plans by category of abuse, the placement mix, caseloads by team.

Bars run largest first (unless the caller fixes an order) with each value written at the bar's end, so
the chart reads without the axis; a group with no value (suppressed, or not computable) keeps its row,
with no bar, and the text alternative says so.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from carelens.charts.chart import Chart
from carelens.charts.palette import SERIES, TEXT
from carelens.charts.style import WIDTH, finished_spec
from carelens.charts.units import unit
from carelens.charts.words import listed

BAR_HEIGHT = 22
MOST_LISTED = 12  # a text alternative names every group up to this many; beyond, the largest and smallest


def breakdown_chart(rows: pl.DataFrame, *, key: str, title: str, unit_name: str, group_title: str = "Group",
                    counting_unit: str | None = None, value_title: str | None = None,
                    order: list[str] | None = None) -> Chart:
    """Horizontal bars, one per group of a breakdown, from ``rows`` with ``group`` and ``value``: one
    window's results of an indicator split by a breakdown (or any groups and values in one unit)."""
    missing = {"group", "value"} - set(rows.columns)
    if missing:
        raise ValueError(f"a breakdown chart needs columns group and value; missing {', '.join(sorted(missing))}")
    if rows.is_empty():
        raise ValueError("a breakdown chart needs at least one group")
    u = unit(unit_name)
    pairs = [(r["group"], r["value"]) for r in rows.iter_rows(named=True)]
    if len({g for g, _ in pairs}) != len(pairs):
        raise ValueError("each group once: the rows repeat a group")
    if order:
        known = dict(pairs)
        pairs = [(g, known.get(g)) for g in order]
    else:  # largest first; groups without a value last, in the order given
        pairs = sorted(pairs, key=lambda p: (p[1] is None, -(p[1] or 0)))
    groups = [g for g, _ in pairs]
    x_title = value_title or u.axis_title(counting_unit)
    data = pl.DataFrame(pairs, schema={group_title: pl.String, x_title: pl.Float64}, orient="row")

    values = [{"group": g, "value": v} for g, v in pairs]
    text_format = u.axis_format()
    base = alt.Chart(alt.InlineData(values=values)).encode(
        y=alt.Y("group:N", title=group_title, sort=groups, scale=alt.Scale(domain=groups),
                axis=alt.Axis(labelLimit=240)),
        x=alt.X("value:Q", title=x_title, axis=alt.Axis(format=",~f"),
                scale=alt.Scale(domain=[0, 100]) if u.kind == "percent" else alt.Undefined))
    bars = base.mark_bar(color=SERIES).encode(tooltip=[alt.Tooltip("group:N", title=group_title),
                                                       alt.Tooltip("value:Q", title=x_title, format=text_format)])
    labels = base.transform_filter("isValid(datum.value)").mark_text(
        align="left", baseline="middle", dx=3, color=TEXT, fontSize=11).encode(
        text=alt.Text("value:Q", format=text_format))
    # a group without a value keeps its row (the y scale's domain is every group), with no bar
    chart = alt.layer(bars, labels).properties(
        width=WIDTH - 160, height=alt.Step(BAR_HEIGHT))

    alt_text = _alt_text(title, x_title, group_title, u, pairs)
    spec = finished_spec(chart, title=title, subtitle=None, alt_text=alt_text)
    return Chart(key, title, spec, data, alt_text)


def _alt_text(title, x_title, group_title, u, pairs) -> str:
    present = [(g, v) for g, v in pairs if v is not None]
    parts = [f"Bar chart: {title}. {x_title} by {group_title.lower()}."]
    named = [f"{g} {u.written(v)}" for g, v in present]
    if len(present) <= MOST_LISTED:
        if named:
            parts.append(f"From largest to smallest: {listed(named)}." if not _fixed(pairs)
                         else f"{listed(named)}.")
    else:
        by_size = sorted(present, key=lambda p: -p[1])
        parts.append(f"Largest: {listed([f'{g} {u.written(v)}' for g, v in by_size[:3]])}; smallest: "
                     f"{listed([f'{g} {u.written(v)}' for g, v in by_size[-3:]])}.")
    empty = [g for g, v in pairs if v is None]
    if empty:
        parts.append(f"No value for {listed(empty)}.")
    return " ".join(parts)


def _fixed(pairs) -> bool:
    """Whether the bars are in an order other than largest first (the caller's)."""
    values = [v for _, v in pairs if v is not None]
    return values != sorted(values, reverse=True)
