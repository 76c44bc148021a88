"""One Annex A cell's text as a typed value: an identifier, a date, a whole number, an ethnicity or a code.

:func:`cell_value` reads a cell by its column's ``kind`` (:mod:`carelens.ingest.annex_a.lists`) and
logs a problem, in the workbook's words (sheet, row, header, value, what was expected), for a value
that is wrong; an Annex A group value is stored as its group's catch-all code and counted in the
notes. :class:`Reading` carries what every cell needs: the file, the period end, the problems and
the notes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from carelens.ingest.annex_a.codings import CODINGS
from carelens.ingest.annex_a.workbook import ListRows
from carelens.ingest.coded_text import SKIP_ROW, clamp_year, ethnicity_code, lookup
from carelens.model import code_lists
from carelens.problems import ProblemLog

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                 "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")


def parse_date(value: str) -> dt.date | str:
    """A date from a cell (Excel date, DD/MM/YYYY or YYYY-MM-DD text, or an Excel day number), or
    the reason it is not one."""
    s = value.strip()
    if re.fullmatch(r"\d{4,5}(\.0+)?", s):  # a date cell formatted as a number
        n = int(float(s))
        d = _EXCEL_EPOCH + dt.timedelta(days=n)
        return d if 1900 <= d.year <= 2100 else "a date between 1900 and 2100"
    shape = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})( .*)?|(\d{4})[/-](\d{1,2})[/-](\d{1,2})([ T].*)?", s)
    if not shape:
        return "a date (DD/MM/YYYY or an Excel date)"
    for fmt in _DATE_FORMATS:
        try:
            d = dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
        return d if 1900 <= d.year <= 2100 else "a date between 1900 and 2100"
    return "a real calendar date (DD/MM/YYYY)"


@dataclass
class Reading:
    """One workbook being read: the file named in ``source_file``, the authority, the period end, the
    problems found and the notes counted (note text → rows)."""

    file: str
    la_code: str
    period_end: dt.date | None
    log: ProblemLog
    notes: Counter = field(default_factory=Counter)


def cell_value(ctx: Reading, lst: ListRows, row: int, values: dict, key: str, year: int | None = None):
    """The typed value of one cell, or None (with a problem logged when it is wrong)."""
    col = lst.spec.column(key)
    raw = values.get(key)
    where = f"sheet {lst.sheet} row {row}"
    if raw is None:
        if col.needed and key in lst.columns:
            ctx.log.add(where, col.header, None, f"a value (the {col.header} must be given)")
        return None
    if col.kind in ("id", "text"):
        return raw
    if col.kind == "date":
        d = parse_date(raw)
        if isinstance(d, str):
            ctx.log.add(where, col.header, raw, d)
            return None
        if ctx.period_end and d > ctx.period_end and key not in ("dob",):
            ctx.log.add(where, col.header, raw, f"a date on or before the end of the period ({ctx.period_end:%d/%m/%Y})")
            return None
        return d
    if col.kind == "int":
        if re.fullmatch(r"\d+(\.0+)?", raw):
            return int(float(raw))
        ctx.log.add(where, col.header, raw, "a whole number")
        return None
    if col.kind == "ethnicity":
        code = ethnicity_code(raw)
        if code is None:
            ctx.log.add(where, col.header, raw, "a DfE ethnicity code or its label (e.g. WBRI, 'White British', "
                                                "'a) WBRI'); a group alone ('White') names no single code")
        return code
    coding = CODINGS[col.kind]
    code, how = lookup(coding, raw, year or code_lists.LAST_YEAR)
    if how in ("unknown",):
        ctx.log.add(where, col.header, raw, coding.expected())
        return None
    if how == "invalid_year":
        ctx.log.add(where, col.header, raw, f"a {coding.code_list} code valid in collection year "
                                            f"{clamp_year(year or code_lists.LAST_YEAR)}")
        return None
    if how == "group":
        ctx.notes[f"List {lst.spec.number}: '{col.header}' given as an Annex A group; stored as the group's "
                  f"catch-all code"] += 1
    if how == "skip":
        return SKIP_ROW
    if how == "none" and coding.code_list is not None:
        ctx.notes[f"List {lst.spec.number}: '{col.header}' value that names no single "
                  f"{coding.code_list} code; left empty"] += 1
    return code


def year_of(d: dt.date | None, ctx: Reading) -> int:
    """The collection year whose codes a record's values are checked against: its date's, else the period end's."""
    if d is not None:
        return code_lists.collection_year(d)
    if ctx.period_end is not None:
        return code_lists.collection_year(ctx.period_end)
    return code_lists.LAST_YEAR


def as_bool(code: str | None) -> bool | None:
    """A Y/N code as a boolean (None stays None)."""
    return None if code is None else code == "Y"


def check_order(ctx: Reading, lst: ListRows, row: int, start_key: str, start, end_key: str, end) -> bool:
    """Whether ``end`` is on or after ``start`` (a problem logged when not)."""
    if start is not None and end is not None and end < start:
        ctx.log.add(f"sheet {lst.sheet} row {row}", lst.spec.column(end_key).header, f"{end:%d/%m/%Y}",
                    f"a date on or after the {lst.spec.column(start_key).header} ({start:%d/%m/%Y})")
        return False
    return True


def source_of(ctx: Reading, lst: ListRows) -> str:
    """The ``source_file`` of a list's records: ``<file name>#<sheet name>``."""
    return f"{ctx.file}#{lst.sheet}"

