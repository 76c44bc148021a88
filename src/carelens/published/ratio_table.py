"""The ratio table (catalogue C17, council report §5.5.3): six rates per 10,000 children along the child
protection path — this authority against its statistical neighbours' median, and the ratio.

    Per 10k rate   Blackpool   Similar LA median   Ratio
    Referrals         1247            662            1.9
    …

From published figures for any authority and year, or for a synthetic authority from its computed
financial-year values against the published median of the real authority it imitates.
"""

from __future__ import annotations

import polars as pl

from carelens.published.comparison import BenchmarkError, benchmark, ratio
from carelens.indicators.api import definition as indicator

# (row label, catalogue indicator): each indicator names its DfE measure (dfe_short).
RATIO_ROWS = (
    ("Referrals", "B4"),
    ("s47 enquiries", "C3"),
    ("ICPCs", "C6c"),
    ("CP plans starting", "C9"),
    ("CP plans ending", "C10"),
    ("Children on CP plans", "C8"),
)

SCHEMA = {"row": pl.String, "indicator": pl.String, "measure_id": pl.String, "year": pl.String,
          "la_value": pl.Float64, "sn_median": pl.Float64, "ratio": pl.Float64, "sn_used": pl.Int64,
          "sn_total": pl.Int64, "sn_missing": pl.String, "england": pl.Float64, "neighbours_of": pl.String,
          "neighbour_model": pl.String}


def ratio_measures() -> dict[str, str]:
    """Catalogue indicator id -> the LAIT measure it is benchmarked against, for the table's rows."""
    return {ind_id: indicator(ind_id).dfe_short for _, ind_id in RATIO_ROWS}


def published_ratio_table(data, la_code: str, year: str, model: str | None = None,
                          computed: dict[str, float | None] | None = None) -> pl.DataFrame:
    """The table for ``la_code`` in a published ``year`` (e.g. '2017-18').

    With ``computed`` (indicator id -> our value), the authority's column holds those values instead of
    its published figures, still against ``la_code``'s neighbours: how a synthetic authority, or a
    council's own recent year, compares with the neighbours of the real authority.
    """
    measures = ratio_measures()
    bench = benchmark(data, la_code, list(measures.values()), [year], model)
    if bench.is_empty():
        raise BenchmarkError(f"no published ratio-table figures for {year}")
    by_measure = {r["measure_id"]: r for r in bench.iter_rows(named=True)}
    rows = []
    for label, ind_id in RATIO_ROWS:
        b = by_measure.get(measures[ind_id], {})
        value = (computed or {}).get(ind_id) if computed is not None else b.get("value")
        rows.append({"row": label, "indicator": ind_id, "measure_id": measures[ind_id], "year": year,
                     "la_value": value, "sn_median": b.get("sn_median"), "ratio": ratio(value, b.get("sn_median")),
                     "sn_used": b.get("sn_used"), "sn_total": b.get("sn_total"), "sn_missing": b.get("sn_missing"),
                     "england": b.get("england"), "neighbours_of": la_code,
                     "neighbour_model": b.get("neighbour_model")})
    return pl.DataFrame(rows, schema=SCHEMA)


def latest_published_year(data, la_code: str) -> str:
    """The newest year with all six ratio-table figures for the authority's neighbours to compare with."""
    figures = data.figures(measure_ids=list(ratio_measures().values()))
    figures = figures.filter((pl.col("geography") == "la") & pl.col("value").is_not_null())
    counts = figures.group_by("year", "year_ending").agg(pl.col("measure_id").n_unique().alias("n"))
    full = counts.filter(pl.col("n") == len(RATIO_ROWS)).sort("year_ending", nulls_last=False)
    if full.is_empty():
        raise BenchmarkError("no year has all six ratio-table figures published")
    return full["year"][-1]
