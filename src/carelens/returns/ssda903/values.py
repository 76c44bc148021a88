"""How the return writes a value: dates ``DD/MM/YYYY``, flags ``0``/``1``, tables of strings.

And the one piece of date arithmetic the age rules need: a birthday (:func:`add_years`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def add_years(d: dt.date, n: int) -> dt.date:
    """``d`` moved ``n`` years on: the ``n``-th birthday of someone born on ``d``."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February in a non-leap year: the day before 1 March
        return dt.date(d.year + n, 2, 28)


def fmt_date(d: dt.date | None) -> str | None:
    return None if d is None else d.strftime("%d/%m/%Y")


def flag(b: bool | None) -> str | None:
    return None if b is None else ("1" if b else "0")


def frame(rows: list[dict], columns: list[str]) -> pl.DataFrame:
    """A table of the return: every column a string, in spec order."""
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in columns})
