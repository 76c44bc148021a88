"""A child's characteristics gathered from every list they appear in, into ``person`` and ``disabilities``.

Every list gives the child's gender, ethnicity and (mostly) date of birth; :func:`note_person` notes
each row's values, and :func:`people_frames` keeps one per child, a problem when two lists disagree
(a weak value, such as "not known", gives way to a known one). Disability "No" in every list is
stored as NONE; "Yes" names no CIN disability code, so is counted in the notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from carelens.ingest.annex_a.cells import Reading, cell_value, source_of
from carelens.ingest.annex_a.store_frames import store_frame
from carelens.ingest.annex_a.workbook import ListRows


@dataclass
class Person:
    """One child as the lists describe them: each value given, with the first (sheet, row) that gave it."""

    child_id: str
    source_file: str
    source_row: int
    sex: dict = field(default_factory=dict)  # value → first (sheet, row)
    ethnicity: dict = field(default_factory=dict)
    dob: dict = field(default_factory=dict)
    age: int | None = None
    disability: dict = field(default_factory=dict)  # "Y"/"N" → first (source_file, row)
    uasc: set = field(default_factory=set)


def note_person(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                 year: int) -> str | None:
    child = cell_value(ctx, lst, row, values, "child_id")
    if child is None:
        return None
    if child.endswith(".0") and child[:-2].isdigit():
        child = child[:-2]
    p = people.get(child)
    if p is None:
        p = people[child] = Person(child, source_of(ctx, lst), row)
    where = (lst.sheet, row)
    sex = cell_value(ctx, lst, row, values, "gender", year)
    if sex:
        p.sex.setdefault(sex, where)
    eth = cell_value(ctx, lst, row, values, "ethnicity", year)
    if eth:
        p.ethnicity.setdefault(eth, where)
    if "dob" in lst.columns:
        dob = cell_value(ctx, lst, row, values, "dob")
        if dob:
            p.dob.setdefault(dob, where)
    if "age" in lst.columns:
        age = cell_value(ctx, lst, row, values, "age")
        if age is not None:
            p.age = age
    if "disability" in lst.columns:
        d = cell_value(ctx, lst, row, values, "disability")
        if d is not None:
            p.disability.setdefault(d, (source_of(ctx, lst), row))
    if "uasc" in lst.columns:
        u = cell_value(ctx, lst, row, values, "uasc")
        if u is not None:
            p.uasc.add(u)
    return child


def _one(ctx: Reading, p: Person, field_name: str, header: str, weak: set) -> object:
    seen = getattr(p, field_name)
    strong = {v: w for v, w in seen.items() if v not in weak}
    pool = strong or seen
    if len(pool) > 1:
        values = list(pool.items())
        (v1, (s1, r1)), (v2, (s2, r2)) = values[0], values[1]
        show = (lambda v: f"{v:%d/%m/%Y}") if isinstance(v1, dt.date) else str
        ctx.log.add(f"sheet {s2} row {r2}", header, show(v2),
                    f"the same {header} for child {p.child_id} in every list (sheet {s1} row {r1} says {show(v1)})")
    return next(iter(pool), None)


def people_frames(ctx: Reading, people: dict[str, Person]) -> dict[str, pl.DataFrame]:
    rows, disabilities = [], []
    for p in people.values():
        sex = _one(ctx, p, "sex", "Gender", {"U"})
        eth = _one(ctx, p, "ethnicity", "Ethnicity", {"NOBT", "REFU"})
        dob = _one(ctx, p, "dob", "Date of Birth", set())
        if dob is None:
            sheet, row = p.source_file.split("#", 1)[1], p.source_row
            ctx.log.add(f"sheet {sheet} row {row}", "Date of Birth", None,
                        f"a date of birth for child {p.child_id} in at least one list")
        unborn = (dob > ctx.period_end) if (dob and ctx.period_end) else None
        rows.append({"child_id": p.child_id, "sex": sex, "date_of_birth": dob, "unborn": unborn,
                     "ethnicity": eth, "uasc": "Y" in p.uasc, "la_code": ctx.la_code,
                     "source_file": p.source_file, "source_year": None, "source_row": p.source_row})
        if set(p.disability) == {"N"}:
            file, row = p.disability["N"]
            disabilities.append({"child_id": p.child_id, "disability": "NONE", "la_code": ctx.la_code,
                                 "source_file": file, "source_year": None, "source_row": row})
        elif "Y" in p.disability:
            ctx.notes["Disability 'Yes' (Annex A does not say which disability, so no CIN disability code "
                      "is stored)"] += 1
    return {
        "person": store_frame("person", rows, ["child_id", "sex", "date_of_birth", "unborn", "ethnicity", "uasc"]),
        "disabilities": store_frame("disabilities", disabilities, ["child_id", "disability"]),
    }

