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

from carelens.problems import ProblemLog

ENCODINGS = ("utf-8-sig", "cp1252")
MAX_COLUMNS = 1_000
"""Most columns a header may name (an SSDA903 table has at most 25, an SSD table about 40): a header of a
million columns would cost the CSV parser gigabytes before any check could refuse it."""
MAX_LINE_BYTES = 1 << 20
"""Longest line read (1 MiB; a row of a council's extract is well under 1 KB, a long free-text field a
few KB): a file of one 200 MB line would be held whole, several times over, by the parser."""
MAX_FILE_BYTES = 1 << 30
"""Largest file read (1 GiB)."""


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
    from carelens.ingest.formats import regular_file_problem

    problem, size = regular_file_problem(path)
    if problem:  # a FIFO would block for ever, /dev/zero would fill the memory
        log.add("", None, None, problem)
        return None
    if size > MAX_FILE_BYTES:
        log.add("", None, f"{size:,} bytes", f"a file of at most {MAX_FILE_BYTES:,} bytes")
        return None
    try:
        raw = _read_within_limits(path, log)
    except OSError as e:
        log.add("", None, None, f"a readable file ({e.strerror})")
        return None
    if raw is None:
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



def _read_within_limits(path: Path, log: ProblemLog) -> bytes | None:
    """The file's bytes, read in chunks and refused (None, with a problem) as soon as a line is longer than
    :data:`MAX_LINE_BYTES` (and so any field) or the header names more than :data:`MAX_COLUMNS` columns:
    a hostile file then costs a MiB or two and a fraction of a second, not the CSV parser's gigabytes."""
    # A chunk is as long as the longest line allowed, so only a line that spans chunks can be too long:
    # each chunk is looked at once, by C-speed find and count, never line by line.
    chunk_size = MAX_LINE_BYTES
    chunks: list[bytes] = []
    read = 0  # bytes before this chunk
    line_start = 0  # where the line still open at the end of the last chunk began
    line = 1  # that line's number
    in_header = True
    separators = 0  # commas in the header (quoted ones too: this bounds the parser, it does not parse)
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            first = chunk.find(b"\n")
            if in_header:
                separators += chunk.count(b",", 0, None if first < 0 else first)
                if separators + 1 > MAX_COLUMNS:
                    log.add("row 1", None, f"more than {MAX_COLUMNS:,} columns",
                            f"a header row of at most {MAX_COLUMNS:,} columns")
                    return None
                in_header = first < 0
            open_line_end = read + (len(chunk) if first < 0 else first)
            if open_line_end - line_start > MAX_LINE_BYTES:
                # ("row", as the file's other problems say: the line number, the header being row 1)
                log.add(f"row {line}", None, None, f"rows of at most {MAX_LINE_BYTES:,} bytes (this one is "
                        "longer, so it cannot be a row of a council's extract)")
                return None
            if first >= 0:
                line += chunk.count(b"\n")
                line_start = read + chunk.rfind(b"\n") + 1
            chunks.append(chunk)
            read += len(chunk)
    return b"".join(chunks)
