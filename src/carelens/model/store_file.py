"""The store's file: opening it safely, and creating a new one so that no other process's data is lost.

DuckDB lets one process write a database file, or several read it, never both (decision 007).
Opening a file held by another process fails with a lock error naming that process; here it
becomes a :class:`StoreError` saying "store in use by process N".

No write changes a store in place: :mod:`carelens.model.store_writer` writes each new version beside
it and publishes it whole (decision 017). This module only opens files and says what is wrong with a path.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from carelens.path_problems import duckdb_problem, folder_problem, os_problem


class StoreError(Exception):
    """A store that cannot be opened or created, said in one line that names its path."""


def connect(path: Path, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the store file at ``path``; every problem with the path is a StoreError."""
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; expected a CareLens store file (.duckdb)")
    if read_only and not path.exists():
        raise StoreError(f"no store at {path}: create one with `carelens ingest`, `carelens synth` or `carelens demo`")
    if not read_only:
        reason = folder_problem(path.parent)
        if reason:
            raise StoreError(f"{path}: its folder {path.parent} {reason}")
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.Error as e:
        raise StoreError(duckdb_problem(path, str(e))) from None


def connect_reader(path: Path, config: dict) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the version of the store that ``path`` names now (decision 017).

    Opened through a hard link of its own, removed as soon as DuckDB has the file open: DuckDB shares
    one database per path within a process, so a second reader opening the path itself after a new
    version was published would be handed the old one while any connection to it stayed open. Where no
    link can be made (a folder the reader cannot write in), the path itself is opened.
    """
    if path.is_dir() or not path.exists():
        return connect(path, True, config)  # (said as connect says it)
    link = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.reading")
    try:
        os.link(path, link)
    except OSError:
        return connect(path, True, config)
    try:
        return connect(link, True, config)
    except StoreError as e:
        raise StoreError(str(e).replace(str(link), str(path))) from None
    finally:
        link.unlink(missing_ok=True)


def check_tables(con: duckdb.DuckDBPyConnection, path: Path, expected: dict[str, list[str]],
                 complete: bool) -> None:
    """Refuse a database that is not a CareLens store, or one whose tables are not the declared ones.

    ``expected`` maps each table to its declared columns. A store of an earlier schema may lack tables
    (its migrations add them: ``complete`` is false); one of this CareLens's schema must have them all.
    Migrations must not add tables to somebody else's database, such as the published benchmark file,
    nor may anything load into a table without the columns it writes.
    """
    columns: dict[str, set[str]] = {}
    # the file's own tables (duckdb_columns() also lists DuckDB's built-in views)
    for name, column in con.execute("SELECT c.table_name, c.column_name FROM duckdb_columns() c "
                                    "JOIN duckdb_tables() t USING (database_oid, schema_oid, table_oid) "
                                    "WHERE t.schema_name = 'main' AND t.database_name = current_database()"
                                    ).fetchall():
        columns.setdefault(name, set()).add(column)
    if not columns:
        if complete:
            raise StoreError(f"{path}: is an empty DuckDB database, not a CareLens store: load returns into it "
                             "with `carelens ingest` or make one with `carelens synth`")
        return
    if "person" not in columns:
        shown = ", ".join(sorted(columns)[:5]) + (", …" if len(columns) > 5 else "")
        raise StoreError(f"{path}: is a DuckDB database but not a CareLens store (no person table; it holds {shown})")
    another_version = ("it was made by another version of CareLens; load its returns again with "
                       "`carelens ingest` into a new store")
    missing = [name for name in expected if name not in columns]
    if complete and missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise StoreError(f"{path}: the store lacks the tables {shown}: {another_version}")
    for name, declared in expected.items():
        lacking = [c for c in declared if name in columns and c not in columns[name]]
        if lacking:
            shown = ", ".join(lacking[:5]) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
            raise StoreError(f"{path}: the store's table {name} lacks the columns {shown}: {another_version}")


def check_replaceable(path: Path) -> None:
    """Raise StoreError if ``path`` should not be replaced by a new store: a folder, a file that is not a
    CareLens store (someone's other file, named by mistake), or a store another process is writing."""
    from carelens.model.store_writer import writing

    with writing(path, replace=True):
        pass


def check_creatable(target: Path) -> Path:
    """Raise StoreError now if no store can be created at ``target`` (its folder cannot be made or written
    in); otherwise the name of a temporary file beside it, not yet made."""
    reason = folder_problem(target.parent)
    if reason:
        raise StoreError(f"{target}: its folder {target.parent} {reason}")
    # the same folder, so that the link (and the rename it may fall back to) stays on one file system
    temp = target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.loading")
    try:
        # asked of the folder with a file of our own, so that the message names the store, not the temporary file
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        os.unlink(temp)  # DuckDB makes the file itself: it refuses an empty one as "not a database"
    except OSError as e:
        raise StoreError(f"{target}: cannot create the store in {target.parent} ({os_problem(e)})") from None
    return temp
