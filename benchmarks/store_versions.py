"""What a versioned store costs (decisions 017 and 018): the copy a load into an existing store makes,
and what keeping figures per version saves.

    uv run python benchmarks/store_versions.py                      # 60,000 resident children, 10 years
    uv run python benchmarks/store_versions.py --children 300000    # the issue's large authority

Generates a synthetic authority (coastal-high-demand), writes its SSDA903 return for 2024/25, then:

1. loads that return into a copy of the store with ``carelens.ingest.ingest`` (the writer copies the
   store, writes the copy, publishes it) and, separately, times a plain copy of the same file: the
   ratio says how much of a load the copy is;
2. reads the whole catalogue through ``carelens.indicators.api.figures`` three ways: computed without
   keeping (``keep=False``), computed and kept (the first request for a version), and read from what
   was kept (every later request): the ratio of the last to the first is what a page of the web app
   pays.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=60_000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()

    from carelens.indicators.api import Selection, figures
    from carelens.ingest import ingest
    from carelens.model.store import Store
    from carelens.returns.ssda903 import write_ssda903
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    with tempfile.TemporaryDirectory(prefix="carelens-versions-") as tmp:
        tmp = Path(tmp)
        store = tmp / "store.duckdb"
        t = time.perf_counter()
        synthesise(store, [AuthoritySpec("890", "Coastal", load_profile("coastal-high-demand"), args.children)],
                   years=args.years, seed=1)
        print(f"synthetic authority: {args.children:,} resident children, {args.years} years, "
              f"{time.perf_counter() - t:.1f} s; store {store.stat().st_size / 2**20:,.0f} MiB")
        with Store(store, read_only=True) as s:
            write_ssda903(s, 2025, tmp / "ssda903_2025")

        copy = tmp / "copy.duckdb"
        t = time.perf_counter()
        shutil.copyfile(store, copy)
        copying = time.perf_counter() - t
        t = time.perf_counter()
        ingest(copy, [tmp / "ssda903_2025"])
        loading = time.perf_counter() - t
        print(f"load of the 2024/25 SSDA903 return into the existing store: {loading:.2f} s, of which copying "
              f"the store would take {copying:.2f} s (ratio {copying / loading:.2f})")

        with Store(copy, read_only=True) as s:
            selection = Selection(as_at="2025-03-31")
            t = time.perf_counter()
            figures(s, selection, keep=False)
            unkept = time.perf_counter() - t
            t = time.perf_counter()
            first = figures(s, selection)
            kept = time.perf_counter() - t
            t = time.perf_counter()
            again = figures(s, selection)
            read = time.perf_counter() - t
        assert again.values.equals(first.values) and again.computed == ()
        print(f"whole catalogue ({len(first.values):,} values): computed {unkept:.2f} s; computed and kept "
              f"{kept:.2f} s; read from what was kept {read:.3f} s (ratio {read / unkept:.3f})")


if __name__ == "__main__":
    main()
