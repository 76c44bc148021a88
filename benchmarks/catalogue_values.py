"""Every value of the whole catalogue, every series, for one authority: written to a file, or compared with one.

    uv run python benchmarks/catalogue_values.py STORE --out values.parquet          # write them
    uv run python benchmarks/catalogue_values.py STORE --compare values.parquet      # the same, value by value?

How a reshaping of the engine is shown to change no figure: write the values with the code before it
(this script uses only names every version since 0.1.0 has: the catalogue, ``evaluate_series``,
``standard_periods``, ``Store``), then compare with the code after. With ``--api`` the values are also
read through ``carelens.indicators.api.figures`` (the code after), and must be the engine's.

The windows are every standard window of the ten years to ``--last`` (default 31 March 2026, the end
of the synthetic authorities' span); the authority is the store's only one, or ``--la``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("--out")
    parser.add_argument("--compare")
    parser.add_argument("--api", action="store_true")
    parser.add_argument("--la")
    parser.add_argument("--last", default="2026-03-31")
    args = parser.parse_args()

    import polars as pl

    from carelens.indicators.catalogue import CATALOGUE
    from carelens.indicators.engine import evaluate_series
    from carelens.indicators.periods import months_before, standard_periods
    from carelens.model.store import Store

    last = dt.date.fromisoformat(args.last)
    first = months_before(last, 120) + dt.timedelta(days=1)
    with Store(args.store, read_only=True) as store:
        la = store.authority(args.la)
        t = time.perf_counter()
        values = evaluate_series(store, CATALOGUE, standard_periods(first, last), la)
        print(f"engine: {values.height:,} values of {len(CATALOGUE)} indicators in {time.perf_counter() - t:.1f} s")
        if args.api:
            from carelens.indicators.api import Selection, figures

            t = time.perf_counter()
            got = figures(store, Selection(as_at=last, series_from=first, authorities=la), keep=False)
            print(f"api: {got.values.height:,} values in {time.perf_counter() - t:.1f} s; identical to the engine's: "
                  f"{got.values.drop('la_code').equals(values)}")
            if not got.values.drop("la_code").equals(values):
                return 1
    if args.out:
        values.write_parquet(args.out)
    if args.compare:
        before = pl.read_parquet(args.compare)
        same = before.equals(values)
        print(f"compared with {args.compare} ({before.height:,} values): identical: {same}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
