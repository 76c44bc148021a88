"""The store: the canonical tables in a DuckDB file, read through Ibis.

A store is one DuckDB database file holding every table in
:data:`carelens.model.tables.TABLES`. Writers hand over whole tables as Polars
frames or Arrow tables; a write of several tables happens in one transaction,
so a failed load leaves the store exactly as it was. Readers get Ibis table
expressions, so the same analysis code also runs on PostgreSQL or Spark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis
import polars as pl
import pyarrow as pa

from carelens.model import versions
from carelens.model.column_types import POLARS_TYPES as _POLARS_TYPES
from carelens.model.metadata import (
    METADATA_TABLES,
    STORE_AUTHORITIES,
    STORE_COVERAGE,
    STORE_LOADS,
    STORE_VERSIONS,
    Load,
    StoreVersion,
)
from carelens.model.migrations import SCHEMA_VERSION, migrate, schema_version
from carelens.model.store_file import StoreError, check_tables, connect, connect_reader
from carelens.model.tables import TABLES, Table, table

_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float64": "DOUBLE",
}


def polars_schema(t: Table | str) -> dict[str, pl.DataType]:
    """The Polars schema of a store table (column order as declared)."""
    t = table(t) if isinstance(t, str) else t
    return {c.name: _POLARS_TYPES[c.dtype] for c in t.columns}


def ibis_schema(t: Table | str) -> ibis.Schema:
    """The Ibis schema of a store table."""
    t = table(t) if isinstance(t, str) else t
    return ibis.schema({c.name: ibis.dtype(c.dtype).copy(nullable=c.nullable) for c in t.columns})


def declared_columns() -> dict[str, list[str]]:
    """Every table a store of this CareLens holds, child-journey and metadata, with its declared columns."""
    return {t.name: t.column_names for t in (*TABLES, *METADATA_TABLES)}


def create_table_sql(t: Table) -> str:
    cols = ",\n  ".join(
        f'"{c.name}" {_DUCKDB_TYPES[c.dtype]}{"" if c.nullable else " NOT NULL"}' for c in t.columns
    )
    return f'CREATE TABLE IF NOT EXISTS "{t.name}" (\n  {cols}\n)'


def conform(t: Table | str, frame: pl.DataFrame) -> pl.DataFrame:
    """Cast a frame to the declared schema of ``t``, adding absent nullable columns as nulls.

    Raises ``ValueError`` naming the table and column when a required column is
    missing, so a programming error in a writer is caught before anything is stored.
    """
    t = table(t) if isinstance(t, str) else t
    exprs = []
    for c in t.columns:
        dtype = _POLARS_TYPES[c.dtype]
        if c.name in frame.columns:
            exprs.append(pl.col(c.name).cast(dtype))
        elif c.nullable:
            exprs.append(pl.lit(None, dtype=dtype).alias(c.name))
        else:
            raise ValueError(f"table {t.name}: required column {c.name!r} is missing")
    return frame.select(exprs)


class TableReader:
    """Ibis expressions over the canonical tables, read through one DuckDB connection.

    The store reads through one; :meth:`Store.reader` gives another, on its own cursor, so that a second
    thread can run queries while the first does (DuckDB runs the queries of several connections at
    once). Each has its own Ibis backend, and so its own temporary tables.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self.ibis = ibis.duckdb.from_connection(con)
        self._tables: dict[str, ibis.Table] = {}

    def table(self, name: str) -> ibis.Table:
        """An Ibis expression over one canonical table."""
        if name not in self._tables:
            # kept: every lookup would otherwise ask DuckDB for the table's columns again, and the
            # indicator catalogue looks tables up hundreds of times (the columns never change)
            table(name)  # a clear error for an unknown name
            self._tables[name] = self.ibis.table(name)
        return self._tables[name]

    def close(self) -> None:
        self._con.close()


class Store:
    """A CareLens store in a DuckDB file.

    Use as a context manager, or call :meth:`close`. ``Store(path)`` opens or creates the file, applying
    the numbered migrations it lacks (:mod:`carelens.model.migrations`), and writes it in place: that is
    for a file nobody else reads (a test's, or the copy a load writes). What other processes may be
    reading is written through :func:`carelens.model.store_writer.writing`, which writes the next version
    beside it (decision 017). ``Store(path, read_only=True)`` reads; a store of an earlier schema is first
    upgraded, as its next version. A path that is not a store (a folder, another kind of file or
    database, a store held by another process) raises :class:`~carelens.model.store_file.StoreError`
    saying so in one line.

    A write that changes the data records a new version when the store is closed
    (:mod:`carelens.model.versions`), made by ``change`` and loading what :meth:`record_loads` was given.
    """

    def __init__(self, path: str | Path, read_only: bool = False, memory_limit: str | None = None,
                 change: str = "write"):
        self.path = Path(path)
        self.read_only = read_only
        # Nothing may be downloaded at run time: children's data stays on the machine.
        config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        # Indicators join intervals to a few hundred days (every Sunday and month end) with two
        # inequalities. Below 1,000 rows on one side DuckDB would choose a piecewise merge join, which
        # tests one inequality for every pair; its inequality join (IEJoin) is several times faster there.
        config["merge_join_threshold"] = 0
        if memory_limit:
            # DuckDB otherwise lets its buffer pool grow to 80% of the machine's memory
            config["memory_limit"] = memory_limit
        self._change = change
        self._loads: list[Load] = []
        self._changed = False
        self.recorded: StoreVersion | None = None  # the version this write recorded, once closed
        self._duck = connect_reader(self.path, config) if read_only else connect(self.path, False, config)
        try:
            found = self._check_schema(read_only)
            if read_only and found is not None and found < SCHEMA_VERSION:
                # an older store: its migrated copy is written as its next version, then read
                self._duck.close()
                from carelens.model.store_writer import upgrade

                upgrade(self.path)
                self._duck = connect_reader(self.path, config)
                self._check_schema(read_only)
            elif not read_only:
                self._changed = bool(migrate(self._duck))
                if versions.current_version(self._duck) is None:
                    self._changed = True  # a new store: its first version is its making
        except BaseException:
            self._duck.close()
            raise
        self._reader = TableReader(self._duck)
        self.ibis = self._reader.ibis

    def _check_schema(self, read_only: bool) -> int | None:
        found = schema_version(self._duck)
        if found is not None and found > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: was written by a later CareLens (store schema {found}; this one reads up "
                             f"to {SCHEMA_VERSION}): upgrade CareLens to read it")
        check_tables(self._duck, self.path, declared_columns(),
                     complete=found == SCHEMA_VERSION or (read_only and found is None))
        return found

    # -------------------------------------------------------------- reading
    def table(self, name: str) -> ibis.Table:
        """An Ibis expression over one canonical table."""
        return self._reader.table(name)

    @contextmanager
    def reader(self):
        """Another connection to the store, for reading it on another thread (:class:`TableReader`)."""
        reader = TableReader(self._duck.cursor())
        try:
            yield reader
        finally:
            reader.close()

    def to_polars(self, name: str) -> pl.DataFrame:
        """A whole table as a Polars frame, typed as declared."""
        return conform(name, pl.from_arrow(self._duck.sql(f'SELECT * FROM "{name}"').to_arrow_table()))

    def authority(self, la_code: str | None = None) -> str:
        """The authority to work on: ``la_code`` if the store holds children for it, or the only one it holds.

        Raises ``ValueError`` saying what the store holds when the choice is missing or wrong.
        """
        held = self.authorities()
        if la_code is None:
            if len(held) != 1:
                raise ValueError(f"the store holds {len(held)} authorities ({', '.join(held) or 'none'}): "
                                 "choose one with la_code (--la)")
            return held[0]
        if la_code not in held:
            raise ValueError(f"no children for authority {la_code!r} in the store (authorities: "
                             f"{', '.join(held) or 'none'})")
        return la_code

    # ------------------------------------------------------- what the store says about itself
    @property
    def version(self) -> StoreVersion:
        """The version of the data read (or, while writing, the last one recorded)."""
        found = versions.current_version(self._duck)
        if found is None:  # (only a store being written for the first time, before it is closed)
            raise StoreError(f"{self.path}: no version recorded yet")
        return found

    @property
    def schema_version(self) -> int:
        return schema_version(self._duck) or 0

    def authorities(self) -> tuple[str, ...]:
        """The authorities the store holds children for, in code order."""
        if self._changed:  # written in this session and not yet recorded: from the data itself
            return tuple(r[0] for r in self.sql('SELECT DISTINCT la_code FROM "person" ORDER BY 1'))
        return tuple(r[0] for r in self.sql(f'SELECT la_code FROM "{STORE_AUTHORITIES.name}" ORDER BY 1'))

    def authority_details(self) -> pl.DataFrame:
        """Each authority: children held, whether it is synthetic, and its profile and seed (``store_authorities``)."""
        return versions.frame(self._duck, STORE_AUTHORITIES.name)

    def synthetic_profile(self, la_code: str) -> str | None:
        """The profile a synthetic authority was generated from; None for an authority of real returns."""
        row = self.sql(f'SELECT profile FROM "{STORE_AUTHORITIES.name}" WHERE la_code = ? AND synthetic', [la_code])
        return row[0][0] if row else None

    def loads(self) -> pl.DataFrame:
        """What was loaded into the store, one row per source (``store_loads``)."""
        return versions.frame(self._duck, STORE_LOADS.name)

    def versions(self) -> pl.DataFrame:
        """Every version of the store's data, oldest first (``store_versions``)."""
        return versions.frame(self._duck, STORE_VERSIONS.name)

    def teams(self, la_code: str) -> pl.DataFrame:
        """The authority's teams: ``team_id``, ``name`` and ``service`` (what a report names a team by)."""
        t = self.table("teams")
        return t.filter(t.la_code == la_code).select("team_id", "name", "service").order_by("team_id").to_polars()

    def is_empty(self) -> bool:
        """True when the store holds no children (made, but nothing loaded into it)."""
        return self.count("person") == 0

    def coverage(self, la_codes: Iterable[str] | None = None) -> pl.DataFrame:
        """Per authority and table, the stretches of days its sources cover (:mod:`carelens.model.provenance`),
        as recorded with the store's version (``store_coverage``)."""
        from carelens.model.provenance import COVERAGE_SCHEMA, coverage

        la_list = list(self.authorities() if la_codes is None else la_codes)
        if self._changed:
            return coverage(self, la_list)
        rows = self.sql(f'SELECT la_code, table_name, first_day, last_day FROM "{STORE_COVERAGE.name}" '
                        'WHERE la_code IN (SELECT unnest(?)) ORDER BY la_code, table_name, first_day', [la_list])
        return pl.DataFrame(rows, schema=COVERAGE_SCHEMA, orient="row")

    def count(self, name: str) -> int:
        table(name)
        return self._duck.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]

    def sql(self, query: str, params: Iterable | None = None) -> list[tuple]:
        """Run a read query directly (used by invariant checks and tests)."""
        return self._duck.execute(query, params or []).fetchall()

    # -------------------------------------------------------------- writing
    def replace(self, frames: Mapping[str, pl.DataFrame | pa.Table], *, la_codes: Iterable[str] | None = None):
        """Replace the contents of several tables in one transaction.

        With ``la_codes``, only the rows of those authorities are replaced, so
        authorities can be written one at a time into a shared pool. Either every
        table is written or, on any error, none is.
        """
        la_list = list(la_codes) if la_codes is not None else None

        def clear(name: str) -> None:
            if la_list is None or "la_code" not in table(name).column_names:
                self._duck.execute(f'DELETE FROM "{name}"')
            else:
                self._duck.execute(f'DELETE FROM "{name}" WHERE la_code IN (SELECT unnest(?))', [la_list])

        self._write(frames, before_insert=clear)

    def append(self, frames: Mapping[str, pl.DataFrame | pa.Table]):
        """Add rows to several tables in one transaction (all or nothing)."""
        self._write(frames)

    def record_loads(self, loads: Iterable[Load]) -> None:
        """What this write loads, recorded with the version it makes when the store is closed."""
        self._loads.extend(loads)
        self._changed = True

    def _write(self, frames: Mapping[str, pl.DataFrame | pa.Table], before_insert=None):
        # conform every frame first, so a programming error is caught before the transaction opens
        prepared = {name: conform(table(name), pl.from_arrow(f) if isinstance(f, pa.Table) else f).to_arrow()
                    for name, f in frames.items()}
        con = self._duck
        self._changed = True
        con.execute("BEGIN TRANSACTION")
        try:
            for name, arrow in prepared.items():
                if before_insert:
                    before_insert(name)
                con.register("_incoming", arrow)
                con.execute(f'INSERT INTO "{name}" SELECT * FROM _incoming')
                con.unregister("_incoming")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def load_parquet(self, name: str, files: list[str]) -> None:
        """Bulk-load Parquet files written with the table's declared schema (streamed by DuckDB)."""
        if not files:
            return
        cols = ", ".join(f'"{c}"' for c in table(name).column_names)
        self._changed = True
        self._duck.execute(f'INSERT INTO "{name}" SELECT {cols} FROM read_parquet(?)', [files])

    @contextmanager
    def transaction(self):
        """A DuckDB connection inside one transaction: committed on success, rolled back on any error."""
        con = self._duck
        self._changed = True
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def checkpoint(self):
        self._duck.execute("CHECKPOINT")

    def close(self, *, record: bool = True):
        """Close the store; a write that changed it first records its new version (unless ``record`` is false:
        the write failed, and what it made is thrown away)."""
        try:
            if record and self._changed and not self.read_only:
                self.recorded = versions.record_version(self._duck, self._change, self._loads, self.schema_version)
                self._changed = False
                self._duck.execute("CHECKPOINT")
        finally:
            self._duck.close()

    def __enter__(self):
        return self

    def __exit__(self, kind, *exc):
        self.close(record=kind is None)
