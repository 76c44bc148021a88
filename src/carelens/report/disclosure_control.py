"""Small numbers suppressed across a published report (docs/report/disclosure.md).

Every table's counts are put together — a count shown in two tables, or a total shown in one table and
stated in a sentence, is one cell under one key (:mod:`carelens.report.tables`) — and suppressed at once by
:func:`carelens.disclosure.suppress`: counts from 1 to threshold−1 (primary), further counts so that none of
those can be worked out from a total or another table (secondary), and every share, rate or percentage
computed from a hidden count (derived). What is hidden is then replaced in the tables by [c], and the
narrative says no hidden count (it is given the keys as ``withheld``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from carelens.disclosure import Cells, Suppression, linked, suppress
from carelens.report.document import Mark, Table
from carelens.report.tables import Counted


@dataclass(frozen=True)
class Disclosed:
    withheld: frozenset[str]  # keys of every hidden count and derived figure
    cells: Cells | None = None  # every count the published tables show or use, and how they add up
    suppression: Suppression | None = None

    @classmethod
    def nothing(cls) -> Disclosed:
        return cls(frozenset())

    def marked(self, counted: Counted) -> Table:
        """The table with each hidden cell shown as [c]."""
        if not self.withheld:
            return counted.table
        rows = []
        for r, row in enumerate(counted.table.rows):
            rows.append(tuple(Mark.SUPPRESSED if counted.keys.get((r, c)) in self.withheld else cell
                              for c, cell in enumerate(row)))
        notes = counted.table.notes
        if any(Mark.SUPPRESSED in row for row in rows):
            notes = (*notes, "[c]: not shown, to protect children from being identified.")
        return replace(counted.table, rows=tuple(rows), notes=notes)


def disclose(tables: dict[str, list[Counted]], threshold: int, extra: dict[str, int | None] | None = None,
             same: dict[str, str] | None = None) -> Disclosed:
    """Suppress the counts of every table, and the ``extra`` counts sentences state, together. ``same`` maps a
    sentence's key to the table cell that counts the same children (children accommodated under section 20 and
    the legal-status table's section 20 row): one cell, so hidden in both or in neither."""
    same = same or {}
    tables_cells = [Cells({same.get(k, k): v for k, v in (extra or {}).items()})]
    derived: dict[str, tuple[str, ...]] = {}
    for section in tables.values():
        for counted in section:
            # linked: a key in two tables is one cell, and refused if its counts differ
            tables_cells.append(Cells(counted.counts, tuple(counted.relations)))
            derived.update(counted.derived)
    cells = linked(*tables_cells)
    result = suppress(cells, threshold=threshold, derived=derived)
    if result.exposed:  # only possible with figures not available beside hidden ones: never publish those
        raise ValueError(f"disclosure control could not protect {', '.join(sorted(map(str, result.exposed)))}: "
                         "the published report is not written")
    hidden = result.suppressed | result.derived
    return Disclosed(frozenset(hidden | {k for k, cell in same.items() if cell in hidden}), cells, result)


def small_points(series: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """A series (one row per window) with each value counted from fewer children than the threshold left out, and
    its counts too: a published chart or table of windows shows no figure of a few children."""
    small = (pl.col("numerator") > 0) & (pl.col("numerator") < threshold)
    hidden = [c for c in ("value", "numerator", "denominator") if c in series.columns]
    return series.with_columns(pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in hidden)
