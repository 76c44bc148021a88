"""How fast the forecast is on the synthetic coastal authority, beside the peer (issue 17, point 9).

    uv run --frozen python benchmarks/forecast_speed.py
    uv run --frozen python benchmarks/forecast_speed.py --store out/demo/carelens.duckdb --repeat 5 --no-peer

Times, on the coastal authority (generated once into ``--work`` as the demo makes it: profile coastal-high-demand,
seed 1, 10 years to 2026-03-31, unless ``--store`` is given):

1. reading the care histories from the store (``care_histories``), apart from the rest;
2. fitting the rates (``rates.fit``) and a 5-year daily projection of 1,000 runs (``simulate.project``), and
   the two together, against the issue's target of 1 s;
3. the full backtest (``forecast.backtest.backtest`` at its default origins, 1,000 runs a projection), against
   the issue's 30 s;
4. the peer (``cs-demand-model``) for one 5-year daily projection from the same data's last day, on the SSDA903
   returns CareLens writes from the same store, with the same 3-year reference window: its own time to read,
   fit and project (no intervals: one deterministic path).

Each CareLens figure is the best of ``--repeat`` runs (the machine may be shared), with the CPU time of that run
beside it; the peer runs once. Ratios are the peer's time over CareLens's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from forecast_peer import coastal_store, collection_year, write_returns  # noqa: E402
from peer_demand_model import PEER_PACKAGE, PEER_VERSION, PeerUnavailable, run_peer  # noqa: E402

FIT_AND_PROJECT_TARGET = 1.0  # seconds, the target
BACKTEST_TARGET = 30.0


def timed(work, repeat: int):
    """The best wall time of ``repeat`` calls of ``work``, that call's CPU time, and its result."""
    best = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = work()
        wall, cpu = time.perf_counter() - w, time.process_time() - c
        if best is None or wall < best[0]:
            best = (wall, cpu, result)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a store holding one authority (default: the coastal one)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "carelens-forecast-speed")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many (default 3)")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    from carelens.forecast.backtest import backtest, data_first_day
    from carelens.forecast.histories import care_histories
    from carelens.forecast.rates import DEFAULT_WINDOW_YEARS, fit
    from carelens.forecast.simulate import project
    from carelens.model.store import Store

    path = args.store or coastal_store(args.work)

    def read():
        with Store(path, read_only=True) as store:
            la = store.authority()
            return care_histories(store, la), data_first_day(store, la)

    first = time.perf_counter()
    read()
    read_first = time.perf_counter() - first  # with the first import of the store's libraries
    read_wall, read_cpu, (histories, first_day) = timed(read, args.repeat)
    fit_wall, fit_cpu, rates = timed(lambda: fit(histories), args.repeat)
    project_wall, project_cpu, projection = timed(
        lambda: project(rates, years=args.years, runs=args.runs, seed=0), args.repeat)
    both_wall, both_cpu, _ = timed(lambda: project(fit(histories), years=args.years, runs=args.runs, seed=0),
                                   args.repeat)
    bt_wall, bt_cpu, result = timed(lambda: backtest(histories, first_day=first_day, runs=args.runs),
                                    max(1, args.repeat - 1))

    def verdict(seconds, target):
        return f"{'within' if seconds <= target else 'OVER'} the {target:g} s target"

    print(f"{histories.la_code}: {rates.in_care.height} children in care on {rates.as_at}; {args.runs:,} runs, "
          f"{projection.days} daily steps ({args.years} years); best of {args.repeat}")

    def line(label, wall, cpu, tail=""):
        print(f"  {label:<40}{wall:7.2f} s  (cpu {cpu:.2f} s){tail}")

    line("read the care histories from the store", read_wall, read_cpu,
         f"; the first, with its imports, {read_first:.2f} s")
    line("fit the rates", fit_wall, fit_cpu)
    line(f"project {args.years} years", project_wall, project_cpu)
    line("fit + project", both_wall, both_cpu, f": {verdict(both_wall, FIT_AND_PROJECT_TARGET)}")
    line(f"full backtest, {len(result.origins)} origins", bt_wall, bt_cpu,
         f": {verdict(bt_wall, BACKTEST_TARGET)}; of which fitting {result.seconds['fit']:.2f} s, projecting "
         f"{result.seconds['project']:.2f} s")
    if args.no_peer:
        return
    start = histories.last_day
    reference_start = start.replace(year=start.year - DEFAULT_WINDOW_YEARS) + dt.timedelta(days=1)
    end = start.replace(year=start.year + args.years)
    years = range(collection_year(reference_start), collection_year(start) + 1)
    try:
        folders = write_returns(path, years, args.work / "returns")
        frame, peer_seconds = run_peer(folders, reference_start, start, start, end, known_at=start)
    except PeerUnavailable as e:
        print(f"  the peer could not run: {e}", file=sys.stderr)
        raise SystemExit(2) from e
    print(f"  {'peer: one ' + str(args.years) + '-year projection':<40}{peer_seconds:7.2f} s  ({PEER_PACKAGE} "
          f"{PEER_VERSION}, daily, no intervals: its time to read, fit and project)")
    print(f"  ratios: the peer's one projection takes {peer_seconds / both_wall:.1f}× CareLens's fit + "
          f"{args.runs:,}-run projection, and {peer_seconds / bt_wall:.2f}× CareLens's whole backtest "
          f"({len(result.origins)} refits and projections)")


if __name__ == "__main__":
    main()
