"""How a chart's text alternative writes periods and lists: "March 2026", "the week ending 5 January 2026"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def period_name(day: dt.date, period: str) -> str:
    """A month by its name and year; a week by the day it ends."""
    if period == "month":
        return f"{day:%B} {day.year}"
    return f"the week ending {day.day} {day:%B} {day.year}"


def listed(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def sentence(text: str) -> str:
    """The text with a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
