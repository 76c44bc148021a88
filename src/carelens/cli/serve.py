"""``carelens serve``: the web application on this machine, under gunicorn with several workers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carelens.cli.console import console, fail, plain_errors


@plain_errors
def serve(
    store: Annotated[Path, typer.Option(help="The child-journey store to show (DuckDB).")] = Path(
        "out/demo/carelens.duckdb"),
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="gunicorn worker processes.")] = 3,
    data: Annotated[Path, typer.Option(help="Folder for the app's own database and static files.")] = Path(
        "carelens-web"),
    production: Annotated[bool, typer.Option("--production", help="Refuse to start with settings unfit for real "
                                                                  "data (DEBUG, a default key, no hosts, no HTTPS).")
                          ] = False,
):
    """Serve the CareLens web app: dashboards, indicators, children, loads and reports, by role."""
    from carelens.web.serving import ServeError, Serving
    from carelens.web.serving import serve as run

    try:
        console.print(f"CareLens on http://{host}:{port}/ (store {store}); stop with Ctrl+C")
        raise typer.Exit(run(Serving(store, host, port, workers, production, data)))
    except ServeError as e:
        fail(str(e))
