"""``carelens indicators``: the catalogue's indicators at a date, in long form, as a table or a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from carelens.cli.console import check_out, console, err_console, fail, open_store, plain_errors
from carelens.path_problems import output_file_problem


@plain_errors
def indicators(
    store: Annotated[Path, typer.Option(help="DuckDB store to read.")],
    as_at: Annotated[str, typer.Option("--as-at", help="The day to report at (YYYY-MM-DD), usually a month end.")],
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several; several as 301,886, or "
                                                "all: evaluated in one pass, each row then starting with la_code.")
                  ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option(help="File to write (csv, json, parquet); default: print.")] = None,
    indicator_ids: Annotated[list[str] | None, typer.Option(
        "--indicator", help="Only these indicators (id or name; repeat the option).")] = None,
    breakdown: Annotated[list[str] | None, typer.Option(
        help="Breakdowns besides the total: age_band, sex, ethnicity, team, worker, or a domain one "
             "(e.g. placement_type); repeat the option.")] = None,
    series_from: Annotated[str | None, typer.Option(
        "--series-from", help="Every window (weeks, months, rolling, financial years) from this day to --as-at, "
                              "instead of just the windows ending at --as-at.")] = None,
    engine: Annotated[str, typer.Option(help="duckdb (the store), or spark to compute on a local Spark "
                                             "session.")] = "duckdb",
    strict: Annotated[bool, typer.Option("--strict", help="Refuse (exit 1, nothing written) when the store's data "
                                                          "cannot support a figure: a window outside what it covers, "
                                                          "or too little history before it.")] = False,
):
    """Indicators at a date, in long form: indicator, period, breakdown, group, value, numerator, denominator.

    By default the windows ending at --as-at: the ISO week, the 4 weeks, the month, rolling 3, 6 and
    12 months, the financial year to date and the day itself (for stocks).

    Each row says whether the store's data can support it (outside_coverage, history_short) and how many
    children a load held back (children_held_back); flagged indicators are listed on stderr.
    """
    from carelens.indicators.api import Selection, SelectionError, check_breakdowns, definition, figures

    day = _date_option("--as-at", as_at)
    first = _date_option("--series-from", series_from) if series_from else None
    if first is not None and first > day:
        fail(f"--series-from {first} is after --as-at {day}: the series runs from --series-from up to --as-at")
    if fmt not in ("table", "csv", "json", "parquet"):
        fail(f"--format {fmt!r}: expected table, csv, json or parquet")
    if fmt == "parquet" and out is None:
        fail("--format parquet needs --out FILE")
    if engine not in ("duckdb", "spark"):
        fail(f"--engine {engine!r}: expected duckdb or spark")
    if out is not None:
        check_out(output_file_problem("--out", out))
    try:
        chosen = [definition(i) for i in indicator_ids or ()]
        check_breakdowns(chosen or None, breakdown or ())
    except SelectionError as e:  # (said with the option's name: "--breakdown 'x': expected one of …")
        fail(f"--{e}" if str(e).startswith("breakdown ") else str(e))
    authorities = "all" if la == "all" else tuple(la.split(",")) if la and "," in la else la
    selection = Selection(as_at=day, indicators=tuple(i.id for i in chosen), breakdowns=tuple(breakdown or ()),
                          authorities=authorities, series_from=first)
    if engine == "spark" and not selection.one_authority:
        fail("--engine spark: one authority at a time (--la CODE)")
    # the figures API: each figure computed once per store version, then read (decision 018)
    with open_store(store) as s:
        try:
            got = figures(s, selection, engine=engine)
        except SelectionError as e:
            fail(str(e))
    result = got.values.drop("la_code") if selection.one_authority else got.values
    chosen_las = got.authorities[0] if selection.one_authority else got.authorities
    _warn_unsupported(result, day, strict)
    if fmt == "table":
        several = not isinstance(chosen_las, str)
        table = Table(title=f"Indicators for {', '.join(chosen_las) if several else chosen_las} at {day}")
        columns = ("la_code",) * several + ("indicator", "period", "breakdown", "group", "value", "unit", "numerator",
                                            "denominator", "flags")
        for column in columns:
            table.add_column(column, justify="right" if column in ("value", "numerator", "denominator") else "left")
        for r in result.iter_rows(named=True):
            whose = (r["la_code"],) if several else ()
            table.add_row(*whose, r["indicator"], r["period"], r["breakdown"], r["group"],
                          "" if r["value"] is None else f"{r['value']:,.1f}", r["unit"], f"{r['numerator']:,}",
                          "" if r["denominator"] is None else f"{r['denominator']:,}", _flags_cell(r))
        console.print(table)
        return
    if fmt == "parquet":
        result.write_parquet(out)
    else:
        text = result.write_csv() if fmt == "csv" else result.write_json()
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            print(text, end="")


def _flags_cell(row: dict) -> str:
    """The flags of one result row, as the table shows them (decision 009)."""
    flags = [name for name in ("outside_coverage", "history_short") if row[name]]
    if row["children_held_back"]:
        flags.append(f"{row['children_held_back']:,} held back")
    return ", ".join(flags)


def _warn_unsupported(result, day: dt.date, strict: bool) -> None:
    """On stderr, the indicators whose figures the store's data cannot support, and the children held back;
    with ``strict``, a refusal (exit 1) when any figure is flagged."""
    import polars as pl

    lines = []
    for flag, why in (("outside_coverage", "windows outside what the store's sources cover"),
                      ("history_short", "too little history before the window for what they need")):
        ids = result.filter(pl.col(flag)).get_column("indicator").unique(maintain_order=True).to_list()
        if ids:
            lines.append(f"{len(ids)} indicator(s) with {why} ({flag}): {', '.join(ids)}")
    held = result.select("children_held_back").max().item() if not result.is_empty() else 0
    if strict and lines:
        for line in lines:
            err_console.print(f"[bold red]error:[/] {line}")
        err_console.print(f"[bold red]error:[/] --strict: refusing figures at {day} the store's data cannot support "
                          "(see docs/indicators/engine.md, 'What the data can support')")
        raise typer.Exit(code=1)
    for line in lines:
        err_console.print(f"[bold yellow]warning:[/] {line}")
    if held:
        err_console.print(f"[bold yellow]warning:[/] {held:,} child(ren) were held back when the store was loaded "
                          "(children_held_back): every figure leaves them out")


def _date_option(option: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date: expected YYYY-MM-DD")

