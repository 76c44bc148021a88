"""What one return is derived from, and what its derivation notes on the way.

A :class:`Source` holds one authority's store tables, the collection year's period,
specification and recoding, and two tallies every table adds to: the store records an
inclusion rule left out (``excluded``, by reason) and the gaps the DfE validation would
query (``warnings``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from carelens.model import code_lists
from carelens.model.store import Store, conform
from carelens.return_specs.ssda903 import Col, table_spec
from carelens.returns.ssda903.codes import year_recoding
from carelens.returns.ssda903.values import frame

# the store tables the return reads
TABLES = (
    "person",
    "periods_of_care",
    "looked_after_episodes",
    "placements",
    "looked_after_reviews",
    "annual_outcomes",
    "missing_episodes",
    "permanence",
    "previous_permanence",
    "care_leaver_contacts",
    "allocations",
    "workers",
)


@dataclass
class Source:
    year: int
    la: str
    start: dt.date  # 1 April Y-1
    end: dt.date  # 31 March Y: the store is read as at this day
    spec: dict[str, list[Col]]
    recode: dict[str, dict[str, str]]
    tables: dict[str, pl.DataFrame]  # the authority's rows of each of TABLES
    person: dict[str, dict]  # child_id -> person row
    excluded: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, store: Store, year: int, la: str) -> Source:
        def rows(name: str) -> pl.DataFrame:
            t = store.table(name)
            return conform(name, t.filter(t.la_code == la).to_polars())

        tables = {name: rows(name) for name in TABLES}
        start, end = code_lists.collection_period(year)
        return cls(
            year=year,
            la=la,
            start=start,
            end=end,
            spec=table_spec(year),
            recode=year_recoding(year),
            tables=tables,
            person={r["child_id"]: r for r in tables["person"].iter_rows(named=True)},
        )

    def dob(self, child: str) -> dt.date:
        return self.person[child]["date_of_birth"]

    def exclude(self, reason: str, n: int = 1) -> None:
        if n:
            self.excluded[reason] += n

    def frame(self, rows: list[dict], table: str) -> pl.DataFrame:
        """``rows`` as the return's ``table``: its columns, all strings, in spec order."""
        return frame(rows, [c.name for c in self.spec[table]])
