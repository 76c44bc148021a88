"""Cells and relations numbered, for the arithmetic of suppression and its audit.

Keys can be anything hashable; the algorithms want positions. A relation becomes a row of
coefficients: +1 for its total, -1 for each part, so that a row times the cells' true values is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from carelens.disclosure.cells import Count, Key, Relation


@dataclass
class IndexedCells:
    keys: list[Key]
    position: dict[Key, int]
    values: np.ndarray  # int64; 0 where not available
    available: np.ndarray  # bool
    relation_cells: list[np.ndarray]  # the cells of each relation, total first
    relation_signs: list[np.ndarray]  # +1 for the total, -1 for each part
    relation_members: list[list[int]]  # relation_cells as lists, for walks cell by cell
    cell_relations: list[list[int]]  # the relations each cell is in
    is_total: np.ndarray  # bool: the cell is the total of some relation

    @classmethod
    def of(cls, counts: Mapping[Key, Count], relations: Iterable[Relation]) -> IndexedCells:
        keys = list(counts)
        position = {key: i for i, key in enumerate(keys)}
        raw = [counts[key] for key in keys]
        for key, value in zip(keys, raw):
            if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0):
                raise ValueError(f"cell {key!r} is {value!r}: a count must be a whole number, 0 or more, or None")
        values = np.array([0 if v is None else int(v) for v in raw], dtype=np.int64)
        available = np.array([v is not None for v in raw], dtype=bool)
        relation_cells, relation_signs = [], []
        cell_relations: list[list[int]] = [[] for _ in keys]
        is_total = np.zeros(len(keys), dtype=bool)
        for r, relation in enumerate(dict.fromkeys(relations)):
            missing = [key for key in relation.cells if key not in position]
            if missing:
                raise ValueError(f"the relation for {relation.total!r} names cells with no count: {missing!r}")
            members = np.array([position[key] for key in relation.cells], dtype=np.int64)
            if available[members].all() and values[members[0]] != values[members[1:]].sum():
                raise ValueError(f"the relation for {relation.total!r} does not hold: the total is "
                                 f"{values[members[0]]} but its parts add up to {values[members[1:]].sum()}")
            relation_cells.append(members)
            relation_signs.append(np.array([1.0] + [-1.0] * len(relation.parts)))
            for cell in members:
                cell_relations[cell].append(r)
            is_total[members[0]] = True
        members_lists = [members.tolist() for members in relation_cells]
        return cls(keys, position, values, available, relation_cells, relation_signs, members_lists, cell_relations,
                   is_total)

    def __len__(self) -> int:
        return len(self.keys)
