"""Every 903 placement type, provider and reason episode ceased has its place in the forecast's states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from carelens.forecast import exits, placement_categories
from carelens.forecast.states import EXITS, PLACEMENT_CATEGORIES
from carelens.model.code_lists import code_list

DOC = Path(__file__).resolve().parents[2] / "docs" / "forecast" / "states.md"


def _codes(name: str) -> list[str]:
    return [e.code for e in code_list(name).entries]  # every year's codes, 2017 to 2026


def test_every_placement_type_and_provider_is_mapped_once():
    listed = [code for code, _, _ in placement_categories.PLACEMENT_TYPES]
    assert sorted(listed) == sorted(_codes("placement_type")) and len(set(listed)) == len(listed)
    providers = [code for code, _, _ in placement_categories.FOSTER_PROVIDERS]
    assert sorted(providers) == sorted(_codes("placement_provider"))


def test_every_reason_episode_ceased_is_mapped_once():
    listed = [code for code, _, _ in exits.REASONS]
    assert sorted(listed) == sorted(_codes("reason_episode_ceased")) and len(set(listed)) == len(listed)
    assert {kind for _, kind, _ in exits.REASONS} == {*EXITS, exits.CONTINUES}


def test_categories_of_some_placements():
    episodes = pl.DataFrame({"placement_type": ["U1", "U2", "U6", "U4", "U5", "U6", "K2", "T4", "H5", "Q9"],
                             "placement_provider": ["PR4", "PR1", "PR1", "PR4", "PR2", None, "PR1", "PR1", "PR4",
                                                    "PR1"]})
    got = placement_categories.categorise(episodes)
    assert got["category"].to_list() == ["kinship", "kinship", "foster_in_house", "foster_agency", "foster_agency",
                                         "foster_in_house", "residential", None, "supported_independent", "unknown"]
    assert got["provider_missing"].to_list() == [False] * 5 + [True] + [False] * 4
    assert set(got["category"].drop_nulls()) - {"unknown"} <= set(PLACEMENT_CATEGORIES)


def test_exit_kinds():
    d = dt.date
    frame = pl.DataFrame({"rec": ["E11", "E46", "E41", "E5", "E5", "E17", None, "Q1"],
                          "end": [d(2020, 1, 1)] * 8,
                          "born": [d(2015, 1, 1)] * 4 + [d(2002, 1, 1), d(2003, 1, 1), d(2010, 1, 1), d(2010, 1, 1)]})
    got = frame.select(exits.exit_kind(pl.col("rec"), pl.col("end"), pl.col("born")).alias("kind"))["kind"]
    # E5 at 5 years old is an early move on (other); at exactly 18 (born 1 January 2002) it is reaching 18
    assert got.to_list() == ["adoption", "sgo", "home", "other", "eighteen", "eighteen", "other", "other"]


def test_the_documentation_holds_the_tables():
    text = DOC.read_text(encoding="utf-8")
    assert placement_categories.markdown() in text
    assert exits.markdown() in text
