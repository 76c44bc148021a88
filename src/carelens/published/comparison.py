"""One authority beside the others: for each published measure and year, its own figure, England, its
region, its statistical neighbours' median and mean, its quartile band among all authorities, and
the ratio of its figure to the neighbour median.

Rules (written out in docs/benchmark-comparisons.md):

- Neighbours without a figure that year (suppressed, not collected, or an authority that did not
  exist yet) are left out of the median and mean, and listed with the reason.
- Quartile bands follow DfE's LAIT: cut points are R's ``quantile()`` (type 7, linear
  interpolation) of every authority's figure that year; the lower quarter runs up to and including
  the first cut, the next up to and including the median, and so on. For a measure where a low
  figure is better, the lowest quarter is band A; where high is better, the highest quarter is A.
  A figure exactly on a cut belongs to the quarter below it on the number line (LAIT's rule), so
  for a high-is-better measure a figure equal to the upper cut is B, not A.
- A measure with no better direction gets a quarter by value, Q1 (lowest) to Q4 (highest): where
  it sits, not a judgement. A measure DfE marks "no quartile" gets no band.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from carelens.published.figures_text import SUPPRESSION_MARKS

NEIGHBOUR_MODELS = ("2025", "2021")
# DfE published the 2025 model in May 2025, after the figures for the year ending March 2024 came out.
FIRST_YEAR_OF_2025_MODEL = 2025

RESULT_SCHEMA = {
    "measure_id": pl.String, "title": pl.String, "unit": pl.String, "polarity": pl.String,
    "year": pl.String, "year_ending": pl.Int64, "la_code": pl.String, "la_name": pl.String,
    "value": pl.Float64, "status": pl.String, "england": pl.Float64, "region": pl.Float64,
    "region_name": pl.String, "neighbour_model": pl.String, "sn_median": pl.Float64, "sn_mean": pl.Float64,
    "sn_used": pl.Int64, "sn_total": pl.Int64, "sn_missing": pl.String, "authorities_ranked": pl.Int64,
    "lower_cut": pl.Float64, "median_cut": pl.Float64, "upper_cut": pl.Float64, "quartile_band": pl.String,
    "ratio_to_sn_median": pl.Float64,
}


class BenchmarkError(ValueError):
    """A request the published figures cannot answer (unknown year, measure or model): say what is known."""


def neighbour_model_for(year_ending: int | None) -> str:
    """The statistical-neighbour model in force when that year's figures were published: 2021's for
    years ending up to March 2024, 2025's from then on (and when the year is unknown)."""
    return "2025" if year_ending is None or year_ending >= FIRST_YEAR_OF_2025_MODEL else "2021"


# ------------------------------------------------------------------------------------- statistics
@dataclass(frozen=True)
class NeighbourFigures:
    """The neighbours' figures for one measure and year: who had one and who did not, and why."""

    values: dict[str, float]  # neighbour code -> figure, for neighbours with one
    missing: dict[str, str]  # neighbour code -> why there is no figure

    @property
    def median(self) -> float | None:
        return statistics.median(self.values.values()) if self.values else None

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.values.values()) if self.values else None

    @property
    def used(self) -> int:
        return len(self.values)


def neighbour_figures(neighbours: Sequence[str], figures: dict[str, tuple[float | None, str]]) -> NeighbourFigures:
    """Split ``neighbours`` into those with a figure and those without (``figures``: code -> (value,
    status)); a neighbour with no row at all has "no figure"."""
    values, missing = {}, {}
    for code in neighbours:
        value, status = figures.get(code, (None, "no figure"))
        if value is None or (isinstance(value, float) and math.isnan(value)):
            missing[code] = status or "no figure"
        else:
            values[code] = float(value)
    return NeighbourFigures(values, missing)


def quartile_cuts(values: Iterable[float]) -> tuple[float, float, float] | None:
    """Lower quartile, median and upper quartile of every authority's figure, interpolated as R's
    ``quantile()`` does by default (type 7), which LAIT uses; None without figures."""
    data = [v for v in values if v is not None and not math.isnan(v)]
    if not data:
        return None
    q1, q2, q3 = np.quantile(np.asarray(data, dtype=float), [0.25, 0.5, 0.75], method="linear")
    return float(q1), float(q2), float(q3)


def quarter(value: float, cuts: tuple[float, float, float]) -> int:
    """1 to 4: the quarter of the number line a figure falls in; a figure on a cut is in the lower quarter."""
    return 1 + sum(value > cut for cut in cuts)


def quartile_band(value: float | None, cuts: tuple[float, float, float] | None, polarity: str,
                  quartiles: bool = True) -> str | None:
    """A (best quarter) to D for a measure with a better direction, Q1 (lowest) to Q4 for one without;
    None when there is no figure, no cut points, or DfE gives the measure no quartiles."""
    if value is None or cuts is None or not quartiles or math.isnan(value):
        return None
    q = quarter(value, cuts)
    if polarity == "low":
        return "ABCD"[q - 1]
    if polarity == "high":
        return "DCBA"[q - 1]
    return f"Q{q}"


def ratio(value: float | None, median: float | None) -> float | None:
    """``value`` / ``median`` (the ratio table's "ratio"); None when either is missing or the median is 0."""
    if value is None or median is None or median == 0:
        return None
    return value / median


BAND_MEANING = {"A": "best quarter", "B": "second quarter", "C": "third quarter", "D": "worst quarter",
                "Q1": "lowest quarter (not a judgement)", "Q2": "second-lowest quarter (not a judgement)",
                "Q3": "second-highest quarter (not a judgement)", "Q4": "highest quarter (not a judgement)"}


def compared_with_neighbours(value: float | None, median: float | None, polarity: str) -> str:
    """Plain words for a figure against the neighbour median, with the measure's polarity."""
    r = ratio(value, median)
    if r is None:
        return ""
    if abs(r - 1) < 0.05:
        return "in line with neighbours"
    side = "higher" if r > 1 else "lower"
    if polarity == "neutral":
        return f"{side} than neighbours"
    better = (r > 1) == (polarity == "high")
    return f"{side} than neighbours ({'better' if better else 'worse'})"


def missing_reason(status: str | None) -> str:
    """Why a figure is absent, in words: the DfE mark and its meaning."""
    if not status or status == "no figure":
        return "no figure"
    meaning = SUPPRESSION_MARKS.get(status)
    return f"'{status}': {meaning}" if meaning else status


# ------------------------------------------------------------------------------------------- years
_FINANCIAL = re.compile(r"^(\d{4})-(\d{2})$")


def year_ending_of(label: str) -> int | None:
    """The calendar year a year label ends in: 2018 for '2017-18' and for '2018'."""
    text = label.strip()
    if m := _FINANCIAL.match(text):
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 == end:
            return start + 1
        return None
    return int(text) if text.isdigit() and len(text) == 4 else None


def matches_year(year: str, year_ending: int | None, asked: str) -> bool:
    """Whether a figure's year answers a request for ``asked``: the same label, or, for a
    financial year such as '2017-18', a single-year label ending in the same year (a census in
    2018, such as the workforce census of September 2018)."""
    if year == asked:
        return True
    ending = year_ending_of(asked)
    return bool(_FINANCIAL.match(asked)) and ending is not None and year == str(ending) and year_ending == ending


# ------------------------------------------------------------------------------------ benchmarking
def _authority(data, la_code: str) -> dict:
    rows = data.authorities.filter(pl.col("la_code") == la_code)
    if rows.is_empty():
        raise BenchmarkError(f"authority {la_code} is not in the published figures")
    return rows.row(0, named=True)


def available_years(data, measure_ids: Sequence[str] | None = None) -> list[str]:
    """Every year label with a figure for these measures, oldest first."""
    figures = data.figures(measure_ids=list(measure_ids) if measure_ids else None)
    years = figures.select("year", "year_ending").unique()
    return [r["year"] for r in years.sort("year_ending", "year", nulls_last=True).iter_rows(named=True)]


def benchmark(data, la_code: str, measure_ids: Sequence[str] | None = None, years: Sequence[str] | None = None,
              model: str | None = None) -> pl.DataFrame:
    """For each measure (default: all) and published year (default: all), the authority's figure
    beside England, its region, its statistical neighbours and all authorities.

    ``data`` is a :class:`carelens.published.figures_file.PublishedData`. ``model`` chooses the
    statistical-neighbour model ('2025' or '2021'); by default the one in force when each year's
    figures were published (see :func:`neighbour_model_for`).
    """
    if model is not None and model not in NEIGHBOUR_MODELS:
        raise BenchmarkError(f"neighbour model {model!r}: expected one of {', '.join(NEIGHBOUR_MODELS)}")
    me = _authority(data, la_code)
    measures = data.measures
    if measure_ids is not None:
        unknown = sorted(set(measure_ids) - set(measures["measure_id"]))
        if unknown:
            raise BenchmarkError(f"no published measure {', '.join(unknown)}")
        measures = measures.filter(pl.col("measure_id").is_in(list(measure_ids)))
    figures = data.figures(measure_ids=measures["measure_id"].to_list())
    if years:
        labels = [r["year"] for r in figures.select("year", "year_ending").unique().iter_rows(named=True)
                  if any(matches_year(r["year"], r["year_ending"], asked) for asked in years)]
        figures = figures.filter(pl.col("year").is_in(labels))
    names = dict(zip(data.authorities["la_code"], data.authorities["name"], strict=False))
    neighbour_lists = {m: _neighbours_of(data, m, la_code) for m in NEIGHBOUR_MODELS}
    by_measure = {r["measure_id"]: r for r in measures.iter_rows(named=True)}
    region_keys = {k for k in (me.get("region_code"), me.get("region_name"), me.get("lait_region")) if k}

    rows = []
    for (measure_id, year), group in figures.group_by(["measure_id", "year"], maintain_order=True):
        m = by_measure[measure_id]
        year_ending = group["year_ending"].drop_nulls().first() if group["year_ending"].drop_nulls().len() else None
        las = group.filter(pl.col("geography") == "la")
        la_figures = {r["area_code"]: (r["value"], r["status"]) for r in las.iter_rows(named=True)}
        own_value, own_status = la_figures.get(la_code, (None, "no figure"))
        chosen = model or neighbour_model_for(year_ending)
        nf = neighbour_figures(neighbour_lists[chosen], la_figures)
        cuts = quartile_cuts(v for v, _ in la_figures.values() if v is not None)
        polarity = m["polarity"] or "neutral"
        rows.append({
            "measure_id": measure_id, "title": m["title"] or m["name"], "unit": m["unit"], "polarity": polarity,
            "year": year, "year_ending": year_ending, "la_code": la_code, "la_name": me["name"],
            "value": own_value, "status": own_status,
            "england": _single(group.filter(pl.col("geography") == "england")),
            "region": _single(group.filter((pl.col("geography") == "region")
                                           & (pl.col("area_code").is_in(list(region_keys))
                                              | pl.col("area_name").is_in(list(region_keys))))),
            "region_name": me.get("region_name"), "neighbour_model": chosen,
            "sn_median": nf.median, "sn_mean": nf.mean, "sn_used": nf.used,
            "sn_total": len(neighbour_lists[chosen]),
            "sn_missing": "; ".join(f"{names.get(c, c)} ({missing_reason(s)})" for c, s in nf.missing.items()),
            "authorities_ranked": sum(v is not None for v, _ in la_figures.values()),
            "lower_cut": cuts[0] if cuts else None, "median_cut": cuts[1] if cuts else None,
            "upper_cut": cuts[2] if cuts else None,
            "quartile_band": quartile_band(own_value, cuts, polarity, bool(m["quartiles"])),
            "ratio_to_sn_median": ratio(own_value, nf.median),
        })
    out = pl.DataFrame(rows, schema=RESULT_SCHEMA)
    return out.sort("measure_id", "year_ending", "year", nulls_last=True)


def _neighbours_of(data, model: str, la_code: str) -> list[str]:
    """The authority's neighbours in rank order (none when the model does not list it)."""
    n = data.neighbours(model).filter(pl.col("la_code") == la_code).sort("rank")
    return n["neighbour_code"].to_list()


def _single(rows: pl.DataFrame) -> float | None:
    values = rows["value"].drop_nulls()
    return float(values[0]) if values.len() else None
