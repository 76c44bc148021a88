"""Numbered migrations: they build exactly the declared tables, and a store of the previous release opens migrated.

``previous_release/`` holds two stores written by CareLens 0.1.0 (commit 7357eb3, before the store had
metadata or migrations), gzipped:

- ``synth.duckdb.gz``: ``carelens synth --profile coastal-high-demand --years 2 --seed 7 --children 150``
- ``ingested.duckdb.gz``: ``carelens ingest`` of the SSDA903 2024/25 return written from it
  (``carelens returns 903 --year 2025``), 6 children.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from carelens.indicators.api import Selection, figures
from carelens.model.metadata import METADATA_TABLES
from carelens.model.migrations import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from carelens.model.provenance import coverage
from carelens.model.store import Store, declared_columns
from carelens.model.store_file import StoreError
from carelens.model.store_writer import writing
from carelens.model.tables import TABLES
from carelens.synth import AuthoritySpec, load_profile, synthesise

PREVIOUS = Path(__file__).parent / "previous_release"
# a stock, flows, timeliness, a caseload and an amount: one or two of each section of the catalogue
ONE_OF_EACH_SECTION = Selection(as_at="2025-03-31", indicators=("A1", "B4", "B8", "C8", "D1", "D10", "E1", "F1", "G1",
                                                                "H1"))
DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN", "int32": "INTEGER",
                "int64": "BIGINT", "float64": "DOUBLE"}


def _previous(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name.removesuffix(".gz")
    with gzip.open(PREVIOUS / name, "rb") as zipped, target.open("wb") as out:
        shutil.copyfileobj(zipped, out)
    return target


def _columns(con) -> dict[str, list[tuple[str, str, bool]]]:
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, dtype, nullable in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND database_name = current_database() ORDER BY table_name, column_index"
    ).fetchall():
        out.setdefault(table, []).append((column, dtype, nullable))
    return out


def test_the_migrations_build_exactly_the_declared_tables(tmp_path):
    # a table or column declared without a migration to make it fails here
    with duckdb.connect(str(tmp_path / "new.duckdb")) as con:
        applied = migrate(con)
        assert [m.number for m in applied] == list(range(1, SCHEMA_VERSION + 1))
        assert schema_version(con) == SCHEMA_VERSION
        built = _columns(con)
    declared = {t.name: [(c.name, DUCKDB_TYPES[c.dtype], c.nullable) for c in t.columns]
                for t in (*TABLES, *METADATA_TABLES)}
    assert built == declared


def test_migrations_are_numbered_one_by_one():
    assert [m.number for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert SCHEMA_VERSION == len(MIGRATIONS)


def test_a_new_store_starts_at_version_one_of_the_current_schema(tmp_path):
    with Store(tmp_path / "s.duckdb"):
        pass
    with Store(tmp_path / "s.duckdb", read_only=True) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.version.version == 1 and s.version.change == "write"
        assert s.authorities() == () and s.is_empty()


def test_a_synthetic_store_of_the_previous_release_opens_migrated(tmp_path):
    old = _previous("synth.duckdb.gz", tmp_path)
    with duckdb.connect(str(old), read_only=True) as con:
        assert schema_version(con) == 0  # as the previous release wrote it
        rows_before = {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in TABLES}
    with Store(old, read_only=True) as s:  # opening to read writes the migrated copy as its next version
        assert s.schema_version == SCHEMA_VERSION
        assert (s.version.version, s.version.change) == (1, "migration")
        assert {t.name: s.count(t.name) for t in TABLES} == rows_before  # not a row lost or added
        assert s.authorities() == ("890",)
        details = s.authority_details().row(0, named=True)
        assert details == {"la_code": "890", "children": rows_before["person"], "synthetic": True,
                           "profile": "coastal-high-demand", "seed": None}  # the seed was never recorded
        assert s.synthetic_profile("890") == "coastal-high-demand"
        loads = s.loads()
        assert loads.select("source", "return_kind", "synthetic", "profile", "loaded_at", "checksum").rows() == [
            ("synthetic:coastal-high-demand", "synthetic", True, "coastal-high-demand", None, None)]
        assert loads["children"].to_list() == [rows_before["person"]]
        assert s.coverage().equals(coverage(s, ["890"]))  # recorded as the data says
        migrated = figures(s, ONE_OF_EACH_SECTION)
    # the same authority generated afresh by this CareLens: every figure of the migrated store is its figure
    fresh = tmp_path / "fresh.duckdb"
    synthesise(fresh, [AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), 150)],
               years=2, seed=7)
    with Store(fresh, read_only=True) as s:
        assert {t.name: s.count(t.name) for t in TABLES} == rows_before
        again = figures(s, ONE_OF_EACH_SECTION)
    assert len(migrated.values) > 40 and migrated.values["numerator"].sum() > 0
    assert migrated.values.equals(again.values)


def test_an_ingested_store_of_the_previous_release_records_each_source(tmp_path):
    old = _previous("ingested.duckdb.gz", tmp_path)
    with Store(old, read_only=True) as s:
        loads = s.loads()
        assert s.authority_details().select("la_code", "children", "synthetic").rows() == [("890", 6, False)]
        # one load per file its rows name, of the 2024/25 return, with no time or checksum (never kept)
        assert set(loads["collection_year"]) == {2025}
        assert sorted(Path(f).name for f in loads["source"]) == sorted(
            ["header.csv", "episodes.csv", "reviews.csv", "oc2.csv", "previous_permanence.csv", "sw_episodes.csv"])
        assert loads["loaded_at"].null_count() == len(loads) and loads["checksum"].null_count() == len(loads)
        assert loads.filter(loads["source"].str.ends_with("header.csv"))["children"].to_list() == [6]
        assert s.synthetic_profile("890") is None


def test_opening_an_old_store_to_write_migrates_it_in_place(tmp_path):
    old = _previous("ingested.duckdb.gz", tmp_path)
    with Store(old) as s:
        assert s.schema_version == SCHEMA_VERSION
    with duckdb.connect(str(old), read_only=True) as con:
        assert set(_columns(con)) == set(declared_columns())
        assert [r[0] for r in con.execute("SELECT migration FROM store_migrations ORDER BY 1").fetchall()] == [1, 2]


def test_a_store_of_a_later_schema_is_refused_in_one_line(tmp_path):
    path = tmp_path / "later.duckdb"
    with Store(path):
        pass
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO store_migrations VALUES (?, 'from the future', '2030-01-01', '9.0')",
                    [SCHEMA_VERSION + 1])
    for read_only in (True, False):
        with pytest.raises(StoreError) as e:
            Store(path, read_only=read_only)
        assert str(e.value) == (f"{path}: was written by a later CareLens (store schema {SCHEMA_VERSION + 1}; "
                                f"this one reads up to {SCHEMA_VERSION}): upgrade CareLens to read it")


def test_an_old_store_being_loaded_is_said_to_be_in_use(tmp_path):
    old = _previous("ingested.duckdb.gz", tmp_path)
    with writing(old), pytest.raises(StoreError, match=r"store in use by process \d+; try again when it finishes"):
        Store(old, read_only=True)
    with duckdb.connect(str(old), read_only=True) as con:
        assert schema_version(con) == 0  # left as it was
