"""B. Front door and assessment, on hand-made stores, with every expected figure worked out by hand.

Two small stores: one of contacts and referrals (B1–B6, B10a), one of assessments and their
referrals (B7–B10), so that each figure is easy to check.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from carelens.indicators.catalogue import front_door, indicator
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.indicators.working_days import working_days_between
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)  # 1 April 2024 - 31 March 2025, 365 days
MARCH = Period.month(2025, 3)  # 31 days


def _value(store, ind_id, period, **params):
    v = evaluate(store, indicator(ind_id), period, "890", params or None)
    return v.numerator, v.denominator, v.value


# --------------------------------------------------------------------------- contacts and referrals
@pytest.fixture(scope="module")
def front(tmp_path_factory):
    path = tmp_path_factory.mktemp("front_door") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "contacts": _frame([
                # A: 31 December, then 31 March (the month's last day): 3 months before 31 March is 31 December,
                # which counts -> a repeat
                {"contact_id": "A0", "child_id": "A", "contact_date": D(2024, 12, 31), "outcome": "NFA",
                 "source": "1A"},
                {"contact_id": "A1", "child_id": "A", "contact_date": D(2025, 3, 31), "outcome": "REFERRAL",
                 "source": "1A"},
                # B: 30 November, then 1 March (the month's first day): 3 months before is 1 December -> not a repeat
                {"contact_id": "B0", "child_id": "B", "contact_date": D(2024, 11, 30), "outcome": "NFA",
                 "source": "1A"},
                {"contact_id": "B1", "child_id": "B", "contact_date": D(2025, 3, 1), "outcome": "NFA",
                 "source": "1A"},
                # C: two contacts on 10 March: the second (by id) is a repeat of the first
                {"contact_id": "C1", "child_id": "C", "contact_date": D(2025, 3, 10), "outcome": "REFERRAL",
                 "source": "5A"},
                {"contact_id": "C2", "child_id": "C", "contact_date": D(2025, 3, 10), "outcome": "INFORMATION_ADVICE",
                 "source": "5A"},
                # D: one contact here (its contact in authority 999 on 1 March is not ours) -> not a repeat
                {"contact_id": "D1", "child_id": "D", "contact_date": D(2025, 3, 15), "outcome": "REFERRAL",
                 "source": "6"},
                # F and G on 31 May 2025: 3 months before is 28 February (February 2025 has no 31st)
                {"contact_id": "F0", "child_id": "F", "contact_date": D(2025, 2, 28), "outcome": "NFA",
                 "source": "6"},
                {"contact_id": "F1", "child_id": "F", "contact_date": D(2025, 5, 31), "outcome": "NFA",
                 "source": "6"},
                {"contact_id": "G0", "child_id": "G", "contact_date": D(2025, 2, 27), "outcome": "NFA",
                 "source": "6"},
                {"contact_id": "G1", "child_id": "G", "contact_date": D(2025, 5, 31), "outcome": "NFA",
                 "source": "6"},
            ], la_code="890"),
            "referrals": _frame([
                # K: 1 April 2023, then 1 April 2024 (first day of 2024-25): exactly 12 months -> re-referral
                {"referral_id": "R1", "child_id": "K", "referral_date": D(2023, 4, 1), "closure_date": D(2023, 6, 1),
                 "closure_reason": "RC7"},
                {"referral_id": "R2", "child_id": "K", "referral_date": D(2024, 4, 1), "closure_date": D(2024, 6, 1),
                 "closure_reason": "RC8"},
                # M: 31 March 2023, then 2 April 2024: more than 12 months -> not a re-referral; closed NFA
                {"referral_id": "R3", "child_id": "M", "referral_date": D(2023, 3, 31),
                 "closure_date": D(2023, 5, 1), "closure_reason": "RC7"},
                {"referral_id": "R4", "child_id": "M", "referral_date": D(2024, 4, 2), "closure_date": D(2024, 4, 2),
                 "closure_reason": "RC7", "referral_nfa": True},
                # N: 1 June 2024 (assessed, not in need: RC9), then 31 March 2025 (last day, still open)
                {"referral_id": "R5", "child_id": "N", "referral_date": D(2024, 6, 1), "closure_date": D(2024, 12, 1),
                 "closure_reason": "RC9"},
                {"referral_id": "R6", "child_id": "N", "referral_date": D(2025, 3, 31)},
                # S: 29 February 2024, then 28 February 2025 (12 months before is 28 February 2024) -> re-referral;
                # closed after assessment on 15 April 2025, after the year's end
                {"referral_id": "R7", "child_id": "S", "referral_date": D(2024, 2, 29), "closure_date": D(2024, 3, 20),
                 "closure_reason": "RC7"},
                {"referral_id": "R8", "child_id": "S", "referral_date": D(2025, 2, 28),
                 "closure_date": D(2025, 4, 15), "closure_reason": "RC8"},
                # W: NFA referral (recorded, inconsistently, with RC8: an NFA referral is never "assessed")
                {"referral_id": "R9", "child_id": "W", "referral_date": D(2024, 10, 1),
                 "closure_date": D(2024, 10, 1), "closure_reason": "RC8", "referral_nfa": True},
                # U: closed for another reason
                {"referral_id": "R10", "child_id": "U", "referral_date": D(2024, 9, 10),
                 "closure_date": D(2024, 12, 1), "closure_reason": "RC7"},
                # V: closed after assessment on 31 March 2025, the year's last day
                {"referral_id": "R11", "child_id": "V", "referral_date": D(2025, 1, 15),
                 "closure_date": D(2025, 3, 31), "closure_reason": "RC8"},
                {"referral_id": "R12", "child_id": "V2", "referral_date": D(2024, 7, 1),
                 "closure_date": D(2024, 8, 1), "closure_reason": "RC8"},
            ], la_code="890", source="1A").with_columns(pl.col("referral_nfa").fill_null(False)),
        })
        s.append({
            "contacts": _frame([{"contact_id": "Z1", "child_id": "D", "contact_date": D(2025, 3, 1),
                                 "outcome": "REFERRAL", "source": "1A"}], la_code="999"),
            "referrals": _frame([{"referral_id": "Z9", "child_id": "W", "referral_date": D(2024, 9, 1),
                                  "referral_nfa": True, "source": "1A"}], la_code="999"),
        })
    with Store(path, read_only=True) as s:
        yield s


def test_contacts_per_week(front):
    # March: A1 (31st), B1 (1st), C1, C2 (10th), D1 (15th) = 5 contacts in 31 days; D's 999 contact is not ours
    assert _value(front, "B1", MARCH) == (5, None, pytest.approx(5 * 7 / 31))
    # the 4 weeks to Sunday 30 March (3-30 March): C1, C2, D1 -> a weekly average of 3 / 4
    assert _value(front, "B1", Period.four_weeks(D(2025, 3, 30))) == (3, None, pytest.approx(0.75))
    by_source = _by(front, "B1", MARCH, "contact_source")
    assert {g: n for g, (n, _, _) in by_source.items()} == {"1A": 2, "5A": 2, "6": 1}


def test_repeat_contacts_within_three_calendar_months(front):
    # March: A1 (31 Dec counts, on the boundary) and C2 (second that day) are repeats; B1 (30 Nov is before
    # 1 Dec), C1 and D1 are not -> 2 of 5
    assert _value(front, "B2", MARCH) == (2, 5, 40.0)
    rows = counted_rows(front, indicator("B2"), MARCH, "890").to_polars().sort("counting_day", "child_id")
    assert rows.filter(pl.col("numerator"))["child_id"].sort().to_list() == ["A", "C"]
    # May: 31 May less 3 months is 28 February 2025: F's contact on the 28th makes a repeat, G's on the 27th not
    assert _value(front, "B2", Period.month(2025, 5)) == (1, 2, 50.0)
    # the months are a parameter: within 2 months, A's contact of 31 December is too early
    assert _value(front, "B2", MARCH, repeat_within_months=2) == (1, 5, 20.0)


def test_contacts_converting_to_referrals(front):
    # March: A1, C1, D1 became referrals -> 3 of 5
    assert _value(front, "B3", MARCH) == (3, 5, 60.0)


def test_referrals_per_week(front):
    # 2024-25: R2, R4, R5, R6, R8, R9, R10, R11, R12 = 9 referrals (R1, R3, R7 are earlier; Z9 is 999's)
    assert _value(front, "B4a", FY2025) == (9, None, pytest.approx(9 * 7 / 365))
    assert evaluate(front, indicator("B4"), FY2025, "890").numerator == 9


def test_re_referrals_within_twelve_months(front):
    # of the 9: R2 (exactly 12 months after R1), R6 (10 months after R5), R8 (12 months after 29 February 2024:
    # on or after 28 February 2024) are re-referrals. R4 is 12 months and 2 days after R3; R9's earlier
    # referral is in another authority; R5, R10, R11, R12 are first referrals -> 3 of 9
    n, d, v = _value(front, "B5", FY2025)
    assert (n, d, v) == (3, 9, pytest.approx(100 * 3 / 9))
    rows = counted_rows(front, indicator("B5"), FY2025, "890").to_polars()
    assert rows.filter(pl.col("numerator"))["child_id"].sort().to_list() == ["K", "N", "S"]
    # within 11 months, R2 and R8 no longer count; R6 (10 months) does
    assert _value(front, "B5", FY2025, within_months=11)[0] == 1


def test_referrals_closed_with_no_further_action(front):
    # R4 and R9 are NFA referrals -> 2 of 9
    assert _value(front, "B6", FY2025) == (2, 9, pytest.approx(100 * 2 / 9))


def test_referrals_assessed_not_in_need_by_the_end_of_the_period(front):
    # 2024-25: R2 (RC8), R5 (RC9), R12 (RC8) and R11 (RC8 on 31 March, the last day) -> 4 of 9.
    # R8 closed RC8 on 15 April 2025, after the year: not yet. R9 was an NFA referral, so never "assessed".
    assert _value(front, "B10a", FY2025) == (4, 9, pytest.approx(100 * 4 / 9))
    # the 12 months to 30 April 2025 (1 May 2024 - 30 April 2025) hold R5, R6, R8, R9, R10, R11, R12 (7);
    # by 30 April R8 has closed RC8 too -> R5, R8, R11, R12 = 4 of 7
    assert _value(front, "B10a", Period.rolling(D(2025, 4, 30), 12)) == (4, 7, pytest.approx(100 * 4 / 7))


# ------------------------------------------------------------------------------------- assessments
# The Easter referral: Thursday 28 March 2024. Good Friday (29 March), Easter Monday (1 April), the early May
# bank holiday (6 May) and the spring bank holiday (27 May) are not working days. Counting the working days
# after the 28th: 2-5 April are 1-4, then 5 a week: ... 3 May is 24; 7-10 May 25-28; 13-17 May 33; 20-24 May 38;
# 28-31 May 39-42; 3 June 43, 4 June 44, 5 June 45, 6 June 46. Without the bank holidays 5 June would be the 49th.
EASTER_REFERRAL = D(2024, 3, 28)


@pytest.fixture(scope="module")
def assess(tmp_path_factory):
    path = tmp_path_factory.mktemp("assessments") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "referrals": _frame([
                {"referral_id": "RX1", "child_id": "X1", "referral_date": EASTER_REFERRAL},
                {"referral_id": "RX2", "child_id": "X2", "referral_date": EASTER_REFERRAL},
                {"referral_id": "RX3", "child_id": "X3", "referral_date": EASTER_REFERRAL},
                {"referral_id": "RQ", "child_id": "Q", "referral_date": D(2024, 10, 1)},
                {"referral_id": "RZ", "child_id": "Z", "referral_date": D(2025, 1, 6)},
                {"referral_id": "RO1", "child_id": "O1", "referral_date": D(2025, 1, 2)},
                {"referral_id": "RO2", "child_id": "O2", "referral_date": D(2025, 3, 3)},
                # O3's referral closed on 1 February without the assessment being authorised: it is not open after
                {"referral_id": "RO3", "child_id": "O3", "referral_date": D(2024, 12, 1),
                 "closure_date": D(2025, 2, 1), "closure_reason": "RC7"},
                {"referral_id": "RO4", "child_id": "O4", "referral_date": D(2025, 3, 31)},
                {"referral_id": "RV", "child_id": "V", "referral_date": D(2024, 3, 1)},
            ], la_code="890", source="1A", referral_nfa=False),
            "assessments": _frame([
                # authorised on the 45th working day after the Easter referral: in time
                {"assessment_id": "AX1", "child_id": "X1", "referral_id": "RX1", "start_date": EASTER_REFERRAL,
                 "authorised_date": D(2024, 6, 5), "outcome_nfa": False, "team_id": "T1"},
                # on the 46th: late
                {"assessment_id": "AX2", "child_id": "X2", "referral_id": "RX2", "start_date": D(2024, 4, 2),
                 "authorised_date": D(2024, 6, 6), "outcome_nfa": True, "team_id": "T1"},
                {"assessment_id": "AX3", "child_id": "X3", "referral_id": "RX3", "start_date": D(2024, 4, 2),
                 "authorised_date": D(2024, 6, 10), "outcome_nfa": False},
                # 10 working days: in time
                {"assessment_id": "AQ", "child_id": "Q", "referral_id": "RQ", "start_date": D(2024, 10, 2),
                 "authorised_date": D(2024, 10, 15), "outcome_nfa": True},
                # authorised on 31 March 2025, the year's last day, 60 working days after 6 January: late
                {"assessment_id": "AZ", "child_id": "Z", "referral_id": "RZ", "start_date": D(2025, 1, 7),
                 "authorised_date": D(2025, 3, 31), "outcome_nfa": True},
                # open: referral 2 January 2025, so the 46th working day after it is 7 March 2025
                {"assessment_id": "AO1", "child_id": "O1", "referral_id": "RO1", "start_date": D(2025, 1, 3)},
                {"assessment_id": "AO2", "child_id": "O2", "referral_id": "RO2", "start_date": D(2025, 3, 4)},
                {"assessment_id": "AO3", "child_id": "O3", "referral_id": "RO3", "start_date": D(2024, 12, 2)},
                # starts on 31 March 2025: open that day
                {"assessment_id": "AO4", "child_id": "O4", "referral_id": "RO4", "start_date": D(2025, 3, 31)},
                # authorised before the year
                {"assessment_id": "AV", "child_id": "V", "referral_id": "RV", "start_date": D(2024, 3, 4),
                 "authorised_date": D(2024, 3, 28), "outcome_nfa": True},
            ], la_code="890"),
        })
        # another authority's open assessment (of a child with the same id) is not ours
        s.append({"assessments": _frame([{"assessment_id": "ZA", "child_id": "O1", "referral_id": "ZR",
                                          "start_date": D(2025, 1, 3)}], la_code="999"),
                  "referrals": _frame([{"referral_id": "ZR", "child_id": "O1", "referral_date": D(2024, 1, 1),
                                        "source": "1A", "referral_nfa": False}], la_code="999")})
    with Store(path, read_only=True) as s:
        yield s


def _by(store, ind_id, period, breakdown, **params):
    out = evaluate_by(store, indicator(ind_id), period, "890", breakdown, params or None)
    return {r["group"]: (r["numerator"], r["denominator"], r["value"]) for r in out.iter_rows(named=True)}


def test_the_hand_count_of_working_days_over_easter():
    assert working_days_between(EASTER_REFERRAL, D(2024, 6, 5)) == 45
    assert working_days_between(EASTER_REFERRAL, D(2024, 6, 6)) == 46
    assert working_days_between(D(2025, 1, 6), D(2025, 3, 31)) == 60
    assert working_days_between(D(2025, 1, 2), D(2025, 3, 7)) == 46
    # AQ: Tuesday 1 October 2024 to Tuesday 15 October: 2-4 (3), 7-11 (8), 14, 15 -> 10
    assert working_days_between(D(2024, 10, 1), D(2024, 10, 15)) == 10


def test_assessments_within_45_working_days_of_the_referral_count_bank_holidays(assess):
    """B8a: Working Together's clock, from the referral."""
    # completed in 2024-25: AX1 (45: in time only because of the 4 bank holidays), AX2 (46), AX3 (48),
    # AQ (10), AZ (60; on the year's last day). AV was authorised before the year. 2 of 5 in time
    assert _value(assess, "B8a", FY2025) == (2, 5, 40.0)
    rows = counted_rows(assess, indicator("B8a"), FY2025, "890").to_polars().sort("child_id")
    assert dict(zip(rows["child_id"], rows["amount"], strict=True)) == {
        "Q": 10.0, "X1": 45.0, "X2": 46.0, "X3": 48.0, "Z": 60.0}
    # with a 46-day timescale, AX2 is in time too
    assert _value(assess, "B8a", FY2025, timescale_working_days=46)[0] == 3
    # the record's own team: T1 completed AX1 (in time) and AX2 (late); the others have no team
    assert _by(assess, "B8a", FY2025, "team") == {"T1": (1, 2, 50.0), "unallocated": (1, 3, pytest.approx(100 / 3))}


def test_the_hand_count_of_working_days_from_the_assessments_start():
    # one working day fewer than from the referral for the assessments that started the next working day
    assert working_days_between(D(2024, 4, 2), D(2024, 6, 6)) == 45   # AX2
    assert working_days_between(D(2024, 4, 2), D(2024, 6, 10)) == 47  # AX3
    assert working_days_between(D(2024, 10, 2), D(2024, 10, 15)) == 9  # AQ
    assert working_days_between(D(2025, 1, 7), D(2025, 3, 31)) == 59  # AZ


def test_assessments_within_45_working_days_count_from_the_assessments_start(assess):
    """B8: the DfE's clock (LAIT 304), from the assessment's start to its authorisation."""
    # AX1 started on the day of the referral: 45, in time. AX2 started on 2 April, the first working day
    # after the Easter referral: 45 working days to 6 June, in time here but late from the referral (B8a).
    # AX3 47, AQ 9, AZ 59. 3 of 5 in time
    assert _value(assess, "B8", FY2025) == (3, 5, 60.0)
    rows = counted_rows(assess, indicator("B8"), FY2025, "890").to_polars().sort("child_id")
    assert dict(zip(rows["child_id"], rows["amount"], strict=True)) == {
        "Q": 9.0, "X1": 45.0, "X2": 45.0, "X3": 47.0, "Z": 59.0}
    # with a 44-day timescale only AQ is in time
    assert _value(assess, "B8", FY2025, timescale_working_days=44)[0] == 1
    # T1 completed AX1 and AX2, both in time by this clock
    assert _by(assess, "B8", FY2025, "team") == {"T1": (2, 2, 100.0), "unallocated": (1, 3, pytest.approx(100 / 3))}
    # B8 is the measure compared with DfE's published figures; B8a is local
    assert indicator("B8").dfe_measure == "304" and indicator("B8").dfe_comparable
    assert indicator("B8a").dfe_measure is None and not indicator("B8a").dfe_comparable


def test_open_assessments_and_those_beyond_45_working_days(assess):
    # 31 March 2025: AO1, AO2 and AO4 (started that day) are open; AZ was authorised that day and AO3's
    # referral closed in February. AO1 has passed its 46th working day (7 March): 1 of 3
    assert _value(assess, "B7", FY2025) == (3, None, 3.0)
    assert _value(assess, "B7a", FY2025) == (1, 3, pytest.approx(100 / 3))
    # 6 March: AO1, AO2 and AZ open (AO3 closed with its referral on 1 February); AO1 not yet late
    assert _value(assess, "B7a", Period.as_at(D(2025, 3, 6))) == (0, 3, 0.0)
    # 7 March: AO1 is beyond 45 working days; AZ (referral Monday 6 January) reaches its 46th working day on
    # 11 March (10 March is the 45th), so on the 11th both are
    assert _value(assess, "B7a", Period.as_at(D(2025, 3, 7))) == (1, 3, pytest.approx(100 / 3))
    assert _value(assess, "B7a", Period.as_at(D(2025, 3, 10))) == (1, 3, pytest.approx(100 / 3))
    assert _value(assess, "B7a", Period.as_at(D(2025, 3, 11))) == (2, 3, pytest.approx(200 / 3))


def test_open_assessments_over_easter(assess):
    # 5 June 2024: AX2 and AX3 are open (AX1 authorised that day); the 46th working day after 28 March is 6 June:
    # neither is late yet. 6 June: AX2 authorised that day; AX3 open and late
    assert _value(assess, "B7a", Period.as_at(D(2024, 6, 5))) == (0, 2, 0.0)
    assert _value(assess, "B7a", Period.as_at(D(2024, 6, 6))) == (1, 1, 100.0)


def test_assessment_flow_balance(assess):
    # March 2025: completed AZ (31st); started AO2 (4th) and AO4 (31st)
    assert _value(assess, "B9", MARCH) == (1, None, pytest.approx(7 / 31))
    assert _value(assess, "B9a", MARCH) == (2, None, pytest.approx(2 * 7 / 31))
    assert _value(assess, "B9b", MARCH) == (1, 3, pytest.approx(100 / 3))
    # 2024-25: completed AX1, AX2, AX3, AQ, AZ (5); started AX2, AX3 (2 April), AQ, AO3, AO1, AZ, AO2, AO4 (8);
    # AX1 and AV started in March 2024
    assert _value(assess, "B9b", FY2025) == (5, 13, pytest.approx(100 * 5 / 13))


def test_assessments_ending_with_no_further_involvement(assess):
    # completed in 2024-25: AX2, AQ, AZ ended NFA; AX1, AX3 did not -> 3 of 5
    assert _value(assess, "B10", FY2025) == (3, 5, 60.0)


# ---------------------------------------------------------------------------- synthetic authority
@pytest.mark.slow
def test_every_front_door_indicator_runs_on_the_synthetic_authority_for_every_breakdown(small_store):
    periods = standard_periods(D(2024, 4, 1), D(2025, 3, 31))
    for ind in front_door.INDICATORS:
        out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
        assert_figures_follow_from_counts(out, ind)
        assert set(out["breakdown"].unique()) == set(ind.all_breakdowns), ind.id
        assert set(out["period_kind"].unique()) == set(ind.series), ind.id
        assert out["numerator"].min() >= 0, ind.id
        values = [v for v in out["value"].to_list() if v is not None]
        assert values and all(math.isfinite(v) and v >= 0 for v in values), ind.id
        if ind.unit == "percent":
            assert max(values) <= 100, ind.id


def test_re_referrals_and_nfa_agree_with_the_independent_calibration_measures(small_store):
    """Two implementations (Ibis here, Polars in carelens.synth.calibration) give the same figures."""
    from carelens.synth.calibration import measure_headlines

    frames = {t: small_store.to_polars(t) for t in ("population", "referrals", "s47_enquiries",
                                                     "initial_cp_conferences", "cp_plans", "periods_of_care")}
    expected = measure_headlines(frames, 2025)
    assert evaluate(small_store, indicator("B5"), FY2025, "890").value == pytest.approx(expected["rereferral_pct"])
    assert evaluate(small_store, indicator("B6"), FY2025, "890").value == pytest.approx(expected["referral_nfa_pct"])


def test_synthetic_front_door_is_plausible(small_store):
    # the coastal profile: about three quarters of assessments in time; contacts convert to referrals at a third
    # or so; completions keep pace with starts over a year
    assert 50 < evaluate(small_store, indicator("B8"), FY2025, "890").value < 95
    assert 20 < evaluate(small_store, indicator("B3"), FY2025, "890").value < 60
    assert 45 < evaluate(small_store, indicator("B9b"), FY2025, "890").value < 55
