"""Numbers on a page as the monthly report writes them: ``{% load numbers %}{{ value|written:"percent" }}``.

One way of writing a figure everywhere (carelens.report.document.written): the kind says the decimals, a percentage
gets its ``%``, thousands are separated, a value not shown is its mark ([c], [x], [z]) and no value is [x].
"""

from __future__ import annotations

from django import template

from carelens.report.document import Kind
from carelens.report.document import written as report_written

register = template.Library()


@register.filter
def written(value, kind: str | Kind = Kind.COUNT) -> str:
    """``value`` written as the report writes a figure of ``kind``: count (default), percent, rate, ratio, decimal,
    days or text."""
    try:
        kind = Kind(kind)
    except ValueError:
        raise template.TemplateSyntaxError(
            f"written: no kind {kind!r}; expected one of {', '.join(k.value for k in Kind)}") from None
    return report_written(value, kind)
