"""Reading one published cell: a number, or a mark saying why there is no number.

DfE files print numbers as text ("12.5", "7.0000000000000007E-2") and put a mark in place of a
number that is not published. A mark is not an error: the figure is stored with value NULL and the
mark as its status, so a reader can say *why* a neighbour is missing.
"""

from __future__ import annotations

import polars as pl

PUBLISHED = "published"

# The marks found in DfE files, with their meaning (explore-education-statistics symbols and LAIT).
SUPPRESSION_MARKS: dict[str, str] = {
    "x": "not available",
    "c": "confidential: suppressed to protect individuals (small numbers)",
    "z": "not applicable",
    "low": "rounds to zero, but is not zero",
    "k": "rounds to zero, but is not zero (older symbol for 'low')",
    "u": "low reliability: not published",
    ":": "not available",
    "..": "not available",
    ".": "not applicable",
    "-": "not published (LAIT)",
}

# A plain decimal, optionally signed, optionally in scientific notation. No thousands separators:
# DfE files never use them, and guessing would hide a shifted column.
NUMBER_PATTERN = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
# Durations in years and months ("01:03" = 1 year 3 months), used by national adoption timeliness.
DURATION_PATTERN = r"^\d+:\d{2}$"


def figure_columns(text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Expressions for (value, status, is_unreadable) of a text cell.

    value is a float (durations in months), status 'published' or the mark; is_unreadable is true
    for text that is neither a number nor a known mark: the caller reports it as a problem.
    A blank cell is stored as not published with status 'blank'.
    """
    trimmed = text.str.strip_chars()
    is_number = trimmed.str.contains(NUMBER_PATTERN)
    is_duration = trimmed.str.contains(DURATION_PATTERN)
    is_mark = trimmed.str.to_lowercase().is_in(list(SUPPRESSION_MARKS))
    is_blank = trimmed.is_null() | (trimmed == "")
    duration_months = (trimmed.str.split(":").list.get(0, null_on_oob=True).cast(pl.Float64, strict=False) * 12
                       + trimmed.str.split(":").list.get(1, null_on_oob=True).cast(pl.Float64, strict=False))
    value = (pl.when(is_number).then(trimmed.cast(pl.Float64, strict=False))
             .when(is_duration).then(duration_months)
             .otherwise(None))
    status = (pl.when(is_number | is_duration).then(pl.lit(PUBLISHED))
              .when(is_blank).then(pl.lit("blank"))
              .when(is_mark).then(trimmed.str.to_lowercase())
              .otherwise(None))
    unreadable = ~(is_number | is_duration | is_mark | is_blank)
    return value, status, unreadable
