"""What makes a return invalid: the error the writer raises, and the check of every value
against the year's DfE specification."""

from __future__ import annotations

import re

import polars as pl

from carelens.return_specs.ssda903 import FILES, table_spec


class Ssda903DataError(ValueError):
    """The store holds data that cannot be written as a valid SSDA903 return."""

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()):
        self.problems = tuple(problems)
        if self.problems:
            shown = "\n  ".join(self.problems[:20])
            more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
            message = f"{message}:\n  {shown}{more}"
        super().__init__(message)


_ALNUM = re.compile(r"^[A-Za-z0-9]+$")


def spec_problems(year: int, frames: dict[str, pl.DataFrame]) -> list[str]:
    """Values that break the year's DfE specification: codes outside the list, blanks where a
    value is required, dates or numbers that do not parse, identifiers that are not alphanumeric."""
    problems = []
    for table, cols in table_spec(year).items():
        frame = frames[table]
        file = FILES[table][1]
        for col in cols:
            for child, value in zip(frame["CHILD"].to_list(), frame[col.name].to_list()):
                why = None
                if value is None or value == "":
                    why = None if col.blank else "is blank but required"
                elif col.kind == "code" and value not in col.codes:
                    why = f"{value!r} is not a valid code in {year}"
                elif col.kind == "id" and not _ALNUM.match(value):
                    why = f"{value!r} is not alphanumeric"
                elif col.kind == "int" and not value.isdigit():
                    why = f"{value!r} is not a whole number"
                if why:
                    problems.append(f"{file} {col.name} for child {child}: {why}")
    return problems
