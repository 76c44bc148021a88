"""The projection against cases with a closed form: exponential survival, ageing across band boundaries, entries at
a known rate; determinism for a seed; and interval coverage on histories simulated from the model itself."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carelens.forecast.histories import CareHistories, children_in_care_on
from carelens.forecast.rates import BANDS, CATEGORIES, DURATIONS, TRANSITIONS, Rates, fit
from carelens.forecast.simulate import RateChange, project
from carelens.forecast.states import EXITS, POPULATION_SCHEMA, SPELLS_SCHEMA

D = dt.date
START = D(2026, 3, 31)
B = {b: i for i, b in enumerate(BANDS)}
C = {c: i for i, c in enumerate(CATEGORIES)}
K = {k: i for i, k in enumerate(TRANSITIONS)}
SHAPE = (len(BANDS), len(CATEGORIES), len(DURATIONS), len(TRANSITIONS))


def population(children_per_age: int) -> pl.DataFrame:
    return pl.DataFrame([(y, a, children_per_age) for y in range(2020, 2027) for a in range(18)],
                        schema=list(POPULATION_SCHEMA), orient="row").cast(POPULATION_SCHEMA)


def rates(per_day=None, in_care=(), entry_per_day=None, children_per_age=0, entry_category=None) -> Rates:
    """Rates known exactly (shape / rate = the rate; drawn as fixed with parameter_uncertainty=False)."""
    per_day = np.zeros(SHAPE) if per_day is None else per_day
    in_care = pl.DataFrame(list(in_care), schema={"child_id": pl.String, "birth_date": pl.Date,
                                                  "period_start": pl.Date, "category": pl.String}, orient="row")
    entry = np.zeros(len(BANDS)) if entry_per_day is None else np.asarray(entry_per_day, float)
    pop_days = np.full(len(BANDS), 1e9)
    share = np.zeros((len(BANDS), len(CATEGORIES)))
    share[:, C["foster_in_house"] if entry_category is None else C[entry_category]] = 1
    return Rates("890", START, D(2023, 4, 1), 0.0, np.zeros(SHAPE), np.ones(SHAPE[:3]), per_day * 1e9,
                 np.full(SHAPE, 1e9), entry * pop_days, pop_days, share, 0.0, in_care, population(children_per_age))


def test_a_constant_exit_rate_gives_exponential_survival():
    per_day = np.zeros(SHAPE)
    rate = 1 / 365
    per_day[B["10_15"], C["foster_in_house"], :, K["home"]] = rate
    # 1,000 children aged 10 on the first day, all two or more years in care: none changes state for 2 years
    children = [(f"c{i}", D(2016, 3, 31), D(2020, 1, 1), "foster_in_house") for i in range(1000)]
    p = project(rates(per_day, children), days=730, runs=400, seed=5, parameter_uncertainty=False)
    total = p.total()
    assert (total[:, 0] == 1000).all()
    for day in (30, 182, 365, 730):
        survival = np.exp(-rate * day)
        mean, se = total[:, day].mean(), np.sqrt(1000 * survival * (1 - survival) / 400)
        assert abs(mean - 1000 * survival) < 4 * se, (day, mean, 1000 * survival)
    # every child gone went home, in the year it went
    gone = 1000 - total[:, -1]
    assert (p.exits[:, EXITS.index("home")].sum(1) == gone).all()
    assert (p.exits.sum((1, 2)) == gone).all()


def test_a_closed_population_ages_across_band_boundaries_and_out_at_18():
    children = [
        ("baby", D(2025, 4, 10), D(2025, 5, 1), "foster_in_house"),  # 1 on 2026-04-10 (day 10)
        ("four", D(2021, 6, 30), D(2024, 1, 1), "kinship"),  # 5 on 2026-06-30 (day 91)
        ("nine", D(2016, 12, 1), D(2024, 1, 1), "kinship"),  # 10 on 2026-12-01 (day 245)
        ("fifteen", D(2010, 4, 1), D(2024, 1, 1), "residential"),  # 16 on 2026-04-01 (day 1)
        ("seventeen", D(2008, 4, 5), D(2024, 1, 1), "supported_independent"),  # 18 on 2026-04-05 (day 5)
    ]
    p = project(rates(in_care=children), days=400, runs=3, seed=1)
    by_band = p.by_band[0]
    assert (p.by_band == by_band).all()  # nothing is random when nothing happens
    expected = {0: [1, 1, 1, 1, 1], 1: [1, 1, 1, 0, 2], 4: [1, 1, 1, 0, 2], 5: [1, 1, 1, 0, 1],
                10: [0, 2, 1, 0, 1], 91: [0, 1, 2, 0, 1], 245: [0, 1, 1, 1, 1], 400: [0, 1, 1, 1, 1]}
    for day, bands in expected.items():
        assert by_band[:, day].tolist() == bands, day
    # the 17-year-old left care on the 18th birthday, by reaching 18; categories do not change
    assert p.exits[:, EXITS.index("eighteen"), 0].tolist() == [1, 1, 1]
    assert p.by_category[0, C["supported_independent"], 4] == 1 and p.by_category[0, C["supported_independent"], 5] == 0
    assert p.by_category[0, C["kinship"], 400] == 2


def test_children_enter_care_at_the_entry_rate_per_resident_child():
    # 1,000 children at each age 0–15 (none enters at 16 or 17, who could reach 18 within the year):
    # 16 × 1,000 × 2e-5 = 0.32 a day, 116.8 a year
    per_child_day = 2e-5
    p = project(rates(entry_per_day=[per_child_day] * 4 + [0], children_per_age=1000, entry_category="kinship"),
                days=365, runs=1000, seed=2, parameter_uncertainty=False)
    expected = 16 * 1000 * per_child_day * 365
    entries = p.entries[:, 0]
    assert abs(entries.mean() - expected) < 4 * np.sqrt(expected / 1000)
    # Poisson: variance = mean (the variance of 1,000 runs' variance is about 4.5% of it: 4 standard errors)
    assert entries.var() == pytest.approx(expected, rel=0.18)
    # nobody leaves: the last day holds every entrant, all in the category they entered in
    assert (p.total()[:, -1] == entries).all()
    assert (p.by_category[:, C["kinship"], -1] == entries).all()


def test_the_same_seed_gives_the_same_projection():
    per_day = np.full(SHAPE, 1 / 2000)
    children = [(f"c{i}", D(2012, 1, 1) + dt.timedelta(days=37 * i), D(2025, 1, 1), CATEGORIES[i % 8])
                for i in range(60)]
    r = rates(per_day, children, entry_per_day=[1e-5] * 5, children_per_age=800)
    a, b = project(r, years=2, runs=50, seed=9), project(r, years=2, runs=50, seed=9)
    np.testing.assert_array_equal(a.by_category, b.by_category)
    np.testing.assert_array_equal(a.by_band, b.by_band)
    np.testing.assert_array_equal(a.exits, b.exits)
    c = project(r, years=2, runs=50, seed=10)
    assert not np.array_equal(a.by_category, c.by_category)
    # by band and by category count the same children
    np.testing.assert_array_equal(a.by_band.sum(1), a.by_category.sum(1))


def test_a_change_applies_from_its_day():
    children = [(f"c{i}", D(2016, 3, 31), D(2020, 1, 1), "residential") for i in range(500)]
    per_day = np.zeros(SHAPE)
    per_day[:, C["residential"], :, K["to_foster_in_house"]] = 1 / 200
    change = RateChange.none(START + dt.timedelta(days=100))
    change.transitions[:, C["residential"], K["to_foster_in_house"]] = 0.0  # no more step-downs from day 100
    p = project(rates(per_day, children), days=300, runs=20, seed=3, changes=(change,), parameter_uncertainty=False)
    residential = p.by_category[:, C["residential"]]
    assert (residential[:, 100:] == residential[:, [100]]).all()  # nobody moves after the change
    assert (residential[:, 99] > residential[:, 100] - 10).all() and (residential[:, 100] < 500).all()


def test_summary_gives_ordered_intervals_at_each_month_end():
    per_day = np.full(SHAPE, 1 / 1500)
    children = [(f"c{i}", D(2011, 1, 1) + dt.timedelta(days=53 * i), D(2024, 6, 1), CATEGORIES[i % 8])
                for i in range(80)]
    p = project(rates(per_day, children, entry_per_day=[1e-5] * 5, children_per_age=900), years=1, runs=200,
                seed=4)
    s = p.summary()
    assert s["date"].unique().sort().to_list()[:2] == [D(2026, 4, 30), D(2026, 5, 31)]
    assert s["date"].max() == D(2027, 3, 31)
    ordered = ["lower_95", "lower_80", "lower_50", "median", "upper_50", "upper_80", "upper_95"]
    for lower, upper in zip(ordered, ordered[1:]):
        assert (s[lower] <= s[upper]).all()
    total = s.filter((pl.col("series") == "total") & (pl.col("date") == D(2027, 3, 31)))
    assert total["median"][0] == int(np.quantile(p.total()[:, -1], 0.5, method="inverted_cdf"))


# Coverage: histories simulated from a known model (written here, independently of the projection: one category,
# constant rates), fitted, projected a year, and compared with how the simulated authority actually went on.
ENTRIES_PER_DAY, LEAVE_PER_DAY = 0.5, 1 / 500


def simulated_histories(seed: int, years: int = 5) -> tuple[CareHistories, dt.date]:
    rng = np.random.default_rng(seed)
    first = D(2021, 1, 1)
    days = years * 365
    n = rng.poisson(ENTRIES_PER_DAY * days)
    entered = np.sort(rng.integers(0, days, n))
    stayed = np.maximum(1, np.ceil(rng.exponential(1 / LEAVE_PER_DAY, n))).astype(int)
    # children enter aged 2 to 8, so none reaches 18 within the years simulated
    ages = rng.integers(2 * 365, 8 * 365, n)
    rows = []
    for i in range(n):
        start = first + dt.timedelta(days=int(entered[i]))
        end = start + dt.timedelta(days=int(stayed[i]))
        rows.append((f"c{i}", start - dt.timedelta(days=int(ages[i])), start, start, end, "kinship", "home"))
    spells = pl.DataFrame(rows, schema=list(SPELLS_SCHEMA), orient="row").cast(SPELLS_SCHEMA)
    last_day = first + dt.timedelta(days=days - 1)
    spells = spells.with_columns(end_reason=pl.when(pl.col("end") <= last_day).then("end_reason"),
                                 end=pl.when(pl.col("end") <= last_day).then("end"))
    return CareHistories("890", spells, population(1000), last_day, "given"), first


@pytest.mark.slow
def test_intervals_cover_about_their_share_of_outcomes_when_the_model_is_right():
    inside = {50: 0, 80: 0, 95: 0}
    trials = 60
    for seed in range(trials):
        h, first = simulated_histories(seed)
        origin = first + dt.timedelta(days=4 * 365 - 1)  # four years seen, the fifth is the outcome
        r = fit(h, as_at=origin)
        p = project(r, days=365, runs=400, seed=seed)
        actual = children_in_care_on(h.spells, origin + dt.timedelta(days=365))
        outcome = p.total()[:, 365]
        for level, (lo, hi) in {50: (0.25, 0.75), 80: (0.1, 0.9), 95: (0.025, 0.975)}.items():
            low, high = np.quantile(outcome, [lo, hi], method="inverted_cdf")
            inside[level] += int(low <= actual <= high)
    # 60 trials: a binomial share's standard error at 80% is about 5 points
    assert 0.35 <= inside[50] / trials <= 0.68, inside
    assert 0.68 <= inside[80] / trials <= 0.93, inside
    assert 0.87 <= inside[95] / trials <= 1.0, inside


def test_alias_tables_draw_each_event_in_proportion_to_its_rate():
    from carelens.forecast.simulate import _alias_tables

    rng = np.random.default_rng(0)
    hazards = rng.gamma(0.3, 1.0, (500, len(TRANSITIONS)))
    hazards[:, 3] = 0.0  # an event that cannot happen
    hazards[7] = 0.0  # a state no one leaves (never asked)
    totals = hazards.sum(1)
    keep, alias = _alias_tables(hazards, totals)
    keep, alias = keep.reshape(hazards.shape), alias.reshape(hazards.shape)
    k = len(TRANSITIONS)
    # the probability of event j: its own column kept, plus every column that gives way to it
    implied = keep / k
    for i in range(hazards.shape[0]):
        np.add.at(implied[i], alias[i], (1 - keep[i]) / k)
    seen = totals > 0
    np.testing.assert_allclose(implied[seen], (hazards / np.where(seen, totals, 1)[:, None])[seen], atol=1e-12)


def _busy_rates() -> Rates:
    per_day = np.full(SHAPE, 1 / 900)
    children = [(f"c{i}", D(2010, 1, 1) + dt.timedelta(days=41 * i), D(2024, 1, 1) + dt.timedelta(days=5 * i),
                 CATEGORIES[i % 8]) for i in range(120)]
    return rates(per_day, children, entry_per_day=[2e-5] * 5, children_per_age=900)


def test_a_run_is_the_same_however_many_runs_are_simulated_at_once(monkeypatch):
    import carelens.forecast.simulate as simulate

    r = _busy_rates()
    whole = project(r, years=2, runs=30, seed=4)
    monkeypatch.setattr(simulate, "RUNS_AT_ONCE", 7)
    batched = project(r, years=2, runs=30, seed=4)
    np.testing.assert_array_equal(whole.by_category, batched.by_category)
    np.testing.assert_array_equal(whole.exits, batched.exits)


def test_a_scenario_is_its_baseline_child_for_child_until_its_change():
    r = _busy_rates()
    day = 200
    fewer = RateChange.none(START + dt.timedelta(days=day))
    fewer.entry[:] = 0.5
    fewer.transitions[:, C["residential"], K["to_foster_in_house"]] = 3.0
    baseline = project(r, years=2, runs=40, seed=8)
    scenario = project(r, years=2, runs=40, seed=8, changes=(fewer,))
    # identical to the day before the change, in every run
    np.testing.assert_array_equal(scenario.by_category[:, :, :day], baseline.by_category[:, :, :day])
    np.testing.assert_array_equal(scenario.by_band[:, :, :day], baseline.by_band[:, :, :day])
    # and then fewer children, in most runs
    assert (scenario.total()[:, -1] < baseline.total()[:, -1]).mean() > 0.8
