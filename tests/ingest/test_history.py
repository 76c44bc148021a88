"""Stitching returns into one history: newer years correct older ones, loads are idempotent and atomic."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.ingest.extract import Extract
from carelens.ingest.history import merge_extracts
from carelens.model.store import Store

D = dt.date


def census(year: int, referrals: list[dict], people: list[dict] | None = None) -> Extract:
    """A hand-made CIN census extract for collection year ``year``."""
    refs = pl.DataFrame(referrals).with_columns(
        referral_id=pl.concat_str([pl.col("child_id"), pl.lit("/R"), pl.col("referral_date").dt.strftime("%Y-%m-%d")]),
        source=pl.lit("6"), referral_nfa=pl.lit(False), source_file=pl.lit(f"cin_{year}.xml"),
        source_year=pl.lit(year, pl.Int32))
    people = people or [{"child_id": c, "sex": "F", "date_of_birth": D(2015, 1, 1), "ethnicity": "WBRI",
                         "uasc": False} for c in refs["child_id"].unique().sort().to_list()]
    person = pl.DataFrame(people).with_columns(source_year=pl.lit(year, pl.Int32),
                                              source_file=pl.lit(f"cin_{year}.xml"))
    return Extract("cin_census", "890", year, D(year - 1, 4, 1), D(year, 3, 31), [f"cin_{year}.xml"],
                   {"person": person, "referrals": refs})


def snapshot(store: Store, name: str) -> list[tuple]:
    return sorted(store.sql(f'SELECT * EXCLUDE (source_row) FROM "{name}"'))


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        yield s


def test_loading_the_same_return_twice_changes_nothing(store):
    e = census(2024, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None}])
    merge_extracts(store, [e])
    first = snapshot(store, "referrals"), snapshot(store, "person")
    merge_extracts(store, [e])
    assert (snapshot(store, "referrals"), snapshot(store, "person")) == first
    assert store.count("referrals") == 1


def test_a_newer_year_closes_a_referral_the_older_year_left_open(store):
    merge_extracts(store, [census(2024, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None}])])
    merge_extracts(store, [census(2025, [{"child_id": "A", "referral_date": D(2023, 6, 1),
                                          "closure_date": D(2024, 9, 30), "closure_reason": "RC7"}])])
    rows = store.sql("SELECT referral_id, closure_date, closure_reason, source_year FROM referrals")
    assert rows == [("A/R2023-06-01", D(2024, 9, 30), "RC7", 2025)]


def test_a_newer_year_removes_what_it_no_longer_reports_in_its_period(store):
    # 2024 said B had a referral open at 31 March 2024; the 2025 census (covering 2024/25) does not list it
    merge_extracts(store, [census(2024, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None},
                                         {"child_id": "B", "referral_date": D(2024, 2, 1), "closure_date": None}])])
    merge_extracts(store, [census(2025, [{"child_id": "A", "referral_date": D(2023, 6, 1),
                                          "closure_date": D(2024, 9, 30), "closure_reason": "RC7"}])])
    assert [r[0] for r in store.sql("SELECT referral_id FROM referrals")] == ["A/R2023-06-01"]


def test_history_outside_the_newer_years_period_is_kept(store):
    merge_extracts(store, [census(2023, [{"child_id": "C", "referral_date": D(2022, 5, 1),
                                          "closure_date": D(2022, 11, 1), "closure_reason": "RC8"}])])
    merge_extracts(store, [census(2025, [{"child_id": "A", "referral_date": D(2024, 6, 1), "closure_date": None}])])
    assert sorted(r[0] for r in store.sql("SELECT referral_id FROM referrals")) == ["A/R2024-06-01", "C/R2022-05-01"]


def test_an_older_return_loaded_later_never_overwrites_a_newer_one(store):
    newer = census(2025, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": D(2024, 9, 30),
                           "closure_reason": "RC7"}])
    older = census(2024, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None}])
    merge_extracts(store, [newer])
    merge_extracts(store, [older])
    assert store.sql("SELECT closure_date, source_year FROM referrals") == [(D(2024, 9, 30), 2025)]
    # and loading both together gives the same answer whatever order they are given in
    with Store(store.path.with_name("other.duckdb")) as other:
        merge_extracts(other, [newer, older])
        assert snapshot(other, "referrals") == snapshot(store, "referrals")


def test_people_are_merged_field_by_field(store):
    first = census(2024, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None}],
                   people=[{"child_id": "A", "sex": "F", "date_of_birth": D(2015, 1, 1), "ethnicity": "WBRI",
                            "uasc": False, "upn": "A123456789012"}])
    later = census(2025, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None}],
                   people=[{"child_id": "A", "sex": "F", "date_of_birth": D(2015, 1, 1), "ethnicity": "MWBC",
                            "uasc": False, "upn": None}])
    merge_extracts(store, [first, later])
    assert store.sql("SELECT ethnicity, upn, source_year FROM person") == [("MWBC", "A123456789012", 2025)]


def test_a_failed_merge_leaves_the_store_exactly_as_it_was(store):
    merge_extracts(store, [census(2024, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None}])])
    before = snapshot(store, "referrals"), snapshot(store, "person")
    good = census(2025, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": D(2024, 9, 30)}])
    broken = census(2025, [{"child_id": "Z", "referral_date": D(2024, 6, 1), "closure_date": None}])
    broken.frames["referrals"] = broken.frames["referrals"].with_columns(referral_date=pl.lit(None, pl.Date))
    with pytest.raises(Exception):
        merge_extracts(store, [good, broken])
    assert (snapshot(store, "referrals"), snapshot(store, "person")) == before


def test_a_child_once_reported_as_uasc_stays_so(store):
    def with_uasc(year, flag):
        return census(year, [{"child_id": "A", "referral_date": D(2023, 6, 1), "closure_date": None}],
                      people=[{"child_id": "A", "sex": "M", "date_of_birth": D(2008, 1, 1), "ethnicity": "BAFR",
                               "uasc": flag}])
    merge_extracts(store, [with_uasc(2024, True), with_uasc(2025, False)])
    assert store.sql("SELECT uasc FROM person") == [(True,)]
