"""The explore-education-statistics "tidy" format that DfE publishes its statistics in: one row per
time period and geography, geography in standard columns, then breakdowns and figures.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carelens.published.areas import ENGLAND, REGION_CODES, REGION_NAMES
from carelens.published.problems import ProblemLog, missing_columns, report_rows

# The standard columns that say when and where; every other column is a breakdown or a figure.
GEOGRAPHY_COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
                     "region_code", "region_name", "old_la_code", "new_la_code", "la_name")
LEVELS = {"national": "england", "regional": "region", "local authority": "la"}


def read_tidy(path: Path) -> pl.DataFrame:
    """All columns as text, with 'row' numbered as a spreadsheet shows it (the header is row 1)."""
    table = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    table = table.rename({name: name.lstrip("\ufeff").strip() for name in table.columns})
    return table.with_row_index("row", offset=2)


def is_geography_column(name: str) -> bool:
    # newer files may carry further standard geography columns (lad_code, pcon_name, …)
    return name in GEOGRAPHY_COLUMNS or name.endswith(("_code", "_name")) and name not in ("la_code",)


def with_areas(table: pl.DataFrame, log: ProblemLog) -> pl.DataFrame | None:
    """Add geography, area_code and area_name; rows of other levels (e.g. local authority district)
    are dropped. None when the columns needed are missing (recorded in ``log``)."""
    if not missing_columns(log, table.columns, ("time_period", "geographic_level")):
        return None
    level = pl.col("geographic_level").str.strip_chars().str.to_lowercase()
    table = table.with_columns(geography=level.replace_strict(LEVELS, default=None))
    present = set(table["geography"].drop_nulls().unique().to_list())
    if "la" in present and not missing_columns(log, table.columns, ("old_la_code",)):
        return None
    if "region" in present and "region_code" not in table.columns and "region_name" not in table.columns:
        missing_columns(log, table.columns, ("region_code",))
        return None
    table = table.with_columns(pl.lit(None, pl.String).alias(name) for name in GEOGRAPHY_COLUMNS
                               if name not in table.columns)
    old_code = pl.col("old_la_code").str.strip_chars()
    named_region = pl.col("region_name").str.strip_chars().str.to_lowercase().replace_strict(
        REGION_CODES, default=None)
    region = pl.coalesce(pl.col("region_code").str.strip_chars().replace("", None), named_region)
    # Authorities sharing one service publish one row for both ('940 / 941', North and West
    # Northamptonshire's workforce): kept as a group, never mistaken for either authority.
    is_group = (pl.col("geography") == "la") & old_code.fill_null("").str.contains(r"^\d{3}(?:\s*/\s*\d{3})+$")
    table = table.with_columns(geography=pl.when(is_group).then(pl.lit("la_group")).otherwise("geography"))
    table = table.with_columns(
        area_code=pl.when(pl.col("geography") == "england").then(pl.lit(ENGLAND))
        .when(pl.col("geography") == "la_group").then(old_code.str.replace_all(r"\s", ""))
        .when(pl.col("geography") == "region").then(region)
        .when(pl.col("geography") == "la").then(old_code.str.zfill(3))
        .otherwise(None),
    )
    table = table.with_columns(
        area_name=pl.when(pl.col("geography") == "england").then(pl.lit("England"))
        .when(pl.col("geography") == "region").then(
            pl.coalesce(pl.col("region_name").str.strip_chars(),
                        pl.col("area_code").replace_strict(REGION_NAMES, default=None)))
        .otherwise(pl.col("la_name").str.strip_chars()),
    )
    bad_la = table.filter((pl.col("geography") == "la") & ~old_code.fill_null("").str.contains(r"^\d{3}$"))
    report_rows(log, bad_la, "old_la_code", "the authority's 3-digit DfE code")
    bad_region = table.filter((pl.col("geography") == "region") & pl.col("area_code").is_null())
    report_rows(log, bad_region, "region_code", "the region's ONS code (E12…) or a region name")
    bad_period = table.filter(~pl.col("time_period").fill_null("").str.strip_chars().str.contains(r"^\d{4}(\d{2})?$"))
    report_rows(log, bad_period, "time_period", "a year such as 2025 or 202425")
    return table.filter(pl.col("geography").is_not_null())
