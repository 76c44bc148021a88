"""Every write is a new version with a record of what it loaded (decision 017)."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from carelens.ingest import IngestError, ingest
from carelens.model.store import Store
from carelens.model.store_file import StoreError
from carelens.model.store_writer import results_folder, writing
from carelens.synth import AuthoritySpec, load_profile, synthesise


def _sha256_of_folder(folder) -> str:
    # by hand: each file's name, a zero byte, then its bytes, in name order
    digest = hashlib.sha256()
    for f in sorted(folder.iterdir()):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def test_a_load_records_its_version_and_what_it_loaded(small_903_return, tmp_path):
    store = tmp_path / "s.duckdb"
    ingest(store, [small_903_return])
    with Store(store, read_only=True) as s:
        assert s.versions().select("version", "change").rows() == [(1, "ingest")]
        assert len(s.version.version_id) == 32
        load = s.loads().row(0, named=True)
        assert (load["source"], load["return_kind"], load["collection_year"], load["la_code"]) == (
            str(small_903_return), "ssda903", 2025, "890")
        assert load["checksum"] == _sha256_of_folder(small_903_return)
        assert load["children"] == s.count("person") and load["rows"] > load["children"]
        assert load["carelens_version"] and load["loaded_at"].endswith("+00:00")
        assert not load["synthetic"] and load["profile"] is None
        assert s.authority_details().select("la_code", "children", "synthetic").rows() == [
            ("890", s.count("person"), False)]
        assert s.synthetic_profile("890") is None
    ingest(store, [small_903_return])  # the same return again: a new version, its rows replaced
    with Store(store, read_only=True) as s:
        assert s.versions()["change"].to_list() == ["ingest", "ingest"]
        assert s.loads()["version"].to_list() == [1, 2]
        assert len(set(s.versions()["version_id"])) == 2


def test_a_synthetic_authority_records_its_profile_and_seed(tmp_path):
    store = tmp_path / "s.duckdb"
    synthesise(store, [AuthoritySpec("890", "Coastal", load_profile("coastal-high-demand"), 300)], years=2, seed=11)
    with Store(store, read_only=True) as s:
        assert s.authority_details().select("la_code", "synthetic", "profile", "seed").rows() == [
            ("890", True, "coastal-high-demand", 11)]
        load = s.loads().row(0, named=True)
        assert (load["source"], load["return_kind"], load["seed"], load["years"], load["children"]) == (
            "synthetic:coastal-high-demand", "synthetic", 11, 2, s.count("person"))
        assert s.synthetic_profile("890") == "coastal-high-demand"
        assert s.versions()["change"].to_list() == ["synth"]


def test_a_failed_load_leaves_the_store_and_its_version_as_they_were(small_903_return, tmp_path):
    store = tmp_path / "s.duckdb"
    ingest(store, [small_903_return])
    before = store.read_bytes()
    broken = tmp_path / "broken"
    shutil.copytree(small_903_return, broken)
    header = broken / "header.csv"
    lines = header.read_text().splitlines()
    fields = lines[1].split(",")
    fields[2] = "31/02/2013"  # DOB: no such day
    header.write_text("\n".join([lines[0], ",".join(fields), *lines[2:]]) + "\n")
    with pytest.raises(IngestError):
        ingest(store, [broken])
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".s.duckdb.lock"]


def test_a_second_writer_is_told_who_holds_the_store(small_903_return, tmp_path):
    store = tmp_path / "s.duckdb"
    ingest(store, [small_903_return])
    with writing(store):
        with pytest.raises(StoreError) as e:
            ingest(store, [small_903_return])
    assert str(e.value) == f"{store}: store in use by process {os.getpid()}; try again when it finishes"
    with Store(store, read_only=True) as s:  # readers are not held up by the writer lock
        assert s.version.version == 1


def test_what_a_dead_writer_left_is_removed_by_the_next(small_903_return, tmp_path):
    store = tmp_path / "s.duckdb"
    ingest(store, [small_903_return])
    dead = subprocess_pid_that_has_exited()
    leftover = tmp_path / f".s.duckdb.{dead}-0badc0de.loading"
    leftover.write_bytes(b"half a store")
    mine = tmp_path / f".s.duckdb.{os.getpid()}-0badc0de.loading"  # a live writer's: left alone
    mine.write_bytes(b"being written")
    ingest(store, [small_903_return])
    assert not leftover.exists() and mine.exists()


def subprocess_pid_that_has_exited() -> int:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_new_version_removes_the_figures_kept_for_earlier_ones(small_903_return, tmp_path):
    from carelens.indicators.api import Selection, figures

    store = tmp_path / "s.duckdb"
    ingest(store, [small_903_return])
    with Store(store, read_only=True) as s:
        first = s.version.version_id
        figures(s, Selection(as_at="2025-03-31", indicators=("D1",)))
    assert [p.name for p in results_folder(store).iterdir()] == [first]
    ingest(store, [small_903_return])
    assert list(results_folder(store).iterdir()) == []  # the next reader computes them for the new version
