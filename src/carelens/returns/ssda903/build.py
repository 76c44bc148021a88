"""The return in memory: every table derived from the store, checked against the specification.

:func:`build_ssda903` derives the tables in the order their derivations depend on each other
(the cohort first; UASC before episodes, which blank a UASC child's home postcode; OC3 before
the header, which lists the care leavers) and returns them in the order of the files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carelens.model.store import Store
from carelens.return_specs.ssda903 import FILES, check_year
from carelens.returns.ssda903.adoption import ad1, placed_for_adoption
from carelens.returns.ssda903.cohort import cohort
from carelens.returns.ssda903.episodes import episodes_table
from carelens.returns.ssda903.header import header
from carelens.returns.ssda903.missing import missing
from carelens.returns.ssda903.oc2 import oc2
from carelens.returns.ssda903.oc3 import oc3
from carelens.returns.ssda903.previous_permanence import previous_permanence
from carelens.returns.ssda903.problems import Ssda903DataError, spec_problems
from carelens.returns.ssda903.reviews import reviews
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.sw_episodes import sw_episodes
from carelens.returns.ssda903.uasc import uasc


@dataclass(frozen=True)
class Ssda903Summary:
    """What :func:`~carelens.returns.ssda903.write_ssda903` wrote."""

    year: int
    la_code: str
    out_dir: Path
    collection_start: dt.date
    collection_end: dt.date
    rows: dict[str, int]  # CSV file name -> data rows written
    children: int  # rows of header.csv
    excluded: dict[str, int]  # records of the store left out by an inclusion rule, by reason
    warnings: tuple[
        str, ...
    ]  # gaps the DfE validation would query (the files are still valid to the spec)
    problems: tuple[str, ...]  # values that break the spec (only when written with strict=False)


def build_ssda903(
    store: Store, year: int, la_code: str | None = None, *, strict: bool = True
) -> tuple[dict[str, pl.DataFrame], Ssda903Summary]:
    """Build the tables of the return in memory (all columns strings, spec order), without writing.

    Returns the frames keyed by CSV file name and a summary whose ``out_dir`` is empty.
    Raises :class:`Ssda903DataError` for data that breaks the spec (with ``strict``), and
    always for sex ``U`` before 2025, which the return cannot express.
    """
    check_year(year)
    la = store.authority(la_code)
    src = Source.load(store, year, la)
    frames = _tables(src)
    problems = spec_problems(year, frames)
    if problems and strict:
        raise Ssda903DataError(
            f"the {year} SSDA903 return for {la} would not meet the DfE specification", problems
        )
    out = {FILES[t][1]: f for t, f in frames.items()}
    summary = Ssda903Summary(
        year=year,
        la_code=la,
        out_dir=Path(),
        collection_start=src.start,
        collection_end=src.end,
        rows={name: f.height for name, f in out.items()},
        children=frames["header"].height,
        excluded=dict(sorted(src.excluded.items())),
        warnings=tuple(src.warnings),
        problems=tuple(problems),
    )
    return out, summary


def _tables(src: Source) -> dict[str, pl.DataFrame]:
    """Every table of the year's return, keyed by table name, in the order of the files."""
    looked_after = cohort(src)
    uasc_table = uasc(src, looked_after)
    episodes = episodes_table(looked_after.episodes, set(uasc_table["CHILD"]))
    oc3_table, care_leavers = oc3(src, looked_after)
    frames = {
        "header": header(src, looked_after, sorted(set(looked_after.children) | care_leavers)),
        "episodes": episodes,
        "uasc": uasc_table,
        "reviews": reviews(src, looked_after),
        "oc2": oc2(src, looked_after),
        "oc3": oc3_table,
        "ad1": ad1(src, looked_after),
        "placed_adoption": placed_for_adoption(src, looked_after),
        "prev_perm": previous_permanence(src, looked_after),
        "missing": missing(src, looked_after),
    }
    if "social_worker" in src.spec:  # 2024 onwards
        frames["social_worker"] = sw_episodes(src, looked_after)
    return {
        name: frame.select([pl.col(c.name).cast(pl.Utf8) for c in src.spec[name]])
        for name, frame in frames.items()
    }
