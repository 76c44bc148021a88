"""A forecast written to a file: an Excel workbook for the budget meeting, or the long summary frame as CSV or
Parquet for an analyst (docs/forecast/outputs.md).

The workbook follows the layout the monthly report's does (the Government Statistical Service's advice on
spreadsheets): a title in cell A1 of every sheet, a line saying what the sheet holds, then one Excel table
(a named range a formula or Power Query can find) from row 4, numbers stored as numbers with a format.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

from carelens.forecast.comparison import Forecast
from carelens.forecast.intervals import SUMMARY_COLUMNS

FORMATS = (".xlsx", ".csv", ".parquet")
TABLE_STYLE = "Table Style Light 9"
DATE_FORMAT = "d mmm yyyy"
WHOLE = "#,##0"
MONEY = "£#,##0"
FTE = "#,##0.0"


def write_forecast(forecast: Forecast, path: str | Path) -> Path:
    """Write ``forecast`` to ``path`` in the format its suffix names (:data:`FORMATS`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_workbook(forecast, path)
    elif suffix == ".csv":
        forecast.summary().write_csv(path)
    elif suffix == ".parquet":
        forecast.summary().write_parquet(path)
    else:
        raise ValueError(f"{path}: expected a file ending {', '.join(FORMATS)}")
    return path


def _sheets(forecast: Forecast) -> list[tuple[str, str, str, pl.DataFrame, str]]:
    """(sheet, title, what it holds, table, number format of the summary columns) for each sheet."""
    start = forecast.baseline.projection.start
    base = forecast.baseline.projection
    money = "in pounds at the prices of each day's year"
    sheets = [
        ("Summary", f"Forecast of children in care from {start}: the baseline",
         "Median, mean and intervals over the runs: children in care, by placement at the last year end, spend by "
         f"financial year ({money}) and social workers (FTE).", forecast.headline(), FTE),
        ("Series by month", "Children in care at each month end",
         "Every series (total, by age band, by placement category) of the baseline and each scenario.",
         forecast.children(), WHOLE),
        ("Spend", "Spend by financial year",
         f"Each placement category's spend and the total, {money}; a year the projection covers in part is marked "
         "complete = false.", forecast.spend(), MONEY),
        ("Workforce", "Social workers needed (FTE) at the start and each year end",
         f"At {forecast.staffing.target_caseload:g} children per FTE, {forecast.staffing.vacancy_rate:.0%} of posts "
         f"vacant and {forecast.staffing.agency_share:.0%} of those in post agency workers.", forecast.workforce(),
         FTE),
    ]
    if forecast.scenarios:
        differences = forecast.summary().filter(pl.col("measure").str.ends_with("_difference"))
        sheets.append(("Scenarios", "Each scenario against the baseline",
                       "The scenario minus the baseline, run by run (same seed): children and FTE at each year end, "
                       f"spend by financial year ({money}). Negative: fewer, or a saving.", differences, FTE))
    sheets += [
        ("Rates", f"The fitted rates, {forecast.rates.window_start} to {forecast.rates.as_at}",
         "Events over days at risk in each state (age band, placement, time in care), per year.",
         forecast.rates.table(), FTE),
        ("Notes", "Notes and assumptions", f"What the forecast of {base.runs:,} runs rests on.",
         forecast.assumptions(), WHOLE),
    ]
    return sheets


def write_workbook(forecast: Forecast, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    try:
        title = book.add_format({"bold": True, "font_size": 14})
        for sheet, heading, about, frame, number in _sheets(forecast):
            columns = {c: number for c in SUMMARY_COLUMNS if c in frame.columns}
            if sheet == "Rates":
                columns = {"events": WHOLE, "days": WHOLE, "per_year": "0.0000"}
            frame.write_excel(workbook=book, worksheet=sheet, position="A4", table_style=TABLE_STYLE,
                              table_name=sheet.replace(" ", "_").lower(), column_formats=columns,
                              dtype_formats={pl.Date: DATE_FORMAT}, autofit=True)
            ws = book.get_worksheet_by_name(sheet)
            ws.write_string(0, 0, heading, title)
            ws.write_string(1, 0, about)
            if sheet == "Notes":
                ws.set_column(1, 1, 120)
    finally:
        book.close()
    return path
