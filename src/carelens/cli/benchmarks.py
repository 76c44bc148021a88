"""``carelens benchmarks build``: build the published benchmark file from a DfE download."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from carelens.cli.console import SHOWN_PROBLEMS, problem_table

app = typer.Typer(help="Published DfE benchmarks: build the shipped file from a DfE download.",
                  no_args_is_help=True)


@app.command("build")
def build_command(
    source: Annotated[Path, typer.Option("--from", help="Folder of DfE downloads: LAIT long table and "
                                                        "dictionary, CSC statistics files, ONS population, "
                                                        "statistical neighbours.")],
    out: Annotated[Path | None, typer.Option(help="Database file to write; default: the file shipped "
                                                  "with CareLens (src/carelens/published/data/).")] = None,
):
    """Read every file of a DfE download and write the benchmark database (replaced in one step)."""
    from carelens.published.build import SHIPPED_FILE, build
    from carelens.published.problems import IngestError

    console = Console()  # made here, not on import, so that it takes the terminal's width at the time
    target = out or SHIPPED_FILE
    try:
        with console.status(f"Reading {source}"):
            summary = build(source, target)
    except IngestError as error:
        console.print(f"{len(error.problems)} problem(s) found; nothing was written: {target} was not changed.",
                      soft_wrap=True)
        console.print(problem_table("Problems", error.problems))
        if len(error.problems) > SHOWN_PROBLEMS:
            console.print(f"… and {len(error.problems) - SHOWN_PROBLEMS} more")
        raise typer.Exit(code=1) from None
    table = Table(title=f"Benchmarks written to {summary.out}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("input files read", f"{summary.files:,}")
    table.add_row("measures", f"{summary.measures:,}")
    table.add_row("figures", f"{summary.figures:,}")
    table.add_row("  of which published (the rest suppressed or not available)", f"{summary.published_figures:,}")
    table.add_row("authorities", f"{summary.authorities:,}")
    table.add_row("years covered (year ending)", f"{summary.years[0]}–{summary.years[1]}")
    table.add_row("statistical neighbour models", ", ".join(summary.neighbour_models))
    table.add_row("file size", f"{summary.size_bytes / 1_048_576:.1f} MiB")
    table.add_row("problems", "0")
    console.print(table)
    if summary.skipped:
        console.print(problem_table(f"{len(summary.skipped)} file(s) skipped", summary.skipped))
