"""Problems found in an input file, reported to the user as values they can act on.

A reader never stops at the first problem: it collects every one (file, row or
line, field, value, what was expected) and, if there are any, raises
:class:`IngestError` carrying them all before anything is stored.

The module sits below every package that reads files (the readers in :mod:`carelens.ingest`,
the benchmark builder in :mod:`carelens.published`, the validator to come), so that each
reports problems the same way without importing another (docs/decisions/012).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    location: str  # "row 12", "line 340", "sheet List 6 row 4", or "" for the whole file
    field: str | None
    value: str | None
    expected: str
    # the child the row belongs to, when the problem is one child's (so ``--hold-back`` can hold that child
    # back); None for a problem with the whole file or return, which no child's absence would cure
    child: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"{self.file}" + (f", {self.location}" if self.location else "")
        what = f" {self.field}" if self.field else ""
        value = f" = {self.value!r}" if self.value is not None else ""
        return f"{where}:{what}{value}: expected {self.expected}"


class IngestError(Exception):
    """Raised with every problem found; nothing has been stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{len(self.problems)} problem(s) found; nothing was stored:\n{shown}{more}")


@dataclass
class ProblemLog:
    """Collects problems for one file; ``raise_if_any`` stops the load once the whole file is read."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    limit: int = 10_000  # a file that is wrong everywhere still gets a readable report

    def add(self, location: str, field_name: str | None, value, expected: str, child: str | None = None) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(self.file, location, field_name,
                                         None if value is None else str(value)[:200], expected, child))

    def raise_if_any(self) -> None:
        if self.problems:
            raise IngestError(self.problems)
