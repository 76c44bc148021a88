"""Stable identifiers for records read from returns.

Returns carry no record identifiers, only the child and dates. To load the same
file twice without duplicates, and to recognise the same referral in two census
years, every record's identifier is built from what identifies it in the domain:
the child and the date it started (``8900001234/R2024-05-01``).
"""

from __future__ import annotations

import polars as pl


def natural_id(kind: str, child: pl.Expr | str = "child_id", date: pl.Expr | str = "start_date") -> pl.Expr:
    """An identifier like ``<child>/<kind><yyyy-mm-dd>`` (e.g. ``8900001/R2024-05-01``)."""
    child = pl.col(child) if isinstance(child, str) else child
    date = pl.col(date) if isinstance(date, str) else date
    return pl.concat_str([child, pl.lit(f"/{kind}"), date.dt.strftime("%Y-%m-%d")])


def deduplicated(ids: pl.Expr) -> pl.Expr:
    """Make repeated identifiers unique by numbering the repeats (``…/R2024-05-01#2``), in row order."""
    n = pl.int_range(pl.len()).over(ids)
    return pl.when(n == 0).then(ids).otherwise(pl.concat_str([ids, pl.lit("#"), (n + 1).cast(pl.Utf8)]))
