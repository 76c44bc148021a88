"""What a store says about itself: its versions, what was loaded into it, its authorities and coverage.

Beside the child-journey tables (:mod:`carelens.model.tables`) every store holds a few tables about
the store (decision 017):

- ``store_migrations``: each numbered migration applied to it (:mod:`carelens.model.migrations`);
  the highest is the store's *schema version*.
- ``store_versions``: one row per version of its data. Every write that changes the data makes a new
  version, with an identifier no other store or version shares; a reader's cache of figures is keyed
  by it (:mod:`carelens.indicators.results_cache`), so a load invalidates every figure computed before.
- ``store_loads``: what was loaded, one row per source: file, return, collection year, checksum, when,
  by which CareLens version, for which authority, and for a synthetic authority its profile and seed.
- ``store_authorities``: each authority the store holds children for, and whether it is synthetic.
- ``store_coverage``: per authority and table, the stretches of days its sources cover
  (:func:`carelens.model.provenance.coverage`), as of the latest version.

They are declared here once, like the child-journey tables, and ``docs/data-model.md`` lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from carelens.model.tables import Column, Table


def _c(name: str, dtype: str, description: str, nullable: bool = True) -> Column:
    return Column(name, dtype, description, nullable=nullable)


STORE_MIGRATIONS = Table(
    "store_migrations",
    "Each numbered migration applied to the store, in order; the highest is its schema version.",
    ("migration",),
    (_c("migration", "int32", "The migration's number (`carelens/model/migrations/`).", nullable=False),
     _c("name", "string", "What it does.", nullable=False),
     _c("applied_at", "string", "When it was applied (ISO 8601, UTC).", nullable=False),
     _c("carelens_version", "string", "The CareLens that applied it.", nullable=False)),
)

STORE_VERSIONS = Table(
    "store_versions",
    "Each version of the store's data: every write that changes it (a load, a synthetic authority, a "
    "migration) makes the next. The latest is the store's current version.",
    ("version",),
    (_c("version", "int64", "1, 2, 3 … in the order they were made.", nullable=False),
     _c("version_id", "string", "An identifier no other version of any store has (a random UUID): what caches "
        "of figures computed from this version are keyed by.", nullable=False),
     _c("made_at", "string", "When the version was made (ISO 8601, UTC).", nullable=False),
     _c("change", "string", "What made it: ingest, synth, migration or write.", nullable=False),
     _c("carelens_version", "string", "The CareLens that made it.", nullable=False),
     _c("schema_version", "int32", "The store's schema version when it was made.", nullable=False)),
)

STORE_LOADS = Table(
    "store_loads",
    "What was loaded into the store, one row per source (a return's file or folder, a workbook, a synthetic "
    "authority). Loads recorded by a migration from an older store's `source_file` columns have no time, "
    "checksum or CareLens version.",
    ("load_id",),
    (_c("load_id", "int64", "1, 2, 3 … in the order sources were loaded.", nullable=False),
     _c("version", "int64", "The store version the load made (store_versions).", nullable=False),
     _c("loaded_at", "string", "When it was loaded (ISO 8601, UTC)."),
     _c("carelens_version", "string", "The CareLens that loaded it."),
     _c("source", "string", "The file or folder loaded (as its rows' `source_file` name it), or "
        "`synthetic:<profile>`.", nullable=False),
     _c("return_kind", "string", "ssda903, cin_census, annex_a, ssd or synthetic; empty for a load a migration "
        "recorded from an older store, unless it was synthetic."),
     _c("collection_year", "int32", "The return's collection year (2025 = 2024/25), if it has one."),
     _c("checksum", "string", "SHA-256 of the file, or of a folder's files in name order, as read."),
     _c("la_code", "string", "The authority it was loaded for.", nullable=False),
     _c("children", "int64", "Children in it."),
     _c("rows", "int64", "Rows it gave the store."),
     _c("synthetic", "boolean", "True for a synthetic authority.", nullable=False),
     _c("profile", "string", "For a synthetic authority, its profile."),
     _c("seed", "int64", "For a synthetic authority, the random seed it was generated with."),
     _c("years", "int32", "For a synthetic authority, the years simulated.")),
)

STORE_AUTHORITIES = Table(
    "store_authorities",
    "Each authority the store holds children for, as of its current version.",
    ("la_code",),
    (_c("la_code", "string", "DfE 3-digit local authority number.", nullable=False),
     _c("children", "int64", "Children the store holds for it.", nullable=False),
     _c("synthetic", "boolean", "True when every one of its rows was generated (`synthetic:<profile>`).",
        nullable=False),
     _c("profile", "string", "For a synthetic authority, the profile it was generated from."),
     _c("seed", "int64", "For a synthetic authority, its seed, when the load recorded it.")),
)

STORE_COVERAGE = Table(
    "store_coverage",
    "Per authority and child-journey table, the stretches of days its sources cover "
    "(docs/indicators/engine.md, 'What the data can support'), as of the store's current version.",
    ("la_code", "table_name", "first_day"),
    (_c("la_code", "string", "DfE 3-digit local authority number.", nullable=False),
     _c("table_name", "string", "The child-journey table.", nullable=False),
     _c("first_day", "date", "First day of the stretch.", nullable=False),
     _c("last_day", "date", "Last day of the stretch.", nullable=False)),
)

METADATA_TABLES: tuple[Table, ...] = (STORE_MIGRATIONS, STORE_VERSIONS, STORE_LOADS, STORE_AUTHORITIES,
                                      STORE_COVERAGE)
METADATA_TABLE_NAMES = frozenset(t.name for t in METADATA_TABLES)


@dataclass(frozen=True)
class StoreVersion:
    """One version of a store's data (a row of ``store_versions``)."""

    version: int
    version_id: str
    made_at: str
    change: str
    carelens_version: str
    schema_version: int


@dataclass(frozen=True)
class Load:
    """One source a write loaded: recorded in ``store_loads`` with the version the write makes."""

    source: str
    return_kind: str | None
    la_code: str
    collection_year: int | None = None
    checksum: str | None = None
    children: int | None = None
    rows: int | None = None
    synthetic: bool = False
    profile: str | None = None
    seed: int | None = None
    years: int | None = None


def carelens_version() -> str:
    """This CareLens's version, as installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("carelens")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def now() -> str:
    """The time now, as the metadata tables record it (ISO 8601, UTC, to the second)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def checksum(paths: Iterable[Path]) -> str:
    """SHA-256 over the bytes of ``paths`` in name order (one file, or a folder's files), read in blocks."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode() + b"\0")  # a renamed file is another source
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()
