"""The demo: the whole job on synthetic data, end to end.

Generate the coastal authority (``synth``), write its statutory returns from the store
(``returns``), load those returns into a fresh store as a council would (``ingest``), and summarise
it (``report``): its generated figures against its profile's targets, its headline indicators, and
the ratio table against the statistical neighbours of the real authority it imitates; and write its
monthly performance report (PDF, HTML and Excel) into ``report/``.
``carelens demo`` calls :func:`run` and prints :func:`summary`; the work is here so that it does not
depend on the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from carelens.model.store import Store
    from carelens.synth.profiles import Profile

DEMO_YEARS = (2024, 2025, 2026)  # the returns the demo writes and loads
LA_CODE = "890"
NAME = "Coastal (synthetic)"
SHORT_NAME = "Coastal"  # a column heading
PROFILE = "coastal-high-demand"

Stage = Callable[[str, int], Callable[[], None]]
"""How the caller follows the work: called with what a stage does and in how many steps, it returns
the function to call as each step is done (a progress bar's, say)."""


def _unseen(description: str, steps: int) -> Callable[[], None]:
    return lambda: None


@dataclass(frozen=True)
class Demo:
    """What a run made: the synthetic store, the returns written from it and the store loaded from them."""

    store: Path
    profile: Profile
    returns: list[Path]
    from_returns: Path
    children_loaded: int
    rows_loaded: int
    report: list[Path]  # the monthly report's files (report/)


def run(out: Path, seed: int = 1, years: int = 10, stage: Stage = _unseen) -> Demo:
    """Generate the coastal authority into ``out``, write its returns there and load them into a fresh store.

    ``out`` is made if missing; the stores in it are replaced.
    """
    from carelens.ingest import ingest
    from carelens.model.store import Store
    from carelens.returns.cin_census import write_cin_census
    from carelens.returns.ssda903 import write_ssda903
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    out.mkdir(parents=True, exist_ok=True)
    store_path = out / "carelens.duckdb"
    profile = load_profile(PROFILE)
    simulated = stage(f"Simulating {years} years of a {profile.children:,}-child coastal authority", 1)
    synthesise(store_path, [AuthoritySpec(LA_CODE, NAME, profile)], years=years, seed=seed,
               on_authority=lambda spec, n: simulated())
    written_one = stage("Writing statutory returns", 2 * len(DEMO_YEARS))
    written = []
    with Store(store_path, read_only=True) as store:
        for year in DEMO_YEARS:
            label = f"{year - 1}-{str(year)[2:]}"
            write_ssda903(store, year, out / f"ssda903_{label}")
            written_one()
            write_cin_census(store, year, out / f"cin_census_{label}.xml")
            written_one()
            written += [out / f"ssda903_{label}", out / f"cin_census_{label}.xml"]
    # the path a council takes: its returns loaded into a fresh store, stitched into one history
    from_returns = out / "from_returns.duckdb"
    from_returns.unlink(missing_ok=True)
    loaded_one = stage("Loading the returns into a fresh store", len(written))
    loaded = ingest(from_returns, written, on_source=lambda path, kind: loaded_one())
    report = write_monthly_report(store_path, out / "report", stage)
    return Demo(store_path, profile, written, from_returns, loaded.children, loaded.rows, report)


def write_monthly_report(store_path: Path, out: Path, stage: Stage = _unseen) -> list[Path]:
    """The monthly performance report of the synthetic authority at its latest complete month, in every format.

    From the synthetic store, not the one loaded from the returns: the returns do not carry contacts, early
    help or the workforce, which the report describes."""
    from carelens.model.store import Store
    from carelens.report.build import FORMATS, ReportOptions, build_report, write_report
    from carelens.report.figures import report_month_end

    options = ReportOptions()
    # the report's stages, as build_report tells them (the forecast's only when it has one)
    stages = ("figures", *(("forecast",) if options.forecast_runs else ()), "tables", "narrative", "charts", *FORMATS)
    done_one = stage("Writing the monthly report (PDF, HTML, Excel)", len(stages))
    seen: set[str] = set()

    def step(what: str) -> None:
        stage_name = what.split(":", 1)[0]
        if stage_name not in seen:
            seen.add(stage_name)
            done_one()

    with Store(store_path, read_only=True) as store:
        built = build_report(store, LA_CODE, report_month_end(store, LA_CODE, None), options, step=step, name=NAME)
        return write_report(built, out, step=step)


def summary(demo: Demo) -> Iterator[Table | str]:
    """The demo's summary, one table at a time as each is made: the generated figures of the latest
    return year against the profile's targets, the headline indicators at the latest month end, and
    the ratio table (or why it cannot be shown)."""
    from carelens.model.store import Store
    from carelens.report.demo_summary import headline_table, neighbour_ratio_table

    with Store(demo.store, read_only=True) as store:
        yield generated_against_targets(store, demo.profile, max(DEMO_YEARS), NAME)
        table, month_end = headline_table(store, LA_CODE)
        yield table
        yield neighbour_ratio_table(store, LA_CODE, NAME, SHORT_NAME, demo.profile.benchmark_against or LA_CODE,
                                    month_end)


# the tables measure_headlines reads
_CALIBRATION_TABLES = ("population", "referrals", "s47_enquiries", "initial_cp_conferences", "cp_plans",
                       "periods_of_care")


def generated_against_targets(store: Store, profile: Profile, year_ending: int, name: str) -> Table:
    """The headline measures the synthetic authority generated for the year ending March ``year_ending``,
    beside the targets of the profile it was generated from (read from the store's tables: it checks the
    simulator, not an indicator)."""
    from rich.table import Table

    from carelens.synth.calibration import HEADLINES, measure_headlines

    figures = measure_headlines({t: store.to_polars(t) for t in _CALIBRATION_TABLES}, year_ending)
    table = Table(title=f"{name}, year ending 31 March {year_ending}")
    table.add_column("Measure")
    table.add_column("Generated", justify="right")
    table.add_column("Profile target", justify="right")
    for key, label in HEADLINES.items():
        target = profile.targets.get(key)
        table.add_row(label, f"{figures[key]:,.1f}", "" if target is None else f"{target:,.1f}")
    return table
