"""Numbered migrations: how a store written by an earlier CareLens is brought to this one's schema.

A store's *schema version* is the number of the last migration applied to it (``store_migrations``);
a store of CareLens 0.1.0, the first release, has no such table and is version 0. Opening a store
for writing applies the migrations it lacks, each in its own transaction, in order; opening an older
store for reading first writes its migrated copy as the store's next version (decision 017), so a
reader never sees a half-migrated store. A store of a later schema than this CareLens knows is refused.

Each migration is frozen once released: a change to a table is a new migration, never an edit of an
old one. ``tests/model/test_migrations.py`` checks that the migrations build exactly the tables
:mod:`carelens.model.tables` and :mod:`carelens.model.metadata` declare, and that a store written by
the previous release opens, migrated, with the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files

import duckdb

from carelens.model.metadata import STORE_MIGRATIONS, carelens_version, now
from carelens.model.migrations import m0002_store_metadata


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _sql(name: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
    def apply(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(files(__package__).joinpath(name).read_text(encoding="utf-8"))
    return apply


def _metadata(con: duckdb.DuckDBPyConnection) -> None:
    _sql("m0002_store_metadata.sql")(con)
    m0002_store_metadata.record_earlier_loads(con)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the child-journey tables of CareLens 0.1.0", _sql("m0001_child_journey_tables.sql")),
    Migration(2, "the store's metadata: versions, loads, authorities, coverage", _metadata),
)
SCHEMA_VERSION = MIGRATIONS[-1].number


# the migrations' own record, made with the first migration a store is given (frozen, like the migrations)
_BOOKKEEPING = """CREATE TABLE IF NOT EXISTS "store_migrations" (
  "migration" INTEGER NOT NULL,
  "name" VARCHAR NOT NULL,
  "applied_at" VARCHAR NOT NULL,
  "carelens_version" VARCHAR NOT NULL
)"""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                      "AND database_name = current_database()").fetchall()}


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The store's schema version: None for an empty database (a new store), 0 for a store of 0.1.0."""
    held = _tables(con)
    if not held:
        return None
    if STORE_MIGRATIONS.name not in held:
        return 0
    return con.execute(f'SELECT coalesce(max(migration), 0) FROM "{STORE_MIGRATIONS.name}"').fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply the migrations the store lacks, in order, each with its record in one transaction."""
    current = schema_version(con) or 0
    applied = []
    for m in MIGRATIONS:
        if m.number <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(_BOOKKEEPING)
            m.apply(con)
            con.execute(f'INSERT INTO "{STORE_MIGRATIONS.name}" VALUES (?, ?, ?, ?)',
                        [m.number, m.name, now(), carelens_version()])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(m)
    return applied
