from __future__ import annotations

import pytest

from carelens.model.store import Store
from carelens.synth import england_specs, english_authorities, synthesise


def test_every_english_authority_has_its_own_population_and_profile():
    las = english_authorities()
    assert len(las) == 153
    assert las["children"].sum() == 12_183_016  # ONS mid-2024, children aged 0-17 in England
    specs = {s.la_code: s for s in england_specs()}
    blackpool, kent = specs["890"], specs["886"]
    assert blackpool.children == 28_923 and kent.children == 355_390
    # Blackpool's published 2024/25 referral rate is 1.802 times England's: its front door is that much busier
    assert round(blackpool.profile.rates["contacts_per_10k"], 1) == round(1100 * 1.802, 1)
    assert kent.profile.rates["contacts_per_10k"] < blackpool.profile.rates["contacts_per_10k"]


@pytest.mark.slow
def test_a_region_is_generated_into_one_pooled_store(tmp_path):
    specs = england_specs(region="North East", scale=0.02)
    assert len(specs) == 12
    summary = synthesise(tmp_path / "ne.duckdb", specs, years=3, seed=3)
    with Store(summary.store, read_only=True) as store:
        per_la = store.table("person").group_by("la_code").aggregate(n=store.table("person").count()).to_polars()
    assert sorted(per_la["la_code"].to_list()) == sorted(s.la_code for s in specs)
    assert (per_la["n"] > 0).all()
    assert not list(tmp_path.glob("ne.duckdb*.partial"))
