"""The look every chart shares, and what makes its specification self-contained.

One configuration for every chart: GOV.UK text colour on a white background, no grid lines (they
would have to be dark enough for 3:1 contrast, and then crowd the marks), axis lines in dark grey,
legends below the plot. The specification keeps its data inline and names no URL — not even the
``$schema`` (vega-embed defaults to Vega-Lite) — so a page drawing it makes no request.
"""

from __future__ import annotations

import altair as alt

from carelens.charts.palette import BACKGROUND, SECONDARY_TEXT, TEXT

FONT = "Helvetica, Arial, sans-serif"
WIDTH = 560
HEIGHT = 260


def finished_spec(chart: alt.TopLevelMixin, *, title: str, subtitle: str | None, alt_text: str) -> dict:
    """The chart's complete Vega-Lite specification: titled, styled, described, with no URL in it."""
    if not title.strip():
        raise ValueError("a chart needs a title")
    heading = alt.TitleParams(title, anchor="start", color=TEXT, fontSize=16, fontWeight="bold",
                              subtitle=subtitle or alt.Undefined, subtitleColor=SECONDARY_TEXT, subtitleFontSize=12)
    # the config as a plain dict and no schema validation: Altair's chained .configure_*() copy the whole chart
    # each time and validating walks it with jsonschema, together two thirds of a report's chart time; the
    # charts' tests render every spec with vl-convert, which refuses an invalid one
    spec = chart.properties(title=heading, description=alt_text, background=BACKGROUND).to_dict(validate=False)
    spec["config"] = {
        "font": FONT,
        "axis": {"labelColor": TEXT, "titleColor": TEXT, "domainColor": SECONDARY_TEXT, "tickColor": SECONDARY_TEXT,
                 "grid": False, "labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        "legend": {"labelColor": TEXT, "titleColor": TEXT, "orient": "bottom", "labelFontSize": 12,
                   "titleFontSize": 12, "labelLimit": 0},
        "view": {"stroke": None},
    }
    spec.pop("$schema", None)
    return spec
