"""The ``carelens`` command: the Typer app, with a module per verb.

Every verb has ``--help``. Long work shows progress bars; problems a user can fix are reported as
plain messages (no tracebacks) with a non-zero exit code (:mod:`carelens.cli.console`, shared by
every verb). The verbs parse their options and print; the work is done by the packages below.
Each verb imports its heavy libraries (polars, duckdb, ibis…) inside its command, so that every
``--help`` starts in 0.3 s (tests/test_cli_start.py, benchmarks/cli_start.py).
"""

from __future__ import annotations

import typer

from carelens.cli import (
    benchmark,
    benchmarks,
    demo,
    forecast,
    forecast_backtest,
    indicators,
    ingest,
    report,
    returns,
    serve,
    synth,
)

app = typer.Typer(help="CareLens: one trustworthy picture of children's social care.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
# in the order `carelens --help` lists them
for verb in (benchmark.benchmark, synth.synth, ingest.ingest, indicators.indicators, report.report, serve.serve,
             demo.demo):
    app.command()(verb)
app.add_typer(returns.app, name="returns")
app.add_typer(benchmarks.app, name="benchmarks")
# `carelens forecast` is a group whose callback is the forecast itself; its subcommands are registered on
# forecast.app, e.g. forecast.app.command("backtest")(forecast_backtest.backtest)
app.add_typer(forecast.app, name="forecast")
forecast.app.command("backtest")(forecast_backtest.backtest)


def main():  # pragma: no cover - entry point
    app()


__all__ = ["app", "main"]
