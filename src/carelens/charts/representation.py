"""Representation: each group's share of a cohort of children beside its share of the population.

A group that is 20% of the children on plans but 10% of all children aged 0–17 is over-represented
(a ratio of 2). The chart pairs the two shares per group — the cohort in blue, the population in dark
grey, with each bar's percentage written at its end — so the gap reads directly; the ratio is in the
table and the text alternative.
"""

from __future__ import annotations

import re

import altair as alt
import polars as pl

from carelens.charts.chart import Chart
from carelens.charts.palette import COMPARISON, SERIES, TEXT
from carelens.charts.style import WIDTH, finished_spec
from carelens.charts.words import listed

BAR_HEIGHT = 16  # each bar of a pair, in pixels


def natural_order(groups: list[str]) -> list[str]:
    """Groups in the order a reader expects: age bands by age ("under 1", "1-4", "5-9", "10-15" …), then
    the rest alphabetically."""
    def key(group: str) -> tuple:
        text = group.strip().lower()
        if text.startswith("under"):
            return (0, -1.0, text)
        number = re.match(r"\d+(\.\d+)?", text)
        return (0, float(number.group()), text) if number else (1, 0.0, text)

    return sorted(groups, key=key)


def representation_chart(rows: pl.DataFrame, *, key: str, title: str, cohort_label: str,
                         population_label: str = "Children aged 0–17", group_title: str = "Group",
                         order: list[str] | None = None) -> Chart:
    """Each group's share of the cohort against its share of the population, as paired horizontal bars.

    ``rows`` are one window's results of a representation indicator for one breakdown (age band or
    sex): ``group``, ``numerator`` (children of the cohort in the group) and ``denominator`` (the
    group's population, None where it has none: children aged 18 or over, sex unknown). Shares are of
    all the cohort's children, and of the population the groups with one add up to. ``order`` fixes the
    groups' order (by default :func:`natural_order`).
    """
    missing = {"group", "numerator", "denominator"} - set(rows.columns)
    if missing:
        raise ValueError(f"representation needs columns group, numerator, denominator; missing "
                         f"{', '.join(sorted(missing))}")
    if rows.is_empty():
        raise ValueError("representation needs at least one group")
    counted = rows["numerator"].fill_null(0).sum()
    population = rows["denominator"].drop_nulls().sum()
    by_group = {r["group"]: r for r in rows.iter_rows(named=True)}
    groups = order or natural_order(list(by_group))

    cohort_title = f"{cohort_label} (%)"
    population_title = f"{population_label} (%)"
    shares = []
    for g in groups:
        r = by_group[g]
        cohort = 100 * (r["numerator"] or 0) / counted if counted else None
        pop = 100 * r["denominator"] / population if r["denominator"] is not None and population else None
        ratio = cohort / pop if cohort is not None and pop else None
        shares.append((g, cohort, pop, ratio))
    data = pl.DataFrame(shares, schema={group_title: pl.String, cohort_title: pl.Float64,
                                        population_title: pl.Float64, "Representation ratio": pl.Float64},
                        orient="row")

    values = [{"group": g, "series": label, "share": share}
              for g, cohort, pop, _ in shares for label, share in ((cohort_label, cohort), (population_label, pop))
              if share is not None]
    series = [cohort_label, population_label]
    y = alt.Y("group:N", title=group_title, sort=groups)
    y_offset = alt.YOffset("series:N", sort=series, scale=alt.Scale(domain=series))
    x = alt.X("share:Q", title="Share (%)", axis=alt.Axis(format=",~f"))
    base = alt.Chart(alt.InlineData(values=values)).encode(y=y, yOffset=y_offset, x=x)
    bars = base.mark_bar().encode(
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=series, range=[SERIES, COMPARISON])),
        tooltip=[alt.Tooltip("group:N", title=group_title), alt.Tooltip("series:N", title="Of"),
                 alt.Tooltip("share:Q", title="Share (%)", format=".1f")])
    labels = base.mark_text(align="left", baseline="middle", dx=3, color=TEXT, fontSize=11).encode(
        text=alt.Text("share:Q", format=".1f"))
    chart = alt.layer(bars, labels).properties(width=WIDTH - 120, height=alt.Step(BAR_HEIGHT, **{"for": "offset"}))

    alt_text = _alt_text(title, cohort_label, population_label, group_title, shares)
    spec = finished_spec(chart, title=title, subtitle=None, alt_text=alt_text)
    return Chart(key, title, spec, data, alt_text)


def _alt_text(title: str, cohort_label: str, population_label: str, group_title: str,
              shares: list[tuple[str, float | None, float | None, float | None]]) -> str:
    def pct(v: float | None) -> str:
        return "no share" if v is None else f"{v:.1f}%"

    parts = [f"Bar chart: {title}. For each {group_title.lower()}, its share of {cohort_label.lower()} beside "
             f"its share of {population_label.lower()}."]
    for g, c, p, _ in shares:
        named = g[:1].upper() + g[1:]
        parts.append(f"{named}: {pct(c)} against {pct(p)}." if p is not None
                     else f"{named}: {pct(c)}, with no population share.")
    ratios = [(g, r) for g, _, _, r in shares if r is not None]
    if ratios:
        over = max(ratios, key=lambda t: t[1])
        under = min(ratios, key=lambda t: t[1])
        said = []
        if over[1] > 1:
            said.append(f"the most over-represented is {over[0]} ({over[1]:.2f} times its population share)")
        if under[1] < 1:
            said.append(f"the most under-represented is {under[0]} ({under[1]:.2f} times)")
        if said:
            text = listed(said)
            parts.append(text[0].upper() + text[1:] + ".")
    return " ".join(parts)
