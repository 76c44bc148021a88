"""The Polars type of each store column type — importable without DuckDB or Ibis (readers use it)."""

from __future__ import annotations

import polars as pl

POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.Utf8,
    "date": pl.Date,
    "boolean": pl.Boolean,
    "int32": pl.Int32,
    "int64": pl.Int64,
    "float64": pl.Float64,
}
