"""The coastal synthetic authority's indicators, computed by the engine from the store, land within
its profile's targets (the council report's own figures), as the calibration measures do.

Same rule as ``tests/synth/test_calibration.py`` — within ±10%, averaged over the last three
financial years of a 10-year history — but measured by the catalogue's definitions on the store
rather than by the simulator's own Polars measures, so the two implementations check each other.
"""

from __future__ import annotations

import pytest

from carelens.indicators.catalogue import indicator
from carelens.indicators.engine import evaluate_series
from carelens.indicators.periods import Period
from carelens.model.store import Store
from carelens.synth import AuthoritySpec, load_profile, synthesise

# profile target -> catalogue indicator computing the same figure for a financial year
TARGET_INDICATORS = {
    "referrals_per_10k": "B4",
    "rereferral_pct": "B5",
    "referral_nfa_pct": "B6",
    "s47_per_10k": "C3",
    "icpc_per_10k": "C6c",
    "cp_starts_per_10k": "C9",
    "cp_plans_per_10k": "C8",
    "icpc_to_cp_pct": "C7",
    "cin_per_10k": "A1b",
    "cla_per_10k": "D1",
    "cla_starts_per_10k": "D2",
    "subsequent_cp_pct": "C13",
}
YEARS = (2024, 2025, 2026)


@pytest.fixture(scope="module")
def coastal(tmp_path_factory):
    path = tmp_path_factory.mktemp("coastal") / "coastal.duckdb"
    profile = load_profile("coastal-high-demand")
    synthesise(path, [AuthoritySpec("890", "Coastal (synthetic)", profile)], years=10, seed=1)
    with Store(path, read_only=True) as store:
        yield store, profile


def test_every_profile_target_has_an_indicator():
    assert set(TARGET_INDICATORS) == set(load_profile("coastal-high-demand").targets)


@pytest.mark.slow  # ten years of a full-size authority
def test_computed_indicators_land_within_the_profile_targets(coastal):
    store, profile = coastal
    inds = [indicator(i) for i in TARGET_INDICATORS.values()]
    out = evaluate_series(store, inds, [Period.financial_year(y) for y in YEARS], "890", every_window=True)
    off = {}
    for key, ind_id in TARGET_INDICATORS.items():
        values = out.filter(indicator=ind_id)["value"].to_list()
        assert len(values) == len(YEARS) and None not in values, ind_id
        mean = sum(values) / len(values)
        if abs(mean / profile.targets[key] - 1) > 0.10:
            off[key] = (ind_id, round(mean, 1), profile.targets[key])
    assert off == {}, f"computed vs target outside ±10%: {off}"
