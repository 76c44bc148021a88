"""E. Permanence on a hand-made store, with every expected figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.indicators import dates
from carelens.indicators.catalogue import indicator, permanence
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)  # 1 April 2024 - 31 March 2025


def _period(pid, child, start, end=None, reason=None):
    return {"period_id": pid, "child_id": child, "start_date": start, "end_date": end, "reason_ceased": reason}


def _placement(pid, child, period, start, end, kind):
    return {"placement_id": pid, "child_id": child, "period_id": period, "start_date": start, "end_date": end,
            "placement_type": kind}


PERMANENCE_COLUMNS = ("adoption_decision_date", "placement_order_date", "matched_date", "placed_for_adoption_date",
                      "decision_reversed_date", "decision_reversed_reason", "order_type", "order_date",
                      "adopted_by_foster_carer")


def _perm(pid, child, period, **values):
    return {"permanence_id": pid, "child_id": child, "period_id": period,
            **{c: values.get(c) for c in PERMANENCE_COLUMNS}}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("perm") / "s.duckdb"
    children = "ABCDFGHJKLMNPQR"
    with Store(path) as s:
        s.replace({
            "person": _frame([{"child_id": c, "sex": "F" if i % 2 else "M", "date_of_birth": D(2021, 1, 1)}
                              for i, c in enumerate(children)], la_code="890", ethnicity="WBRI", uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "periods_of_care": _frame([
                _period("A1", "A", D(2023, 1, 10), D(2024, 4, 1), "E11"),  # adopted on the year's first day
                _period("B1", "B", D(2022, 6, 1), D(2025, 3, 31), "E12"),  # adopted on its last day
                _period("C1", "C", D(2023, 5, 1), D(2024, 10, 15), "E45"),  # special guardianship
                _period("D1", "D", D(2024, 1, 1), D(2024, 6, 30), "E4A"),  # home, then back into care ...
                _period("D2", "D", D(2024, 8, 1), D(2025, 1, 31), "E46"),  # ... and out on an SGO: last occasion
                _period("F1", "F", D(2023, 2, 1), D(2024, 3, 31), "E11"),  # adopted the day before the year
                _period("G1", "G", D(2024, 5, 1)),  # still looked after, placed for adoption
                _period("H1", "H", D(2024, 2, 1), D(2025, 2, 1), "E41"),  # child arrangements order
                _period("J1", "J", D(2022, 1, 1), D(2024, 12, 1), "E11"),  # adopted without a placement order
                _period("K1", "K", D(2021, 1, 1), D(2022, 3, 31), "E11"),  # adopted just before three years
                _period("L1", "L", D(2021, 1, 1), D(2022, 4, 1), "E12"),  # adopted on their first day
                _period("M1", "M", D(2024, 1, 1)),
                _period("N1", "N", D(2024, 3, 1)),
                _period("P1", "P", D(2024, 2, 1)),
                _period("Q1", "Q", D(2024, 1, 1), D(2025, 1, 15), "E4A"),  # left care, decision never reversed
                _period("R1", "R", D(2023, 1, 1), D(2024, 6, 1), "E4A"),
            ], la_code="890"),
            "placements": _frame([
                _placement("PA1", "A", "A1", D(2023, 1, 10), D(2023, 9, 20), "U4"),
                _placement("PA2", "A", "A1", D(2023, 9, 20), D(2024, 4, 1), "A6"),
                # B's foster carers (from 1 August 2022) adopt: A5, with the current foster carers
                _placement("PB1", "B", "B1", D(2022, 6, 1), D(2022, 8, 1), "U4"),
                _placement("PB2", "B", "B1", D(2022, 8, 1), D(2023, 1, 10), "U4"),
                _placement("PB3", "B", "B1", D(2023, 1, 10), D(2025, 3, 31), "A5"),
                # J has no placed-for-adoption date: the adoptive placement (A4) starts on 1 October 2022
                _placement("PJ1", "J", "J1", D(2022, 1, 1), D(2022, 10, 1), "U4"),
                _placement("PJ2", "J", "J1", D(2022, 10, 1), D(2024, 12, 1), "A4"),
            ], la_code="890"),
            "permanence": _frame([
                _perm("XA", "A", "A1", adoption_decision_date=D(2023, 4, 1), placement_order_date=D(2023, 6, 1),
                      matched_date=D(2023, 9, 1), placed_for_adoption_date=D(2023, 9, 20), order_type="ADOPTION",
                      order_date=D(2024, 4, 1), adopted_by_foster_carer=False),
                _perm("XB", "B", "B1", adoption_decision_date=D(2022, 10, 1), placement_order_date=D(2022, 12, 1),
                      matched_date=D(2022, 11, 15), placed_for_adoption_date=D(2023, 1, 10),
                      order_type="ADOPTION", order_date=D(2025, 3, 31), adopted_by_foster_carer=True),
                _perm("XF", "F", "F1", adoption_decision_date=D(2023, 3, 1), placement_order_date=D(2023, 5, 1),
                      matched_date=D(2023, 7, 1), placed_for_adoption_date=D(2023, 8, 1), order_type="ADOPTION",
                      order_date=D(2024, 3, 31), adopted_by_foster_carer=False),
                _perm("XG", "G", "G1", adoption_decision_date=D(2024, 8, 1), placement_order_date=D(2024, 11, 1),
                      matched_date=D(2025, 1, 10), placed_for_adoption_date=D(2025, 2, 1)),
                # an adoption order ends the decision (reason E11): not a reversal
                _perm("XJ", "J", "J1", adoption_decision_date=D(2022, 5, 1), matched_date=D(2022, 9, 1),
                      decision_reversed_date=D(2024, 12, 1), decision_reversed_reason="E11", order_type="ADOPTION",
                      order_date=D(2024, 12, 1), adopted_by_foster_carer=False),
                _perm("XK", "K", "K1", placement_order_date=D(2021, 2, 1), matched_date=D(2021, 3, 1),
                      placed_for_adoption_date=D(2021, 4, 1), order_type="ADOPTION", order_date=D(2022, 3, 31)),
                _perm("XL", "L", "L1", placement_order_date=D(2021, 3, 1), matched_date=D(2021, 5, 1),
                      placed_for_adoption_date=D(2021, 7, 1), order_type="ADOPTION", order_date=D(2022, 4, 1)),
                _perm("XM", "M", "M1", adoption_decision_date=D(2024, 6, 1), placement_order_date=D(2025, 3, 31)),
                _perm("XN", "N", "N1", adoption_decision_date=D(2024, 9, 1), decision_reversed_date=D(2025, 3, 31),
                      decision_reversed_reason="RD1"),
                _perm("XP", "P", "P1", adoption_decision_date=D(2025, 3, 31)),
                _perm("XQ", "Q", "Q1", adoption_decision_date=D(2024, 7, 1)),
                _perm("XR", "R", "R1", adoption_decision_date=D(2023, 6, 1), decision_reversed_date=D(2024, 4, 1),
                      decision_reversed_reason="RD3"),
            ], la_code="890"),
            # A's worker in team T1 until the day of the adoption (the allocation ends with care)
            "allocations": _frame([{"allocation_id": "AL1", "child_id": "A", "worker_id": "W1", "team_id": "T1",
                                    "start_date": D(2023, 1, 10), "end_date": D(2024, 4, 1)}], la_code="890"),
        })
        # another authority's adoption in the same pool must never be counted
        s.append({
            "periods_of_care": _frame([_period("Z1", "Z", D(2023, 1, 1), D(2024, 6, 1), "E11")], la_code="999"),
            "permanence": _frame([_perm("XZ", "Z", "Z1", adoption_decision_date=D(2023, 3, 1),
                                        placed_for_adoption_date=D(2023, 6, 1), decision_reversed_date=D(2024, 1, 1),
                                        decision_reversed_reason="RD2")], la_code="999"),
        })
    with Store(path, read_only=True) as s:
        yield s


def _rows(store, ind_id, period, **params):
    return sorted(counted_rows(store, indicator(ind_id), period, "890", params=params).to_polars()["child_id"])


def test_adoptions_in_the_year_count_both_edges(store):
    # A (1 April 2024), J (1 December 2024), B (31 March 2025); F (31 March 2024) and Z (authority 999) do not
    v = evaluate(store, indicator("E1"), FY2025, "890")
    assert (v.numerator, v.value) == (3, 3.0)
    assert _rows(store, "E1", FY2025) == ["A", "B", "J"]


def test_share_of_children_ceasing_care_uses_the_last_occasion(store):
    # ceased in the year: A, B, J (adopted), C (E45), D (E4A in June, then E46 in January: the last occasion
    # is the SGO), H (E41), Q and R (E4A) - 8 children, D once
    adopted = evaluate(store, indicator("E1a"), FY2025, "890")
    assert (adopted.numerator, adopted.denominator, adopted.value) == (3, 8, pytest.approx(37.5))
    sgo = evaluate(store, indicator("E5a"), FY2025, "890")
    assert (sgo.numerator, sgo.denominator, sgo.value) == (2, 8, pytest.approx(25.0))
    # in June 2024 alone, D's last occasion is the return home on 30 June: R (1 June) and D, neither an SGO
    june = evaluate(store, indicator("E5a"), Period.month(2024, 6), "890")
    assert (june.numerator, june.denominator) == (0, 2)
    by_reason = evaluate_by(store, indicator("E5a"), FY2025, "890", "reason_ceased")
    assert dict(zip(by_reason["group"], by_reason["denominator"])) == {
        "E11": 2, "E12": 1, "E41": 1, "E45": 1, "E46": 1, "E4A": 2}


def test_special_guardianship_orders_counted_once_per_child(store):
    v = evaluate(store, indicator("E5"), FY2025, "890")  # C (E45) and D (E46)
    assert v.numerator == 2


def test_a10_days_from_entering_care_to_moving_in_with_the_adoptive_family(store):
    # A: 10 Jan 2023 -> placed 20 Sep 2023 = 253 days
    # B: adopted by foster carers: 1 Jun 2022 -> moved in with them 1 Aug 2022 (the placement before A5) = 61
    # J: no placed date: the A4 placement from 1 Oct 2022; 1 Jan 2022 -> 1 Oct 2022 = 273
    v = evaluate(store, indicator("E3"), FY2025, "890")
    assert v.numerator == 3 and v.value == pytest.approx((253 + 61 + 273) / 3)
    a = {r["child_id"]: r for r in permanence.adoptions(_ctx(store)).to_polars().iter_rows(named=True)}
    assert (a["A"]["a10_days"], a["B"]["a10_days"], a["J"]["a10_days"]) == (253, 61, 273)
    assert a["B"]["foster_carer"] and a["B"]["moved_in"] == D(2022, 8, 1)


def test_a10_within_the_threshold_counts_the_threshold_day(store):
    assert evaluate(store, indicator("E3b"), FY2025, "890").value == pytest.approx(100.0)  # all within 426
    v = evaluate(store, indicator("E3b"), FY2025, "890", {"threshold_days": 200})  # only B (61)
    assert (v.numerator, v.denominator) == (1, 3)
    v = evaluate(store, indicator("E3b"), FY2025, "890", {"threshold_days": 253})  # A's 253 is within
    assert (v.numerator, v.denominator) == (2, 3)


def test_a2_days_from_placement_order_to_match(store):
    # A: 1 Jun 2023 -> 1 Sep 2023 = 92; B matched before the order: 0; J has no placement order: left out
    v = evaluate(store, indicator("E4"), FY2025, "890")
    assert (v.numerator, v.value) == (2, pytest.approx(46.0))
    within = evaluate(store, indicator("E4b"), FY2025, "890", {"threshold_days": 91})  # B only
    assert (within.numerator, within.denominator) == (1, 2)
    assert evaluate(store, indicator("E4b"), FY2025, "890", {"threshold_days": 92}).numerator == 2


def test_three_year_scorecard_windows(store):
    # 1 April 2022 - 31 March 2025: L (adopted 1 April 2022, A10 181), F (181), A (253), B (61), J (273);
    # K (31 March 2022) is a day too early
    a10 = evaluate(store, indicator("E3a"), FY2025, "890")
    assert (a10.numerator, a10.value) == (5, pytest.approx((181 + 181 + 253 + 61 + 273) / 5))
    # A2: L (61), F (61), A (92), B (0); J has no placement order
    a2 = evaluate(store, indicator("E4a"), FY2025, "890")
    assert (a2.numerator, a2.value) == (4, pytest.approx((61 + 61 + 92 + 0) / 4))
    # three years to 29 February 2024 start on 1 March 2021: K (90) and L (181)
    leap = evaluate(store, indicator("E3a"), Period.as_at(D(2024, 2, 29)), "890")
    assert (leap.numerator, leap.value) == (2, pytest.approx((90 + 181) / 2))
    # a two-year window (parameter) from 1 April 2023: F, A, B, J
    assert evaluate(store, indicator("E3a"), FY2025, "890", {"years": 2}).numerator == 4


def test_adoption_pipeline_at_the_end_of_the_year(store):
    # 31 March 2025: G (placed), M (placement order made that day), P (decision that day). B was adopted and
    # N's decision reversed that day; Q left care; A was adopted long ago
    ind = indicator("E2")
    assert _rows(store, "E2", FY2025) == ["G", "M", "P"]
    assert _rows(store, "E2a", FY2025) == ["G", "M"]
    assert _rows(store, "E2b", FY2025) == ["G"]
    stages = evaluate_by(store, ind, FY2025, "890", "adoption_stage")
    assert dict(zip(stages["group"], stages["numerator"])) == {
        "placed for adoption": 1, "placement order, not yet placed": 1, "decision, no placement order yet": 1}
    # the day before: B (placed, adopted the next day), G, M (decision only), N (reversed the next day)
    day_before = Period.as_at(D(2025, 3, 30))
    assert _rows(store, "E2", day_before) == ["B", "G", "M", "N"]
    assert _rows(store, "E2a", day_before) == ["B", "G"]
    assert _rows(store, "E2b", day_before) == ["B", "G"]


def test_reversed_decisions_leave_out_adoptions(store):
    # R (RD3, 1 April 2024) and N (RD1, 31 March 2025); J's E11 is an adoption; Z is another authority's
    v = evaluate(store, indicator("E6"), FY2025, "890")
    assert v.numerator == 2
    by_reason = evaluate_by(store, indicator("E6"), FY2025, "890", "reversal_reason")
    assert dict(zip(by_reason["group"], by_reason["numerator"])) == {"RD1": 1, "RD3": 1}


def test_team_of_a_child_leaving_care_is_the_last_day_in_care(store):
    # A's allocation ends on the day of the adoption: counted in T1 (allocated the day before)
    by_team = evaluate_by(store, indicator("E1"), FY2025, "890", "team")
    assert dict(zip(by_team["group"], by_team["numerator"])) == {"T1": 1, "unallocated": 2}


def test_dates_helpers_handle_29_february():
    import ibis

    con = ibis.duckdb.connect()
    t = ibis.memtable(pl.DataFrame({"d": [D(2024, 2, 29), D(2025, 3, 31), D(2023, 1, 10)]}))
    out = con.execute(t.select(plus1=dates.add_years(t.d, 1), back3=dates.lookback_start(t.d, 3),
                               days=dates.days_between(t.d, ibis.date(2025, 3, 31))))
    assert list(out["plus1"].dt.date) == [D(2025, 3, 1), D(2026, 3, 31), D(2024, 1, 10)]
    assert list(out["back3"].dt.date) == [D(2021, 3, 1), D(2022, 4, 1), D(2020, 1, 11)]
    assert list(out["days"]) == [396, 0, 811]


def _ctx(store):
    from carelens.indicators.engine import context

    return context(store, indicator("E3"), "890")


@pytest.mark.slow
def test_every_permanence_indicator_runs_over_the_standard_windows(small_store):
    """Every indicator, window and breakdown on the synthetic authority, with plausible values."""
    periods = standard_periods(D(2024, 4, 1), D(2025, 3, 31))
    for ind in permanence.INDICATORS:
        out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
        assert_figures_follow_from_counts(out, ind)
        assert set(out["breakdown"]) <= set(ind.all_breakdowns), ind.id
        every = out.filter(pl.col("breakdown") == "all")
        assert set(every["period_kind"]) == set(ind.series), ind.id  # every window has a value
        assert out.filter(pl.col("numerator") < 0).is_empty(), ind.id
        assert out.filter(pl.col("value") < 0).is_empty(), ind.id
        if ind.unit == "percent":
            assert out.filter(pl.col("value") > 100).is_empty(), ind.id
        if ind.unit == "count":  # the groups of a breakdown add up to the total
            for b in ind.all_breakdowns:
                part = out.filter(pl.col("breakdown") == b).group_by("period").agg(pl.col("numerator").sum())
                total = every.select("period", total="numerator").join(part, on="period", how="left")
                assert total.filter(pl.col("numerator").fill_null(0) != pl.col("total")).is_empty(), (ind.id, b)
