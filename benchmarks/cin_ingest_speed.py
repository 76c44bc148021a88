"""How fast a CIN census XML file is read (schema validation included), and how much memory it needs.

    uv run python benchmarks/cin_ingest_speed.py                  # a synthetic authority, 2025 census
    uv run python benchmarks/cin_ingest_speed.py --file census.xml  # any CIN census file

Generates a synthetic authority (coastal-high-demand profile, 60,000 resident children, 6 years;
scaled up until its 2025 census holds at least 10,000 children), writes its 2025 CIN census with
``carelens.returns.cin_census.write_cin_census``, then reads the file with
``carelens.ingest.cin_census.read_cin_census`` in a fresh process: once cold (the first read in
the process: the schema is compiled and the code lists are loaded) and three more times, keeping
the best. Prints children, seconds, children per second, the reading process's peak resident
memory and the ratio of the best time to the target (2 s for 10,000 children).
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

TARGET_SECONDS = 2.0  # for a census of 10,000 children
MIN_CHILDREN = 10_000
REPEATS = 3


def read_case(path: Path) -> dict:
    """Child process: time the reader on one file and report as JSON."""
    t0 = time.perf_counter()
    from carelens.ingest.cin_census import read_cin_census

    import_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    extract = read_cin_census(path)
    cold = time.perf_counter() - t0
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        read_cin_census(path)
        times.append(time.perf_counter() - t0)
    return {
        "children": extract.children(),
        "rows": extract.rows(),
        "file_mb": path.stat().st_size / 1e6,
        "import_seconds": import_seconds,
        "cold_seconds": cold,
        "best_seconds": min(times),
        "peak_mb": peak_mb(),
    }


def peak_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, because ru_maxrss carries over the parent's
    peak through fork and exec (the parent generated the synthetic authority)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_census(folder: Path, population: int, years: int, seed: int) -> tuple[Path, int]:
    """A synthetic authority's 2025 CIN census with at least MIN_CHILDREN children."""
    from carelens.model.store import Store
    from carelens.returns.cin_census import write_cin_census
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    while True:
        store = folder / f"bench_{population}.duckdb"
        spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"),
                             children=population)
        t0 = time.perf_counter()
        synthesise(store, [spec], years=years, seed=seed)
        out = folder / "cin_census_2025.xml"
        with Store(store, read_only=True) as s:
            summary = write_cin_census(s, 2025, out)
        print(f"synthesised {population:,} resident children over {years} years and wrote the 2025 census "
              f"({summary.children:,} children) in {time.perf_counter() - t0:.1f} s", flush=True)
        if summary.children >= MIN_CHILDREN:
            return out, population
        population = int(population * MIN_CHILDREN / max(summary.children, 1) * 1.05) + 1
        store.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="read this CIN census file instead of a synthetic one")
    parser.add_argument("--children", type=int, default=60_000, help="resident children of the synthetic "
                        "authority (raised until the census holds 10,000)")
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:  # child process
        print(json.dumps(read_case(args.read)))
        return

    with tempfile.TemporaryDirectory() as d:
        path = args.file or make_census(Path(d), args.children, args.years, args.seed)[0]
        done = subprocess.run([sys.executable, __file__, "--read", str(path)], capture_output=True, text=True,
                              check=False)
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(done.returncode)
        r = json.loads(done.stdout.strip().splitlines()[-1])
    target = TARGET_SECONDS * max(r["children"], 1) / MIN_CHILDREN
    print(f"{'children':>9} {'rows':>8} {'file MB':>8} {'import s':>8} {'cold s':>7} {'best s':>7} "
          f"{'children/s':>11} {'peak MB':>8} {'target s':>8} {'ratio':>6}")
    print(f"{r['children']:>9,} {r['rows']:>8,} {r['file_mb']:>8.1f} {r['import_seconds']:>8.2f} "
          f"{r['cold_seconds']:>7.2f} {r['best_seconds']:>7.2f} {r['children'] / r['best_seconds']:>11,.0f} "
          f"{r['peak_mb']:>8.0f} {TARGET_SECONDS:>8.1f} {r['best_seconds'] / TARGET_SECONDS:>6.2f}")
    if r["children"] != MIN_CHILDREN:
        print(f"(target scaled to this census's size: {target:.2f} s for {r['children']:,} children; "
              f"ratio {r['best_seconds'] / target:.2f})")


if __name__ == "__main__":
    main()
