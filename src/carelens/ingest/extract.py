"""What a reader hands over: canonical rows from one source, ready to be merged into the store.

Every reader (SSDA903, CIN census, Annex A, SSD) turns its files into an
:class:`Extract`: frames named and typed like the store tables (any subset of
their columns), each row carrying its provenance (``source_file``,
``source_year``, ``source_row``). :mod:`carelens.ingest.history` merges extracts
into the store, stitching several years into one history per child.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

# what a return (or extract) covers: which authority, which period, which kind of record
KINDS = ("ssda903", "cin_census", "annex_a", "ssd")


@dataclass
class Extract:
    kind: str  # one of KINDS
    la_code: str
    collection_year: int | None  # None for extracts that are not a yearly return (SSD, Annex A)
    period_start: dt.date | None  # the period the source is authoritative for
    period_end: dt.date | None
    files: list[str]
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)

    def rows(self) -> int:
        return sum(len(f) for f in self.frames.values())

    def children(self) -> int:
        person = self.frames.get("person")
        return 0 if person is None else person["child_id"].n_unique()
