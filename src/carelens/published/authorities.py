"""Every authority any source names, under both code systems, with the years it has figures for.

Codes are kept even when an authority no longer exists (Northamptonshire 928, Bournemouth 837 …),
so old figures stay readable; ``first_year`` and ``last_year`` say when each has published figures.
"""

from __future__ import annotations

import polars as pl

from carelens.published.areas import REGION_NAMES, region_code

AUTHORITIES_SCHEMA = {"la_code": pl.String, "gss_code": pl.String, "name": pl.String, "region_code": pl.String,
                      "region_name": pl.String, "lait_region": pl.String, "first_year": pl.Int32,
                      "last_year": pl.Int32}


def merge_authorities(from_statistics: pl.DataFrame, from_lait: pl.DataFrame, from_neighbours: pl.DataFrame,
                      figures: pl.DataFrame) -> pl.DataFrame:
    """One row per 3-digit code.

    The statistics files' latest row gives the ONS code, name and region (names and codes change:
    Gateshead's ONS code did in 2014); LAIT gives its London split; neighbour files fill gaps.
    """
    latest = (from_statistics.filter(pl.col("la_code").is_not_null())
              .sort("year_ending", nulls_last=False)
              .group_by("la_code").agg(
                  pl.col("gss_code").drop_nulls().last(), pl.col("name").drop_nulls().last(),
                  pl.col("region_code").drop_nulls().last(), pl.col("region_name").drop_nulls().last()))
    codes = pl.concat([frame.select("la_code") for frame in (latest, from_lait, from_neighbours)
                       if frame.height]).unique()
    lait = from_lait.select("la_code", pl.col("name").alias("lait_name"), "lait_region") if from_lait.height \
        else pl.DataFrame(schema={"la_code": pl.String, "lait_name": pl.String, "lait_region": pl.String})
    named = from_neighbours.unique("la_code", keep="first").select(
        "la_code", pl.col("name").alias("sn_name"), pl.col("region_name").alias("sn_region"))
    years = (figures.filter((pl.col("geography") == "la") & pl.col("value").is_not_null())
             .group_by(pl.col("area_code").alias("la_code"))
             .agg(pl.col("year_ending").min().alias("first_year"), pl.col("year_ending").max().alias("last_year")))
    table = (codes.join(latest, on="la_code", how="left").join(lait, on="la_code", how="left")
             .join(named, on="la_code", how="left").join(years, on="la_code", how="left"))
    table = table.with_columns(
        name=pl.coalesce("name", "lait_name", "sn_name"),
        region_code=pl.coalesce(
            "region_code",
            pl.col("sn_region").map_elements(region_code, return_dtype=pl.String),
            pl.col("lait_region").map_elements(_region_of_lait, return_dtype=pl.String)),
    )
    table = table.with_columns(
        region_name=pl.coalesce(pl.col("region_code").replace_strict(REGION_NAMES, default=None),
                                "region_name"))
    return table.select(list(AUTHORITIES_SCHEMA)).cast(AUTHORITIES_SCHEMA).sort("la_code")


def _region_of_lait(name: str | None) -> str | None:
    # LAIT splits London; the region of an Inner or Outer London borough is London
    code = region_code(name)
    return "E12000007" if code in ("E13000001", "E13000002") else code
