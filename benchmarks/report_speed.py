"""How long the monthly report takes, cold: a store version whose figures nobody has asked for yet.

    uv run python benchmarks/report_speed.py                      # the demo's authority: 10 years, coastal
    uv run python benchmarks/report_speed.py --children 300000    # the issue's large authority

Generates a synthetic coastal authority (not timed), then on fresh copies of its store (so no figures are
kept from an earlier run):

1. ``carelens report`` as a new process, all three formats: the whole command, imports included — what an
   analyst waits for (targets: 15 s for the demo's authority, 60 s for 300,000 children);
2. the same report in this process, stage by stage: the figures (through the results API), tables and
   disclosure, narrative, chart specifications, and each format (SVGs are rendered by the first format
   that draws them, the PDF).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=None, help="resident children (default: the profile's)")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--audience", default="internal")
    args = parser.parse_args()

    from carelens.model.store import Store
    from carelens.report.build import ReportOptions, build_report, write_report
    from carelens.report.figures import report_month_end
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    with tempfile.TemporaryDirectory(prefix="carelens-report-") as tmp:
        tmp = Path(tmp)
        made = tmp / "made.duckdb"
        started = time.perf_counter()
        profile = load_profile("coastal-high-demand")
        synthesise(made, [AuthoritySpec("890", "Coastal (synthetic)", profile, children=args.children)],
                   years=args.years, seed=1)
        with Store(made, read_only=True) as store:
            children = store.count("person")
        print(f"generated {children:,} children over {args.years} years in {time.perf_counter() - started:.1f} s "
              "(not counted)")

        cold = tmp / "cold.duckdb"
        shutil.copy(made, cold)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "carelens.cli", "report", "--store", str(cold), "--out",
                        str(tmp / "out-cli"), "--audience", args.audience], check=True, capture_output=True)
        whole = time.perf_counter() - started
        print(f"carelens report, a new process, all formats: {whole:.2f} s")

        staged = tmp / "staged.duckdb"
        shutil.copy(made, staged)
        times: dict[str, float] = {}
        last = [time.perf_counter(), "figures"]

        def step(what: str) -> None:
            stage = what.split(":", 1)[0]
            now = time.perf_counter()
            times[last[1]] = times.get(last[1], 0.0) + now - last[0]
            last[0], last[1] = now, stage

        with Store(staged, read_only=True) as store:
            as_at: dt.date = report_month_end(store, "890", None)
            built = build_report(store, "890", as_at, ReportOptions(audience=args.audience), step=step)
            write_report(built, tmp / "out", step=step)
        step("end")
        total = sum(times.values())
        print(f"in-process stages at {as_at} (total {total:.2f} s):")
        for stage, seconds in times.items():
            print(f"  {stage:<10} {seconds:6.2f} s  {100 * seconds / total:4.0f}%")
        target = 60 if children > 150_000 else 15
        print(f"whole command {whole:.2f} s against the {target} s target: ratio {whole / target:.2f}")


if __name__ == "__main__":
    main()
