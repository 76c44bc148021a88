"""The store's file: opening it safely, and creating a new one so that no other process's data is lost.

DuckDB lets one process write a database file, or several read it, never both (decision 007).
Opening a file held by another process fails with a lock error naming that process; here it
becomes a :class:`StoreError` saying "store in use by process N".

A new store is never created in place. It is filled in a temporary file beside the target and
published with a hard link, which the operating system refuses if the target exists: two loads
into one new store cannot both believe they created it, and a failed load removes only its own
temporary file, never a store another process has just written.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


ADDED_AFTER_FIRST_STORES = frozenset({"held_back_children"})
"""Tables declared after the first stores were written. A store read without them is read as if they were
empty (its readers, e.g. :mod:`carelens.model.provenance`, count none); a writer adds them. Until the store
has numbered migrations (issue 14), this is how an older store stays readable."""


def check_tables(con: duckdb.DuckDBPyConnection, path: Path, expected: dict[str, list[str]],
                 read_only: bool) -> None:
    """Refuse a database that is not a CareLens store, or one whose tables are not the declared ones.

    ``expected`` maps each table to its declared columns. A writer may add tables a store lacks (a
    store made before they were declared); it must not add them to somebody else's database, such
    as the published benchmark file, nor load into a table without the columns it writes.
    """
    columns: dict[str, set[str]] = {}
    # the file's own tables (duckdb_columns() also lists DuckDB's built-in views)
    for name, column in con.execute("SELECT c.table_name, c.column_name FROM duckdb_columns() c "
                                    "JOIN duckdb_tables() t USING (database_oid, schema_oid, table_oid) "
                                    "WHERE t.schema_name = 'main' AND t.database_name = current_database()"
                                    ).fetchall():
        columns.setdefault(name, set()).add(column)
    if not columns:
        if read_only:
            raise StoreError(f"{path}: is an empty DuckDB database, not a CareLens store: load returns into it "
                             "with `carelens ingest` or make one with `carelens synth`")
        return
    if "person" not in columns:
        shown = ", ".join(sorted(columns)[:5]) + (", …" if len(columns) > 5 else "")
        raise StoreError(f"{path}: is a DuckDB database but not a CareLens store (no person table; it holds {shown})")
    another_version = ("it was made by another version of CareLens; load its returns again with "
                       "`carelens ingest` into a new store")
    missing = [name for name in expected if name not in columns and name not in ADDED_AFTER_FIRST_STORES]
    if read_only and missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise StoreError(f"{path}: the store lacks the tables {shown}: {another_version}")
    for name, declared in expected.items():
        lacking = [c for c in declared if name in columns and c not in columns[name]]
        if lacking:
            shown = ", ".join(lacking[:5]) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
            raise StoreError(f"{path}: the store's table {name} lacks the columns {shown}: {another_version}")


def check_writable(path: Path, expected: dict[str, list[str]]) -> None:
    """Raise StoreError now if the existing store at ``path`` could not be written (it is in use, or not a
    store): said before minutes of reading returns, not after. Changes nothing in the file."""
    con = connect(path, read_only=False, config={"autoinstall_known_extensions": False,
                                                 "autoload_known_extensions": False})
    try:
        check_tables(con, path, expected, read_only=False)
    finally:
        con.close()


def check_replaceable(path: Path) -> None:
    """Raise StoreError if ``path`` should not be replaced by a new store: a folder, a file that is not a
    CareLens store (someone's other file, named by mistake), or a store another process is using."""
    if path.exists() or path.is_dir():
        try:
            check_writable(path, {})
        except StoreError as e:
            if "in use by" in str(e):
                raise
            raise StoreError(f"{e}; it is not replaced: give --store a new file or a CareLens store") from None
    else:
        check_creatable(path)


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


@contextmanager
def new_store_file(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target`` to fill; published as ``target`` when the block succeeds.

    Raises StoreError, and leaves ``target`` as it is, if another process created ``target``
    meanwhile. The temporary file is removed however the block ends.
    """
    temp = check_creatable(target)
    try:
        yield temp
        _publish(temp, target)
    finally:
        for leftover in (temp, Path(f"{temp}.wal")):
            leftover.unlink(missing_ok=True)


def _publish(temp: Path, target: Path) -> None:
    created_meanwhile = StoreError(f"{target}: another process created this store while this load ran, so "
                                   "nothing was stored; run the load again to add to that store")
    try:
        os.link(temp, target)  # fails if target exists: the exclusive create
        return
    except FileExistsError:
        raise created_meanwhile from None
    except OSError as e:
        # a file system without hard links (FAT, some network shares): claim the name first, exclusively,
        # then move the store over the empty claim (a reader meanwhile is told it is not a database)
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise StoreError(f"{target}: cannot create the store ({os_problem(e)})") from None
    try:
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    except FileExistsError:
        raise created_meanwhile from None
    except OSError as e:
        raise StoreError(f"{target}: cannot create the store ({os_problem(e)})") from None
    os.replace(temp, target)
