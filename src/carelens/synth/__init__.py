"""The synthetic local authority: realistic case-level histories for every store table.

Typical use::

    from carelens.synth import synthesise, AuthoritySpec, load_profile
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"))
    synthesise("demo.duckdb", [spec], years=10, seed=1)
"""

from __future__ import annotations

import datetime as dt
import os
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


def synthesise(store_path: str | Path, specs: Sequence[AuthoritySpec], years: int = 10, seed: int = 1,
               end: dt.date = DEFAULT_END, on_authority: Callable[[AuthoritySpec, int], None] | None = None
               ) -> SynthesisSummary:
    """Generate authorities into a new store file, atomically.

    The store is written to a temporary file beside the target and moved into
    place only when every authority has been written, so an interrupted run
    never leaves a half-filled store behind.
    """
    target = Path(store_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    children = rows = 0
    try:
        # a council laptop: keep DuckDB's buffer pool small; rows are streamed to disk authority by authority
        with Store(tmp, memory_limit="1GB") as store:
            for spec in specs:
                frames = generate_authority(spec, years=years, seed=seed, end=end)
                store.append(frames)
                children += len(frames["person"])
                rows += sum(len(f) for f in frames.values())
                if on_authority:
                    on_authority(spec, len(frames["person"]))
            store.checkpoint()
        os.replace(tmp, target)
        Path(str(target) + ".wal").unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)
    return SynthesisSummary(authorities=len(specs), children=children, rows=rows, store=target)
