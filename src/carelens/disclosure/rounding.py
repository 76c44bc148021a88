"""Rounding, the other way to publish small numbers: every count to the nearest multiple of a base.

Rounding shows every cell, so a reader never meets a [c]; the price is that no figure is exact and
totals, rounded on their own from the true figure, need not equal the sum of their rounded parts.
A rounded cell of 0 means a true count from 0 up to just under half the base; with base 5, 0 to 2
show as 0 and 3 to 7 as 5. Suppression and rounding are alternatives for a table, not steps to
combine: :func:`carelens.disclosure.suppress` audits suppression, and this module does no audit
(differencing rounded figures gives intervals, never a count, when every cell is rounded from its
true value — but many linked rounded tables can narrow those intervals, so rounding is meant for
tables that stand alone, such as workforce numbers).
"""

from __future__ import annotations

from collections.abc import Mapping

from carelens.disclosure.cells import Count, Key


def rounded(counts: Mapping[Key, Count], base: int = 5) -> dict[Key, Count]:
    """Each count to the nearest multiple of ``base``, halves up (with base 10, 15 is 20); None stays None."""
    if isinstance(base, bool) or not isinstance(base, int) or base < 2:
        raise ValueError(f"the rounding base is {base!r}: it must be a whole number, 2 or more")
    return {key: None if value is None else (value + base // 2) // base * base for key, value in counts.items()}
