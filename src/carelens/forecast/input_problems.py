"""What is wrong with a file a user gives the forecast (a population projection, unit costs): every problem at
once, each with its file, row, field, value and what was expected (:class:`carelens.problems.Problem`)."""

from __future__ import annotations

from carelens.problems import Problem


class ForecastInputError(ValueError):
    """An input file the forecast cannot use; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        files = ", ".join(dict.fromkeys(p.file for p in self.problems))
        super().__init__(f"{len(self.problems)} problem(s) in {files}:\n{shown}{more}")
