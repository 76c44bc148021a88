"""Shared fixtures: a small synthetic authority in a real DuckDB store, generated once per test session."""

from __future__ import annotations

import pytest
from hypothesis import settings

# CI must be reproducible: property and fuzz tests try the same examples on every run.
# (Explore new ones locally with: pytest --hypothesis-profile=explore)
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile("ci")

from carelens.model.store import Store
from carelens.synth import AuthoritySpec, load_profile, synthesise


@pytest.fixture(scope="session")
def small_store_path(tmp_path_factory):
    """Six years of a 10,000-child coastal authority (seconds to build)."""
    path = tmp_path_factory.mktemp("store") / "small.duckdb"
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=10_000)
    synthesise(path, [spec], years=6, seed=7)
    return path


@pytest.fixture()
def small_store(small_store_path):
    with Store(small_store_path, read_only=True) as store:
        yield store
