"""F. Care leavers on a hand-made store, with every expected figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.indicators.catalogue import care_leavers, indicator
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)  # 1 April 2024 - 31 March 2025

# child: date of birth (birthdays that matter in the comment)
BORN = {
    "A": D(2006, 6, 15),   # 18th 15 June 2024
    "B": D(2007, 4, 1),    # 17th 1 April 2024 (the year's first day)
    "C": D(2006, 3, 31),   # 18th 31 March 2024 (the year before), 19th 31 March 2025 (its last day)
    "D": D(2004, 2, 29),   # 20th "29 February 2024", 21st 1 March 2025 (no 29 February in 2025)
    "E": D(2005, 1, 10),   # 20th 10 January 2025
    "F": D(2004, 7, 1),    # 20th 1 July 2024 - died
    "G": D(2003, 8, 1),    # 21st 1 August 2024 - went home for good
    "H": D(2005, 9, 9),    # 19th 9 September 2024
    "J": D(2006, 11, 20),  # 18th 20 November 2024
    # for F4 (remaining looked after to 18)
    "K": D(2007, 1, 15),   # 18th 15 January 2025
    "L": D(2006, 5, 1),    # 18th 1 May 2024
    "M": D(2006, 8, 1),    # 18th 1 August 2024
    "N": D(2006, 10, 10),  # 18th 10 October 2024
    "P": D(2007, 4, 1),    # 18th 1 April 2025 (the day after the year)
    "Q": D(2006, 4, 1),    # 18th 1 April 2024 (the year's first day)
    "R": D(2006, 7, 7),    # 18th 7 July 2024 - died at 17
    "S": D(2006, 12, 12),  # 18th 12 December 2024 - short breaks only
    # care taken over by another authority (E3)
    "T": D(2006, 9, 1),    # 18th 1 September 2024 - care passed to another authority at 17
    "U": D(2005, 5, 5),    # 19th 5 May 2024 - passed to another authority at 15, came back to us at 16
}


def _oc3(child, age, in_touch, activity=None, accommodation=None):
    return {"child_id": child, "birthday_age": age, "in_touch": in_touch, "activity": activity,
            "accommodation": accommodation}


def _period(pid, child, start, end=None, reason=None):
    return {"period_id": pid, "child_id": child, "start_date": start, "end_date": end, "reason_ceased": reason}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("cl") / "s.duckdb"
    periods = [
        _period("A1", "A", D(2021, 1, 1), D(2024, 6, 15), "E17"),  # looked after until the 18th birthday
        _period("J1", "J", D(2022, 9, 1), D(2023, 3, 1), "E4A"),  # 181 days from 14, left care at 16
        _period("K1", "K", D(2022, 10, 1), D(2022, 12, 1), "E4A"),  # 61 days ...
        _period("K2", "K", D(2024, 12, 1), D(2024, 12, 31), "E4A"),  # ... + 30 = 91: exactly 13 weeks
        _period("L1", "L", D(2023, 1, 1), D(2023, 3, 1), "E4A"),  # 59 days: not a care leaver
        _period("M1", "M", D(2020, 1, 1), D(2023, 6, 1), "E45"),  # left on an SGO: not a care leaver
        _period("N1", "N", D(2023, 1, 1), D(2024, 10, 10), "E5"),
        _period("P1", "P", D(2021, 1, 1), D(2025, 4, 1), "E5"),  # 18 the day after the year
        _period("Q1", "Q", D(2020, 1, 1), D(2024, 4, 1), "E17"),
        _period("R1", "R", D(2022, 1, 1), D(2024, 1, 1), "E2"),  # died at 17
        _period("S1", "S", D(2022, 1, 1), D(2024, 12, 12), "E8"),  # short breaks only (V3)
        _period("T1", "T", D(2021, 1, 1), D(2024, 2, 1), "E3"),  # another authority's care leaver
        _period("U1", "U", D(2020, 1, 1), D(2020, 6, 1), "E3"),  # ... but ours again after U2
        _period("U2", "U", D(2021, 6, 1), D(2023, 5, 5), "E17"),
    ]
    with Store(path) as s:
        s.replace({
            "person": _frame([{"child_id": c, "sex": "F", "date_of_birth": born,
                               "date_of_death": D(2024, 1, 1) if c == "R" else None} for c, born in BORN.items()],
                             la_code="890", ethnicity="WBRI", uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "care_leaver_contacts": _frame([
                _oc3("A", 18, "YES", "F2", "U1"),   # in touch, in education, suitable
                _oc3("B", 17, "NO", "0", "0"),      # not in touch: activity and accommodation not known
                _oc3("C", 18, "YES", "F1", "D1"),   # the year before
                _oc3("C", 19, "YES", "F1", "D1"),   # higher education, suitable
                _oc3("D", 21, "YES", "G5", "S2"),   # NEET, homeless (unsuitable)
                _oc3("E", 20, "REFU"),              # refuses contact: nothing known
                _oc3("F", 20, "DIED", "0", "0"),    # left out
                _oc3("G", 21, "RHOM", "0", "0"),    # left out
                _oc3("H", 19, "YES", "P5", "G1"),   # part-time work; gone abroad (suitability not known)
                _oc3("J", 18, "YES", "G4", "B2"),   # NEET, with relatives (unsuitable)
                # the other authority's care leaver: every F1-F3b would count them (in touch, suitable, HE)
                _oc3("T", 18, "YES", "F1", "U1"),
                _oc3("U", 19, "YES", "F1", "U1"),   # ours: the E3 period was not the latest
            ], la_code="890"),
            "periods_of_care": _frame(periods, la_code="890"),
            "looked_after_episodes": _frame([
                {"episode_id": f"E{p['period_id']}", "child_id": p["child_id"], "period_id": p["period_id"],
                 "start_date": p["start_date"], "end_date": p["end_date"], "reason_ceased": p["reason_ceased"],
                 "legal_status": "V3" if p["child_id"] == "S" else "C2"} for p in periods],
                la_code="890", reason_new_episode="S", cin_category="N1", placement_id="X", placement_type="U4"),
            # A's worker until the 18th birthday; N's allocation ended long before
            "allocations": _frame([
                {"allocation_id": "AL1", "child_id": "A", "worker_id": "W1", "team_id": "T1",
                 "start_date": D(2021, 1, 1), "end_date": D(2024, 6, 15)},
            ], la_code="890"),
        })
        # another authority's care leaver in the same pool must never be counted
        s.append({"person": _frame([{"child_id": "Z", "sex": "M", "date_of_birth": D(2005, 6, 1)}], la_code="999",
                                   ethnicity="WBRI", uasc=False),
                  "care_leaver_contacts": _frame([_oc3("Z", 19, "YES", "F1", "U1")], la_code="999")})
    with Store(path, read_only=True) as s:
        yield s


def _rows(store, ind_id, period):
    return sorted(counted_rows(store, indicator(ind_id), period, "890").to_polars()["child_id"])


def _value(store, ind_id, period=FY2025):
    v = evaluate(store, indicator(ind_id), period, "890")
    return v.numerator, v.denominator


def test_in_touch_by_age_group(store):
    # 17-18: B (17th on 1 April, not in touch), A and J (18th) in touch -> 2 of 3
    assert _value(store, "F1") == (2, 3)
    # 19-21: C (19th on 31 March), D (21st on 1 March), H and U in touch; E refuses. F died, G went home: left out
    assert _value(store, "F1a") == (4, 5)
    assert _rows(store, "F1a", FY2025) == ["C", "D", "E", "H", "U"]
    # C's 18th birthday was in the year before
    assert _rows(store, "F1", Period.financial_year(2024)) == ["C"]


def test_a_29_february_birthday_falls_on_1_march_in_a_common_year(store):
    assert _rows(store, "F1a", Period.month(2025, 2)) == []
    assert _rows(store, "F1a", Period.month(2025, 3)) == ["C", "D"]


def test_suitable_accommodation(store):
    # 17-18: A (U1) suitable; B (not known) and J (B2) not -> 1 of 3
    assert _value(store, "F2") == (1, 3)
    # 19-21: C (D1) and U (U1) suitable; D (S2) and E (not known) not; H (gone abroad) left out -> 2 of 4
    assert _value(store, "F2a") == (2, 4)
    assert _rows(store, "F2a", FY2025) == ["C", "D", "E", "U"]


def test_accommodation_types(store):
    # everyone with a 17th-21st birthday in the year except those who died, went home or are another
    # authority's (T): A B C D E H J U
    assert _value(store, "F2b") == (8, None)
    by_type = evaluate_by(store, indicator("F2b"), FY2025, "890", "accommodation_type")
    assert dict(zip(by_type["group"], by_type["numerator"])) == {
        "U independent living": 2, "not known": 2, "D semi-independent transitional accommodation": 1,
        "S no fixed abode or homeless": 1, "G gone abroad": 1, "B with parents or relatives": 1}


def test_education_employment_and_training(store):
    # 17-18: A (F2) in education; B (not known) and J (G4) not -> 1 of 3
    assert _value(store, "F3") == (1, 3)
    # 19-21: C (F1), H (P5) and U (F1) are; D (G5) and E (not known) are not -> 3 of 5
    assert _value(store, "F3a") == (3, 5)
    # higher education: C and U -> 2 of 5
    assert _value(store, "F3b") == (2, 5)
    assert evaluate(store, indicator("F3b"), FY2025, "890").value == pytest.approx(40.0)


def test_another_authoritys_care_leaver_is_not_counted(store):
    # T's care passed to another authority (E3) at 17: in touch, suitable and in higher education, yet in
    # no care-leaver indicator; U left an earlier period E3 but came back into our care, so U is ours
    for ind_id in ("F1", "F2", "F2b", "F3"):
        assert "T" not in _rows(store, ind_id, FY2025), ind_id
    for ind_id in ("F1a", "F2a", "F3a", "F3b"):
        assert "U" in _rows(store, ind_id, FY2025), ind_id
    # T's 18th birthday, 1 September 2024: without T, 17-18 in touch stays 2 of 3 (A, J; not B)
    assert _value(store, "F1") == (2, 3)


def test_remaining_looked_after_to_18(store):
    # 18th birthdays in the year of care leavers: Q (1 April, in care the day before), A and N (in care until 18),
    # J (left at 16 after 181 days), K (61 + 30 = 91 days: exactly 13 weeks, left at 17)
    # not care leavers: L (59 days), M (SGO), R (died), S (short breaks only); P turns 18 the day after
    assert _rows(store, "F4", FY2025) == ["A", "J", "K", "N", "Q"]
    v = evaluate(store, indicator("F4"), FY2025, "890")
    assert (v.numerator, v.denominator, v.value) == (3, 5, pytest.approx(60.0))
    # 13 weeks and a day: K is no longer a care leaver
    v = evaluate(store, indicator("F4"), FY2025, "890", {"eligible_days": 92})
    assert (v.numerator, v.denominator) == (3, 4)
    # A's team is the one allocated on the eve of 18 (the allocation ends on the birthday)
    by_team = evaluate_by(store, indicator("F4"), FY2025, "890", "team")
    assert {r["group"]: (r["numerator"], r["denominator"]) for r in by_team.iter_rows(named=True)} == {
        "T1": (1, 1), "unallocated": (2, 4)}


def test_birthday_breakdowns(store):
    by_age = evaluate_by(store, indicator("F1a"), FY2025, "890", "birthday_age")
    assert {r["group"]: (r["numerator"], r["denominator"]) for r in by_age.iter_rows(named=True)} == {
        "19": (3, 3), "20": (0, 1), "21": (1, 1)}
    bands = evaluate_by(store, indicator("F1"), FY2025, "890", "age_band")  # age on the birthday
    got = {r["group"]: r["denominator"] for r in bands.iter_rows(named=True) if r["denominator"]}
    assert got["16-17"] == 1 and got["18 and over"] == 2


def test_care_leaver_rows_carry_the_birthday(store):
    from carelens.indicators.engine import context

    rows = care_leavers.care_leavers(context(store, indicator("F1"), "890")).to_polars()
    d = rows.filter(pl.col("child_id") == "D").row(0, named=True)
    assert (d["birthday"], d["age_group"], d["suitable"], d["in_eet"]) == (D(2025, 3, 1), "19-21", False, False)
    # F (died), G (home for good) and T (another authority's care leaver) are never counted
    assert set(rows["child_id"]) == set("ABCDEHJU")


@pytest.mark.slow
def test_every_care_leaver_indicator_runs_over_the_standard_windows(small_store):
    """Every indicator, window and breakdown on the synthetic authority, with plausible values."""
    periods = standard_periods(D(2024, 4, 1), D(2025, 3, 31))
    for ind in care_leavers.INDICATORS:
        out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
        assert_figures_follow_from_counts(out, ind)
        assert set(out["breakdown"]) <= set(ind.all_breakdowns), ind.id
        every = out.filter(pl.col("breakdown") == "all")
        assert set(every["period_kind"]) == set(ind.series), ind.id
        assert out.filter((pl.col("numerator") < 0) | (pl.col("value") < 0)).is_empty(), ind.id
        if ind.unit == "percent":
            assert out.filter(pl.col("value") > 100).is_empty(), ind.id
            assert every.filter(pl.col("period_kind") == "financial_year")["denominator"].item() > 0, ind.id
