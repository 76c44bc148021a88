"""Round trip: synthetic authority → statutory returns → ingest → the same canonical content.

For many seeds: generate a small authority, write its SSDA903 and CIN census returns for
2023/24 to 2025/26, load all six into a fresh store (stitching the years), then write the
returns again from the loaded store. Every file must come out identical: whatever a return
carries survived the journey through the store, and the stitched history reproduces each
year exactly.
"""

from __future__ import annotations

import pytest

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carelens.ingest import ingest
from carelens.model.store import Store
from carelens.returns.cin_census import write_cin_census
from carelens.returns.ssda903 import write_ssda903
from carelens.synth import AuthoritySpec, load_profile, synthesise

YEARS = (2024, 2025, 2026)
STAMP = dt.datetime(2026, 4, 30, 9, 0, 0)


def write_returns(store_path, out):
    written = []
    with Store(store_path, read_only=True) as store:
        for year in YEARS:
            write_ssda903(store, year, out / f"903_{year}")
            write_cin_census(store, year, out / f"cin_{year}.xml", generated_at=STAMP)
            written += [out / f"903_{year}", out / f"cin_{year}.xml"]
    return written


def contents(paths):
    files = {}
    for p in paths:
        for f in sorted(p.iterdir()) if p.is_dir() else [p]:
            files[f"{p.name}/{f.name}" if p.is_dir() else p.name] = f.read_text(encoding="utf-8")
    return files


# derandomized: every run (and CI) tries the same seeds; seed 170 once had a death before birth
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.slow
@given(seed=st.integers(min_value=1, max_value=10_000))
@example(seed=170)
def test_returns_survive_ingest_unchanged(tmp_path_factory, seed):
    d = tmp_path_factory.mktemp(f"rt{seed}")
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=2500)
    synthesise(d / "synthetic.duckdb", [spec], years=5, seed=seed)
    (d / "a").mkdir()
    original = write_returns(d / "synthetic.duckdb", d / "a")
    report = ingest(d / "loaded.duckdb", original)
    assert report.stored and report.children > 0
    (d / "b").mkdir()
    again = write_returns(d / "loaded.duckdb", d / "b")
    before, after = contents(original), contents(again)
    assert before.keys() == after.keys()
    for name in before:
        assert after[name] == before[name], f"seed {seed}: {name} differs after the round trip"


@pytest.mark.slow
def test_loading_the_same_returns_twice_changes_nothing(tmp_path):
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=2000)
    synthesise(tmp_path / "synthetic.duckdb", [spec], years=4, seed=3)
    (tmp_path / "a").mkdir()
    returns = write_returns(tmp_path / "synthetic.duckdb", tmp_path / "a")
    ingest(tmp_path / "loaded.duckdb", returns)
    with Store(tmp_path / "loaded.duckdb", read_only=True) as s:
        first = {t: sorted(s.sql(f'SELECT * FROM "{t}"')) for t in ("person", "referrals", "looked_after_episodes",
                                                                   "periods_of_care", "cp_plans")}
    ingest(tmp_path / "loaded.duckdb", returns)
    with Store(tmp_path / "loaded.duckdb", read_only=True) as s:
        second = {t: sorted(s.sql(f'SELECT * FROM "{t}"')) for t in first}
    assert second == first
