"""The synthetic local authority: realistic case-level histories for every store table.

Typical use::

    from carelens.synth import synthesise, AuthoritySpec, load_profile
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"))
    synthesise("demo.duckdb", [spec], years=10, seed=1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from carelens.model.store import Store
from carelens.synth.authority import DEFAULT_END, AuthoritySpec, generate_authority
from carelens.synth.england import england_specs, english_authorities
from carelens.synth.profiles import Profile, ProfileError, load_profile, shipped_profiles

__all__ = ["AuthoritySpec", "Profile", "ProfileError", "SynthesisSummary", "england_specs", "english_authorities",
           "generate_authority", "load_profile", "shipped_profiles", "synthesise"]


@dataclass
class SynthesisSummary:
    authorities: int
    children: int  # children who met services
    rows: int
    store: Path


AUTHORITIES_PER_WORKER = 5


def _generate_to_parquet(args) -> tuple[str, int, int]:
    """Worker: one authority's tables as Parquet files in ``folder`` (runs in its own process)."""
    spec, years, seed, end, folder = args
    frames = generate_authority(spec, years=years, seed=seed, end=end)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_parquet(folder / f"{name}.parquet")
    return spec.la_code, len(frames["person"]), sum(len(f) for f in frames.values())


def synthesise(store_path: str | Path, specs: Sequence[AuthoritySpec], years: int = 10, seed: int = 1,
               end: dt.date = DEFAULT_END, on_authority: Callable[[AuthoritySpec, int], None] | None = None
               ) -> SynthesisSummary:
    """Generate authorities into a new store file, atomically.

    The store's next version is written beside it and published only when every
    authority has been written (:mod:`carelens.model.store_writer`), so an interrupted
    run never leaves a half-filled store behind, and readers of the store it replaces
    go on reading it meanwhile. Each authority is recorded in ``store_loads`` with
    its profile and seed.

    A single authority is generated in this process. A pool of authorities (a
    region, or England) is generated one authority per short-lived worker
    process, each writing Parquet files, which DuckDB then loads in bulk: memory
    stays bounded by the largest authority however many there are.
    """
    from carelens.model.metadata import Load
    from carelens.model.store_writer import writing

    target = Path(store_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    children = rows = 0
    made: list[Load] = []

    def generated(spec: AuthoritySpec, n_children: int, n_rows: int) -> None:
        made.append(Load(source=f"synthetic:{spec.profile.name}", return_kind="synthetic", la_code=spec.la_code,
                         children=n_children, rows=n_rows, synthetic=True, profile=spec.profile.name, seed=seed,
                         years=years))
        if on_authority:
            on_authority(spec, n_children)

    # a new version replacing whatever the store held, written beside it and published only when every
    # authority is in it (decision 017): an interrupted run leaves the store as it was
    with writing(target, replace=True) as writer, \
            writer.next_version("synth", replace=True, memory_limit="1GB") as store:
        if len(specs) == 1:
            frames = generate_authority(specs[0], years=years, seed=seed, end=end)
            store.append(frames)
            children, rows = len(frames["person"]), sum(len(f) for f in frames.values())
            del frames
            generated(specs[0], children, rows)
        else:
            children, rows = _synthesise_pool(store, specs, years, seed, end, generated)
        store.record_loads(made)
    return SynthesisSummary(authorities=len(specs), children=children, rows=rows, store=target)


def _synthesise_pool(store: Store, specs, years, seed, end, generated) -> tuple[int, int]:
    import multiprocessing
    import shutil
    import tempfile

    from carelens.model.tables import TABLES

    by_code = {s.la_code: s for s in specs}
    if len(by_code) != len(specs):
        raise ValueError("each authority in a pool needs its own la_code")
    children = rows = 0
    staging = Path(tempfile.mkdtemp(prefix="carelens-synth-", dir=store.path.parent))
    try:
        # spawn, not fork: forking a process whose Polars thread pool is running can deadlock. A worker
        # is replaced after a few authorities, which hands its memory back to the system.
        context = multiprocessing.get_context("spawn")
        jobs = [(s, years, seed, end, str(staging / s.la_code)) for s in specs]
        with context.Pool(processes=1, maxtasksperchild=AUTHORITIES_PER_WORKER) as pool:
            for la_code, n_children, n_rows in pool.imap(_generate_to_parquet, jobs):
                children += n_children
                rows += n_rows
                generated(by_code[la_code], n_children, n_rows)
        for t in TABLES:
            files = sorted(str(p) for p in staging.glob(f"*/{t.name}.parquet"))
            store.load_parquet(t.name, files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return children, rows
