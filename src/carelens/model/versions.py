"""Recording a new version of a store's data, with what made it and what the store now holds.

Every write that changes a store's data ends by recording a version (decision 017): a row of
``store_versions`` with an identifier no other version has, the sources it loaded (``store_loads``),
and, recomputed from the data now held, the authorities (``store_authorities``) and the days each
table's sources cover (``store_coverage``). So what a store says about itself is always what it holds,
and anything computed from a version (a cache of figures) can be keyed by that version's identifier.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import duckdb
import polars as pl

from carelens.model.metadata import (
    STORE_AUTHORITIES,
    STORE_COVERAGE,
    STORE_LOADS,
    STORE_VERSIONS,
    Load,
    StoreVersion,
    carelens_version,
    now,
)


def current_version(con: duckdb.DuckDBPyConnection) -> StoreVersion | None:
    """The store's latest version, or None for a store with none recorded."""
    row = con.execute(f'SELECT version, version_id, made_at, change, carelens_version, schema_version '
                      f'FROM "{STORE_VERSIONS.name}" ORDER BY version DESC LIMIT 1').fetchall()
    return StoreVersion(*row[0]) if row else None


def record_version(con: duckdb.DuckDBPyConnection, change: str, loads: Sequence[Load], schema_version: int
                   ) -> StoreVersion:
    """Record the store's next version, made by ``change`` (ingest, synth, migration, write) loading ``loads``."""
    from carelens.model.provenance import coverage
    from carelens.model.store import TableReader

    made_at, by = now(), carelens_version()
    con.execute("BEGIN TRANSACTION")
    try:
        number = con.execute(f'SELECT coalesce(max(version), 0) + 1 FROM "{STORE_VERSIONS.name}"').fetchall()[0][0]
        version = StoreVersion(number, uuid.uuid4().hex, made_at, change, by, schema_version)
        con.execute(f'INSERT INTO "{STORE_VERSIONS.name}" VALUES (?, ?, ?, ?, ?, ?)',
                    [version.version, version.version_id, made_at, change, by, schema_version])
        first = con.execute(f'SELECT coalesce(max(load_id), 0) + 1 FROM "{STORE_LOADS.name}"').fetchall()[0][0]
        for i, load in enumerate(loads):
            con.execute(f'INSERT INTO "{STORE_LOADS.name}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                        [first + i, number, made_at, by, load.source, load.return_kind, load.collection_year,
                         load.checksum, load.la_code, load.children, load.rows, load.synthetic, load.profile,
                         load.seed, load.years])
        _record_authorities(con)
        la_codes = [r[0] for r in con.execute(f'SELECT la_code FROM "{STORE_AUTHORITIES.name}" ORDER BY 1').fetchall()]
        con.execute(f'DELETE FROM "{STORE_COVERAGE.name}"')
        # (a store with no children covers nothing: its first version is recorded without a query per table)
        spans = coverage(TableReader(con), la_codes).rename({"table": "table_name"}) if la_codes else None
        if spans is not None and len(spans):
            con.register("_spans", spans.to_arrow())
            con.execute(f'INSERT INTO "{STORE_COVERAGE.name}" SELECT la_code, table_name, first_day, last_day '
                        'FROM _spans')
            con.unregister("_spans")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return version


def _record_authorities(con: duckdb.DuckDBPyConnection) -> None:
    # synthetic when every one of the authority's children came from a generator; its profile is the one
    # its rows name, its seed the one its latest synthetic load recorded
    con.execute(f'DELETE FROM "{STORE_AUTHORITIES.name}"')
    con.execute(f"""
        INSERT INTO "{STORE_AUTHORITIES.name}"
        SELECT p.la_code, p.children, p.synthetic, p.profile, s.seed
        FROM (SELECT la_code, count(*) AS children, bool_and(coalesce(source_file, '') LIKE 'synthetic:%') AS synthetic,
                     CASE WHEN bool_and(coalesce(source_file, '') LIKE 'synthetic:%')
                          THEN min(substr(source_file, length('synthetic:') + 1)) END AS profile
              FROM person GROUP BY la_code) p
        LEFT JOIN (SELECT la_code, arg_max(seed, load_id) AS seed FROM "{STORE_LOADS.name}"
                   WHERE synthetic GROUP BY la_code) s USING (la_code)
    """)


def frame(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """A metadata table as a Polars frame, in its key's order."""
    from carelens.model.metadata import METADATA_TABLES

    declared = next(t for t in METADATA_TABLES if t.name == name)
    order = ", ".join(f'"{c}"' for c in declared.primary_key)
    return pl.from_arrow(con.sql(f'SELECT * FROM "{name}" ORDER BY {order}').to_arrow_table())
