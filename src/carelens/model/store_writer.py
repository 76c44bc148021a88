"""Writing a store's next version beside it, so that readers keep working while a load runs.

DuckDB lets one process write a database file or many read it, never both. A load written into the
store in place would refuse every reader for as long as it ran, and a reader would refuse the load.
So no CareLens write touches the store that readers have open (decision 017):

1. The writer takes the store's *writer lock* (``.NAME.lock`` beside it, an advisory ``flock`` the
   operating system releases if the process dies). A second writer is told at once which process
   holds it; readers never take it.
2. It copies the store to a temporary file beside it (``.NAME.PID-RANDOM.loading``; a new store
   starts empty) and writes there: migrations, the load, and the new version's record.
3. It publishes the copy with ``os.replace``, which swaps the name in one step. A reader that opened
   the store before keeps the version it opened (an open file survives the rename on Linux and
   macOS) until it opens the store again; one that opens after sees the new version whole.
4. The old version's file is deleted by the rename: the system frees its space when the last
   reader closes it. Temporary files of writers that died are removed by the next writer, and so are
   the figures kept for earlier versions (``.NAME.results/``, decision 018).

A failed write removes its temporary file and leaves the store as it was.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from carelens.model.store_file import StoreError, check_creatable, check_tables, connect
from carelens.path_problems import os_problem

if TYPE_CHECKING:
    from carelens.model.store import Store

_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def results_folder(store: Path) -> Path:
    """The folder beside ``store`` where figures computed from its versions are kept
    (:mod:`carelens.indicators.results_cache`); a new version removes those of the versions before it."""
    return store.with_name(f".{store.name}.results")


def _forget_results_of_earlier_versions(store: Path, current: str) -> None:
    folder = results_folder(store)
    try:
        earlier = [p for p in folder.iterdir() if p.is_dir() and p.name != current]
    except OSError:
        return
    for old in earlier:
        shutil.rmtree(old, ignore_errors=True)


def lock_path(store: Path) -> Path:
    return store.with_name(f".{store.name}.lock")


@contextmanager
def writer_lock(store: Path) -> Iterator[None]:
    """Hold the store's writer lock for the block; StoreError naming the holder if another process has it."""
    check_creatable(store)  # the folder exists and can be written in: said as the store's problem
    path = lock_path(store)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as e:
        raise StoreError(f"{store}: cannot lock the store for writing ({os_problem(e)})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # the holder writes its process id just after it takes the lock: a loser that comes in between waits
            # a moment for it, so that it can say who holds the store
            holder = ""
            for _ in range(50):
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                if holder:
                    break
                time.sleep(0.01)
            holder = holder or "another process"
            who = f"process {holder}" if holder.isdigit() else holder
            raise StoreError(f"{store}: store in use by {who}; try again when it finishes") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # (the lock file stays: removing it would let a waiting writer lock a ghost)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _remove_leftovers(store: Path) -> None:
    """Remove the temporary files of writers (and the links of readers) of ``store`` that are no longer running."""
    for leftover in [*store.parent.glob(f".{store.name}.*.loading*"), *store.parent.glob(f".{store.name}.*.reading")]:
        pid = leftover.name.removeprefix(f".{store.name}.").split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process
        return True
    return True


def check_not_in_use(store: Path) -> None:
    """StoreError if a process (not a CareLens writer: one outside the lock) has the store open to write in place."""
    con = connect(store, read_only=True, config=_CONFIG)
    con.close()


class StoreWriter:
    """The writer lock on one store, held while a write reads its input and writes the next version."""

    def __init__(self, store: Path):
        self.store = store

    @contextmanager
    def next_version(self, change: str, *, replace: bool = False, memory_limit: str | None = None
                     ) -> Iterator[Store]:
        """A :class:`~carelens.model.store.Store` on a copy of the store (or on a new, empty one with
        ``replace`` or when there is none), published as the store's next version when the block succeeds."""
        from carelens.model.store import Store

        temp = check_creatable(self.store)
        wal = Path(f"{temp}.wal")
        try:
            if self.store.exists() and not replace:
                try:
                    shutil.copyfile(self.store, temp)
                    if Path(f"{self.store}.wal").exists():  # a writer in place died: its log is the store's
                        shutil.copyfile(f"{self.store}.wal", wal)
                except OSError as e:
                    raise StoreError(f"{self.store}: cannot copy the store to write its next version "
                                     f"({os_problem(e)})") from None
            with Store(temp, memory_limit=memory_limit, change=change) as store:
                yield store
            _durable(temp)
            os.replace(temp, self.store)
            _durable_folder(self.store.parent)
            if store.recorded is not None:
                _forget_results_of_earlier_versions(self.store, store.recorded.version_id)
        finally:
            for leftover in (temp, wal):
                leftover.unlink(missing_ok=True)


@contextmanager
def writing(store: str | Path, *, replace: bool = False) -> Iterator[StoreWriter]:
    """Lock ``store`` for writing and check, before any work, that its next version can be written.

    StoreError (one line naming the path) when another writer holds it, a process has it open in place,
    it is not a CareLens store (with ``replace`` too: someone's other file is never replaced), or its
    folder cannot be written in.
    """
    store = Path(store)
    if store.is_dir():
        raise StoreError(f"{store}: is a folder; expected a CareLens store file (.duckdb)")
    with writer_lock(store):
        _remove_leftovers(store)
        if store.exists():
            check_not_in_use(store)
            _check_is_store(store, replace)
        yield StoreWriter(store)


def _check_is_store(store: Path, replace: bool) -> None:
    con = connect(store, read_only=True, config=_CONFIG)
    try:
        from carelens.model.store import declared_columns

        check_tables(con, store, declared_columns(), complete=False)
    except StoreError as e:
        if replace:
            raise StoreError(f"{e}; it is not replaced: give --store a new file or a CareLens store") from None
        raise
    finally:
        con.close()


def upgrade(store: Path) -> None:
    """Write the store's migrated copy as its next version (a store of an earlier schema opened to read)."""
    with writing(store) as writer, writer.next_version("migration"):
        pass


def _durable(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _durable_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the rename is still atomic
        pass
    finally:
        os.close(fd)
