"""Collecting generated rows table by table, and turning them into store frames.

The simulator produces columns as NumPy arrays (dates as day numbers, codes as
strings, missing values as ``-1`` days or ``None``). A :class:`TableRows` keeps
the chunks for one table; :func:`to_frame` builds a Polars frame typed as the
store declares, so every writer hands the store exactly its schema.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl

from carelens.model.store import conform, polars_schema
from carelens.model.tables import table

NO_DATE = np.int64(-(2**40))  # "no date" marker inside day-number arrays


class Records:
    """Chunks of generated columns, per store table."""

    def __init__(self, source: str | None = None):
        self.source = source  # provenance written on every row, e.g. "synthetic:england"
        self._chunks: dict[str, list[dict[str, np.ndarray]]] = defaultdict(list)

    def add(self, table_name: str, **columns) -> None:
        lengths = {len(v) for v in columns.values() if isinstance(v, np.ndarray | list)}
        if len(lengths) > 1:
            raise ValueError(f"{table_name}: columns of different lengths {lengths}")
        if not lengths or lengths == {0}:
            return
        n = lengths.pop()
        self._chunks[table_name].append(
            {k: (v if isinstance(v, np.ndarray | list) else np.full(n, v, dtype=object)) for k, v in columns.items()}
        )

    def tables(self) -> list[str]:
        return list(self._chunks)

    def to_frame(self, table_name: str, la_code: str) -> pl.DataFrame:
        t = table(table_name)
        chunks = self._chunks.get(table_name, [])
        frames = [_chunk_frame(t, c) for c in chunks]
        if frames:
            frame = pl.concat(frames, how="diagonal_relaxed")
        else:
            frame = pl.DataFrame(schema=polars_schema(t))
        if "la_code" in t.column_names:
            frame = frame.with_columns(pl.lit(la_code, dtype=pl.Utf8).alias("la_code"))
        if "source_file" in t.column_names and self.source:
            frame = frame.with_columns(pl.lit(self.source, dtype=pl.Utf8).alias("source_file"))
        return conform(t, frame)


def _chunk_frame(t, chunk: dict[str, np.ndarray]) -> pl.DataFrame:
    cols = {}
    for name, values in chunk.items():
        dtype = t.column(name).dtype
        if dtype == "date":
            arr = np.asarray(values, dtype=np.int64)
            s = pl.Series(name, arr).cast(pl.Int32, strict=False)
            s = pl.when(pl.Series(arr) == NO_DATE).then(None).otherwise(s)
            cols[name] = pl.select(s.cast(pl.Date).alias(name)).to_series()
        elif dtype == "boolean":
            arr = np.asarray(values)
            if arr.dtype == object:
                cols[name] = pl.Series(name, list(arr), dtype=pl.Boolean)
            else:
                cols[name] = pl.Series(name, arr.astype(bool))
        elif dtype == "string":
            arr = np.asarray(values)
            if arr.dtype.kind in "U":
                cols[name] = pl.Series(name, arr, dtype=pl.Utf8)
            else:
                cols[name] = pl.Series(name, list(arr), dtype=pl.Utf8)
        else:
            arr = np.asarray(values)
            target = {"int32": pl.Int32, "int64": pl.Int64, "float64": pl.Float64}[dtype]
            if arr.dtype == object:
                cols[name] = pl.Series(name, arr.tolist(), dtype=target)
            else:
                cols[name] = pl.Series(name, arr).cast(target)
    return pl.DataFrame(cols)


def ids(prefix: str, start: int, n: int) -> np.ndarray:
    """Readable sequential identifiers, e.g. ``R0000123``."""
    if n == 0:
        return np.array([], dtype="<U12")
    return np.char.add(prefix, np.char.zfill(np.arange(start, start + n).astype(str), 7))


def choice(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    """Draw ``n`` codes with the given weights (normalised)."""
    codes = np.array(list(options), dtype=object)
    p = np.array(list(options.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())].astype(str)
