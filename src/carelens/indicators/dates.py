"""Date arithmetic on Ibis date expressions, done the same way on every backend.

Months and years are added on the date's parts (year, month, day; the day capped at the month's last, 29
February moved to a day that exists), never with month or year intervals, whose handling of a month's end
differs between DuckDB, PostgreSQL and Spark: 6 months after 31 August is 28 (or 29) February, as
:func:`carelens.indicators.periods.months_before` counts. Every catalogue section that measures ages,
lookbacks or timescales in months or years uses these.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def _is_leap(year: ir.IntegerValue) -> ir.BooleanValue:
    return ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)


def _days_in_month(year: ir.IntegerValue, month: ir.IntegerValue) -> ir.IntegerValue:
    return ibis.cases((month.isin([4, 6, 9, 11]), 30),
                      (month == 2, ibis.ifelse(_is_leap(year), 29, 28)), else_=31)


def add_months(day: ir.DateValue, months: int) -> ir.DateValue:
    """The same day ``months`` later (earlier when negative), capped at the month's last day: 31 August
    plus 6 months is 28 February (29 in a leap year); 31 March less 30 months is 30 September."""
    index = day.year() * 12 + day.month() - 1 + months  # months since year 0; positive for any real date
    year = index // 12
    month = index % 12 + 1
    return ibis.date(year, month, ibis.least(day.day(), _days_in_month(year, month)))


def plus_days(day: ir.DateValue, days: int) -> ir.DateValue:
    return (day + ibis.interval(days=days)).cast("date")


def year_from(day: ir.DateValue) -> ir.DateValue:
    """The first day of the 12 months ending on ``day``: 1 April 2024 for 31 March 2025."""
    return plus_days(add_months(day, -12), 1)


def months_on(day: ir.DateValue, months: int) -> ir.DateValue:
    """The first day on which ``day`` is ``months`` months or more before (by :func:`add_months`): the day
    ``months`` later, or the day after it when that was capped at the month's end — 31 January is a month
    before 1 March, not 28 February (which is a month after 28 January). It is also the day a child born on
    ``day`` turns ``months`` / 12 (:func:`~carelens.indicators.breakdowns.age_on`): someone born on 29
    February turns a year older on 1 March in a common year.

    A condition such as "looked after for 12 months on the day" (``start <= add_months(day, -12)``) then
    holds from ``months_on(start, 12)`` onwards, so it can be swept as an interval."""
    later = add_months(day, months)
    return ibis.ifelse(later.day() < day.day(), plus_days(later, 1), later)


def days_between(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Calendar days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return end.delta(start, unit="day").cast("int32")


def add_years(day: ir.DateValue, years: int | ir.IntegerValue) -> ir.DateValue:
    """The same calendar date ``years`` later (or earlier, when negative), e.g. an 18th birthday.

    29 February becomes 1 March in a common year when going forward (a birthday: the day the age is
    reached, as :func:`carelens.indicators.breakdowns.age_on` counts it) and 28 February when going back
    (the start of a lookback, as :func:`carelens.indicators.periods.months_before` counts it). No invalid
    date is ever built, so every backend gives the same answer.
    """
    year = day.year() + years
    feb29 = (day.month() == 2) & (day.day() == 29) & ~_is_leap(year)
    base = ibis.date(year, day.month(), ibis.ifelse(feb29, 28, day.day()))
    if isinstance(years, int) and years < 0:
        return base
    return ibis.ifelse(feb29, (base + ibis.interval(days=1)).cast("date"), base)


def lookback_start(window_end: ir.DateValue, years: int) -> ir.DateValue:
    """First day of the ``years`` years ending on ``window_end``: 1 April 2022 for 31 March 2025 and 3."""
    return (add_years(window_end, -years) + ibis.interval(days=1)).cast("date")
