"""``carelens ingest``: load returns and extracts into a store, or check them (``--check``), and say
what is wrong with them: on the console, and all of it in a file with ``--problems-out``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carelens.cli.console import SHOWN_PROBLEMS, check_out, console, fail, plain_errors, problem_table, progress
from carelens.path_problems import output_file_problem


def _show_problems(problems, title: str, problems_out: Path | None, child: bool = False) -> None:
    console.print(problem_table(title, problems, child=child))
    if problems_out is not None:
        _write_problems(problems_out, problems)
        console.print(f"All {len(problems):,} problem(s) written to {problems_out}")
    elif len(problems) > SHOWN_PROBLEMS:
        console.print(f"… and {len(problems) - SHOWN_PROBLEMS:,} more (--problems-out FILE writes them all)")


def _write_problems(path: Path, problems) -> None:
    """Every problem, one a row, as CSV, or as an Excel workbook when the name ends .xlsx."""
    columns = ("file", "where", "field", "value", "expected", "child")
    rows = [(p.file, p.location, p.field, p.value, p.expected, p.child) for p in problems]
    try:
        if path.suffix.lower() == ".xlsx":
            import xlsxwriter

            book = xlsxwriter.Workbook(str(path))
            sheet = book.add_worksheet("problems")
            for c, name in enumerate(columns):
                sheet.write_string(0, c, name)
            for r, row in enumerate(rows, start=1):
                for c, v in enumerate(row):
                    if v is not None:
                        # as text, always: a value such as "=1+1" from a council's file is not a formula
                        sheet.write_string(r, c, v)
            sheet.autofilter(0, 0, len(rows), len(columns) - 1)
            book.close()
        else:
            import csv

            with path.open("w", newline="", encoding="utf-8") as f:
                out = csv.writer(f)
                out.writerow(columns)
                out.writerows(rows)
    except Exception as e:  # noqa: BLE001 - an unwritable path (xlsxwriter wraps OSError in its own error)
        fail(f"--problems-out {path}: cannot write the problems there ({getattr(e, 'strerror', None) or e})")


@plain_errors
def ingest(
    sources: Annotated[list[Path], typer.Argument(help="SSDA903 folders or files, CIN census XML, Annex A "
                                                       "workbooks, or folders of SSD tables.")],
    store: Annotated[Path, typer.Option(help="DuckDB store to load into (created if missing).")],
    la: Annotated[str | None, typer.Option(help="DfE 3-digit authority number, when the files do not say.")]
    = None,
    year: Annotated[int | None, typer.Option(help="Collection year of SSDA903 files (inferred if omitted).")]
    = None,
    check: Annotated[bool, typer.Option("--check", help="Read and check only: report problems, store nothing.")]
    = False,
    hold_back: Annotated[bool, typer.Option(
        "--hold-back", help="Load every child without a problem and hold back, whole, each child with one (SSDA903 "
                            "returns); problems with a file still stop the load.")] = False,
    problems_out: Annotated[Path | None, typer.Option(
        "--problems-out", help="Write every problem to this file: CSV, or Excel when it ends .xlsx.")] = None,
):
    """Load returns and extracts into the store, stitching years into one history per child.

    Each SSDA903 folder has its own collection year (from its name, e.g. ssda903_2020-21, or its
    dates) unless --year gives one for all.
    """
    from carelens.ingest import IngestError, check_store
    from carelens.ingest import ingest as run_ingest

    if problems_out is not None:
        check_out(output_file_problem("--problems-out", problems_out))
    if not check:
        check_store(store)  # a store in use or not a store is said before the progress bars start

    with progress() as bars:
        task = bars.add_task("Reading and checking", total=len(sources))

        def done(path, kind):
            bars.update(task, advance=1, description=f"Read {path.name} ({kind})")

        try:
            report = run_ingest(store, sources, la_code=la, year=year, check=check, on_source=done,
                                hold_back=hold_back)
        except IngestError as e:
            bars.stop()
            _show_problems(e.problems, f"{len(e.problems)} problem(s) found — nothing was stored", problems_out,
                           child=hold_back)
            if hold_back:
                console.print("--hold-back holds back children, not files: the problems with no child (a file, a "
                              "whole return, or a source other than an SSDA903 return) stop the load")
            raise typer.Exit(code=1) from None
    for warning in report.warnings:
        console.print(f"[bold yellow]warning:[/] {warning}")
    for note in report.notes:
        console.print(note)
    held = report.held_back
    if held:
        verb = "would be held back" if check else "held back"
        _show_problems([p for _, h in held for p in h.problems],
                       f"{len(held):,} child(ren) {verb}, with every row of theirs in the return, for these "
                       "problems", problems_out, child=True)
    elif problems_out is not None:
        _write_problems(problems_out, [])  # (an empty list, not last run's file, says there were none)
        console.print(f"No problems: {problems_out} lists none")
    verb = "Checked" if check else "Loaded"
    console.print(f"{verb} {len(report.extracts)} source(s): {report.children:,} children, {report.rows:,} rows"
                  + ("" if check else f" into {store}")
                  + (f"; {len(held):,} child(ren) {'would be ' if check else ''}held back" if held
                     else "; no problems found" if check else ""))

