"""The backtest on hand-made histories whose answers are known, its measures on hand-made forecasts, the origins
it chooses, and that a refit at a day reads nothing after it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carelens.forecast.backtest import (
    BacktestError,
    backtest,
    coverage_words,
    default_origins,
    forecasts_at,
    month_end,
    results_frame,
    summarise,
)
from carelens.forecast.histories import CareHistories, care_histories
from carelens.forecast.states import PLACEMENT_CATEGORIES, POPULATION_SCHEMA, SPELLS_SCHEMA

D = dt.date


def _histories(spells: list[dict], last_day: dt.date) -> CareHistories:
    population = pl.DataFrame({"year": [2015] * 18, "age": list(range(18)), "children": [1000] * 18},
                              schema=POPULATION_SCHEMA)
    return CareHistories("890", pl.DataFrame(spells, schema=SPELLS_SCHEMA), population, last_day, "given")


def _spell(child, birth, start, category, end=None, end_reason=None):
    return {"child_id": child, "birth_date": birth, "period_start": start, "start": start, "end": end,
            "category": category, "end_reason": end_reason}


def _row(summary, method, series, horizon):
    found = summary.filter((pl.col("method") == method) & (pl.col("series") == series)
                           & (pl.col("horizon_months") == horizon))
    assert found.height == 1, (method, series, horizon)
    return found.row(0, named=True)


# ------------------------------------------------------------------------------------------------- days

def test_month_ends_step_by_calendar_month():
    assert month_end(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert month_end(D(2023, 6, 30), 6) == D(2023, 12, 31)
    assert month_end(D(2023, 6, 30), -11) == D(2022, 7, 31)
    assert month_end(D(2023, 6, 15)) == D(2023, 6, 30)


def test_origins_are_the_quarter_ends_of_the_last_three_years_with_six_months_of_outcome():
    # ten years to 2026-03-31: the quarter ends after 2023-03-31 up to the one six months before the end
    assert default_origins(D(2016, 4, 1), D(2026, 3, 31)) == [
        D(2023, 6, 30), D(2023, 9, 30), D(2023, 12, 31), D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30),
        D(2024, 12, 31), D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30)]


def test_origins_leave_a_whole_fitting_window_of_data_before_them():
    # data from 2021-01-01: the first origin whose three years (from the day after, three years before) are
    # all in the data is 2023-12-31 (window 2021-01-01 to 2023-12-31); 2023-09-30's would start 2020-10-01
    assert default_origins(D(2021, 1, 1), D(2026, 3, 31))[0] == D(2023, 12, 31)
    assert default_origins(D(2021, 1, 2), D(2026, 3, 31))[0] == D(2024, 3, 31)
    assert default_origins(D(2021, 1, 1), D(2026, 3, 31), window_years=2)[0] == D(2023, 6, 30)


def test_origins_need_six_whole_months_of_outcome():
    # data ending mid-February: 2025-09-30's six months run to 2026-03-31, past the end; 2025-06-30's to
    # 2025-12-31
    origins = default_origins(D(2016, 4, 1), D(2026, 2, 15))
    assert origins[0] == D(2023, 3, 31) and origins[-1] == D(2025, 6, 30)


def test_too_little_data_for_an_origin_is_said_plainly():
    assert default_origins(D(2023, 1, 1), D(2026, 3, 31)) == []
    spells = [_spell("A", D(2014, 1, 1), D(2023, 1, 1), "kinship")]
    with pytest.raises(BacktestError, match=r"cover 2023-01-01 to 2026-03-31: a backtest needs .* at least "
                                            r"3 years 6 months of data"):
        backtest(_histories(spells, D(2026, 3, 31)), runs=5)


# ------------------------------------------------------------------------------- hand-made histories

CONSTANT = [_spell(f"C{i}", D(2014, 1, 1), D(2014, 6, 1), category)
            for i, category in enumerate(["foster_in_house"] * 10 + ["residential"] * 7 + ["kinship"] * 3)]


def test_a_population_that_never_changes_is_forecast_exactly_by_every_method():
    # twenty children in care since 2014, none entering or leaving, all under 18 throughout: every method
    # forecasts what happened, whatever the horizon
    h = _histories(CONSTANT, D(2020, 3, 31))
    result = backtest(h, first_day=D(2015, 4, 1), runs=20)
    assert result.origins == (D(2018, 3, 31), D(2018, 6, 30), D(2018, 9, 30), D(2018, 12, 31), D(2019, 3, 31),
                              D(2019, 6, 30), D(2019, 9, 30))
    r = result.results
    assert set(r["method"]) == {"carelens", "carry_forward", "linear_trend"}
    assert r.filter(pl.col("series") == "total")["actual"].unique().to_list() == [20]
    assert (r["forecast"] - r["actual"]).abs().max() < 1e-9
    s = result.summary
    for method in ("carelens", "carry_forward", "linear_trend"):
        for series in ("total", "all_categories", "foster_in_house"):
            for horizon in (6, 12, 24):
                row = _row(s, method, series, horizon)
                assert row["mape"] == pytest.approx(0, abs=1e-9) and row["wape"] == pytest.approx(0, abs=1e-9)
    # 24 months on is in the data for the origins up to 2018-03-31 only
    assert _row(s, "carelens", "total", 24)["forecasts"] == 1
    assert _row(s, "carelens", "total", 6)["forecasts"] == 7
    # 8 categories × 7 origins pooled
    assert _row(s, "carelens", "all_categories", 6)["forecasts"] == 56
    # a category never seen has no percentage error to speak of (0 of 0)
    assert _row(s, "carelens", "adoption_placement", 6)["wape"] is None
    # the intervals of a process that cannot move are the value itself, and hold it
    assert _row(s, "carelens", "total", 12)["coverage_80"] == 1.0
    assert _row(s, "carry_forward", "total", 12)["coverage_80"] is None


# one child a day enters kinship care from 2019-01-01 to 2023-03-31 and stays: on day d there are
# (d − 2019-01-01) + 1
LINEAR = [_spell(f"L{i}", D(2019, 1, 1) + dt.timedelta(days=i) - dt.timedelta(days=5 * 365),
                 D(2019, 1, 1) + dt.timedelta(days=i), "kinship") for i in range(1551)]


def test_a_linear_rise_is_forecast_exactly_by_the_linear_trend_and_carry_forward_misses_by_the_rise():
    h = _histories(LINEAR, D(2023, 3, 31))
    result = backtest(h, first_day=D(2019, 1, 1), runs=5)
    # the first quarter end with three years of data before it is 2021-12-31; the last with six months after it
    # 2022-09-30
    assert result.origins == (D(2021, 12, 31), D(2022, 3, 31), D(2022, 6, 30), D(2022, 9, 30))
    r = result.results.filter(pl.col("series") == "total")
    actual = {(o, m): a for o, m, a in r.filter(pl.col("method") == "carry_forward")
              .select("origin", "horizon_months", "actual").iter_rows()}
    # counted by hand (2020 a leap year): 2021-12-31 is day 1,096 from 2019-01-01 inclusive, 2022-03-31 1,186,
    # 2022-06-30 1,277, 2022-09-30 1,369, 2022-12-31 1,461 and 2023-03-31 1,551
    assert actual == {(D(2021, 12, 31), 6): 1277, (D(2021, 12, 31), 12): 1461, (D(2022, 3, 31), 6): 1369,
                      (D(2022, 3, 31), 12): 1551, (D(2022, 6, 30), 6): 1461, (D(2022, 9, 30), 6): 1551}
    trend = r.filter(pl.col("method") == "linear_trend")
    assert (trend["forecast"] - trend["actual"]).abs().max() < 1e-6
    s = result.summary
    assert _row(s, "linear_trend", "total", 6)["mape"] == pytest.approx(0, abs=1e-6)
    assert _row(s, "linear_trend", "kinship", 12)["wape"] == pytest.approx(0, abs=1e-6)
    # carry-forward misses by the children who came in meanwhile: 181, 183, 184 and 182 days' worth at 6
    # months (from 1,096, 1,186, 1,277 and 1,369 on the origins), 365 and 365 at 12
    six = _row(s, "carry_forward", "total", 6)
    assert six["forecasts"] == 4
    assert six["mape"] == pytest.approx(100 * (181 / 1277 + 183 / 1369 + 184 / 1461 + 182 / 1551) / 4)
    assert six["wape"] == pytest.approx(100 * (181 + 183 + 184 + 182) / (1277 + 1369 + 1461 + 1551))
    assert six["mean_error"] == pytest.approx(-(181 + 183 + 184 + 182) / 4)
    twelve = _row(s, "carry_forward", "total", 12)
    assert twelve["forecasts"] == 2
    assert twelve["mape"] == pytest.approx(100 * (365 / 1461 + 365 / 1551) / 2)
    assert s.filter(pl.col("horizon_months") == 24).is_empty()  # no origin has 24 months of outcome


# --------------------------------------------------------------------------------------- the measures

def _forecast(series, forecast, actual, bounds=None, method="carelens"):
    row = {"origin": D(2024, 3, 31), "horizon_months": 12, "target": D(2025, 3, 31), "series": series,
           "method": method, "forecast": forecast, "actual": actual}
    if bounds:
        row |= dict(zip(["lower_95", "lower_80", "lower_50", "upper_50", "upper_80", "upper_95"], bounds))
    return row


def test_errors_and_coverage_are_counted_as_by_hand():
    bounds = (70, 90, 95, 105, 110, 130)  # 95%: 70–130, 80%: 90–110, 50%: 95–105
    rows = [
        _forecast("total", 100, 100, bounds),  # inside all three
        _forecast("total", 100, 90, bounds),  # on the 80% interval's lower end: inside 80 and 95, not 50
        _forecast("total", 100, 120, bounds),  # outside 80, inside 95
        _forecast("total", 100, 50, bounds),  # outside all
        _forecast("total", 100, 100, method="carry_forward"),
        _forecast("kinship", 2, 0, (0, 0, 1, 3, 4, 6)),  # a category with no child: in WAPE, not in MAPE
        _forecast("residential", 8, 10, (4, 5, 7, 9, 10, 12)),
    ]
    s = summarise(results_frame(rows, "890"))
    total = _row(s, "carelens", "total", 12)
    assert total["forecasts"] == 4
    # errors 0, 10, 20, 50 of 100, 90, 120, 50
    assert total["mape"] == pytest.approx(100 * (0 + 10 / 90 + 20 / 120 + 50 / 50) / 4)
    assert total["wape"] == pytest.approx(100 * 80 / 360)
    assert total["mean_error"] == pytest.approx((0 + 10 - 20 + 50) / 4)
    assert (total["inside_50"], total["inside_80"], total["inside_95"]) == (1, 2, 3)
    assert (total["coverage_50"], total["coverage_80"], total["coverage_95"]) == (0.25, 0.5, 0.75)
    baseline = _row(s, "carry_forward", "total", 12)
    assert baseline["mape"] == 0 and baseline["inside_80"] is None and baseline["coverage_80"] is None
    pooled = _row(s, "carelens", "all_categories", 12)
    assert pooled["forecasts"] == 2
    assert pooled["mape"] == pytest.approx(20.0)  # residential's 2 of 10; kinship's actual 0 has no percentage
    assert pooled["wape"] == pytest.approx(100 * (2 + 2) / 10)
    # kinship: 0 is inside 50% (1–3)? no; 80% (0–4) yes; residential: 10 inside 80% (5–10) on its end, not 50%
    assert (pooled["inside_50"], pooled["inside_80"], pooled["inside_95"]) == (0, 2, 2)


def test_coverage_is_judged_against_what_chance_allows_over_that_many_forecasts():
    # 80% over 10 forecasts: a standard error of 12.6 points
    assert coverage_words(7, 10, 80) == "about right"
    assert coverage_words(6, 10, 80) == "a little narrow"
    assert coverage_words(4, 10, 80) == "too narrow"
    assert coverage_words(10, 10, 50) == "too wide"
    # over 100 forecasts, 4 points
    assert coverage_words(74, 100, 80) == "a little narrow"
    assert coverage_words(70, 100, 80) == "too narrow"
    assert coverage_words(0, 0, 80) == "no forecast to judge"


# ------------------------------------------------------------------------------------------ no look-ahead

def test_a_refit_at_a_day_is_the_same_whatever_happened_after_it(small_store):
    origin = D(2024, 6, 30)
    targets = [month_end(origin, 6), month_end(origin, 12)]
    full = forecasts_at(care_histories(small_store), origin, targets, runs=50, seed=3)
    cut = forecasts_at(care_histories(small_store, as_at=origin), origin, targets, runs=50, seed=3)
    for name in ("events", "days", "shape", "rate", "entries", "population_days", "entry_category"):
        np.testing.assert_array_equal(getattr(full.rates, name), getattr(cut.rates, name), err_msg=name)
    assert full.rates.entry_dispersion == cut.rates.entry_dispersion
    assert full.rates.in_care.equals(cut.rates.in_care)
    assert full.rates.days.sum() > 0 and full.rates.events.sum() > 0  # a fit with something in it
    for method in full.methods:
        for series in ("total", *PLACEMENT_CATEGORIES):
            np.testing.assert_array_equal(full.methods[method][series], cut.methods[method][series],
                                          err_msg=f"{method} {series}")


def test_the_carry_forward_is_the_count_on_the_origin_and_carelens_starts_from_it(small_store):
    h = care_histories(small_store)
    origin = D(2024, 6, 30)
    made = forecasts_at(h, origin, [month_end(origin, 6)], runs=20)
    from carelens.forecast.histories import children_in_care_on

    assert made.methods["carry_forward"]["total"][0] == children_in_care_on(h.spells, origin)
    assert made.rates.in_care.height == children_in_care_on(h.spells, origin)
