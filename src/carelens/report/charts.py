"""Which chart the report draws for a measure or a table, from the shared chart functions (:mod:`carelens.charts`)
— the web app draws the same ones.

A measure's trend: its monthly (or weekly) values over the last 24 months (104 weeks), with its control
limits and signals, and the published neighbour median, region and England where the units compare (rates —
a flow's are annualised —, percentages and averages; not counts, which depend on the authority's size).
A breakdown table: bars of its groups. A representation table: the cohort's share against the population's, by group.
Published: a point whose count is below the threshold is left out of the chart (and its table view).
"""

from __future__ import annotations

import polars as pl

from carelens.charts import Chart
from carelens.indicators.api import Indicator, definition
from carelens.report.disclosure_control import Disclosed, small_points
from carelens.report.document import Kind, Table
from carelens.report.figures import Benchmark, ReportFigures
from carelens.report.narrative.paragraphs import trend_window, value_kind
from carelens.report.sections import Measure
from carelens.report.tables import AGE_ORDER, GROUP_NAMES, Counted


def benchmark_lines(ind: Indicator, b: Benchmark | None, window: str) -> list[tuple[str, float]]:
    """The published comparators a trend draws as lines, where the units compare: a flow's rate is annualised
    (count × 365 / days per 10,000), so a month's rate compares with the year's published one as a stock's or a
    percentage does; a count (adoptions, SGOs) depends on the authority's size, and a weekly measure has no
    published figure, so neither gets lines."""
    if b is None or value_kind(ind) is Kind.COUNT or window != "month":
        return []
    lines = ((f"Neighbour median {b.year}", b.neighbour_median), (f"{b.region_name or 'Region'} {b.year}", b.region),
             (f"England {b.year}", b.england))
    return [(label, value) for label, value in lines if value is not None]


def trend_of(ind: Indicator, series: pl.DataFrame, benchmark: Benchmark | None, small_below: int | None,
             counting_unit: str | None = None) -> Chart | None:
    """An indicator's trend over its monthly (or weekly) windows — ``series`` one row per window with
    ``period_end``, ``value`` and its counts — with its benchmark lines; published (``small_below``), a point
    counted from fewer children is left out. None when there is nothing to draw. The report's and the web app's
    indicator trends are both this."""
    from carelens.charts.trend import trend_chart

    if series.is_empty() or series["value"].null_count() == series.height:
        return None
    if small_below is not None:
        series = small_points(series, small_below)
    window = trend_window(ind)
    span = "the last 104 weeks" if window == "week" else "the last 24 months"
    return trend_chart(series.select("period_end", "value"), key=f"{ind.id}-trend", title=f"{ind.title}, {span}",
                       unit_name=ind.unit.value, period=window, counting_unit=counting_unit,
                       benchmarks=benchmark_lines(ind, benchmark, window))


def trend(m: Measure, figures: ReportFigures, small_below: int | None) -> Chart | None:
    """A measure's trend in the report."""
    ind = definition(m.indicator)
    return trend_of(ind, figures.window(ind.id, trend_window(ind)), figures.benchmarks.get(ind.id), small_below,
                    m.counted)


def of_table(counted: Counted, table: Table, figures: ReportFigures, disclosed: Disclosed) -> Chart | None:
    """Bars of a breakdown table's groups (not its total), or the representation of open cases by the table's
    groups; none for the ratio and team tables, which are read as tables. Published: a bar whose count is
    hidden is left out, and a representation chart with any hidden count is not drawn (its shares would give
    the count away); the table shows [c]."""
    from carelens.charts.breakdown import breakdown_chart
    from carelens.charts.representation import representation_chart

    key = table.key
    if key.startswith("representation-"):
        breakdown = key.removeprefix("representation-")
        indicator, cohort = next(iter(counted_cohorts(counted)))
        rows = figures.groups(indicator, breakdown, "as_at").select("group", "numerator", "denominator")
        if rows.is_empty() or any(k in disclosed.withheld for k in counted.counts if f"|{indicator}|" in k):
            return None
        names = {g: GROUP_NAMES.get(g, g) for g in rows["group"]}
        rows = rows.with_columns(pl.col("group").replace_strict(names))
        return representation_chart(rows, key=f"{key}-chart", title=f"{cohort} against the population, by "
                                    f"{'sex' if breakdown == 'sex' else 'age'}", cohort_label=cohort,
                                    group_title=table.columns[0].label,
                                    order=[names[g] for g in AGE_ORDER if g in names] if breakdown == "age_band"
                                    else None)
    if key in ("ratio_table", "caseloads_by_team", "at_a_glance"):
        return None
    rows = [(str(r[0]), float(r[1])) for r in table.rows[:-1] if isinstance(r[1], int | float)]
    if not rows:
        return None
    frame = pl.DataFrame(rows, schema={"group": pl.String, "value": pl.Float64}, orient="row")
    return breakdown_chart(frame, key=f"{key}-chart", title=table.caption, unit_name="count",
                           group_title=table.columns[0].label, counting_unit="children",
                           order=[str(r[0]) for r in table.rows[:-1] if isinstance(r[1], int | float)])


def counted_cohorts(counted: Counted) -> list[tuple[str, str]]:
    """The (indicator, cohort) of each column of a representation table."""
    return [(c.key, c.label) for c in counted.table.columns[1:-1]]
