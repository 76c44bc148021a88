"""What went wrong with a path, in one line a user can act on.

The operating system and DuckDB say what failed in their own words ("[Errno 13] Permission
denied", "IO Error: Could not set lock on file ... (PID 4711)"). A council analyst needs the
path, the problem in plain words and what was expected; these functions turn the errors into
that, and every CLI verb prints the result instead of a traceback.

Nothing here imports DuckDB: errors are recognised by their message, so ``carelens --help``
stays quick.
"""

from __future__ import annotations

import errno
import os
import re
import uuid
from pathlib import Path

# DuckDB names the process holding a file's lock: "Conflicting lock is held in /usr/bin/python3 (PID 4711)"
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in .*?\(PID (\d+)\)")
# "Trying to read a database file with version number 69, but we can only read versions between 64 and 68.
# The database file was created with a newer version of DuckDB."
_OTHER_STORAGE = re.compile(r"Trying to read a database file with version number (\d+)")

_PLAIN = {
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder",
    errno.EEXIST: "already exists",
    errno.ENAMETOOLONG: "the name is too long",
}


def os_problem(error: OSError) -> str:
    """The operating system's reason in plain words ("permission denied", "the disk is full")."""
    return _PLAIN.get(error.errno, (error.strerror or str(error)).lower())


def lock_holder(message: str) -> int | None:
    """The process id DuckDB names as holding a store's lock, if the message is about a lock."""
    found = _LOCK_HOLDER.search(message)
    return int(found.group(1)) if found else None


def in_use(path: Path, pid: int | None) -> str:
    who = f"process {pid}" if pid is not None else "another process"
    return f"{path}: store in use by {who}; try again when it finishes"


def duckdb_problem(path: Path, message: str) -> str:
    """One line for a DuckDB error met opening ``path`` (its message, as DuckDB wrote it)."""
    pid = lock_holder(message)
    if pid is not None or "Could not set lock" in message:
        return in_use(path, pid)
    if "Is a directory" in message:
        return f"{path}: is a folder; expected a CareLens store file (.duckdb)"
    if "not a valid DuckDB database" in message:
        return f"{path}: is not a DuckDB database; expected a CareLens store (made by `carelens ingest` or `synth`)"
    if _OTHER_STORAGE.search(message) or "newer version of DuckDB" in message:
        import duckdb

        return (f"{path}: was written by a newer version of DuckDB than this CareLens has ({duckdb.__version__}); "
                "open it with the CareLens that wrote it, or upgrade CareLens")
    if "Corrupt database file" in message:
        return f"{path}: the file is damaged (DuckDB found it corrupt); restore it from a backup or load the returns again"
    if "Not a directory" in message:
        return f"{path}: a part of the path is a file, not a folder"
    if "Permission denied" in message:
        return f"{path}: permission denied"
    if "database does not exist" in message or "No such file" in message:
        return f"{path}: no such file"
    # an error not foreseen: still one line, with DuckDB's own words after the path
    return f"{path}: cannot be opened as a store ({message.removeprefix('IO Error: ')})"


def folder_problem(folder: Path) -> str | None:
    """Why files cannot be made in ``folder`` (after creating it if missing), in plain words after the
    folder's name ("is a file, not a folder"); None if they can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "is a file, not a folder"
    except OSError as e:
        return f"cannot be created ({os_problem(e)})"
    if not folder.is_dir():
        return "is a file, not a folder"
    # asked of the folder with a file of our own, before any work, so the answer names the folder
    probe = folder / f".carelens-{os.getpid()}-{uuid.uuid4().hex[:8]}.probe"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as e:
        return f"cannot be written in ({os_problem(e)})"
    probe.unlink(missing_ok=True)
    return None


def output_file_problem(option: str, path: Path) -> str | None:
    """Why ``path`` cannot be written as a file (checked before any work is done), or None."""
    if path.is_dir():
        return f"{option} {path}: is a folder; expected a file"
    reason = folder_problem(path.parent)
    return f"{option} {path}: its folder {path.parent} {reason}" if reason else None


def output_folder_problem(option: str, path: Path) -> str | None:
    """Why ``path`` cannot be a folder to write files into, or None."""
    if path.exists() and not path.is_dir():
        return f"{option} {path}: is a file; expected a folder"
    reason = folder_problem(path.parent)
    return f"{option} {path}: its folder {path.parent} {reason}" if reason else None
