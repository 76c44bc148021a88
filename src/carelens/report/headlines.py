"""The headline indicators at the latest month end: the table ``carelens demo`` prints (the monthly report is
built in :mod:`carelens.report.build`)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carelens.indicators.api import Period, Selection, definition, figures, latest_month_end
from carelens.model.store import Store

HEADLINES = ("B4", "B8", "C3", "C8", "C9", "D1", "D2")
"""The indicators the monthly overview (and the demo) opens with at the latest month end."""


def headlines(store: Store, la_code: str, as_at: dt.date) -> pl.DataFrame:
    """One row per headline indicator: the month, the rolling 12 months and the financial year to date
    (for a stock, the count on the day instead)."""
    inds = [definition(i) for i in HEADLINES]
    out = figures(store, Selection(as_at=as_at, indicators=HEADLINES, authorities=la_code)).values
    out = out.filter(pl.col("breakdown") == "all")
    rows = []
    for ind in inds:
        mine = {r["period_kind"]: r for r in out.filter(pl.col("indicator") == ind.id).iter_rows(named=True)}
        month = mine.get("month") or mine.get("as_at")
        rows.append({"indicator": ind.id, "title": ind.title, "unit": month["unit"] if month else "",
                     "month": month and month["value"], "month_count": month and month["numerator"],
                     "rolling_12": (mine.get("rolling_12") or {}).get("value"),
                     "year_to_date": (mine.get("year_to_date") or mine.get("financial_year") or mine.get("as_at")
                                      or {}).get("value")})
    return pl.DataFrame(rows, schema_overrides={"month": pl.Float64, "rolling_12": pl.Float64,
                                                "year_to_date": pl.Float64, "month_count": pl.Int64})


__all__ = ["Period", "headlines", "latest_month_end"]
