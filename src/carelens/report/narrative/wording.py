"""Words for a change and for a comparison, chosen by rule so the same figures always read the same."""

from __future__ import annotations

import datetime as dt

from carelens.report.document import Kind, written


def month_name(day: dt.date) -> str:
    """"March 2026"."""
    return day.strftime("%B %Y")


def same_when_written(a: float, b: float, kind: Kind) -> bool:
    """True when the two values are written the same: no change a reader could see."""
    return written(a, kind) == written(b, kind)


def moved(now: float, before: float, kind: Kind) -> str:
    """"rose", "fell" or "was unchanged", as the written values differ."""
    if same_when_written(now, before, kind):
        return "was unchanged"
    return "rose" if now > before else "fell"


def direction(now: float, before: float, kind: Kind) -> str:
    """"up", "down" or "the same as", for "… up from 402 a month earlier"."""
    if same_when_written(now, before, kind):
        return "the same as"
    return "up from" if now > before else "down from"


def against(value: float, benchmark: float, kind: Kind) -> str:
    """How a value compares with a benchmark, in the words §5 uses: "more than double", "three times",
    "above", "in line with", "below", "less than half". Percentages compare by points (within 2 points is
    "in line with"); other values by ratio (within 10%)."""
    if kind is Kind.PERCENT:
        gap = value - benchmark
        if abs(gap) < 2:
            return "in line with"
        return "above" if gap > 0 else "below"
    if benchmark <= 0:
        return "above" if value > 0 else "in line with"
    ratio = value / benchmark
    if ratio >= 3:
        return "more than three times"
    if ratio >= 2:
        return "more than double"
    if ratio >= 1.1:
        return "above"
    if ratio <= 0.5:
        return "less than half"
    if ratio <= 0.9:
        return "below"
    return "in line with"


SINGULAR = {"children": "child", "young people": "young person", "enquiries": "enquiry"}


def counted(noun: str, number_text: str) -> str:
    """The noun for a count as written: "1 child", "2 children", "fewer than 5 children"."""
    if number_text != "1":
        return noun
    return SINGULAR.get(noun, noun[:-1] if noun.endswith("s") else noun)
