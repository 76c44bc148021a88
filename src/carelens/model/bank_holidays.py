"""England and Wales bank holidays: the one list every working-day rule uses.

From the maintained ``holidays`` package (``GB``, subdivision ``ENG``; England and Wales share their
bank holidays), so substitute days and one-off holidays (the 2022 jubilee and state funeral, the 2023
coronation) come with it. The simulator's timescales and the indicators' working days both read it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def england_and_wales(first_year: int, last_year: int) -> tuple[dt.date, ...]:
    """Every bank holiday (and substitute day) from ``first_year`` to ``last_year``, in date order."""
    return tuple(sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))))
