"""The peer's demand forecast on the synthetic coastal authority: Social Finance's ``cs-demand-model``.

    uv run python benchmarks/forecast_peer.py                       # coastal authority, 5 years from 2026-03-31
    uv run python benchmarks/forecast_peer.py --store out/demo/carelens.duckdb --out peer.csv
    uv run python benchmarks/forecast_peer.py --from 2024-03-31 --years 2 --reference-years 1

Makes (once, then reuses) a throwaway environment with the pinned ``cs-demand-model`` from PyPI under
~/.cache/carelens-peer (``CARELENS_PEER_HOME`` moves it); writes the authority's SSDA903 returns for the
collection years before the forecast start with CareLens's own writer; runs the peer on them there, fitting
its rates over the reference window and projecting day by day; and prints the seconds it took and the
children in care it projects, in total and by the placement groups both models share. With ``--out`` the
projection is written as a tidy CSV (date, peer age band, peer placement, CareLens age band, placement
group, children). Without ``--store`` the coastal authority is generated as the demo does (seed 1, 10 years)
into ``--work``, once. docs/forecast/peer.md describes the peer and the mapping of its categories.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from dateutil.relativedelta import relativedelta

sys.path.insert(0, str(Path(__file__).parent))
from peer_demand_model import (  # noqa: E402  (benchmarks is not a package: the script's folder is the path)
    PEER_PACKAGE,
    PEER_VERSION,
    PeerUnavailable,
    in_carelens_terms,
    peer_python,
    run_peer,
)

HORIZON_MONTHS = (0, 6, 12, 24, 36, 48, 60)


def coastal_store(work: Path) -> Path:
    """The demo's synthetic coastal authority, generated into ``work`` unless it is there already."""
    from carelens.demo import LA_CODE, NAME, PROFILE
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    store = work / "coastal.duckdb"
    if not store.exists():
        print(f"Generating the coastal authority into {store} ...", flush=True)
        synthesise(store, [AuthoritySpec(LA_CODE, NAME, load_profile(PROFILE))], years=10, seed=1)
    return store


def write_returns(store_path: Path, years: range, out: Path) -> list[Path]:
    """The authority's SSDA903 return for each collection year, written by CareLens into ``out``."""
    from carelens.model.store import Store
    from carelens.returns.ssda903 import write_ssda903

    folders = []
    with Store(store_path, read_only=True) as store:
        for year in years:
            folder = out / f"ssda903_{year}"
            write_ssda903(store, year, folder)
            folders.append(folder)
    return folders


def collection_year(day: dt.date) -> int:
    """The SSDA903 collection year a day falls in (year Y runs from 1 April Y-1 to 31 March Y)."""
    return day.year + 1 if day.month >= 4 else day.year


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a CareLens store holding one authority (default: the coastal "
                                                    "authority, generated once into --work)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "carelens-forecast-peer")
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=dt.date(2026, 3, 31),
                        help="the forecast's first day (the stock it starts from); default 2026-03-31")
    parser.add_argument("--years", type=int, default=5, help="the horizon in years (default 5)")
    parser.add_argument("--reference-years", type=int, default=2,
                        help="the years before --from the peer's rates are fitted over (default 2)")
    parser.add_argument("--returns", type=int, default=4,
                        help="how many collection years of returns the peer is given, ending with --from's")
    parser.add_argument("--out", type=Path, help="write the projection here as CSV")
    args = parser.parse_args()

    forecast_end = args.start + relativedelta(years=args.years)
    reference_start = args.start - relativedelta(years=args.reference_years) + dt.timedelta(days=1)
    last_year = collection_year(args.start)
    years = range(last_year - args.returns + 1, last_year + 1)
    covered_from = dt.date(years[0] - 1, 4, 1)
    if reference_start < covered_from:
        parser.error(f"the reference window starts {reference_start}, before the returns cover every child "
                     f"in care ({covered_from}): give more --returns or fewer --reference-years")

    t0 = time.perf_counter()
    try:
        peer_python()
    except PeerUnavailable as e:
        print(f"forecast_peer: {e}", file=sys.stderr)
        raise SystemExit(2) from e
    print(f"{PEER_PACKAGE} {PEER_VERSION} ready in {time.perf_counter() - t0:.1f} s (environment made or reused)")

    store = args.store or coastal_store(args.work)
    returns = args.work / "returns"
    folders = write_returns(store, years, returns)
    print(f"SSDA903 returns {years[0]}–{years[-1]} written to {returns}")

    t0 = time.perf_counter()
    try:
        frame, seconds = run_peer(folders, reference_start, args.start, args.start, forecast_end,
                                  known_at=args.start)
    except PeerUnavailable as e:
        print(f"forecast_peer: {e}", file=sys.stderr)
        raise SystemExit(2) from e
    wall = time.perf_counter() - t0
    frame = in_carelens_terms(frame)
    print(f"rates from {reference_start} to {args.start}; projection {args.start} to {forecast_end}, "
          f"{(forecast_end - args.start).days} daily steps, no intervals")
    print(f"peer time: {seconds:.1f} s to read, fit and project ({wall:.1f} s with its interpreter's start)")

    days = [args.start + relativedelta(months=m) for m in HORIZON_MONTHS if m <= 12 * args.years]
    wide = (frame.filter(pl.col("date").is_in(days))
            .group_by("date", "placement_group").agg(pl.col("children").sum())
            .pivot("placement_group", index="date", values="children").sort("date")
            .with_columns(total=pl.sum_horizontal(pl.exclude("date"))))
    print(f"\n{'date':<12}{'months':>7}{'fostering':>11}{'not_fostering':>15}{'total':>9}")
    for m, row in zip(HORIZON_MONTHS, wide.iter_rows(named=True)):
        print(f"{row['date']!s:<12}{m:>7}{row.get('fostering') or 0:>11.1f}{row.get('not_fostering') or 0:>15.1f}"
              f"{row['total']:>9.1f}")
    at_12 = frame.filter(pl.col("date") == args.start + relativedelta(months=12))
    by_category = at_12.group_by("peer_placement").agg(pl.col("children").sum()).sort("peer_placement")
    print("\nat 12 months by the peer's placement category: "
          + ", ".join(f"{c} {n:.1f}" for c, n in by_category.iter_rows()))
    if args.out:
        frame.select("date", "peer_age_band", "peer_placement", "age_band", "placement_group", "children") \
            .write_csv(args.out)
        print(f"projection written to {args.out}")


if __name__ == "__main__":
    main()
