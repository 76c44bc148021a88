"""``carelens benchmark``: an authority beside its statistical neighbours, region and England.

Three views of the same published figures:

- every catalogue indicator with a DfE measure (or those named with ``--indicator``), for a year or
  every published year;
- ``--ratio-table``: the six child protection rates of report §5.5.3 against the neighbour median;
- ``--store``: our values computed from a store beside the published ones (a synthetic authority
  is compared with the real authority it imitates: its profile's ``benchmark_against``, or
  ``--against``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from carelens.cli.console import fail, plain_errors
from carelens.path_problems import output_file_problem

if TYPE_CHECKING:  # polars is imported by the views that use it: `carelens --help` must not wait for it
    import polars as pl

console = Console()
if not console.is_terminal:  # piped or captured: wide enough for the benchmark table instead of 80 columns
    console = Console(width=150)


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


@plain_errors
def benchmark(
    la: Annotated[str | None, typer.Option(help="Authority: 3-digit DfE code (890), ONS code (E06000009) or "
                                                "name. Default: $CARELENS_LA or `la` in ./carelens.toml.")]
    = None,
    year: Annotated[str | None, typer.Option(help="Published year, e.g. 2017-18 (year ending March 2018). "
                                                  "Default: every published year (the latest for "
                                                  "--ratio-table and --store).")] = None,
    indicator_ids: Annotated[list[str] | None, typer.Option(
        "--indicator", help="Only these catalogue indicators (id, e.g. C8; repeat the option).")] = None,
    model: Annotated[str | None, typer.Option(help="Statistical-neighbour model: 2025 or 2021. Default: the "
                                                   "one in force when the year was published.")] = None,
    ratio_table: Annotated[bool, typer.Option("--ratio-table", help="The ratio table of report §5.5.3 "
                                                                    "(catalogue C17).")] = False,
    store: Annotated[Path | None, typer.Option(help="A store: compute our values for the financial year and "
                                                    "show them beside the published ones.")] = None,
    against: Annotated[str | None, typer.Option(help="With --store: the real authority whose published "
                                                     "figures and neighbours to use (default: the "
                                                     "synthetic profile's, else --la).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
    out: Annotated[Path | None, typer.Option(help="File to write the csv to; default: print.")] = None,
    published: Annotated[Path | None, typer.Option(help="Published-figures file (default: the one shipped "
                                                        "with CareLens).")] = None,
):
    """Benchmark an authority against its statistical neighbours, region and England (DfE figures)."""
    from carelens.published.comparison import BenchmarkError
    from carelens.published.figures_file import (
        BenchmarkDataError,
        configured_authority,
        open_published,
    )

    if fmt not in ("table", "csv"):
        fail(f"--format {fmt!r}: expected table or csv")
    problem = output_file_problem("--out", out) if out is not None else None
    if problem:
        fail(problem)
    try:
        data = open_published(published)
    except BenchmarkDataError as e:
        fail(str(e))
    with data:
        try:
            if store is not None:
                frame, title = _from_store(data, store, la, against, year, indicator_ids, model, ratio_table)
            else:
                typed = configured_authority(la)
                if typed is None:
                    fail("which authority? give --la (e.g. --la 890), set CARELENS_LA, or put la = \"890\" "
                         "in ./carelens.toml")
                me = data.find_authority(typed)
                if ratio_table:
                    frame, title = _ratio_table(data, me, year, model)
                else:
                    frame, title = _benchmarks(data, me, year, indicator_ids, model)
        except (BenchmarkError, BenchmarkDataError) as e:
            fail(str(e))
        attribution = data.attribution
    if fmt == "csv":
        text = frame.write_csv()
        if out:
            out.write_text(text, encoding="utf-8")
            console.print(f"Wrote {frame.height} rows to {out}")
        else:
            print(text, end="")
        return
    _print_table(frame, title)
    if attribution:
        console.print(f"[dim]{attribution}[/]")


# ------------------------------------------------------------------------------------------ views
def _indicators(indicator_ids: list[str] | None):
    """Catalogue indicators with a DfE measure: those asked for, or all; unknown ids are errors."""
    from carelens.published.comparison import BenchmarkError
    from carelens.indicators.api import SelectionError, definitions
    from carelens.indicators.api import definition as indicator

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


def _check_year(data, year: str | None, measure_ids: list[str]) -> None:
    from carelens.published.comparison import BenchmarkError, available_years, matches_year

    if year is None:
        return
    years = available_years(data, measure_ids)
    figures = data.figures(measure_ids=measure_ids).select("year", "year_ending").unique()
    if not any(matches_year(r["year"], r["year_ending"], year) for r in figures.iter_rows(named=True)):
        raise BenchmarkError(f"no published figures for {year!r}; published years: {', '.join(years)}")


def _benchmarks(data, me, year: str | None, indicator_ids: list[str] | None, model: str | None):
    import polars as pl

    from carelens.published.comparison import BAND_MEANING, benchmark, compared_with_neighbours

    inds = _indicators(indicator_ids)
    measure_ids = sorted({i.dfe_short for i in inds})
    _check_year(data, year, measure_ids)
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


def _ratio_table(data, me, year: str | None, model: str | None):
    from carelens.published.ratio_table import (
        latest_published_year,
        published_ratio_table,
        ratio_measures,
    )

    _check_year(data, year, list(ratio_measures().values()))
    year = year or latest_published_year(data, me.la_code)
    frame = published_ratio_table(data, me.la_code, year, model)
    return frame, f"Ratio table, {year}: {me.name} per 10,000 children against its statistical neighbours' median"


def _from_store(data, store_path: Path, la: str | None, against: str | None, year: str | None,
                indicator_ids: list[str] | None, model: str | None, ratio_table: bool):
    """Computed values from a store beside the published ones of the authority it is (or imitates)."""
    from carelens.published.comparison import BenchmarkError, year_ending_of
    from carelens.published.computed_vs_published import (
        computed_financial_years,
        computed_vs_published,
    )
    from carelens.published.ratio_table import (
        RATIO_ROWS,
        latest_published_year,
        published_ratio_table,
    )
    from carelens.indicators.api import definition as indicator
    from carelens.report.headlines import latest_month_end
    from carelens.model.store import Store

    import polars as pl

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
        real = data.find_authority(against or _imitated(store, la_code)).la_code
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
                                      [i.id for i in _indicators(indicator_ids)])
        return frame, f"Computed for {la_code} ({label}) beside the figures DfE published for {real}"


def _imitated(store, la_code: str) -> str:
    """The real authority a synthetic authority imitates (its profile's benchmark_against), else itself."""
    from carelens.synth import ProfileError, load_profile

    profile = store.synthetic_profile(la_code)
    if profile is not None:
        try:
            return load_profile(profile).benchmark_against or la_code
        except ProfileError:
            return la_code
    return la_code


# ------------------------------------------------------------------------------------------ output
def _print_table(frame: pl.DataFrame, title: str) -> None:
    if "sn_median" in frame.columns and "row" in frame.columns:  # the ratio table
        table = Table(title=title)
        for column in ("Per 10,000 children", "This authority", "Neighbour median", "Ratio", "Neighbours",
                       "England"):
            table.add_column(column, justify="left" if column.startswith("Per") else "right")
        for r in frame.iter_rows(named=True):
            table.add_row(r["row"], _number(r["la_value"], 0), _number(r["sn_median"], 0), _number(r["ratio"]),
                          f"{r['sn_used'] or 0}/{r['sn_total'] or 0}", _number(r["england"], 0))
        console.print(table)
        _notes(frame, "row")
        return
    if "computed" in frame.columns:  # computed vs published
        table = Table(title=title)
        for column in ("Indicator", "", "Year", "Computed", "Published", "Difference", "Should agree"):
            table.add_column(column, justify="right" if column in ("Computed", "Published", "Difference")
                             else "left")
        for r in frame.iter_rows(named=True):
            published = _number(r["published"]) if r["published"] is not None else r["published_status"]
            table.add_row(r["indicator"], r["title"], r["year"], _number(r["computed"]), published,
                          _number(r["difference"]), "yes" if r["comparable"] else f"no: {r['note']}")
        console.print(table)
        return
    table = Table(title=title)
    table.add_column("Indicator", min_width=24)
    for column in ("Year", "LA", "England", "Region", "SN median", "SN mean", "SN", "Band", "Ratio"):
        table.add_column(column, justify="left" if column in ("Year", "Band") else "right", no_wrap=True)
    for r in frame.iter_rows(named=True):
        la_value = _number(r["value"]) if r["value"] is not None else (r["status"] or "")
        what = f"{r['indicator']} {r['indicator_title']}"
        if r["compared_with_neighbours"]:
            what += f"\n[dim]{r['compared_with_neighbours']}[/]"
        table.add_row(what, r["year"], la_value, _number(r["england"]), _number(r["region"]),
                      _number(r["sn_median"]), _number(r["sn_mean"]), f"{r['sn_used']}/{r['sn_total']}",
                      r["quartile_band"] or "", _number(r["ratio_to_sn_median"], 2))
    console.print(table)
    console.print("[dim]Band: A best quarter of all authorities … D worst (polarity as DfE's); Q1 lowest … Q4 "
                  "highest where no direction is better (not a judgement). Ratio: LA / neighbour median.[/]")
    _notes(frame, "indicator")


def _notes(frame: pl.DataFrame, label: str) -> None:
    """Say which neighbours had no figure, once per distinct list."""
    seen: dict[str, list[str]] = {}
    for r in frame.iter_rows(named=True):
        if r.get("sn_missing"):
            seen.setdefault(r["sn_missing"], []).append(f"{r[label]} {r.get('year', '')}".strip())
    for missing, where in seen.items():
        shown = ", ".join(where[:6]) + (f" and {len(where) - 6} more" if len(where) > 6 else "")
        console.print(f"Left out of the neighbour median and mean ({shown}): {missing}")
