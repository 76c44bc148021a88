"""Secondary suppression: hiding further cells so that the small ones cannot be worked out.

Two steps, repeated until neither finds anything:

1. **One relation at a time.** A relation with exactly one hidden cell gives that cell away by
   subtraction (total minus the parts shown, or the parts added up). So another of its cells is
   suppressed, chosen by :func:`preference`.
2. **The audit** (:mod:`carelens.disclosure.audit`) finds cells that are still determined by a
   combination of relations, which step 1 cannot see (typically across linked tables). For each,
   one more cell is suppressed from a relation it is in: the most preferred one that on its own
   makes the cell undetermined, or else the most preferred one. (A suppressed zero can be pinned
   by sums further away, with every other cell of its own relations hidden or zero; then the
   candidates are the cells of every relation linked to it through hidden cells.)

A zero is never chosen: hiding a 0 protects nothing in one direction (counts cannot go below 0),
and a hidden zero is what lets non-negativity pin cells, so leaving zeros shown keeps the audit
purely linear. A relation with a small cell always has another cell above zero to choose (if a
part is above zero, so is the total; if the total is, so is some part). Cells not available are
already unknown to every reader and count as hidden, but are never chosen, nor protected.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from carelens.disclosure.audit import hidden_component, recoverable
from carelens.disclosure.indexed import IndexedCells


def preference(cells: IndexedCells, cell: int, helps: int = 0) -> tuple[bool, int, int, int]:
    """The order in which cells are chosen for secondary suppression, best first.

    Parts before totals (a hidden total takes the headline figure away from the reader, and a large
    total hides little about a small cell); then a cell that closes more open relations at once
    and opens fewer new ones (so a rectangle of four cells in a two-way table, not a scatter, and
    cells in relations that are already protected); then the smallest count (the
    least information lost); then the order the cells were given, so the result is repeatable.
    """
    return (bool(cells.is_total[cell]), -helps, int(cells.values[cell]), cell)


def suppress_secondary(cells: IndexedCells, suppressed: np.ndarray) -> tuple[set[int], set[int]]:
    """Suppress more cells (in place) until no suppressed cell can be worked out.

    Returns the cells added, and the cells that stay recoverable because no cell was left to hide
    them (possible only with suppressed zeros or cells not available; see the docs).
    """
    before = suppressed.copy()
    exposed: set[int] = set()
    while True:
        _close_open_relations(cells, suppressed)
        open_cells = sorted(recoverable(cells, suppressed) - exposed)
        if not open_cells:
            break
        touched: set[int] = set()  # one cell for each linked group of hidden cells, then look again
        for cell in open_cells:
            if cell in touched:
                continue
            touched.update(hidden_component(cells, suppressed | ~cells.available, cell).tolist())
            choice = _choice_for_recoverable(cells, suppressed, cell)
            if choice is None:
                exposed.add(cell)
            else:
                suppressed[choice] = True
    return set(np.flatnonzero(suppressed & ~before).tolist()), exposed


def _hidden_count(cells: IndexedCells, hidden: np.ndarray) -> np.ndarray:
    return np.array([int(hidden[members].sum()) for members in cells.relation_cells], dtype=np.int64)


def _close_open_relations(cells: IndexedCells, suppressed: np.ndarray) -> None:
    """Step 1: until no relation has exactly one hidden cell that is suppressed."""
    hidden = suppressed | ~cells.available
    count = _hidden_count(cells, hidden)

    def is_open(r: int) -> bool:
        if count[r] != 1:
            return False
        members = cells.relation_cells[r]
        return bool(suppressed[members[hidden[members]]][0])

    queue = deque(r for r in range(len(count)) if is_open(r))
    while queue:
        r = queue.popleft()
        if not is_open(r):
            continue
        candidates = [int(m) for m in cells.relation_cells[r] if not hidden[m] and cells.values[m] > 0]
        if not candidates:
            continue  # left for the audit to report
        choice = min(candidates, key=lambda c: preference(cells, c, _net_closed(cells, c, r, count, is_open)))
        suppressed[choice] = hidden[choice] = True
        for other in cells.cell_relations[choice]:
            count[other] += 1
            if is_open(other):
                queue.append(other)


def _net_closed(cells: IndexedCells, cell: int, relation: int, count: np.ndarray, is_open) -> int:
    """How many other relations suppressing ``cell`` would close, less how many it would open."""
    closed = sum(1 for other in cells.cell_relations[cell] if other != relation and is_open(other))
    opened = sum(1 for other in cells.cell_relations[cell] if other != relation and count[other] == 0)
    return closed - opened


def _choice_for_recoverable(cells: IndexedCells, suppressed: np.ndarray, cell: int) -> int | None:
    """Step 2: the cell to suppress so that ``cell`` is no longer determined."""
    hidden = suppressed | ~cells.available
    candidates = _shown_above_zero(cells, hidden, cells.cell_relations[cell])
    if not candidates:  # a zero pinned by sums further away: look along the hidden cells linked to it
        component = hidden_component(cells, hidden, cell)
        candidates = _shown_above_zero(cells, hidden, {r for c in component for r in cells.cell_relations[c]})
    for candidate in candidates:
        trial = suppressed.copy()
        trial[candidate] = True
        if cell not in recoverable(cells, trial, around=cell):
            return candidate
    return candidates[0] if candidates else None


def _shown_above_zero(cells: IndexedCells, hidden: np.ndarray, relations) -> list[int]:
    """The cells of ``relations`` that could be chosen, most preferred first."""
    found = {int(m) for r in relations for m in cells.relation_cells[r] if not hidden[m] and cells.values[m] > 0}
    return sorted(found, key=lambda c: preference(cells, c))
