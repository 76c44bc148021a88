"""How fast ten years of a large authority's returns load into the store, and with how much memory.

    uv run python benchmarks/ingest_speed.py [--children 300000]

Generates a synthetic authority (england profile, 10 years), writes its SSDA903 and CIN census
returns for every collection year the writers support (2016/17 to 2025/26), then — in a fresh
process, so the figures are the load's own — reads, checks and stitches all of them into a new
DuckDB store. Prints files, children, rows, seconds, rows per second, peak resident memory and the
ratios to the targets (60 s, 2 GB).
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

TARGET_SECONDS = 60
TARGET_PEAK_GB = 2.0


def prepare(folder: Path, children: int) -> list[Path]:
    from carelens.model.store import Store
    from carelens.returns import cin_census, ssda903
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    spec = AuthoritySpec("886", "Large (synthetic)", load_profile("england"), children=children)
    synthesise(folder / "synthetic.duckdb", [spec], years=10, seed=1)
    years = sorted(set(ssda903.SUPPORTED_YEARS) & set(cin_census.COLLECTION_YEARS))
    paths = []
    with Store(folder / "synthetic.duckdb", read_only=True) as store:
        for year in years:
            ssda903.write_ssda903(store, year, folder / f"ssda903_{year}")
            cin_census.write_cin_census(store, year, folder / f"cin_{year}.xml")
            paths += [folder / f"ssda903_{year}", folder / f"cin_{year}.xml"]
    return paths


def load(paths: list[str], store: str) -> dict:
    from carelens.ingest import ingest

    t0 = time.perf_counter()
    report = ingest(store, paths)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "children": report.children, "rows": report.rows, "peak_gb": peak_gb()}


def peak_gb() -> float:
    """This process's own peak resident memory. (ru_maxrss is kept across exec, so a child started by a
    parent that had just generated the authority would report the parent's peak.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=300_000)
    parser.add_argument("--load", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:  # child process: the load itself
        print(json.dumps(load(args.load, args.store)))
        return
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        t0 = time.perf_counter()
        paths = prepare(folder, args.children)
        print(f"prepared {len(paths)} returns for {args.children:,} children in {time.perf_counter() - t0:.0f} s")
        out = subprocess.run([sys.executable, __file__, "--store", str(folder / "loaded.duckdb"), "--load",
                              *map(str, paths)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{'files':>5} {'children':>10} {'rows':>12} {'seconds':>8} {'rows/s':>10} {'peak GB':>8} "
              f"{'s ratio':>8} {'GB ratio':>8}")
        print(f"{len(paths):>5} {r['children']:>10,} {r['rows']:>12,} {r['seconds']:>8.1f} "
              f"{r['rows'] / r['seconds']:>10,.0f} {r['peak_gb']:>8.2f} {r['seconds'] / TARGET_SECONDS:>8.2f} "
              f"{r['peak_gb'] / TARGET_PEAK_GB:>8.2f}")


if __name__ == "__main__":
    main()
