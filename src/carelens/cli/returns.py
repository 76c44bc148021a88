"""``carelens returns 903`` and ``carelens returns cin``: write a statutory return from a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carelens.cli.console import check_out, check_year, console, fail, open_store, plain_errors
from carelens.collection_years import year_label
from carelens.path_problems import output_file_problem, output_folder_problem

app = typer.Typer(help="Write statutory returns (SSDA903, CIN census) from a store.", no_args_is_help=True)


def _write_return(title: str, writer, store: Path, year: int, out: Path, la: str | None) -> None:
    """Open the store, write one return with ``writer`` and report it; user errors become messages."""
    check_year(year)
    with open_store(store) as s:
        try:
            summary = writer(s, year, out, la_code=la)
        except ValueError as e:
            fail(str(e))
    console.print(f"{title} {year_label(year)} for authority {summary.la_code}: {_written(summary)} to {out}")


def _written(summary) -> str:
    """What a return holds, as a sentence's words (the writers' summaries are for programs)."""
    if hasattr(summary, "cin_details"):
        return f"{summary.children:,} children with {summary.cin_details:,} CIN episodes written"
    files = ", ".join(f"{name} {n:,}" for name, n in summary.rows.items())
    text = f"{summary.children:,} children written in {len(summary.rows)} files (rows: {files})"
    if summary.excluded:
        text += "; left out by the return's rules: " + ", ".join(f"{n:,} {why}" for why, n in summary.excluded.items())
    return text


@app.command("903")
@plain_errors
def returns_903(
    store: Annotated[Path, typer.Option(help="DuckDB store to read.")],
    year: Annotated[int, typer.Option(help="Collection year: 2025 means 2024/25.")],
    out: Annotated[Path, typer.Option(help="Folder to write the SSDA903 CSV files into.")],
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several.")] = None,
):
    """Write the SSDA903 (children looked after) return as CSV files."""
    from carelens.returns.ssda903 import write_ssda903

    check_out(output_folder_problem("--out", out))
    _write_return("SSDA903", write_ssda903, store, year, out, la)


@app.command("cin")
@plain_errors
def returns_cin(
    store: Annotated[Path, typer.Option(help="DuckDB store to read.")],
    year: Annotated[int, typer.Option(help="Collection year: 2025 means 2024/25.")],
    out: Annotated[Path, typer.Option(help="XML file to write.")],
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several.")] = None,
):
    """Write the Children in Need census XML (validated against the DfE schema)."""
    from carelens.returns.cin_census import write_cin_census

    check_out(output_file_problem("--out", out))
    _write_return("CIN census", write_cin_census, store, year, out, la)

