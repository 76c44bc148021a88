"""Numbers as a sentence says them, each recorded with the result it came from.

A :class:`Spoken` is used while one paragraph is drafted: ``say(value, source, kind)`` returns the number as
text and remembers it, so the paragraph can carry every number it states (:class:`Number`) and a test can
parse the sentence, find each number among them and look each up again in the results.
"""

from __future__ import annotations

import hashlib

from carelens.report.document import Kind, Number, written


class Spoken:
    """The numbers of one paragraph, in the order it states them."""

    def __init__(self, small_below: int | None = None, withheld: frozenset[str] = frozenset()):
        # published audience: counts below this are said as "fewer than N", never as themselves, and the
        # figures disclosure control hid in the tables (withheld, by source) are not said at all
        self.small_below = small_below
        self.withheld = withheld
        self.numbers: list[Number] = []

    def say(self, value: float, source: str, kind: Kind) -> str:
        """``value`` written as ``kind`` (thousands separators, the kind's decimals, % for a percentage)."""
        if source in self.withheld:
            return "not shown"
        self.numbers.append(Number(float(value), source))
        return written(value, kind)

    def record(self, value: float, source: str) -> None:
        """A number stated in words made elsewhere (a control chart's "the 9th month in a row")."""
        self.numbers.append(Number(float(value), source))

    def count(self, value: int, source: str) -> str:
        """A count of children, events or workers; below the published threshold, "fewer than N"."""
        if self.is_small(value):
            return f"fewer than {self.small_below}"
        if source in self.withheld:
            return "a number not shown"
        return self.say(value, source, Kind.COUNT)

    def is_small(self, value: int | None) -> bool:
        return self.small_below is not None and value is not None and 0 < value < self.small_below

    def fingerprint(self) -> str:
        """What the paragraph was drafted from, as a short hash: an edit remembers it, and is flagged when the
        numbers of a later draft differ."""
        text = ";".join(f"{n.source}={n.value:.6g}" for n in self.numbers)
        return hashlib.sha256(text.encode()).hexdigest()[:12]
