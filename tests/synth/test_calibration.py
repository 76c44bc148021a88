"""Each shipped profile reproduces its headline figures within ±10%.

The figures are measured on the generated data (not read from the profile) for the last
three financial years of a 10-year history, and averaged over them.
"""

from __future__ import annotations

import pytest

from carelens.synth import AuthoritySpec, generate_authority, load_profile
from carelens.synth.calibration import measure_headlines


@pytest.mark.slow  # ten years of a full-size authority per profile
@pytest.mark.parametrize("profile_name", ["coastal-high-demand", "england"])
def test_profile_headline_rates_within_ten_percent(profile_name):
    profile = load_profile(profile_name)
    frames = generate_authority(AuthoritySpec("890", "Test", profile), years=10, seed=1)
    years = [2024, 2025, 2026]
    measured = [measure_headlines(frames, y) for y in years]
    off = {}
    for key, target in profile.targets.items():
        if key not in measured[0]:
            continue
        value = sum(m[key] for m in measured) / len(measured)
        if abs(value / target - 1) > 0.10:
            off[key] = (round(value, 1), target)
    assert set(profile.targets) <= set(measured[0])
    assert off == {}, f"{profile_name}: measured vs target outside ±10%: {off}"


def test_coastal_profile_is_calibrated_to_the_council_report():
    """The coastal targets are the report's own figures (§5.5.3 ratio table, §5.4.1, §5.5.1)."""
    t = load_profile("coastal-high-demand").targets
    assert (t["referrals_per_10k"], t["s47_per_10k"], t["icpc_per_10k"], t["cp_starts_per_10k"],
            t["cp_plans_per_10k"], t["icpc_to_cp_pct"]) == (1247, 442, 221, 190, 149, 97)
    assert load_profile("coastal-high-demand").children == 28800
