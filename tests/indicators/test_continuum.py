"""A. Continuum of need: open cases by level, and representation, on a hand-made store.

Every expected figure is worked out by hand in the comments. The counting day is 31 March 2025
(the last day of 2024-25) unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from carelens.indicators.catalogue import continuum, indicator
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)  # stocks are counted on 31 March 2025
DAY_BEFORE = Period.as_at(D(2025, 3, 30))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("continuum") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "person": _frame([
                # child, sex, born                                    age on 31 March 2025
                {"child_id": "L", "sex": "M", "date_of_birth": D(2024, 6, 1)},    # 0: under 1
                {"child_id": "P", "sex": "M", "date_of_birth": D(2015, 1, 1)},    # 10: 10-15
                {"child_id": "Q", "sex": "F", "date_of_birth": D(2010, 4, 1)},    # 14 (15 the next day): 10-15
                {"child_id": "N", "sex": "M", "date_of_birth": D(2022, 3, 31)},   # 3: 1-4
                {"child_id": "O", "sex": "F", "date_of_birth": D(2007, 3, 31)},   # 18 that day: 18 and over
                {"child_id": "E", "sex": "M", "date_of_birth": D(2009, 3, 31)},   # 16 that day: 16-17
                {"child_id": "G", "sex": "F", "date_of_birth": D(2019, 6, 15)},   # 5: 5-9
                {"child_id": "F", "sex": "F", "date_of_birth": D(2012, 1, 1)},    # not open on 31 March
            ], la_code="890", ethnicity="WBRI", uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "periods_of_care": _frame([
                {"period_id": "PL", "child_id": "L", "start_date": D(2024, 7, 1), "end_date": None},
                # G ceased to be looked after on 31 March: looked after on the 30th, not on the 31st
                {"period_id": "PG", "child_id": "G", "start_date": D(2024, 9, 1), "end_date": D(2025, 3, 31)},
            ], la_code="890"),
            "cp_plans": _frame([
                # L is also on a plan, but is counted once, as looked after
                {"cp_plan_id": "CL", "child_id": "L", "start_date": D(2024, 6, 20), "end_date": None},
                # P's plan starts on the counting day: on a plan on the 31st, not on the 30th
                {"cp_plan_id": "CP", "child_id": "P", "start_date": D(2025, 3, 31), "end_date": None},
                # Q's plan ends on the counting day: on a plan on the 30th, a child in need on the 31st
                {"cp_plan_id": "CQ", "child_id": "Q", "start_date": D(2024, 5, 1), "end_date": D(2025, 3, 31)},
            ], la_code="890", referral_id="R", initial_category="NEG", latest_category="NEG"),
            "referrals": _frame([
                {"referral_id": "RL", "child_id": "L", "referral_date": D(2024, 6, 1), "closure_date": None},
                {"referral_id": "RP", "child_id": "P", "referral_date": D(2025, 3, 1), "closure_date": None},
                {"referral_id": "RQ", "child_id": "Q", "referral_date": D(2024, 4, 1), "closure_date": None},
                # N is under assessment (referral open since 20 March): a child in need
                {"referral_id": "RN", "child_id": "N", "referral_date": D(2025, 3, 20), "closure_date": None},
                # O turns 18 on the counting day with the referral still open: still counted, aged 18
                {"referral_id": "RO", "child_id": "O", "referral_date": D(2025, 1, 10), "closure_date": None},
                # F's referral closed in February: not open in March
                {"referral_id": "RF", "child_id": "F", "referral_date": D(2024, 11, 1),
                 "closure_date": D(2025, 2, 1)},
            ], la_code="890", source="1A", referral_nfa=False),
            "early_help_episodes": _frame([
                {"early_help_id": "EE", "child_id": "E", "start_date": D(2024, 12, 1), "end_date": None},
                # F's early help ended on the counting day: open on the 30th only
                {"early_help_id": "EF", "child_id": "F", "start_date": D(2025, 2, 2), "end_date": D(2025, 3, 31)},
                # G starts early help on the day care ends: early help on the 31st, looked after on the 30th
                {"early_help_id": "EG", "child_id": "G", "start_date": D(2025, 3, 31), "end_date": None},
            ], la_code="890"),
            "allocations": _frame([
                {"allocation_id": "AL", "child_id": "L", "worker_id": "W1", "team_id": "T1",
                 "start_date": D(2024, 6, 1), "end_date": None},
            ], la_code="890"),
        })
        # another authority's rows in the same pool are never counted: E is looked after in 999, not here
        s.append({"periods_of_care": _frame([{"period_id": "ZE", "child_id": "E", "start_date": D(2024, 1, 1),
                                              "end_date": None}], la_code="999"),
                  "cp_plans": _frame([{"cp_plan_id": "ZZ", "child_id": "Z", "start_date": D(2024, 1, 1),
                                       "end_date": None}], la_code="999", referral_id="R",
                                     initial_category="NEG", latest_category="NEG")})
    with Store(path, read_only=True) as s:
        yield s


def _by(store, ind_id, period, breakdown):
    out = evaluate_by(store, indicator(ind_id), period, "890", breakdown)
    return {r["group"]: (r["numerator"], r["denominator"], r["value"]) for r in out.iter_rows(named=True)}


def test_open_cases_count_each_child_once_at_their_highest_level(store):
    # 31 March: L looked after (also on a plan, referral open); P on a plan (from that day);
    # Q, N, O children in need; E, G early help. F is not open. 7 children.
    v = evaluate(store, indicator("A1"), FY2025, "890")
    assert (v.numerator, v.value, v.unit) == (7, 7.0, "count")
    levels = _by(store, "A1", FY2025, "level")
    assert {g: n for g, (n, _, _) in levels.items()} == {
        "looked after": 1, "child protection plan": 1, "child in need": 3, "early help": 2}
    rows = counted_rows(store, indicator("A1"), FY2025, "890", "level").to_polars()
    assert dict(zip(rows["child_id"], rows["group"], strict=True)) == {
        "L": "looked after", "P": "child protection plan", "Q": "child in need", "N": "child in need",
        "O": "child in need", "E": "early help", "G": "early help"}


def test_open_cases_the_day_before(store):
    # 30 March: L and G looked after; Q on a plan; P (plan not started), N, O children in need;
    # E and F early help. 8 children.
    levels = _by(store, "A1", DAY_BEFORE, "level")
    assert {g: n for g, (n, _, _) in levels.items()} == {
        "looked after": 2, "child protection plan": 1, "child in need": 3, "early help": 2}
    # an ISO week is counted on its Sunday: week 13 of 2025 ends on Sunday 30 March
    assert evaluate(store, indicator("A1"), Period.iso_week(2025, 13), "890").numerator == 8


def test_share_at_cp_or_looked_after_level_leaves_early_help_out(store):
    # 31 March: social care cases L, P, Q, N, O = 5; at CP or looked after: L, P = 2 -> 40%
    v = evaluate(store, indicator("A1a"), FY2025, "890")
    assert (v.numerator, v.denominator, v.value) == (2, 5, 40.0)
    # 30 March: social care L, G, Q, P, N, O = 6; CP or looked after: L, G, Q = 3 -> 50%
    v = evaluate(store, indicator("A1a"), DAY_BEFORE, "890")
    assert (v.numerator, v.denominator, v.value) == (3, 6, 50.0)


def test_open_cases_by_team_use_the_allocation_on_the_day(store):
    assert {g: n for g, (n, _, _) in _by(store, "A1", FY2025, "team").items()} == {"T1": 1, "unallocated": 6}


def test_representation_by_sex(store):
    # 7 open children: M = L, P, N, E (4/7); F = Q, O, G (3/7); each sex is half of the 36,000 aged 0-17
    got = _by(store, "A2", FY2025, "sex")
    assert got["M"] == (4, 18_000, pytest.approx((4 / 7) / 0.5))
    assert got["F"] == (3, 18_000, pytest.approx((3 / 7) / 0.5))


def test_representation_by_age_band(store):
    # shares of the 0-17 population: under 1 2/36, 1-4 8/36, 5-9 10/36, 10-15 12/36, 16-17 4/36.
    # Open children by age on 31 March: under 1 L; 1-4 N; 5-9 G; 10-15 P, Q; 16-17 E; 18 and over O (7 in all,
    # O counts in the other groups' shares but has no population share: no ratio)
    got = _by(store, "A2", FY2025, "age_band")
    expected = {"under 1": (1, 2_000), "1-4": (1, 8_000), "5-9": (1, 10_000), "10-15": (2, 12_000),
                "16-17": (1, 4_000)}
    for band, (n, pop) in expected.items():
        assert got[band] == (n, pop, pytest.approx((n / 7) / (pop / 36_000))), band
    assert got["under 1"][2] == pytest.approx(18 / 7)  # over-represented 2.6 times
    assert got["18 and over"][0] == 1 and got["18 and over"][2] is None
    # no group value for "all": a representation is only by group
    assert evaluate(store, indicator("A2"), FY2025, "890").value is None


def test_representation_at_one_level(store):
    # looked after on 31 March: L only (a boy): boys 1/1 against half the population -> 2; girls 0
    got = _by(store, "A2d", FY2025, "sex")
    assert got["M"] == (1, 18_000, pytest.approx(2.0)) and got["F"] == (0, 18_000, 0.0)
    # early help: E (M, 16) and G (F, 5)
    got = _by(store, "A2a", FY2025, "age_band")
    assert got["16-17"][2] == pytest.approx((1 / 2) / (4 / 36)) and got["5-9"][2] == pytest.approx((1 / 2) / (10 / 36))
    # children in need Q, N, O; on a plan P
    assert evaluate(store, indicator("A2b"), FY2025, "890").numerator == 3
    assert evaluate(store, indicator("A2c"), FY2025, "890").numerator == 1


@pytest.mark.slow
def test_every_continuum_indicator_runs_on_the_synthetic_authority_for_every_breakdown(small_store):
    periods = standard_periods(D(2024, 4, 1), D(2025, 3, 31))
    for ind in continuum.INDICATORS:
        out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
        assert_figures_follow_from_counts(out, ind)
        assert out.height > 0, ind.id
        assert set(out["breakdown"].unique()) == set(ind.all_breakdowns), ind.id
        assert set(out["period_kind"].unique()) == set(ind.series), ind.id
        assert out["numerator"].min() >= 0, ind.id
        values = [v for v in out["value"].to_list() if v is not None]
        assert values and all(math.isfinite(v) and v >= 0 for v in values), ind.id
        if ind.unit == "percent":
            assert max(values) <= 100, ind.id
        if ind.id == "A1":  # the levels add up to the total on every day
            totals = out.filter(pl.col("breakdown") == "all").select("period", "numerator")
            levels = out.filter(pl.col("breakdown") == "level").group_by("period").agg(pl.col("numerator").sum())
            assert totals.join(levels, on="period").filter(pl.col("numerator") != pl.col("numerator_right")
                                                           ).height == 0
    # the synthetic authority is a high-demand one: close to half its social care cases at CP or CLA level
    share = evaluate(small_store, indicator("A1a"), FY2025, "890").value
    assert 30 < share < 70


def test_children_in_need_count_every_open_referral_whatever_else_is_in_place(store):
    # 31 March: referrals open for L (also looked after), P (also on a plan), Q, N (under assessment) and
    # O (18 that day); F's closed in February; another authority's rows never count -> 5 children
    v = evaluate(store, indicator("A1b"), FY2025, "890")
    assert (v.numerator, v.denominator) == (5, 36_000)
    assert v.value == pytest.approx(5 * 10_000 / 36_000)  # a stock: not annualised
    assert sorted(counted_rows(store, indicator("A1b"), FY2025, "890").to_polars()["child_id"]) == [
        "L", "N", "O", "P", "Q"]
    # 1 February: F's referral closed that day, so F no longer counts; N and P not yet referred -> L, O, Q
    assert evaluate(store, indicator("A1b"), Period.as_at(D(2025, 2, 1)), "890").numerator == 3
