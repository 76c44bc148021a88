"""``carelens benchmark``: an authority beside its statistical neighbours, region and England.

Three views of the same published figures, each a frame made by :mod:`carelens.published.views`:

- every catalogue indicator with a DfE measure (or those named with ``--indicator``), for a year or
  every published year;
- ``--ratio-table``: the six child protection rates of report §5.5.3 against the neighbour median;
- ``--store``: our values computed from a store beside the published ones (a synthetic authority
  is compared with the real authority it imitates: its profile's ``benchmark_against``, or
  ``--against``).
"""

from __future__ import annotations

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
    from carelens.published.views import against_neighbours, computed_from_store, ratio_table_of

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
                frame, title = computed_from_store(data, store, la, against, year, indicator_ids, model, ratio_table)
            else:
                typed = configured_authority(la)
                if typed is None:
                    fail("which authority? give --la (e.g. --la 890), set CARELENS_LA, or put la = \"890\" "
                         "in ./carelens.toml")
                me = data.find_authority(typed)
                if ratio_table:
                    frame, title = ratio_table_of(data, me, year, model)
                else:
                    frame, title = against_neighbours(data, me, year, indicator_ids, model)
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
