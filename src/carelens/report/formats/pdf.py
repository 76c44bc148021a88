"""The monthly report as an accessible A4 PDF, laid out by Typst.

The writer turns a :class:`~carelens.report.document.Report` into plain data (text, runs of emphasis,
each table cell already written by :func:`~carelens.report.document.written`, each chart as SVG) and
hands it, as JSON, to one Typst template (``report.typ`` beside this module). Keeping the layout in
Typst and the document in data means a sentence the analyst edits is always set as text: nothing in
the report can be read as Typst markup.

The PDF is tagged (headings, paragraphs, tables with header cells, figures with their text
alternative) and claims PDF/UA-1, which Typst checks as it writes: a report that could not meet it
(a chart without a text alternative, say) fails to compile rather than being written inaccessible.
Its only face is Source Sans 3, shipped in ``report/fonts/`` under the SIL Open Font License, and
Typst's own fonts and the machine's are left out, so the PDF is the same on every computer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from pathlib import Path

from carelens.report.document import (
    MARK_MEANING,
    Figure,
    Kind,
    Mark,
    Paragraph,
    Report,
    Section,
    Table,
)

FONTS = Path(str(files("carelens.report") / "fonts"))
TEMPLATE = Path(__file__).with_name("report.typ")
FONT_FAMILY = "Source Sans 3"

# The width text runs to on the page (A4 less 20 mm margins), and how much a chart's pixels are enlarged:
# Vega-Lite sizes charts in CSS pixels (0.75 pt), which would print them smaller than the text around them.
TEXT_WIDTH_PT = (210 - 2 * 20) / 25.4 * 72
CHART_SCALE_PT_PER_PX = 0.9

AUDIENCE_LABEL = {"published": "Published version", "internal": "Internal: contains team-level data"}
AUDIENCE_DESCRIPTION = {
    "published": "Councillors and the public. Small numbers are suppressed so that no child can be identified.",
    "internal": "Officers of the council only: includes team-level caseloads. Do not publish.",
}
STALE_NOTE = ("Check this paragraph: it was edited against figures that have changed since. "
              "Read it against the tables and charts before the report goes out.")


class PdfWriteError(RuntimeError):
    """Typst could not lay out the report; the message carries Typst's own diagnostic."""


def write_pdf(report: Report, path: Path, svgs: Mapping[str, str] | None = None) -> Path:
    """Write ``report`` as a tagged PDF/UA-1 A4 document at ``path`` and return the path.

    The title page says whom the version is for; then the contents, the summary, each numbered
    section (its paragraphs, tables and charts) and an appendix of notes, symbols and definitions.
    ``svgs`` is each chart's SVG by chart key, from :func:`chart_svgs`, when the caller has already
    rendered them (for the HTML page too, say); otherwise they are rendered here.
    """
    import typst

    refuse_charts_without_text_alternative(report)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = typst_data(report, svgs if svgs is not None else chart_svgs(report))
    try:
        pdf = typst.compile(
            TEMPLATE, root=TEMPLATE.parent, font_paths=[FONTS], ignore_system_fonts=True,
            sys_inputs={"report": json.dumps(data)}, pdf_standards=["ua-1"],
            timestamp=_aware(report.generated))
    except typst.TypstError as error:  # the diagnostic names the failed rule, e.g. a figure with no alt
        raise PdfWriteError(f"Typst could not write the PDF report: {error.message}\n{error.diagnostic}") from error
    path.write_bytes(pdf)
    return path


def refuse_charts_without_text_alternative(report: Report) -> None:
    """PDF/UA-1 would refuse such a chart too, but without saying which one."""
    for section in report.all_sections():
        for figure in section.figures():
            if not figure.chart.alt_text.strip():
                raise PdfWriteError(f"The chart {figure.chart.key!r} in section {section.number or section.key} "
                                    f"({section.title}) has no text alternative, so the PDF would not be accessible.")


def chart_svgs(report: Report) -> dict[str, str]:
    """Every chart in the report as SVG, by its key, each rendered once.

    Two at a time: vl-convert renders outside the GIL, and this machine's kind has two cores.
    """
    charts = {}
    for section in report.all_sections():
        for figure in section.figures():
            charts.setdefault(figure.chart.key, figure.chart)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(charts, pool.map(lambda chart: chart.svg(), charts.values())))


def typst_data(report: Report, svgs: Mapping[str, str]) -> dict:
    """The report as the template reads it: only strings, flags and lists, every figure already written."""
    internal = report.audience != "published"
    return {
        "title": report.title,
        "document_title": document_title(report),
        "description": f"{report.title} for {report.authority} at {_day(report.as_at)}.",
        "authority": report.authority,
        "la_code": report.la_code,
        "as_at": _day(report.as_at),
        "month": report.month,
        "audience_label": AUDIENCE_LABEL.get(report.audience, report.audience),
        "audience_description": AUDIENCE_DESCRIPTION.get(report.audience, ""),
        "produced": f"{_day(report.generated.date())} by CareLens {report.carelens_version}",
        "summary": _section(report.summary, internal, svgs),
        "sections": [_section(s, internal, svgs) for s in report.sections],
        "about": _about(report),
    }


def document_title(report: Report) -> str:
    """The PDF's title, as a screen reader or a browser tab names it."""
    return f"{report.title}: {report.authority}, {report.month}"


def _section(section: Section, internal: bool, svgs: Mapping[str, str]) -> dict:
    blocks = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            blocks.append(_paragraph(block, internal))
        elif isinstance(block, Table):
            blocks.append(_table(block))
        elif isinstance(block, Figure):
            blocks.append(_figure(block, svgs[block.chart.key]))
    return {"number": section.number, "title": section.title, "blocks": blocks}


def _paragraph(paragraph: Paragraph, internal: bool) -> dict:
    # Edits are the analyst's working: officers see which paragraphs were rewritten, and which need a
    # second look; councillors and the public read the text alone.
    heading, runs = paragraph.headed()
    return {"type": "paragraph", "heading": heading, "runs": runs,
            "edited_marker": internal and paragraph.edited,
            "stale_note": STALE_NOTE if internal and paragraph.edited and paragraph.stale else None}


def _table(table: Table) -> dict:
    rows = [[table.cell_text(r, c) for c in range(len(table.columns))] for r in range(len(table.rows))]
    return {"type": "table", "caption": table.caption,
            # the row headings' column (and any other column of words) share the width the figures leave: an
            # auto-sized column of long words would otherwise squeeze the row headings to a word a line
            "columns": [{"label": c.label, "numeric": c.kind is not Kind.TEXT,
                         "share": 2 if i == 0 else 1 if c.kind is Kind.TEXT else 0}
                        for i, c in enumerate(table.columns)],
            "rows": rows, "notes": [*table.notes, *table.marks_explained()]}


def _figure(figure: Figure, svg: str) -> dict:
    svg = chart_svg_for_pdf(svg)
    return {"type": "figure", "svg": svg, "alt": figure.chart.alt_text,
            "caption": figure.caption or figure.chart.title, "width_pt": _chart_width_pt(svg)}


_GENERIC_SANS = re.compile(r'font-family="(?:[^"]*,\s*)?sans-serif"')


def chart_svg_for_pdf(svg: str) -> str:
    """The chart's SVG with its text set in the report's face.

    vl-convert names the generic ``sans-serif``; naming the shipped face keeps the chart's labels in
    the same type as the report around them (and means no face outside the package is needed).
    """
    return _GENERIC_SANS.sub(f'font-family="{FONT_FAMILY}, sans-serif"', svg)


_SVG_WIDTH = re.compile(r'<svg[^>]*\swidth="([\d.]+)(?:px)?"')


def _chart_width_pt(svg: str) -> float:
    found = _SVG_WIDTH.search(svg)
    width_px = float(found.group(1)) if found else TEXT_WIDTH_PT
    return round(min(width_px * CHART_SCALE_PT_PER_PX, TEXT_WIDTH_PT), 1)


def _about(report: Report) -> dict:
    notes = list(report.notes)
    if report.audience == "published" and report.suppression_threshold:
        notes.append(f"Counts below {report.suppression_threshold} are not shown, and nor are the figures "
                     "that would let them be worked out, so that no child can be identified.")
    symbols = [(str(mark), f"{MARK_MEANING[mark][0].upper()}{MARK_MEANING[mark][1:]}.") for mark in Mark]
    definitions = {
        "type": "table", "caption": "Definitions of the indicators in this report",
        "columns": [{"label": "Indicator", "numeric": False, "share": 2},
                    {"label": "Definition", "numeric": False, "share": 3},
                    {"label": "Unit", "numeric": False, "share": 0}],
        "rows": [[f"{d.id} {d.title}", d.definition, d.unit] for d in report.definitions], "notes": [],
    }
    provenance = (f"CareLens {report.carelens_version} computed every figure in this report from store version "
                  f"{report.store_version} at {report.generated:%H:%M} on {_day(report.generated.date())}, "
                  f"for the month to {_day(report.as_at)}.")
    return {"title": "About this report", "notes": notes, "symbols": symbols, "definitions": definitions,
            "provenance": provenance}


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _aware(moment: dt.datetime) -> dt.datetime:
    # Typst needs an offset; a naive time is the machine's local time.
    return moment if moment.tzinfo else moment.astimezone()


__all__ = ["PdfWriteError", "chart_svg_for_pdf", "chart_svgs", "document_title", "typst_data",
           "write_pdf"]
