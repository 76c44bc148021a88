"""``carelens forecast``: the demand, cost and workforce forecast of children in care from a store, with scenarios
against the baseline, as Rich tables and (``--out``) a workbook, CSV or Parquet file (docs/forecast/outputs.md).

``forecast`` is a command group whose own callback is the forecast, so that subcommands can sit beside it
(``carelens forecast backtest --store PATH``): a subcommand is a function registered on :data:`app` with
``app.command("name")`` (cli/__init__.py does it for each), and the callback does nothing when one is named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from carelens.cli.console import check_out, console, fail, open_store, plain_errors, problem_table, progress
from carelens.forecast.wording import money as _money  # light: no heavy import for --help
from carelens.forecast.wording import number as _number
from carelens.path_problems import output_file_problem

if TYPE_CHECKING:
    from carelens.forecast.comparison import Forecast
    from carelens.forecast.input_problems import ForecastInputError
    from carelens.forecast.workforce import Staffing
    from carelens.model.store import Store

app = typer.Typer(add_completion=False)  # its help is the callback's docstring

OUT_FORMATS = (".xlsx", ".csv", ".parquet")
MAX_YEARS = 5
MIN_RUNS, MAX_RUNS = 10, 5000  # fewer runs give no intervals worth stating; more than 5000 outgrow a laptop's memory


def _input_problems(error: ForecastInputError) -> None:
    """Every problem with an input file, as a table, and exit 2 (the user can fix the file)."""
    console.print(problem_table(f"{len(error.problems)} problem(s) in an input file — nothing was forecast",
                                error.problems))
    raise typer.Exit(code=2)


def _day(option: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date: expected YYYY-MM-DD, e.g. 2026-03-31")


def _input_file(option: str, path: Path | None) -> None:
    if path is not None and not path.is_file():
        fail(f"{option} {path}: {'is a folder; expected a file' if path.is_dir() else 'no such file'}")


@app.callback(invoke_without_command=True)
@plain_errors
def forecast(
    ctx: typer.Context,
    store: Annotated[Path | None, typer.Option(help="DuckDB store to read.")] = None,
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several.")] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", help="The day to forecast from (YYYY-MM-DD): the rates are fitted from the data up to it; "
                       "default: the data's last day.")] = None,
    years: Annotated[int, typer.Option(help=f"Years to project, 1 to {MAX_YEARS}.")] = 5,
    runs: Annotated[int, typer.Option(help=f"Simulation runs, {MIN_RUNS} to {MAX_RUNS}: the intervals come from "
                                           "their spread.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same forecast.")] = 0,
    scenario: Annotated[list[Path] | None, typer.Option(
        help="A scenarios file (YAML; start from the shipped scenarios_example.yaml); may be given more than "
             "once.")] = None,
    unit_costs: Annotated[Path | None, typer.Option(
        "--unit-costs", help="Weekly unit costs by placement category (YAML); default: the shipped illustrative "
                             "ones.")] = None,
    population: Annotated[Path | None, typer.Option(
        help="Resident children by year and age (CSV: year, age, children), e.g. ONS projections; default: the "
             "store's population, else the published estimates.")] = None,
    target_caseload: Annotated[float | None, typer.Option(
        "--target-caseload", help="Children per FTE social worker; default: the children in care teams' caseload "
                                  "now.")] = None,
    vacancy_rate: Annotated[float | None, typer.Option(
        "--vacancy-rate", help="Share of funded posts nobody fills (net of agency cover), e.g. 0.1; default 0.")
    ] = None,
    agency_share: Annotated[float | None, typer.Option(
        "--agency-share", help="Share of social workers in post who are agency workers, e.g. 0.2; default: the "
                               "share now (G3).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the forecast: .xlsx (a workbook for the budget meeting), .csv or .parquet (the long summary "
             "frame).")] = None,
):
    """Forecast the children in care by age and placement, what their care will cost and the social workers
    they need, with intervals; and each scenario against the baseline."""
    if ctx.invoked_subcommand is not None:
        return
    if store is None:
        fail("--store PATH is needed: the store to forecast from")
    from carelens.forecast.costs import default_unit_costs, read_unit_costs
    from carelens.forecast.input_problems import ForecastInputError
    from carelens.forecast.population import read_population_projection
    from carelens.forecast.scenarios import read_scenarios

    start = _day("--from", from_)
    if not 1 <= years <= MAX_YEARS:
        fail(f"--years {years}: expected a whole number of years from 1 to {MAX_YEARS}")
    if not MIN_RUNS <= runs <= MAX_RUNS:
        fail(f"--runs {runs}: expected {MIN_RUNS} to {MAX_RUNS} runs")
    if target_caseload is not None and not target_caseload > 0:
        fail(f"--target-caseload {target_caseload:g}: expected children per FTE, more than 0 (e.g. 15)")
    if vacancy_rate is not None and not 0 <= vacancy_rate < 1:
        fail(f"--vacancy-rate {vacancy_rate:g}: expected a fraction from 0 to under 1 (e.g. 0.1 for 10%)")
    if agency_share is not None and not 0 <= agency_share <= 1:
        fail(f"--agency-share {agency_share:g}: expected a fraction from 0 to 1 (e.g. 0.2 for 20%)")
    if out is not None:
        check_out(output_file_problem("--out", out))
        if out.suffix.lower() not in OUT_FORMATS:
            fail(f"--out {out}: expected a file ending {', '.join(OUT_FORMATS)}")
    for option, path in (("--unit-costs", unit_costs), ("--population", population),
                         *(("--scenario", p) for p in scenario or ())):
        _input_file(option, path)
    try:  # every input file checked before the store is read; the days of the changes once the start is known
        costs = read_unit_costs(unit_costs) if unit_costs else default_unit_costs()
        people = read_population_projection(population) if population else None
        for path in scenario or ():
            read_scenarios(path, start)
    except ForecastInputError as e:
        _input_problems(e)

    with open_store(store) as s:
        try:
            la_code = s.authority(la)
        except ValueError as e:
            fail(str(e))
        result, staffing = _run(s, la_code, start, years, runs, seed, tuple(scenario or ()), costs, people,
                                target_caseload, vacancy_rate, agency_share, out)
    _show(result, staffing)
    if out is not None:
        console.print(f"Wrote {out}")


def _run(s: Store, la_code, start, years, runs, seed, scenario_files, costs, people, target_caseload, vacancy_rate,
         agency_share, out) -> tuple[Forecast, Staffing]:
    from carelens.forecast.comparison import run_forecast
    from carelens.forecast.histories import care_histories
    from carelens.forecast.input_problems import ForecastInputError
    from carelens.forecast.outputs import write_forecast
    from carelens.forecast.population import PopulationUnavailable
    from carelens.forecast.rates import fit
    from carelens.forecast.scenarios import check_names, read_scenarios
    from carelens.forecast.simulate import years_after
    from carelens.forecast.workforce import staffing_for

    with progress() as bars:
        # the scenarios are projected one after another: a step for each, the fit's two and the file's
        task = bars.add_task(f"Forecast for {la_code}: reading the care histories", total=None)
        try:
            histories = care_histories(s, la_code, start, people)
        except PopulationUnavailable as e:
            fail(str(e))
        bars.update(task, description=f"Forecast for {la_code}: fitting the rates")
        rates = fit(histories, start)
        if rates.in_care.height == 0 and rates.entries.sum() == 0:
            fail(f"{s.path}: no child of authority {la_code} was in care or entered care in the three years to "
                 f"{rates.as_at}: there is nothing to forecast from")
        end = years_after(rates.as_at, years)
        try:
            scenarios = tuple(sc for path in scenario_files for sc in read_scenarios(path, rates.as_at, end))
            check_names(scenarios)
        except ForecastInputError as e:
            bars.live.transient = True  # the problems stand alone, with no bar above them
            bars.stop()
            _input_problems(e)
        staffing = staffing_for(s, la_code, rates.as_at, target_caseload, vacancy_rate, agency_share)
        steps = 1 + len(scenarios) + (out is not None)
        bars.update(task, total=steps, completed=0)

        projected: list[str] = []

        def step(name: str) -> None:  # told before each projection starts
            bars.update(task, completed=len(projected),
                        description=f"Forecast for {la_code}: projecting {name} ({runs:,} runs)")
            projected.append(name)

        result = run_forecast(rates, costs, staffing, scenarios, years=years, runs=runs, seed=seed,
                              population_source=histories.population_source, step=step)
        bars.update(task, completed=1 + len(scenarios),
                    description=f"Forecast for {la_code}: {1 + len(scenarios)} projection(s) of {runs:,} runs")
        if out is not None:
            bars.update(task, description=f"Forecast for {la_code}: writing {out.name}")
            write_forecast(result, out)
            bars.update(task, completed=steps)
    for note in histories.notes:
        console.print(f"[yellow]note:[/] {note}")
    return result, staffing


# --- the tables ---

def _interval(row: dict, show, width: int = 80) -> str:
    return f"{show(row[f'lower_{width}'])} to {show(row[f'upper_{width}'])}"


def _show(result: Forecast, staffing: Staffing) -> None:
    import polars as pl

    from carelens.forecast.workforce import year_end_days

    base = result.baseline.projection
    r = result.rates
    console.print(f"[bold]Forecast of children in care for {r.la_code}[/] from {base.start}, {base.runs:,} runs "
                  f"(seed {base.seed}); rates fitted from {r.window_start} to {r.as_at}; population: "
                  f"{result.population_source}; unit costs: {result.costs.file or 'given'}")
    head = result.headline()

    def rows(section: str) -> list[dict]:
        return head.filter(pl.col("section") == section).to_dicts()

    children = Table(title="Children in care", title_justify="left")
    for column in ("on", "median", "80% interval", "95% interval"):
        children.add_column(column, justify="left" if column == "on" else "right")
    for row in rows("children in care"):
        children.add_row(row["period"], _number(row["median"]), _interval(row, _number),
                         _interval(row, _number, 95))
    console.print(children)

    last = base.start + dt.timedelta(days=year_end_days(base)[-1])
    now = {name: int(values[0, 0]) for name, values in base.series().items()}
    placements = Table(title=f"Children in care by placement on {last}", title_justify="left")
    for column in ("placement", f"now ({base.start})", "median", "80% interval"):
        placements.add_column(column, justify="left" if column == "placement" else "right")
    for row in rows("placements"):
        placements.add_row(row["series"].replace("_", " "), _number(now[row["series"]]), _number(row["median"]),
                           _interval(row, _number))
    console.print(placements)

    spend = Table(title=f"Spend on placements by financial year ({result.costs.currency}, each year's prices)",
                  title_justify="left")
    for column in ("financial year", "median", "80% interval", "mean"):
        spend.add_column(column, justify="left" if column == "financial year" else "right")
    for row in rows("spend"):
        spend.add_row(row["period"], _money(row["median"]), _interval(row, _money), _money(row["mean"]))
    console.print(spend)

    fte = Table(title=f"Social workers needed (FTE) at {staffing.target_caseload:.1f} children per FTE, "
                      f"{staffing.vacancy_rate:.0%} of posts vacant, {staffing.agency_share:.0%} agency",
                title_justify="left")
    for column in ("on", "in post: median", "80% interval", "establishment: median", "80% interval "):
        fte.add_column(column, justify="left" if column == "on" else "right")
    staff = result.workforce().filter(pl.col("scenario") == "baseline")
    for day in staff["date"].unique().sort():
        in_post = staff.filter((pl.col("date") == day) & (pl.col("measure") == "in_post")).row(0, named=True)
        posts = staff.filter((pl.col("date") == day) & (pl.col("measure") == "establishment")).row(0, named=True)
        one = lambda v: _number(v, 1)  # noqa: E731
        fte.add_row(str(day), one(in_post["median"]), _interval(in_post, one), one(posts["median"]),
                    _interval(posts, one))
    console.print(fte)
    for source in staffing.sources:
        console.print(f"  {source}")
    if result.scenarios:
        _show_scenarios(result)


def _show_scenarios(result: Forecast) -> None:
    import polars as pl

    children = result.children_difference().filter(pl.col("series") == "total")
    fte = result.fte_difference().filter(pl.col("measure") == "establishment")
    spend = result.spend_difference().filter(pl.col("line") == "total")
    start = result.baseline.projection.start
    table = Table(title="Each scenario against the baseline (scenario − baseline, run by run: median and 80% "
                        "interval)", title_justify="left")
    for column in ("scenario", "on", "children", "80% interval", "establishment (FTE)", "80% interval "):
        table.add_column(column, justify="left" if column in ("scenario", "on") else "right")
    for o in result.scenarios:
        c = children.filter((pl.col("scenario") == o.name) & (pl.col("date") > start)).to_dicts()
        f = fte.filter((pl.col("scenario") == o.name) & (pl.col("date") > start)).to_dicts()
        for i, (cr, fr) in enumerate(zip(c, f, strict=True)):
            signed = lambda v: _number(v, signed=True)  # noqa: E731
            signed_fte = lambda v: _number(v, 1, signed=True)  # noqa: E731
            table.add_row(o.name if i == 0 else "", str(cr["date"]), signed(cr["median"]), _interval(cr, signed),
                          signed_fte(fr["median"]), _interval(fr, signed_fte), end_section=i == len(c) - 1)
    console.print(table)
    costs = Table(title="What each scenario costs beyond the baseline (negative: a saving), by financial year",
                  title_justify="left")
    for column in ("scenario", "financial year", "median", "80% interval", "mean"):
        costs.add_column(column, justify="left" if column in ("scenario", "financial year") else "right")
    for o in result.scenarios:
        rows = spend.filter(pl.col("scenario") == o.name).to_dicts()
        for i, row in enumerate(rows):
            costs.add_row(o.name if i == 0 else "", row["financial_year"], _money(row["median"]),
                          _interval(row, _money), _money(row["mean"]), end_section=i == len(rows) - 1)
    console.print(costs)
    for o in result.scenarios:
        console.print(f"  [bold]{o.name}[/]: {'; '.join(o.scenario.steps)}")
