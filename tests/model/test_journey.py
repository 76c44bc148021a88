"""A child's journey, summary, open scope and key dates, on a hand-made store whose every row is known."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.model.journey import (
    EVENTS,
    JOURNEY_SCHEMA,
    OpenScope,
    child_journey,
    child_summary,
    key_dates,
    open_scope,
    open_teams,
)
from carelens.model.store import Store
from carelens.model.tables import TABLES
from store_rows import frame

D = dt.date
LA = "890"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Child C1: a contact and referral in 2024, a CP plan (team SAF1) from 1 March 2024 to 10 June 2024, then
    looked after from 10 June 2024 (children in care team CIC1) until an SGO on 20 January 2025. Child C2: one
    contact, and as a care leaver a contact at 17. The same id C1 in authority 999 has a contact of its own, never C1's of 890."""
    path = tmp_path_factory.mktemp("journey") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "teams": frame([{"team_id": "SAF1", "name": "Safeguarding 1", "service": "SAFEGUARDING"},
                            {"team_id": "CIC1", "name": "Children in Care 1", "service": "CHILDREN_IN_CARE"},
                            {"team_id": "FD1", "name": "Front Door", "service": "FRONT_DOOR"}], la_code=LA),
            "person": frame([{"child_id": "C1", "sex": "F", "date_of_birth": D(2015, 5, 20), "ethnicity": "WBRI",
                              "uasc": False, "source_file": "cin_2024.xml", "source_year": 2024, "source_row": 12},
                             {"child_id": "C2", "sex": "M", "date_of_birth": D(2010, 1, 1), "ethnicity": "APKN",
                              "uasc": False}], la_code=LA),
            "disabilities": frame([{"child_id": "C1", "disability": "HAND"}], la_code=LA),
            "contacts": frame([
                {"contact_id": "K1", "child_id": "C1", "contact_date": D(2024, 2, 1), "source": "6",
                 "outcome": "REFERRAL", "referral_id": "R1", "source_file": "annex_a.xlsx", "source_year": 2024,
                 "source_row": 7},
                {"contact_id": "K2", "child_id": "C2", "contact_date": D(2024, 3, 1), "source": "2A",
                 "outcome": "NFA"}], la_code=LA),
            "referrals": frame([{"referral_id": "R1", "child_id": "C1", "referral_date": D(2024, 2, 1),
                                 "source": "6", "primary_need": "N1", "referral_nfa": False,
                                 "closure_date": D(2025, 1, 20), "closure_reason": "RC4", "team_id": "FD1"}],
                               la_code=LA),
            "strategy_discussions": frame([{"strategy_discussion_id": "S1", "child_id": "C1", "referral_id": "R1",
                                            "discussion_date": D(2024, 2, 5), "outcome_s47": True,
                                            "team_id": "SAF1"}], la_code=LA),
            "s47_enquiries": frame([{"s47_id": "E1", "child_id": "C1", "referral_id": "R1",
                                     "start_date": D(2024, 2, 5), "end_date": D(2024, 2, 20), "outcome": "ICPC",
                                     "team_id": "SAF1"}], la_code=LA),
            "initial_cp_conferences": frame([{"icpc_id": "I1", "child_id": "C1", "referral_id": "R1", "s47_id": "E1",
                                              "conference_date": D(2024, 3, 1), "transfer_in": False,
                                              "outcome_cp_plan": True, "team_id": "SAF1"}], la_code=LA),
            "cp_plans": frame([{"cp_plan_id": "P1", "child_id": "C1", "referral_id": "R1", "icpc_id": "I1",
                                "start_date": D(2024, 3, 1), "end_date": D(2024, 6, 10), "initial_category": "NEG",
                                "latest_category": "NEG", "end_reason": "LOOKED_AFTER", "team_id": "SAF1"}],
                              la_code=LA),
            "periods_of_care": frame([{"period_id": "L1", "child_id": "C1", "start_date": D(2024, 6, 10),
                                       "end_date": D(2025, 1, 20), "reason_ceased": "E43"}], la_code=LA),
            "allocations": frame([{"allocation_id": "A1", "child_id": "C1", "worker_id": "W9", "team_id": "CIC1",
                                   "start_date": D(2024, 6, 10), "end_date": D(2025, 1, 20)}], la_code=LA),
            "care_leaver_contacts": frame([{"child_id": "C2", "birthday_age": 17, "contact_date": D(2027, 1, 5),
                                            "in_touch": "YES"}], la_code=LA),
            "permanence": frame([{"permanence_id": "M1", "child_id": "C1", "period_id": "L1", "order_type": "SGO",
                                  "order_date": D(2025, 1, 20)}], la_code=LA),
        })
        s.append({"person": frame([{"child_id": "C1", "sex": "M", "date_of_birth": D(2012, 1, 1),
                                    "ethnicity": "WBRI", "uasc": False}], la_code="999"),
                  "contacts": frame([{"contact_id": "K9", "child_id": "C1", "contact_date": D(2023, 1, 1),
                                      "source": "6", "outcome": "NFA"}], la_code="999")})
    with Store(path, read_only=True) as s:
        yield s


def test_every_event_of_the_child_in_date_order_with_its_source(store):
    got = child_journey(store, LA, "C1")
    assert got.schema == pl.Schema(JOURNEY_SCHEMA)
    assert [(r["date"], r["event"]) for r in got.iter_rows(named=True)] == [
        (D(2015, 5, 20), "Born"),
        (D(2024, 2, 1), "Contact"),  # the contact before the referral it became, the same day
        (D(2024, 2, 1), "Referral"),
        (D(2024, 2, 5), "Strategy discussion"),
        (D(2024, 2, 5), "Section 47 enquiry started"),
        (D(2024, 2, 20), "Section 47 enquiry concluded"),
        (D(2024, 3, 1), "Initial child protection conference"),
        (D(2024, 3, 1), "Child protection plan started"),
        (D(2024, 6, 10), "Worker allocated"),
        (D(2024, 6, 10), "Started to be looked after"),
        (D(2024, 6, 10), "Child protection plan ended"),
        (D(2025, 1, 20), "Permanence order made"),
        (D(2025, 1, 20), "Ceased to be looked after"),
        (D(2025, 1, 20), "Allocation ended"),
        (D(2025, 1, 20), "Child in need episode closed"),
    ]
    contact = got.row(1, named=True)
    assert contact == {"date": D(2024, 2, 1), "event": "Contact", "table": "contacts",
                       "detail": "Source: POLICE (6); Outcome: Became a referral to children's social care",
                       "source_file": "annex_a.xlsx", "source_year": 2024, "source_row": 7}
    by_event = {r["event"]: r["detail"] for r in got.iter_rows(named=True)}
    assert by_event["Referral"] == "Source: POLICE (6); Primary need: Abuse or neglect (N1); Referral nfa: no; " \
                                   "Team: Front Door"
    assert by_event["Child protection plan started"] == "Initial category: Neglect (NEG); Team: Safeguarding 1"
    assert by_event["Permanence order made"] == "Order type: Special guardianship order"
    assert by_event["Strategy discussion"] == "Outcome s47: yes; Team: Safeguarding 1"
    assert got.row(0, named=True)["source_row"] == 12


def test_another_authority_s_child_of_the_same_id_and_an_unknown_child(store):
    other = child_journey(store, "999", "C1")
    assert other.get_column("event").to_list() == ["Born", "Contact"]
    assert other.get_column("date").to_list() == [D(2012, 1, 1), D(2023, 1, 1)]
    nobody = child_journey(store, LA, "NOBODY")
    assert nobody.is_empty() and nobody.schema == pl.Schema(JOURNEY_SCHEMA)


def test_summary_on_a_day(store):
    on_plan = child_summary(store, LA, "C1", D(2024, 4, 1))
    assert (on_plan.sex, on_plan.age, on_plan.age_band, on_plan.ethnicity) == ("Female (F)", 8, "5-9",
                                                                               "White British (WBRI)")
    assert on_plan.status == ("Child protection plan", "Open child in need episode")
    assert on_plan.disabilities == ("Hand function (HAND)",)
    # the plan's last day is the first day in care: both hold on it
    assert child_summary(store, LA, "C1", D(2024, 6, 10)).status == (
        "Looked after", "Child protection plan", "Open child in need episode")
    after = child_summary(store, LA, "C1", D(2025, 3, 1))
    assert after.status == () and after.status_text.startswith("Not open")
    assert child_summary(store, LA, "C2").day == D(2024, 3, 1)  # default: the latest day the data records
    assert child_summary(store, LA, "NOBODY") is None
    # a care leaver the authority is in touch with, until 25
    assert child_summary(store, LA, "C2", D(2027, 1, 4)).status == ()
    assert child_summary(store, LA, "C2", D(2027, 1, 5)).status == ("Care leaver",)
    assert child_summary(store, LA, "C2", D(2036, 1, 1)).status == ()  # 26


def test_teams_and_service_areas_the_child_is_open_to_on_a_day(store):
    assert open_scope(store, LA, "C1", D(2024, 1, 31)) == OpenScope(frozenset(), frozenset())
    assert open_scope(store, LA, "C1", D(2024, 2, 1)) == OpenScope(frozenset({"FD1"}), frozenset({"FRONT_DOOR"}))
    # the strategy discussion's one day, and the s47 enquiry from then
    assert open_scope(store, LA, "C1", D(2024, 2, 5)).teams == {"FD1", "SAF1"}
    assert open_scope(store, LA, "C1", D(2024, 6, 10)) == OpenScope(
        frozenset({"FD1", "SAF1", "CIC1"}), frozenset({"FRONT_DOOR", "SAFEGUARDING", "CHILDREN_IN_CARE"}))
    assert open_scope(store, LA, "C1", D(2024, 6, 11)).services == {"FRONT_DOOR", "CHILDREN_IN_CARE"}
    assert open_scope(store, LA, "C1", D(2025, 1, 21)).teams == frozenset()
    every = open_teams(store, LA, None, D(2024, 3, 1))
    assert every.rows() == [("C1", "FD1", "FRONT_DOOR"), ("C1", "SAF1", "SAFEGUARDING")]
    assert open_teams(store, LA, [], D(2024, 3, 1)).is_empty()


def test_key_dates_of_a_list(store):
    got = key_dates(store, LA, ["C2", "C1", "NOBODY", None], D(2024, 6, 10))
    assert got.rows(named=True) == [
        {"child_id": "C1", "date_of_birth": D(2015, 5, 20), "age": 9, "latest_referral": D(2024, 2, 1),
         "cp_plan_start": D(2024, 3, 1), "care_start": D(2024, 6, 10)},
        {"child_id": "C2", "date_of_birth": D(2010, 1, 1), "age": 14, "latest_referral": None,
         "cp_plan_start": None, "care_start": None},
    ]
    assert key_dates(store, LA, ["C1"], D(2024, 1, 1)).row(0, named=True)["latest_referral"] is None


# tables of a child with dates that are not events on the timeline, and why
NOT_ON_THE_TIMELINE = {
    "held_back_children",  # a record of a load, not of the child's care
    "workers", "teams", "population",  # no child
}


def test_every_dated_table_of_a_child_is_on_the_timeline():
    """A new table with a child and a date must be declared in EVENTS (or said here why not)."""
    declared = {t.name: t for t in TABLES}
    for on in EVENTS:
        t = declared[on.table]
        assert t.column(on.date).dtype == "date", on
        for column in on.details:
            t.column(column)  # KeyError for a column the table does not have
    covered = {on.table for on in EVENTS}
    for t in TABLES:
        dated = any(c.dtype == "date" for c in t.columns)
        if "child_id" in t.column_names and dated and t.name not in NOT_ON_THE_TIMELINE:
            assert t.name in covered, f"{t.name}: a child's dated rows that no EVENTS line puts on the timeline"
