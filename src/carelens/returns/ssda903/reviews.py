"""Reviews (``reviews.csv``): statutory reviews held in the year, inside a period of care, of
children looked after in the year other than only on short breaks."""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.cohort import Cohort
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import fmt_date


def _in_a_period(
    cohort: Cohort, child_col: str, date_col: str, frame: pl.DataFrame
) -> pl.Series:
    """For each row of ``frame``: does its date fall inside one of the child's periods of care?"""
    periods = (
        cohort.all_episodes.group_by("child_id", "period_id")
        .agg(
            pl.col("start_date").min().alias("p_start"),
            pl.col("end_date").max().alias("p_end"),
            (pl.col("end_date").null_count() > 0).alias("open"),
        )
        .with_columns(p_end=pl.when(pl.col("open")).then(None).otherwise(pl.col("p_end")))
    )
    j = frame.with_row_index("_i").join(
        periods, left_on=child_col, right_on="child_id", how="left"
    )
    inside = j.with_columns(
        inside=(pl.col(date_col) >= pl.col("p_start"))
        & (pl.col("p_end").is_null() | (pl.col(date_col) <= pl.col("p_end")))
    )
    ok = set(inside.filter(pl.col("inside").fill_null(False))["_i"])
    return pl.Series([i in ok for i in range(frame.height)])


def reviews(src: Source, cohort: Cohort) -> pl.DataFrame:
    rv = src.tables["looked_after_reviews"].filter(
        pl.col("child_id").is_in(cohort.not_short)
        & pl.col("review_date").is_between(src.start, src.end)
    )
    inside = (
        _in_a_period(cohort, "child_id", "review_date", rv)
        if rv.height
        else pl.Series([], dtype=pl.Boolean)
    )
    src.exclude("reviews held in the year but outside a period of care", int((~inside).sum()))
    rv = rv.filter(inside).sort(["child_id", "review_date"])
    return src.frame(
        [
            {
                "CHILD": r["child_id"],
                "DOB": fmt_date(src.dob(r["child_id"])),
                "REVIEW": fmt_date(r["review_date"]),
                "REVIEW_CODE": r["participation"],
            }
            for r in rv.iter_rows(named=True)
        ],
        "reviews",
    )
