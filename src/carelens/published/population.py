"""ONS mid-year estimates of children aged 0 to 17, the denominator of every DfE rate per 10,000."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carelens.published.ees import read_tidy, with_areas
from carelens.published.figures_text import figure_columns
from carelens.published.problems import ProblemLog, missing_columns, report_rows

POPULATION_SCHEMA = {"geography": pl.String, "area_code": pl.String, "year": pl.Int32,
                     "children_0_17": pl.Int64}


def read_population(path: Path, log: ProblemLog) -> pl.DataFrame:
    """Children aged 0–17 by area and mid-year (30 June); suppressed estimates are left out."""
    table = read_tidy(path)
    if not missing_columns(log, table.columns, ("age_group", "population_estimate")):
        return pl.DataFrame(schema=POPULATION_SCHEMA)
    table = with_areas(table, log)
    if table is None:
        return pl.DataFrame(schema=POPULATION_SCHEMA)
    table = table.filter(pl.col("age_group").str.contains(r"(?i)0 to 17"))
    value, status, unreadable = figure_columns(pl.col("population_estimate"))
    table = table.with_columns(value=value, status=status, unreadable=unreadable)
    report_rows(log, table.filter("unreadable"), "population_estimate", "a number or a suppression mark")
    return (table.filter(pl.col("value").is_not_null())
            .select("geography", "area_code", pl.col("time_period").str.slice(0, 4).cast(pl.Int32, strict=False)
                    .alias("year"), pl.col("value").round(0).alias("children_0_17"))
            .cast(POPULATION_SCHEMA).unique(["geography", "area_code", "year"], keep="last")
            .sort("geography", "area_code", "year"))
