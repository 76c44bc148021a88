"""How wrong B5 and D8 are on a store loaded from one year's returns, and whether the flags say so.

    uv run python benchmarks/indicator_history.py [--children 10000] [--seed 7] [--work DIR]

A synthetic authority (``carelens synth``) is written out as the returns a council would send
(``carelens returns 903`` and ``carelens returns cin``) for 2024/25 alone and for 2022/23–2024/25,
each set is loaded into a store of its own (``carelens ingest``), and ``carelens indicators`` gives
B4 (needs no history), B5 (12 months of referrals) and D8 (2½ years of care) for the financial year
2024/25 at 31 March 2025 from each store and from the synthetic store itself (the truth: the whole
simulated history). Every step runs the real command line. Prints the figures, their ratios to the
truth and the ``history_short`` flag of each (decision 009).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

AS_AT = "2025-03-31"
INDICATORS = ("B4", "B5", "C13", "D8")


def carelens(*args) -> str:
    done = subprocess.run([sys.executable, "-m", "carelens.cli", *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"carelens {' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def figures(store: Path) -> pl.DataFrame:
    out = carelens("indicators", "--store", store, "--as-at", AS_AT, "--format", "csv",
                   *[a for i in INDICATORS for a in ("--indicator", i)])
    rows = pl.read_csv(io.StringIO(out))
    # the financial year for the flows and shares, the day itself for D8 (a stock-like share)
    return rows.filter(pl.col("period_kind").is_in(["financial_year"]) & (pl.col("breakdown") == "all")).select(
        "indicator", "value", "numerator", "history_short", "outside_coverage", "children_held_back")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None, help="keep the stores here (default: a temporary folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="carelens-history-"))
    work.mkdir(parents=True, exist_ok=True)
    truth = work / "synthetic.duckdb"
    if not truth.exists():
        carelens("synth", "--store", truth, "--children", args.children, "--seed", args.seed, "--years", 8,
                 "--end", AS_AT)
    stores = {}
    for label, years in (("one year", (2025,)), ("three years", (2023, 2024, 2025))):
        store = work / f"{label.replace(' ', '_')}.duckdb"
        if not store.exists():
            sources = []
            for year in years:
                folder = work / "returns" / str(year)
                carelens("returns", "903", "--store", truth, "--year", year, "--out", folder / "ssda903")
                carelens("returns", "cin", "--store", truth, "--year", year, "--out", folder / f"cin_{year}.xml")
                sources += [folder / "ssda903", folder / f"cin_{year}.xml"]
            carelens("ingest", "--store", store, *sources)
        stores[label] = store
    # B4 is a rate per 10,000, and a store of returns has no population: compare its count (numerator)
    def compared(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(value=pl.when(pl.col("indicator") == "B4").then(pl.col("numerator").cast(pl.Float64))
                                  .otherwise(pl.col("value")))

    true = compared(figures(truth)).rename({"value": "truth"}).select("indicator", "truth")
    print(f"{args.children:,}-child synthetic authority, seed {args.seed}; financial year 2024/25 at {AS_AT} "
          "(B4: referrals counted; B5, C13, D8: percent)")
    print(f"{'store':<14}{'indicator':<11}{'value':>8}{'truth':>8}{'ratio':>8}  history_short  outside_coverage")
    for label, store in {"synthetic": truth, **stores}.items():
        for r in compared(figures(store)).join(true, on="indicator").sort("indicator").iter_rows(named=True):
            ratio = r["value"] / r["truth"] if r["truth"] else float("nan")
            print(f"{label:<14}{r['indicator']:<11}{r['value']:>8.1f}{r['truth']:>8.1f}{ratio:>8.2f}  "
                  f"{str(r['history_short']):<15}{r['outside_coverage']}")


if __name__ == "__main__":
    main()
