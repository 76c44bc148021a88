"""Writing the return: its CSV files, all or none.

The files are written into a temporary directory next to ``out_dir`` and moved into place
only when every file has been written, so a failed run never leaves a half-written return.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import polars as pl

from carelens.model.store import Store
from carelens.returns.ssda903.build import Ssda903Summary, build_ssda903


def write_ssda903(
    store: Store, year: int, out_dir: str | Path, la_code: str | None = None, *, strict: bool = True
) -> Ssda903Summary:
    """Write one authority's SSDA903 return for collection ``year`` as CSV files in ``out_dir``.

    ``la_code`` selects the authority when the store holds several; when ``None`` the
    store's ``person`` table must hold exactly one. The files are written to a temporary
    directory beside ``out_dir`` and moved into place only once all of them succeed.
    With ``strict`` (the default) a value that breaks the year's DfE specification (an
    invalid code, a blank mandatory field) raises :class:`Ssda903DataError` and nothing
    is written; with ``strict=False`` it is written as found and listed in
    ``summary.problems``.
    """
    frames, summary = build_ssda903(store, year, la_code, strict=strict)
    out_dir = Path(out_dir)
    _write_atomically(frames, out_dir)
    return dataclasses.replace(summary, out_dir=out_dir)


def _write_atomically(frames: dict[str, pl.DataFrame], out_dir: Path) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        for name, frame in frames.items():
            frame.write_csv(tmp / name, null_value="")
        if not out_dir.exists():
            # a new return appears whole, by one rename
            os.replace(tmp, out_dir)
            return
        # other files already in out_dir are left alone
        for name in frames:
            os.replace(tmp / name, out_dir / name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
