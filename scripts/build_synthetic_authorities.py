"""Build carelens/synth/data/authorities.csv from DfE published statistics.

Every English authority with its DfE number, ONS code, name, region, children
aged 0-17 (ONS mid-2024) and its published 2024/25 rates relative to England —
the inputs for giving each synthetic authority its own size and demand.

    uv run python scripts/build_synthetic_authorities.py ../shared/benchmarks/dfe

Source: Department for Education and ONS, Open Government Licence v3.0.
"""

import sys
from pathlib import Path

import polars as pl

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/benchmarks/dfe")
pop = (pl.read_csv(src / "ons_mid-year_population_estimates_2012_to_2024.csv", infer_schema_length=0)
       .filter((pl.col("time_period") == "2024") & (pl.col("geographic_level") == "Local authority"))
       .select(la_code=pl.col("old_la_code"), ons_code=pl.col("new_la_code"), name=pl.col("la_name"),
               region=pl.col("region_name"), children=pl.col("population_estimate").cast(pl.Int64)))
lait = pl.read_parquet(src / "lait_bds_long.parquet").filter(pl.col("Years") == "2025")
measures = {"CPP_Total_Rateper10,000": "referrals_per_10k", "CPP_Abuse_Rate": "cp_starts_per_10k",
            "LAC": "cla_per_10k"}
rates = (lait.filter(pl.col("Short Desc").is_in(list(measures)))
         .with_columns(value=pl.col("Values").cast(pl.Float64, strict=False),
                       measure=pl.col("Short Desc").replace(measures)))
england = dict(rates.filter(pl.col("LA and Regions") == "England").select("measure", "value").iter_rows())
la = (rates.filter(pl.col("LA Number").is_not_null())
      .with_columns(la_code=pl.col("LA Number").cast(pl.Int64).cast(pl.Utf8).str.zfill(3))
      .pivot(on="measure", index="la_code", values="value", aggregate_function="first"))
out = pop.join(la, on="la_code", how="left")
for m in measures.values():
    # an authority whose figure is suppressed behaves like England
    out = out.with_columns((pl.col(m) / england[m]).fill_null(1.0).round(3).alias(f"{m.removesuffix('_per_10k')}_ratio"))
out = out.select("la_code", "ons_code", "name", "region", "children", "referrals_ratio", "cp_starts_ratio",
                 "cla_ratio").sort("la_code")
dest = Path(__file__).resolve().parents[1] / "src/carelens/synth/data/authorities.csv"
out.write_csv(dest)
print(f"{len(out)} authorities, {out['children'].sum():,} children -> {dest}")
