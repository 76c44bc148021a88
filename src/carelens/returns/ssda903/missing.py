"""Missing (``missing.csv``): missing and away-without-authorisation spells, open at some time
in the year, of children looked after in the year."""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.cohort import Cohort
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import fmt_date


def missing(src: Source, cohort: Cohort) -> pl.DataFrame:
    ms = (
        src.tables["missing_episodes"]
        .filter(
            pl.col("child_id").is_in(cohort.children)
            & (pl.col("start_date") <= src.end)
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= src.start))
        )
        .sort(["child_id", "start_date"])
    )
    return src.frame(
        [
            {
                "CHILD": r["child_id"],
                "DOB": fmt_date(src.dob(r["child_id"])),
                "MISSING": r["missing_type"],
                "MIS_START": fmt_date(r["start_date"]),
                # as at 31 March: a spell that ended later is still open
                "MIS_END": fmt_date(r["end_date"])
                if r["end_date"] and r["end_date"] <= src.end
                else None,
            }
            for r in ms.iter_rows(named=True)
        ],
        "missing",
    )
