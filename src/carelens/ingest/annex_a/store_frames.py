"""Annex A records as frames of the store's types, with the identifiers built from their child and date."""

from __future__ import annotations

import polars as pl

from carelens.ingest.identity import deduplicated, natural_id
from carelens.model.store import polars_schema


def store_frame(table: str, rows: list[dict], columns: list[str]) -> pl.DataFrame:
    """Record dicts as a frame of the store table's types: ``columns`` and the provenance columns."""
    schema = polars_schema(table)
    cols = [*columns, "la_code", "source_file", "source_year", "source_row"]
    return pl.DataFrame(rows, schema={c: schema[c] for c in cols}, orient="row") if rows else \
        pl.DataFrame(schema={c: schema[c] for c in cols})


def with_id(frame: pl.DataFrame, id_col: str, kind: str, date_col: str) -> pl.DataFrame:
    """The frame with its natural identifier (child, kind letter, date) first, duplicates numbered."""
    ids = natural_id(kind, "child_id", date_col)
    return frame.with_columns(deduplicated(ids).alias(id_col)).select(id_col, *frame.columns)

