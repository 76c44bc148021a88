"""Computing indicators: a value, its numerator and denominator, and the children behind it.

Rates follow the DfE conventions in ``../shared/design/INDICATORS.md``:

- **Per 10,000.** Counts become rates per 10,000 children aged 0–17. The population used is the
  latest mid-year (30 June) estimate on or before the end of the period: the year ending 31 March
  2025 uses mid-2024, as DfE does.
- **Annualised.** Flows over a period other than a year are annualised: count × 365 / days in the
  period.
- **Percentages.** Conversions are numerator / denominator × 100.

Everything is computed with Ibis expressions against the store's tables, so a value can be
computed on any backend that holds the canonical tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import ibis
import ibis.expr.types as ir
import polars as pl

from carelens.indicators.catalogue import Indicator
from carelens.indicators.measures import Stock
from carelens.model.code_lists import collection_period


class Tables(Protocol):
    """Anything that gives an Ibis table per store table name (a Store, or a backend wrapper)."""

    def table(self, name: str) -> ir.Table: ...


@dataclass(frozen=True)
class Period:
    """A window of days, both ends included. Stocks are counted on its last day."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def financial_year(cls, year_ending: int) -> Period:
        return cls(*collection_period(year_ending), f"{year_ending - 1}-{year_ending % 100:02d}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(start, nxt - dt.timedelta(days=1), f"{year}-{month:02d}")

    @classmethod
    def rolling(cls, as_at: dt.date, months: int) -> Period:
        """The ``months`` months ending on ``as_at``: rolling 12 months to 31 May 2019 is 1 June 2018 to
        31 May 2019."""
        return cls(_months_before(as_at, months) + dt.timedelta(days=1), as_at,
                   f"{months} months to {as_at.isoformat()}")


def _months_before(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, or that month's last day when it is shorter."""
    y, m = divmod(d.month - 1 - months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


@dataclass(frozen=True)
class Value:
    indicator: str
    period: Period
    value: float | None
    numerator: int
    denominator: int | None
    unit: str  # "per 10,000" or "%"


def population_year(period_end: dt.date) -> int:
    """The mid-year estimate a period uses: the latest 30 June on or before the period's end."""
    return period_end.year if period_end >= dt.date(period_end.year, 6, 30) else period_end.year - 1


def children_aged_0_17(tables: Tables, la_code: str, period: Period) -> int | None:
    pop = tables.table("population")
    year = population_year(period.end)
    total = pop.filter((pop.la_code == la_code) & (pop.year == year) & (pop.age <= 17)).children.sum().execute()
    return None if total is None else int(total)


def counted_rows(tables: Tables, ind: Indicator, period: Period, la_code: str) -> ir.Table:
    """The rows an indicator counts for a period: the drill-down to the children behind the figure."""
    t = tables.table(ind.measure.table)
    return ind.measure.rows(t.filter(t.la_code == la_code), period.start, period.end)


def evaluate(tables: Tables, ind: Indicator, period: Period, la_code: str) -> Value:
    """One indicator for one authority and period."""
    rows = counted_rows(tables, ind, period, la_code)
    if ind.unit == "percent":
        counts = rows.aggregate(n=rows.count(), hits=rows.numerator.cast("int64").sum()).execute()
        n, hits = int(counts["n"][0]), int(counts["hits"][0] or 0)
        return Value(ind.id, period, 100 * hits / n if n else None, hits, n, "%")
    n = int(rows.count().execute())
    population = children_aged_0_17(tables, la_code, period)
    if not population:
        return Value(ind.id, period, None, n, population, "per 10,000")
    per_10k = n * 10_000 / population
    if not isinstance(ind.measure, Stock):
        per_10k *= 365 / period.days  # annualised
    return Value(ind.id, period, per_10k, n, population, "per 10,000")


AGE_BANDS = ((0, 1, "under 1"), (1, 5, "1-4"), (5, 10, "5-9"), (10, 16, "10-15"), (16, 18, "16-17"))
BREAKDOWNS = ("age_band", "sex")


def with_breakdowns(tables: Tables, rows: ir.Table, period: Period) -> ir.Table:
    """The counted rows with the child's sex and age band on the counting day.

    The counting day is the event date for flows and conversions, and the period's last day for
    stocks. Age bands are the overview's: under 1, 1-4, 5-9, 10-15, 16-17 (18+ as "18 and over").
    """
    person = tables.table("person").select("child_id", "sex", "date_of_birth")
    joined = rows.left_join(person, "child_id").drop("child_id_right")
    day = joined.event_date if "event_date" in joined.columns else ibis.literal(period.end)
    # completed years of age: the year difference, less one if the birthday is still to come
    years = day.year() - joined.date_of_birth.year()
    before_birthday = (day.month() < joined.date_of_birth.month()) | (
        (day.month() == joined.date_of_birth.month()) & (day.day() < joined.date_of_birth.day()))
    age = years - before_birthday.cast("int32")
    band = ibis.cases(*[((age >= lo) & (age < hi), label) for lo, hi, label in AGE_BANDS],
                      else_=ibis.cases((age >= 18, "18 and over"), else_="unknown"))
    return joined.mutate(age_band=band, sex=joined.sex.fill_null("U"))


def evaluate_by(tables: Tables, ind: Indicator, period: Period, la_code: str, breakdown: str) -> pl.DataFrame:
    """One indicator split by ``age_band`` or ``sex``: value, numerator and denominator per group.

    Rates per 10,000 use the population of that group (children of that age band or sex); a
    percentage's denominator is the group's events.
    """
    if breakdown not in BREAKDOWNS:
        raise ValueError(f"breakdown {breakdown!r}: expected one of {', '.join(BREAKDOWNS)}")
    rows = with_breakdowns(tables, counted_rows(tables, ind, period, la_code), period)
    counts = rows.group_by(group=rows[breakdown]).aggregate(
        n=rows.count(), hits=rows.numerator.cast("int64").sum()).to_polars()
    if ind.unit == "percent":
        return counts.select("group", value=100 * pl.col("hits") / pl.col("n"), numerator="hits", denominator="n")
    pop = tables.table("population")
    pop = pop.filter((pop.la_code == la_code) & (pop.year == population_year(period.end)) & (pop.age <= 17))
    if breakdown == "age_band":
        band = ibis.cases(*[((pop.age >= lo) & (pop.age < hi), label) for lo, hi, label in AGE_BANDS])
        groups = pop.group_by(group=band).aggregate(population=pop.children.sum()).to_polars()
    else:
        groups = pop.group_by(group=pop.sex).aggregate(population=pop.children.sum()).to_polars()
    per_year = 1.0 if isinstance(ind.measure, Stock) else 365 / period.days
    out = counts.join(groups, on="group", how="full", coalesce=True).with_columns(pl.col("n").fill_null(0))
    return out.select("group", value=pl.col("n") * 10_000 / pl.col("population") * per_year,
                      numerator="n", denominator="population").sort("group")


def evaluate_many(tables: Tables, indicators: list[Indicator], periods: list[Period], la_code: str) -> pl.DataFrame:
    """Long-form results: one row per indicator and period."""
    rows = []
    for ind in indicators:
        for period in periods:
            v = evaluate(tables, ind, period, la_code)
            rows.append({"indicator": ind.id, "name": ind.name, "period": period.label,
                         "period_start": period.start, "period_end": period.end, "breakdown": "all",
                         "value": v.value, "unit": v.unit, "numerator": v.numerator, "denominator": v.denominator})
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "denominator": pl.Int64})
