"""What the projected children in care will cost: spend by financial year, per run, in total and by placement
category, with intervals; and the cost of a scenario's difference from the baseline.

**A day's cost** in one run is, over the placement categories, the children in that category on the day times
the category's weekly unit cost at the prices of the day's calendar year (:meth:`.costs.UnitCosts.weekly_cost`,
which carries the inflation) divided by 7. Day 0 of a projection is its start, already in the past, so the
spend counts days 1 to the horizon.

**Financial years** run from 1 April to 31 March, England's local-government year; a year is named, as
collection years are, by the year it ends (2027 is 2026/27). A projection from 31 March covers whole financial
years; one from another day begins (and may end) with part of one, and :attr:`Spend.complete` says which.

**A new in-house residential home** (a scenario's :class:`InHousePlaces`) changes what care costs, not how many
children are in it: from its opening day its places are filled by children the projection has in residential
care — as many as it has places, or as many as there are residential children in that run on that day if fewer
— and each of them is costed at the home's weekly cost instead of the residential unit cost (the line
``residential_in_house``). Places are not left empty while a residential child is placed elsewhere, and a place
with no residential child to fill it costs nothing here: the home's fixed costs, if the council wants them
counted, are outside this model's weekly prices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from carelens.collection_years import year_label
from carelens.forecast.costs import UnitCosts
from carelens.forecast.intervals import summarised
from carelens.forecast.rates import CATEGORIES
from carelens.forecast.simulate import Projection

IN_HOUSE_LINE = "residential_in_house"
"""The spend line of the children a scenario's new in-house home holds."""
TOTAL = "total"


@dataclass(frozen=True)
class InHousePlaces:
    """``places`` residential places in the council's own home from ``start`` on, each costing ``weekly`` a week
    at the prices of ``year`` (uplifted to later years by the unit costs' inflation)."""

    start: dt.date
    places: int
    weekly: float
    year: int
    name: str = ""


def financial_year(day: dt.date) -> int:
    """The financial year ``day`` is in, named by the year it ends: 1 April 2026 to 31 March 2027 is 2027."""
    return day.year + (day.month >= 4)


@dataclass(frozen=True)
class Spend:
    """Spend by financial year of one projection: ``by_line`` (runs, line, year) in pounds, for ``lines`` (the
    placement categories, and ``residential_in_house`` when a new home holds children) over the
    ``financial_years`` the projection's days 1… fall in, each from ``first_days`` to ``last_days``."""

    start: dt.date
    financial_years: tuple[int, ...]
    first_days: tuple[dt.date, ...]
    last_days: tuple[dt.date, ...]
    lines: tuple[str, ...]
    by_line: np.ndarray
    currency: str = "GBP"

    def total(self) -> np.ndarray:
        """Spend of each run in each financial year, (runs, year)."""
        return self.by_line.sum(1)

    def complete(self) -> tuple[bool, ...]:
        """Whether the projection covers each financial year whole (1 April to 31 March)."""
        return tuple(first == dt.date(fy - 1, 4, 1) and last == dt.date(fy, 3, 31)
                     for fy, first, last in zip(self.financial_years, self.first_days, self.last_days, strict=True))

    def line(self, name: str) -> np.ndarray:
        """One line's spend, (runs, year); 0 for a line this projection has none of."""
        if name == TOTAL:
            return self.total()
        if name not in self.lines:
            return np.zeros((self.by_line.shape[0], len(self.financial_years)))
        return self.by_line[:, self.lines.index(name)]

    def summary(self) -> pl.DataFrame:
        """The mean, median and 50/80/95% intervals of the spend in each financial year and over them all, in
        total and by line (financial_year, first_day, last_day, days, complete, line, mean, lower_95 …)."""
        return spend_frame(self, {name: self.line(name) for name in (TOTAL, *self.lines)})


def projected_spend(projection: Projection, costs: UnitCosts, homes: tuple[InHousePlaces, ...] = ()) -> Spend:
    """The spend of every run of ``projection`` at ``costs``, with the children a scenario's new ``homes`` hold
    costed at theirs (the module's docstring says how)."""
    n = projection.days
    dates = [projection.start + dt.timedelta(days=k) for k in range(1, n + 1)]
    # stretches of days with one calendar year (one price) and one financial year
    keys = [(d.year, financial_year(d)) for d in dates]
    cuts = [i for i in range(n) if i == 0 or keys[i] != keys[i - 1]]
    seg_years = np.array([keys[i][0] for i in cuts])
    seg_fy = np.array([keys[i][1] for i in cuts])
    financial_years = tuple(sorted(set(seg_fy.tolist())))
    fy_index = np.searchsorted(financial_years, seg_fy)
    first_days = tuple(max(projection.start + dt.timedelta(days=1), dt.date(fy - 1, 4, 1)) for fy in financial_years)
    last_days = tuple(min(dates[-1], dt.date(fy, 3, 31)) for fy in financial_years)

    children = projection.by_category[:, :, 1:]  # runs, category, day 1…n
    child_days = np.add.reduceat(children, cuts, axis=2, dtype=np.int64)  # runs, category, stretch
    prices = np.array([[costs.weekly_cost(c, int(y)) / 7 for y in seg_years] for c in CATEGORIES])
    lines = list(CATEGORIES)
    cost = child_days * prices[None]  # runs, category, stretch
    if homes:
        residential = CATEGORIES.index("residential")
        remaining = children[:, residential].astype(np.int64)  # runs, day
        in_house = np.zeros_like(cost[:, 0])
        day_numbers = np.arange(1, n + 1)
        for home in sorted(homes, key=lambda h: h.start):
            open_ = day_numbers >= (home.start - projection.start).days
            held = np.where(open_[None], np.minimum(remaining, home.places), 0)
            remaining -= held
            price = np.array([home.weekly * (1 + costs.inflation) ** (int(y) - home.year) / 7 for y in seg_years])
            in_house += np.add.reduceat(held, cuts, axis=1) * price[None]
        cost[:, residential] = np.add.reduceat(remaining, cuts, axis=1) * prices[residential][None]
        cost = np.concatenate([cost, in_house[:, None]], axis=1)
        lines.append(IN_HOUSE_LINE)
    in_year = np.zeros((len(cuts), len(financial_years)))
    in_year[np.arange(len(cuts)), fy_index] = 1.0
    by_line = cost @ in_year  # runs, line, financial year
    return Spend(projection.start, financial_years, first_days, last_days, tuple(lines), by_line, costs.currency)


def spend_difference(scenario: Spend, baseline: Spend) -> pl.DataFrame:
    """What a scenario costs beyond the baseline (negative: saves), run by run — each run of the scenario
    against the baseline's run of the same number, which share their random draws — in each financial year
    and over them all, in total and by line, with intervals (as :meth:`Spend.summary`)."""
    if scenario.financial_years != baseline.financial_years or scenario.by_line.shape[0] != baseline.by_line.shape[0]:
        raise ValueError("a scenario is compared with a baseline of the same runs and financial years")
    lines = (TOTAL, *baseline.lines, *(line for line in scenario.lines if line not in baseline.lines))
    return spend_frame(baseline, {name: scenario.line(name) - baseline.line(name) for name in lines})


def spend_frame(spend: Spend, lines: dict[str, np.ndarray]) -> pl.DataFrame:
    """Summarised ``lines`` (each (runs, year)) over the financial years of ``spend`` and over all of them."""
    labels = [year_label(fy) for fy in spend.financial_years]
    periods = [*labels, f"{labels[0]} to {labels[-1]}" if len(labels) > 1 else labels[0]]
    first = [*spend.first_days, spend.first_days[0]]
    last = [*spend.last_days, spend.last_days[-1]]
    complete = [*spend.complete(), all(spend.complete())]
    rows = []
    for name, values in lines.items():
        s = summarised(np.concatenate([values, values.sum(1, keepdims=True)], axis=1))
        for i, period in enumerate(periods[: len(labels) + (len(labels) > 1)]):
            rows.append({"financial_year": period, "first_day": first[i], "last_day": last[i],
                         "days": (last[i] - first[i]).days + 1, "complete": complete[i], "line": name,
                         **{k: float(v[i]) for k, v in s.items()}})
    return pl.DataFrame(rows)
