"""A chart on a page: ``{% load charts %}{% chart trend %}``, for a :class:`carelens.charts.Chart`.

The same chart as the monthly report's, from the same chart function, drawn in the browser: the page carries the
chart's Vega-Lite specification (as JSON data, never as code) and static/carelens/charts.js draws it with
vega-embed. What a page says without JavaScript, or to a screen reader, is the rest of the component: the chart's
title and its text alternative (the figure's accessible name and description) and the data it draws as a table,
open until the drawing replaces it behind "Show the data" — charts degrade to tables (docs/web/front-end.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.text import slugify

from carelens.charts import Chart
from carelens.report.document import MARK_MEANING, Mark
from carelens.report.formats.html import chart_value_text

register = template.Library()


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool
    missing: bool = False  # no value: written [x], explained by its abbreviation


@dataclass(frozen=True)
class DataTable:
    """A chart's data as the table beneath it: a header per column, the first cell of each row heading it."""

    columns: list[tuple[str, bool]]  # (name, numeric)
    rows: list[list[Cell]]


def data_table(chart: Chart) -> DataTable:
    """The chart's data, each value written as the report's data tables write it (dates in words, thousands
    separators, at most two decimals)."""
    numeric = [dtype.is_numeric() for dtype in chart.data.dtypes]
    rows = [[Cell(chart_value_text(value), numeric[i]) if value is not None else Cell(str(Mark.NOT_AVAILABLE),
                                                                                    numeric[i], missing=True)
             for i, value in enumerate(row)] for row in chart.data.iter_rows()]
    return DataTable(list(zip(chart.data.columns, numeric)), rows)


def _ids_in_use(context) -> set[str]:
    """The chart ids already on the page: kept on the request (a page and the fragments of its request), or on
    the render when there is no request."""
    request = context.get("request")
    if request is None:
        return context.render_context.setdefault("carelens_chart_ids", set())
    if not hasattr(request, "_carelens_chart_ids"):
        request._carelens_chart_ids = set()
    return request._carelens_chart_ids


def _unique_id(context, key: str) -> str:
    """An HTML id for the chart, unique within the page: from its key, numbered when a key comes again."""
    used = _ids_in_use(context)
    base = "chart-" + (slugify(key) or "chart")
    chart_id, n = base, 1
    while chart_id in used:
        n += 1
        chart_id = f"{base}-{n}"
    used.add(chart_id)
    return chart_id


@register.inclusion_tag("components/chart.html", takes_context=True)
def chart(context, chart: Chart, caption: str | None = None) -> dict:
    """A ``<figure>`` for ``chart``: its caption (the chart's title unless ``caption`` is given), its text
    alternative, its data table, and its specification for charts.js to draw."""
    if not isinstance(chart, Chart):
        raise template.TemplateSyntaxError(f"{{% chart %}} needs a carelens.charts.Chart, not {type(chart).__name__}")
    if not chart.alt_text.strip():
        raise template.TemplateSyntaxError(f"chart {chart.key}: no text alternative")
    chart_id = _unique_id(context, chart.key)
    return {"chart": chart, "id": chart_id, "spec_id": f"{chart_id}-spec", "caption": caption or chart.title,
            "table": data_table(chart), "not_available": MARK_MEANING[Mark.NOT_AVAILABLE]}
