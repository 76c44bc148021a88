"""The monthly report as one self-contained, accessible HTML file.

A council may mail the file, put it on its website or open it on a laptop with no network, so the
page asks nothing of any other host: its style sheet is inline (:mod:`.html_style`), its charts are
inline SVG, it uses the system's fonts and it has no script; a Content-Security-Policy in the page
says so to the browser too. It aims at WCAG 2.2 AA: a skip link, a contents list, one ``h1`` and an
``h2`` per section, tables with captions and ``scope``d headers, every chart an image named by its text
alternative with the data it draws in a table beneath it, and every mark such as ``[c]`` explained.

The markup is also well-formed XML (every element closed, no named entities but XML's own), so a test
or another tool can read it with an XML parser.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from lxml import etree

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
from carelens.report.formats.html_style import STYLE

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# No fetch of any kind: styles only from the page itself, images only inline (data: for any raster a
# chart may embed), no script at all.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                           "form-action 'none'")

CHART_SCALE = 1.25

AUDIENCE_NAMES = {"internal": "Internal", "published": "Published"}


def write_html(report: Report, path: Path | str) -> Path:
    """Write the report as one HTML file at ``path`` (its folder must exist) and return the path."""
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8")
    return path


def render_html(report: Report) -> str:
    """The report's whole page as text."""
    ids = _Ids()
    sections = [_section(s, report, ids) for s in report.all_sections()]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        _head(report),
        "<body>",
        '<a href="#main" class="skip-link">Skip to main content</a>',
        _masthead(report),
        '<div class="width-container">',
        '<main id="main">',
        _title_block(report),
        _contents(report),
        *sections,
        _definitions(report, ids),
        _notes(report),
        "</main>",
        "</div>",
        _footer(report),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# --- the page's frame ---------------------------------------------------------------------------


def _head(report: Report) -> str:
    title = f"{report.title}: {report.month} – {report.authority}"
    return "\n".join([
        "<head>",
        '<meta charset="utf-8" />',
        f'<meta http-equiv="Content-Security-Policy" content="{_attr(CONTENT_SECURITY_POLICY)}" />',
        '<meta name="viewport" content="width=device-width, initial-scale=1" />',
        f'<meta name="generator" content="CareLens {_attr(report.carelens_version)}" />',
        f"<title>{_text(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
    ])


def _masthead(report: Report) -> str:
    return (f'<header class="masthead"><div class="width-container">'
            f'<span class="masthead__authority">{_text(report.authority)}</span>'
            f'<span class="masthead__as-at">As at <time datetime="{report.as_at.isoformat()}">'
            f"{_date(report.as_at)}</time></span></div></header>")


def _title_block(report: Report) -> str:
    rows = [("Authority", f"{report.authority} ({report.la_code})"),
            ("As at", _date(report.as_at)),
            ("Audience", AUDIENCE_NAMES.get(report.audience, report.audience)),
            ("Generated", f"{_timestamp(report.generated)} by CareLens {report.carelens_version}"),
            ("Store version", report.store_version)]
    if report.suppression_threshold is not None:
        rows.append(("Small numbers", f"Counts below {report.suppression_threshold} are not shown ([c])"))
    summary_list = "".join(f"<div><dt>{_text(k)}</dt><dd>{_text(v)}</dd></div>" for k, v in rows)
    warning = ""
    if report.audience == "internal":
        warning = ('<div class="warning-text"><span class="warning-text__icon" aria-hidden="true">!</span>'
                   '<strong><span class="visually-hidden">Warning: </span>'
                   "Internal report, not for publication: it includes team-level figures and small "
                   "numbers that the published report suppresses.</strong></div>")
    return (f'<span class="caption-l">{_text(report.authority)}: children’s social care</span>'
            f"<h1>{_text(report.title)}: {_text(report.month)}</h1>"
            f'<dl class="summary-list">{summary_list}</dl>{warning}')


def _contents(report: Report) -> str:
    items = [f'<li><a href="#{_section_id(s)}">{_text(_section_heading(s))}</a></li>' for s in report.all_sections()]
    if report.definitions:
        items.append('<li><a href="#definitions">Definitions</a></li>')
    items.append('<li><a href="#notes">Notes and symbols</a></li>')
    return ('<nav class="contents" aria-labelledby="contents-heading">'
            '<h2 id="contents-heading">Contents</h2>'
            f"<ol>{''.join(items)}</ol></nav>")


def _footer(report: Report) -> str:
    return ('<footer class="site-footer"><div class="width-container">'
            f"<p>{_text(report.title)}: {_text(report.authority)}, as at {_date(report.as_at)}.</p>"
            f'<p class="secondary">Generated {_timestamp(report.generated)} by CareLens '
            f"{_text(report.carelens_version)} from store version {_text(report.store_version)}.</p>"
            "</div></footer>")


# --- sections and their blocks --------------------------------------------------------------------


def _section(section: Section, report: Report, ids: _Ids) -> str:
    sid = _section_id(section)
    number = f'<span class="section-number">{_text(section.number)}.</span> ' if section.number else ""
    blocks = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            blocks.append(_paragraph(block, report))
        elif isinstance(block, Table):
            blocks.append(_table(block, ids))
        elif isinstance(block, Figure):
            blocks.append(_figure(block, ids))
    return (f'<section class="report-section" id="{sid}" aria-labelledby="{sid}-heading">'
            f'<h2 id="{sid}-heading">{number}{_text(section.title)}</h2>{"".join(blocks)}</section>')


def _paragraph(paragraph: Paragraph, report: Report) -> str:
    heading, runs = paragraph.headed()
    body = "".join(f"<strong>{_text(t)}</strong>" if bold else _text(t) for t, bold in runs)
    if heading is not None:  # each measure its heading, under its section's h2
        return f'<h3 class="measure-heading">{_text(heading)}</h3>' + _flagged(paragraph, report, body)
    return _flagged(paragraph, report, body)


def _flagged(paragraph: Paragraph, report: Report, body: str) -> str:
    # Who edited what, and whether an edit has gone stale, is for the analyst's own colleagues: the
    # published report reads as one text.
    if report.audience != "internal" or not paragraph.edited:
        return f"<p>{body}</p>"
    if paragraph.stale:
        flag = ('<strong class="tag tag--red">Check</strong> Edited by the analyst, but the numbers it was '
                "written against have changed since: check it still holds.")
        css = "paragraph--edited paragraph--stale"
    else:
        flag = '<strong class="tag">Edited</strong> by the analyst, in place of the drafted text.'
        css = "paragraph--edited"
    return f'<div class="{css}"><p class="paragraph__flag">{flag}</p><p>{body}</p></div>'


def _table(table: Table, ids: _Ids) -> str:
    tid = ids.new("table-" + table.key)
    numeric = [c.kind is not Kind.TEXT for c in table.columns]
    head = "".join(f'<th scope="col"{_num(numeric[i])}>{_text(c.label)}</th>' for i, c in enumerate(table.columns))
    body = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, value in enumerate(row):
            mark = Mark.NOT_AVAILABLE if value is None else value if isinstance(value, Mark) else None
            if mark is not None:
                content = f'<abbr title="{_attr(MARK_MEANING[mark])}">{_text(str(mark))}</abbr>'
            else:
                content = _text(table.cell_text(r, c))
            tag = "th" if c == 0 else "td"
            scope = ' scope="row"' if c == 0 else ""
            cells.append(f"<{tag}{scope}{_num(numeric[c])}>{content}</{tag}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    notes = [*table.notes, *table.marks_explained()]
    notes_html = f'<ul class="table-notes">{"".join(f"<li>{_text(n)}</li>" for n in notes)}</ul>' if notes else ""
    return (_scrolling(tid, table.caption,
                       f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>") + notes_html)


def _figure(figure: Figure, ids: _Ids) -> str:
    chart = figure.chart
    fid = ids.new("figure-" + chart.key)
    caption = figure.caption or chart.title
    data_table = _data_table(chart.data, f"Data for the chart: {chart.title}", ids.new(fid + "-data"))
    # The caption is the figure's last child, as a <figcaption> must be to name the figure; the data
    # table follows the figure rather than sitting inside it.
    # (aria-labelledby too: Chromium does not name a figure by its caption on its own).
    return (f'<div class="chart-block"><figure class="chart" id="{fid}" aria-labelledby="{fid}-caption">'
            f"{accessible_svg(chart.svg(), chart.alt_text, fid)}"
            f'<figcaption id="{fid}-caption">{_text(caption)}</figcaption></figure>'
            f'<details><summary><span>Show the data</span></summary><div class="details__text">{data_table}</div>'
            "</details></div>")


def _data_table(data, caption: str, tid: str) -> str:
    """A chart's data (a polars frame) as a table: the first column heads each row."""
    numeric = [dtype.is_numeric() for dtype in data.dtypes]
    head = "".join(f'<th scope="col"{_num(numeric[i])}>{_text(name)}</th>' for i, name in enumerate(data.columns))
    body = []
    for row in data.iter_rows():
        cells = []
        for c, value in enumerate(row):
            tag, scope = ("th", ' scope="row"') if c == 0 else ("td", "")
            text = (f'<abbr title="{_attr(MARK_MEANING[Mark.NOT_AVAILABLE])}">[x]</abbr>' if value is None
                    else _text(chart_value_text(value)))
            cells.append(f"<{tag}{scope}{_num(numeric[c])}>{text}</{tag}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return _scrolling(tid, caption, f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>")


def _scrolling(tid: str, caption: str, inner: str) -> str:
    # A wide table scrolls sideways in its own region rather than the whole page; the region takes
    # keyboard focus so it can be scrolled without a mouse (WCAG 2.1.1), and is named by the caption.
    return (f'<div class="table-wrap" role="region" aria-labelledby="{tid}-caption" tabindex="0">'
            f'<table id="{tid}"><caption id="{tid}-caption">{_text(caption)}</caption>{inner}</table></div>')


def chart_value_text(value: object) -> str:
    """A value from a chart's data as the data table writes it: dates in words, whole numbers with
    thousands separators, other numbers to at most two decimals."""
    if isinstance(value, dt.datetime):
        return f"{_date(value.date())} {value:%H:%M}"
    if isinstance(value, dt.date):
        return _date(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


# --- the appendices -------------------------------------------------------------------------------


def _definitions(report: Report, ids: _Ids) -> str:
    if not report.definitions:
        return ""
    items = "".join(f'<div><dt>{_text(d.title)} <span class="unit">({_text(d.id)}, {_text(d.unit)})</span></dt>'
                    f"<dd>{_text(d.definition)}</dd></div>" for d in report.definitions)
    return ('<section class="report-section" id="definitions" aria-labelledby="definitions-heading">'
            f'<h2 id="definitions-heading">Definitions</h2><dl class="definitions">{items}</dl></section>')


def _notes(report: Report) -> str:
    items = "".join(f"<li>{_text(n)}</li>" for n in report.notes)
    symbols = "".join(f"<div><dt>{_text(str(m))}</dt><dd>{_text(MARK_MEANING[m].capitalize())}</dd></div>"
                      for m in Mark)
    return ('<section class="report-section" id="notes" aria-labelledby="notes-heading">'
            '<h2 id="notes-heading">Notes and symbols</h2>'
            + (f"<ul>{items}</ul>" if items else "")
            + '<p>The tables use the Government Statistical Service’s symbols for a figure not shown:</p>'
            f'<dl class="summary-list">{symbols}</dl></section>')


# --- charts as inline SVG -------------------------------------------------------------------------


def accessible_svg(svg: str, alt_text: str, id_prefix: str) -> str:
    """A chart's SVG made fit to sit inline in the page.

    The whole drawing becomes one image (``role="img"``) whose accessible name is the chart's text
    alternative, given by ``aria-label`` and a ``<title>`` for browsers that read only that. The ARIA
    roles and labels vl-convert gives each mark are dropped: inside an image they are never read, and
    the data table beneath the chart says the same. Every ``id`` is prefixed so that two charts in one
    page cannot share one (a clip path of one chart clipping another)."""
    root = etree.fromstring(svg.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    renamed = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if name == "role" or name.startswith("aria-"):
                del element.attrib[name]
        if "id" in element.attrib:
            new = f"{id_prefix}-{element.attrib['id']}"
            renamed[element.attrib["id"]] = new
            element.attrib["id"] = new
    if renamed:
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                if "url(#" in value:
                    element.attrib[name] = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{renamed.get(m[1], m[1])})",
                                                  value)
                elif name in ("href", XLINK_HREF) and value.startswith("#") and value[1:] in renamed:
                    element.attrib[name] = "#" + renamed[value[1:]]
    # Drawn a quarter larger than vl-convert's size where the column has room, so that axis labels
    # (10-11px as drawn) read at about body-text size; narrower screens shrink it to fit.
    width = root.attrib.get("width", "")
    if re.fullmatch(r"\d+(\.\d+)?", width):
        root.attrib["style"] = f"width: 100%; max-width: {float(width) * CHART_SCALE:.0f}px"
    root.attrib["role"] = "img"
    root.attrib["aria-label"] = alt_text
    root.attrib["focusable"] = "false"
    title = etree.Element(f"{{{SVG_NS}}}title")
    title.text = alt_text
    root.insert(0, title)
    return etree.tostring(root, encoding="unicode")


# --- small pieces ---------------------------------------------------------------------------------


class _Ids:
    """Hands out each HTML id once, made of the characters an id may safely have."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def new(self, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", wanted).strip("-") or "item"
        candidate, n = base, 2
        while candidate in self._used:
            candidate, n = f"{base}-{n}", n + 1
        self._used.add(candidate)
        return candidate


def _section_id(section: Section) -> str:
    return "section-" + re.sub(r"[^A-Za-z0-9_-]+", "-", section.key)


def _section_heading(section: Section) -> str:
    return f"{section.number}. {section.title}" if section.number else section.title


def _num(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _timestamp(moment: dt.datetime) -> str:
    return f"{_date(moment.date())} at {moment:%H:%M}"


__all__ = ["accessible_svg", "chart_value_text", "render_html", "write_html"]
