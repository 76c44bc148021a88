"""Reading an Annex A workbook's sheets, and finding each list in them: its sheet, header row and rows.

A sheet is a list by its name (``List 1 …``, ``List_3``, ``list 10 - adoption``) or, when a council
renamed it, by its columns. The header row is found in the first :data:`HEADER_SEARCH_ROWS` rows
and its columns matched to the list's (:func:`match_columns`); row numbers are the ones Excel shows.
The file is told from its first bytes and zip directory (:mod:`carelens.ingest.formats`) before the
workbook reader sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from carelens.ingest.annex_a.lists import CHILD_COLUMNS, LISTS, ListSpec
from carelens.ingest.coded_text import text_key
from carelens.problems import ProblemLog

SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
HEADER_SEARCH_ROWS = 15


def match_columns(spec: ListSpec, headers: list[str | None]) -> dict[str, int]:
    """Column key → index: exact headers and variants first, then header patterns, each header used once."""
    found: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for col in spec.columns:
            if col.key in found:
                continue
            for i, h in enumerate(headers):
                if i in used or h is None:
                    continue
                key = text_key(h)
                hit = (key == text_key(col.header) or key in {text_key(v) for v in col.variants}) if exact \
                    else bool(col.pattern and key and re.search(col.pattern, h, re.IGNORECASE))
                if hit:
                    found[col.key] = i
                    used.add(i)
                    break
    return found


def _clean(value) -> str | None:
    if value is None:
        return None
    s = str(value).replace("\xa0", " ").strip()
    return s or None


@dataclass
class Sheet:
    """One sheet as read: every cell as text (None when blank)."""

    name: str
    rows: list[list[str | None]]  # every row from the sheet's first row (Excel row = index + 1)
    first_col: int = 0


@dataclass
class ListRows:
    """One Annex A list as found in its sheet: where its header is, its columns, and its data rows."""

    spec: ListSpec
    sheet: str
    header_row: int  # Excel row number
    columns: dict[str, int]
    rows: list[tuple[int, dict[str, str | None]]]  # (Excel row number, raw values by column key)


def load_workbook(path: Path, log: ProblemLog) -> list[Sheet] | None:
    if path.suffix.lower() not in SUFFIXES:
        log.add("", None, path.suffix or None, "an Excel workbook (.xlsx, .xlsm, .xlsb, .xls or .ods)")
        return None
    if not path.exists():
        log.add("", None, None, "a workbook file that exists")
        return None
    from carelens.ingest import formats

    # told from its first bytes and its zip directory before the workbook reader sees it: that reader would
    # block on a FIFO, inflate a zip bomb into memory and word a damaged file as a zip library's error
    found = formats.identify(path)
    if found.kind == formats.EMPTY:
        log.add("", None, None, f"a readable Excel workbook (this file is empty: {found.size:,} bytes)")
        return None
    if found.kind == formats.UNREADABLE:
        expected = found.expected or "a readable file"
        if not expected.startswith("a readable Excel workbook"):
            expected = f"a readable Excel workbook ({expected})"
        log.add("", None, None, expected)
        return None
    if found.kind != formats.WORKBOOK and path.suffix.lower() != ".ods":
        log.add("", None, None, f"a readable Excel workbook (this is {formats.kind_in_words(found)})")
        return None
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
    except Exception as e:  # fastexcel raises its own errors (and OSError) for unreadable files
        first = (str(e).splitlines() or ["unreadable"])[0]
        log.add("", None, None, f"a readable Excel workbook (the reader said: {first[:160]})")
        return None
    sheets = []
    for name in names:
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            frame = sheet.to_polars()
            first_col = min((c.absolute_index for c in sheet.available_columns()), default=0)
        except Exception as e:
            first = (str(e).splitlines() or ["unreadable"])[0]
            log.add(f"sheet {name}", None, None, f"a readable sheet (the reader said: {first[:160]})")
            continue
        rows = [[_clean(v) for v in row] for row in frame.iter_rows()]
        sheets.append(Sheet(name, rows, first_col))
    return sheets


_LIST_NAME = re.compile(r"\blist[\s_.-]*(\d{1,2})(?!\d)", re.IGNORECASE)


def find_header(spec: ListSpec, sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(row index, matched columns) of the row that best looks like this list's header."""
    best = None
    for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        found = match_columns(spec, row)
        if spec.id_column not in found:
            continue
        if best is None or len(found) > len(best[1]):
            best = (i, found)
    return best


def recognise(sheets: list[Sheet], log: ProblemLog, notes: list[str]) -> dict[int, tuple[Sheet, int, dict]]:
    """List number → (sheet, header row index, columns), by sheet name first, then by columns."""
    chosen: dict[int, tuple[Sheet, int, dict]] = {}
    unnamed: list[Sheet] = []
    for sheet in sheets:
        m = _LIST_NAME.search(sheet.name)
        number = int(m.group(1)) if m else None
        if number not in LISTS:
            unnamed.append(sheet)
            continue
        if number in chosen:
            log.add(f"sheet {sheet.name}", None, sheet.name,
                    f"one sheet for List {number} (sheet {chosen[number][0].name} is List {number} too)")
            continue
        header = find_header(LISTS[number], sheet)
        if header is None:
            if not any(any(v is not None for v in row) for row in sheet.rows):
                log.add(f"sheet {sheet.name}", None, None,
                        f"the List {number} header row (the sheet is empty)")
            else:
                log.add(f"sheet {sheet.name}", None, None,
                        f"a List {number} header row with a '{LISTS[number].column(LISTS[number].id_column).header}' "
                        f"column in the first {HEADER_SEARCH_ROWS} rows")
            chosen[number] = (sheet, -1, {})
            continue
        chosen[number] = (sheet, *header)
    for sheet in unnamed:
        scores = []
        for number, spec in LISTS.items():
            header = find_header(spec, sheet)
            if header is None:
                continue
            distinctive = [k for k in header[1] if k not in {c.key for c in CHILD_COLUMNS}
                           and k not in {"disability", "team", "worker"}]
            required = [c.key for c in spec.columns if c.required and c.key not in {x.key for x in CHILD_COLUMNS}]
            if distinctive and all(k in header[1] for k in required):
                scores.append((len(distinctive), number, header))
        scores.sort(reverse=True)
        if scores and (len(scores) == 1 or scores[0][0] > scores[1][0]) and scores[0][1] not in chosen:
            _, number, header = scores[0]
            chosen[number] = (sheet, *header)
            notes.append(f"Sheet {sheet.name!r} read as List {number} ({LISTS[number].title}) from its columns.")
        elif any(any(v is not None for v in row) for row in sheet.rows):
            notes.append(f"Sheet {sheet.name!r} is not an Annex A list (not read).")
    return chosen


def read_list(spec: ListSpec, sheet: Sheet, header_index: int, columns: dict[str, int],
               log: ProblemLog) -> ListRows:
    header_row = header_index + 1
    where = f"sheet {sheet.name} row {header_row}"
    for col in spec.columns:
        if col.required and col.key not in columns:
            variants = "; ".join((col.header, *col.variants))
            log.add(where, col.header, None, f"a column '{col.header}' (headers accepted: {variants})")
    rows = []
    for i in range(header_index + 1, len(sheet.rows)):
        raw = sheet.rows[i]
        if all(v is None for v in raw):
            continue
        values = {k: (raw[j] if j < len(raw) else None) for k, j in columns.items()}
        if all(v is None for v in values.values()):
            continue
        rows.append((i + 1, values))
    return ListRows(spec, sheet.name, header_row, columns, rows)

