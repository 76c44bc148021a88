"""Counting stocks by sweeping along their intervals gives exactly what joining them to the days gives."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from carelens.indicators.breakdowns import with_group
from carelens.indicators.catalogue import CATALOGUE, indicator
# private on purpose: this test deliberately compares two paths of one engine, the sweep and the join it
# replaces, so it builds the join from the engine's own steps
from carelens.indicators.engine import _aggregate, _children_once, _windows_table, context, windowed_rows
from carelens.indicators.periods import Period
from carelens.indicators.sweep import counts_on_days, sweepable
from carelens.model.store import Store
from store_rows import frame as _frame

D = dt.date


def _by_joining(ind, ctx, days: list[dt.date], amounts: bool = False) -> pl.DataFrame:
    """The same counts the slow way: every interval joined to every day it is open on (with ``amounts``,
    also the sum, count and median of the amounts)."""
    rows = with_group(windowed_rows(ind, ctx, _windows_table([Period(d, d, "", "as_at") for d in days])), "all", ctx)
    if ind.counting_unit == "children":
        rows = _children_once(rows, "period_id", ctx)
    counts = _aggregate(rows, "period_id", amounts, ctx)
    ids = pl.DataFrame({"period_id": pl.Series(range(len(days)), dtype=pl.Int32),
                        "counting_day": pl.Series(days, dtype=pl.Date)})
    out = ids.join(counts.with_columns(pl.col("period_id").cast(pl.Int32)), on="period_id", how="left")
    counted = [pl.col("n").fill_null(0).cast(pl.Int64), pl.col("hits").fill_null(0).cast(pl.Int64)]
    if amounts:
        counted += [pl.col("amount_sum").cast(pl.Float64), pl.col("amount_n").fill_null(0).cast(pl.Int64),
                    pl.col("amount_median").cast(pl.Float64)]
    return out.select("counting_day", *counted)


@pytest.fixture(scope="module")
def plans_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "s.duckdb"
    with Store(path) as s:
        s.replace({"cp_plans": _frame([
            # A: two overlapping plans, then one touching the second's end, then a later open one
            {"cp_plan_id": "A1", "child_id": "A", "start_date": D(2024, 1, 1), "end_date": D(2024, 3, 1)},
            {"cp_plan_id": "A2", "child_id": "A", "start_date": D(2024, 2, 1), "end_date": D(2024, 4, 1)},
            {"cp_plan_id": "A3", "child_id": "A", "start_date": D(2024, 4, 1), "end_date": D(2024, 5, 1)},
            {"cp_plan_id": "A4", "child_id": "A", "start_date": D(2024, 6, 1), "end_date": None},
            # B: a plan inside another, and a plan that ends the day it starts (never open)
            {"cp_plan_id": "B1", "child_id": "B", "start_date": D(2024, 1, 15), "end_date": D(2024, 6, 30)},
            {"cp_plan_id": "B2", "child_id": "B", "start_date": D(2024, 2, 1), "end_date": D(2024, 2, 10)},
            {"cp_plan_id": "B3", "child_id": "B", "start_date": D(2024, 8, 1), "end_date": D(2024, 8, 1)},
            # C: two identical plans
            {"cp_plan_id": "C1", "child_id": "C", "start_date": D(2024, 3, 1), "end_date": None},
            {"cp_plan_id": "C2", "child_id": "C", "start_date": D(2024, 3, 1), "end_date": None},
        ], la_code="890", referral_id="R", initial_category="NEG", latest_category="NEG")})
        yield s


def test_children_with_overlapping_plans_count_once_on_each_day(plans_store):
    c8 = indicator("C8")  # children on a CP plan
    ctx = context(plans_store, c8, "890")
    assert sweepable(c8, ctx, "all")
    days = [D(2023, 12, 31), D(2024, 1, 1), D(2024, 1, 31), D(2024, 2, 5), D(2024, 3, 1), D(2024, 3, 31),
            D(2024, 4, 1), D(2024, 5, 1), D(2024, 6, 1), D(2024, 6, 30), D(2024, 8, 1), D(2030, 1, 1)]
    # by hand: A open 1 Jan–30 Apr (A1..A3 chain; A3 starts the day A2 ends) and from 1 June;
    # B 15 Jan–29 June (B2 inside B1; B3 never open); C from 1 March (twice, once)
    expected = [0, 1, 2, 2, 3, 3, 3, 2, 3, 2, 2, 2]
    got = counts_on_days(c8, ctx, days)
    assert got["n"].to_list() == expected
    assert got["hits"].to_list() == expected  # no numerator: every child counted is a hit
    assert_frame_equal(got, _by_joining(c8, ctx, days))


def test_a_stock_whose_numerator_uses_the_day_is_joined_not_swept(plans_store):
    c14 = indicator("C14")  # plans lasting two years or more on the day: depends on the day
    assert not sweepable(c14, context(plans_store, c14, "890"), "all")
    c8 = indicator("C8")
    assert not sweepable(c8, context(plans_store, c8, "890"), "age_band")  # a child's age changes


@pytest.mark.slow
def test_every_swept_measure_in_the_catalogue_agrees_with_the_join(small_store):
    """Each stock and custom measure the engine sweeps, on the 10,000-child coastal authority, on every Sunday and month end
    of two years: the same children (or episodes or workers) counted, and the same in the numerator."""
    days = sorted({D(2023, 4, 2) + dt.timedelta(weeks=k) for k in range(105)}
                  | {D(y, m, 1) - dt.timedelta(days=1) for y in (2023, 2024, 2025) for m in range(1, 13)})
    swept = 0
    for ind in CATALOGUE:
        ctx = context(small_store, ind, "890")
        if not sweepable(ind, ctx, "all"):
            continue
        swept += 1
        got = counts_on_days(ind, ctx, days)
        expected = _by_joining(ind, ctx, days, amounts="amount_sum" in got.columns)
        assert got.equals(expected), f"{ind.id}, rows that differ: {pl.concat([got, expected]).unique(keep='none')}"
    # children in need, on plans, looked after and by placement, workers in post, open cases by highest
    # level of need, unallocated cases …
    assert swept >= 25


def test_stretches_cover_each_childs_days_once():
    """Each interval in order of start adds only the days the ones before it do not cover."""
    import ibis

    from carelens.indicators.sweep import stretches

    t = ibis.memtable({"child_id": ["A", "A", "A", "A", "B", "B", "C"],
                       "start": [D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 3), D(2024, 1, 10), D(2024, 1, 1),
                                 D(2024, 1, 1), D(2024, 1, 5)],
                       "end": [D(2024, 1, 5), D(2024, 1, 4), D(2024, 1, 8), None, D(2024, 1, 3), D(2024, 1, 3),
                               D(2024, 1, 5)]})
    got = stretches(t).to_polars().sort("child_id", "start")
    # A: [1, 5) then [3, 8) adds [5, 8) ([2, 4) adds nothing), then from the 10th, open; B: the same interval
    # twice, once; C: ends as it starts, never open
    assert got.rows() == [("A", D(2024, 1, 1), D(2024, 1, 5)), ("A", D(2024, 1, 5), D(2024, 1, 8)),
                          ("A", D(2024, 1, 10), D(9999, 12, 31)), ("B", D(2024, 1, 1), D(2024, 1, 3))]
