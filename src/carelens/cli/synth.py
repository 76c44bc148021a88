"""``carelens synth``: generate a synthetic local authority, or every English one, into a store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from carelens.cli.console import console, fail, plain_errors, progress


@plain_errors
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
        fail(f"--end {end!r} is not a date: expected YYYY-MM-DD")
    try:
        if england or region:
            specs = england_specs(profile=profile if profile != "coastal-high-demand" else "england", region=region,
                                  scale=scale)
        else:
            if not (la.isdigit() and len(la) == 3):
                fail(f"--la {la!r}: expected a 3-digit DfE authority number such as 890")
            prof = load_profile(profile)
            specs = [AuthoritySpec(la, name, prof, children)]
    except (ProfileError, ValueError) as e:
        fail(str(e))
    from carelens.model.store_file import check_replaceable

    check_replaceable(store)  # said now, not after minutes of simulating
    with progress() as bars:
        task = bars.add_task("Simulating authorities", total=len(specs))

        def done(spec, n):
            bars.update(task, advance=1, description=f"Simulated {spec.name} ({n:,} children met services)")

        summary = synthesise(store, specs, years=years, seed=seed, end=end_date, on_authority=done)
    console.print(f"Wrote {summary.authorities} authorit{'y' if summary.authorities == 1 else 'ies'}, "
                  f"{summary.children:,} children and {summary.rows:,} rows to {summary.store}")

