"""Invariants every generated store must hold: the things a case system must never contain."""

from __future__ import annotations

import pytest

from carelens.model import code_lists
from carelens.model.tables import TABLES, table

OVERLAP_TABLES = [t for t in TABLES if t.no_overlap]

# the date that decides which collection year's code list a row's codes must come from
EVENT_DATE = {
    "person": None, "disabilities": None, "contacts": "contact_date", "early_help_episodes": "start_date",
    "referrals": "referral_date", "assessments": "start_date", "assessment_factors": None,
    "s47_enquiries": "start_date", "cp_plans": "start_date", "looked_after_episodes": "start_date",
    "periods_of_care": "end_date", "legal_statuses": "start_date", "placements": "start_date",
    "looked_after_reviews": "review_date", "health_checks": "check_date", "annual_outcomes": "year_ending",
    "missing_episodes": "start_date", "permanence": "order_date", "previous_permanence": None,
    "care_leaver_contacts": "contact_date", "teams": None, "workers": "start_date", "allocations": "end_date",
    "population": None,
}


@pytest.mark.parametrize("t", OVERLAP_TABLES, ids=lambda t: t.name)
def test_no_overlapping_intervals_for_a_child(small_store, t):
    start, end = t.no_overlap
    key = t.primary_key[0]
    rows = small_store.sql(f"""
        SELECT a.child_id, a.{key}, b.{key} FROM "{t.name}" a JOIN "{t.name}" b
          ON a.child_id = b.child_id AND a.{key} < b.{key}
         AND a.{start} < coalesce(b.{end}, DATE '9999-12-31')
         AND b.{start} < coalesce(a.{end}, DATE '9999-12-31')
        LIMIT 5""")
    assert rows == [], f"{t.name}: overlapping {rows}"
    assert small_store.count(t.name) > 0


@pytest.mark.parametrize("t", [t for t in TABLES if any(c.name == "end_date" for c in t.columns)
                               and any(c.name == "start_date" for c in t.columns)], ids=lambda t: t.name)
def test_nothing_ends_before_it_starts(small_store, t):
    bad = small_store.sql(f'SELECT count(*) FROM "{t.name}" WHERE end_date < start_date')[0][0]
    assert bad == 0


def test_journey_dates_are_in_order(small_store):
    checks = {
        "assessment starts on or after its referral": """
            SELECT count(*) FROM assessments a JOIN referrals r USING (referral_id)
            WHERE a.start_date < r.referral_date""",
        "assessment authorised on or after it starts": """
            SELECT count(*) FROM assessments WHERE authorised_date < start_date""",
        "referral closes on or after it is received": """
            SELECT count(*) FROM referrals WHERE closure_date < referral_date""",
        "ICPC on or after its s47 started": """
            SELECT count(*) FROM initial_cp_conferences i JOIN s47_enquiries s USING (s47_id)
            WHERE i.conference_date < s.start_date""",
        "CP plan starts on the day of its ICPC": """
            SELECT count(*) FROM cp_plans p JOIN initial_cp_conferences i USING (icpc_id)
            WHERE p.start_date <> i.conference_date""",
        "no contact before a child is born, except pre-birth referrals": """
            SELECT count(*) FROM contacts c JOIN person p USING (child_id)
            WHERE c.contact_date < p.date_of_birth - INTERVAL 280 DAY""",
        "no referral after the 18th birthday": """
            SELECT count(*) FROM referrals r JOIN person p USING (child_id)
            WHERE r.referral_date >= p.date_of_birth + INTERVAL 18 YEAR""",
        "care ends by the 18th birthday": """
            SELECT count(*) FROM periods_of_care c JOIN person p USING (child_id)
            WHERE coalesce(c.end_date, DATE '2026-03-31') > p.date_of_birth + INTERVAL 18 YEAR""",
        "nobody is looked after before birth": """
            SELECT count(*) FROM periods_of_care c JOIN person p USING (child_id)
            WHERE c.start_date < p.date_of_birth""",
        "period of care opens inside its referral": """
            SELECT count(*) FROM periods_of_care c JOIN referrals r USING (referral_id)
            WHERE c.start_date < r.referral_date OR c.start_date > coalesce(r.closure_date, DATE '9999-12-31')""",
        "a review is held after the period of care starts": """
            SELECT count(*) FROM looked_after_reviews v JOIN periods_of_care c USING (period_id)
            WHERE v.review_date <= c.start_date""",
        "nothing happens after the end of the history": """
            SELECT (SELECT count(*) FROM contacts WHERE contact_date > DATE '2026-03-31')
                 + (SELECT count(*) FROM looked_after_episodes WHERE end_date > DATE '2026-03-31')
                 + (SELECT count(*) FROM cp_visits WHERE visit_date > DATE '2026-03-31')
                 + (SELECT count(*) FROM allocations WHERE start_date > DATE '2026-03-31'
                                                        OR end_date > DATE '2026-03-31')""",
    }
    failures = {name: small_store.sql(q)[0][0] for name, q in checks.items()}
    assert {k: v for k, v in failures.items() if v} == {}


def test_a_synthetic_store_holds_nobody_back(small_store):
    """The load record is there, and empty: only a load with --hold-back names children (decision 010)."""
    assert small_store.count("held_back_children") == 0


def test_903_episodes_tile_each_period_of_care(small_store):
    """Episodes of a period follow each other without gaps; the first starts the period; only the first is S."""
    gaps = small_store.sql("""
        WITH e AS (SELECT period_id, start_date, end_date, reason_new_episode,
                          lead(start_date) OVER (PARTITION BY period_id ORDER BY start_date) AS next_start,
                          row_number() OVER (PARTITION BY period_id ORDER BY start_date) AS n
                   FROM looked_after_episodes)
        SELECT count(*) FILTER (WHERE next_start IS NOT NULL AND next_start <> end_date),
               count(*) FILTER (WHERE (n = 1) <> (reason_new_episode = 'S')),
               count(*) FILTER (WHERE next_start IS NOT NULL AND end_date IS NULL)
        FROM e""")[0]
    assert gaps == (0, 0, 0)
    mismatched = small_store.sql("""
        SELECT count(*) FROM periods_of_care p JOIN (
            SELECT period_id, min(start_date) AS first_start, max(coalesce(end_date, DATE '9999-12-31')) AS last_end
            FROM looked_after_episodes GROUP BY period_id) e USING (period_id)
        WHERE e.first_start <> p.start_date OR e.last_end <> coalesce(p.end_date, DATE '9999-12-31')""")[0][0]
    assert mismatched == 0


def test_references_point_at_existing_rows(small_store):
    links = [("assessments", "referral_id", "referrals"), ("s47_enquiries", "referral_id", "referrals"),
             ("cp_plans", "icpc_id", "initial_cp_conferences"), ("cp_visits", "cp_plan_id", "cp_plans"),
             ("cp_reviews", "cp_plan_id", "cp_plans"), ("cin_visits", "cin_plan_id", "cin_plans"),
             ("looked_after_episodes", "period_id", "periods_of_care"),
             ("looked_after_episodes", "placement_id", "placements"), ("allocations", "worker_id", "workers"),
             ("workers", "team_id", "teams"), ("referrals", "child_id", "person"),
             ("periods_of_care", "child_id", "person")]
    for child, column, parent in links:
        key = table(parent).primary_key[0] if column != "child_id" else "child_id"
        orphans = small_store.sql(f"""SELECT count(*) FROM "{child}" c WHERE c.{column} IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p.{key} = c.{column})""")[0][0]
        assert orphans == 0, f"{child}.{column} -> {parent}"


# codes recorded when something ends are checked against the year it ended
END_CODES = {("referrals", "closure_reason"): "closure_date", ("looked_after_episodes", "reason_ceased"): "end_date",
             ("placements", "change_reason"): "end_date", ("cp_plans", "end_reason"): "end_date",
             ("early_help_episodes", "end_reason"): "end_date"}


@pytest.mark.parametrize("t", [t for t in TABLES if any(c.code_list for c in t.columns)], ids=lambda t: t.name)
def test_codes_are_valid_for_their_collection_year(small_store, t):
    for c in t.columns:
        if not c.code_list:
            continue
        date_col = END_CODES.get((t.name, c.name), EVENT_DATE.get(t.name))
        year_sql = (f"CASE WHEN month({date_col}) >= 4 THEN year({date_col}) + 1 ELSE year({date_col}) END"
                    if date_col else "2026")
        rows = small_store.sql(f"""SELECT DISTINCT {c.name}, {year_sql} AS y FROM "{t.name}"
                                   WHERE {c.name} IS NOT NULL""")
        # a code list applies from the first return that had it (e.g. social worker reasons from 2023/24)
        entries = code_lists.code_list(c.code_list).entries
        first = max(2017, min(e.valid_from or 2017 for e in entries))
        bad = sorted({(code, y) for code, y in rows
                      if not code_lists.is_valid(c.code_list, code, min(max(y or 2026, first), 2026))})
        assert bad == [], f"{t.name}.{c.name}: codes not valid in their year: {bad[:10]}"


def test_no_worker_holds_a_case_for_a_day_or_two_before_handing_it_on(small_store):
    """903 rule SW09 (2025/26) rejects a social worker episode under 3 days: a case passed on within
    three days of its allocation is recorded with the next worker from the start."""
    rows = small_store.sql("""
        SELECT a.child_id, a.start_date, a.end_date FROM allocations a JOIN allocations b
          ON a.child_id = b.child_id AND b.start_date = a.end_date AND a.allocation_id <> b.allocation_id
         WHERE a.end_date - a.start_date < 3
        LIMIT 5""")
    assert rows == []


def test_only_regional_adoption_agency_and_foster_placements_use_the_placeholder_urn(small_store):
    """XXXXXXX is for adoption (A3-A6) and foster (U1-U6) placements only (903 rule 242); supported
    accommodation is Ofsted-registered from 28 October 2023, including independent living it replaced
    (230)."""
    rows = small_store.sql("""
        SELECT DISTINCT placement_type FROM looked_after_episodes
         WHERE urn = 'XXXXXXX'
           AND placement_type NOT IN ('A3', 'A4', 'A5', 'A6', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6')
           AND placement_type NOT IN ('P1', 'P2', 'P3', 'R1', 'R2', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z1',
                                      'Z11', 'Z12', 'Z13', 'Z14')""")
    assert rows == []  # (the return leaves the URN blank for the types with none)
