"""Indicators on a hand-made store, with every expected figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.indicators.catalogue import CATALOGUE, indicator
from carelens.indicators.engine import (
    Period,
    counted_rows,
    evaluate,
    evaluate_many,
    population_year,
    population_years,
)
from carelens.indicators.indicator import UNITS
from carelens.indicators.periods import periods_at
from carelens.model.store import Store
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)  # 1 April 2024 - 31 March 2025, 365 days
POP = 36_000  # 1,000 children for each age 0-17 and each sex


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ind") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "person": _frame([
                {"child_id": "A", "sex": "F", "date_of_birth": D(2024, 7, 1)},   # 0 at 31 March 2025
                {"child_id": "B", "sex": "M", "date_of_birth": D(2010, 3, 31)},  # 15 on 31 March 2025, that day
                {"child_id": "C", "sex": "F", "date_of_birth": D(2008, 6, 2)},   # 15 on 1 June 2024, 16 a day later
                {"child_id": "D", "sex": "M", "date_of_birth": D(2020, 1, 1)},   # 4 on 1 April 2024
            ], la_code="890", ethnicity="WBRI", uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "cp_plans": _frame([
                # child, start, end
                {"cp_plan_id": "A1", "child_id": "A", "start_date": D(2024, 1, 10), "end_date": None},
                {"cp_plan_id": "B1", "child_id": "B", "start_date": D(2025, 3, 31), "end_date": None},
                {"cp_plan_id": "C1", "child_id": "C", "start_date": D(2024, 6, 1), "end_date": D(2025, 3, 31)},
                {"cp_plan_id": "D1", "child_id": "D", "start_date": D(2024, 4, 1), "end_date": D(2024, 9, 1)},
                {"cp_plan_id": "E1", "child_id": "E", "start_date": D(2023, 1, 1), "end_date": D(2024, 3, 31)},
                {"cp_plan_id": "A2", "child_id": "A", "start_date": D(2025, 4, 1), "end_date": None},
            ], la_code="890", referral_id="R", initial_category="NEG", latest_category="NEG"),
            "initial_cp_conferences": _frame([
                {"icpc_id": "I1", "child_id": "B", "conference_date": D(2025, 3, 31), "outcome_cp_plan": True},
                {"icpc_id": "I2", "child_id": "C", "conference_date": D(2024, 6, 1), "outcome_cp_plan": True},
                {"icpc_id": "I3", "child_id": "F", "conference_date": D(2024, 4, 1), "outcome_cp_plan": False},
                {"icpc_id": "I4", "child_id": "G", "conference_date": D(2024, 10, 1), "outcome_cp_plan": False},
                {"icpc_id": "I5", "child_id": "H", "conference_date": D(2024, 3, 31), "outcome_cp_plan": True},
            ], la_code="890", referral_id="R", transfer_in=False),
            "periods_of_care": _frame([
                {"period_id": "P1", "child_id": "P", "start_date": D(2024, 5, 1), "end_date": D(2024, 6, 1)},
                {"period_id": "P2", "child_id": "P", "start_date": D(2024, 8, 1), "end_date": None},
                {"period_id": "Q1", "child_id": "Q", "start_date": D(2024, 3, 31), "end_date": D(2025, 3, 31)},
                {"period_id": "R1", "child_id": "R", "start_date": D(2025, 3, 31), "end_date": None},
            ], la_code="890"),
        })
        # another authority's rows in the same pool must never be counted
        s.append({"cp_plans": _frame([{"cp_plan_id": "Z1", "child_id": "Z", "start_date": D(2024, 5, 1),
                                       "end_date": None}], la_code="999", referral_id="R",
                                     initial_category="NEG", latest_category="NEG")})
    with Store(path, read_only=True) as s:
        yield s


def test_children_on_cp_plans_at_the_end_of_the_period(store):
    # A (open since January 2024) and B (started on 31 March) count; C ended on 31 March, so it does not
    v = evaluate(store, indicator("C8"), FY2025, "890")
    assert (v.numerator, v.denominator) == (2, POP)
    assert v.value == pytest.approx(2 * 10_000 / POP)
    assert sorted(counted_rows(store, indicator("C8"), FY2025, "890").to_polars()["child_id"]) == ["A", "B"]


def test_plans_starting_and_ending_count_events_on_both_edges_of_the_window(store):
    starting = evaluate(store, indicator("C9"), FY2025, "890")  # D (1 April), C (1 June), B (31 March)
    ending = evaluate(store, indicator("C10"), FY2025, "890")  # D (1 September), C (31 March)
    assert (starting.numerator, ending.numerator) == (3, 2)
    assert starting.value == pytest.approx(3 * 10_000 / POP)  # a 365-day year: no annualising


def test_a_month_is_annualised(store):
    june = evaluate(store, indicator("C9"), Period.month(2024, 6), "890")  # C started on 1 June
    assert june.numerator == 1
    assert june.value == pytest.approx(1 * 10_000 / POP * 365 / 30)


def test_conversion_is_a_percentage_of_the_events_in_the_window(store):
    v = evaluate(store, indicator("C7"), FY2025, "890")  # I1, I2 (plan), I3, I4 (no plan); I5 is before
    assert (v.numerator, v.denominator, v.value, v.unit) == (2, 4, 50.0, "%")


def test_children_starting_care_count_a_child_once(store):
    starting = evaluate(store, indicator("D2"), FY2025, "890")  # P started twice, R on 31 March; Q before
    looked_after = evaluate(store, indicator("D1"), FY2025, "890")  # P and R; Q ceased on 31 March
    assert (starting.numerator, looked_after.numerator) == (2, 2)


def test_rolling_windows_andpopulation_years():
    assert Period.rolling(D(2019, 5, 31), 12) == Period(D(2018, 6, 1), D(2019, 5, 31), "12 months to 2019-05-31",
                                                               "rolling_12")
    assert Period.rolling(D(2024, 2, 29), 12).start == D(2023, 3, 1)
    assert population_year(D(2025, 3, 31)) == 2024  # DfE: mid-2024 for the year ending March 2025
    assert population_year(D(2024, 6, 30)) == 2024
    assert population_year(D(2024, 6, 29)) == 2023


def test_the_population_year_of_a_column_of_days_is_that_of_each_day():
    days = [D(2023, 1, 1) + dt.timedelta(days=n) for n in range(3 * 366)]  # every day, a leap year among them
    years = pl.DataFrame({"day": days}).select(population_years(pl.col("day")))["day"].to_list()
    assert years == [population_year(day) for day in days]


def test_long_form_output(store):
    out = evaluate_many(store, [indicator("C8"), indicator("C7")], [FY2025, Period.month(2025, 3)], "890")
    assert out.columns == ["indicator", "name", "period", "period_kind", "period_start", "period_end", "breakdown",
                           "group", "value", "unit", "numerator", "denominator", "share", "outside_coverage",
                           "history_short", "children_held_back"]
    assert out.height == 4
    assert out.filter(pl.col("indicator") == "C7", pl.col("period") == "2025-03")["numerator"].to_list() == [1]


def test_every_indicator_is_declared_completely():
    for ind in CATALOGUE:
        assert ind.definition and ind.title and ind.counting_unit in ("children", "events", "episodes", "workers")
        assert ind.unit in UNITS and ind.polarity in ("low", "high", "neutral")


def test_engine_agrees_with_the_independent_calibration_measures(small_store):
    """Two implementations (Ibis here, Polars in carelens.synth.calibration) give the same figures."""
    from carelens.synth.calibration import measure_headlines

    frames = {t: small_store.to_polars(t) for t in ("population", "referrals", "s47_enquiries",
                                                     "initial_cp_conferences", "cp_plans", "periods_of_care")}
    expected = measure_headlines(frames, 2025)
    pairs = {"B4": "referrals_per_10k", "C3": "s47_per_10k", "C8": "cp_plans_per_10k", "C9": "cp_starts_per_10k",
             "D1": "cla_per_10k", "D2": "cla_starts_per_10k", "C7": "icpc_to_cp_pct"}
    for ind_id, key in pairs.items():
        assert evaluate(small_store, indicator(ind_id), FY2025, "890").value == pytest.approx(expected[key]), ind_id


def test_indicator_pages_are_up_to_date():
    from carelens.indicators.docs import DOCS, pages

    for name, text in pages().items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, \
            f"docs/indicators/{name} is stale: run uv run python -m carelens.indicators.docs"


@pytest.mark.slow
def test_indicators_command_writes_long_form_csv_json_and_parquet(small_store_path, tmp_path):
    from typer.testing import CliRunner

    from carelens.cli import app

    runner = CliRunner()
    base = ["indicators", "--store", str(small_store_path), "--as-at", "2025-03-31"]
    table = runner.invoke(app, base)
    assert table.exit_code == 0 and "C8" in table.output
    result = runner.invoke(app, [*base, "--format", "csv", "--out", str(tmp_path / "i.csv")])
    assert result.exit_code == 0, result.output
    csv = pl.read_csv(tmp_path / "i.csv")
    # each indicator over the windows ending on 31 March 2025 that it is reported over
    kinds = {p.kind for p in periods_at(D(2025, 3, 31))}
    assert csv.columns[:3] == ["indicator", "name", "period"]
    assert csv.height == sum(len(kinds & set(ind.series)) for ind in CATALOGUE)
    assert set(csv.filter(pl.col("indicator") == "C8")["period"]) == {"2025-W13", "2025-03", "2024-25", "2025-03-31"}
    assert runner.invoke(app, [*base, "--format", "parquet", "--out", str(tmp_path / "i.parquet")]).exit_code == 0
    parquet = pl.read_parquet(tmp_path / "i.parquet")
    assert parquet.columns == csv.columns
    assert parquet["numerator"].to_list() == csv["numerator"].to_list()
    bad = runner.invoke(app, [*base[:-1], "31/03/2025"])
    assert bad.exit_code == 2 and "expected YYYY-MM-DD" in bad.output


def test_breakdown_by_age_band_uses_age_on_the_counting_day(store):
    from carelens.indicators.engine import evaluate_by

    # stock on 31 March 2025: A is under 1, B turned 15 that day; each band's rate uses its own children
    on_plans = evaluate_by(store, indicator("C8"), FY2025, "890", "age_band")
    got = {r["group"]: (r["numerator"], r["denominator"], r["value"]) for r in on_plans.iter_rows(named=True)}
    assert got["under 1"] == (1, 2_000, pytest.approx(5.0))
    assert got["10-15"] == (1, 12_000, pytest.approx(10_000 / 12_000))
    assert got["1-4"] == (0, 8_000, 0.0)
    # flow: age on the day the plan started — C was 15 on 1 June 2024 (16 by the end of the year)
    starting = evaluate_by(store, indicator("C9"), FY2025, "890", "age_band")
    got = {r["group"]: r["numerator"] for r in starting.iter_rows(named=True)}
    assert (got["10-15"], got["1-4"], got["16-17"]) == (2, 1, 0)


def test_breakdown_by_sex(store):
    from carelens.indicators.engine import evaluate_by

    by_sex = evaluate_by(store, indicator("C8"), FY2025, "890", "sex")
    assert {r["group"]: (r["numerator"], r["denominator"]) for r in by_sex.iter_rows(named=True)} == {
        "F": (1, 18_000), "M": (1, 18_000)}
    with pytest.raises(ValueError, match="expected one of all, age_band, sex"):
        evaluate_by(store, indicator("C8"), FY2025, "890", "placement_type")


def test_window_counts_from_running_totals_equal_the_days_summed_in_each_window():
    """A flow's ``all`` counts per window come from running totals over its days (one lookup per window); they
    must be the days' counts added up window by window, for every authority, with no row for a window
    holding none of an authority's days."""
    import polars as pl
    from polars.testing import assert_frame_equal

    # private on purpose: this test deliberately compares two paths of one engine (running totals against
    # the days joined to each window), which no public call exposes separately
    from carelens.indicators.engine import _periods_frame, _sum_days, _sum_days_by_running_totals
    from carelens.indicators.periods import standard_periods

    D = dt.date
    # 301: a day on each edge of March 2024 and a gap in April; 886: only in May 2024
    days = pl.DataFrame({
        "la_code": ["301", "301", "301", "301", "886"],
        "group": ["all"] * 5,
        "counting_day": [D(2024, 3, 1), D(2024, 3, 31), D(2024, 4, 1), D(2024, 5, 15), D(2024, 5, 20)],
        "n": [2, 1, 4, 3, 5], "hits": [1, 0, 4, 2, 5], "amount_sum": [None] * 5, "amount_n": [0] * 5,
    }, schema_overrides={"amount_sum": pl.Float64, "n": pl.Int64, "hits": pl.Int64, "amount_n": pl.Int64})
    frame = _periods_frame(standard_periods(D(2023, 4, 1), D(2024, 6, 30)))
    got = _sum_days_by_running_totals(frame, days)
    joined = frame.select("period_id", "period_start", "period_end").join_where(
        days, pl.col("counting_day") >= pl.col("period_start"), pl.col("counting_day") <= pl.col("period_end"))
    expected = _sum_days(joined)
    key = ["period_id", "la_code", "group"]
    columns = [*key, "n", "hits", "amount_n"]
    assert_frame_equal(got.select(columns).sort(key), expected.select(columns).sort(key), check_dtypes=False)
    by_label = dict(zip(frame["period_id"], frame["period"]))
    march = [r for r in got.iter_rows(named=True) if by_label[r["period_id"]] == "2024-03" and r["la_code"] == "301"]
    assert [(r["n"], r["hits"]) for r in march] == [(3, 1)]  # both edges of the month
    assert not [r for r in got.iter_rows(named=True) if by_label[r["period_id"]] == "2024-03" and r["la_code"] == "886"]
