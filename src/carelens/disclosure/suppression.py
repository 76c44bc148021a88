"""Suppression of a report's published tables: primary, secondary, and the figures derived from them.

Primary suppression hides every count from 1 to ``threshold - 1`` (by default 1 to 4). Zeros are
shown unless ``suppress_zeros`` is set: a true zero identifies no child, readers need to see that
nothing happened, and the GSS and DfE publish zeros as 0; hiding them also gives a reader's sums
nothing to work with (a hidden cell known to be 0 or more and at most a small number). Where a zero
itself says something sensitive about a group (every child of a small group in one category), the
report can choose to suppress zeros in that table. Secondary suppression and the audit are in
:mod:`carelens.disclosure.secondary` and :mod:`carelens.disclosure.audit`; the method is described
in ``docs/report/disclosure.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from carelens.disclosure.cells import Cells, Count, Key, Relation
from carelens.disclosure.derived import dependent
from carelens.disclosure.indexed import IndexedCells
from carelens.disclosure.secondary import suppress_secondary

DEFAULT_THRESHOLD = 5  # DfE and ONS practice: counts of 1 to 4 children are not published


@dataclass(frozen=True)
class Suppression:
    """Which cells a published report shows, and why the others are hidden."""

    threshold: int
    primary: frozenset[Key]  # counts below the threshold (and zeros, if they are suppressed)
    secondary: frozenset[Key]  # counts hidden so that a primary one cannot be worked out
    derived: frozenset[Key]  # rates, percentages and other figures computed from a hidden count
    exposed: frozenset[Key]  # hidden but still determined: nothing left could hide them (see the docs)

    @property
    def suppressed(self) -> frozenset[Key]:
        """Every hidden count (primary and secondary; not the derived figures)."""
        return self.primary | self.secondary

    def shown(self, key: Key) -> bool:
        """Whether the report may print the cell or derived figure ``key`` (if not, it prints [c])."""
        return key not in self.primary and key not in self.secondary and key not in self.derived


def suppress(cells: Cells | Mapping[Key, Count], relations: Iterable[Relation] = (), *,
             threshold: int = DEFAULT_THRESHOLD, suppress_zeros: bool = False,
             derived: Mapping[Key, Iterable[Key]] | None = None) -> Suppression:
    """Decide which cells of a set of linked tables to hide.

    ``cells`` is a :class:`Cells` (from :func:`one_way_table`, :func:`two_way_table`, :func:`linked`)
    or a mapping of keys to counts (None where not available), and ``relations`` any further sums
    between them. ``derived`` maps each rate or percentage to the keys it is computed from.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"the suppression threshold is {threshold!r}: it must be a whole number, 1 or more")
    if isinstance(cells, Cells):
        relations = (*cells.relations, *relations)
        cells = cells.counts
    indexed = IndexedCells.of(cells, relations)
    small = (indexed.values < threshold) & (indexed.values > (-1 if suppress_zeros else 0))
    primary = indexed.available & small
    suppressed = primary.copy()
    secondary, exposed = suppress_secondary(indexed, suppressed)
    keys = indexed.keys
    hidden = frozenset(keys[i] for i in np.flatnonzero(suppressed))
    return Suppression(threshold=threshold,
                       primary=frozenset(keys[i] for i in np.flatnonzero(primary)),
                       secondary=frozenset(keys[i] for i in secondary),
                       derived=dependent(hidden, derived or {}),
                       exposed=frozenset(keys[i] for i in exposed))
