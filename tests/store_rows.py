"""Building hand-made store tables in tests: rows as dicts, plus columns every row shares."""

from __future__ import annotations

import polars as pl


def frame(rows, **fixed) -> pl.DataFrame:
    """``rows`` as a frame, with each of ``fixed`` (column=value) added to every row."""
    return pl.DataFrame(rows).with_columns(**{k: pl.lit(v) for k, v in fixed.items()})
