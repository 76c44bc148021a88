"""The problems found in one CIN census file, each at the line of the XML it is about.

Every step of the reading adds to one :class:`Problems`; the reading raises them all together, in line
order, as an :class:`~carelens.problems.IngestError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carelens.problems import ProblemLog


@dataclass
class Problems:
    """Problems of one file, each with the line it is on; raised together, in line order."""

    file: str
    items: list[tuple[int, str | None, str | None, str]] = field(default_factory=list)
    schema_lines: set[int] = field(default_factory=set)  # lines the schema already complained about
    more: list[tuple[str | None, str | None, str]] = field(default_factory=list)  # whole-file, at the end

    def add(self, line: int | None, field_name: str | None, value, expected: str) -> None:
        """A problem at ``line`` (0 or None: the whole file)."""
        self.items.append((line or 0, field_name, None if value is None else str(value), expected))

    def check(self, line: int | None, field_name: str | None, value, expected: str) -> None:
        """A problem, unless the schema already reported one on that line."""
        if line not in self.schema_lines:
            self.add(line, field_name, value, expected)

    def raise_all(self) -> None:
        log = ProblemLog(self.file)
        for line, field_name, value, expected in sorted(self.items, key=lambda p: p[0]):
            log.add(f"line {line}" if line else "", field_name, value, expected)
        for field_name, value, expected in self.more:
            log.add("", field_name, value, expected)
        if not log.problems:  # never raise an empty error
            log.add("", None, None, "a readable CIN census file")
        log.raise_if_any()


def short(text: str, limit: int = 300) -> str:
    """``text``, cut to ``limit`` characters for a problem's value or message."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def line_of(el) -> int:
    """The line of the file an element starts on (0 when it is absent or not known)."""
    return (el.sourceline or 0) if el is not None else 0


def field_line(el, path: str) -> int:
    """The line of the element at ``path`` below ``el`` ("." for ``el`` itself), else of ``el``."""
    leaf = el if path == "." else el.find(path)
    return line_of(leaf if leaf is not None else el)
