"""Working days: Monday to Friday, less England and Wales bank holidays.

Bank holidays are England and Wales's (:mod:`carelens.model.bank_holidays`, from the maintained
``holidays`` package), so one-off holidays — the 2022 Platinum Jubilee, the Queen's funeral, the
2023 coronation — are in without us keeping a list.

Statutory timescales count working days *after* the start day: an assessment authorised on the
45th working day after the referral is in time. That is ``number(end) - number(start)``, where a
day's number is the count of working days from the calendar's first day up to and including it.
Numbering days once in a calendar table lets every backend (DuckDB, PostgreSQL, Spark) compute a
working-day difference with two joins, with no backend-specific date functions.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import ibis
import ibis.expr.types as ir
import numpy as np
import polars as pl

from carelens.model.bank_holidays import england_and_wales

FIRST = dt.date(2000, 1, 1)
LAST = dt.date(2040, 12, 31)


@cache
def calendar() -> pl.DataFrame:
    """One row per day from 2000 to 2040: ``day``, ``working_day`` and ``working_day_number``."""
    days = pl.date_range(FIRST, LAST, "1d", eager=True)
    bank = pl.Series(england_and_wales(FIRST.year, LAST.year), dtype=pl.Date)
    working = (days.dt.weekday() <= 5) & ~days.is_in(bank.implode())
    return pl.DataFrame({"day": days, "working_day": working,
                         "working_day_number": np.cumsum(working.to_numpy()).astype(np.int32)})


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    numbers = calendar()
    first = numbers.row(by_predicate=pl.col("day") == start, named=True)["working_day_number"]
    last = numbers.row(by_predicate=pl.col("day") == end, named=True)["working_day_number"]
    return last - first


@cache
def calendar_table() -> ir.Table:
    """The calendar as an Ibis table any backend can join (one table, registered once per backend)."""
    return ibis.memtable(calendar().select("day", "working_day_number").to_arrow())


def with_working_days(t: ir.Table, start: str, end: str, name: str) -> ir.Table:
    """``t`` with a column ``name``: working days after ``t[start]`` up to ``t[end]`` (null if either is)."""
    cal = calendar_table()
    a = cal.select(_wd_a_day=cal.day, _wd_a=cal.working_day_number)
    b = cal.select(_wd_b_day=cal.day, _wd_b=cal.working_day_number)
    joined = t.left_join(a, t[start] == a._wd_a_day).left_join(b, t[end] == b._wd_b_day)
    return joined.mutate(**{name: (joined._wd_b - joined._wd_a).cast("int32")}).drop(
        "_wd_a_day", "_wd_a", "_wd_b_day", "_wd_b")
