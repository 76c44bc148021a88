"""The ``carelens`` command.

Every verb has ``--help``. Long work shows progress bars; problems a user can
fix are reported as plain messages (no tracebacks) with a non-zero exit code.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from carelens.benchmark.cli import app as benchmarks_app
from carelens.benchmark.command import benchmark
from carelens.collection_years import COLLECTION_YEARS, year_label
from carelens.path_problems import os_problem, output_file_problem, output_folder_problem

if TYPE_CHECKING:
    from rich.progress import Progress

app = typer.Typer(help="CareLens: one trustworthy picture of children's social care.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
returns_app = typer.Typer(help="Write statutory returns (SSDA903, CIN census) from a store.", no_args_is_help=True)
app.add_typer(returns_app, name="returns")
app.add_typer(benchmarks_app, name="benchmarks")
console = Console(soft_wrap=True)  # a path is never broken across lines: the terminal wraps, so it can be copied whole
# warnings about the figures go to stderr, so that `--format csv > file` keeps only the figures
err_console = Console(stderr=True, soft_wrap=True)

DEMO_YEARS = (2024, 2025, 2026)  # the returns the demo writes and loads


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


def _plain_errors(command):
    """A verb whose path problems are one line each, never a traceback.

    The checks made before the work name most problems; this catches the rest where they happen
    (a store in use, a folder that turns out unwritable), whatever the verb was doing.
    """

    @functools.wraps(command)
    def run(*args, **kwargs):
        from carelens.model.store_file import StoreError

        try:
            return command(*args, **kwargs)
        except StoreError as e:
            _fail(str(e))
        except OSError as e:
            if e.filename is None:  # not about a path: a fault of ours, to be seen whole
                raise
            _fail(f"{e.filename}: {os_problem(e)}")

    return run


def _check_out(problem: str | None) -> None:
    if problem:
        _fail(problem)


app.command(name="benchmark")(_plain_errors(benchmark))


@contextmanager
def _progress() -> Iterator[Progress]:
    # imported here: rich's live display is not needed to print --help
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console)
    with progress:
        try:
            yield progress
        except BaseException:
            # a run that fails (another process created the store meanwhile, a disk filled) ends with its
            # one-line message, not a bar left half drawn above it (and, piped, the bar is not printed at all)
            progress.live.transient = True
            raise


def _check_year(year: int) -> None:
    if year not in COLLECTION_YEARS:
        _fail(f"collection year {year} is not supported: expected {COLLECTION_YEARS[0]} to {COLLECTION_YEARS[-1]} "
              "(2025 means the 2024/25 return)")


def _open_store(path: Path):
    """The store to read, or a one-line error: missing, not a store, in use, or empty."""
    from carelens.model.store import Store
    from carelens.model.store_file import StoreError

    if not path.exists():
        _fail(f"no store at {path}: create one with `carelens ingest`, `carelens synth` or `carelens demo`")
    try:
        store = Store(path, read_only=True)
    except StoreError as e:
        _fail(str(e))
    if store.is_empty():
        store.close()
        _fail(f"{path}: the store is empty (no children): load returns into it with `carelens ingest`")
    return store


# ---------------------------------------------------------------------------------------------- synth
@app.command()
@_plain_errors
def synth(
    store: Annotated[Path, typer.Option(help="DuckDB store file to create (replaced if it exists).")],
    profile: Annotated[str, typer.Option(help="Profile name (england, coastal-high-demand) or a .yaml path.")]
    = "coastal-high-demand",
    years: Annotated[int, typer.Option(min=1, max=40, help="Years of history to generate.")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same authority.")] = 1,
    children: Annotated[int | None, typer.Option(min=100, help="Population aged 0-17 (overrides the profile).")]
    = None,
    la: Annotated[str, typer.Option(help="DfE 3-digit authority number to give the authority.")] = "890",
    name: Annotated[str, typer.Option(help="Name of the synthetic authority.")] = "Coastal (synthetic)",
    england: Annotated[bool, typer.Option("--england", help="Generate every English authority, each with "
                                                           "its own population and demand.")] = False,
    region: Annotated[str | None, typer.Option(help="Generate the authorities of one region, e.g. 'North West'.")]
    = None,
    scale: Annotated[float, typer.Option(help="With --england/--region: multiply every population.")] = 1.0,
    end: Annotated[str, typer.Option(help="Last day of the history (YYYY-MM-DD).")] = "2026-03-31",
):
    """Generate a synthetic local authority (or many) into a store."""
    from carelens.synth import AuthoritySpec, ProfileError, england_specs, load_profile, synthesise

    try:
        end_date = dt.date.fromisoformat(end)
    except ValueError:
        _fail(f"--end {end!r} is not a date: expected YYYY-MM-DD")
    try:
        if england or region:
            specs = england_specs(profile=profile if profile != "coastal-high-demand" else "england", region=region,
                                  scale=scale)
        else:
            if not (la.isdigit() and len(la) == 3):
                _fail(f"--la {la!r}: expected a 3-digit DfE authority number such as 890")
            prof = load_profile(profile)
            specs = [AuthoritySpec(la, name, prof, children)]
    except (ProfileError, ValueError) as e:
        _fail(str(e))
    from carelens.model.store_file import check_replaceable

    check_replaceable(store)  # said now, not after minutes of simulating
    with _progress() as progress:
        task = progress.add_task("Simulating authorities", total=len(specs))

        def done(spec, n):
            progress.update(task, advance=1, description=f"Simulated {spec.name} ({n:,} children met services)")

        summary = synthesise(store, specs, years=years, seed=seed, end=end_date, on_authority=done)
    console.print(f"Wrote {summary.authorities} authorit{'y' if summary.authorities == 1 else 'ies'}, "
                  f"{summary.children:,} children and {summary.rows:,} rows to {summary.store}")


# -------------------------------------------------------------------------------------------- returns
def _write_return(title: str, writer, store: Path, year: int, out: Path, la: str | None) -> None:
    """Open the store, write one return with ``writer`` and report it; user errors become messages."""
    _check_year(year)
    with _open_store(store) as s:
        try:
            summary = writer(s, year, out, la_code=la)
        except ValueError as e:
            _fail(str(e))
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


@returns_app.command("903")
@_plain_errors
def returns_903(
    store: Annotated[Path, typer.Option(help="DuckDB store to read.")],
    year: Annotated[int, typer.Option(help="Collection year: 2025 means 2024/25.")],
    out: Annotated[Path, typer.Option(help="Folder to write the SSDA903 CSV files into.")],
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several.")] = None,
):
    """Write the SSDA903 (children looked after) return as CSV files."""
    from carelens.returns.ssda903 import write_ssda903

    _check_out(output_folder_problem("--out", out))
    _write_return("SSDA903", write_ssda903, store, year, out, la)


@returns_app.command("cin")
@_plain_errors
def returns_cin(
    store: Annotated[Path, typer.Option(help="DuckDB store to read.")],
    year: Annotated[int, typer.Option(help="Collection year: 2025 means 2024/25.")],
    out: Annotated[Path, typer.Option(help="XML file to write.")],
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several.")] = None,
):
    """Write the Children in Need census XML (validated against the DfE schema)."""
    from carelens.returns.cin_census import write_cin_census

    _check_out(output_file_problem("--out", out))
    _write_return("CIN census", write_cin_census, store, year, out, la)


# --------------------------------------------------------------------------------------------- ingest
SHOWN_PROBLEMS = 200  # the console shows this many; --problems-out writes them all


def _show_problems(problems, title: str, problems_out: Path | None, child: bool = False) -> None:
    table = Table(title=title, show_lines=False)
    for column in (("child",) if child else ()) + ("file", "where", "field", "value", "expected"):
        table.add_column(column, overflow="fold")
    for p in problems[:SHOWN_PROBLEMS]:
        table.add_row(*((p.child or "",) if child else ()), p.file, p.location, p.field or "",
                      "" if p.value is None else p.value, p.expected)
    console.print(table)
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
        _fail(f"--problems-out {path}: cannot write the problems there ({getattr(e, 'strerror', None) or e})")


@app.command()
@_plain_errors
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
    from carelens.ingest import IngestError
    from carelens.ingest import ingest as run_ingest

    from carelens.ingest import check_store

    if problems_out is not None:
        _check_out(output_file_problem("--problems-out", problems_out))
    if not check:
        check_store(store)  # a store in use or not a store is said before the progress bars start

    with _progress() as progress:
        task = progress.add_task("Reading and checking", total=len(sources))

        def done(path, kind):
            progress.update(task, advance=1, description=f"Read {path.name} ({kind})")

        try:
            report = run_ingest(store, sources, la_code=la, year=year, check=check, on_source=done,
                                hold_back=hold_back)
        except IngestError as e:
            progress.stop()
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


# ----------------------------------------------------------------------------------------- indicators
@app.command()
@_plain_errors
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
        _fail(f"--series-from {first} is after --as-at {day}: the series runs from --series-from up to --as-at")
    if fmt not in ("table", "csv", "json", "parquet"):
        _fail(f"--format {fmt!r}: expected table, csv, json or parquet")
    if fmt == "parquet" and out is None:
        _fail("--format parquet needs --out FILE")
    if engine not in ("duckdb", "spark"):
        _fail(f"--engine {engine!r}: expected duckdb or spark")
    if out is not None:
        _check_out(output_file_problem("--out", out))
    try:
        chosen = [definition(i) for i in indicator_ids or ()]
        check_breakdowns(chosen or None, breakdown or ())
    except SelectionError as e:
        _fail(f"--{e}" if str(e).startswith("breakdown ") else str(e))
    authorities = "all" if la == "all" else tuple(la.split(",")) if la and "," in la else la
    selection = Selection(as_at=day, indicators=tuple(i.id for i in chosen), breakdowns=tuple(breakdown or ()),
                          authorities=authorities, series_from=first)
    if engine == "spark" and not selection.one_authority:
        _fail("--engine spark: one authority at a time (--la CODE)")
    with _open_store(store) as s:
        try:
            got = figures(s, selection, engine=engine)
        except SelectionError as e:
            _fail(str(e))
    several = not selection.one_authority
    result = got.values if several else got.values.drop("la_code")
    chosen_las = got.authorities if several else got.authorities[0]
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
        _fail(f"{option} {text!r} is not a date: expected YYYY-MM-DD")


# ----------------------------------------------------------------------------------------------- demo
@app.command()
@_plain_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo store and returns.")] = Path("out/demo"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    years: Annotated[int, typer.Option(min=4, max=40, help="Years of history.")] = 10,
):
    """The whole job on synthetic data: generate the coastal authority, write its returns, summarise it."""
    from carelens.model.store import Store
    from carelens.returns.cin_census import write_cin_census
    from carelens.returns.ssda903 import write_ssda903
    from carelens.synth import AuthoritySpec, load_profile, synthesise
    from carelens.synth.calibration import HEADLINES, measure_headlines

    _check_out(output_folder_problem("--out", out))
    out.mkdir(parents=True, exist_ok=True)
    store_path = out / "carelens.duckdb"
    profile = load_profile("coastal-high-demand")
    spec = AuthoritySpec("890", "Coastal (synthetic)", profile)
    with _progress() as progress:
        task = progress.add_task(f"Simulating {years} years of a {profile.children:,}-child coastal authority",
                                 total=1)
        synthesise(store_path, [spec], years=years, seed=seed,
                   on_authority=lambda s, n: progress.update(task, advance=1))
        ret = progress.add_task("Writing statutory returns", total=2 * len(DEMO_YEARS))
        written = []
        with Store(store_path, read_only=True) as store:
            for year in DEMO_YEARS:
                label = f"{year - 1}-{str(year)[2:]}"
                write_ssda903(store, year, out / f"ssda903_{label}")
                progress.advance(ret)
                write_cin_census(store, year, out / f"cin_census_{label}.xml")
                progress.advance(ret)
                written += [out / f"ssda903_{label}", out / f"cin_census_{label}.xml"]
            frames = {name: store.to_polars(name) for name in
                      ("population", "referrals", "s47_enquiries", "initial_cp_conferences", "cp_plans",
                       "periods_of_care")}
        # the path a council takes: its returns loaded into a fresh store, stitched into one history
        from carelens.ingest import ingest as run_ingest

        ingested_path = out / "from_returns.duckdb"
        ingested_path.unlink(missing_ok=True)
        load = progress.add_task("Loading the returns into a fresh store", total=len(written))
        loaded = run_ingest(ingested_path, written, on_source=lambda p, k: progress.advance(load))
    latest = max(DEMO_YEARS)
    figures = measure_headlines(frames, latest)
    table = Table(title=f"Coastal (synthetic), year ending 31 March {latest}")
    table.add_column("Measure")
    table.add_column("Generated", justify="right")
    table.add_column("Profile target", justify="right")
    for key, label in HEADLINES.items():
        target = profile.targets.get(key)
        table.add_row(label, f"{figures[key]:,.1f}", "" if target is None else f"{target:,.1f}")
    console.print(table)
    from carelens.indicators.headlines import headlines, latest_month_end

    with Store(store_path, read_only=True) as store:
        month_end = latest_month_end(store, "890")
        heads = headlines(store, "890", month_end)
    table = Table(title=f"Headline indicators at {month_end} (carelens indicators for the whole catalogue)")
    for column in ("Indicator", "", "Month", "Rolling 12 months", "Year to date", "Unit"):
        table.add_column(column, justify="left" if column in ("Indicator", "", "Unit") else "right")
    for r in heads.iter_rows(named=True):
        table.add_row(r["indicator"], r["title"], *("" if r[k] is None else f"{r[k]:,.1f}"
                                                    for k in ("month", "rolling_12", "year_to_date")), r["unit"])
    console.print(table)
    _demo_ratio_table(store_path, profile.benchmark_against or "890", month_end)
    console.print(f"Store: {store_path}")
    console.print(f"Store loaded from the returns: {ingested_path} ({loaded.children:,} children, "
                  f"{loaded.rows:,} rows from {len(written)} returns)")
    for path in written:
        console.print(f"Return: {path}")


def _demo_ratio_table(store_path: Path, against: str, month_end: dt.date) -> None:
    """The report's ratio table (§5.5.3): the synthetic authority's latest complete financial year against
    the published median of the real authority's statistical neighbours."""
    from carelens.benchmark.comparison import BenchmarkError
    from carelens.benchmark.computed_vs_published import computed_financial_years
    from carelens.benchmark.published import BenchmarkDataError, open_published
    from carelens.benchmark.ratio_table import RATIO_ROWS, latest_published_year, published_ratio_table
    from carelens.indicators.catalogue import indicator
    from carelens.model.store import Store

    year = month_end.year if month_end >= dt.date(month_end.year, 3, 31) else month_end.year - 1
    try:
        with Store(store_path, read_only=True) as store, open_published() as data:
            computed = computed_financial_years(store, "890", [year], [indicator(i) for _, i in RATIO_ROWS])
            values = {r["indicator"]: r["value"] for r in computed.iter_rows(named=True)}
            published_year = latest_published_year(data, against)
            rows = published_ratio_table(data, against, published_year, computed=values)
            name = data.find_authority(against).name
    except (BenchmarkError, BenchmarkDataError) as e:
        console.print(f"Ratio table not shown: {e}")
        return
    table = Table(title=f"Ratio table: Coastal (synthetic) {year - 1}-{year % 100:02d} against {name}'s "
                        f"statistical neighbours ({published_year} published median)")
    for column in ("Per 10,000 children", "Coastal", "Neighbour median", "Ratio"):
        table.add_column(column, justify="left" if column.startswith("Per") else "right")
    for r in rows.iter_rows(named=True):
        table.add_row(r["row"], *("" if r[k] is None else f"{r[k]:,.{d}f}"
                                  for k, d in (("la_value", 0), ("sn_median", 0), ("ratio", 1))))
    console.print(table)


def main():  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
