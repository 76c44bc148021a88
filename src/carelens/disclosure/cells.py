"""The cells of published tables and the sums that tie them together.

Disclosure control needs two things from a report: every count it prints, each under a key, and
every sum a reader can see between them (a row total is the sum of its row, a grand total the sum
of the row totals). A reader who knows some cells and a sum can work out the rest, so the sums are
what secondary suppression has to defend against.

A cell that appears in two tables (the all-children total of a table by age and of a table by sex;
this month's count in two sections) is one cell under one key. That is how tables are linked: the
same key in two relations. A difference a reader can take between two published figures (all
children, and all children except unaccompanied asylum seekers) is a relation too, with the
difference as a cell of its own even if no table prints it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

Key = Hashable
Count = int | None  # None: the figure is not available (the report prints [x])


class _Total:
    """The label of a total row or column in the keys the table builders make."""

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL = _Total()


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts``: a row or column total, a grand total, a breakdown's total."""

    total: Key
    parts: tuple[Key, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))
        if not self.parts:
            raise ValueError(f"the relation for {self.total!r} has no parts")
        keys = (self.total, *self.parts)
        if len(set(keys)) != len(keys):
            raise ValueError(f"the relation for {self.total!r} names a cell twice: {keys!r}")

    @property
    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Cells:
    """Counts under their keys and the relations between them: one table, or several linked."""

    counts: Mapping[Key, Count]
    relations: tuple[Relation, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", dict(self.counts))
        object.__setattr__(self, "relations", tuple(self.relations))
        for relation in self.relations:
            missing = [key for key in relation.cells if key not in self.counts]
            if missing:
                raise ValueError(f"the relation for {relation.total!r} names cells with no count: {missing!r}")

    def renamed(self, keys: Mapping[Key, Key]) -> Cells:
        """The same cells with some keys replaced, e.g. a table's grand total given the key of the
        figure it shares with another table."""
        counts = {keys.get(key, key): value for key, value in self.counts.items()}
        relations = tuple(Relation(keys.get(r.total, r.total), tuple(keys.get(p, p) for p in r.parts))
                          for r in self.relations)
        return Cells(counts, relations)


def linked(*tables: Cells) -> Cells:
    """Several tables as one set of cells: a key in two tables is one cell, so it must have one count."""
    counts: dict[Key, Count] = {}
    relations: list[Relation] = []
    for table in tables:
        for key, value in table.counts.items():
            if key in counts and counts[key] != value:
                raise ValueError(f"cell {key!r} is {counts[key]!r} in one table and {value!r} in another")
            counts[key] = value
        relations.extend(r for r in table.relations if r not in relations)
    return Cells(counts, tuple(relations))


def one_way_table(name: Hashable, counts: Mapping[Hashable, Count], total: Count | None = None,
                  *, total_key: Key | None = None) -> Cells:
    """A breakdown and its total: keys ``(name, category)`` and ``(name, TOTAL)`` (or ``total_key``).

    ``total`` defaults to the sum of the counts (None if any is not available). Pass it when the
    published total is known separately; it must then be the sum of the counts, so a total that
    includes children in no category shown needs that category as a count (e.g. "not recorded"),
    published or not.
    """
    parts = {(name, category): value for category, value in counts.items()}
    key = (name, TOTAL) if total_key is None else total_key
    total = _checked_total(total, list(counts.values()), f"{name!r}")
    return Cells({**parts, key: total}, (Relation(key, tuple(parts)),))


def two_way_table(name: Hashable, counts: Mapping[tuple[Hashable, Hashable], Count],
                  *, grand_total_key: Key | None = None) -> Cells:
    """A table with row totals, column totals and a grand total, computed from ``counts``, whose keys
    are ``(row, column)``.

    Cells are keyed ``(name, row, column)``; totals put :data:`TOTAL` for the row or column, and the
    grand total is ``(name, TOTAL, TOTAL)`` unless ``grand_total_key`` links it to another table's.
    The relations are each row, each column, and the grand total as the sum of the row totals and
    as the sum of the column totals. (Either of the last two follows from the others, but a reader
    takes the short way, and secondary suppression looks at one relation at a time.)
    """
    rows = list(dict.fromkeys(row for row, _ in counts))
    columns = list(dict.fromkeys(column for _, column in counts))
    cells: dict[Key, Count] = {(name, row, column): counts.get((row, column), 0) for row in rows for column in columns}
    relations = []
    for row in rows:
        parts = [(name, row, column) for column in columns]
        cells[(name, row, TOTAL)] = _checked_total(None, [cells[p] for p in parts], f"{name!r} row {row!r}")
        relations.append(Relation((name, row, TOTAL), tuple(parts)))
    for column in columns:
        parts = [(name, row, column) for row in rows]
        cells[(name, TOTAL, column)] = _checked_total(None, [cells[p] for p in parts], f"{name!r} column {column!r}")
        relations.append(Relation((name, TOTAL, column), tuple(parts)))
    grand = (name, TOTAL, TOTAL) if grand_total_key is None else grand_total_key
    row_totals = [(name, row, TOTAL) for row in rows]
    cells[grand] = _checked_total(None, [cells[t] for t in row_totals], f"{name!r}")
    relations.append(Relation(grand, tuple(row_totals)))
    if len(columns) > 1:
        relations.append(Relation(grand, tuple((name, TOTAL, column) for column in columns)))
    return Cells(cells, tuple(relations))


def _checked_total(total: Count, parts: Iterable[Count], where: str) -> Count:
    values = list(parts)
    computed = None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]
    if total is None:
        return computed
    if computed is not None and total != computed:
        raise ValueError(f"the total of {where} is {total} but its parts add up to {computed}")
    return total
