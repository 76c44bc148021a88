"""H. Early help on a hand-made store, with every expected figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.indicators.catalogue import early_help, indicator
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)  # 1 April 2024 - 31 March 2025, 365 days
POP = 36_000  # 1,000 children for each age 0-17 and each sex


def _episode(eid, child, start, end=None, end_reason=None, from_referral=None, team=None, worker=None):
    return {"early_help_id": eid, "child_id": child, "start_date": start, "end_date": end, "end_reason": end_reason,
            "from_referral_id": from_referral, "team_id": team, "worker_id": worker, "reason": "N1"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("eh") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "person": _frame([{"child_id": c, "sex": "F", "date_of_birth": D(2015, 1, 1)} for c in "abcdefg"],
                             la_code="890", ethnicity="WBRI", uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "early_help_episodes": _frame([
                _episode("E1", "a", D(2024, 4, 1), team="EH1", worker="X1"),  # the episode names its team
                _episode("E2", "b", D(2023, 6, 1), D(2025, 3, 31), "STEP_UP"),  # stepped up on the last day
                _episode("E3", "c", D(2025, 3, 31), from_referral="R9"),  # stepped down on the last day
                _episode("E4", "d", D(2024, 1, 1), D(2024, 4, 1), "COMPLETED"),  # ended on the first day
                _episode("E5", "e", D(2024, 2, 1), D(2024, 3, 31), "STEP_UP"),  # the year before
                _episode("E6", "f", D(2024, 10, 1), D(2024, 12, 1), "STEP_UP", from_referral="R7"),
                _episode("E7", "g", D(2022, 1, 1)),  # open for years
            ], la_code="890"),
            "allocations": _frame([
                # b's practitioner until the step-up (the allocation ends with the episode)
                {"allocation_id": "Ab", "child_id": "b", "worker_id": "X2", "team_id": "EH2",
                 "start_date": D(2023, 6, 1), "end_date": D(2025, 3, 31)},
                {"allocation_id": "Ac", "child_id": "c", "worker_id": "X2", "team_id": "EH2",
                 "start_date": D(2025, 3, 31), "end_date": None},
            ], la_code="890"),
        })
        # another authority's episode in the same pool must never be counted
        s.append({"early_help_episodes": _frame([_episode("Z1", "z", D(2024, 6, 1), from_referral="RZ")],
                                                la_code="999")})
    with Store(path, read_only=True) as s:
        yield s


def _rows(store, ind_id, period=FY2025):
    return sorted(counted_rows(store, indicator(ind_id), period, "890").to_polars()["child_id"])


def _team(store, ind_id, column="numerator"):
    out = evaluate_by(store, indicator(ind_id), FY2025, "890", "team")
    return dict(zip(out["group"], out[column]))


def test_open_episodes_at_the_end_of_the_year(store):
    # a (from 1 April 2024), c (started 31 March 2025) and g; b ended on 31 March 2025
    assert _rows(store, "H1") == ["a", "c", "g"]
    assert evaluate(store, indicator("H1"), FY2025, "890").value == 3.0
    # a's own team; c's allocated team that day; g has neither
    assert _team(store, "H1") == {"EH1": 1, "EH2": 1, "unallocated": 1}


def test_episodes_starting(store):
    # a (1 April 2024), f (1 October 2024), c (31 March 2025); the other authority's z is not counted
    v = evaluate(store, indicator("H1a"), FY2025, "890")
    assert (v.numerator, v.denominator) == (3, POP)
    assert v.value == pytest.approx(3 * 10_000 / POP)
    week = evaluate(store, indicator("H1a"), Period.iso_week(2025, 14), "890")  # Mon 31 March - Sun 6 April
    assert week.numerator == 1 and week.value == pytest.approx(1 * 10_000 / POP * 365 / 7)


def test_step_ups(store):
    # b (31 March 2025) and f (1 December 2024); e stepped up the year before
    assert _rows(store, "H1b") == ["b", "f"]
    # b's team is the one allocated the day before the episode ended; f had nobody allocated
    assert _team(store, "H1b") == {"EH2": 1, "unallocated": 1}
    # ended in the year: b (step-up), d (completed, 1 April 2024), f (step-up) -> 2 of 3
    v = evaluate(store, indicator("H1c"), FY2025, "890")
    assert (v.numerator, v.denominator) == (2, 3)
    by_reason = evaluate_by(store, indicator("H1c"), FY2025, "890", "end_reason")
    assert dict(zip(by_reason["group"], by_reason["denominator"])) == {"COMPLETED": 1, "STEP_UP": 2}


def test_step_downs(store):
    # c and f started from a social-care referral
    assert _rows(store, "H1d") == ["c", "f"]
    v = evaluate(store, indicator("H1e"), FY2025, "890")  # of the 3 starting
    assert (v.numerator, v.denominator) == (2, 3)


@pytest.mark.slow
def test_every_early_help_indicator_runs_over_the_standard_windows(small_store):
    """Every indicator, window and breakdown on the synthetic authority, with plausible values."""
    periods = standard_periods(D(2024, 4, 1), D(2025, 3, 31))
    for ind in early_help.INDICATORS:
        out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
        assert_figures_follow_from_counts(out, ind)
        assert set(out["breakdown"]) <= set(ind.all_breakdowns), ind.id
        every = out.filter(pl.col("breakdown") == "all")
        assert set(every["period_kind"]) == set(ind.series), ind.id
        assert out.filter((pl.col("numerator") < 0) | (pl.col("value") < 0)).is_empty(), ind.id
        if ind.unit == "percent":
            assert out.filter(pl.col("value") > 100).is_empty(), ind.id
        assert every.filter(pl.col("period_kind") == "financial_year")["numerator"].item() > 0, ind.id
        # every episode counted by team: the teams add up to the total
        by_team = out.filter(pl.col("breakdown") == "team").group_by("period").agg(pl.col("numerator").sum())
        if ind.unit != "percent":
            joined = every.select("period", total="numerator").join(by_team, on="period", how="left")
            assert joined.filter(pl.col("numerator").fill_null(0) != pl.col("total")).is_empty(), ind.id
