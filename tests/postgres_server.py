"""A real, throwaway PostgreSQL server for tests: initdb in a temporary folder, listening on a Unix socket.

The server binaries come from Debian's postgresql package (scripts/test.sh installs it). PostgreSQL
refuses to run as root, so when the tests run as root the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path


def server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server():
    """Yields connection settings (host = socket folder, port, user, database) for a fresh server."""
    bins = server_binaries()
    if bins is None:
        raise RuntimeError("PostgreSQL server binaries not found: install Debian's postgresql package")
    folder = Path(tempfile.mkdtemp(prefix="carelens-pg-"))
    folder.chmod(0o777)
    data, port = folder / "data", _free_port()
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, user="postgres")
    try:
        subprocess.run([*as_user, str(bins / "initdb"), "-D", str(data), "-U", "carelens", "-A", "trust",
                        "--no-sync"], check=True, capture_output=True)
        subprocess.run([*as_user, str(bins / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                        "-o", f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, capture_output=True)
        yield {"host": str(folder), "port": port, "user": "carelens", "database": "postgres"}
    finally:
        subprocess.run([*as_user, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
