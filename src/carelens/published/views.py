"""What `carelens benchmark` shows, each view a frame and its title: an authority against its statistical
neighbours, region and England; the ratio table of report §5.5.3; and values computed from a store beside
the published ones (a synthetic authority against the real authority it imitates).

The command line only chooses a view and prints it; the report and the web app can show the same frames.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from carelens.indicators.api import SelectionError, definitions, latest_month_end
from carelens.indicators.api import definition as indicator
from carelens.model.store import Store
from carelens.published.comparison import (
    BAND_MEANING,
    BenchmarkError,
    available_years,
    benchmark,
    compared_with_neighbours,
    matches_year,
    year_ending_of,
)
from carelens.published.computed_vs_published import computed_financial_years, computed_vs_published
from carelens.published.ratio_table import RATIO_ROWS, latest_published_year, published_ratio_table, ratio_measures
from carelens.synth import ProfileError, load_profile


def with_dfe_measure(indicator_ids: list[str] | None):
    """Catalogue indicators with a DfE measure: those asked for, or all; unknown ids are errors."""

    if not indicator_ids:
        return [i for i in definitions() if i.dfe_short]
    chosen = []
    for ind_id in indicator_ids:
        try:
            ind = indicator(ind_id)
        except SelectionError:
            raise BenchmarkError(f"no indicator {ind_id!r} in the catalogue (see docs/indicators)") from None
        if not ind.dfe_short:
            with_dfe = ", ".join(i.id for i in definitions() if i.dfe_short)
            raise BenchmarkError(f"indicator {ind.id} has no DfE equivalent to benchmark; these do: {with_dfe}")
        chosen.append(ind)
    return chosen


def check_year(data, year: str | None, measure_ids: list[str]) -> None:

    if year is None:
        return
    years = available_years(data, measure_ids)
    figures = data.figures(measure_ids=measure_ids).select("year", "year_ending").unique()
    if not any(matches_year(r["year"], r["year_ending"], year) for r in figures.iter_rows(named=True)):
        raise BenchmarkError(f"no published figures for {year!r}; published years: {', '.join(years)}")


def against_neighbours(data, me, year: str | None, indicator_ids: list[str] | None, model: str | None):


    inds = with_dfe_measure(indicator_ids)
    measure_ids = sorted({i.dfe_short for i in inds})
    check_year(data, year, measure_ids)
    bench = benchmark(data, me.la_code, measure_ids, [year] if year else None, model)
    by_measure = {i.dfe_short: i for i in inds}
    order = {i.id: n for n, i in enumerate(inds)}
    frame = bench.with_columns(
        pl.col("measure_id").replace_strict({m: i.id for m, i in by_measure.items()}).alias("indicator"),
        pl.col("measure_id").replace_strict({m: i.title for m, i in by_measure.items()}).alias("indicator_title"),
        pl.struct("value", "sn_median", "polarity").map_elements(
            lambda r: compared_with_neighbours(r["value"], r["sn_median"], r["polarity"]),
            return_dtype=pl.String).alias("compared_with_neighbours"),
        pl.col("quartile_band").replace_strict(BAND_MEANING, default=None).alias("band_meaning"),
    )
    frame = frame.with_columns(pl.col("indicator").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
    frame = frame.sort("_order", "year_ending", "year").drop("_order")
    first = ["indicator", "indicator_title"]
    frame = frame.select(*first, *(c for c in frame.columns if c not in first))
    when = year or "every published year"
    return frame, f"{me.name} ({me.la_code}) against statistical neighbours, region and England — {when}"


def ratio_table_of(data, me, year: str | None, model: str | None):

    check_year(data, year, list(ratio_measures().values()))
    year = year or latest_published_year(data, me.la_code)
    frame = published_ratio_table(data, me.la_code, year, model)
    return frame, f"Ratio table, {year}: {me.name} per 10,000 children against its statistical neighbours' median"


def computed_from_store(data, store_path: Path, la: str | None, against: str | None, year: str | None,
                indicator_ids: list[str] | None, model: str | None, ratio_table: bool):
    """Computed values from a store beside the published ones of the authority it is (or imitates)."""


    if not store_path.exists():
        raise BenchmarkError(f"no store at {store_path}: create one with `carelens synth` or `carelens demo`")
    with Store(store_path, read_only=True) as store:
        if store.is_empty():
            raise BenchmarkError(f"{store_path}: the store is empty (no children): load returns into it with "
                                 "`carelens ingest`")
        code = data.find_authority(la).la_code if la else None
        try:
            la_code = store.authority(code)
        except ValueError as e:
            raise BenchmarkError(str(e)) from None
        real = data.find_authority(against or imitated(store, la_code)).la_code
        try:
            last = latest_month_end(store, la_code)
        except ValueError as e:
            raise BenchmarkError(str(e)) from None
        latest = last.year if last >= dt.date(last.year, 3, 31) else last.year - 1
        ending = year_ending_of(year) if year else latest
        if ending is None or ending > latest:
            raise BenchmarkError(f"--year {year!r}: the store's latest complete financial year ends in March "
                                 f"{latest}; give a year such as {latest - 1}-{latest % 100:02d}")
        label = f"{ending - 1}-{ending % 100:02d}"
        if ratio_table:
            ids = [i for _, i in RATIO_ROWS]
            computed = computed_financial_years(store, la_code, [ending], [indicator(i) for i in ids])
            values = {r["indicator"]: r["value"] for r in computed.iter_rows(named=True)}
            published_years = set(data.figures(measure_ids=[indicator("C8").dfe_short])["year"].to_list())
            compare_year = label if label in published_years else latest_published_year(data, real)
            frame = published_ratio_table(data, real, compare_year, model, computed=values)
            frame = frame.with_columns(pl.lit(label).alias("computed_year"))
            title = (f"Ratio table: {la_code} computed for {label} against the statistical neighbours of "
                     f"{real} ({compare_year} published median)")
            return frame, title
        frame = computed_vs_published(store, la_code, [ending], data, real,
                                      [i.id for i in with_dfe_measure(indicator_ids)])
        return frame, f"Computed for {la_code} ({label}) beside the figures DfE published for {real}"


def imitated(store, la_code: str) -> str:
    """The real authority a synthetic authority imitates (its profile's benchmark_against), else itself."""

    profile = store.synthetic_profile(la_code)
    if profile is not None:
        try:
            return load_profile(profile).benchmark_against or la_code
        except ProfileError:
            return la_code
    return la_code
