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
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="End by serving the web app on this machine "
                                                                   "(--no-serve: stop before, for scripts and CI).")
                     ] = True,
    port: Annotated[int, typer.Option(help="Port for the web app.")] = 8000,
):
    """The whole job on synthetic data: generate the coastal authority, write its returns, summarise it, write
    its monthly performance report (PDF, HTML, Excel) into OUT/report, and serve the web app with an account
    per role (--no-serve to stop before)."""
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
    if serve:
        _serve(made.store, out, port)


def _serve(store: Path, out: Path, port: int) -> None:
    """The web app on 127.0.0.1 with the synthetic authority, one account per role (passwords shown once)."""
    from rich.table import Table

    from carelens.web.demo_accounts import demo_accounts
    from carelens.web.serving import Serving, serve

    serving = Serving(store, port=port, data=out / "web")
    accounts = Table(title="Demo accounts (the passwords are shown this once)")
    for column in ("Username", "Role", "Password"):
        accounts.add_column(column)
    for row in demo_accounts(serving):
        accounts.add_row(*row)
    console.print(accounts)
    console.print(f"CareLens: http://127.0.0.1:{port}/  (stop with Ctrl+C)")
    raise typer.Exit(serve(serving))
