"""Projected spend by financial year, against figures worked out by hand on a hand-made projection of two runs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from carelens.forecast.costs import UnitCost, UnitCosts
from carelens.forecast.rates import BANDS, CATEGORIES
from carelens.forecast.simulate import Projection
from carelens.forecast.spend import IN_HOUSE_LINE, InHousePlaces, financial_year, projected_spend, spend_difference

D = dt.date
FOSTER, RESIDENTIAL = CATEGORIES.index("foster_in_house"), CATEGORIES.index("residential")


def _costs() -> UnitCosts:
    """£700 a week in in-house foster care and £7,000 in residential care at 2026 prices (£100 and £1,000 a
    day), nothing elsewhere; 10% a year inflation, so £110 and £1,100 a day at 2027 prices."""
    weekly = {c: 0.0 for c in CATEGORIES} | {"foster_in_house": 700.0, "residential": 7000.0}
    return UnitCosts({c: UnitCost(w, 2026, "hand-made") for c, w in weekly.items()}, 0.10, "hand-made")


def _projection(start: dt.date, foster: list[list[int]], residential: list[list[int]]) -> Projection:
    """A projection of len(foster) runs whose children are only those given, by day (day 0 first)."""
    runs, days = len(foster), len(foster[0]) - 1
    by_category = np.zeros((runs, len(CATEGORIES), days + 1), dtype=np.int32)
    by_category[:, FOSTER] = foster
    by_category[:, RESIDENTIAL] = residential
    by_band = np.zeros((runs, len(BANDS), days + 1), dtype=np.int32)
    by_band[:, 3] = by_category.sum(1)
    return Projection(start, days, runs, 0, by_band, by_category, np.zeros((runs, 1)), np.zeros((runs, 5, 1)),
                      (start,))


# 29 March 2027 is day 0; days 1–2 (30, 31 March) are in 2026/27, days 3–5 (1–3 April) in 2027/28.
# Run 0: 2 in foster care and 3 in residential care every day. Run 1: 1 in foster care; residential 3, 3, 0, 0, 1
# on days 1–5, and 9 on day 0, which is the start (the past) and costs nothing here.
ACROSS_APRIL = _projection(D(2027, 3, 29), foster=[[2] * 6, [1] * 6], residential=[[3] * 6, [9, 3, 3, 0, 0, 1]])


def test_financial_years_run_from_april_and_are_named_by_the_year_they_end():
    assert [financial_year(d) for d in (D(2026, 3, 31), D(2026, 4, 1), D(2026, 12, 31), D(2027, 3, 31))] == [
        2026, 2027, 2027, 2027]


def test_spend_by_financial_year_by_hand():
    spend = projected_spend(ACROSS_APRIL, _costs())
    assert spend.financial_years == (2027, 2028)
    assert spend.first_days == (D(2027, 3, 30), D(2027, 4, 1))
    assert spend.last_days == (D(2027, 3, 31), D(2027, 4, 3))
    assert spend.complete() == (False, False)
    # run 0: 2 × £110 + 3 × £1,100 = £3,520 a day; 2 days, then 3
    # run 1: 2026/27 £110 × 2 + £1,100 × 6 = £6,820; 2027/28 £110 × 3 + £1,100 × 1 = £1,430
    assert spend.total() == pytest.approx(np.array([[7040, 10560], [6820, 1430]]))
    assert spend.line("foster_in_house") == pytest.approx(np.array([[440, 660], [220, 330]]))
    assert spend.line("residential") == pytest.approx(np.array([[6600, 9900], [6600, 1100]]))
    assert spend.line("kinship") == pytest.approx(np.zeros((2, 2)))


def test_each_day_is_priced_at_its_calendar_year():
    # 30 December 2026 is day 0: 31 December at 2026 prices (£100), 1 and 2 January at 2027's (£110 each)
    spend = projected_spend(_projection(D(2026, 12, 30), foster=[[1] * 4], residential=[[0] * 4]), _costs())
    assert spend.financial_years == (2027,)
    assert spend.total() == pytest.approx(np.array([[320]]))


def test_the_summary_states_each_year_and_all_of_them_with_intervals():
    summary = projected_spend(ACROSS_APRIL, _costs()).summary()
    total = {r["financial_year"]: r for r in summary.filter(summary["line"] == "total").to_dicts()}
    assert list(total) == ["2026/27", "2027/28", "2026/27 to 2027/28"]
    # two runs: the quantiles up to the median are the lower run (inverted_cdf), those above it the higher
    assert (total["2026/27"]["median"], total["2026/27"]["lower_95"], total["2026/27"]["upper_95"]) == (
        pytest.approx(6820), pytest.approx(6820), pytest.approx(7040))
    assert total["2026/27"]["mean"] == pytest.approx(6930)
    assert total["2026/27 to 2027/28"]["median"] == pytest.approx(8250)  # run 1: 6,820 + 1,430; run 0: 17,600
    assert total["2026/27 to 2027/28"]["upper_50"] == pytest.approx(17600)
    assert (total["2027/28"]["days"], total["2027/28"]["complete"]) == (3, False)


def test_a_new_home_holds_residential_children_up_to_its_places_at_its_own_cost():
    # 2 places from 2 April 2027 (day 4) at £3,500 a week at 2026 prices: £550 a day at 2027's
    home = InHousePlaces(D(2027, 4, 2), places=2, weekly=3500.0, year=2026)
    spend = projected_spend(ACROSS_APRIL, _costs(), (home,))
    assert spend.lines[-1] == IN_HOUSE_LINE
    # run 0: 3 residential children on days 4 and 5, 2 of them in the home; run 1: none on day 4, 1 on day 5
    assert spend.line(IN_HOUSE_LINE) == pytest.approx(np.array([[0, 4 * 550], [0, 550]]))
    assert spend.line("residential") == pytest.approx(np.array([[6600, 5 * 1100], [6600, 0]]))
    difference = spend_difference(spend, projected_spend(ACROSS_APRIL, _costs()))
    total = {r["financial_year"]: r for r in difference.filter(difference["line"] == "total").to_dicts()}
    # each child-day in the home costs £550 instead of £1,100: run 0 4 days, run 1 1 day
    assert (total["2026/27"]["lower_95"], total["2026/27"]["upper_95"]) == (0, 0)
    assert (total["2027/28"]["lower_95"], total["2027/28"]["upper_95"]) == (pytest.approx(-2200), pytest.approx(-550))
    assert total["2027/28"]["mean"] == pytest.approx(-1375)
    lines = {r["line"] for r in difference.to_dicts()}
    assert IN_HOUSE_LINE in lines and "residential" in lines


def test_a_home_opening_after_the_horizon_costs_nothing_and_changes_nothing():
    home = InHousePlaces(D(2028, 1, 1), places=2, weekly=3500.0, year=2026)
    with_home, without = projected_spend(ACROSS_APRIL, _costs(), (home,)), projected_spend(ACROSS_APRIL, _costs())
    assert with_home.total() == pytest.approx(without.total())
    assert with_home.line(IN_HOUSE_LINE) == pytest.approx(np.zeros((2, 2)))
