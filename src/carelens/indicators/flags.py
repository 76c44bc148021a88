"""The flags on every result row: whether the store's data can support the figure (decision 009).

- ``outside_coverage``: the window is not within what the sources of the tables the indicator reads
  cover (an ``--as-at`` after the last return, or before the first), or one of those tables holds no
  row for the authority (contacts, in a store loaded from the 903 and CIN census returns alone).
- ``history_short``: the indicator needs history before its window (:attr:`Indicator.history`) and the
  tables it reads do not cover that far back: B5 needs each referral's previous year, so a store loaded
  from a single year's returns undercounts re-referrals.
- ``children_held_back``: how many of the authority's children a load held back (decision 010), whose
  rows are missing from every figure.

The history is needed before the window's first day, or before its last day for an indicator counted on
that day (one reported "as at", such as D8 on 31 March). Coverage is read once per run, from the same
tables the figures are (:mod:`carelens.model.provenance`), so every engine flags alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from carelens.indicators.indicator import Indicator
from carelens.indicators.periods import Period
from carelens.model.provenance import NOT_RECORDS, Span, children_held_back, coverage

# Who the children are, not what happened when: a child's row holds the latest return that named them, so
# its years say who was still known to the service, not how far back the store's records reach.
IDENTITY_TABLES = frozenset({"person", "disabilities"})
FLAG_SCHEMA = {"outside_coverage": pl.Boolean, "history_short": pl.Boolean, "children_held_back": pl.Int64}
FLAG_COLUMNS = tuple(FLAG_SCHEMA)
_READS: dict[tuple[str, str], frozenset[str]] = {}


class _Recorder:
    """The tables of a store, noting the name of each one asked for."""

    def __init__(self, tables):
        self.tables = tables
        self.names: set[str] = set()

    def table(self, name: str):
        self.names.add(name)
        return self.tables.table(name)


def tables_read(ind: Indicator, tables, la_code: str) -> frozenset[str]:
    """The store tables an indicator's counted rows are built from (the population aside): found by
    building its expression, so that a new measure needs nothing declared to be flagged right. The
    population and the children's identities (:data:`IDENTITY_TABLES`) are read for rates and breakdowns
    and are left out."""
    from carelens.indicators.engine import _windows_table, context, windowed_rows  # (the engine imports us)

    key = (ind.id, ind.name)
    if key not in _READS:
        recorder = _Recorder(tables)
        day = dt.date(2000, 3, 31)
        ctx = context(recorder, ind, la_code)  # outside a run: nothing shared, every table read afresh
        windowed_rows(ind, ctx, _windows_table([Period(dt.date(1999, 4, 1), day, "", "financial_year")]))
        _READS[key] = frozenset(recorder.names - NOT_RECORDS - IDENTITY_TABLES)
    return _READS[key]


def reference_day(ind: Indicator, period_start: dt.date, period_end: dt.date) -> dt.date:
    """The day the indicator's history is needed before: the window's last day for an indicator counted
    on that day (reported "as at"), else its first."""
    return period_end if "as_at" in ind.series else period_start


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when it has fewer days)."""
    month = day.year * 12 + day.month - 1 - months
    year, month = divmod(month, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError(day)


def _held(spans: list[Span], first: dt.date, last: dt.date) -> bool:
    return any(s.holds(first, last) for s in spans)


def with_flags(result: pl.DataFrame, indicators: Iterable[Indicator], tables, la_codes: tuple[str, ...]
               ) -> pl.DataFrame:
    """``result`` (with ``la_code``) with the flag columns, computed once per indicator, window and authority."""
    if result.is_empty():
        return result.with_columns(**{c: pl.lit(None, t) for c, t in FLAG_SCHEMA.items()})
    by_id = {ind.id: ind for ind in indicators}
    covered: dict[tuple[str, str], list[Span]] = {}
    # a Store records its coverage with each version (store_coverage): read, not worked out again from every
    # source row on each request (seconds on a large authority); other tables (a Spark copy) work it out
    recorded = getattr(tables, "coverage", None)
    spans = recorded(list(la_codes)) if callable(recorded) else coverage(tables, la_codes)
    for r in spans.iter_rows(named=True):
        covered.setdefault((r["la_code"], r["table"]), []).append(Span(r["first_day"], r["last_day"]))
    held = children_held_back(tables, la_codes)
    keys = result.select("la_code", "indicator", "period_start", "period_end").unique()
    rows = []
    for la, iid, start, end in keys.iter_rows():
        ind = by_id[iid]
        # a table with no rows for the authority covers nothing: its part of the figure is missing
        read = [covered.get((la, name), []) for name in sorted(tables_read(ind, tables, la))]
        outside = not all(_held(spans, start, end) for spans in read)
        short = False
        if ind.history.months:
            day = reference_day(ind, start, end)
            first = months_before(day, ind.history.months)
            short = not all(_held(spans, first, day) for spans in read)
        rows.append((la, iid, start, end, outside, short, held.get(la, 0)))
    flags = pl.DataFrame(rows, orient="row", schema={"la_code": pl.String, "indicator": pl.String,
                                                      "period_start": pl.Date, "period_end": pl.Date,
                                                      **FLAG_SCHEMA})
    return result.join(flags, on=["la_code", "indicator", "period_start", "period_end"], how="left",
                       maintain_order="left")
