"""Section D (children looked after) on a hand-made store, every expected figure worked out by hand.

The main window is the financial year 2024-25 (1 April 2024 to 31 March 2025); stocks are counted on
31 March 2025. The authority is "890"; a child of authority "999" has rows in every table and must never
be counted. Population: 1,000 children for each age 0-17 and each sex (36,000).

The children (age on 31 March 2025):

- A (9): in care since 1 June 2021; legal change only (C1 -> C2) in the first placement, then one move on
  1 October 2022 to a private foster placement 25 miles away outside the authority.
- B (13): in care since 15 September 2022 in a children's home; moved to foster care on 1 April 2024 (the
  first day of the year), a change of placement type with the same carer (T) in August, then two moves on
  10 January 2025 (the first lasting no time at all) to in-house foster care 30 miles away inside the
  authority. A missing episode open since 20 March 2024. Three social workers in the year.
- C (18 on 31 March 2025): two periods in the year, each under section 20: returned home (E4A) on 30 June
  2024; back on 1 September and left care on their 18th birthday, 31 March 2025, staying put (E17).
- D (4): long-term foster care with relatives (U1) since 1 January 2023.
- E (14): section 20 since 1 June 2024; a temporary stay in hospital (T1) from 1 to 5 November, then a new
  foster carer; three missing episodes and one "away" episode.
- F (16): interim care order since 1 May 2024; on 1 October 2024 two moves on the same day, the first
  lasting no time at all, to a children's home 10 miles away outside the authority.
- G (6): in care since 1 June 2020; foster placement from 1 June 2022, placed for adoption with new
  adopters (A6) on 1 June 2024, 20 miles away outside the authority.
- P (12): in care since 27 March 2025, no 903 episodes recorded yet.
- Q (17): in long-term foster care since 2018.
- H, HH: short breaks (V3) only: never counted.
- J, K, L, M left care in the year (returned home, adopted, SGO, left to live with relatives); N left on
  31 March 2024, before it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.indicators.catalogue import indicator
from carelens.indicators.catalogue.looked_after import INDICATORS
from carelens.indicators.dates import add_months
from carelens.indicators.engine import Period, counted_rows, evaluate, evaluate_by, evaluate_series
from carelens.indicators.periods import standard_periods
from carelens.model.store import Store
from indicator_figures import assert_figures_follow_from_counts

D = dt.date
FY2025 = Period.financial_year(2025)
MARCH_2025 = D(2025, 3, 31)
POP = 36_000


def _frame(rows: list[dict], **fixed) -> pl.DataFrame:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    return pl.DataFrame([{k: r.get(k) for k in keys} for r in rows]).with_columns(
        **{k: pl.lit(v) for k, v in fixed.items()})


def _rows(columns: str, *rows: tuple) -> list[dict]:
    """Rows as dicts, the values given in the order of ``columns`` (space-separated names)."""
    names = columns.split()
    return [dict(zip(names, row, strict=True)) for row in rows]


def _periods(*rows):
    return _rows("period_id child_id start_date end_date reason_ceased", *rows)


def _episodes(*rows):
    return _rows("episode_id child_id period_id start_date reason_new_episode legal_status placement_id "
                 "placement_type placement_provider", *rows)


PEOPLE = {"A": D(2015, 6, 1), "B": D(2012, 1, 10), "C": D(2007, 3, 31), "D": D(2020, 5, 5), "E": D(2010, 7, 1),
          "F": D(2008, 9, 9), "G": D(2019, 2, 2), "P": D(2013, 3, 3), "Q": D(2008, 1, 1), "H": D(2014, 1, 1),
          "HH": D(2015, 1, 1), "J": D(2008, 6, 1), "K": D(2022, 1, 1), "L": D(2017, 1, 1), "M": D(2010, 1, 1),
          "N": D(2012, 12, 12)}

PERIODS = _periods(
    ("PA", "A", D(2021, 6, 1), None, None),
    ("PB", "B", D(2022, 9, 15), None, None),
    ("PC1", "C", D(2024, 4, 10), D(2024, 6, 30), "E4A"),
    ("PC2", "C", D(2024, 9, 1), D(2025, 3, 31), "E17"),
    ("PD", "D", D(2023, 1, 1), None, None),
    ("PE", "E", D(2024, 6, 1), None, None),
    ("PF", "F", D(2024, 5, 1), None, None),
    ("PG", "G", D(2020, 6, 1), None, None),
    ("PP", "P", D(2025, 3, 27), None, None),
    ("PQ", "Q", D(2018, 1, 1), None, None),
    ("PH", "H", D(2024, 5, 1), None, None),
    ("PHH", "HH", D(2024, 4, 15), D(2024, 5, 15), "E8"),
    ("PJ", "J", D(2024, 6, 15), D(2024, 12, 20), "E4B"),
    ("PK", "K", D(2023, 2, 1), D(2024, 11, 30), "E12"),
    ("PL", "L", D(2022, 3, 1), D(2025, 1, 15), "E45"),
    ("PM", "M", D(2023, 7, 1), D(2024, 4, 1), "E13"),
    ("PN", "N", D(2024, 2, 1), D(2024, 3, 31), "E3"),
)

EPISODES = _episodes(
    ("A1", "A", "PA", D(2021, 6, 1), "S", "C1", "LA1", "U4", "PR1"),
    ("A2", "A", "PA", D(2021, 9, 1), "L", "C2", "LA1", "U4", "PR1"),
    ("A3", "A", "PA", D(2022, 10, 1), "P", "C2", "LA2", "U6", "PR4"),
    ("B1", "B", "PB", D(2022, 9, 15), "S", "C2", "LB1", "K2", "PR4"),
    ("B2", "B", "PB", D(2024, 4, 1), "P", "C2", "LB2", "U6", "PR1"),
    ("B3", "B", "PB", D(2024, 8, 1), "T", "C2", "LB3", "U4", "PR1"),
    ("B4", "B", "PB", D(2025, 1, 10), "P", "C2", "LB4", "R1", "PR4"),
    ("B5", "B", "PB", D(2025, 1, 10), "P", "C2", "LB5", "U6", "PR1"),
    ("C1", "C", "PC1", D(2024, 4, 10), "S", "V2", "LC1", "U6", "PR1"),
    ("C2", "C", "PC2", D(2024, 9, 1), "S", "V2", "LC2", "H5", "PR4"),
    ("D1", "D", "PD", D(2023, 1, 1), "S", "C2", "LD1", "U1", "PR1"),
    ("E1", "E", "PE", D(2024, 6, 1), "S", "V2", "LE1", "U6", "PR4"),
    ("E2", "E", "PE", D(2024, 11, 1), "P", "V2", "LE2", "T1", "PR3"),
    ("E3", "E", "PE", D(2024, 11, 5), "P", "V2", "LE3", "U6", "PR4"),
    ("F1", "F", "PF", D(2024, 5, 1), "S", "C1", "LF1", "U6", "PR1"),
    ("F2", "F", "PF", D(2024, 10, 1), "P", "C1", "LF2", "U6", "PR4"),
    ("F3", "F", "PF", D(2024, 10, 1), "P", "C1", "LF3", "K2", "PR4"),
    ("G1", "G", "PG", D(2020, 6, 1), "S", "C1", "LG1", "U6", "PR1"),
    ("G2", "G", "PG", D(2021, 1, 1), "L", "C2", "LG1", "U6", "PR1"),
    ("G3", "G", "PG", D(2022, 6, 1), "P", "E1", "LG2", "U4", "PR1"),
    ("G4", "G", "PG", D(2024, 6, 1), "P", "E1", "LG3", "A6", "PR1"),
    ("Q1", "Q", "PQ", D(2018, 1, 1), "S", "C2", "LQ1", "U4", "PR1"),
    ("H1", "H", "PH", D(2024, 5, 1), "S", "V3", "LH1", "U6", "PR1"),
    ("HH1", "HH", "PHH", D(2024, 4, 15), "S", "V3", "LHH1", "U6", "PR1"),
    ("J1", "J", "PJ", D(2024, 6, 15), "S", "C1", "LJ1", "P1", "PR0"),
    ("K1", "K", "PK", D(2023, 2, 1), "S", "E1", "LK1", "A6", "PR1"),
    ("L1", "L", "PL", D(2022, 3, 1), "S", "C2", "LL1", "U1", "PR1"),
    ("M1", "M", "PM", D(2023, 7, 1), "S", "V2", "LM1", "U6", "PR1"),
    ("N1", "N", "PN", D(2024, 2, 1), "S", "V2", "LN1", "U6", "PR1"),
)

PLACEMENTS = _rows(  # only the ones whose distance or location the tests use
    "placement_id child_id period_id start_date placement_type distance_miles inside_la",
    ("LA2", "A", "PA", D(2022, 10, 1), "U6", 25.0, False),
    ("LB5", "B", "PB", D(2025, 1, 10), "U6", 30.0, True),
    ("LD1", "D", "PD", D(2023, 1, 1), "U1", 3.0, True),
    ("LE3", "E", "PE", D(2024, 11, 5), "U6", 21.0, None),
    ("LF3", "F", "PF", D(2024, 10, 1), "K2", 10.0, False),
    ("LG3", "G", "PG", D(2024, 6, 1), "A6", 20.0, False),
)

MISSING = _rows(
    "missing_id child_id missing_type start_date end_date return_interview_offered return_interview_accepted",
    ("MB", "B", "M", D(2024, 3, 20), None, None, None),  # open since before the year
    ("MC", "C", "M", D(2025, 3, 30), D(2025, 3, 31), True, False),
    ("ME1", "E", "M", D(2024, 7, 1), D(2024, 7, 2), True, True),
    ("ME2", "E", "M", D(2024, 8, 1), D(2024, 8, 3), True, False),
    ("ME3", "E", "M", D(2024, 9, 1), D(2024, 9, 1), False, None),
    ("MEA", "E", "A", D(2024, 10, 1), D(2024, 10, 2), True, True),  # away, not missing
    ("MH", "H", "A", D(2024, 6, 1), D(2024, 6, 2), True, True),  # a short-break child, and away
)

HEALTH = _rows(
    "health_check_id child_id check_type check_date",
    ("H1", "A", "HEALTH_ASSESSMENT", D(2024, 4, 1)),  # 12 months ago less a day: up to date
    ("H2", "A", "DENTAL", D(2024, 6, 1)),
    ("H3", "B", "HEALTH_ASSESSMENT", D(2024, 3, 31)),  # exactly 12 months ago: not up to date
    ("H4", "B", "DENTAL", D(2025, 3, 31)),  # on the day counted
    ("H5", "D", "HEALTH_ASSESSMENT", D(2024, 9, 15)),  # under 5: needs one in the last 6 months
    ("H6", "D", "DENTAL", D(2024, 3, 31)),
    ("H7", "G", "HEALTH_ASSESSMENT", D(2024, 6, 1)),
    ("H8", "G", "DENTAL", D(2025, 4, 1)),  # after the day counted
    ("H9", "Q", "HEALTH_ASSESSMENT", D(2023, 1, 1)),
    ("H10", "E", "HEALTH_ASSESSMENT", D(2025, 1, 1)),  # E is not in the cohort (in care under 12 months)
)

VISITS = _rows(
    "visit_id child_id period_id visit_date child_seen",
    ("V1", "A", "PA", D(2025, 2, 17), True),  # due again 31 March: in time on the day
    ("V2", "B", "PB", D(2025, 1, 15), True),
    ("V3", "B", "PB", D(2025, 2, 10), True),  # due again 24 March: late
    ("V4", "D", "PD", D(2025, 1, 15), True),  # long-term placement: due again 15 April
    ("V5", "E", "PE", D(2024, 12, 1), True),
    ("V6", "E", "PE", D(2025, 3, 1), False),  # the child was not seen: not a visit
    ("V7", "F", "PF", D(2025, 3, 20), None),  # not recorded whether seen: counts
    ("V8", "G", "PG", D(2024, 5, 30), True),  # before the adoptive placement started
)

REVIEWS = _rows(
    "review_id child_id period_id review_date",
    ("R01", "B", "PB", D(2022, 10, 10)), ("R02", "B", "PB", D(2023, 1, 5)), ("R03", "B", "PB", D(2023, 7, 1)),
    ("R04", "B", "PB", D(2024, 1, 1)), ("R05", "B", "PB", D(2024, 7, 2)), ("R06", "B", "PB", D(2025, 1, 2)),
    ("R07", "C", "PC1", D(2024, 5, 9)),
    ("R08", "D", "PD", D(2023, 1, 20)), ("R09", "D", "PD", D(2023, 4, 20)), ("R10", "D", "PD", D(2023, 10, 20)),
    ("R11", "D", "PD", D(2024, 4, 19)), ("R12", "D", "PD", D(2024, 10, 18)),
    ("R13", "E", "PE", D(2024, 6, 20)), ("R14", "E", "PE", D(2024, 9, 21)),
    ("R15", "HH", "PHH", D(2024, 6, 1)),
)

ALLOCATIONS = _rows(
    "allocation_id child_id worker_id start_date end_date",
    ("AL1", "B", "W3", D(2023, 1, 1), D(2024, 4, 1)),  # ended on the year's first day: counts
    ("AL2", "B", "W4", D(2024, 4, 1), D(2024, 6, 1)),
    ("AL3", "B", "W5", D(2024, 6, 1), None),
    ("AL4", "B", "W7", D(2024, 5, 1), None),  # a personal adviser, not a social worker
    ("AL5", "F", "W1", D(2023, 1, 1), D(2024, 3, 31)),  # ended before the year
    ("AL6", "F", "W2", D(2024, 3, 31), D(2024, 10, 1)),
    ("AL7", "F", "W1", D(2024, 10, 1), None),  # W1 again: F had two social workers in the year
)

WORKERS = _rows("worker_id role", *[(w, "SOCIAL_WORKER") for w in ("W1", "W2", "W3", "W4", "W5")],
                ("W7", "PERSONAL_ADVISER"))

OUTCOMES = _rows(
    "child_id year_ending health_assessment_up_to_date teeth_checked",
    ("A", MARCH_2025, True, True), ("B", MARCH_2025, False, None), ("D", MARCH_2025, True, False),
    ("A", D(2024, 3, 31), False, False),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("looked_after") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "person": _frame([{"child_id": c, "date_of_birth": b, "sex": "F" if c in "ACEG" else "M"}
                              for c, b in PEOPLE.items()], la_code="890", ethnicity="WBRI", uasc=False),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": 1000}),
            "periods_of_care": _frame(PERIODS, la_code="890"),
            "looked_after_episodes": _frame(EPISODES, la_code="890", cin_category="N1"),
            "placements": _frame(PLACEMENTS, la_code="890"),
            "missing_episodes": _frame(MISSING, la_code="890"),
            "health_checks": _frame(HEALTH, la_code="890"),
            "annual_outcomes": _frame(OUTCOMES, la_code="890"),
            "looked_after_visits": _frame(VISITS, la_code="890"),
            "looked_after_reviews": _frame(REVIEWS, la_code="890"),
            "allocations": _frame(ALLOCATIONS, la_code="890", team_id="T1"),
            "workers": _frame(WORKERS, la_code="890", team_id="T1", agency=False, start_date=D(2020, 1, 1)),
        })
        # another authority's child, in every table: never counted
        z = {"la_code": "999"}
        s.append({
            "person": _frame(_rows("child_id date_of_birth sex", ("Z", D(2012, 1, 1), "M")), ethnicity="WBRI",
                             uasc=False, **z),
            "periods_of_care": _frame(_periods(("PZ", "Z", D(2024, 6, 1), D(2025, 2, 1), "E11")), **z),
            "looked_after_episodes": _frame(_episodes(("Z1", "Z", "PZ", D(2024, 6, 1), "S", "V2", "LZ1", "U6",
                                                       "PR1")), cin_category="N1", **z),
            "placements": _frame(_rows("placement_id child_id period_id start_date placement_type distance_miles "
                                       "inside_la", ("LZ1", "Z", "PZ", D(2024, 6, 1), "U6", 50.0, False)), **z),
            "missing_episodes": _frame(_rows("missing_id child_id missing_type start_date end_date "
                                             "return_interview_offered",
                                             ("MZ", "Z", "M", D(2024, 7, 1), D(2024, 7, 2), True)), **z),
            "health_checks": _frame(_rows("health_check_id child_id check_type check_date",
                                          ("HZ", "Z", "DENTAL", D(2025, 1, 1))), **z),
            "annual_outcomes": _frame(_rows("child_id year_ending teeth_checked", ("Z", MARCH_2025, True)), **z),
            "looked_after_visits": _frame(_rows("visit_id child_id period_id visit_date",
                                                ("VZ", "Z", "PZ", D(2025, 1, 1))), **z),
            "looked_after_reviews": _frame(_rows("review_id child_id period_id review_date",
                                                 ("RZ", "Z", "PZ", D(2024, 12, 1))), **z),
            "allocations": _frame(_rows("allocation_id child_id worker_id team_id start_date",
                                        ("ALZ", "Z", "WZ", "TZ", D(2024, 6, 1))), **z),
        })
    with Store(path, read_only=True) as s:
        yield s


def _value(store, ind_id, period=FY2025, **params):
    v = evaluate(store, indicator(ind_id), period, "890", params or None)
    return v.numerator, v.denominator, v.value


def _by(store, ind_id, breakdown, period=FY2025):
    out = evaluate_by(store, indicator(ind_id), period, "890", breakdown)
    return {r["group"]: (r["numerator"], r["denominator"]) for r in out.iter_rows(named=True)}


def _children(store, ind_id, numerator_only=True, period=FY2025):
    rows = counted_rows(store, indicator(ind_id), period, "890").to_polars()
    if numerator_only:
        rows = rows.filter(pl.col("numerator"))
    return sorted(rows["child_id"])


# --------------------------------------------------------------------------------------- helpers
def test_months_are_added_on_the_calendar():
    import ibis

    def shift(day, months):
        return ibis.memtable({"d": [day]}).select(x=add_months(ibis._.d, months)).to_pyarrow()["x"][0].as_py()

    assert shift(D(2025, 3, 31), -30) == D(2022, 9, 30)  # no 31 September: the month's last day
    assert shift(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert shift(D(2023, 8, 31), 6) == D(2024, 2, 29)  # a leap year
    assert shift(D(2024, 2, 29), -12) == D(2023, 2, 28)
    assert shift(D(2025, 1, 15), 3) == D(2025, 4, 15)
    assert shift(D(2024, 12, 31), 1) == D(2025, 1, 31)


# ---------------------------------------------------------------------------------- D1-D4 numbers
def test_children_looked_after_use_the_episode_in_force(store):
    # on 31 March 2025: A, B, D, E, F, G, P (no episodes yet) and Q. C left that day; H is on short breaks.
    assert _value(store, "D1") == (8, POP, pytest.approx(8 * 10_000 / POP))
    assert _children(store, "D1") == ["A", "B", "D", "E", "F", "G", "P", "Q"]
    assert _by(store, "D1", "legal_status_group") == {
        "care order": (4, None), "section 20": (1, None), "interim care order": (1, None),
        "placement order": (1, None), "unknown": (1, None)}  # A, B, D, Q | E | F | G | P
    # B's placement in force is the later of two that started on 10 January (episode order breaks the tie)
    assert _by(store, "D1", "placement_type") == {
        "U6": (3, None), "U1": (1, None), "U4": (1, None), "K2": (1, None), "A6": (1, None), "unknown": (1, None)}
    # on 15 January 2025 B was in the placement of 10 January; on 9 January still in the foster placement
    # that started with a change of carer on 1 April (the change of type on 1 August made it U4)
    jan = _by(store, "D1", "placement_type", Period.as_at(D(2025, 1, 9)))
    assert jan["U4"] == (2, None)  # B and Q


def test_children_starting_care_leave_short_breaks_out(store):
    # C (twice: counted once), E, F, J, P started in the year; H and HH started on short breaks
    assert _value(store, "D2")[:2] == (5, POP)
    assert _by(store, "D2", "placement_group") == {
        "foster care": (3, None), "placed with parents": (1, None), "unknown": (1, None)}
    # C's second period started in independent living; counted once, the group is the first in sort order


def test_children_ceasing_care_by_reason_on_the_last_occasion(store):
    # C (E4A in June, then E17 on their 18th birthday: counted on the last), J (E4B), K (E12), L (E45) and
    # M (E13 on 1 April 2024, the year's first day). N left on 31 March 2024; HH was on short breaks.
    assert _value(store, "D3") == (5, POP, pytest.approx(5 * 10_000 / POP))
    assert _by(store, "D3", "reason_group") == {
        "aged 18 or over": (1, None), "returned home": (1, None), "adopted": (1, None),
        "special guardianship order": (1, None), "other": (1, None)}
    assert _by(store, "D3", "reason_ceased")["E17"] == (1, None)
    # D4: by age on the day they left; C was 18 that day, a group of its own (with no population)
    ages = evaluate_by(store, indicator("D3"), FY2025, "890", "age_band")
    got = {r["group"]: r["numerator"] for r in ages.iter_rows(named=True)}
    assert got == {"under 1": 0, "1-4": 1, "5-9": 1, "10-15": 1, "16-17": 1, "18 and over": 1}
    # a month: only C left in March 2025 (and counts once), annualised
    march = _value(store, "D3", Period.month(2025, 3))
    assert march[0] == 1 and march[2] == pytest.approx(10_000 / POP * 365 / 31)


# ------------------------------------------------------------------------------- D5, D6 legal, placement
def test_section_20_share_and_age(store):
    assert _value(store, "D5") == (1, 8, 12.5)  # E only
    # by age on 31 March 2025: 1-4 D; 5-9 A, G; 10-15 B, E, P; 16-17 F, Q. E is 14: one of the three aged
    # 10-15 is accommodated under section 20, and that band holds all (100%) of those who are.
    by_age = evaluate_by(store, indicator("D5"), FY2025, "890", "age_band")
    got = {r["group"]: (r["numerator"], r["denominator"], r["share"]) for r in by_age.iter_rows(named=True)}
    assert got["10-15"] == (1, 3, 100.0)
    assert got["16-17"] == (0, 2, 0.0) and got["5-9"] == (0, 2, 0.0)


def test_placement_mix_follows_dfe_groups(store):
    assert _value(store, "D6") == (5, 8, 62.5)  # A, B, D, E, Q in foster care
    provision = evaluate_by(store, indicator("D6"), FY2025, "890", "provision")
    shares = {r["group"]: r["share"] for r in provision.iter_rows(named=True)}
    # B, D, Q with in-house foster carers, A and E private; P (no episodes) is not known
    assert shares == {"in-house": 60.0, "other": 40.0, "unknown": 0.0}
    assert _value(store, "D6a") == (1, 8, 12.5)  # G placed for adoption
    assert _value(store, "D6b")[0] == 0
    assert _value(store, "D6c") == (1, 8, 12.5)  # F in a children's home
    assert _value(store, "D6d")[0] == _value(store, "D6e")[0] == _value(store, "D6f")[0] == 0


# ---------------------------------------------------------------------------------------- D7, D8
def test_three_or_more_placements_in_the_year(store):
    # A 1; B 3 (the children's home it left on 1 April, the foster carer - one placement despite the change
    # of type - and the placement of 10 January; the one that lasted no time is not counted); D 1; E 2 (the
    # hospital stay is temporary); F 2 (same-day placement not counted); G 2; P 1; Q 1
    assert _value(store, "D7") == (1, 8, 12.5)
    assert _children(store, "D7") == ["B"]
    assert _by(store, "D7", "number_of_placements") == {"1": (0, 4), "2": (0, 3), "3 or more": (1, 1)}


def test_long_term_stability(store):
    # under 16 and looked after since 30 September 2022 or before: A (since 2021), B (since 15 September
    # 2022), G (since 2020). A: same placement since 1 October 2022 (on or before 31 March 2023). B: moved in
    # January. G: placed for adoption on 1 June 2024, after a placement that began on 1 June 2022: together
    # more than two years. Q (17) is too old; D, E, F, P have not been in care long enough.
    assert _value(store, "D8")[:2] == (2, 3)
    assert _children(store, "D8") == ["A", "G"]
    assert _children(store, "D8", numerator_only=False) == ["A", "B", "G"]


# ---------------------------------------------------------------------------------------- D9 missing
def test_missing_children_looked_after_during_the_year(store):
    # looked after at some time in the year (short breaks aside): A B C D E F G P Q J K L M (M left on
    # 1 April 2024, the year's first day) = 13. Missing: B (open since March 2024), C, E (three times).
    assert _value(store, "D9")[:2] == (3, 13)
    assert _by(store, "D9", "missing_episodes") == {"none": (0, 10), "1": (2, 2), "3 or more": (1, 1)}
    # "away without authorisation" as well: E's away episode adds nothing new (E was missing anyway)
    assert _value(store, "D9", missing_types="A")[:2] == (1, 13)


def test_return_home_interviews(store):
    # missing episodes that ended in the year: C's, E's three; offered after C's, E1, E2
    assert _value(store, "D9a")[:2] == (3, 4)
    assert _by(store, "D9a", "missing_frequency") == {"1-2": (3, 3), "3 or more": (0, 1)}
    assert _by(store, "D9a", "placement_group") == {"independent and supported accommodation": (1, 1),
                                                      "foster care": (2, 3)}
    assert _value(store, "D9b")[:2] == (1, 3)  # accepted after E1 only
    # counting "away" episodes too adds E's (offered, accepted); H's is left out: H was on short breaks
    assert _value(store, "D9a", missing_types="M,A")[:2] == (4, 5)
    assert _value(store, "D9b", missing_types="M,A")[:2] == (2, 4)


# ---------------------------------------------------------------------------------------- D10 health
def test_health_assessments_and_dental_checks_up_to_date(store):
    # looked after for 12 months on 31 March 2025 (since 31 March 2024 or before): A, B, D, G, Q.
    # Health assessment after 31 March 2024: A (1 April 2024), G; B's was on 31 March 2024; D is under 5
    # and had none since 30 September 2024; Q none.
    assert _value(store, "D10")[:2] == (2, 5)
    assert _children(store, "D10") == ["A", "G"]
    # dental: A, B (on the day); D's was 12 months ago; G's is after the day; Q none
    assert _value(store, "D10a")[:2] == (2, 5)
    assert _children(store, "D10a") == ["A", "B"]
    # the year-end return (OC2) for 31 March 2025: A, D up to date of A, B, D; teeth: A of three
    assert _value(store, "D10b")[:2] == (2, 3)
    assert _value(store, "D10c")[:2] == (1, 3)


# ------------------------------------------------------------------------------ D11 visits, reviews
def test_statutory_visits_up_to_date(store):
    # A: last visit 17 February, next due 31 March (42 days): in time. B: due 24 March: late. D: long-term
    # fostering for over a year, next due 15 April: in time. E: the March visit did not see the child, due
    # 12 January: late. F: seen 20 March (not recorded whether seen). G: no visit since the adoptive
    # placement began (the one on 30 May was before it). P: placed 27 March, first visit due 3 April.
    # Q: no visits.
    assert _value(store, "D11")[:2] == (4, 8)
    assert _children(store, "D11") == ["A", "D", "F", "P"]
    # with visits every 6 weeks whatever the placement, D is late too
    assert _value(store, "D11", long_term_interval_months=1)[:2] == (3, 8)


def test_looked_after_reviews_in_timescale(store):
    # reviews due in the year:
    #   B: 1 July 2024 (6 months after 1 January; held 2 July: late), 2 January 2025 (held that day)
    #   C, first period: 9 May 2024 (20 working days after 10 April, with the May bank holiday; held that
    #      day); the next, due 9 August, not needed: C left care on 30 June
    #   C, second period: 27 September 2024, never held: late
    #   D: 20 April 2024 (held 19 April), 19 October 2024 (held 18 October)
    #   E: 28 June 2024 (held 20 June), 20 September (held 21st: late), 21 March 2025 (not held: late)
    #   F: 31 May 2024 (20 working days after 1 May, two bank holidays; not held: late)
    #   J: 12 July 2024 (not held, J left in December: late)
    # HH's (short breaks) and Z's (another authority) are not counted.
    assert _value(store, "D11a")[:2] == (5, 11)
    assert _by(store, "D11a", "review") == {"first": (2, 5), "second": (0, 1), "later": (3, 5)}
    # a month with one review due (D's, 19 October) held in time
    assert _value(store, "D11a", Period.month(2024, 10))[:2] == (1, 1)


# ---------------------------------------------------------------------------------------- D12 distance
def test_placed_far_from_home(store):
    # A: 25 miles, outside. B: 30 miles inside. D: 3 miles. E: 21 miles, location not recorded.
    # F: 10 miles outside. G: 20 miles outside (not more than 20). P, Q: not recorded.
    assert _value(store, "D12")[:2] == (1, 8)  # A
    assert _value(store, "D12a")[:2] == (3, 8)  # A, F, G
    assert _value(store, "D12b")[:2] == (3, 8)  # A, B, E
    assert _by(store, "D12", "placement_location") == {
        "outside the authority": (1, 3), "inside the authority": (0, 2), "unknown": (0, 3)}


# ------------------------------------------------------------------------------- D13 social workers
def test_three_or_more_social_workers(store):
    # B: W3 (allocation ended on 1 April 2024), W4, W5; the personal adviser W7 is not a social worker.
    # F: W2 and W1 (twice); W1's first allocation ended on 31 March 2024, before the year.
    assert _value(store, "D13")[:2] == (1, 8)
    assert _by(store, "D13", "number_of_social_workers") == {"none": (0, 6), "2": (0, 1), "3 or more": (1, 1)}


def _months_back(day: dt.date, months: int) -> dt.date:
    """``add_months`` by hand: the same day ``months`` earlier, capped at the month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def test_the_reach_of_a_year_is_the_first_day_whose_12_months_miss_the_end():
    import ibis

    from carelens.indicators.catalogue.counts_in_a_year import reach_of_a_year

    ends = [dt.date(2019, 1, 1) + dt.timedelta(days=n) for n in range(11 * 366)]  # 2019-2030: three leap Februaries
    got = ibis.memtable({"end": ends}).select(r=reach_of_a_year(ibis._.end)).to_pyarrow()["r"].to_pylist()

    def year_from(day: dt.date) -> dt.date:  # the first day of the 12 months ending on day
        return _months_back(day, 12) + dt.timedelta(days=1)

    for end, reach in zip(ends, got):
        # every day from end up to the day before reach has 12 months reaching back to end; reach does not
        assert year_from(reach - dt.timedelta(days=1)) <= end < year_from(reach), (end, reach)
    assert got[ends.index(dt.date(2023, 3, 1))] == dt.date(2024, 3, 1)  # the year to 29 Feb 2024 starts 1 Mar 2023
    assert got[ends.index(dt.date(2024, 3, 1))] == dt.date(2025, 3, 1)  # the year to 28 Feb 2025 starts 29 Feb 2024



@pytest.mark.parametrize("months", [1, 6, 12, 24, 30])
def test_months_on_is_the_first_day_that_many_months_after(months):
    """A condition "at least ``months`` months since x" (x <= add_months(day, -months)) holds exactly from
    months_on(x, months): the sweeps of D8, D10 and D10a count from that day."""
    import ibis

    from carelens.indicators.dates import months_on

    days = [dt.date(2019, 1, 1) + dt.timedelta(days=n) for n in range(11 * 366)]  # 2019-2030: three leap Februaries
    got = ibis.memtable({"x": days}).select(m=months_on(ibis._.x, months)).to_pyarrow()["m"].to_pylist()
    for x, first in zip(days, got):
        assert _months_back(first, months) >= x > _months_back(first - dt.timedelta(days=1), months), (x, first)
    if months == 12:
        assert got[days.index(dt.date(2024, 2, 29))] == dt.date(2025, 3, 1)
        assert got[days.index(dt.date(2023, 3, 1))] == dt.date(2024, 3, 1)


def test_months_on_a_birthday_is_the_day_the_child_turns_that_age():
    """D8 counts children until they turn 16 and D10 holds the under-5s to 6 months: both sweep from
    months_on(date of birth, 12 × age), which must be the first day age_on gives that age."""
    import ibis

    from carelens.indicators.breakdowns import age_on
    from carelens.indicators.dates import months_on

    born = [dt.date(2008, 1, 1) + dt.timedelta(days=n) for n in range(5 * 366)]  # 2008-2012: two leap Februaries
    for age in (5, 16):
        t = ibis.memtable({"born": born}).mutate(first=months_on(ibis._.born, 12 * age))
        t = t.mutate(on=age_on(t.first, t.born), before=age_on((t.first - ibis.interval(days=1)).cast("date"), t.born))
        got = t.to_pyarrow()
        assert set(got["on"].to_pylist()) == {age} and set(got["before"].to_pylist()) == {age - 1}
    t = ibis.memtable({"born": [dt.date(2008, 2, 29)]}).select(f=months_on(ibis._.born, 60)).to_pyarrow()
    assert t["f"].to_pylist() == [dt.date(2013, 3, 1)]  # born 29 February: five on 1 March 2013

# ------------------------------------------------------------------------------------------- smoke
# the fast lane checks one indicator of each shape (a stock, a flow, a custom measure, a caseload amount);
# the full run checks every one
FAST_LANE = {"D1", "D2", "D10", "D13"}


@pytest.mark.parametrize("ind", [ind if ind.id in FAST_LANE else pytest.param(ind, marks=pytest.mark.slow)
                                 for ind in INDICATORS], ids=lambda ind: ind.id)
def test_every_indicator_and_breakdown_on_the_synthetic_authority(small_store, ind):
    periods = standard_periods(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    out = evaluate_series(small_store, [ind], periods, "890", ind.all_breakdowns)
    assert_figures_follow_from_counts(out, ind)
    assert set(out["breakdown"]) == set(ind.all_breakdowns)
    assert set(out["period_kind"]) == set(ind.series)
    assert (out["numerator"] >= 0).all() and (out["denominator"].fill_null(0) >= 0).all()
    values = out["value"].drop_nulls()
    assert (values >= 0).all()
    if ind.unit == "percent":
        assert (values <= 100).all()
    year = out.filter(pl.col("breakdown") == "all", pl.col("period_kind") == "financial_year")
    assert year.height == 1
    if ind.unit == "percent":  # children (or episodes, reviews) to count in the year
        assert year["denominator"][0] > 0
    else:  # children in care, starting and leaving
        assert year["numerator"][0] > 0
