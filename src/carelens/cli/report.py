"""``carelens report``: the monthly performance report (§5 of the scrutiny pack) from a store, as an accessible
PDF, one HTML file and an Excel workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from carelens.cli.console import check_out, console, fail, open_store, plain_errors, progress
from carelens.path_problems import output_folder_problem


@plain_errors
def report(
    store: Annotated[Path, typer.Option(help="DuckDB store to read.")],
    out: Annotated[Path, typer.Option(help="Folder to write the report into (made if missing).")],
    as_at: Annotated[str | None, typer.Option("--as-at", help="The month end to report on (YYYY-MM-DD); default: "
                                                              "the latest complete month the store holds.")] = None,
    audience: Annotated[str, typer.Option(help="internal (everything, team caseloads included) or published (for "
                                               "councillors and the public: small numbers suppressed).")
                        ] = "internal",
    fmt: Annotated[str, typer.Option("--format", help="Formats, comma-separated: pdf, html, xlsx.")
                   ] = "pdf,html,xlsx",
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several.")] = None,
    compare_with: Annotated[str | None, typer.Option(
        "--compare-with", help="The authority (code or name) whose statistical neighbours, region and England to "
                               "compare with; default: the store's authority, or the one a synthetic authority "
                               "imitates.")] = None,
    narrative: Annotated[Path | None, typer.Option(
        help="Edits to the drafted narrative (YAML keyed by section and measure; start from the -narrative.yaml a "
             "run writes).")] = None,
    threshold: Annotated[int, typer.Option(help="Published: counts below this are not shown.")] = 5,
    team_min_workers: Annotated[int, typer.Option("--team-min-workers", help="Published: teams with fewer social "
                                                                             "workers are shown together.")] = 5,
    forecast_runs: Annotated[int, typer.Option("--forecast-runs", help="Simulated futures in the forecast section "
                                                                       "(0: no forecast section).")] = 500,
    forecast_years: Annotated[int, typer.Option("--forecast-years", help="How far the forecast section looks "
                                                                         "ahead, in years (1 to 5).")] = 5,
):
    """The monthly children's social care performance report for one authority at a month end.

    Sections in the order of the hand-written overview: open cases, front door, child protection activity,
    child protection plans, children in care, placements, adoption and special guardianship, care leavers,
    caseloads, then the forecast of children in care. Each measure gets a drafted paragraph (every number from the
    computed figures), a trend chart with control limits, and its benchmarks. Writes
    NAME-YYYY-MM-AUDIENCE.{pdf,html,xlsx} and NAME-YYYY-MM-AUDIENCE-narrative.yaml (the drafts).
    """
    from carelens.indicators.api import SelectionError
    from carelens.report.build import AUDIENCES, FORMATS, ReportOptions, build_report, write_report
    from carelens.report.figures import report_month_end
    from carelens.report.narrative.edits import EditsError, read_edits

    formats = tuple(f.strip().lower() for f in fmt.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        fail(f"--format {fmt!r}: expected one or more of pdf, html, xlsx, comma-separated")
    if audience not in AUDIENCES:
        fail(f"--audience {audience!r}: expected internal or published")
    if threshold < 1 or team_min_workers < 1:
        fail("--threshold and --team-min-workers must be 1 or more")
    if forecast_runs < 0 or not 1 <= forecast_years <= 5:
        fail(f"--forecast-runs {forecast_runs} and --forecast-years {forecast_years}: expected 0 or more runs (0: no "
             "forecast section) and 1 to 5 years (the forecast's horizon)")
    day = None
    if as_at is not None:
        try:
            day = dt.date.fromisoformat(as_at)
        except ValueError:
            fail(f"--as-at {as_at!r} is not a date: expected YYYY-MM-DD, e.g. 2026-03-31")
    check_out(output_folder_problem("--out", out))
    try:
        edits = read_edits(narrative) if narrative is not None else None
    except EditsError as e:
        fail(str(e))
    options = ReportOptions(audience=audience, compare_with=compare_with, suppression_threshold=threshold,
                            team_min_workers=team_min_workers, edits=edits, edits_path=narrative,
                            forecast_runs=forecast_runs, forecast_years=forecast_years)
    stages = ("figures", *(("forecast",) if forecast_runs else ()), "tables", "narrative", "charts", *formats)
    with open_store(store) as s:
        try:
            la_code = s.authority(la)
        except ValueError as e:
            fail(str(e))
        try:
            month_end = report_month_end(s, la_code, day)
        except ValueError as e:
            fail(str(e))
        with progress() as bars:
            task = bars.add_task(f"Report for {la_code} at {month_end}", total=len(stages))
            done: set[str] = set()

            def step(what: str) -> None:
                stage = what.split(":", 1)[0]
                bars.update(task, description=f"Report for {la_code} at {month_end}: {what}")
                if stage not in done:
                    done.add(stage)
                    bars.update(task, completed=len(done) - 1)

            try:
                built = build_report(s, la_code, month_end, options, step=step)
            except (SelectionError, EditsError) as e:
                fail(str(e))
            paths = write_report(built, out, formats, step=step)
            bars.update(task, completed=len(stages))
    stale = [p.key for sec in built.report.all_sections() for p in sec.paragraphs() if p.stale]
    for path in paths:
        console.print(f"Wrote {path}")
    if stale:
        console.print(f"[yellow]Edited paragraphs written against figures that have changed: {', '.join(stale)} — "
                      "check them (the internal report flags them).[/]")
