"""Which chart the report draws for a measure or a table, from the shared chart functions (:mod:`carelens.charts`)
— the web app draws the same ones.

A measure's trend: its monthly (or weekly) values over the last 24 months (104 weeks), with its control
limits and signals, and the published neighbour median, region and England where the units compare (a
stock or a percentage: a month's flow is not comparable with a year's published rate). A breakdown table:
bars of its groups. A representation table: the cohort's share against the population's, by group.
Published: a point whose count is below the threshold is left out of the chart (and its table view).
"""

from __future__ import annotations

import polars as pl

from carelens.charts import Chart
from carelens.indicators.api import definition
from carelens.report.disclosure_control import Disclosed
from carelens.report.document import Kind, Mark, Table
from carelens.report.figures import ReportFigures
from carelens.report.narrative.paragraphs import is_stock, trend_window, value_kind
from carelens.report.sections import Measure
from carelens.report.tables import Counted

Y_TITLES = {Kind.RATE: "per 10,000 children", Kind.PERCENT: "%", Kind.COUNT: "number", Kind.DAYS: "days",
            Kind.DECIMAL: "", Kind.RATIO: "ratio"}


def _y_title(ind, kind: Kind) -> str:
    if ind.unit.value == "per_week":
        return "per week"
    if ind.unit.value in ("mean", "median") and kind is Kind.DECIMAL:
        return ind.unit.value
    return Y_TITLES[kind]


def trend(m: Measure, figures: ReportFigures, disclosed: Disclosed, small_below: int | None) -> Chart | None:
    from carelens.charts.trend import trend_chart

    ind = definition(m.indicator)
    window = trend_window(ind)
    frame = figures.window(ind.id, window).select("period_end", "value", "numerator")
    if frame.is_empty() or frame["value"].null_count() == frame.height:
        return None
    if small_below is not None:
        frame = frame.with_columns(pl.when((pl.col("numerator") > 0) & (pl.col("numerator") < small_below))
                                   .then(None).otherwise(pl.col("value")).alias("value"))
    kind = value_kind(ind)
    benchmarks = []
    b = figures.benchmarks.get(ind.id)
    if b is not None and (is_stock(ind) or kind is Kind.PERCENT) and kind is not Kind.COUNT:
        for label, value in ((f"Neighbour median {b.year}", b.neighbour_median),
                             (f"{b.region_name or 'Region'} {b.year}", b.region), (f"England {b.year}", b.england)):
            if value is not None:
                benchmarks.append((label, value))
    span = "the last 104 weeks" if window == "week" else "the last 24 months"
    return trend_chart(f"{ind.id}-trend", f"{ind.title}, {span}", frame.select("period_end", "value"),
                       y_title=_y_title(ind, kind), frequency=window, benchmarks=benchmarks,
                       floor=0.0, ceiling=100.0 if kind is Kind.PERCENT else None)


def of_table(counted: Counted, table: Table) -> Chart | None:
    """Bars of a breakdown table's groups (not its total), or the representation chart of a representation
    table's first cohort; none for the ratio and team tables, which are read as tables."""
    from carelens.charts.breakdown import breakdown_chart
    from carelens.charts.representation import representation_chart

    key = table.key
    if key.startswith("representation-"):
        rows = [(r[0], r[1], r[-1]) for r in table.rows if not isinstance(r[1], Mark) and r[1] is not None]
        if not rows:
            return None
        frame = pl.DataFrame(rows, schema={"group": pl.String, "cohort": pl.Float64, "population": pl.Float64},
                             orient="row")
        return representation_chart(f"{key}-chart", f"Open cases against the population, by "
                                    f"{'sex' if key.endswith('sex') else 'age'}", frame,
                                    cohort_label=table.columns[1].label)
    if key in ("ratio_table", "caseloads_by_team", "at_a_glance"):
        return None
    rows = [(r[0], r[1]) for r in table.rows[:-1] if isinstance(r[1], int | float)]
    if not rows:
        return None
    frame = pl.DataFrame(rows, schema={"group": pl.String, "value": pl.Float64}, orient="row")
    return breakdown_chart(f"{key}-chart", table.caption, frame, x_title="Number", y_title=table.columns[0].label)
