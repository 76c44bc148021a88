"""A list of children as a download: CSV (the rows alone, for other tools) or Excel (the rows, and a sheet that
says what the list is, who downloaded it and when, and how it must be handled).

Both hold exactly the rows the list page shows (every page of it): the columns of
:func:`carelens.indicators.api.children_behind`, then the child's key dates. A text cell that a spreadsheet
would run as a formula (starting ``=``, ``+``, ``-``, ``@``) is written with a leading apostrophe in the CSV,
and as text in the workbook.
"""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import xlsxwriter

from carelens.web.children.lists import ChildList

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HANDLING = ("OFFICIAL-SENSITIVE: personal data about children. Keep it on council systems, share it only with "
            "people who need it for their work, and delete it when that work is done.")


def _guarded(frame: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text:
        return frame
    starts = r"^[=+\-@\t\r]"  # FORMULA_STARTS
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(starts)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text)


def list_csv(found: ChildList) -> bytes:
    """The list's rows as CSV (UTF-8 with a byte-order mark, so that Excel reads it as UTF-8)."""
    return "\ufeff".encode() + _guarded(found.rows).write_csv(date_format="%Y-%m-%d").encode()


def list_xlsx(found: ChildList, *, downloaded_by: str, at: dt.datetime) -> bytes:
    """The list's rows as an Excel workbook: sheet "Children" (a table), sheet "About" (what the list is)."""
    out = io.BytesIO()
    # strings stay strings: nothing a case system recorded becomes a formula or a link in the workbook
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("Children")
    rows = found.rows
    for j, column in enumerate(rows.columns):
        values = rows.get_column(column).to_list()
        sheet.write_string(0, j, column)
        for i, value in enumerate(values, start=1):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), day)
            elif isinstance(value, bool):
                sheet.write_boolean(i, j, value)
            elif isinstance(value, int | float):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))
        sheet.set_column(j, j, max(12, len(column) + 2))
    if rows.height:
        sheet.add_table(0, 0, rows.height, rows.width - 1,
                        {"columns": [{"header": c} for c in rows.columns], "style": "Table Style Light 1",
                         "name": "Children"})
    sheet.freeze_panes(1, 0)
    about = book.add_worksheet("About")
    q = found.query
    lines = [("List", q.description()), ("Indicator", f"{q.indicator.id} {q.indicator.title}"),
             ("As at", q.as_at.isoformat()), ("Window", q.period), ("Breakdown", q.breakdown),
             ("Group", q.group or "all"), ("Part", q.part), ("Rows", str(rows.height)),
             ("Children left out (outside your scope)", str(found.left_out)),
             ("Downloaded by", downloaded_by), ("Downloaded at", at.isoformat(timespec="seconds")),
             ("Handling", HANDLING)]
    for i, (label, text) in enumerate(lines):
        about.write_string(i, 0, label)
        about.write_string(i, 1, text)
    about.set_column(0, 0, 38)
    about.set_column(1, 1, 100)
    book.close()
    return out.getvalue()
