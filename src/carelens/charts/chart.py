"""A chart: its Vega-Lite specification, the data it draws as a table, and its text alternative."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import polars as pl


@dataclass(frozen=True)
class Chart:
    """What every consumer of a chart needs.

    ``spec`` is a complete Vega-Lite specification (data inlined), drawn as it is by vega-embed in a
    page or rendered by :func:`svg` and :func:`png` for a document. ``data`` is the table a reader
    without the picture gets (the web app's table view, the report's Excel sheet): one row per point
    drawn, with readable column names. ``alt_text`` describes what the chart shows in words, written
    from ``data``, never by hand.
    """

    key: str  # stable identifier, e.g. "C8-trend": a file name, an HTML id
    title: str
    spec: dict
    data: pl.DataFrame
    alt_text: str

    def svg(self) -> str:
        """The chart as an SVG document (text drawn as text, so a PDF keeps it searchable); rendered once, as
        a report writes each chart in several formats."""
        return self._svg

    @cached_property
    def _svg(self) -> str:  # cached_property writes the instance's __dict__, which a frozen dataclass allows
        import vl_convert as vlc

        return vlc.vegalite_to_svg(self.spec)

    def png(self, scale: float = 2.0) -> bytes:
        """The chart as a PNG image, ``scale`` times its specified size."""
        import vl_convert as vlc

        return vlc.vegalite_to_png(self.spec, scale=scale)
