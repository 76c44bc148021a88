"""Section C (child protection) on a hand-made store, every expected figure worked out by hand.

The financial year 2024-25 (1 April 2024 - 31 March 2025) has 365 days, so nothing is annualised
over it. Bank holidays that matter here: Good Friday 29 March 2024, Easter Monday 1 April 2024,
Christmas Day and Boxing Day 2024, New Year's Day 2025. Working days are counted after the first day
up to and including the last. Population: 1,000 children per age 0-17 and sex, 36,000 in all.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.indicators.catalogue import child_protection
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts
from store_rows import frame as _frame

D = dt.date
FY2025 = Period.financial_year(2025)
MARCH = Period.month(2025, 3)
FEBRUARY = Period.month(2025, 2)
POP = 36_000
IND = {i.id: i for i in child_protection.INDICATORS}


def _by(ind_id, breakdown, period=FY2025, params=None, store=None):
    out = evaluate_by(store, IND[ind_id], period, "890", breakdown, params)
    return {r["group"]: (r["numerator"], r["share"]) for r in out.iter_rows(named=True)}


PEOPLE = {  # child: date of birth
    "A": D(2015, 6, 1), "B": D(2012, 1, 1), "C": D(2010, 1, 1), "D": D(2020, 1, 1), "E": D(2018, 1, 1),
    "F": D(2016, 1, 1), "G": D(2014, 1, 1), "H": D(2013, 1, 1), "J": D(2009, 1, 1), "K": D(2011, 1, 1),
    "L": D(2008, 1, 1), "M": D(2013, 1, 1), "N": D(2006, 12, 30),  # N turns 18 on 30 December 2024
    "O": D(2007, 5, 1), "Q": D(2023, 6, 1), "R": D(2019, 1, 1),
}

STRATEGY = [  # id, child, date, decided to start a s47 enquiry
    ("SD0", "A", D(2024, 3, 31), True),   # the day before the year: not counted
    ("SD1", "A", D(2024, 4, 1), True),    # the year's first day (Easter Monday)
    ("SD2", "B", D(2024, 6, 10), True),
    ("SD3", "C", D(2024, 7, 1), False),
    ("SD5", "F", D(2024, 11, 1), True),
    ("SD4", "D", D(2025, 3, 31), True),   # the year's last day
]

S47 = [  # id, child, strategy discussion, start, end, outcome
    ("K0", "A", None, D(2024, 3, 28), D(2024, 4, 10), "NFA"),        # 7 wd (Good Friday, Easter Monday off)
    ("K1", "A", "SD1", D(2024, 4, 1), D(2024, 4, 22), "ICPC"),       # 15 wd
    ("K2", "B", "SD2", D(2024, 6, 10), D(2024, 7, 2), "ICPC"),       # 16 wd
    ("K3", "D", "SD4", D(2025, 3, 31), None, None),                  # still open
    ("K4", "E", None, D(2024, 9, 2), D(2024, 9, 20), "CIN_PLAN"),    # 14 wd; a conference is recorded anyway
    ("K5", "F", "SD5", D(2024, 11, 8), D(2024, 11, 22), "ICPC"),     # 10 wd; started a week after SD5
    ("K6", "H", None, D(2024, 10, 1), D(2024, 10, 10), "NFA"),       # 7 wd
]

ICPC = [  # id, child, s47, date, transfer in, plan
    ("I0", "A", None, D(2024, 3, 28), False, False),   # before the year
    ("I1", "A", "K1", D(2024, 4, 22), False, True),    # 15 wd after SD1: in time, band 11-15
    ("I2", "E", "K4", D(2024, 9, 24), False, True),    # no SD on K4: from its start, 16 wd, band 16-20
    ("I3", "F", "K5", D(2024, 11, 25), False, True),   # 16 wd after SD5 (11 after K5's start): late
    ("I4", "G", None, D(2024, 12, 2), True, True),     # transfer-in: held, not timed
    ("I5", "B", "K2", D(2024, 7, 15), False, False),   # 25 wd after SD2: band 21+
    ("I7", "D", "K3", D(2025, 3, 31), False, False),   # the same day as SD4: 0 wd, band 0-10
    ("I8", "C", None, D(2024, 8, 1), False, False),    # no enquiry recorded: held, not timed
]

PLANS = [  # id, child, start, end, initial, latest, previous_plans (as a return recorded it), end reason
    ("A1", "A", D(2022, 1, 10), D(2022, 4, 22), "NEG", "NEG", None, "CLOSED"),
    ("A2", "A", D(2024, 4, 22), None, "NEG", "EMO", None, None),
    ("E1", "E", D(2024, 9, 24), D(2025, 3, 31), "EMO", "EMO", 2, "STEP_DOWN_CIN"),  # ends on the last day
    ("F1", "F", D(2024, 11, 25), None, "PHY", "PHY", 0, None),
    ("G1", "G", D(2024, 12, 2), None, "SAB", "SAB", None, None),
    ("J1", "J", D(2023, 4, 2), None, "NEG", "NEG", None, None),    # 730 days counting both ends by 31/3/25
    ("K1", "K", D(2023, 4, 3), None, "EMO", "MUL", None, None),    # 729 days
    ("L1", "L", D(2022, 6, 1), D(2024, 6, 1), "NEG", "NEG", None, "LOOKED_AFTER"),  # 732 days
    ("M1", "M", D(2023, 1, 1), D(2024, 12, 30), "NEG", "NEG", None, "CLOSED"),      # 730 days
    ("N1", "N", D(2023, 1, 2), D(2024, 12, 30), "PHY", "PHY", None, "AGED_18"),     # 729 days
    ("O0", "O", D(2019, 1, 1), D(2020, 1, 1), "NEG", "NEG", None, "CLOSED"),
    ("O1", "O", D(2024, 5, 1), D(2024, 8, 15), "EMO", "EMO", 0, None),  # recorded 0, but the store holds O0
    ("Q1", "Q", D(2024, 12, 31), None, "NEG", "NEG", None, None),  # first review due on 31 March 2025
    ("R1", "R", D(2025, 1, 1), None, "NEG", "NEG", None, None),    # not yet on a plan for 3 months at 31/3
]

VISITS = [  # plan, date, child seen
    ("A2", D(2025, 2, 20), True), ("A2", D(2025, 3, 6), True), ("A2", D(2025, 3, 20), True),
    ("F1", D(2025, 2, 24), True), ("F1", D(2025, 3, 3), True), ("F1", D(2025, 3, 18), True),
    ("G1", D(2024, 12, 13), True), ("G1", D(2024, 12, 20), True), ("G1", D(2025, 1, 7), True),
    ("G1", D(2025, 2, 28), True),
    ("J1", D(2025, 2, 17), True), ("J1", D(2025, 3, 3), False), ("J1", D(2025, 3, 17), True),
    ("K1", D(2025, 2, 28), True), ("K1", D(2025, 3, 14), True),
    ("M1", D(2025, 1, 6), True),  # after M1 ended: ignored
]

REVIEWS = [  # plan, date
    ("A2", D(2024, 7, 22)), ("A2", D(2025, 1, 22)),        # each on the last day allowed
    ("F1", D(2025, 2, 26)),                                 # due by 25 February 2025: a day late
    ("G1", D(2025, 2, 10)),
    ("J1", D(2023, 6, 30)), ("J1", D(2023, 12, 29)), ("J1", D(2024, 7, 1)), ("J1", D(2024, 12, 20)),
    ("K1", D(2023, 7, 3)), ("K1", D(2024, 1, 2)), ("K1", D(2024, 7, 1)),  # then none: overdue from 2/1/25
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("cp") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "person": _frame([{"child_id": c, "date_of_birth": b, "sex": "F" if i % 2 else "M"}
                              for i, (c, b) in enumerate(PEOPLE.items())], la_code="890", ethnicity="WBRI",
                             uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "strategy_discussions": _frame(
                [{"strategy_discussion_id": i, "child_id": c, "discussion_date": d, "outcome_s47": o}
                 for i, c, d, o in STRATEGY], la_code="890", referral_id="R"),
            "s47_enquiries": _frame(
                [{"s47_id": i, "child_id": c, "strategy_discussion_id": sd, "start_date": a, "end_date": b,
                  "outcome": o} for i, c, sd, a, b, o in S47], la_code="890", referral_id="R"),
            "initial_cp_conferences": _frame(
                [{"icpc_id": i, "child_id": c, "s47_id": k, "conference_date": d, "transfer_in": t,
                  "outcome_cp_plan": p} for i, c, k, d, t, p in ICPC], la_code="890", referral_id="R"),
            "cp_plans": _frame(
                [{"cp_plan_id": i, "child_id": c, "start_date": a, "end_date": b, "initial_category": ini,
                  "latest_category": lat, "previous_plans": prev, "end_reason": why}
                 for i, c, a, b, ini, lat, prev, why in PLANS], la_code="890", referral_id="R"),
            "cp_visits": _frame(
                [{"cp_visit_id": f"V{n}", "cp_plan_id": p, "child_id": p[0], "visit_date": d, "child_seen": seen}
                 for n, (p, d, seen) in enumerate(VISITS)], la_code="890"),
            "cp_reviews": _frame(
                [{"cp_review_id": f"W{n}", "cp_plan_id": p, "child_id": p[0], "review_date": d}
                 for n, (p, d) in enumerate(REVIEWS)], la_code="890"),
        })
        # another authority's rows in the same pool: never counted
        s.append({
            "strategy_discussions": _frame([{"strategy_discussion_id": "SD9", "child_id": "Z",
                                             "discussion_date": D(2024, 6, 1), "outcome_s47": True}],
                                           la_code="999", referral_id="R"),
            "s47_enquiries": _frame([{"s47_id": "K9", "child_id": "Z", "strategy_discussion_id": "SD9",
                                      "start_date": D(2024, 6, 1), "end_date": D(2024, 6, 3), "outcome": "ICPC"}],
                                    la_code="999", referral_id="R"),
            "initial_cp_conferences": _frame([{"icpc_id": "I9", "child_id": "Z", "s47_id": "K9",
                                               "conference_date": D(2024, 6, 3), "transfer_in": False,
                                               "outcome_cp_plan": True}], la_code="999", referral_id="R"),
            "cp_plans": _frame([{"cp_plan_id": "Z1", "child_id": "Z", "start_date": D(2024, 6, 3), "end_date": None,
                                 "initial_category": "NEG", "latest_category": "NEG", "previous_plans": 1}],
                               la_code="999", referral_id="R"),
            "cp_visits": _frame([{"cp_visit_id": "V99", "cp_plan_id": "Z1", "child_id": "Z",
                                  "visit_date": D(2025, 3, 3), "child_seen": True}], la_code="999"),
            "cp_reviews": _frame([{"cp_review_id": "W99", "cp_plan_id": "Z1", "child_id": "Z",
                                   "review_date": D(2024, 8, 1)}], la_code="999"),
        })
    with Store(path, read_only=True) as s:
        yield s


def _v(store, ind_id, period=FY2025, params=None):
    v = evaluate(store, IND[ind_id], period, "890", params)
    return v.value, v.numerator, v.denominator


# ------------------------------------------------------------------------- strategy discussions, s47
def test_strategy_discussions_per_week_and_conversion_to_s47(store):
    # SD1 (1 April), SD2, SD3, SD5, SD4 (31 March); SD0 is the day before; SD9 is another authority's
    assert _v(store, "C1") == (pytest.approx(5 * 7 / 365), 5, None)
    # ISO week 14 of 2024 is Monday 1 - Sunday 7 April: SD1 only (SD0 was on Sunday 31 March, week 13)
    assert _v(store, "C1", Period.iso_week(2024, 14))[0] == pytest.approx(1.0)
    # all but SD3 decided to start an enquiry
    assert _v(store, "C2") == (80.0, 4, 5)


def test_s47_to_icpc_counts_enquiries_started_in_the_period(store):
    # K1-K6 started in the year (K0 before it). K1, K2, K5 concluded ICPC; K4 concluded CIN_PLAN and K3 is
    # still open, but a conference is recorded against each (I2, I7); K6 ended with NFA
    assert _v(store, "C4") == (pytest.approx(500 / 6), 5, 6)
    assert evaluate(store, IND["C3"], FY2025, "890").numerator == 6


def test_s47_completed_within_the_local_standard_in_working_days(store):
    # completed in the year: K0 7 wd (Good Friday and Easter Monday are not working days), K1 15 (started on
    # Easter Monday), K2 16, K4 14, K5 10, K6 7; K3 is open. Within 15: all but K2
    assert _v(store, "C5") == (pytest.approx(500 / 6), 5, 6)
    # the report's 13-day standard: K0, K5 and K6
    assert _v(store, "C5", params={"standard_days": 13}) == (50.0, 3, 6)


# --------------------------------------------------------------------------------------- conferences
def test_icpcs_held_per_week_and_rate_include_transfer_ins(store):
    # I1, I2, I3, I4 (transfer-in), I5, I7 (31 March), I8 (no enquiry); I0 was before the year
    assert _v(store, "C6") == (pytest.approx(7 * 7 / 365), 7, None)
    assert _v(store, "C6c") == (pytest.approx(7 * 10_000 / POP), 7, POP)
    assert _by("C6", "conference_type", store=store) == {"initial": (6, pytest.approx(600 / 7)),
                                                         "transfer-in": (1, pytest.approx(100 / 7))}


def test_icpc_within_15_working_days_of_the_strategy_discussion(store):
    # timed: I1 15 wd (in), I2 16 from K4's start as K4 records no strategy discussion (late), I3 16 from
    # SD5 although only 11 from K5's start (late), I5 25 (late), I7 0 (in). I4 (transfer-in) and I8 (no
    # enquiry) cannot be timed and are left out
    assert _v(store, "C6a") == (40.0, 2, 5)
    rows = counted_rows(store, IND["C6a"], FY2025, "890").to_polars()
    assert sorted(rows.filter(pl.col("numerator"))["child_id"]) == ["A", "D"]


def test_icpc_timeliness_bands(store):
    assert _v(store, "C6b")[1] == 5
    assert _by("C6b", "working_days_band", store=store) == {
        "0-10": (1, 20.0), "11-15": (1, 20.0), "16-20": (2, 40.0), "21+": (1, 20.0)}


def test_icpc_to_cp_plan(store):
    # plans from I1, I2, I3, I4; none from I5, I7, I8
    assert _v(store, "C7") == (pytest.approx(400 / 7), 4, 7)


# -------------------------------------------------------------------------------------------- plans
def test_plans_stock_starts_and_ends(store):
    # on a plan at 31 March 2025: A2, F1, G1, J1, K1, Q1, R1 (E1 ended that day; Z1 is another authority's)
    assert _v(store, "C8") == (pytest.approx(7 * 10_000 / POP), 7, POP)
    # started in the year: A2, O1, E1, F1, G1, Q1, R1 (1 January 2025)
    assert _v(store, "C9")[1] == 7
    # ended in the year: L1, O1, M1, N1, E1 (31 March)
    assert _v(store, "C10")[1] == 5


def test_plans_ending_by_destination(store):
    assert _by("C10", "destination", store=store) == {
        "stepped down to CIN": (1, 20.0), "became looked after": (1, 20.0), "closed": (1, 20.0),
        "other": (1, 20.0),  # N1: reached 18
        "unknown": (1, 20.0)}  # O1: no end reason recorded


def test_c12_is_the_age_band_breakdown_of_c8_to_c10(store):
    for ind_id in ("C8", "C9", "C10"):
        assert "age_band" in IND[ind_id].all_breakdowns and "C12" in IND[ind_id].computation
    # N turned 18 on 30 December 2024, the day N1 ended: counted as 18 and over
    ending = _by("C10", "age_band", store=store)
    assert ending["18 and over"][0] == 1 and ending["16-17"][0] == 2  # L1 and O1 (L is 16 on 1/6/24, O 17 on 15/8/24)


def test_children_on_plans_by_initial_and_latest_category(store):
    assert _v(store, "C11") == (7.0, 7, None)
    assert _by("C11", "initial_category", store=store) == {
        "NEG": (4, pytest.approx(400 / 7)), "EMO": (1, pytest.approx(100 / 7)), "PHY": (1, pytest.approx(100 / 7)),
        "SAB": (1, pytest.approx(100 / 7))}
    assert _by("C11", "latest_category", store=store) == {
        "NEG": (3, pytest.approx(300 / 7)), "EMO": (1, pytest.approx(100 / 7)), "MUL": (1, pytest.approx(100 / 7)),
        "PHY": (1, pytest.approx(100 / 7)), "SAB": (1, pytest.approx(100 / 7))}
    # categories of plans starting: A2, Q1, R1 neglect; O1, E1 emotional; F1 physical; G1 sexual
    assert {g: n for g, (n, _) in _by("C9", "initial_category", store=store).items()} == {
        "NEG": 3, "EMO": 2, "PHY": 1, "SAB": 1}


def test_second_or_subsequent_plans(store):
    # of the 7 plans starting: A2 (A1 in the store), E1 (the return recorded 2 earlier plans) and O1 (O0 in
    # the store although the return recorded 0) were second or subsequent plans
    assert _v(store, "C13") == (pytest.approx(300 / 7), 3, 7)
    # within 24 months of an earlier plan ending: only A2 (A1 ended on 22 April 2022, exactly 24 months
    # before); O0 ended in 2020; E1's earlier plans are not in the store
    assert _v(store, "C13a") == (pytest.approx(100 / 7), 1, 7)
    assert _v(store, "C13a", params={"within_months": 23}) == (0.0, 0, 7)


def test_plans_lasting_two_years_or_more(store):
    # at 31 March 2025 J1 (from 2 April 2023) covers 730 days counting both ends: over 729, so it counts;
    # K1 (from 3 April 2023) covers 729 and does not
    assert _v(store, "C14") == (pytest.approx(100 / 7), 1, 7)
    # ending in the year: L1 732 days and M1 730 days count; N1 729 days, O1 and E1 do not
    assert _v(store, "C14a") == (40.0, 2, 5)


# --------------------------------------------------------------------------------- visits and reviews
def test_children_visited_in_timescale_over_the_plans_time_in_the_month(store):
    # March 2025, plans open on the 31st: A2, F1, G1, J1, K1, Q1, R1.
    # A2: 20 Feb -> 6 Mar 10 wd, -> 20 Mar 10 wd, and 7 wd by 31 March: in timescale.
    # F1: 3 Mar -> 18 Mar is 11 wd: late (its late gap from the plan's start ended in February: not counted).
    # G1: nothing since 28 February, 21 wd by 31 March: overdue.
    # J1: 17 Feb -> 3 Mar 10 wd, -> 17 Mar 10 wd, and exactly 10 by 31 March: in timescale.
    # K1: 28 Feb -> 14 Mar 10 wd, but 11 wd by 31 March: overdue by the last day.
    # Q1, R1: never visited.
    assert _v(store, "C15", MARCH) == (pytest.approx(200 / 7), 2, 7)
    rows = counted_rows(store, IND["C15"], MARCH, "890").to_polars()
    assert sorted(rows.filter(pl.col("numerator"))["child_id"]) == ["A", "J"]
    # J was not seen on 3 March: counting only visits where the child was seen leaves a 20-day gap
    assert _v(store, "C15", MARCH, {"child_seen_only": True})[1] == 1
    # an 11-day interval lets F1's gap and K1's wait pass
    assert _v(store, "C15", MARCH, {"interval_working_days": 11})[1] == 4
    # over the whole year every plan open at its end has a late gap (from its start to the first visit)
    assert _v(store, "C15") == (0.0, 0, 7)


def test_visits_in_timescale(store):
    # March: A2 6 and 20 Mar in; F1 3 Mar in (5 wd), 18 Mar late (11); J1 3 and 17 Mar in; K1 14 Mar in
    assert _v(store, "C15a", MARCH) == (pytest.approx(600 / 7), 6, 7)
    # the year adds A2 20 Feb, F1 24 Feb, J1 17 Feb, K1 28 Feb and G1 28 Feb (all late, the first visits
    # or long gaps) and G1's 13 Dec (9 wd), 20 Dec (5) and 7 Jan (9: Christmas, Boxing Day and New Year's
    # Day are not working days) in time. M1's visit after it ended is ignored. 9 of 15
    assert _v(store, "C15a") == (60.0, 9, 15)


def test_reviews_in_timescale_dfe_19(store):
    # 31 March 2025: plans open that started at least 3 months before: A2, F1, G1, J1, K1, Q1 (31 Dec + 3
    # months is 31 March); R1 started on 1 January and is left out.
    # A2: 22 Jul 2024 (3 months to the day), 22 Jan 2025 (6 months to the day): in timescale.
    # F1: first review on 26 Feb, due by 25 Feb: late.  G1: 10 Feb, due by 2 Mar: in timescale.
    # J1: 1 Jul 2024 came after 29 Jun 2024 (6 months after 29 Dec 2023): late, though in the year before.
    # K1: nothing after 1 Jul 2024: overdue since 2 January 2025.  Q1: first review due on 31 March: not overdue.
    assert _v(store, "C16") == (50.0, 3, 6)
    # 28 February 2025: A2, E1, F1, J1, K1 had been on a plan 3 months (G1 from 2 March; Q1 and R1 later).
    # E1 (ended on 31 March) was never reviewed: overdue since 25 December 2024. F1's late review on
    # 26 February counts already. Only A2 is in timescale
    assert _v(store, "C16", FEBRUARY) == (20.0, 1, 5)


# ---------------------------------------------------------------------------------------- synthetic
@pytest.mark.slow
def test_every_indicator_and_breakdown_evaluates_on_the_synthetic_authority(small_store):
    periods = standard_periods(D(2024, 4, 1), D(2025, 3, 31))
    for ind in child_protection.INDICATORS:
        out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
        assert_figures_follow_from_counts(out, ind)
        assert set(out["breakdown"]) == set(ind.all_breakdowns), ind.id
        assert set(out["period_kind"]) == set(ind.series), ind.id
        assert (out["numerator"].drop_nulls() >= 0).all(), ind.id
        values = out["value"].drop_nulls()
        assert (values >= 0).all(), ind.id
        if ind.unit == "percent":
            assert (values <= 100).all(), ind.id
        # the groups of every breakdown add up to the whole
        whole = out.filter(pl.col("breakdown") == "all").select("period", "numerator")
        for b in ind.all_breakdowns:
            parts = out.filter(pl.col("breakdown") == b).group_by("period").agg(pl.col("numerator").sum())
            joined = whole.join(parts, on="period", suffix="_parts")
            assert (joined["numerator"] == joined["numerator_parts"]).all(), (ind.id, b)


def test_children_on_a_plan_on_the_synthetic_authority_are_those_whose_plan_is_open_that_day(small_store):
    """C8 on 31 March 2025, derived by hand from the store's own rows: the children with a plan started on or
    before the day and not ended by it (a plan ending on the day is over), per 10,000 children aged 0–17."""
    day = D(2025, 3, 31)
    plans = small_store.to_polars("cp_plans").filter(
        pl.col("la_code") == "890", pl.col("start_date") <= day,
        pl.col("end_date").is_null() | (pl.col("end_date") > day))
    population = small_store.to_polars("population").filter(
        pl.col("la_code") == "890", pl.col("year") == 2025, pl.col("age") <= 17)["children"].sum()
    v = evaluate(small_store, IND["C8"], Period.as_at(day), "890")
    assert v.numerator == plans["child_id"].n_unique() > 0
    assert v.denominator == population > 0
    assert v.value == pytest.approx(v.numerator * 10_000 / population)


def test_synthetic_figures_are_plausible(small_store):
    v = {i: evaluate(small_store, IND[i], FY2025, "890").value for i in IND}
    assert 0 < v["C6a"] < 100 and 0 < v["C15a"] <= 100 and 0 < v["C16"] <= 100
    assert 90 <= v["C7"] <= 100  # the coastal profile: almost every conference makes a plan (§5.4.1: 97%)
    assert v["C6c"] > 0 and v["C8"] > 0
