"""``carelens demo``: the whole job on synthetic data (:mod:`carelens.demo`), with progress bars and
its summary printed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carelens.cli.console import check_out, console, plain_errors, progress
from carelens.demo import run, summary  # it imports the heavy libraries only when it runs
from carelens.path_problems import output_folder_problem


@plain_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo store and returns.")] = Path("out/demo"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    years: Annotated[int, typer.Option(min=4, max=40, help="Years of history.")] = 10,
):
    """The whole job on synthetic data: generate the coastal authority, write its returns, summarise it, and
    write its monthly performance report (PDF, HTML, Excel) into OUT/report."""
    check_out(output_folder_problem("--out", out))
    with progress() as bars:
        def stage(description: str, steps: int):
            task = bars.add_task(description, total=steps)
            return lambda: bars.advance(task)

        made = run(out, seed=seed, years=years, stage=stage)
    for table in summary(made):
        console.print(table)
    console.print(f"Store: {made.store}")
    console.print(f"Store loaded from the returns: {made.from_returns} ({made.children_loaded:,} children, "
                  f"{made.rows_loaded:,} rows from {len(made.returns)} returns)")
    for path in made.returns:
        console.print(f"Return: {path}")
    for path in made.report:
        console.print(f"Report: {path}")
