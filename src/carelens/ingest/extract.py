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
class HeldBackChild:
    """A child left out of an extract whole because some of their rows have problems."""

    child_id: str
    problem_count: int  # every problem found, though a file full of them lists only its first ones
    problems: list  # the child's problems as listed (carelens.problems.Problem)


@dataclass
class Extract:
    kind: str  # one of KINDS
    la_code: str
    collection_year: int | None  # None for extracts that are not a yearly return (SSD, Annex A)
    period_start: dt.date | None  # the period the source is authoritative for
    period_end: dt.date | None
    files: list[str]
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    # things the user should be told although nothing is wrong ("missing.csv is empty (no rows)")
    notes: list[str] = field(default_factory=list)
    # things the user should check although the load goes on (an --la that the child ids contradict)
    warnings: list[str] = field(default_factory=list)
    # children held back whole (read with hold_back): none of their rows is in frames
    held_back: list[HeldBackChild] = field(default_factory=list)

    def rows(self) -> int:
        return sum(len(f) for f in self.frames.values())

    def children(self) -> int:
        person = self.frames.get("person")
        return 0 if person is None else person["child_id"].n_unique()
