"""What a reader can work out about suppressed cells, found independently of CareLens's own audit.

For each suppressed cell, a linear programme finds the least and the greatest value it could take
given everything a reader knows: every relation (total = sum of parts), every published count, and
that counts are never negative. A cell whose least and greatest values are equal is recovered.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from carelens.disclosure import Cells, Suppression


def intervals(cells: Cells, suppression: Suppression) -> dict:
    """(least, greatest) value of each suppressed cell; greatest is inf when unbounded."""
    keys = list(cells.counts)
    position = {key: i for i, key in enumerate(keys)}
    equal = np.zeros((len(cells.relations), len(keys)))
    for row, relation in enumerate(cells.relations):
        equal[row, position[relation.total]] = 1.0
        for part in relation.parts:
            equal[row, position[part]] = -1.0
    bounds = []
    for key in keys:
        value = cells.counts[key]
        hidden = key in suppression.suppressed or value is None
        bounds.append((0.0, None) if hidden else (float(value), float(value)))
    found = {}
    for key in suppression.suppressed:
        objective = np.zeros(len(keys))
        objective[position[key]] = 1.0
        least = linprog(objective, A_eq=equal, b_eq=np.zeros(len(equal)), bounds=bounds, method="highs")
        greatest = linprog(-objective, A_eq=equal, b_eq=np.zeros(len(equal)), bounds=bounds, method="highs")
        assert least.status == 0, least.message
        found[key] = (least.fun, np.inf if greatest.status == 3 else -greatest.fun)
    return found


def recovered(cells: Cells, suppression: Suppression) -> dict:
    """The suppressed cells a reader can work out exactly, with the value they would find."""
    return {key: low for key, (low, high) in intervals(cells, suppression).items() if high - low < 1e-6}
