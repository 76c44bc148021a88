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

Then the same census full of problems: one child in two has one field broken (a sex, UPN, referral
source, ethnicity or assessment factor code that is not in the schema, a birth date written
DD/MM/YYYY, a missing ReferralNFA), thousands of schema problems in all. It should be refused about
as fast as the clean census is read: the last line gives the ratio of the two.
"""

from __future__ import annotations

import argparse
import json
import random
import re
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
    from carelens.ingest.problems import IngestError

    def read():
        try:
            return read_cin_census(path), 0
        except IngestError as e:  # a census with problems: timed until they are all found
            return None, len(e.problems)

    t0 = time.perf_counter()
    extract, problems = read()
    cold = time.perf_counter() - t0
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        read()
        times.append(time.perf_counter() - t0)
    children = extract.children() if extract else len(re.findall(rb"<Child>", path.read_bytes()))
    return {
        "children": children,
        "problems": problems,
        "rows": extract.rows() if extract else 0,
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


# one broken field each: (pattern, replacement) in a child's text
BREAKAGES = [
    (r"<Sex>[MFU]</Sex>", "<Sex>X</Sex>"),
    (r"<UPN>\w+</UPN>", "<UPN>BAD-UPN</UPN>"),
    (r"<ReferralSource>\w+</ReferralSource>", "<ReferralSource>99</ReferralSource>"),
    (r"<PersonBirthDate>(\d{4})-(\d\d)-(\d\d)</PersonBirthDate>", r"<PersonBirthDate>\3/\2/\1</PersonBirthDate>"),
    (r"<AssessmentFactors>\w+</AssessmentFactors>", "<AssessmentFactors>ZZ</AssessmentFactors>"),
    (r"<ReferralNFA>0</ReferralNFA>", ""),
    (r"<Ethnicity>\w+</Ethnicity>", "<Ethnicity>XXXX</Ethnicity>"),
]


def make_faulty(clean: Path, out: Path, seed: int) -> Path:
    """``clean`` with one field broken in one child in two (the same children for the same seed)."""
    rng = random.Random(seed)
    parts = clean.read_text(encoding="utf-8").split("<Child>")
    for i in range(1, len(parts)):
        if rng.random() < 0.5:
            pattern, replacement = rng.choice(BREAKAGES)
            parts[i] = re.sub(pattern, replacement, parts[i], count=1)
    out.write_text("<Child>".join(parts), encoding="utf-8")
    return out


def measure(path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--read", str(path)], capture_output=True, text=True,
                          check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


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
        r = measure(path)
        faulty = measure(make_faulty(path, Path(d) / "faulty.xml", args.seed))
    target = TARGET_SECONDS * max(r["children"], 1) / MIN_CHILDREN
    print(f"{'census':>7} {'children':>9} {'problems':>8} {'rows':>8} {'file MB':>8} {'import s':>8} "
          f"{'cold s':>7} {'best s':>7} {'children/s':>11} {'peak MB':>8} {'target s':>8} {'ratio':>6}")
    for name, x in (("clean", r), ("faulty", faulty)):
        print(f"{name:>7} {x['children']:>9,} {x['problems']:>8,} {x['rows']:>8,} {x['file_mb']:>8.1f} "
              f"{x['import_seconds']:>8.2f} {x['cold_seconds']:>7.2f} {x['best_seconds']:>7.2f} "
              f"{x['children'] / x['best_seconds']:>11,.0f} {x['peak_mb']:>8.0f} {TARGET_SECONDS:>8.1f} "
              f"{x['best_seconds'] / TARGET_SECONDS:>6.2f}")
    if r["children"] != MIN_CHILDREN:
        print(f"(target scaled to this census's size: {target:.2f} s for {r['children']:,} children; "
              f"ratio {r['best_seconds'] / target:.2f})")
    print(f"faulty / clean: {faulty['best_seconds'] / r['best_seconds']:.2f} "
          f"({faulty['problems']:,} problems listed, the rest counted)")

if __name__ == "__main__":
    main()
