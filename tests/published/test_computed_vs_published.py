"""Our computed financial-year values beside DfE's published ones, on a small synthetic coastal
authority (imitating Blackpool, 890) and the shipped published figures."""

from __future__ import annotations

import pytest

from carelens.published.computed_vs_published import complete_financial_years, computed_vs_published
from carelens.published.figures_file import open_published, shipped_file
from carelens.model.store import Store

pytestmark = pytest.mark.skipif(not shipped_file().is_file(), reason="the shipped benchmark file is not built")


@pytest.fixture(scope="module")
def coastal_store_path(tmp_path_factory):
    """Three years (April 2023 to March 2026) of a 1,500-child coastal authority stored as 890."""
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    path = tmp_path_factory.mktemp("cvp") / "coastal.duckdb"
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=1_500)
    synthesise(path, [spec], years=3, seed=11)
    return path


def test_complete_financial_years():
    import datetime as dt

    assert complete_financial_years(dt.date(2023, 4, 1), dt.date(2026, 3, 31)) == [2024, 2025, 2026]
    assert complete_financial_years(dt.date(2023, 4, 2), dt.date(2026, 3, 30)) == [2025]


def test_computed_beside_published_with_the_difference(coastal_store_path):
    with Store(coastal_store_path, read_only=True) as store, open_published() as data:
        out = computed_vs_published(store, "890", [2025], data, indicator_ids=["B4", "C8", "G3", "C6b"])
        # hand check from the store's own rows
        referrals = store.sql("SELECT count(*) FROM referrals WHERE la_code = '890' "
                              "AND referral_date BETWEEN DATE '2024-04-01' AND DATE '2025-03-31'")[0][0]
        on_plans = store.sql("SELECT count(DISTINCT child_id) FROM cp_plans WHERE la_code = '890' "
                             "AND start_date <= DATE '2025-03-31' AND (end_date IS NULL OR end_date > DATE '2025-03-31')"
                             )[0][0]
        children = store.sql("SELECT sum(children) FROM population WHERE la_code = '890' AND year = 2024")[0][0]
    rows = {r["indicator"]: r for r in out.iter_rows(named=True)}
    # C6b has no single DfE measure (one per band), so it is not compared
    assert set(rows) == {"B4", "C8", "G3"}
    b4 = rows["B4"]
    # referrals in April 2024 to March 2025 x 10,000 / children aged 0-17 at mid-2024 (365 of 365 days)
    assert b4["numerator"] == referrals
    assert b4["computed"] == pytest.approx(referrals * 10_000 / children)
    # Blackpool's published rate for 2024-25 (LAIT CPP_Total_Rateper10,000, Years '2025'): 935.9
    assert (b4["year"], b4["published"], b4["published_for"]) == ("2024-25", 935.9, "890")
    assert b4["difference"] == pytest.approx(b4["computed"] - 935.9)
    assert b4["comparable"] is True
    # children on plans on 31 March 2025; Blackpool published 86.1 per 10,000
    assert rows["C8"]["numerator"] == on_plans and rows["C8"]["published"] == 86.1
    # the workforce census is taken in September: shown, but flagged as not directly comparable
    assert rows["G3"]["comparable"] is False and "30 September" in rows["G3"]["note"]


def test_profiles_name_the_real_authority_they_imitate(tmp_path):
    from carelens.synth import ProfileError, load_profile
    from carelens.synth.profiles import shipped_profiles

    assert load_profile("coastal-high-demand").benchmark_against == "890"  # Blackpool
    assert load_profile("england").benchmark_against is None  # each authority: its own code
    assert "england" in shipped_profiles()
    text = (tmp_path / "x.yaml")
    from importlib import resources

    coastal = (resources.files("carelens.synth") / "profiles" / "coastal-high-demand.yaml").read_text()
    text.write_text(coastal.replace('benchmark_against: "890"', "benchmark_against: 890"), encoding="utf-8")
    with pytest.raises(ProfileError, match="benchmark_against = 890: expected a quoted 3-digit"):
        load_profile(text)
