"""The monthly report's blocks on a page: a measure's paragraph (its name a heading), a table with its caption,
scoped headers and marks, a chart (through the chart component). The same document the PDF and HTML report are
written from, so a page and the report cannot say different things."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from carelens.indicators.api import SelectionError, definition
from carelens.report.document import Figure, Kind, Paragraph, Table

register = template.Library()


@register.simple_tag(takes_context=True)
def report_block(context, block) -> SafeString:
    if isinstance(block, Paragraph):
        return paragraph(block)
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Figure):
        return render_to_string("dashboards/_figure.html", {"figure": block}, request=context.get("request"))
    raise TypeError(f"not a report block: {block!r}")


def _runs(runs) -> SafeString:
    return format_html_join("", "{}", ((format_html("<strong>{}</strong>", t) if bold else t,) for t, bold in runs))


def indicator_url(p: Paragraph) -> str | None:
    """The page of the indicator a paragraph is about (its key is "<section or summary>/<indicator>"), if any."""
    _, _, indicator_id = p.key.partition("/")
    try:
        return reverse("dashboards:indicator", args=[definition(indicator_id).id])
    except (SelectionError, NoReverseMatch):
        return None


@register.simple_tag
def paragraph(p: Paragraph) -> SafeString:
    """A measure's paragraph, its name a heading that links to the indicator's page; a paragraph of "what changed"
    ends with that link."""
    heading, runs = p.headed()
    url = indicator_url(p)
    if heading is None:
        more = format_html(' <a class="govuk-link" href="{}">More about this<span class="govuk-visually-hidden">: {}'
                           '</span></a>', url, definition(p.key.partition("/")[2]).title) if url else ""
        return format_html('<p class="govuk-body">{}{}</p>', _runs(runs), more)
    body = format_html('<p class="govuk-body">{}</p>', _runs(runs))
    if url:
        heading = format_html('<a class="govuk-link" href="{}">{}</a>', url, heading)
    return format_html('<h3 class="govuk-heading-s">{}</h3>{}', heading, body)


@register.simple_tag
def table(t: Table) -> SafeString:
    head = format_html_join("", '<th scope="col" class="govuk-table__header{}">{}</th>',
                            (("" if c.kind is Kind.TEXT else " govuk-table__header--numeric", c.label)
                             for c in t.columns))
    rows = []
    for r, row in enumerate(t.rows):
        cells = []
        for c, column in enumerate(t.columns):
            text = t.cell_text(r, c)
            numeric = "" if column.kind is Kind.TEXT else " govuk-table__cell--numeric"
            if c == 0:
                cells.append(format_html('<th scope="row" class="govuk-table__header">{}</th>', text))
            else:
                cells.append(format_html('<td class="govuk-table__cell{}">{}</td>', numeric, text))
        joined = format_html_join("", "{}", ((x,) for x in cells))
        rows.append(format_html('<tr class="govuk-table__row">{}</tr>', joined))
    notes = [*t.notes, *t.marks_explained()]
    return format_html(
        # in a region of its own that scrolls sideways (and can be scrolled with the keyboard) when the table is
        # wider than the screen, rather than widening the page (WCAG 2.2, 1.4.10 reflow)
        '<div class="app-table-wrap" role="region" aria-label="{}" tabindex="0">'
        '<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">{}</caption>'
        '<thead class="govuk-table__head"><tr class="govuk-table__row">{}</tr></thead>'
        '<tbody class="govuk-table__body">{}</tbody></table></div>{}',
        t.caption, t.caption, head, format_html_join("", "{}", ((x,) for x in rows)),
        format_html_join("", '<p class="govuk-body-s">{}</p>', ((n,) for n in notes)))
