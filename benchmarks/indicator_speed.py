"""How fast the whole indicator catalogue computes, with every series, and with how much memory.

    uv run python benchmarks/indicator_speed.py [--children 300000] [--spark] [--store PATH]
    uv run python benchmarks/indicator_speed.py --england [--store PATH]

Single authority: generates a 10-year synthetic authority (england profile), then — in a fresh
process, so the figures are a cold start's own — opens the DuckDB store and computes every
indicator in the catalogue over every standard window (ISO weeks, 4 weeks, months, rolling 3/6/12
months, financial years, year to date, as at) for the total. Prints seconds, result rows, peak
resident memory and the ratio to the targets (10 s, 4 GB). It then times the breakdowns (age band,
sex, ethnicity, team, worker and each indicator's domain breakdowns) over months and financial
years, which a monthly report adds. ``--store`` reuses an authority generated before (code 886, as the
script generates it) instead of generating one. With ``--spark`` the same catalogue is computed on a local
Spark session from a copy of the store and the two results are compared value by value.

England: generates (or reuses, with ``--store``) all 153 synthetic authorities over 10 years and, in a
fresh process, computes the whole catalogue with every series for every one of them, ``--pass-size``
authorities per pass (``evaluate_series`` given several authorities: each query counts all of them at
once; passes bound the memory a query needs); target 5 minutes and 4 GB. ``--one-by-one N`` also times
N authorities evaluated one at a time, as a council's own store is, for comparison.

Cold means a fresh process on CareLens as ``scripts/setup.sh`` installs it, its packages compiled to
bytecode (docs/indicators/engine.md, "Speed").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10
TARGET_ENGLAND_SECONDS = 300
TARGET_PEAK_GB = 4.0
ENGLAND_PASS_SIZE = 20  # authorities per pass: about 1.2 million children known, four 300,000-child authorities
ENGLAND_DUCKDB_MEMORY = "2.5GB"  # DuckDB's own ceiling within the 4 GB target (it spills beyond it)
BREAKDOWN_KINDS = ("month", "financial_year")


def peak_gb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024 / 1024


def catalogue_periods(store, la: str):
    """Every standard window of the ten years ending at the latest month end (the history before
    them holds only the children already known when the simulation starts)."""
    from carelens.report.headlines import latest_month_end
    from carelens.indicators.periods import months_before, standard_periods

    last = latest_month_end(store, la)
    return standard_periods(months_before(last, 120) + dt.timedelta(days=1), last)


def run_catalogue(store_path: str, la: str, breakdowns: bool, out: str | None) -> dict:
    from carelens.indicators.catalogue import CATALOGUE
    from carelens.indicators.engine import evaluate_series
    from carelens.model.store import Store

    t0 = time.perf_counter()
    with Store(store_path, read_only=True) as store:
        periods = catalogue_periods(store, la)
        result = evaluate_series(store, CATALOGUE, periods, la)
        seconds = time.perf_counter() - t0
        figures = {"seconds": seconds, "rows": result.height, "windows": len(periods), "indicators": len(CATALOGUE)}
        if out:
            result.write_parquet(out)
        if breakdowns:
            t1 = time.perf_counter()
            names = sorted({b for ind in CATALOGUE for b in ind.all_breakdowns} - {"all"})
            split = evaluate_series(store, CATALOGUE, [p for p in periods if p.kind in BREAKDOWN_KINDS], la, names)
            figures |= {"breakdown_seconds": time.perf_counter() - t1, "breakdown_rows": split.height,
                        "breakdowns": len(names)}
    return figures | {"peak_gb": peak_gb()}


def run_spark(store_path: str, la: str, duckdb_result: str) -> dict:
    import polars as pl
    from polars.testing import assert_frame_equal

    from carelens.indicators.backends import copy_store, spark_local
    from carelens.indicators.catalogue import CATALOGUE
    from carelens.indicators.engine import evaluate_series
    from carelens.model.store import Store

    with Store(store_path, read_only=True) as store:
        periods = catalogue_periods(store, la)
        t0 = time.perf_counter()
        tables = copy_store(store, spark_local(), la_code=la)
        copied = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = evaluate_series(tables, CATALOGUE, periods, la)
    seconds = time.perf_counter() - t1
    expected = pl.read_parquet(duckdb_result)
    key = ["indicator", "period_kind", "period", "group"]
    assert_frame_equal(result.sort(key), expected.sort(key), check_exact=False, rel_tol=1e-9)
    return {"copy_seconds": copied, "seconds": seconds, "rows": result.height, "identical": True}


def run_england(store_path: str, las: list[str], one_by_one: bool, pass_size: int) -> dict:
    from carelens.indicators.catalogue import CATALOGUE
    from carelens.indicators.engine import evaluate_series
    from carelens.model.store import Store

    t0 = time.perf_counter()
    with Store(store_path, read_only=True, memory_limit=ENGLAND_DUCKDB_MEMORY) as store:
        # the synthetic authorities all end on the same day; were one to end earlier, its last windows are empty
        periods = max((catalogue_periods(store, la) for la in las), key=lambda ps: ps[-1].end)
        if one_by_one:
            rows = sum(evaluate_series(store, CATALOGUE, catalogue_periods(store, la), la).height for la in las)
        else:
            rows = sum(evaluate_series(store, CATALOGUE, periods, las[i:i + pass_size]).height
                       for i in range(0, len(las), pass_size))
    return {"seconds": time.perf_counter() - t0, "rows": rows, "authorities": len(las), "windows": len(periods),
            "peak_gb": peak_gb()}


def in_fresh_process(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def single(children: int, spark: bool, store: str | None) -> None:
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(store) if store else Path(tmp) / "synthetic.duckdb"
        if not store:
            spec = AuthoritySpec("886", "Large (synthetic)", load_profile("england"), children=children)
            t0 = time.perf_counter()
            synthesise(path, [spec], years=10, seed=1)
            print(f"generated a {children:,}-child authority, 10 years, in {time.perf_counter() - t0:.1f} s")
        result = Path(tmp) / "duckdb.parquet"
        f = in_fresh_process("--run", str(path), "886", "--out", str(result))
        print(f"whole catalogue ({f['indicators']} indicators), every series ({f['windows']} windows), on DuckDB, "
              f"cold: {f['seconds']:.1f} s for {f['rows']:,} values (target {TARGET_SECONDS} s, ratio "
              f"{f['seconds'] / TARGET_SECONDS:.2f})")
        print(f"  + {f['breakdowns']} breakdowns over months and financial years: {f['breakdown_seconds']:.1f} s "
              f"for {f['breakdown_rows']:,} values")
        print(f"  peak memory {f['peak_gb']:.2f} GB (target {TARGET_PEAK_GB} GB, ratio "
              f"{f['peak_gb'] / TARGET_PEAK_GB:.2f})")
        if spark:
            s = in_fresh_process("--run-spark", str(path), "886", str(result))
            print(f"Spark (local, 2 cores): copy {s['copy_seconds']:.1f} s, catalogue {s['seconds']:.1f} s for "
                  f"{s['rows']:,} values; identical to DuckDB: {s['identical']}")


def england(store: str | None, one_by_one: int, pass_size: int) -> None:
    from carelens.model.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(store) if store else Path(tmp) / "england.duckdb"
        if not store:
            from carelens.synth import synthesise
            from carelens.synth.england import england_specs

            t0 = time.perf_counter()
            synthesise(path, england_specs(), years=10, seed=1)
            print(f"generated synthetic England in {time.perf_counter() - t0:.0f} s")
        with Store(path, read_only=True) as s:
            las = sorted(s.table("person").la_code.to_pyarrow().unique().to_pylist())
            children = s.sql("SELECT count(*) FROM person")[0][0]
        t0 = time.perf_counter()
        f = in_fresh_process("--run-england", str(path), ",".join(las), "--pass-size", str(pass_size))
        seconds = time.perf_counter() - t0  # with the process's start and imports
        print(f"whole catalogue, every series ({f['windows']} windows), {f['authorities']} authorities "
              f"({children:,} children known), {pass_size} per pass, on DuckDB, cold: {seconds:.0f} s for "
              f"{f['rows']:,} values "
              f"(target {TARGET_ENGLAND_SECONDS} s, ratio {seconds / TARGET_ENGLAND_SECONDS:.2f})")
        print(f"  peak memory {f['peak_gb']:.2f} GB (target {TARGET_PEAK_GB} GB, ratio "
              f"{f['peak_gb'] / TARGET_PEAK_GB:.2f})")
        if one_by_one:
            sample = las[:: max(1, len(las) // one_by_one)][:one_by_one]
            alone = in_fresh_process("--run-england", str(path), ",".join(sample), "--one-by-one")
            print(f"  for comparison, {len(sample)} authorities one at a time: {alone['seconds']:.0f} s "
                  f"({alone['seconds'] / len(sample):.1f} s each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=300_000)
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--england", action="store_true")
    parser.add_argument("--store")
    parser.add_argument("--one-by-one", type=int, nargs="?", const=8, default=0)
    parser.add_argument("--pass-size", type=int, default=ENGLAND_PASS_SIZE)
    parser.add_argument("--out")
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--run-spark", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--run-england", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_catalogue(*args.run, breakdowns=True, out=args.out)))
    elif args.run_spark:
        print(json.dumps(run_spark(*args.run_spark)))
    elif args.run_england:
        print(json.dumps(run_england(args.run_england[0], args.run_england[1].split(","),
                                     args.one_by_one > 0, args.pass_size)))
    elif args.england:
        england(args.store, args.one_by_one, args.pass_size)
    else:
        single(args.children, args.spark, args.store)


if __name__ == "__main__":
    main()
