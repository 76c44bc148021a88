from __future__ import annotations

from carelens.synth import AuthoritySpec, generate_authority, load_profile


def _generate(seed):
    spec = AuthoritySpec("890", "Test", load_profile("coastal-high-demand"), children=3000)
    return generate_authority(spec, years=4, seed=seed)


def test_same_seed_gives_identical_authority():
    a, b = _generate(11), _generate(11)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].equals(b[name]), name


def test_different_seed_gives_a_different_authority():
    a, b = _generate(11), _generate(12)
    assert not a["referrals"].equals(b["referrals"])


def test_authorities_in_one_run_get_their_own_streams():
    profile = load_profile("coastal-high-demand")
    a = generate_authority(AuthoritySpec("890", "A", profile, children=3000), years=4, seed=5)
    b = generate_authority(AuthoritySpec("888", "B", profile, children=3000), years=4, seed=5)
    assert a["referrals"]["referral_date"].to_list() != b["referrals"]["referral_date"].to_list()
    assert a["person"]["child_id"].str.starts_with("890").all()
    assert b["person"]["child_id"].str.starts_with("888").all()
