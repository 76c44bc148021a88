"""Rates estimated from hand-made histories equal rates computed by hand (docs/forecast/model.md)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carelens.forecast.histories import CareHistories
from carelens.forecast.rates import BANDS, CATEGORIES, DURATIONS, TRANSITIONS, fit, population_on
from carelens.forecast.states import POPULATION_SCHEMA, SPELLS_SCHEMA

D = dt.date
B = {b: i for i, b in enumerate(BANDS)}
C = {c: i for i, c in enumerate(CATEGORIES)}
K = {k: i for i, k in enumerate(TRANSITIONS)}
DUR = {d: i for i, d in enumerate(DURATIONS)}


def spells(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=list(SPELLS_SCHEMA), orient="row").cast(SPELLS_SCHEMA)


SPELLS = spells([
    # A, born 2014-06-01: 10 on 2024-06-01 (5–9 → 10–15); in care since 2023-01-01, so 1–2 years in care all
    # through 2024 but its last day (730 days on 31 December, 2024 being a leap year). In-house foster care,
    # then a move to a children's home on 2024-09-01, still there.
    ("A", D(2014, 6, 1), D(2023, 1, 1), D(2023, 1, 1), D(2024, 9, 1), "foster_in_house", "moved"),
    ("A", D(2014, 6, 1), D(2023, 1, 1), D(2024, 9, 1), None, "residential", None),
    # B, born 2006-07-01: enters care at 17 on 2024-02-01, in supported accommodation to the 18th birthday
    ("B", D(2006, 7, 1), D(2024, 2, 1), D(2024, 2, 1), D(2024, 7, 1), "supported_independent", "eighteen"),
    # C, born 2023-05-10: enters agency foster care as a baby on 2024-03-01 and goes home on 2024-04-15
    ("C", D(2023, 5, 10), D(2024, 3, 1), D(2024, 3, 1), D(2024, 4, 15), "foster_agency", "home"),
    # D: a period that ended before the window
    ("D", D(2010, 1, 1), D(2022, 1, 1), D(2022, 1, 1), D(2023, 6, 1), "kinship", "home"),
    # E: begins after the fitted day (a backtest's refit must not see it)
    ("E", D(2012, 1, 1), D(2025, 2, 1), D(2025, 2, 1), None, "kinship", None),
])
POPULATION = pl.DataFrame([(y, a, 100) for y in (2023, 2024, 2025) for a in range(18)],
                          schema=list(POPULATION_SCHEMA), orient="row").cast(POPULATION_SCHEMA)
AS_AT = D(2024, 12, 31)  # one year's window: 2024-01-01 to 2024-12-31, 366 days


def histories(s=SPELLS) -> CareHistories:
    return CareHistories("890", s, POPULATION, D(2025, 3, 31), "given")


def test_days_at_risk_and_events_are_counted_state_by_state():
    r = fit(histories(), as_at=AS_AT, window_years=1, prior_days=0)
    assert r.window_start == D(2024, 1, 1)
    expected_days = {
        ("5_9", "foster_in_house", "1_to_2_years"): 152,  # 1 January to 31 May 2024
        ("10_15", "foster_in_house", "1_to_2_years"): 92,  # June, July, August
        ("10_15", "residential", "1_to_2_years"): 121,  # 1 September to 30 December
        ("10_15", "residential", "2_years_or_more"): 1,  # 31 December: two years in care
        ("16_17", "supported_independent", "under_6_months"): 151,  # 1 February to 30 June: 18 on 1 July
        ("under_1", "foster_agency", "under_6_months"): 45,  # 1 March to 14 April
    }
    days = np.zeros_like(r.days)
    for (b, c, d), n in expected_days.items():
        days[B[b], C[c], DUR[d]] = n
    np.testing.assert_array_equal(r.days, days)
    events = np.zeros_like(r.events)
    events[B["10_15"], C["foster_in_house"], DUR["1_to_2_years"], K["to_residential"]] = 1
    events[B["under_1"], C["foster_agency"], DUR["under_6_months"], K["home"]] = 1
    # reaching 18 is not an event: the simulation ages children out
    np.testing.assert_array_equal(r.events, events)
    # with no pooling, a rate is its events over its days
    per_day = r.per_day()
    assert per_day[B["10_15"], C["foster_in_house"], DUR["1_to_2_years"], K["to_residential"]] == 1 / 92
    assert per_day[B["under_1"], C["foster_agency"], DUR["under_6_months"], K["home"]] == 1 / 45
    assert per_day[B["5_9"], C["foster_in_house"], DUR["1_to_2_years"]].sum() == 0


def test_entries_are_periods_begun_in_the_window_over_the_child_days_of_the_population():
    r = fit(histories(), as_at=AS_AT, window_years=1, prior_days=0)
    np.testing.assert_array_equal(r.entries, [1, 0, 0, 0, 1])  # C as a baby, B at 17; A began in 2023
    # 100 children at each age, every day of 2024 (366): 1 age in the first band, 2 in the last
    np.testing.assert_array_equal(r.population_days, [36_600, 4 * 36_600, 5 * 36_600, 6 * 36_600, 2 * 36_600])
    assert r.entry_per_day()[0] == 1 / 36_600 and r.entry_per_day()[4] == 1 / 73_200
    # the babies' entry mix: C's one entry plus one child's worth of the overall mix (C and B, and 1/8 each)
    overall_foster_agency = (1 + 1 / 8) / 3
    assert r.entry_category[0, C["foster_agency"]] == pytest.approx((1 + overall_foster_agency) / 2)
    assert r.entry_category.sum(1) == pytest.approx(np.ones(len(BANDS)))


def test_a_rate_seen_little_is_pooled_towards_its_parents():
    m = 100.0
    r = fit(histories(), as_at=AS_AT, window_years=1, prior_days=m)
    # the move into residential care: 1 event over all 562 days of care in the window
    top = 1 / (152 + 92 + 122 + 151 + 45)
    in_house = (1 + m * top) / (152 + 92 + m)  # in-house foster care over all ages and durations
    in_house_10_15 = (1 + m * in_house) / (92 + m)  # … aged 10–15, over all durations
    state = (1 + m * in_house_10_15) / (92 + m)  # … 1–2 years in care
    got = r.per_day()[B["10_15"], C["foster_in_house"], DUR["1_to_2_years"], K["to_residential"]]
    assert got == pytest.approx(state, rel=1e-12)
    # a state never seen takes its parent's rate; nobody moves to the category they are in
    unseen = r.per_day()[B["10_15"], C["foster_in_house"], DUR["2_years_or_more"], K["to_residential"]]
    assert unseen == pytest.approx(in_house_10_15, rel=1e-12)
    assert (r.per_day()[:, np.arange(len(CATEGORIES)), :, np.arange(len(CATEGORIES))] == 0).all()


def test_a_refit_in_the_past_reads_nothing_after_its_day():
    early = fit(histories(), as_at=D(2024, 8, 31), window_years=1, prior_days=0)
    # A's move on 1 September is not yet known: A is in in-house foster care on 31 August
    assert early.events[..., K["to_residential"]].sum() == 0
    assert early.in_care["child_id"].to_list() == ["A"]
    assert early.in_care["category"].to_list() == ["foster_in_house"]
    # the same refit from histories that stop on its day gives the same rates
    cut = SPELLS.filter(pl.col("start") <= D(2024, 8, 31)).with_columns(
        end_reason=pl.when(pl.col("end") <= D(2024, 8, 31)).then("end_reason"),
        end=pl.when(pl.col("end") <= D(2024, 8, 31)).then("end"))
    same = fit(histories(cut), as_at=D(2024, 8, 31), window_years=1, prior_days=365)
    again = fit(histories(), as_at=D(2024, 8, 31), window_years=1, prior_days=365)
    np.testing.assert_array_equal(same.shape, again.shape)
    np.testing.assert_array_equal(same.rate, again.rate)


def test_children_in_care_at_the_fitted_day_start_the_projection():
    r = fit(histories(), as_at=AS_AT, window_years=1)
    assert r.in_care.rows() == [("A", D(2014, 6, 1), D(2023, 1, 1), "residential")]


def test_the_population_is_aged_forward_after_its_last_year():
    pop = pl.DataFrame([(2024, a, 100 + a) for a in range(18)], schema=list(POPULATION_SCHEMA),
                       orient="row").cast(POPULATION_SCHEMA)
    np.testing.assert_array_equal(population_on(pop, 2024), [100 + a for a in range(18)])
    # a year on: each cohort a year older, the babies as many as the year before
    np.testing.assert_array_equal(population_on(pop, 2026), [100, 100] + [100 + a for a in range(16)])
    np.testing.assert_array_equal(population_on(pop, 2020), population_on(pop, 2024))  # the nearest year before
