"""Dates as whole days, and working days with England and Wales bank holidays.

The simulator works on NumPy arrays of day numbers (days since 1970-01-01),
which is what Polars and DuckDB store for a date, so no per-row conversion is
needed. Statutory timescales (45 working days for an assessment, 15 for an
ICPC) count working days: weekends and England & Wales bank holidays excluded,
from the maintained ``holidays`` package.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from carelens.model.bank_holidays import england_and_wales

EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date) -> int:
    """A date as its day number (days since 1970-01-01)."""
    return (d - EPOCH).days


def to_date(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


@lru_cache(maxsize=8)
def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England and Wales bank holidays between two years, as ``datetime64[D]``."""
    return np.array(england_and_wales(first_year, last_year), dtype="datetime64[D]")


def _holidays_for(days: np.ndarray) -> np.ndarray:
    lo = to_date(int(days.min())).year - 1 if len(days) else 2000
    hi = to_date(int(days.max())).year + 2 if len(days) else 2001
    return bank_holidays(lo, hi)


def add_working_days(days: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """The date ``n`` working days after each date (a non-working start rolls forward first)."""
    days = np.asarray(days, dtype=np.int64)
    if len(days) == 0:
        return days
    d64 = days.astype("datetime64[D]")
    out = np.busday_offset(d64, n, roll="forward", holidays=_holidays_for(days))
    return out.astype(np.int64)


def working_days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from ``start`` (exclusive) to ``end`` (inclusive), as councils count timescales."""
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    if len(start) == 0:
        return start
    hol = _holidays_for(np.concatenate([start, end]))
    return np.busday_count((start + 1).astype("datetime64[D]"), (end + 1).astype("datetime64[D]"), holidays=hol)


def roll_to_working_day(days: np.ndarray) -> np.ndarray:
    """Move any weekend or bank-holiday date forward to the next working day."""
    return add_working_days(days, 0)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar date ``years`` later, e.g. an 18th birthday (29 February becomes 1 March)."""
    d64 = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    day_of_month = (d64 - months.astype("datetime64[D]")).astype(np.int64)
    target = (months + np.timedelta64(12 * years, "M")).astype("datetime64[D]") + day_of_month
    return target.astype(np.int64)


def financial_year_start(days: np.ndarray) -> np.ndarray:
    """Day number of the 1 April that starts each date's financial (collection) year."""
    d64 = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d64.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    year = months // 12 + 1970
    month = months % 12 + 1
    fy = np.where(month >= 4, year, year - 1)
    return (((fy - 1970) * 12 + 3).astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
