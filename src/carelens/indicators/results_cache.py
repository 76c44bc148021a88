"""Figures kept per store version, so that the report, the web app and the forecast read them, not recompute them.

A store version never changes (decision 017): a load writes the next one. So figures computed from a
version are true for as long as it is read, and are kept beside the store, under the version's
identifier (decision 018)::

    .NAME.results/<version_id>/<selection key>/part-<random>.parquet

A *selection key* names what the values depend on besides the indicator: the authorities, the
breakdowns, the as-at day and the first day of the series (or the windows named). Each part holds the rows of some
indicators, in the order the engine gave them; a request reads the parts, computes only the
indicators none holds, and adds them as a new part. A part is written to a temporary name and renamed,
so a reader never reads half of one, and two readers computing the same indicator at once both write
the same rows (the first part found is used).

The load that makes a new version removes the folders of the versions before it (readers of those keep
the figures they read). A store in a folder that cannot be written in is not cached: the figures are
computed each time, as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carelens.model.store_writer import results_folder


@dataclass(frozen=True)
class CacheKey:
    version_id: str
    authorities: tuple[str, ...]
    breakdowns: tuple[str, ...]
    as_at: dt.date
    series_from: dt.date | None
    windows: tuple = ()  # Periods, when the selection names its windows

    def describe(self) -> dict:
        return {"version_id": self.version_id, "authorities": list(self.authorities),
                "breakdowns": list(self.breakdowns), "as_at": self.as_at.isoformat(),
                "series_from": self.series_from.isoformat() if self.series_from else None,
                "windows": [[w.label, w.kind, w.start.isoformat(), w.end.isoformat()] for w in self.windows]}

    @property
    def name(self) -> str:
        described = dict(self.describe())
        described.pop("version_id")
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:24]


class ResultsCache:
    """The kept figures of one store (``store``: its file)."""

    def __init__(self, store: Path):
        self.root = results_folder(store)

    def _folder(self, key: CacheKey) -> Path:
        return self.root / key.version_id / key.name

    def read(self, key: CacheKey, indicators: Sequence[str]) -> dict[str, pl.DataFrame]:
        """The kept rows of each of ``indicators`` that some part holds, by indicator id."""
        folder = self._folder(key)
        found: dict[str, pl.DataFrame] = {}
        wanted = set(indicators)
        try:
            parts = sorted(folder.glob("part-*.parquet"))
        except OSError:
            return found
        for part in parts:
            try:
                frame = pl.read_parquet(part)
            except Exception:  # noqa: BLE001 - a part another process is removing, or a damaged one: recompute
                continue
            for (ind,), rows in frame.partition_by("indicator", as_dict=True, maintain_order=True).items():
                if ind in wanted and ind not in found:
                    found[ind] = rows
        return found

    def write(self, key: CacheKey, rows: pl.DataFrame) -> bool:
        """Keep ``rows`` (several indicators') as a new part; False when the folder cannot be written."""
        folder = self._folder(key)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            about = folder / "selection.json"
            if not about.exists():
                _write_atomically(about, lambda p: p.write_text(json.dumps(key.describe(), indent=2), "utf-8"))
            _write_atomically(folder / f"part-{uuid.uuid4().hex}.parquet", rows.write_parquet)
            return True
        except OSError:
            return False


def _write_atomically(target: Path, write) -> None:
    temp = target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.writing")
    try:
        write(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
