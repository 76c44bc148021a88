"""How long `carelens --help` and each verb's --help take to start, now and (optionally) before a change.

    uv run python benchmarks/cli_start.py                  # this checkout
    uv run python benchmarks/cli_start.py --before 890f8c5 # and a past revision, side by side

Each run is a fresh process (`python -m carelens.cli VERB --help`, which is what the installed
`carelens` script runs), so nothing is imported already; the figure is the median of --runs runs.
A past revision's `src/` is taken with `git archive` into a temporary folder and put first on
PYTHONPATH, with this checkout's installed libraries. The target (issue 13): 0.3 s or less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.3
VERBS = ([], ["ingest"], ["indicators"], ["synth"], ["benchmark"], ["returns", "903"], ["returns", "cin"],
         ["demo"], ["benchmarks", "build"])
REPO = Path(__file__).resolve().parent.parent


def start_time(verb: list[str], runs: int, src: Path | None) -> tuple[float, float]:
    """Median seconds for `carelens VERB --help` in a fresh process: elapsed, and CPU (user + system).

    The CPU time is shown too because on a shared machine the elapsed time includes waiting for
    a core; the CPU time is the command's own work.
    """
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    elapsed, cpu = [], []
    for _ in range(runs):
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "carelens.cli", *verb, "--help"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        elapsed.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
    return statistics.median(elapsed), statistics.median(cpu)


def python_alone(runs: int) -> float:
    """The floor: an interpreter that imports nothing of ours."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (the median is shown)")
    parser.add_argument("--before", help="a git revision to measure too, e.g. the commit before a change")
    args = parser.parse_args()
    before_src = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.before, "src"], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            before_src = Path(tmp) / "src"
        print(f"Python alone: {python_alone(args.runs):.2f} s (median of {args.runs}); target {TARGET_SECONDS} s")
        columns = ["before", "now", "ratio"] if before_src else ["now"]
        print(f"{'command':<34}" + "".join(f"{c:>16}" for c in columns) + "  within target")
        print(f"{'':<34}" + "".join(f"{'elapsed / cpu':>16}" for _ in columns))
        worst = worst_cpu = 0.0
        for verb in VERBS:
            name = " ".join(["carelens", *verb, "--help"])
            now, now_cpu = start_time(verb, args.runs, None)
            worst, worst_cpu = max(worst, now), max(worst_cpu, now_cpu)
            line = f"{name:<34}"
            if before_src:
                then, then_cpu = start_time(verb, args.runs, before_src)
                line += f"{then:>8.2f}/{then_cpu:>5.2f} s{now:>8.2f}/{now_cpu:>5.2f} s"
                line += f"{then / now:>9.1f}/{then_cpu / now_cpu:>4.1f}x"
            else:
                line += f"{now:>8.2f}/{now_cpu:>5.2f} s"
            print(line + f"  {'yes' if now <= TARGET_SECONDS else 'NO'}")
        print(f"slowest now: {worst:.2f} s elapsed, {worst_cpu:.2f} s CPU (target {TARGET_SECONDS} s elapsed)")


if __name__ == "__main__":
    main()
