"""Synthetic authorities made for tests, each in a new DuckDB store."""

from __future__ import annotations

from carelens.synth import AuthoritySpec, load_profile, synthesise


def coastal_store(path, children: int, years: int, seed: int):
    """A synthetic coastal authority under high demand (890) in a new store at ``path``."""
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=children)
    synthesise(path, [spec], years=years, seed=seed)
    return path
