"""The shapes an indicator can take, each an Ibis expression over the store.

Almost every measure in the monthly overview is one of three shapes:

- a **stock**: how many children are in a state on a date (on a CP plan, looked after);
- a **flow**: how many events (or children) happened in a window (referrals, plans starting);
- a **conversion**: of the events in a window, the share that led somewhere (ICPC → CP plan).

Each shape returns the *counted rows*: one row per child (or event) with ``child_id``, and a
``numerator`` flag. Counting those rows gives the figure; listing them is the drill-down. Because
they are Ibis expressions, the same definition runs on DuckDB, PostgreSQL or Spark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir


@dataclass(frozen=True)
class Stock:
    """Children in a state on a date: the row started on or before the date and had not ended by it.

    A plan that ended on the date no longer counts (DfE: "on a plan at 31 March").
    """

    table: str
    start: str = "start_date"
    end: str = "end_date"

    def rows(self, t: ir.Table, start: dt.date, end: dt.date) -> ir.Table:
        on = (t[self.start] <= end) & (t[self.end].isnull() | (t[self.end] > end))
        return t.filter(on).select("child_id").distinct().mutate(numerator=ibis.literal(True))


@dataclass(frozen=True)
class Flow:
    """Events dated within the window (both ends included), or the children they happened to."""

    table: str
    date: str
    distinct_children: bool = False

    def rows(self, t: ir.Table, start: dt.date, end: dt.date) -> ir.Table:
        events = t.filter(t[self.date].between(start, end))
        if self.distinct_children:
            return events.select("child_id").distinct().mutate(numerator=ibis.literal(True))
        return events.select("child_id", event_date=events[self.date]).mutate(numerator=ibis.literal(True))


@dataclass(frozen=True)
class Conversion:
    """Of the events dated within the window, those for which ``outcome`` is true."""

    table: str
    date: str
    outcome: str

    def rows(self, t: ir.Table, start: dt.date, end: dt.date) -> ir.Table:
        events = t.filter(t[self.date].between(start, end))
        return events.select("child_id", event_date=events[self.date],
                             numerator=events[self.outcome].fill_null(False))


Measure = Stock | Flow | Conversion
