"""The windows an indicator is reported over: ISO weeks, months, financial years and rolling windows.

A :class:`Period` is a run of days with both ends included. Stocks ("children on a plan") are
counted on its last day; flows ("plans starting") over all of it. Every period has a ``kind`` so
that an indicator can say which windows make sense for it (a stock has no rolling window, a
conversion is not reported per week).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carelens.model.code_lists import collection_period

ONE_DAY = dt.timedelta(days=1)

# Every window the engine knows, in the order reports show them.
KINDS = ("week", "4_weeks", "month", "rolling_3", "rolling_6", "rolling_12", "financial_year",
         "year_to_date", "as_at")


@dataclass(frozen=True)
class Period:
    """A window of days, both ends included. Stocks are counted on its last day."""

    start: dt.date
    end: dt.date
    label: str
    kind: str = "as_at"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def financial_year(cls, year_ending: int) -> Period:
        return cls(*collection_period(year_ending), f"{year_ending - 1}-{year_ending % 100:02d}", "financial_year")

    @classmethod
    def year_to_date(cls, as_at: dt.date) -> Period:
        """1 April to ``as_at``: the financial year so far."""
        start = dt.date(as_at.year if as_at.month >= 4 else as_at.year - 1, 4, 1)
        return cls(start, as_at, f"year to {as_at.isoformat()}", "year_to_date")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        return cls(start, _month_end(year, month), f"{year}-{month:02d}", "month")

    @classmethod
    def iso_week(cls, year: int, week: int) -> Period:
        """ISO week: Monday to Sunday; week 1 holds the year's first Thursday."""
        start = dt.date.fromisocalendar(year, week, 1)
        return cls(start, start + dt.timedelta(days=6), f"{year}-W{week:02d}", "week")

    @classmethod
    def rolling(cls, as_at: dt.date, months: int) -> Period:
        """The ``months`` months ending on ``as_at``: rolling 12 months to 31 May 2019 is 1 June 2018 to
        31 May 2019."""
        return cls(months_before(as_at, months) + ONE_DAY, as_at, f"{months} months to {as_at.isoformat()}",
                   f"rolling_{months}")

    @classmethod
    def four_weeks(cls, as_at: dt.date) -> Period:
        """The 28 days ending on ``as_at`` (the overview's "4-week average")."""
        return cls(as_at - dt.timedelta(days=27), as_at, f"4 weeks to {as_at.isoformat()}", "4_weeks")

    @classmethod
    def as_at(cls, day: dt.date) -> Period:
        """A single day: a stock counted on that date."""
        return cls(day, day, day.isoformat(), "as_at")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - ONE_DAY


def months_before(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, or that month's last day when it is shorter."""
    y, m = divmod(d.month - 1 - months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, _month_end(year, month).day))


def standard_periods(first: dt.date, last: dt.date, kinds: tuple[str, ...] = KINDS) -> list[Period]:
    """Every complete window of the given kinds between ``first`` and ``last``.

    Weeks and 4-week windows end on Sundays; months, rolling windows and financial years end on
    month ends; a window is included only when it lies wholly inside ``first``..``last`` (rolling
    windows are allowed to start before ``first`` only if the data does, so they too must fit).
    ``year_to_date`` and ``as_at`` are the financial year so far and the stock at ``last``.
    """
    out: list[Period] = []
    if "week" in kinds or "4_weeks" in kinds:
        sunday = first + dt.timedelta(days=6 - first.weekday())
        while sunday <= last:
            if "week" in kinds and sunday - dt.timedelta(days=6) >= first:
                y, w, _ = sunday.isocalendar()
                out.append(Period.iso_week(y, w))
            if "4_weeks" in kinds and sunday - dt.timedelta(days=27) >= first:
                out.append(Period.four_weeks(sunday))
            sunday += dt.timedelta(days=7)
    month_ends = []
    y, m = first.year, first.month
    while _month_end(y, m) <= last:
        month_ends.append((y, m))
        y, m = y + (m == 12), m % 12 + 1
    for y, m in month_ends:
        end = _month_end(y, m)
        if "month" in kinds and dt.date(y, m, 1) >= first:
            out.append(Period.month(y, m))
        for n in (3, 6, 12):
            if f"rolling_{n}" in kinds and months_before(end, n) + ONE_DAY >= first:
                out.append(Period.rolling(end, n))
        if "financial_year" in kinds and m == 3 and dt.date(y - 1, 4, 1) >= first:
            out.append(Period.financial_year(y))
    if "year_to_date" in kinds:
        out.append(Period.year_to_date(last))
    if "as_at" in kinds:
        out.append(Period.as_at(last))
    return out


def periods_at(as_at: dt.date) -> list[Period]:
    """The windows a monthly overview shows at a month end: the week ending on or before it, the
    4 weeks, the month, rolling 3/6/12 months, the financial year to date (the whole financial year
    on 31 March) and the day itself."""
    sunday = as_at - dt.timedelta(days=(as_at.weekday() + 1) % 7)
    y, w, _ = sunday.isocalendar()
    year = Period.financial_year(as_at.year) if (as_at.month, as_at.day) == (3, 31) else Period.year_to_date(as_at)
    return [Period.iso_week(y, w), Period.four_weeks(sunday),
            Period(as_at.replace(day=1), as_at, f"{as_at.year}-{as_at.month:02d}", "month"),
            Period.rolling(as_at, 3), Period.rolling(as_at, 6), Period.rolling(as_at, 12),
            year, Period.as_at(as_at)]
