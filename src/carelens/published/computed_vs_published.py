"""Our computed financial-year values beside DfE's published ones: how a council checks its data.

For each catalogue indicator whose definition matches its DfE measure (``dfe_comparable``), the value
the engine computes from the store for a financial year, and the figure DfE published for that year.
For a council's own store the two should agree, give or take late changes to records after the
return; a gap points at a recording or extract problem. For a synthetic authority the published
figures are those of the real authority it imitates, so the gap shows how close the imitation is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from carelens.published.comparison import BenchmarkError, benchmark
from carelens.indicators.api import Indicator, Period, Selection, definition, definitions, figures
from carelens.model.store import Store

SCHEMA = {"indicator": pl.String, "title": pl.String, "measure_id": pl.String, "year": pl.String,
          "unit": pl.String, "computed": pl.Float64, "numerator": pl.Int64, "denominator": pl.Int64,
          "published": pl.Float64, "published_status": pl.String, "published_for": pl.String,
          "difference": pl.Float64, "comparable": pl.Boolean, "note": pl.String}


def comparable_indicators(ids: Sequence[str] | None = None) -> list[Indicator]:
    """Catalogue indicators benchmarked against a single DfE measure (all of them, or those named)."""
    chosen = [definition(i) for i in ids] if ids else list(definitions())
    return [i for i in chosen if i.dfe_short]


def complete_financial_years(first_day: dt.date, last_day: dt.date) -> list[int]:
    """Years ending 31 March whose whole April–March lies between the two days (both included)."""
    first = first_day.year + (1 if first_day > dt.date(first_day.year, 4, 1) else 0) + 1
    last = last_day.year if last_day >= dt.date(last_day.year, 3, 31) else last_day.year - 1
    return list(range(first, last + 1))


def computed_financial_years(store: Store, la_code: str, years_ending: Sequence[int],
                             indicators: Sequence[Indicator]) -> pl.DataFrame:
    """The values for each indicator and financial year (breakdown 'all'); a stock is counted on 31 March,
    as DfE counts it."""
    periods = tuple(Period.financial_year(y) for y in years_ending)
    out = figures(store, Selection(as_at=max(p.end for p in periods), indicators=tuple(i.id for i in indicators),
                                   authorities=la_code, windows=periods)).values.drop("la_code")
    return out.filter((pl.col("breakdown") == "all") & (pl.col("period_kind") == "financial_year"))


def computed_vs_published(store: Store, la_code: str, years_ending: Sequence[int], data,
                          published_for: str | None = None, indicator_ids: Sequence[str] | None = None
                          ) -> pl.DataFrame:
    """One row per indicator and financial year: computed, published, and computed − published.

    ``published_for`` is the real authority whose figures to show (default ``la_code``); a synthetic
    authority gives the authority it imitates.
    """
    inds = comparable_indicators(indicator_ids)
    if not inds:
        raise BenchmarkError("none of these indicators has a DfE measure to compare with")
    real = published_for or la_code
    labels = [Period.financial_year(y).label for y in years_ending]
    computed = computed_financial_years(store, la_code, years_ending, inds)
    published = benchmark(data, real, sorted({i.dfe_short for i in inds}), labels)
    # keyed by the year's end: a census figure labelled '2025' (September) answers '2024-25' too
    pub = {(r["measure_id"], r["year_ending"]): r for r in published.iter_rows(named=True)}
    mine = {(r["indicator"], r["period"]): r for r in computed.iter_rows(named=True)}
    rows = []
    for ind in inds:
        for ending, label in zip(years_ending, labels, strict=True):
            c = mine.get((ind.id, label), {})
            p = pub.get((ind.dfe_short, ending), {})
            value, figure = c.get("value"), p.get("value")
            rows.append({
                "indicator": ind.id, "title": ind.title, "measure_id": ind.dfe_short, "year": label,
                "unit": ind.unit, "computed": value, "numerator": c.get("numerator"),
                "denominator": c.get("denominator"), "published": figure,
                "published_status": p.get("status") or "no figure", "published_for": real,
                "difference": None if value is None or figure is None else value - figure,
                "comparable": ind.dfe_comparable, "note": ind.dfe_note,
            })
    return pl.DataFrame(rows, schema=SCHEMA)
