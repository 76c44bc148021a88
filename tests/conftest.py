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


def coastal_store(path, children: int, years: int, seed: int):
    """A synthetic coastal authority under high demand (890) in a new store at ``path``."""
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=children)
    synthesise(path, [spec], years=years, seed=seed)
    return path


@pytest.fixture(scope="session")
def small_store_path(tmp_path_factory):
    """Six years of a 10,000-child coastal authority (seconds to build)."""
    return coastal_store(tmp_path_factory.mktemp("store") / "small.duckdb", 10_000, years=6, seed=7)


@pytest.fixture()
def small_store(small_store_path):
    with Store(small_store_path, read_only=True) as store:
        yield store


@pytest.fixture(scope="session")
def tiny_store_path(tmp_path_factory):
    """Four years of a 2,000-child authority: for tests about the store's file, not its figures."""
    return coastal_store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", 2_000, years=4, seed=3)


@pytest.fixture(scope="session")
def small_903_return(tiny_store_path, tmp_path_factory):
    """A small SSDA903 return (2024/25, a few dozen children) as CSV files: quick for each `carelens ingest`."""
    from carelens.returns.ssda903 import write_ssda903

    folder = tmp_path_factory.mktemp("return") / "ssda903_2024-25"
    with Store(tiny_store_path, read_only=True) as store:
        write_ssda903(store, 2025, folder)
    return folder
