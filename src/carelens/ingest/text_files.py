"""Reading the text files councils produce: any encoding they use, any column order, stray spaces.

Case systems export CSV in UTF-8 (with or without a byte-order mark) or in
Windows-1252, with headers in any case and order and with padding. These
functions turn such a file into a frame of strings with normalised headers and
the original row numbers, or report why they cannot.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from carelens.ingest.problems import ProblemLog

ENCODINGS = ("utf-8-sig", "cp1252")


def decode(raw: bytes, log: ProblemLog) -> str | None:
    """The file's text: UTF-8 (BOM or not) first, then Windows-1252, else a problem."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    log.add("", None, None, "text in UTF-8 or Windows-1252 encoding")
    return None


def normalise_header(name: str) -> str:
    return name.strip().strip('"').strip().upper()


def read_csv_text(path: Path, log: ProblemLog) -> pl.DataFrame | None:
    """A CSV file as strings, headers upper-cased and trimmed, values trimmed, with ``_row`` (the line number; the header is line 1).

    Returns None (with a problem logged) for an empty or unreadable file.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        log.add("", None, None, f"a readable file ({e.strerror})")
        return None
    if not raw.strip():
        log.add("", None, None, "a CSV file with a header row and data (the file is empty)")
        return None
    text = decode(raw, log)
    if text is None:
        return None
    try:
        # (a short row's missing fields read as null, which Polars 2 does without being asked)
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as e:
        first = str(e).splitlines()[0] if str(e) else "unreadable CSV"
        log.add("", None, None, f"a well-formed CSV file (the reader said: {first[:160]})")
        return None
    frame = frame.rename({c: normalise_header(c) for c in frame.columns})
    frame = frame.with_columns(pl.all().str.strip_chars()).with_columns(
        pl.when(pl.all() == "").then(None).otherwise(pl.all()).name.keep())
    # _row is the line number in the file, counting the header as line 1 (what a spreadsheet shows)
    return frame.with_row_index("_row", offset=2)
