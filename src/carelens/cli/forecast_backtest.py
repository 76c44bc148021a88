"""``carelens forecast backtest``: how accurate the forecast has been on the store's own history.

The body of the subcommand, as a plain function with Typer options (``backtest``), so that the ``forecast``
command group registers it (``forecast_app.command("backtest")(backtest)``). docs/forecast/backtest.md says what
it measures and how to read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from carelens.cli.console import check_out, console, fail, open_store, plain_errors, progress
from carelens.path_problems import output_file_problem

OUT_SUFFIXES = (".csv", ".xlsx")


@plain_errors
def backtest(
    store: Annotated[Path, typer.Option(help="DuckDB store to read.")],
    la: Annotated[str | None, typer.Option(help="Authority, when the store holds several.")] = None,
    runs: Annotated[int, typer.Option(min=1, help="Simulation runs of each projection (more: steadier "
                                                  "intervals, slower).")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same figures.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write every forecast (.csv), or the summary, every forecast "
                                                  "and the origins as sheets (.xlsx).")] = None,
):
    """Refit the forecast at each quarter end of the data's last three years, project up to 24 months, and
    compare with what happened: errors at 6, 12 and 24 months, against the last value carried forward and a
    12-month linear trend, and how often the 50/80/95% intervals held the outcome."""
    if out is not None:
        if out.suffix.lower() not in OUT_SUFFIXES:
            fail(f"--out {out}: expected a .csv or .xlsx file")
        check_out(output_file_problem("--out", out))
    from carelens.forecast.backtest import BacktestError, data_first_day
    from carelens.forecast.backtest import backtest as run_backtest
    from carelens.forecast.histories import care_histories
    from carelens.forecast.population import PopulationUnavailable

    with progress() as bars:
        reading = bars.add_task("Reading the care histories", total=None)
        with open_store(store) as s:
            try:
                la_code = s.authority(la)
                histories = care_histories(s, la_code)
            except (PopulationUnavailable, ValueError) as e:
                fail(str(e))
            first_day = data_first_day(s, la_code)
        bars.update(reading, total=1, completed=1)
        refits = bars.add_task("Refitting and projecting at each origin", total=None)

        def done(i: int, n: int, _origin) -> None:
            bars.update(refits, total=n, completed=i)

        try:
            result = run_backtest(histories, first_day=first_day, runs=runs, seed=seed, on_origin=done)
        except BacktestError as e:
            fail(str(e))
    console.print(summary_table(result))
    seconds = result.seconds
    console.print(f"{len(result.origins)} origins, {result.origins[0]} to {result.origins[-1]}, "
                  f"{result.runs:,} runs each; {seconds['total']:.1f} s (fitting {seconds['fit']:.1f} s, "
                  f"projecting {seconds['project']:.1f} s)")
    if out is not None:
        write(result, out)
        console.print(f"Written to {out}")


def _share(inside, forecasts) -> str:
    return "" if inside is None else f"{inside}/{forecasts}"


def summary_table(result) -> Table:
    """The headline measures: per horizon and method, the total's MAPE and the categories' weighted error,
    and CareLens's interval coverage."""
    import polars as pl

    s = result.summary
    table = Table(title=f"Backtest of the forecast for {result.la_code}: errors against what happened",
                  box=box.SIMPLE_HEAD, caption="MAPE: mean absolute percentage error of the total; WAPE: "
                  "Σ|error| / Σ children over the placement categories; in N%: outcomes inside the N% interval")
    for column in ("months", "method", "forecasts", "MAPE", "WAPE", "in 50%", "in 80%", "in 95%"):
        table.add_column(column, justify="left" if column == "method" else "right", no_wrap=True)
    total = s.filter(pl.col("series") == "total")
    pooled = {(r["method"], r["horizon_months"]): r["wape"]
              for r in s.filter(pl.col("series") == "all_categories").iter_rows(named=True)}
    for r in total.sort("horizon_months").iter_rows(named=True):
        wape = pooled.get((r["method"], r["horizon_months"]))
        table.add_row(str(r["horizon_months"]), r["method"].replace("_", " "), str(r["forecasts"]),
                      f"{r['mape']:.1f}%", "" if wape is None else f"{wape:.1f}%",
                      *(_share(r[f"inside_{level}"], r["forecasts"]) for level in (50, 80, 95)))
    return table


def write(result, out: Path) -> None:
    """Every forecast as CSV; or the summary, every forecast and the origins as sheets of a workbook."""
    import polars as pl

    if out.suffix.lower() == ".csv":
        result.results.write_csv(out)
        return
    import xlsxwriter

    origins = pl.DataFrame({"origin": list(result.origins)})
    with xlsxwriter.Workbook(str(out)) as book:
        result.summary.write_excel(book, worksheet="summary", autofit=True)
        result.results.write_excel(book, worksheet="forecasts", autofit=True)
        origins.write_excel(book, worksheet="origins", autofit=True)
