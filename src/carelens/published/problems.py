"""Problems found while building the benchmark file: the readers' Problem, collected per file."""

from __future__ import annotations

import polars as pl

from carelens.problems import IngestError, Problem, ProblemLog

__all__ = ["IngestError", "Problem", "ProblemLog", "missing_columns", "report_rows"]


def missing_columns(log: ProblemLog, columns: list[str], required: list[str] | tuple[str, ...]) -> bool:
    """Record every required column the file lacks; True when all are there."""
    missing = [name for name in required if name not in columns]
    for name in missing:
        log.add("header", name, None, f"a column named {name!r}")
    return not missing


def report_rows(log: ProblemLog, bad: pl.DataFrame, field: str, expected: str) -> None:
    """Record one problem per row of ``bad``, whose columns 'row' and ``field`` give where and what."""
    for row, value in bad.select("row", field).head(log.limit).iter_rows():
        log.add(f"row {row}", field, value, expected)
