"""What the store's data can vouch for: the days each table's sources cover, and who was held back.

Every row says where it came from (``source_file``, ``source_year``: :data:`~carelens.model.tables.PROVENANCE`).
A row from a return of collection year *Y* is part of that return's statement about 1 April *Y*−1 to
31 March *Y* (decision 003): an episode that started in 2019 is in the 2024/25 return because it was still
open, not because the return says anything about 2019. So a return covers its own year, whatever the
dates in its rows, and a table covers the years of the returns that gave it rows. A source with no
collection year (a synthetic authority, an Annex A workbook, SSD tables) covers the days from its
earliest to its latest event in any table: a synthetic store covers its whole simulated span.

Indicators use this to say when the data cannot support a figure (decision 009): a window outside what
the tables it reads cover (``outside_coverage``), or a window whose indicator needs more history than they
hold before it (``history_short``). Everything is read through Ibis from whatever holds the tables, so the
DuckDB store, and the PostgreSQL and Spark copies of it, give the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import polars as pl

from carelens.model.tables import TABLES, Table

# Dates that are not events the source saw happen: a birthday (often years before the source's time),
# a deadline (often after it). They would stretch a source with no collection year beyond what it covers.
NOT_EVENTS = frozenset({"date_of_birth", "mother_child_date_of_birth", "uasc_ceased_date", "due_date",
                        "target_date", "icpc_target_date"})
# Tables that are not a record of children's services over time: the population estimates (published
# figures, read for every year) and the load record itself.
NOT_RECORDS = frozenset({"population", "held_back_children"})
RECORD_TABLES = tuple(t for t in TABLES if t.name not in NOT_RECORDS and "source_year" in t.column_names)

COVERAGE_SCHEMA = {"la_code": pl.String, "table": pl.String, "first_day": pl.Date, "last_day": pl.Date}


@dataclass(frozen=True)
class Span:
    """Days from ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date

    def holds(self, first: dt.date, last: dt.date) -> bool:
        return self.first <= first and last <= self.last


def collection_year_span(year: int) -> Span:
    """The days a return of collection year ``year`` reports on: 2025 is 1 April 2024 to 31 March 2025."""
    return Span(dt.date(year - 1, 4, 1), dt.date(year, 3, 31))


# the most event dates any record table has (permanence: six); every table's part of the union has this many
EVENT_SLOTS = max(sum(1 for c in t.columns if c.dtype == "date" and c.name not in NOT_EVENTS) for t in RECORD_TABLES)


def _sources_of(t: ir.Table, declared: Table) -> ir.Table:
    """Per authority and source of one table: its rows, and the earliest and latest day of each event column
    (``first_0`` … and ``last_0`` …, empty beyond the table's own columns).

    Each column's own MIN and MAX, which skip empty days on every backend; :func:`source_rows` takes the
    earliest and latest of them. (Folding the columns row by row in SQL instead, a CASE per column that
    repeats the fold so far four times, grows the query fourfold with each column: a quarter of a megabyte of
    SQL for permanence's six, seconds to compile on every run of the engine.)
    """
    events = [t[c.name] for c in declared.columns if c.dtype == "date" and c.name not in NOT_EVENTS]
    none = ibis.null("date")
    slots = {f"first_{i}": e.min() for i, e in enumerate(events)} | {f"last_{i}": e.max() for i, e in enumerate(events)}
    aggregated = t.group_by("la_code", "source_file", "source_year").aggregate(rows=t.count(), **slots)
    return aggregated.select(
        la_code=aggregated.la_code.cast(ibis.dtype("string")), table=ibis.literal(declared.name),
        source_file=aggregated.source_file.cast(ibis.dtype("string")),
        source_year=aggregated.source_year.cast(ibis.dtype("int32")), rows=aggregated.rows.cast(ibis.dtype("int64")),
        # one type for every table's columns, nullability included, or the union is refused
        **{f"{end}_{i}": (aggregated[f"{end}_{i}"] if i < len(events) else none).cast(ibis.dtype("date"))
           for end in ("first", "last") for i in range(EVENT_SLOTS)})


def source_rows(tables, la_codes: Iterable[str]) -> pl.DataFrame:
    """Per authority, table and source (``source_file``, ``source_year``): rows, first and last event day.

    One query over every record table, so that an engine with a high cost per query (Spark) pays it once.
    A table the backend does not hold (an older store, a partial copy) is left out.
    """
    la_list = list(la_codes)
    parts = []
    for declared in RECORD_TABLES:
        t = _table_or_none(tables, declared.name)
        if t is None:
            continue
        parts.append(_sources_of(t.filter(t.la_code.isin(la_list)), declared))
    if not parts:
        return pl.DataFrame(schema={"la_code": pl.String, "table": pl.String, "source_file": pl.String,
                                    "source_year": pl.Int32, "rows": pl.Int64, "first_event": pl.Date,
                                    "last_event": pl.Date})
    found = ibis.union(*parts, distinct=False).to_polars()
    first = [pl.col(f"first_{i}").cast(pl.Date) for i in range(EVENT_SLOTS)]
    last = [pl.col(f"last_{i}").cast(pl.Date) for i in range(EVENT_SLOTS)]
    # the earliest and latest of the columns' days, skipping empty ones (empty when all are)
    return found.select("la_code", "table", "source_file", pl.col("source_year").cast(pl.Int32),
                        pl.col("rows").cast(pl.Int64), first_event=pl.min_horizontal(first),
                        last_event=pl.max_horizontal(last))


def coverage(tables, la_codes: Iterable[str]) -> pl.DataFrame:
    """Per authority and table, the stretches of days its sources cover (``first_day``, ``last_day``).

    A table with rows from the returns of 2023, 2024 and 2025 covers 1 April 2022 to 31 March 2025; with
    2021 and 2025 only, two stretches. A table with no rows covers nothing and has no row here.
    """
    rows = source_rows(tables, la_codes)
    spans: dict[tuple[str, str], list[Span]] = {}
    # a source with no collection year covers its events in every table it gave rows to
    undated: dict[tuple[str, str | None], Span] = {}
    for r in rows.filter(pl.col("source_year").is_null()).iter_rows(named=True):
        if r["first_event"] is None:
            continue
        key = (r["la_code"], r["source_file"])
        old = undated.get(key)
        undated[key] = (Span(r["first_event"], r["last_event"]) if old is None else
                        Span(min(old.first, r["first_event"]), max(old.last, r["last_event"])))
    for r in rows.filter(pl.col("rows") > 0).iter_rows(named=True):
        if r["source_year"] is not None:
            span = collection_year_span(r["source_year"])
        else:
            span = undated.get((r["la_code"], r["source_file"]))
            if span is None:  # rows with no dated event from a source with none anywhere: vouch for nothing
                continue
        spans.setdefault((r["la_code"], r["table"]), []).append(span)
    out = [(la, name, s.first, s.last) for (la, name), found in sorted(spans.items()) for s in merged(found)]
    return pl.DataFrame(out, schema=COVERAGE_SCHEMA, orient="row")


def merged(spans: list[Span]) -> list[Span]:
    """The spans joined where they overlap or meet (31 March 2024 and 1 April 2024 meet)."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: s.first):
        if out and s.first <= out[-1].last + dt.timedelta(days=1):
            out[-1] = Span(out[-1].first, max(out[-1].last, s.last))
        else:
            out.append(s)
    return out


def children_held_back(tables, la_codes: Iterable[str]) -> dict[str, int]:
    """Per authority, how many children a load held back (``held_back_children``; decision 010): 0 for an
    authority with none, and for every authority of a store without the table (one made before it was)."""
    la_list = list(la_codes)
    counts = dict.fromkeys(la_list, 0)
    t = _table_or_none(tables, "held_back_children")
    if t is None:
        return counts
    found = t.filter(t.la_code.isin(la_list)).group_by("la_code").aggregate(n=t.child_id.nunique()).to_polars()
    counts.update({r["la_code"]: int(r["n"]) for r in found.iter_rows(named=True)})
    return counts


def _table_or_none(tables, name: str) -> ir.Table | None:
    try:
        return tables.table(name)
    except Exception:  # noqa: BLE001 - each backend has its own "no such table" error (DuckDB, Postgres, Spark)
        return None
