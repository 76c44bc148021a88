"""Charts of indicator results, as Vega-Lite specifications built with Vega-Altair.

One function per kind of chart (a trend with its control limits and benchmarks, a representation
chart, a breakdown's bars, a forecast's fan and forecasts compared), each a function of indicator results —
frames from :mod:`carelens.indicators.api` and the published benchmarks — or of a forecast's summary frame,
never of a report or a page. So the
monthly report (rendered to SVG and PNG with vl-convert) and the web app (drawn in the browser by
vega-embed) show the same chart from the same specification. Every chart carries a title, labelled
axes, the table of the data it draws and a text alternative written from that data (docs/charts.md).
"""

from carelens.charts.breakdown import breakdown_chart
from carelens.charts.chart import Chart
from carelens.charts.fan import fan_chart, scenario_chart
from carelens.charts.palette import contrast_ratio
from carelens.charts.representation import representation_chart
from carelens.charts.trend import Benchmark, series_of, trend_chart

__all__ = ["Benchmark", "Chart", "breakdown_chart", "contrast_ratio", "fan_chart", "representation_chart",
           "scenario_chart", "series_of", "trend_chart"]
