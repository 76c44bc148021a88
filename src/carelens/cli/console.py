"""What every verb of the command line shares: the console, one-line errors, the problem table,
progress bars, and the checks of a store and a collection year made before any work starts.

Only light libraries are imported here (Typer, Rich's console and table): the heavy ones are imported
by the functions that need them, so that every ``--help`` starts in 0.3 s (benchmarks/cli_start.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from carelens.collection_years import COLLECTION_YEARS
from carelens.path_problems import os_problem

if TYPE_CHECKING:
    from rich.progress import Progress

    from carelens.model.store import Store
    from carelens.problems import Problem

console = Console(soft_wrap=True)  # a path is never broken across lines: the terminal wraps, so it can be copied whole
# warnings about the figures go to stderr, so that `--format csv > file` keeps only the figures
err_console = Console(stderr=True, soft_wrap=True)

SHOWN_PROBLEMS = 200  # a problem table shows this many; `ingest --problems-out` writes them all


def fail(message: str) -> NoReturn:
    """End the command with a one-line error and exit code 2 (a problem the user can fix)."""
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


def check_out(problem: str | None) -> None:
    """Fail with the problem found with an output path, if there is one."""
    if problem:
        fail(problem)


def plain_errors(command):
    """A verb whose path problems are one line each, never a traceback.

    The checks made before the work name most problems; this catches the rest where they happen
    (a store in use, a folder that turns out unwritable), whatever the verb was doing.
    """

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except OSError as e:
            if e.filename is None:  # not about a path: a fault of ours, to be seen whole
                raise
            fail(f"{e.filename}: {os_problem(e)}")
        except Exception as e:
            # imported only when something failed: a group's callback that runs before its subcommand's --help
            # must not bring in the store (and DuckDB) to do nothing
            from carelens.model.store_file import StoreError

            if isinstance(e, StoreError):
                fail(str(e))
            raise

    return run


@contextmanager
def progress() -> Iterator[Progress]:
    """Progress bars on the console, removed if the work fails so that its message stands alone."""
    # imported here: rich's live display is not needed to print --help
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bars = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)
    with bars:
        try:
            yield bars
        except BaseException:
            # a run that fails (another process created the store meanwhile, a disk filled) ends with its
            # one-line message, not a bar left half drawn above it (and, piped, the bar is not printed at all)
            bars.live.transient = True
            raise


def check_year(year: int) -> None:
    """Fail unless ``year`` is a collection year the readers and writers support."""
    if year not in COLLECTION_YEARS:
        fail(f"collection year {year} is not supported: expected {COLLECTION_YEARS[0]} to {COLLECTION_YEARS[-1]} "
             "(2025 means the 2024/25 return)")


def open_store(path: Path) -> Store:
    """The store to read, or a one-line error: missing, not a store, in use, or empty."""
    from carelens.model.store import Store
    from carelens.model.store_file import StoreError

    if not path.exists():
        fail(f"no store at {path}: create one with `carelens ingest`, `carelens synth` or `carelens demo`")
    try:
        store = Store(path, read_only=True)
    except StoreError as e:
        fail(str(e))
    if store.is_empty():
        store.close()
        fail(f"{path}: the store is empty (no children): load returns into it with `carelens ingest`")
    return store


def problem_table(title: str, problems: Sequence[Problem], child: bool = False) -> Table:
    """The first :data:`SHOWN_PROBLEMS` problems, one a row: where each is and what was expected there;
    with ``child``, the child each is about first (a load that holds children back)."""
    table = Table(title=title, show_lines=False)
    for column in (("child",) if child else ()) + ("file", "where", "field", "value", "expected"):
        table.add_column(column, overflow="fold")
    for p in problems[:SHOWN_PROBLEMS]:
        table.add_row(*((p.child or "",) if child else ()), p.file, p.location, p.field or "",
                      "" if p.value is None else p.value, p.expected)
    return table
