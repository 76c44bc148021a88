"""The SSD reader: a hand-made SSD extract as CSV files, Parquet files and a DuckDB database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ibis
import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carelens.ingest import ssd
from carelens.ingest.ssd import read_ssd_database, read_ssd_folder
from carelens.model.store import conform
from carelens.model.tables import TABLES, table
from carelens.problems import IngestError, Problem
from shared_material import SPECS

D = dt.date


def _fields(name: str) -> list[str]:
    return [f for f, *_ in ssd.SSD_FIELDS[name]]


def tables() -> dict[str, list[dict]]:
    """A small SSD extract: three children, a referral to CP plan, a child in care who leaves care."""
    return {
        "ssd_person": [
            {"pers_person_id": "P1", "pers_sex": "M", "pers_ethnicity": "WBRI", "pers_dob": "2015-05-01",
             "pers_is_mother": "N"},
            {"pers_person_id": "P2", "pers_sex": "F", "pers_ethnicity": "CNHE", "pers_dob": "2007-02-03 00:00:00",
             "pers_upn_unknown": "UN2", "pers_is_mother": "Y"},
            {"pers_person_id": "P3", "pers_sex": "Unknown", "pers_ethnicity": "NOBT",
             "pers_expected_dob": "2025-06-01"},
        ],
        "ssd_disability": [{"disa_table_id": "D1", "disa_person_id": "P1", "disa_disability_code": "NONE"}],
        "ssd_immigration_status": [
            {"immi_person_id": "P2", "immi_immigration_status_id": "I1",
             "immi_immigration_status": "Unaccompanied Asylum Seeking Child",
             "immi_immigration_status_start_date": "2023-01-01"}],
        "ssd_contacts": [
            {"cont_contact_id": "K1", "cont_person_id": "P1", "cont_contact_date": "2024-09-02",
             "cont_contact_source_code": "6", "cont_contact_outcome_json": json.dumps(
                 {"NEW_REFERRAL_FLAG": "Y", "NFA_FLAG": "N"})},
            {"cont_contact_id": "K2", "cont_person_id": "P3", "cont_contact_date": "01/10/2024",
             "cont_contact_source_code": "1A", "cont_contact_outcome_json": json.dumps({"ADVICE_FLAG": "Y"})},
        ],
        "ssd_early_help_episodes": [
            {"earl_episode_id": "EH1", "earl_person_id": "P1", "earl_episode_start_date": "2024-06-01",
             "earl_episode_end_date": "2024-09-02", "earl_episode_reason": "Parenting support",
             "earl_episode_end_reason": "Step-up", "earl_episode_organisation": "Family Hub",
             "earl_episode_worker_id": "W9"}],
        "ssd_cin_episodes": [
            {"cine_referral_id": "R1", "cine_person_id": "P1", "cine_referral_date": "2024-09-02",
             "cine_cin_primary_need_code": "N1", "cine_referral_source_code": "6", "cine_referral_nfa": "N",
             "cine_referral_team": "T1", "cine_referral_worker_id": "W1"},
            {"cine_referral_id": "R2", "cine_person_id": "P2", "cine_referral_date": "2022-12-01",
             "cine_cin_primary_need_code": "N1", "cine_referral_source_code": "3A", "cine_referral_nfa": "N",
             "cine_close_reason": "RC7", "cine_close_date": "2025-02-03"},
        ],
        "ssd_cin_assessments": [
            {"cina_assessment_id": "A1", "cina_person_id": "P1", "cina_referral_id": "R1",
             "cina_assessment_start_date": "2024-09-03", "cina_assessment_child_seen": "Y",
             "cina_assessment_auth_date": "2024-09-20", "cina_assessment_outcome_nfa": "N",
             "cina_assessment_team": "T2", "cina_assessment_worker_id": "W2"}],
        "ssd_assessment_factors": [
            {"cinf_table_id": "F1", "cinf_assessment_id": "A1", "cinf_assessment_factors_json": '["1A", "3B"]'}],
        "ssd_s47_enquiry": [
            {"s47e_s47_enquiry_id": "S1", "s47e_referral_id": "R1", "s47e_person_id": "P1",
             "s47e_s47_start_date": "2024-09-05", "s47e_s47_end_date": "2024-09-20",
             "s47e_s47_nfa": "N", "s47e_s47_outcome_json": json.dumps({"CP_CONFERENCE_FLAG": "Y"}),
             "s47e_s47_completed_by_team": "T2", "s47e_s47_completed_by_worker_id": "W2"}],
        "ssd_initial_cp_conference": [
            {"icpc_icpc_id": "I1", "icpc_s47_enquiry_id": "S1", "icpc_person_id": "P1", "icpc_cp_plan_id": "CP1",
             "icpc_referral_id": "R1", "icpc_icpc_transfer_in": "N", "icpc_icpc_target_date": "2024-09-26",
             "icpc_icpc_date": "2024-09-25", "icpc_icpc_outcome_cp_flag": "Y"}],
        "ssd_cp_plans": [
            {"cppl_cp_plan_id": "CP1", "cppl_referral_id": "R1", "cppl_icpc_id": "I1", "cppl_person_id": "P1",
             "cppl_cp_plan_start_date": "2024-09-25", "cppl_cp_plan_initial_category": "Neglect",
             "cppl_cp_plan_latest_category": "Multiple: Neglect, Emotional abuse"}],
        "ssd_cp_visits": [
            {"cppv_cp_visit_id": "V1", "cppv_person_id": "P1", "cppv_cp_plan_id": "CP1",
             "cppv_cp_visit_date": "2024-10-01", "cppv_cp_visit_seen": "Y", "cppv_cp_visit_seen_alone": "N"}],
        "ssd_cin_plans": [
            {"cinp_cin_plan_id": "CIN1", "cinp_referral_id": "R2", "cinp_person_id": "P2",
             "cinp_cin_plan_start_date": "2022-12-20", "cinp_cin_plan_end_date": "2023-01-01"}],
        "ssd_cin_visits": [
            {"cinv_cin_visit_id": "CV1", "cinv_person_id": "P2", "cinv_cin_visit_date": "2022-12-28",
             "cinv_cin_visit_seen": "Y", "cinv_cin_visit_seen_alone": "Y"}],
        "ssd_cla_episodes": [
            {"clae_cla_episode_id": "E1", "clae_person_id": "P2", "clae_cla_episode_start_date": "2023-01-01",
             "clae_cla_episode_start_reason": "S", "clae_cla_primary_need_code": "N1",
             "clae_cla_episode_ceased_date": "2024-03-10", "clae_cla_episode_ceased_reason": "X1",
             "clae_cla_id": "CLA1", "clae_referral_id": "R2", "clae_cla_placement_id": "PL1",
             "clae_entered_care_date": "2023-01-01"},
            {"clae_cla_episode_id": "E2", "clae_person_id": "P2", "clae_cla_episode_start_date": "2024-03-10",
             "clae_cla_episode_start_reason": "P", "clae_cla_primary_need_code": "N1",
             "clae_cla_episode_ceased_date": "2025-02-03", "clae_cla_episode_ceased_reason": "E17",
             "clae_cla_id": "CLA1", "clae_referral_id": "R2", "clae_cla_placement_id": "PL2",
             "clae_entered_care_date": "2023-01-01"},
        ],
        # P2's home: the postcode in force on each episode's start is its HOME_POST (ADDR006A)
        "ssd_address": [
            {"addr_table_id": "AD1", "addr_person_id": "P2", "addr_address_type": "HOME",
             "addr_address_start_date": "2020-01-01", "addr_address_end_date": "2023-06-30",
             "addr_address_postcode": "ab1  9zz"},
            {"addr_table_id": "AD2", "addr_person_id": "P2", "addr_address_start_date": "01/07/2023",
             "addr_address_postcode": "CD2 8YY"},
            {"addr_table_id": "AD3", "addr_person_id": "P1", "addr_address_start_date": "2015-05-01",
             "addr_address_postcode": "EF3 7XX"},
        ],
        "ssd_cla_placement": [
            {"clap_cla_placement_id": "PL1", "clap_cla_placement_start_date": "2023-01-01",
             "clap_cla_placement_type": "U3", "clap_cla_placement_urn": "SC1", "clap_cla_placement_distance": "2.5",
             "clap_cla_id": "CLA1", "clap_cla_placement_provider": "PR1", "clap_cla_placement_postcode": "AB1 2CD",
             "clap_cla_placement_end_date": "2024-03-10", "clap_cla_placement_change_reason": "CARPL",
             "clap_person_id": "P2"},
            {"clap_cla_placement_id": "PL2", "clap_cla_placement_start_date": "2024-03-10",
             "clap_cla_placement_type": "U6", "clap_cla_placement_urn": "SC2", "clap_cla_placement_distance": "12",
             "clap_cla_id": "CLA1", "clap_cla_placement_provider": "PR4", "clap_cla_placement_postcode": "EF3 4GH",
             "clap_cla_placement_end_date": "2025-02-03", "clap_person_id": "P2"},
        ],
        "ssd_legal_status": [
            {"lega_legal_status_id": "L1", "lega_person_id": "P2", "lega_legal_status": "C2",
             "lega_legal_status_start_date": "2023-01-01", "lega_legal_status_end_date": "2025-02-03"},
            {"lega_legal_status_id": "L0", "lega_person_id": "P2", "lega_legal_status": "Private fostering",
             "lega_legal_status_start_date": "2020-01-01", "lega_legal_status_end_date": "2021-01-01"},
        ],
        "ssd_cla_reviews": [
            {"clar_cla_review_id": "CR1", "clar_cla_id": "CLA1", "clar_cla_review_due_date": "2023-01-29",
             "clar_cla_review_date": "2023-01-28", "clar_cla_review_cancelled": "N",
             "clar_cla_review_participation": "PN1"},
            {"clar_cla_review_id": "CR2", "clar_cla_id": "CLA1", "clar_cla_review_due_date": "2023-07-28",
             "clar_cla_review_date": "2023-07-20", "clar_cla_review_cancelled": "Y",
             "clar_cla_review_participation": "PN1"},
        ],
        "ssd_cla_health": [
            {"clah_health_check_id": "H1", "clah_person_id": "P2", "clah_health_check_type": "Health Assessment",
             "clah_health_check_date": "2024-06-01", "clah_health_check_status": "Completed"},
            {"clah_health_check_id": "H2", "clah_person_id": "P2", "clah_health_check_type": "Dental Check",
             "clah_health_check_date": "2025-06-01", "clah_health_check_status": "Planned"},
        ],
        "ssd_missing": [
            {"miss_table_id": "M1", "miss_person_id": "P2", "miss_missing_episode_start_date": "2024-04-01",
             "miss_missing_episode_type": "Missing", "miss_missing_episode_end_date": "2024-04-02",
             "miss_missing_rhi_offered": "Y", "miss_missing_rhi_accepted": "NA"}],
        "ssd_care_leavers": [
            {"clea_table_id": "CL1", "clea_person_id": "P2", "clea_care_leaver_eligibility": "Former Relevant",
             "clea_care_leaver_in_touch": "YES", "clea_care_leaver_latest_contact": "2025-02-10",
             "clea_care_leaver_accommodation": "Z", "clea_care_leaver_accom_suitable": "1",
             "clea_care_leaver_activity": "F2"}],
        "ssd_involvements": [
            {"invo_involvements_id": "INV1", "invo_professional_id": "W1", "invo_professional_team": "T1",
             "invo_involvement_start_date": "2024-09-02", "invo_person_id": "P1", "invo_referral_id": "R1",
             "invo_worker_change_reason": "FCONTA"}],
        "ssd_department": [{"dept_team_id": "T1", "dept_team_name": "Front door"}],
    }


def _frame(name: str, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{f: r.get(f) for f in _fields(name)} for r in rows],
                        schema={f: pl.Utf8 for f in _fields(name)})


def write_folder(folder: Path, data: dict[str, list[dict]], fmt: str = "csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in data.items():
        frame = _frame(name, rows)
        if fmt == "csv":
            frame.write_csv(folder / f"{name}.csv")
        else:
            frame.write_parquet(folder / f"{name}.parquet")
    return folder


def write_duckdb(path: Path, data: dict[str, list[dict]], schema: str | None = None):
    con = ibis.duckdb.connect(str(path))
    if schema:
        con.raw_sql(f"CREATE SCHEMA {schema}")
    for name, rows in data.items():
        con.create_table(name, _frame(name, rows), database=schema)
    return con


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_folder(tmp_path_factory.mktemp("ssd") / "extract", tables())


@pytest.fixture(scope="module")
def extract(folder):
    return read_ssd_folder(folder, "890")


def rows(frame: pl.DataFrame, *columns: str) -> list[dict]:
    return frame.select(columns).to_dicts()


# ----------------------------------------------------------------------------- the field map


def test_field_map_is_derived_from_item_references():
    assert ssd.field_map("cp_plans") == {
        "cp_plan_id": "cppl_cp_plan_id", "child_id": "cppl_person_id", "referral_id": "cppl_referral_id",
        "icpc_id": "cppl_icpc_id", "start_date": "cppl_cp_plan_start_date", "end_date": "cppl_cp_plan_end_date",
        "initial_category": "cppl_cp_plan_initial_category", "latest_category": "cppl_cp_plan_latest_category"}
    assert ssd.cross_table_map("looked_after_episodes") == {
        "legal_status": ("ssd_legal_status", "lega_legal_status"),
        "placement_type": ("ssd_cla_placement", "clap_cla_placement_type"),
        "placement_provider": ("ssd_cla_placement", "clap_cla_placement_provider"),
        "reason_place_change": ("ssd_cla_placement", "clap_cla_placement_change_reason"),
        "placement_postcode": ("ssd_cla_placement", "clap_cla_placement_postcode"),
        "urn": ("ssd_cla_placement", "clap_cla_placement_urn"),
        "home_postcode": ("ssd_address", "addr_address_postcode")}  # ADDR006A, the address's postcode
    for t in TABLES:  # every item reference of a read table is either mapped or explained
        if t.name not in ssd.READ_TABLES:
            continue
        mapped = {**ssd.field_map(t), **ssd.cross_table_map(t)}
        for c in t.columns:
            if c.item_ref and c.name != "child_id":
                explained = {**ssd.ITEM_REF_MISMATCH, **ssd.ITEM_REF_ABSENT}
                assert c.name in mapped or c.item_ref in explained, (t.name, c.name, c.item_ref)


SSD_SCHEMA = SPECS / "ssd" / "schema"


@pytest.mark.skipif(not SSD_SCHEMA.is_dir(), reason="shared SSD specification not found")
def test_ssd_fields_restate_the_specification():
    for name, fields in ssd.SSD_FIELDS.items():
        node = next(n for n in yaml.safe_load((SSD_SCHEMA / f"{name}.yml").read_text())["nodes"]
                    if n["name"] == name)
        spec = tuple((f["name"], f.get("item_ref"), f.get("type", "").lower(), bool(f.get("primary_key")))
                     for f in node["fields"])
        assert fields == spec, name


# ----------------------------------------------------------------------------- rows


def test_people(extract, folder):
    assert rows(extract.frames["person"], "child_id", "sex", "date_of_birth", "unborn", "ethnicity",
                "upn_unknown", "uasc", "is_mother", "source_file", "source_row") == [
        {"child_id": "P1", "sex": "M", "date_of_birth": D(2015, 5, 1), "unborn": False, "ethnicity": "WBRI",
         "upn_unknown": None, "uasc": False, "is_mother": False, "source_file": str(folder / "ssd_person.csv"),
         "source_row": 2},
        {"child_id": "P2", "sex": "F", "date_of_birth": D(2007, 2, 3), "unborn": False, "ethnicity": "CHNE",
         "upn_unknown": "UN2", "uasc": True, "is_mother": True, "source_file": str(folder / "ssd_person.csv"),
         "source_row": 3},
        {"child_id": "P3", "sex": "U", "date_of_birth": D(2025, 6, 1), "unborn": True, "ethnicity": "NOBT",
         "upn_unknown": None, "uasc": False, "is_mother": None, "source_file": str(folder / "ssd_person.csv"),
         "source_row": 4},
    ]
    assert rows(extract.frames["disabilities"], "child_id", "disability") == [{"child_id": "P1",
                                                                               "disability": "NONE"}]


def test_front_door_and_child_protection(extract):
    f = extract.frames
    assert rows(f["contacts"], "contact_id", "child_id", "contact_date", "source", "outcome") == [
        {"contact_id": "K1", "child_id": "P1", "contact_date": D(2024, 9, 2), "source": "6", "outcome": "REFERRAL"},
        {"contact_id": "K2", "child_id": "P3", "contact_date": D(2024, 10, 1), "source": "1A",
         "outcome": "INFORMATION_ADVICE"}]
    assert rows(f["early_help_episodes"], "early_help_id", "start_date", "end_date", "reason", "end_reason",
                "team_id", "worker_id") == [
        {"early_help_id": "EH1", "start_date": D(2024, 6, 1), "end_date": D(2024, 9, 2), "reason": None,
         "end_reason": "STEP_UP", "team_id": "Family Hub", "worker_id": "W9"}]
    assert rows(f["referrals"], "referral_id", "referral_date", "source", "primary_need", "referral_nfa",
                "closure_date", "closure_reason", "team_id") == [
        {"referral_id": "R1", "referral_date": D(2024, 9, 2), "source": "6", "primary_need": "N1",
         "referral_nfa": False, "closure_date": None, "closure_reason": None, "team_id": "T1"},
        {"referral_id": "R2", "referral_date": D(2022, 12, 1), "source": "3A", "primary_need": "N1",
         "referral_nfa": False, "closure_date": D(2025, 2, 3), "closure_reason": "RC7", "team_id": None}]
    assert rows(f["assessments"], "assessment_id", "referral_id", "child_seen", "outcome_nfa") == [
        {"assessment_id": "A1", "referral_id": "R1", "child_seen": True, "outcome_nfa": False}]
    assert rows(f["assessment_factors"], "assessment_id", "child_id", "factor") == [
        {"assessment_id": "A1", "child_id": "P1", "factor": "1A"},
        {"assessment_id": "A1", "child_id": "P1", "factor": "3B"}]
    assert rows(f["s47_enquiries"], "s47_id", "referral_id", "start_date", "end_date", "outcome",
                "icpc_not_required") == [
        {"s47_id": "S1", "referral_id": "R1", "start_date": D(2024, 9, 5), "end_date": D(2024, 9, 20),
         "outcome": "ICPC", "icpc_not_required": False}]
    assert rows(f["initial_cp_conferences"], "icpc_id", "s47_id", "target_date", "conference_date",
                "transfer_in", "outcome_cp_plan") == [
        {"icpc_id": "I1", "s47_id": "S1", "target_date": D(2024, 9, 26), "conference_date": D(2024, 9, 25),
         "transfer_in": False, "outcome_cp_plan": True}]
    assert rows(f["cp_plans"], "cp_plan_id", "icpc_id", "initial_category", "latest_category") == [
        {"cp_plan_id": "CP1", "icpc_id": "I1", "initial_category": "NEG", "latest_category": "MUL"}]
    assert rows(f["cp_visits"], "cp_visit_id", "cp_plan_id", "child_seen", "child_seen_alone") == [
        {"cp_visit_id": "V1", "cp_plan_id": "CP1", "child_seen": True, "child_seen_alone": False}]
    assert rows(f["cin_visits"], "cin_visit_id", "cin_plan_id", "visit_date") == [
        {"cin_visit_id": "CV1", "cin_plan_id": "CIN1", "visit_date": D(2022, 12, 28)}]
    assert rows(f["allocations"], "allocation_id", "child_id", "worker_id", "team_id", "referral_id",
                "change_reason") == [
        {"allocation_id": "INV1", "child_id": "P1", "worker_id": "W1", "team_id": "T1", "referral_id": "R1",
         "change_reason": "FCONTA"}]


def test_looked_after(extract):
    f = extract.frames
    assert rows(f["looked_after_episodes"], "episode_id", "period_id", "start_date", "reason_new_episode",
                "legal_status", "cin_category", "placement_id", "placement_type", "placement_provider", "end_date",
                "reason_ceased", "reason_place_change", "placement_postcode", "urn") == [
        {"episode_id": "E1", "period_id": "CLA1", "start_date": D(2023, 1, 1), "reason_new_episode": "S",
         "legal_status": "C2", "cin_category": "N1", "placement_id": "PL1", "placement_type": "U3",
         "placement_provider": "PR1", "end_date": D(2024, 3, 10), "reason_ceased": "X1",
         "reason_place_change": "CARPL", "placement_postcode": "AB1 2CD", "urn": "SC1"},
        {"episode_id": "E2", "period_id": "CLA1", "start_date": D(2024, 3, 10), "reason_new_episode": "P",
         "legal_status": "C2", "cin_category": "N1", "placement_id": "PL2", "placement_type": "U6",
         "placement_provider": "PR4", "end_date": D(2025, 2, 3), "reason_ceased": "E17",
         "reason_place_change": None, "placement_postcode": "EF3 4GH", "urn": "SC2"}]
    assert rows(f["periods_of_care"], "period_id", "referral_id", "start_date", "end_date", "reason_ceased") == [
        {"period_id": "CLA1", "referral_id": "R2", "start_date": D(2023, 1, 1), "end_date": D(2025, 2, 3),
         "reason_ceased": "E17"}]
    assert rows(f["legal_statuses"], "legal_status_id", "period_id", "legal_status") == [
        {"legal_status_id": "L1", "period_id": "CLA1", "legal_status": "C2"}]
    assert rows(f["placements"], "placement_id", "period_id", "distance_miles", "change_reason") == [
        {"placement_id": "PL1", "period_id": "CLA1", "distance_miles": 2.5, "change_reason": "CARPL"},
        {"placement_id": "PL2", "period_id": "CLA1", "distance_miles": 12.0, "change_reason": None}]
    assert rows(f["looked_after_reviews"], "review_id", "review_date", "participation") == [
        {"review_id": "CR1", "review_date": D(2023, 1, 28), "participation": "PN1"}]
    assert rows(f["health_checks"], "health_check_id", "check_type", "check_date") == [
        {"health_check_id": "H1", "check_type": "HEALTH_ASSESSMENT", "check_date": D(2024, 6, 1)}]
    assert rows(f["missing_episodes"], "missing_id", "period_id", "missing_type", "return_interview_offered",
                "return_interview_accepted") == [
        {"missing_id": "M1", "period_id": "CLA1", "missing_type": "M", "return_interview_offered": True,
         "return_interview_accepted": None}]
    assert rows(f["care_leaver_contacts"], "child_id", "birthday_age", "in_touch", "accommodation", "activity",
                "eligibility") == [
        {"child_id": "P2", "birthday_age": 18, "in_touch": "YES", "accommodation": "Z1", "activity": "F2",
         "eligibility": "FORMER_RELEVANT"}]


def test_home_postcode_is_the_address_in_force_when_the_episode_started(extract):
    # E1 started on 1 January 2023, in AD1 (to 30 June 2023); E2 on 10 March 2024, in AD2 (open)
    assert rows(extract.frames["looked_after_episodes"], "episode_id", "home_postcode") == [
        {"episode_id": "E1", "home_postcode": "AB1 9ZZ"}, {"episode_id": "E2", "home_postcode": "CD2 8YY"}]


def test_home_postcode_item_reference_is_the_ssd_address_postcode():
    # ADDR006A is ssd_address.addr_address_postcode in the SSD specification; ADDR007A is its row id
    assert table("looked_after_episodes").column("home_postcode").item_ref == "ADDR006A"
    assert ("addr_address_postcode", "ADDR006A", "nvarchar", False) in ssd.SSD_FIELDS["ssd_address"]
    assert ("addr_table_id", "ADDR007A", "nvarchar", True) in ssd.SSD_FIELDS["ssd_address"]


def test_bad_address_dates_are_problems_and_no_address_leaves_it_empty(tmp_path):
    data = tables()
    data["ssd_address"][1]["addr_address_start_date"] = "2023-07-32"
    folder = write_folder(tmp_path / "bad_address", data)
    assert problems(folder) == [
        Problem(str(folder / "ssd_address.csv"), "row 3", "addr_address_start_date", "2023-07-32",
                "a real calendar date")]
    data = tables()
    del data["ssd_address"]
    extract = read_ssd_folder(write_folder(tmp_path / "no_address", data), "890")
    assert extract.frames["looked_after_episodes"]["home_postcode"].to_list() == [None, None]


def test_notes(extract):
    assert extract.kind == "ssd" and extract.collection_year is None
    assert extract.notes == [
        "SSD tables not present (nothing read for them): ssd_cla_previous_permanence, ssd_cla_visits, "
        "ssd_cp_reviews, ssd_permanence.",
        ("ssd_department not read into teams: the store needs each team's service area, which the SSD does not "
         "record."),
        "ssd_cla_health: check not completed (planned, refused or cancelled); not read (1 rows).",
        "ssd_cla_reviews: cancelled review; not read (1 rows).",
        "ssd_early_help_episodes.earl_episode_reason: value with no store code; left empty (1 rows).",
        "ssd_legal_status: row whose value has no store code (not an SSDA903 legal status); not read (1 rows).",
    ]


def test_frames_load_into_the_store_shape(extract):
    for name, frame in extract.frames.items():
        full = conform(name, frame)
        t = table(name)
        for c in t.columns:
            if not c.nullable:
                assert full[c.name].null_count() == 0, (name, c.name)
        assert full.select(t.primary_key).is_duplicated().sum() == 0, name


def test_merges_into_a_store_and_reloading_changes_nothing(tmp_path, extract):
    from carelens.ingest.history import merge_extracts
    from carelens.model.store import Store

    def contents(store):
        return {name: store.to_polars(name).sort(table(name).primary_key).to_dicts() for name in extract.frames}

    with Store(tmp_path / "store.duckdb") as store:
        merge_extracts(store, [extract])
        first = contents(store)
        merge_extracts(store, [extract])
        assert contents(store) == first
    assert [r["cp_plan_id"] for r in first["cp_plans"]] == ["CP1"]
    assert [(r["episode_id"], r["start_date"]) for r in first["looked_after_episodes"]] == [
        ("E1", D(2023, 1, 1)), ("E2", D(2024, 3, 10))]


def _same(a, b) -> None:
    assert sorted(a.frames) == sorted(b.frames)
    for name in a.frames:
        assert a.frames[name].drop("source_file", "source_row").to_dicts() == \
            b.frames[name].drop("source_file", "source_row").to_dicts(), name


def test_parquet_folder_reads_the_same(tmp_path, extract):
    _same(read_ssd_folder(write_folder(tmp_path / "pq", tables(), "parquet"), "890"), extract)


@pytest.mark.parametrize("schema", [None, "ssd_development"])
def test_duckdb_database_reads_the_same(tmp_path, extract, schema):
    con = write_duckdb(tmp_path / "ssd.duckdb", tables(), schema)
    got = read_ssd_database(con, "890", schema=schema)
    _same(got, extract)
    where = f"duckdb:{schema}.ssd_cp_plans" if schema else "duckdb:ssd_cp_plans"
    assert got.frames["cp_plans"]["source_file"].to_list() == [where]


# ----------------------------------------------------------------------------- problems


def problems(folder: Path) -> list[Problem]:
    with pytest.raises(IngestError) as e:
        read_ssd_folder(folder, "890")
    return e.value.problems


def test_bad_values_are_problems(tmp_path):
    data = tables()
    data["ssd_person"][0]["pers_dob"] = "2015-02-30"
    data["ssd_cp_plans"][0]["cppl_cp_plan_initial_category"] = "Neglected"
    data["ssd_cin_episodes"][0]["cine_referral_nfa"] = "maybe"
    data["ssd_cin_episodes"][1]["cine_close_reason"] = "RC9"  # not a code before 2022/23
    data["ssd_cin_episodes"][1]["cine_referral_date"] = "2021-12-01"
    data["ssd_contacts"][1]["cont_contact_outcome_json"] = "{not json"
    data["ssd_cla_placement"][0]["clap_cla_placement_distance"] = "far"
    folder = write_folder(tmp_path / "bad", data)
    f = str
    assert problems(folder) == [
        Problem(f(folder / "ssd_person.csv"), "row 2", "pers_dob", "2015-02-30", "a real calendar date"),
        Problem(f(folder / "ssd_contacts.csv"), "row 3", "cont_contact_outcome_json", "{not json",
                "a JSON object of outcome flags (NEW_REFERRAL_FLAG, EXISTING_REFERRAL_FLAG, CP_ENQUIRY_FLAG, "
                "ADVICE_FLAG, NFA_FLAG) or a contact_outcome code"),
        Problem(f(folder / "ssd_cin_episodes.csv"), "row 2", "cine_referral_nfa", "maybe", "Y or N"),
        Problem(f(folder / "ssd_cin_episodes.csv"), "row 3", "cine_close_reason", "RC9",
                "a cin_closure_reason code valid in collection year 2022"),
        Problem(f(folder / "ssd_cp_plans.csv"), "row 2", "cppl_cp_plan_initial_category", "Neglected",
                "a category_of_abuse code (e.g. EMO, MUL, NEG, PHY, SAB, …) or its label"),
        Problem(f(folder / "ssd_cla_placement.csv"), "row 2", "clap_cla_placement_distance", "far", "a number"),
    ]


def test_missing_columns_tables_and_people(tmp_path):
    data = tables()
    data["ssd_contacts"][0]["cont_person_id"] = "P9"
    folder = write_folder(tmp_path / "gaps", data)
    _frame("ssd_cp_plans", data["ssd_cp_plans"]).drop("cppl_cp_plan_start_date").write_csv(
        folder / "ssd_cp_plans.csv")
    assert problems(folder) == [
        Problem(str(folder / "ssd_cp_plans.csv"), "", "cppl_cp_plan_start_date", None,
                "a column cppl_cp_plan_start_date (item CPPL003A; the store requires cp_plans.start_date)"),
    ]
    (folder / "ssd_cp_plans.csv").unlink()
    assert problems(folder) == [
        Problem(str(folder / "ssd_contacts.csv"), "row 2", "cont_person_id", "P9", "a person in ssd_person")]
    (folder / "ssd_person.csv").unlink()
    assert problems(folder)[0] == Problem(str(folder), "", "ssd_person", None,
                                          "an ssd_person table (every child in the other tables must be in it)")


def test_not_a_folder_and_unreadable_files(tmp_path):
    file = tmp_path / "ssd.zip"
    file.write_bytes(b"PK")
    assert problems(file) == [Problem(str(file), "", None, None, "a folder of Standard Safeguarding Dataset "
                                      "tables (ssd_*.csv or ssd_*.parquet)")]
    folder = write_folder(tmp_path / "x", {"ssd_person": tables()["ssd_person"]})
    (folder / "ssd_cp_plans.parquet").write_bytes(b"not parquet")
    (folder / "ssd_contacts.csv").write_bytes(b"")
    got = problems(folder)
    assert [(p.file, p.expected[:27]) for p in got] == [
        (str(folder / "ssd_contacts.csv"), "a CSV file with a header ro"),
        (str(folder / "ssd_cp_plans.parquet"), "a readable Parquet file (th")]


# ----------------------------------------------------------------------------- fuzz

VALUE = st.one_of(st.none(), st.text(max_size=10), st.sampled_from(
    ["Y", "N", "2024-02-30", "2024-01-01", "01/01/2024", "NEG", "N1", "{}", "[\"1A\"]", "P1", "P2", "C2", "U6"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["ssd_person", "ssd_cp_plans", "ssd_cla_episodes", "ssd_contacts",
                             "ssd_assessment_factors", "ssd_care_leavers", "ssd_cla_placement"]),
       values=st.lists(st.lists(VALUE, min_size=1, max_size=12), min_size=1, max_size=3))
def test_fuzz_only_ingest_errors_escape(tmp_path, name, values):
    data = tables()
    fields = _fields(name)
    data[name] = [dict(zip(fields, row, strict=False)) for row in values]
    folder = write_folder(tmp_path / "fuzz", data)
    try:
        read_ssd_folder(folder, "890")
    except IngestError as e:
        assert e.problems


def test_postgresql_database_reads_the_same(tmp_path, extract, postgres_database):
    """The same SSD tables in a real PostgreSQL server, read through Ibis, give the same rows."""
    con = ibis.postgres.connect(**postgres_database())
    try:
        con.raw_sql("CREATE SCHEMA ssd_development")
        for name, rows in tables().items():
            con.create_table(name, _frame(name, rows), database="ssd_development")
        got = read_ssd_database(con, "890", schema="ssd_development")
    finally:
        con.disconnect()
    _same(got, extract)
    assert got.frames["cp_plans"]["source_file"].to_list() == ["postgres:ssd_development.ssd_cp_plans"]
