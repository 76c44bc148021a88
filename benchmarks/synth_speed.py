"""How fast the synthetic authority generator runs, and how much memory it needs.

    uv run python benchmarks/synth_speed.py            # 30,000 and 300,000 children, 10 years
    uv run python benchmarks/synth_speed.py --england  # also every English authority, 10 years

Each case runs in a fresh process (so peak memory is that case's own, including the worker
processes a pool uses) and writes a real DuckDB store. Prints seconds, children who met services, rows, rows per second, peak
resident memory, and the ratio to the target from the foundation issue.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {  # seconds allowed, from the issue
    "30k": 20,
    "300k": 180,
    "england": 1800,
}
PEAK_MEMORY_LIMIT_GB = 4.0


def run_case(case: str, store: Path) -> dict:
    from carelens.synth import AuthoritySpec, england_specs, load_profile, synthesise

    if case == "30k":
        specs = [AuthoritySpec("890", "Coastal", load_profile("coastal-high-demand"), children=30_000)]
    elif case == "300k":
        specs = [AuthoritySpec("886", "Large", load_profile("england"), children=300_000)]
    else:
        specs = england_specs()
    t0 = time.perf_counter()
    summary = synthesise(store, specs, years=10, seed=1)
    seconds = time.perf_counter() - t0
    # the largest resident size of this process or of any worker process it started (this process is
    # started by a parent that only imported modules, so the inherited part of ru_maxrss is small)
    peak_gb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024 / 1024
    return {"case": case, "authorities": summary.authorities, "children": summary.children, "rows": summary.rows,
            "seconds": seconds, "peak_gb": peak_gb, "store_mb": store.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--england", action="store_true", help="also generate all of England (minutes)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # child process: run one case and report as JSON
        with tempfile.TemporaryDirectory() as d:
            print(json.dumps(run_case(args.case, Path(d) / "bench.duckdb")))
        return
    cases = ["30k", "300k"] + (["england"] if args.england else [])
    print(f"{'case':<8} {'LAs':>4} {'children':>11} {'rows':>13} {'seconds':>8} {'rows/s':>10} "
          f"{'peak GB':>8} {'target s':>8} {'ratio':>6}")
    for case in cases:
        out = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        ratio = r["seconds"] / TARGETS[case]
        print(f"{case:<8} {r['authorities']:>4} {r['children']:>11,} {r['rows']:>13,} {r['seconds']:>8.1f} "
              f"{r['rows'] / r['seconds']:>10,.0f} {r['peak_gb']:>8.2f} {TARGETS[case]:>8} {ratio:>6.2f}"
              f"{'' if ratio <= 1 and r['peak_gb'] <= PEAK_MEMORY_LIMIT_GB else '  OVER'}")


if __name__ == "__main__":
    main()
