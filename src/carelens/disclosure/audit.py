"""Which suppressed cells a reader could still work out exactly: the audit after secondary suppression.

A reader knows every published cell and every relation (total = sum of parts). Move the published
cells to the right-hand side and what is left is a system of linear equations in the hidden cells
(suppressed, or not available to anyone): ``A x = b``, with ``A`` the relations' coefficients
restricted to the hidden cells. A hidden cell ``i`` is determined exactly when every solution has
the same ``x_i``, which is when its unit vector lies in the row space of ``A`` — equivalently, when
row ``i`` of a basis of the null space of ``A`` is zero. That catches subtraction within one table
and any combination of sums across linked tables, however long the chain.

Counts are also never negative, which a reader can use. If every suppressed cell is above zero, the
true values sit strictly inside the region ``x >= 0``, so a small step along any null-space
direction stays feasible, and the linear test is exact. Secondary suppression never picks a zero
for this reason. Only when zeros are suppressed too (``suppress_zeros=True``) can non-negativity pin
a cell the linear test calls free: a relation whose hidden cells must add to 0 shows each of them
is 0. So a suppressed zero gets one more test, a small linear programme over the directions a
reader could move the hidden cells without making a zero negative (see :func:`_pinned_zeros`).

The system is split into its connected parts (hidden cells that share a relation), which keeps
each matrix as small as one table's worth of suppressed cells.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import linprog

from carelens.disclosure.indexed import IndexedCells

_TOLERANCE = 1e-8


def recoverable(cells: IndexedCells, suppressed: np.ndarray, around: int | None = None) -> set[int]:
    """The suppressed cells a reader can work out exactly, among all of them or in the part of the
    system that holds the cell ``around``."""
    hidden = suppressed | ~cells.available
    found: set[int] = set()
    for component in _hidden_components(cells, hidden, around):
        if suppressed[component].any():
            found |= _recoverable_in(cells, suppressed, hidden, component)
    return found


def hidden_component(cells: IndexedCells, hidden: np.ndarray, cell: int) -> np.ndarray:
    """The hidden cells linked to the hidden ``cell`` through relations (it among them)."""
    return _hidden_components(cells, hidden, cell)[0]


def _hidden_components(cells: IndexedCells, hidden: np.ndarray, around: int | None) -> list[np.ndarray]:
    """Hidden cells grouped so that two cells in one relation are in one group (a walk from each)."""
    is_hidden = hidden.tolist()
    starts = [around] if around is not None else [i for i, h in enumerate(is_hidden) if h]
    seen: set[int] = set()
    groups = []
    for start in starts:
        if start in seen or not is_hidden[start]:
            continue
        seen.add(start)
        group, stack = [start], [start]
        while stack:
            for r in cells.cell_relations[stack.pop()]:
                for member in cells.relation_members[r]:
                    if is_hidden[member] and member not in seen:
                        seen.add(member)
                        group.append(member)
                        stack.append(member)
        groups.append(np.array(group))
    return groups


def _recoverable_in(cells: IndexedCells, suppressed: np.ndarray, hidden: np.ndarray, component: np.ndarray) -> set[int]:
    local = {int(cell): j for j, cell in enumerate(component)}
    touching = sorted({r for cell in component for r in cells.cell_relations[cell]})
    matrix = np.zeros((len(touching), len(component)))
    for row, r in enumerate(touching):
        for member, sign in zip(cells.relation_cells[r], cells.relation_signs[r]):
            if hidden[member]:
                matrix[row, local[int(member)]] = sign
    zeros = [j for j, cell in enumerate(component)
             if suppressed[cell] and cells.available[cell] and cells.values[cell] == 0]
    pinned = _pinned_zeros(matrix, zeros) if zeros else []
    if pinned:
        matrix = np.vstack([matrix, np.eye(len(component))[pinned]])
    basis = null_space(matrix) if len(matrix) else np.eye(len(component))
    free = np.linalg.norm(basis, axis=1) > _TOLERANCE if basis.size else np.zeros(len(component), dtype=bool)
    return {int(cell) for j, cell in enumerate(component) if suppressed[cell] and not free[j]}


def _pinned_zeros(matrix: np.ndarray, zeros: list[int]) -> list[int]:
    """The suppressed zeros that no feasible move of the hidden cells can raise above 0.

    The true values are a feasible point; a reader can move to the true values plus ``d`` for any
    ``d`` with ``matrix @ d = 0`` that keeps every zero cell at 0 or more (``d_z >= 0``). Those
    ``d`` form a cone, so the programme "maximise the sum of ``t_z`` with ``d_z >= t_z`` and
    ``0 <= t_z <= 1``" gives ``t_z = 1`` to every zero some feasible move can raise, and 0 to the
    zeros that are pinned (which the reader therefore knows are 0). With the pinned zeros fixed, a
    feasible move can be made strictly positive on every other zero, so the remaining question is
    linear again.
    """
    n, k = matrix.shape[1], len(zeros)
    cost = np.concatenate([np.zeros(n), -np.ones(k)])
    upper = np.zeros((k, n + k))  # t_z - d_z <= 0
    for row, j in enumerate(zeros):
        upper[row, j] = -1.0
        upper[row, n + row] = 1.0
    equal = {}
    if len(matrix):
        equal = {"A_eq": np.hstack([matrix, np.zeros((len(matrix), k))]), "b_eq": np.zeros(len(matrix))}
    result = linprog(cost, A_ub=upper, b_ub=np.zeros(k), **equal, bounds=[(None, None)] * n + [(0.0, 1.0)] * k,
                     method="highs")
    if result.status != 0:  # the programme is bounded and d = 0, t = 0 is feasible, so this does not happen
        raise RuntimeError(f"the audit's programme for suppressed zeros failed: {result.message}")
    return [j for row, j in enumerate(zeros) if result.x[n + row] < 0.5]
