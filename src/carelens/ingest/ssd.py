"""Reading Standard Safeguarding Dataset (SSD) tables into canonical rows.

    from carelens.ingest.ssd import read_ssd_folder, read_ssd_database
    extract = read_ssd_folder("ssd_extract/", la_code="890")          # ssd_person.csv, ssd_cp_plans.parquet, …
    extract = read_ssd_database(ibis.duckdb.connect("ssd.duckdb"), la_code="890")
    extract = read_ssd_database(ibis.mssql.connect(...), la_code="890", schema="ssd_development")

The SSD (Data to Insight's Standard Safeguarding Dataset) is a set of tables that a council
extracts from its case-management system: ``ssd_person``, ``ssd_cin_episodes``,
``ssd_cp_plans``, ``ssd_cla_episodes`` and so on. Every SSD field has an *item reference*
(``CPPL003A``), and :mod:`carelens.model.tables` records the item reference of every store
column that the SSD also defines. The field map is therefore **derived**, not written by
hand: for each store table with an ``ssd_table``, each column takes the SSD field of that
table with the same item reference (:data:`SSD_FIELDS` restates the SSD specification's
fields and item references; a test checks it against the specification files), and
``child_id`` takes the table's ``*_person_id`` field. :func:`field_map` gives the result.

Written by hand, because item references cannot say it (see ``docs/ingest/ssd.md``):

- value conversions: ``Y``/``N`` flags to booleans, SSD labels to store codes ("Neglect" →
  NEG, "Missing" → M, "Health Assessment" → HEALTH_ASSESSMENT), the accommodation letter
  and suitability digit into one SSDA903 ACCOM code;
- JSON fields: the contact outcome, the s47 outcome and the assessment factors;
- links the SSD gives through another table: an episode's placement fields come from
  ``ssd_cla_placement`` (by placement id) and its legal status from ``ssd_legal_status``
  (the status in force on the episode's start date), its home postcode from ``ssd_address``
  (the child's address in force on that date); the period of care of a legal status,
  missing episode or previous permanence record is found by date; an assessment factor's
  child comes from its assessment; a CIN visit's plan is the child's plan open on the day;
- people: ``unborn`` (only an expected date of birth), ``is_mother``, ``uasc`` (an
  immigration status naming an unaccompanied asylum-seeking child);
- the care leaver's birthday (their age at the latest contact).

The SSD's own identifiers are kept as they are: they are the case system's identifiers.
Every value is checked (dates, Y/N flags, numbers, codes valid in the collection year of the
record's date); every problem (table or file, row, field, value, expected) is collected
and raised together as :class:`~carelens.problems.IngestError`.

Database connections: any Ibis backend works through the same calls (``con.table(name,
database=schema)``): DuckDB, PostgreSQL (``ibis.postgres.connect``), SQL Server
(``ibis.mssql.connect``), Snowflake and others. Tables are read whole into memory.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carelens.ingest.coded_text import Coding, ethnicity_code, lookup, text_key, texts
from carelens.ingest.extract import Extract
from carelens.ingest.formats import regular_file_problem
from carelens.ingest.text_files import read_csv_text
from carelens.model import code_lists
from carelens.model.store import polars_schema
from carelens.model.tables import TABLES, Table
from carelens.model.tables import table as store_table
from carelens.problems import IngestError, Problem, ProblemLog

# Restated from the SSD specification (Data to Insight, MIT; shared/specs/ssd/schema/*.yml):
# table → (field, item reference, type, primary key). Only the tables CareLens reads.
SSD_FIELDS: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    'ssd_assessment_factors': (
        ('cinf_table_id', 'CINF003A', 'nvarchar', True),
        ('cinf_assessment_id', 'CINF001A', 'nvarchar', False),
        ('cinf_assessment_factors_json', 'CINF002A', 'nvarchar', False),
    ),
    'ssd_care_leavers': (
        ('clea_table_id', 'CLEA001A', 'nvarchar', True),
        ('clea_person_id', 'CLEA002A', 'nvarchar', False),
        ('clea_care_leaver_eligibility', 'CLEA003A', 'nvarchar', False),
        ('clea_care_leaver_in_touch', 'CLEA004A', 'nvarchar', False),
        ('clea_care_leaver_latest_contact', 'CLEA005A', 'datetime', False),
        ('clea_care_leaver_accommodation', 'CLEA006A', 'nvarchar', False),
        ('clea_care_leaver_accom_suitable', 'CLEA007A', 'nvarchar', False),
        ('clea_care_leaver_activity', 'CLEA008A', 'nvarchar', False),
        ('clea_pathway_plan_review_date', 'CLEA009A', 'datetime', False),
        ('clea_care_leaver_personal_advisor', 'CLEA010A', 'nvarchar', False),
        ('clea_care_leaver_allocated_team', 'CLEA011A', 'nvarchar', False),
        ('clea_care_leaver_worker_id', 'CLEA012A', 'nvarchar', False),
    ),
    'ssd_cin_assessments': (
        ('cina_assessment_id', 'CINA001A', 'nvarchar', True),
        ('cina_person_id', 'CINA002A', 'nvarchar', False),
        ('cina_referral_id', 'CINA010A', 'nvarchar', False),
        ('cina_assessment_start_date', 'CINA003A', 'datetime', False),
        ('cina_assessment_child_seen', 'CINA004A', 'nchar', False),
        ('cina_assessment_auth_date', 'CINA005A', 'datetime', False),
        ('cina_assessment_outcome_json', 'CINA006A', 'nvarchar', False),
        ('cina_assessment_outcome_nfa', 'CINA009A', 'nchar', False),
        ('cina_assessment_team', 'CINA007A', 'nvarchar', False),
        ('cina_assessment_worker_id', 'CINA008A', 'nvarchar', False),
    ),
    'ssd_cin_episodes': (
        ('cine_referral_id', 'CINE001A', 'nvarchar', True),
        ('cine_person_id', 'CINE002A', 'nvarchar', False),
        ('cine_referral_date', 'CINE003A', 'datetime', False),
        ('cine_cin_primary_need_code', 'CINE010A', 'nvarchar', False),
        ('cine_referral_source_code', 'CINE004A', 'nvarchar', False),
        ('cine_referral_source_desc', 'CINE012A', 'nvarchar', False),
        ('cine_referral_outcome_json', 'CINE005A', 'nvarchar', False),
        ('cine_referral_nfa', 'CINE011A', 'nchar', False),
        ('cine_close_reason', 'CINE006A', 'nvarchar', False),
        ('cine_close_date', 'CINE007A', 'datetime', False),
        ('cine_referral_team', 'CINE008A', 'nvarchar', False),
        ('cine_referral_worker_id', 'CINE009A', 'nvarchar', False),
    ),
    'ssd_cin_plans': (
        ('cinp_cin_plan_id', 'CINP001A', 'nvarchar', True),
        ('cinp_referral_id', 'CINP007A', 'nvarchar', False),
        ('cinp_person_id', 'CINP002A', 'nvarchar', False),
        ('cinp_cin_plan_start_date', 'CINP003A', 'datetime', False),
        ('cinp_cin_plan_end_date', 'CINP004A', 'datetime', False),
        ('cinp_cin_plan_team', 'CINP005A', 'nvarchar', False),
        ('cinp_cin_plan_worker_id', 'CINP006A', 'nvarchar', False),
    ),
    'ssd_cin_visits': (
        ('cinv_cin_visit_id', 'CINV001A', 'nvarchar', True),
        ('cinv_person_id', 'CINV007A', 'nvarchar', False),
        ('cinv_cin_visit_date', 'CINV003A', 'datetime', False),
        ('cinv_cin_visit_seen', 'CINV004A', 'nchar', False),
        ('cinv_cin_visit_seen_alone', 'CINV005A', 'nchar', False),
        ('cinv_cin_visit_bedroom', 'CINV006A', 'nchar', False),
    ),
    'ssd_cla_episodes': (
        ('clae_cla_episode_id', 'CLAE001A', 'nvarchar', True),
        ('clae_person_id', 'CLAE002A', 'nvarchar', False),
        ('clae_cla_episode_start_date', 'CLAE003A', 'datetime', False),
        ('clae_cla_episode_start_reason', 'CLAE004A', 'nvarchar', False),
        ('clae_cla_primary_need_code', 'CLAE009A', 'nvarchar', False),
        ('clae_cla_episode_ceased_date', 'CLAE005A', 'datetime', False),
        ('clae_cla_episode_ceased_reason', 'CLAE006A', 'nvarchar', False),
        ('clae_cla_id', 'CLAE010A', 'nvarchar', False),
        ('clae_referral_id', 'CLAE011A', 'nvarchar', False),
        ('clae_cla_placement_id', 'CLAE013A', 'nvarchar', False),
        ('clae_entered_care_date', 'CLAE014A', 'datetime', False),
        ('clae_cla_last_iro_contact_date', 'CLAE012A', 'datetime', False),
    ),
    'ssd_cla_health': (
        ('clah_health_check_id', 'CLAH001A', 'nvarchar', True),
        ('clah_person_id', 'CLAH002A', 'nvarchar', False),
        ('clah_health_check_type', 'CLAH003A', 'nvarchar', False),
        ('clah_health_check_date', 'CLAH004A', 'datetime', False),
        ('clah_health_check_status', 'CLAH005A', 'nvarchar', False),
    ),
    'ssd_cla_placement': (
        ('clap_cla_placement_id', 'CLAP001A', 'nvarchar', True),
        ('clap_cla_placement_start_date', 'CLAP003A', 'datetime', False),
        ('clap_cla_placement_type', 'CLAP004A', 'nvarchar', False),
        ('clap_cla_placement_urn', 'CLAP005A', 'nvarchar', False),
        ('clap_cla_placement_distance', 'CLAP011A', 'float', False),
        ('clap_cla_id', 'CLAP012A', 'nvarchar', False),
        ('clap_cla_placement_provider', 'CLAP007A', 'nvarchar', False),
        ('clap_cla_placement_postcode', 'CLAP008A', 'nvarchar', False),
        ('clap_cla_placement_end_date', 'CLAP009A', 'datetime', False),
        ('clap_cla_placement_change_reason', 'CLAP010A', 'nvarchar', False),
        ('clap_person_id', 'CLAP013A', 'nvarchar', False),
    ),
    'ssd_cla_previous_permanence': (
        ('lapp_table_id', 'LAPP001A', 'nvarchar', True),
        ('lapp_person_id', 'LAPP002A', 'nvarchar', False),
        ('lapp_previous_permanence_order_date', 'LAPP003A', 'nvarchar', False),
        ('lapp_previous_permanence_option', 'LAPP004A', 'nvarchar', False),
        ('lapp_previous_permanence_la', 'LAPP005A', 'nvarchar', False),
    ),
    'ssd_cla_reviews': (
        ('clar_cla_review_id', 'CLAR001A', 'nvarchar', True),
        ('clar_cla_id', 'CLAR011A', 'nvarchar', False),
        ('clar_cla_review_due_date', 'CLAR003A', 'datetime', False),
        ('clar_cla_review_date', 'CLAR004A', 'datetime', False),
        ('clar_cla_review_cancelled', 'CLAR012A', 'nchar', False),
        ('clar_cla_review_participation', 'CLAR007A', 'nvarchar', False),
    ),
    'ssd_cla_visits': (
        ('clav_cla_visit_id', 'CLAV001A', 'nvarchar', True),
        ('clav_cla_id', 'CLAV007A', 'nvarchar', False),
        ('clav_person_id', 'CLAV008A', 'nvarchar', False),
        ('clav_cla_visit_date', 'CLAV003A', 'datetime', False),
        ('clav_cla_visit_seen', 'CLAV004A', 'nchar', False),
        ('clav_cla_visit_seen_alone', 'CLAV005A', 'nchar', False),
    ),
    'ssd_contacts': (
        ('cont_contact_id', 'CONT001A', 'nvarchar', True),
        ('cont_person_id', 'CONT002A', 'nvarchar', False),
        ('cont_contact_date', 'CONT003A', 'datetime', False),
        ('cont_contact_source_code', 'CONT004A', 'nvarchar', False),
        ('cont_contact_source_desc', 'CONT006A', 'nvarchar', False),
        ('cont_contact_outcome_json', 'CONT005A', 'nvarchar', False),
    ),
    'ssd_cp_plans': (
        ('cppl_cp_plan_id', 'CPPL001A', 'nvarchar', True),
        ('cppl_referral_id', 'CPPL007A', 'nvarchar', False),
        ('cppl_icpc_id', 'CPPL008A', 'nvarchar', False),
        ('cppl_person_id', 'CPPL002A', 'nvarchar', False),
        ('cppl_cp_plan_start_date', 'CPPL003A', 'datetime', False),
        ('cppl_cp_plan_end_date', 'CPPL004A', 'datetime', False),
        ('cppl_cp_plan_initial_category', 'CPPL009A', 'nvarchar', False),
        ('cppl_cp_plan_ola', 'CPPL011A', 'nchar', False),
        ('cppl_cp_plan_latest_category', 'CPPL010A', 'nvarchar', False),
    ),
    'ssd_cp_reviews': (
        ('cppr_cp_review_id', 'CPPR001A', 'nvarchar', True),
        ('cppr_person_id', 'CPPR008A', 'nvarchar', False),
        ('cppr_cp_plan_id', 'CPPR002A', 'nvarchar', False),
        ('cppr_cp_review_due', 'CPPR003A', 'datetime', False),
        ('cppr_cp_review_date', 'CPPR004A', 'datetime', False),
        ('cppr_cp_review_meeting_id', 'CPPR009A', 'nvarchar', False),
        ('cppr_cp_review_outcome_continue_cp', 'CPPR005A', 'nchar', False),
        ('cppr_cp_review_quorate', 'CPPR006A', 'nchar', False),
        ('cppr_cp_review_participation', 'CPPR007A', 'nchar', False),
    ),
    'ssd_cp_visits': (
        ('cppv_cp_visit_id', 'CPPV007A', 'nvarchar', True),
        ('cppv_person_id', 'CPPV008A', 'nvarchar', False),
        ('cppv_cp_plan_id', 'CPPV001A', 'nvarchar', False),
        ('cppv_cp_visit_date', 'CPPV003A', 'datetime', False),
        ('cppv_cp_visit_seen', 'CPPV004A', 'nchar', False),
        ('cppv_cp_visit_seen_alone', 'CPPV005A', 'nchar', False),
        ('cppv_cp_visit_bedroom', 'CPPV006A', 'nchar', False),
    ),
    'ssd_department': (
        ('dept_team_id', 'DEPT1001A', 'nvarchar', False),
        ('dept_team_name', 'DEPT1002A', 'nvarchar', False),
        ('dept_team_parent_id', 'DEPT1003A', 'nvarchar', False),
        ('dept_team_parent_name', 'DEPT1004A', 'nvarchar', False),
    ),
    'ssd_disability': (
        ('disa_person_id', 'DISA001A', 'nvarchar', False),
        ('disa_table_id', 'DISA003A', 'nvarchar', True),
        ('disa_disability_code', 'DISA002A', 'nvarchar', False),
    ),
    'ssd_early_help_episodes': (
        ('earl_episode_id', 'EARL001A', 'nvarchar', True),
        ('earl_person_id', 'EARL002A', 'nvarchar', False),
        ('earl_episode_start_date', 'EARL003A', 'datetime', False),
        ('earl_episode_end_date', 'EARL004A', 'datetime', False),
        ('earl_episode_reason', 'EARL005A', 'nvarchar', False),
        ('earl_episode_end_reason', 'EARL006A', 'nvarchar', False),
        ('earl_episode_organisation', 'EARL007A', 'nvarchar', False),
        ('earl_episode_worker_id', 'EARL008A', 'nvarchar', False),
    ),
    'ssd_address': (
        ('addr_table_id', 'ADDR007A', 'nvarchar', True),
        ('addr_address_json', 'ADDR001A', 'nvarchar', False),
        ('addr_person_id', 'ADDR002A', 'nvarchar', False),
        ('addr_address_type', 'ADDR003A', 'nvarchar', False),
        ('addr_address_start_date', 'ADDR004A', 'datetime', False),
        ('addr_address_end_date', 'ADDR005A', 'datetime', False),
        ('addr_address_postcode', 'ADDR006A', 'nvarchar', False),
    ),
    'ssd_immigration_status': (
        ('immi_person_id', 'IMMI001A', 'nvarchar', False),
        ('immi_immigration_status_id', 'IMMI005A', 'nvarchar', True),
        ('immi_immigration_status', 'IMMI002A', 'nvarchar', False),
        ('immi_immigration_status_start_date', 'IMMI003A', 'datetime', False),
        ('immi_immigration_status_end_date', 'IMMI004A', 'datetime', False),
    ),
    'ssd_initial_cp_conference': (
        ('icpc_icpc_id', 'ICPC001A', 'nvarchar', True),
        ('icpc_icpc_meeting_id', 'ICPC009A', 'nvarchar', False),
        ('icpc_s47_enquiry_id', 'ICPC002A', 'nvarchar', False),
        ('icpc_person_id', 'ICPC010A', 'nvarchar', False),
        ('icpc_cp_plan_id', 'ICPC011A', 'nvarchar', False),
        ('icpc_referral_id', 'ICPC012A', 'nvarchar', False),
        ('icpc_icpc_transfer_in', 'ICPC003A', 'nchar', False),
        ('icpc_icpc_target_date', 'ICPC004A', 'datetime', False),
        ('icpc_icpc_date', 'ICPC005A', 'datetime', False),
        ('icpc_icpc_outcome_cp_flag', 'ICPC013A', 'nchar', False),
        ('icpc_icpc_outcome_json', 'ICPC006A', 'nvarchar', False),
        ('icpc_icpc_team', 'ICPC007A', 'nvarchar', False),
        ('icpc_icpc_worker_id', 'ICPC008A', 'nvarchar', False),
    ),
    'ssd_involvements': (
        ('invo_involvements_id', 'INVO005A', 'nvarchar', False),
        ('invo_professional_id', 'INVO006A', 'nvarchar', False),
        ('invo_professional_role_id', 'INVO007A', 'nvarchar', False),
        ('invo_professional_team', 'INVO009A', 'nvarchar', False),
        ('invo_involvement_start_date', 'INVO002A', 'datetime', False),
        ('invo_involvement_end_date', 'INVO003A', 'datetime', False),
        ('invo_worker_change_reason', 'INVO004A', 'nvarchar', False),
        ('invo_person_id', 'INVO011A', 'nvarchar', False),
        ('invo_referral_id', 'INVO010A', 'nvarchar', False),
    ),
    'ssd_legal_status': (
        ('lega_legal_status_id', 'LEGA001A', 'nvarchar', True),
        ('lega_person_id', 'LEGA002A', 'nvarchar', False),
        ('lega_legal_status', 'LEGA003A', 'nvarchar', False),
        ('lega_legal_status_start_date', 'LEGA004A', 'datetime', False),
        ('lega_legal_status_end_date', 'LEGA005A', 'datetime', False),
    ),
    'ssd_missing': (
        ('miss_table_id', 'MISS001A', 'nvarchar', True),
        ('miss_person_id', 'MISS002A', 'nvarchar', False),
        ('miss_missing_episode_start_date', 'MISS003A', 'datetime', False),
        ('miss_missing_episode_type', 'MISS004A', 'nvarchar', False),
        ('miss_missing_episode_end_date', 'MISS005A', 'datetime', False),
        ('miss_missing_rhi_offered', 'MISS006A', 'nvarchar', False),
        ('miss_missing_rhi_accepted', 'MISS007A', 'nvarchar', False),
    ),
    'ssd_permanence': (
        ('perm_table_id', 'PERM001A', 'nvarchar', True),
        ('perm_person_id', 'PERM002A', 'nvarchar', False),
        ('perm_cla_id', 'PERM022A', 'nvarchar', False),
        ('perm_adm_decision_date', 'PERM003A', 'datetime', False),
        ('perm_ffa_cp_decision_date', 'PERM004A', 'datetime', False),
        ('perm_placement_order_date', 'PERM006A', 'datetime', False),
        ('perm_placed_for_adoption_date', 'PERM007A', 'datetime', False),
        ('perm_matched_date', 'PERM008A', 'datetime', False),
        ('perm_adopted_by_carer_flag', 'PERM021A', 'nchar', False),
        ('perm_placed_ffa_cp_date', 'PERM009A', 'datetime', False),
        ('perm_decision_reversed_date', 'PERM010A', 'datetime', False),
        ('perm_placed_foster_carer_date', 'PERM011A', 'datetime', False),
        ('perm_part_of_sibling_group', 'PERM012A', 'nchar', False),
        ('perm_siblings_placed_together', 'PERM013A', 'int', False),
        ('perm_siblings_placed_apart', 'PERM014A', 'int', False),
        ('perm_placement_provider_urn', 'PERM015A', 'nvarchar', False),
        ('perm_decision_reversed_reason', 'PERM016A', 'nvarchar', False),
        ('perm_permanence_order_date', 'PERM017A', 'datetime', False),
        ('perm_permanence_order_type', 'PERM018A', 'nvarchar', False),
        ('perm_adoption_worker_id', 'PERM023A', 'nvarchar', False),
        ('perm_adopter_sex', 'PERM025A', 'nvarchar', False),
        ('perm_adopter_legal_status', 'PERM026A', 'nvarchar', False),
        ('perm_number_of_adopters', 'PERM027A', 'nvarchar', False),
    ),
    'ssd_person': (
        ('pers_person_id', 'PERS001A', 'nvarchar', True),
        ('pers_sex', 'PERS002A', 'nvarchar', False),
        ('pers_gender', 'PERS003A', 'nvarchar', False),
        ('pers_ethnicity', 'PERS004A', 'nvarchar', False),
        ('pers_dob', 'PERS005A', 'datetime', False),
        ('pers_common_child_id', 'PERS013A', 'nvarchar', False),
        ('pers_legacy_id', 'PERS014A', 'nvarchar', False),
        ('pers_upn_unknown', 'PERS007A', 'nvarchar', False),
        ('pers_send_flag', 'PERS008A', 'nchar', False),
        ('pers_expected_dob', 'PERS009A', 'datetime', False),
        ('pers_death_date', 'PERS010A', 'datetime', False),
        ('pers_is_mother', 'PERS011A', 'nchar', False),
        ('pers_nationality', 'PERS012A', 'nvarchar', False),
    ),
    'ssd_professionals': (
        ('prof_professional_id', 'PROF001A', 'nvarchar', True),
        ('prof_staff_id', 'PROF010A', 'nvarchar', False),
        ('prof_professional_name', 'PROF013A', 'nvarchar', False),
        ('prof_social_worker_registration_no', 'PROF002A', 'nvarchar', False),
        ('prof_professional_job_title', 'PROF007A', 'nvarchar', False),
        ('prof_professional_caseload', 'PROF008A', 'int', False),
        ('prof_professional_department', 'PROF012A', 'nvarchar', False),
        ('prof_full_time_equivalency', 'PROF011A', 'float', False),
        ('prof_agency_worker_flag', 'PROF014A', 'nchar', False),
    ),
    'ssd_s47_enquiry': (
        ('s47e_s47_enquiry_id', 'S47E001A', 'nvarchar', True),
        ('s47e_referral_id', 'S47E010A', 'nvarchar', False),
        ('s47e_person_id', 'S47E002A', 'nvarchar', False),
        ('s47e_s47_start_date', 'S47E004A', 'datetime', False),
        ('s47e_s47_end_date', 'S47E005A', 'datetime', False),
        ('s47e_s47_nfa', 'S47E006A', 'nchar', False),
        ('s47e_s47_outcome_json', 'S47E007A', 'nvarchar', False),
        ('s47e_s47_completed_by_worker_id', 'S47E008A', 'nvarchar', False),
        ('s47e_s47_completed_by_team', 'S47E009A', 'nvarchar', False),
    ),
    'ssd_sdq_scores': (
        ('csdq_table_id', 'CSDQ001A', 'nvarchar', True),
        ('csdq_person_id', 'CSDQ002A', 'nvarchar', False),
        ('csdq_sdq_completed_date', 'CSDQ003A', 'datetime', False),
        ('csdq_sdq_reason', 'CSDQ004A', 'nvarchar', False),
        ('csdq_sdq_score', 'CSDQ005A', 'nvarchar', False),
    ),
}


@dataclass
class SsdExtract(Extract):
    """An :class:`Extract` that also says what was not read or left empty, one line each."""

    notes: list[str] = field(default_factory=list)


# Item references that tables.py records but that name something else in the SSD.
ITEM_REF_MISMATCH: dict[str, str] = {}
# SSD tables with no store table of their own, read for fields of other tables: immigration statuses
# (person.uasc) and addresses (looked_after_episodes.home_postcode, ADDR006A)
LINKED_TABLES = {"ssd_immigration_status", "ssd_address"}
# Item references that tables.py records but the SSD does not define.
ITEM_REF_ABSENT = {
    "PERS006A": "ssd_person has no UPN field; the SSD keeps UPNs in ssd_linked_identifiers (not read)",
}
# Store tables with an SSD table that are not read, and why.
NOT_READ = {
    "teams": "the store needs each team's service area, which the SSD does not record",
    "workers": "the store needs each worker's team, start date and role code, which ssd_professionals does "
               "not record as such",
    "annual_outcomes": "the SSDA903 OC2 outcomes are spread over several SSD tables without the year they "
                       "belong to",
}
# Columns whose SSD field is free text with no code set: an unknown value is left empty (and
# counted) instead of being a problem.
FREE_TEXT = {("early_help_episodes", "reason"), ("early_help_episodes", "end_reason"),
             ("permanence", "order_type")}
# Columns whose unknown values mark rows outside the store's scope: such rows are not read (and
# counted). The SSD's legal statuses include orders that are not SSDA903 looked-after statuses.
SKIP_UNKNOWN = {("legal_statuses", "legal_status")}


def person_field(ssd_table: str) -> str | None:
    """The SSD field holding the child's identifier (``pers_person_id`` or ``<prefix>_person_id``)."""
    if ssd_table == "ssd_person":
        return "pers_person_id"
    return next((name for name, *_ in SSD_FIELDS.get(ssd_table, ()) if name.endswith("_person_id")), None)


def _ssd_type(ssd_table: str, name: str) -> str:
    return next((ty for n, _, ty, _ in SSD_FIELDS.get(ssd_table, ()) if n == name), "nvarchar")


def field_map(t: Table | str) -> dict[str, str]:
    """Store column → SSD field of the table's own SSD table, matched by item reference."""
    t = store_table(t) if isinstance(t, str) else t
    by_ref = {ref: name for name, ref, _, _ in SSD_FIELDS.get(t.ssd_table, ())}
    out = {}
    for c in t.columns:
        if c.name == "child_id":
            if (pf := person_field(t.ssd_table)) is not None:
                out["child_id"] = pf
        elif c.item_ref in by_ref and c.item_ref not in ITEM_REF_MISMATCH:
            out[c.name] = by_ref[c.item_ref]
    return out


def cross_table_map(t: Table | str) -> dict[str, tuple[str, str]]:
    """Store column → (other SSD table, field) for item references found only in another SSD table."""
    t = store_table(t) if isinstance(t, str) else t
    own = field_map(t)
    out = {}
    for c in t.columns:
        if c.name in own or not c.item_ref or c.item_ref in ITEM_REF_MISMATCH or c.name == "child_id":
            continue
        for other, fields in SSD_FIELDS.items():
            hit = next((name for name, ref, _, _ in fields if ref == c.item_ref), None)
            if hit and other != t.ssd_table:
                out[c.name] = (other, hit)
                break
    return out


def key_date(t: Table) -> str | None:
    """The date that places a record in a collection year: the first required date column, else the first."""
    dates = [c for c in t.columns if c.dtype == "date"]
    return next((c.name for c in dates if not c.nullable), dates[0].name if dates else None)


READ_TABLES = tuple(t.name for t in TABLES if t.ssd_table and t.name not in NOT_READ
                    and t.name != "periods_of_care")

# ----------------------------------------------------------------------------- values

# SSD labels (the SSD specification's code sets and common system wording) → store codes, per
# code list. Codes themselves and the code lists' own labels are always accepted.
SSD_TEXT: dict[str, dict] = {
    "sex": texts(("Male", "M"), ("Female", "F"), ("Unknown", "U"), ("Not known", "U"), ("Indeterminate", "U")),
    "category_of_abuse": texts(("Neglect", "NEG"), ("Physical abuse", "PHY"), ("Physical", "PHY"),
                            ("Sexual abuse", "SAB"), ("Sexual", "SAB"), ("Emotional abuse", "EMO"),
                            ("Emotional", "EMO"), ("Multiple", "MUL")),
    "missing_type": texts(("Missing", "M"), ("Away", "A"), ("Absent", "A"),
                       ("Away from placement without authorisation", "A")),
    "health_check_type": texts(("Health Assessment", "HEALTH_ASSESSMENT"), ("Health Check", "HEALTH_ASSESSMENT"),
                            ("Review Health Assessment", "HEALTH_ASSESSMENT"),
                            ("Initial Health Assessment", "HEALTH_ASSESSMENT"), ("Dental Check", "DENTAL"),
                            ("Dental", "DENTAL"), ("Developmental Check", "DEVELOPMENTAL"),
                            ("Health surveillance check", "DEVELOPMENTAL"), ("Development check", "DEVELOPMENTAL")),
    "care_leaver_eligibility": texts(("Relevant", "RELEVANT"), ("Former Relevant", "FORMER_RELEVANT"),
                                  ("Eligible", "ELIGIBLE"), ("Qualifying", ""), ("No Current Eligibility", "")),
    "care_leaver_in_touch": texts(("Yes", "YES"), ("No", "NO"), ("In touch", "YES"), ("Not in touch", "NO")),
    "permanence_order_type": texts(("Adoption", "ADOPTION"), ("Adoption Order", "ADOPTION"),
                                ("Special Guardianship", "SGO"), ("Special Guardianship Order", "SGO"),
                                ("Child Arrangements Order/ Residence Order", ""),
                                ("Child Arrangements Order", ""), ("Residence Order", "")),
    "early_help_end_reason": texts(("Outcomes met", "COMPLETED"), ("Completed", "COMPLETED"),
                                ("Step-up", "STEP_UP"), ("Step up", "STEP_UP"), ("Stepped up", "STEP_UP"),
                                ("Disengaged", "DISENGAGED"), ("Moved", "MOVED"), ("Moved away", "MOVED"),
                                ("Aged out", "AGED_OUT")),
}
_YES = {"y", "yes", "true", "1", "t"}
_NO = {"n", "no", "false", "0", "f"}
_NONE = {"na", "n/a", "not applicable", "unknown", "null"}


def parse_ssd_date(value: str) -> dt.date | str:
    """A date from ISO (``2024-05-01``, with or without a time) or UK (``01/05/2024``) text, or why not."""
    s = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?|(\d{1,2})/(\d{1,2})/(\d{4})(?: .*)?", s)
    if not m:
        return "a date (YYYY-MM-DD or DD/MM/YYYY)"
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
    try:
        out = dt.date(int(y), int(mo), int(d))
    except ValueError:
        return "a real calendar date"
    return out if 1900 <= out.year <= 2100 else "a date between 1900 and 2100"


def _date_or_none(value: str | None) -> dt.date | None:
    d = parse_ssd_date(value) if value else None
    return d if isinstance(d, dt.date) else None


def _flag(value: str) -> bool | None | str:
    v = value.strip().lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    if v in _NONE:
        return None
    return "Y or N"


def _json_flags(value: str) -> dict[str, bool] | None:
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    out = {}
    for k, v in data.items():
        if isinstance(v, bool):
            out[str(k).upper()] = v
        elif isinstance(v, (int, float)):
            out[str(k).upper()] = v == 1
        elif isinstance(v, str):
            out[str(k).upper()] = v.strip().lower() in _YES
    return out


# contact outcome flags, in order of precedence
CONTACT_OUTCOME_FLAGS = (
    ("NEW_REFERRAL_FLAG", "REFERRAL"), ("EXISTING_REFERRAL_FLAG", "REFERRAL"), ("CP_ENQUIRY_FLAG", "REFERRAL"),
    ("ADVICE_FLAG", "INFORMATION_ADVICE"), ("NFA_FLAG", "NFA"),
)
S47_OUTCOME_FLAGS = (
    ("CP_CONFERENCE_FLAG", "ICPC"), ("PROV_OF_SERVICES_FLAG", "CIN_PLAN"), ("NFA_CONTINUE_SINGLE_FLAG", "CIN_PLAN"),
    ("NFA_FLAG", "NFA"),
)


def _outcome(value: str, flags, code_list: str) -> str | None | tuple[str]:
    """A code from an SSD outcome JSON (``{"NFA_FLAG": "Y", …}``) or from a code written plainly."""
    plain = value.strip().upper()
    if code_lists.is_valid(code_list, plain, code_lists.LAST_YEAR):
        return plain
    parsed = _json_flags(value)
    if parsed is None:
        return ("a JSON object of outcome flags (" + ", ".join(f for f, _ in flags) + ") or a "
                f"{code_list} code",)
    for flag, code in flags:
        if parsed.get(flag):
            return code
    return None


def _factors(value: str) -> list[str] | str:
    """The factor codes of ``["1A", "2B"]``, ``{"1A": "Yes", "2B": "No"}`` or ``1A,2B``."""
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        data = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
    if isinstance(data, dict):
        data = [k for k, v in data.items() if str(v).strip().lower() in _YES]
    if not isinstance(data, list):
        return "a JSON array of assessment factor codes"
    codes = _codes_of("assessment_factor")
    out = []
    for item in data:
        code = str(item).strip().upper()
        if code not in codes:
            return f"assessment factor codes (not {str(item)[:20]!r})"
        out.append(code)
    return out


_CODE_CACHE: dict[str, set[str]] = {}


def _codes_of(name: str) -> set[str]:
    if name not in _CODE_CACHE:
        _CODE_CACHE[name] = {e.code for e in code_lists.code_list(name).entries}
    return _CODE_CACHE[name]


def _clamp(year: int) -> int:
    return min(max(year, code_lists.FIRST_YEAR), code_lists.LAST_YEAR)


def _code(list_name: str, value: str, year: int) -> tuple[str | None, str]:
    """(code, how) for an SSD value of a coded column: how is exact, none, unknown or invalid_year."""
    if list_name == "ethnicity":
        code = ethnicity_code(value)
        return (code, "exact") if code else (None, "unknown")
    text = SSD_TEXT.get(list_name, {})
    if list_name == "category_of_abuse" and text_key(value).startswith("multiple"):
        return "MUL", "exact"
    plain = value.strip().upper()
    if plain in _codes_of(list_name):
        ok = code_lists.is_valid(list_name, plain, _clamp(year))
        return (plain, "exact") if ok else (None, "invalid_year")
    code, how = lookup(Coding(list_name, text), value, year)
    return code, how


# ----------------------------------------------------------------------------- sources


@dataclass
class _Raw:
    """One SSD table as read: every value a string, column names lower-case, and where each row is."""

    table: str
    file: str  # the file (or database table) named in problems and in source_file
    frame: pl.DataFrame  # with _row (int: line, or ordinal) and _loc (the location shown in problems)


def _stringify(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            col = col.dt.strftime("%Y-%m-%d %H:%M:%S")
        elif dtype == pl.Date:
            col = col.dt.strftime("%Y-%m-%d")
        elif dtype == pl.Boolean:
            col = pl.when(col).then(pl.lit("Y")).when(col.not_()).then(pl.lit("N"))
        elif dtype.is_nested() or dtype == pl.Object or dtype == pl.Binary:
            col = pl.lit(None, pl.Utf8)
        exprs.append(col.cast(pl.Utf8, strict=False).str.strip_chars().alias(str(name).strip().lower()))
    out = frame.select(exprs)
    return out.with_columns(pl.when(pl.all() == "").then(None).otherwise(pl.all()).name.keep())


def _folder_tables(path: Path, log: ProblemLog) -> dict[str, _Raw]:
    wanted = {store_table(n).ssd_table for n in (*READ_TABLES, *NOT_READ)} | LINKED_TABLES
    files: dict[str, list[Path]] = {}
    for p in sorted(path.iterdir()):
        # (not only regular files: a FIFO or a device named like a table is reported, not passed over)
        if not p.is_dir() and p.suffix.lower() in (".csv", ".parquet") and p.stem.lower() in wanted:
            files.setdefault(p.stem.lower(), []).append(p)
    out = {}
    for name, paths in files.items():
        if len(paths) > 1:
            log.add("", name, ", ".join(p.name for p in paths), f"one file for {name} (a CSV or a Parquet file)")
            continue
        p = paths[0]
        flog = ProblemLog(str(p))
        if p.suffix.lower() == ".csv":
            frame = read_csv_text(p, flog)
            if frame is not None:
                frame = frame.rename({c: c.lower() for c in frame.columns if c != "_row"})
                frame = frame.with_columns(pl.concat_str([pl.lit("row "), pl.col("_row").cast(pl.Utf8)])
                                           .alias("_loc"))
        elif problem := regular_file_problem(p)[0]:
            flog.add("", None, None, problem)
            frame = None
        else:
            try:
                frame = pl.read_parquet(p)
            except Exception as e:  # polars raises several kinds for a file that is not Parquet
                flog.add("", None, None, f"a readable Parquet file (the reader said: {str(e).splitlines()[0][:160]})")
                frame = None
            if frame is not None:
                frame = _stringify(frame).with_row_index("_row", offset=1).with_columns(
                    pl.col("_row").cast(pl.Int64),
                    pl.concat_str([pl.lit("row "), pl.col("_row").cast(pl.Utf8)]).alias("_loc"))
        log.problems += flog.problems
        if frame is not None:
            out[name] = _Raw(name, str(p), frame.with_columns(pl.col("_row").cast(pl.Int64)))
    return out


def _database_tables(con, schema: str | None, log: ProblemLog, label: str) -> dict[str, _Raw]:
    wanted = sorted({store_table(n).ssd_table for n in (*READ_TABLES, *NOT_READ)} | LINKED_TABLES)
    out = {}
    for name in wanted:
        expr = None
        for candidate in (name, name.upper()):
            try:
                expr = con.table(candidate, database=schema) if schema else con.table(candidate)
                break
            except Exception:  # each backend has its own "no such table" error
                continue
        if expr is None:
            continue
        where = f"{schema}.{name}" if schema else name
        try:
            frame = _stringify(expr.to_polars())
        except Exception as e:
            log.problems.append(Problem(where, "", None, None,
                                        f"a readable table (the database said: {str(e).splitlines()[0][:160]})"))
            continue
        pk = next((n for n, _, _, is_pk in SSD_FIELDS[name] if is_pk), None)
        if pk and pk in frame.columns:
            frame = frame.sort(pk, nulls_last=True)
            loc = pl.concat_str([pl.lit(f"{pk} = "), pl.col(pk).fill_null("(empty)")])
        else:
            loc = None
        frame = frame.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
        frame = frame.with_columns((loc if loc is not None else
                                    pl.concat_str([pl.lit("row "), pl.col("_row").cast(pl.Utf8)])).alias("_loc"))
        out[name] = _Raw(name, f"{label}:{where}", frame)
    return out


# ----------------------------------------------------------------------------- conversion


@dataclass
class _Ctx:
    la_code: str
    problems: list[Problem] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)

    def add(self, raw: _Raw, loc: str, field_name: str | None, value, expected: str) -> None:
        if len(self.problems) < 10_000:
            self.problems.append(Problem(raw.file, loc, field_name, None if value is None else str(value)[:200],
                                         expected))


def _convert(ctx: _Ctx, t: Table, raw: _Raw, extra: dict[str, str] | None = None) -> pl.DataFrame | None:
    """The SSD table as the store table's columns (those the SSD has), checked; None if a column is missing."""
    fmap = {**field_map(t), **(extra or {})}
    frame = raw.frame
    missing = [(c, f) for c, f in fmap.items() if f not in frame.columns and not t.column(c).nullable]
    for c, f in missing:
        ctx.add(raw, "", f, None, f"a column {f} (item {t.column(c).item_ref or 'for ' + c}; the store requires "
                                  f"{t.name}.{c})")
    if missing:
        return None
    present = {c: f for c, f in fmap.items() if f in frame.columns}
    if not present:
        return None
    locs = frame["_loc"].to_list()
    rows = frame["_row"].to_list()
    raw_values = {c: frame[f].to_list() for c, f in present.items()}
    out: dict[str, list] = {}
    skip = [False] * len(rows)
    kd = key_date(t)
    order = sorted(present, key=lambda c: (t.column(c).dtype != "date", c != kd))
    for c in order:
        f = present[c]
        col = t.column(c)
        values = raw_values[c]
        result = []
        cache: dict = {}
        years = None
        if col.code_list and kd in out:
            years = [code_lists.collection_year(d) if d else code_lists.LAST_YEAR for d in out[kd]]
        for i, v in enumerate(values):
            if v is None:
                result.append(None)
                continue
            key = (v, years[i] if years else None)
            if key not in cache:
                cache[key] = _value(t, c, _ssd_type(raw.table, f), v, years[i] if years else code_lists.LAST_YEAR)
            got = cache[key]
            if isinstance(got, tuple):  # (expected,) — a problem
                if (t.name, c) in SKIP_UNKNOWN:
                    skip[i] = True
                    result.append(None)
                elif (t.name, c) in FREE_TEXT:
                    ctx.notes[f"{raw.table}.{f}: value with no store code; left empty"] += 1
                    result.append(None)
                else:
                    ctx.add(raw, locs[i], f, v, got[0])
                    result.append(None)
            else:
                if got is _NOTE:
                    ctx.notes[f"{raw.table}.{f}: value naming no single {col.code_list} code; left empty"] += 1
                    got = None
                result.append(got)
        out[c] = result
    for c, f in present.items():
        if t.column(c).nullable:
            continue
        for i, v in enumerate(out[c]):
            if v is None and raw_values[c][i] is None and not skip[i]:
                ctx.add(raw, locs[i], present[c], None, f"a value (the store requires {t.name}.{c})")
    schema = polars_schema(t)
    data = {c: pl.Series(c, out[c], dtype=schema[c]) for c in present}
    result = pl.DataFrame(data)
    result = result.with_columns(pl.lit(ctx.la_code).alias("la_code"), pl.lit(raw.file).alias("source_file"),
                               pl.lit(None, pl.Int32).alias("source_year"),
                               pl.Series("source_row", rows, dtype=pl.Int64), pl.Series("_loc", locs, dtype=pl.Utf8))
    if any(skip):
        ctx.notes[f"{raw.table}: row whose value has no store code (not an SSDA903 legal status); not read"] += sum(skip)
        result = result.filter(~pl.Series(skip))
    return result


_NOTE = object()


def _value(t: Table, c: str, ssd_type: str, v: str, year: int):
    """A converted value, _NOTE for a "no value" text, or (expected,) for a problem."""
    col = t.column(c)
    if (t.name, c) == ("contacts", "outcome"):
        got = _outcome(v, CONTACT_OUTCOME_FLAGS, "contact_outcome")
        return got if got is not None else ("a contact outcome JSON with one of the flags "
                                            + ", ".join(f for f, _ in CONTACT_OUTCOME_FLAGS) + " set",)
    if (t.name, c) == ("assessment_factors", "factor"):
        got = _factors(v)
        return (got,) if isinstance(got, str) else v
    if (t.name, c) == ("s47_enquiries", "outcome"):
        got = _outcome(v, S47_OUTCOME_FLAGS, "s47_outcome")
        return _NOTE if got is None else got
    if col.dtype == "date":
        d = parse_ssd_date(v)
        return (d,) if isinstance(d, str) else d
    if col.dtype == "boolean":
        b = _flag(v)
        return (b,) if isinstance(b, str) else b
    if col.dtype in ("int32", "int64"):
        return int(float(v)) if re.fullmatch(r"-?\d+(\.0+)?", v.strip()) else ("a whole number",)
    if col.dtype == "float64":
        try:
            return float(v)
        except ValueError:
            return ("a number",)
    if col.code_list:
        code, how = _code(col.code_list, v, year)
        if how == "unknown":
            return (f"a {col.code_list} code (e.g. {', '.join(sorted(_codes_of(col.code_list))[:6])}, …) or its "
                    f"label",)
        if how == "invalid_year":
            return (f"a {col.code_list} code valid in collection year {_clamp(year)}",)
        if how == "none":
            return _NOTE
        return code
    return v


# ----------------------------------------------------------------------------- preparation by hand


def _prepare(name: str, raw: _Raw, ctx: _Ctx) -> _Raw:
    """What an SSD table needs before the item-reference mapping: fields the SSD splits or flags."""
    f = raw.frame
    cols = set(f.columns)
    if name == "person" and {"pers_dob", "pers_expected_dob"} <= cols:
        f = f.with_columns((pl.col("pers_dob").is_null() & pl.col("pers_expected_dob").is_not_null()).alias("_unborn"),
                           pl.coalesce("pers_dob", "pers_expected_dob").alias("pers_dob"))
    if name == "periods_of_care" and {"clae_entered_care_date", "clae_cla_episode_start_date"} <= cols:
        f = f.with_columns(pl.coalesce("clae_entered_care_date", "clae_cla_episode_start_date")
                           .alias("clae_entered_care_date"))
    if name == "care_leaver_contacts" and {"clea_care_leaver_accommodation", "clea_care_leaver_accom_suitable"} <= cols:
        digit = pl.col("clea_care_leaver_accom_suitable").str.to_lowercase().replace_strict(
            {"1": "1", "2": "2", "suitable": "1", "unsuitable": "2", "not suitable": "2", "y": "1", "n": "2",
             "yes": "1", "no": "2"}, default=None)
        letter = pl.col("clea_care_leaver_accommodation").str.extract(r"^\s*([A-Za-z])\s*(?:$|[-:–\s])", 1) \
            .str.to_uppercase()
        f = f.with_columns(pl.when(letter.is_not_null() & digit.is_not_null()).then(pl.concat_str([letter, digit]))
                           .otherwise(pl.col("clea_care_leaver_accommodation")).alias("clea_care_leaver_accommodation"))
    if name == "health_checks" and "clah_health_check_status" in cols:
        done = pl.col("clah_health_check_status").is_null() | \
            pl.col("clah_health_check_status").str.to_lowercase().is_in(["completed", "complete"])
        n = f.filter(~done).height
        if n:
            ctx.notes["ssd_cla_health: check not completed (planned, refused or cancelled); not read"] += n
        f = f.filter(done)
    if name == "looked_after_reviews" and "clar_cla_review_cancelled" in cols:
        cancelled = pl.col("clar_cla_review_cancelled").str.to_lowercase().is_in(list(_YES))
        n = f.filter(cancelled).height
        if n:
            ctx.notes["ssd_cla_reviews: cancelled review; not read"] += n
        f = f.filter(~cancelled.fill_null(False))
    return _Raw(raw.table, raw.file, f)


# ----------------------------------------------------------------------------- reading


def read_ssd_folder(path: str | Path, la_code: str) -> SsdExtract:
    """Read a folder of SSD tables (``ssd_person.csv`` or ``.parquet``, …) into canonical frames.

    Raises :class:`IngestError` with every problem found.
    """
    path = Path(path)
    log = ProblemLog(str(path))
    if not path.is_dir():
        log.add("", None, None, "a folder of Standard Safeguarding Dataset tables (ssd_*.csv or ssd_*.parquet)")
        log.raise_if_any()
    raws = _folder_tables(path, log)
    return _read(raws, log, la_code, [str(path)])


def read_ssd_database(con, la_code: str, schema: str | None = None) -> SsdExtract:
    """Read SSD tables from a database Ibis can reach (``con`` is an Ibis backend connection).

    ``schema`` names the database schema holding the ``ssd_*`` tables (the connection's default
    when None). Problems name the table as ``<backend>:<schema>.<table>`` and the row by its
    primary key. Raises :class:`IngestError` with every problem found.
    """
    label = getattr(con, "name", "database")
    log = ProblemLog(f"{label}:{schema or ''}")
    raws = _database_tables(con, schema, log, label)
    return _read(raws, log, la_code, [f"{label}:{schema}" if schema else label])


def _read(raws: dict[str, _Raw], log: ProblemLog, la_code: str, files: list[str]) -> SsdExtract:
    ctx = _Ctx(la_code, problems=list(log.problems))
    notes: list[str] = []
    if "ssd_person" not in raws:
        ctx.problems.append(Problem(files[0], "", "ssd_person", None,
                                    "an ssd_person table (every child in the other tables must be in it)"))
    frames: dict[str, pl.DataFrame] = {}
    for name in (*READ_TABLES, "periods_of_care"):
        t = store_table(name)
        raw = raws.get(t.ssd_table)
        if raw is None:
            continue
        raw = _prepare(name, raw, ctx)
        converted = _convert(ctx, t, raw)
        if converted is not None:
            if name == "person" and "_unborn" in raw.frame.columns:
                converted = converted.with_columns(raw.frame["_unborn"].alias("unborn"))
            if name == "person" and "pers_is_mother" in raw.frame.columns:
                converted = converted.with_columns(
                    raw.frame["pers_is_mother"].str.to_lowercase().is_in(list(_YES)).alias("is_mother"))
            frames[name] = converted
    absent = sorted({store_table(n).ssd_table for n in READ_TABLES} - set(raws))
    if absent:
        notes.append("SSD tables not present (nothing read for them): " + ", ".join(absent) + ".")
    for name, why in NOT_READ.items():
        if store_table(name).ssd_table in raws:
            notes.append(f"{store_table(name).ssd_table} not read into {name}: {why}.")
    if not ctx.problems:
        frames = _link(ctx, frames, raws)
    if not ctx.problems:
        _check_people(ctx, frames, raws)
    if ctx.problems:
        raise IngestError(ctx.problems)
    notes += [f"{text} ({n} rows)." for text, n in sorted(ctx.notes.items())]
    frames = {k: v.select([c for c in store_table(k).column_names if c in v.columns]) for k, v in frames.items()}
    return SsdExtract(kind="ssd", la_code=la_code, collection_year=None, period_start=None, period_end=None,
                      files=files, frames=frames, notes=notes)


def _drop_missing(ctx: _Ctx, frames: dict, name: str, column: str, why: str) -> None:
    f = frames.get(name)
    if f is None:
        return
    n = f.filter(pl.col(column).is_null()).height
    if n:
        ctx.notes[f"{name}: {why}; not read"] += n
        frames[name] = f.filter(pl.col(column).is_not_null())


def _in_force(frame: pl.DataFrame, date_col: str, spans: pl.DataFrame, id_col: str,
              start: str = "start_date", end: str = "end_date") -> pl.Series:
    """For each row, the id of the child's span (start ≤ date ≤ end, or open) that started last."""
    if frame.is_empty():
        return pl.Series(id_col, [], dtype=pl.Utf8)
    left = frame.select("child_id", pl.col(date_col).alias("_d")).with_row_index("_i")
    right = spans.select("child_id", pl.col(start).alias("_d"), pl.col(end).alias("_end"),
                         pl.col(id_col).alias("_id")).drop_nulls(["child_id", "_d"]).sort("child_id", "_d")
    hit = left.filter(pl.col("_d").is_not_null()).sort("child_id", "_d").join_asof(
        right, on="_d", by="child_id", strategy="backward", check_sortedness=False)
    hit = hit.with_columns(pl.when(pl.col("_end").is_null() | (pl.col("_d") <= pl.col("_end")))
                           .then(pl.col("_id")).alias("_id"))
    return left.join(hit.select("_i", "_id"), on="_i", how="left").sort("_i")["_id"].rename(id_col)


def _link(ctx: _Ctx, frames: dict[str, pl.DataFrame], raws: dict[str, _Raw]) -> dict[str, pl.DataFrame]:
    """Fields the SSD gives through another table, and the derived tables."""
    # periods of care: one row per clae_cla_id
    periods = frames.pop("periods_of_care", None)
    episodes = frames.get("looked_after_episodes")
    if periods is not None and episodes is not None:
        per = periods.with_columns(episodes["start_date"].alias("_ep_start"))
        per = per.sort("period_id", "_ep_start").group_by("period_id", maintain_order=True).agg(
            pl.col("child_id").first(), pl.col("referral_id").drop_nulls().first(),
            pl.col("start_date").min(),
            pl.when(pl.col("end_date").is_null().any()).then(None).otherwise(pl.col("end_date").last())
            .alias("end_date"),
            pl.when(pl.col("end_date").is_null().any()).then(None).otherwise(pl.col("reason_ceased").last())
            .alias("reason_ceased"),
            *[pl.col(c).first() for c in ("la_code", "source_file", "source_year", "source_row", "_loc")])
        frames["periods_of_care"] = per.select(store_table("periods_of_care").column_names + ["_loc"])

    # episodes: placement fields from ssd_cla_placement, legal status from ssd_legal_status
    if episodes is not None:
        cross = cross_table_map("looked_after_episodes")
        placements = frames.get("placements")
        placement_cols = {c: store_table("placements").column(
            next(pc.name for pc in store_table("placements").columns if pc.item_ref == store_table(
                "looked_after_episodes").column(c).item_ref)).name
            for c, (other, _) in cross.items() if other == "ssd_cla_placement"}
        if placements is not None:
            pick = placements.select("placement_id", *[pl.col(pc).alias(c) for c, pc in placement_cols.items()],
                                     pl.col("end_date").alias("_pl_end"))
            episodes = episodes.join(pick, on="placement_id", how="left")
            if "reason_place_change" in episodes.columns:  # recorded on the placement that ended
                episodes = episodes.with_columns(
                    pl.when(pl.col("end_date") == pl.col("_pl_end")).then(pl.col("reason_place_change"))
                    .alias("reason_place_change"))
        if "legal_status" in cross and frames.get("legal_statuses") is not None:
            legal = frames["legal_statuses"]
            ids = _in_force(episodes, "start_date", legal, "legal_status_id")
            episodes = episodes.with_columns(ids.alias("_ls")).join(
                legal.select(pl.col("legal_status_id").alias("_ls"), "legal_status"), on="_ls", how="left")
        if "home_postcode" in cross and raws.get("ssd_address") is not None:
            episodes = episodes.with_columns(_home_postcodes(ctx, episodes, raws["ssd_address"]))
        raw = raws["ssd_cla_episodes"]
        for col, (other, fld) in cross.items():
            if col not in episodes.columns:
                episodes = episodes.with_columns(pl.lit(None, polars_schema("looked_after_episodes")[col]).alias(col))
        for col in ("placement_type", "legal_status"):
            other, fld = cross[col]
            for loc, v in episodes.filter(pl.col(col).is_null()).select(
                    "_loc", "placement_id" if col == "placement_type" else "start_date").iter_rows():
                what = (f"a placement {v} in {other} (placement type {fld})" if col == "placement_type"
                        else f"a legal status in {other} in force on the episode start ({v:%d/%m/%Y})")
                ctx.add(raw, loc, "clae_cla_placement_id" if col == "placement_type" else fld, v, what)
        frames["looked_after_episodes"] = episodes.drop([c for c in ("_pl_end", "_ls") if c in episodes.columns])

    # the period of care a record falls in, found by date; a review's child is its period's
    periods = frames.get("periods_of_care")
    reviews = frames.get("looked_after_reviews")
    if reviews is not None:
        owner = periods.select("period_id", "child_id") if periods is not None else \
            pl.DataFrame(schema={"period_id": pl.Utf8, "child_id": pl.Utf8})
        frames["looked_after_reviews"] = reviews.drop("child_id", strict=False).join(owner, on="period_id",
                                                                                     how="left")
        _drop_missing(ctx, frames, "looked_after_reviews", "child_id", "review of a period of care not in "
                      "ssd_cla_episodes")
    if periods is not None:
        for name, date_col in (("legal_statuses", "start_date"), ("missing_episodes", "start_date")):
            f = frames.get(name)
            if f is not None:
                frames[name] = f.with_columns(_in_force(f, date_col, periods, "period_id").alias("period_id"))
        prev = frames.get("previous_permanence")
        if prev is not None:
            latest = periods.sort("start_date").group_by("child_id").agg(pl.col("period_id").last())
            frames["previous_permanence"] = prev.join(latest, on="child_id", how="left")
    for name, why in (("legal_statuses", "legal status outside any period of care in ssd_cla_episodes"),
                      ("previous_permanence", "previous permanence of a child with no period of care")):
        if name in frames and "period_id" not in frames[name].columns:
            frames[name] = frames[name].with_columns(pl.lit(None, pl.Utf8).alias("period_id"))
        _drop_missing(ctx, frames, name, "period_id", why)

    # CIN visits: the child's CIN plan open on the day
    visits, plans = frames.get("cin_visits"), frames.get("cin_plans")
    if visits is not None:
        ids = _in_force(visits, "visit_date", plans, "cin_plan_id") if plans is not None else \
            pl.Series("cin_plan_id", [None] * visits.height, dtype=pl.Utf8)
        frames["cin_visits"] = visits.with_columns(ids.alias("cin_plan_id"))
        _drop_missing(ctx, frames, "cin_visits", "cin_plan_id", "CIN visit on a day no CIN plan of the child was open")

    # assessment factors: the child is the assessment's; one row per factor
    factors = frames.get("assessment_factors")
    if factors is not None:
        assessments = frames.get("assessments")
        child = assessments.select("assessment_id", "child_id") if assessments is not None else \
            pl.DataFrame(schema={"assessment_id": pl.Utf8, "child_id": pl.Utf8})
        factors = factors.drop("child_id", strict=False).join(child.unique("assessment_id"), on="assessment_id",
                                                               how="left")
        factors = factors.with_columns(pl.col("factor").map_elements(
            lambda v: r if isinstance(r := _factors(v), list) else [], return_dtype=pl.List(pl.Utf8),
            skip_nulls=True)).explode("factor")
        frames["assessment_factors"] = factors.filter(pl.col("factor").is_not_null()).unique(
            ["assessment_id", "factor"], keep="first", maintain_order=True)
        _drop_missing(ctx, frames, "assessment_factors", "child_id", "factors of an assessment not in "
                      "ssd_cin_assessments")

    # care leavers: the birthday is the one at or before the latest contact (or pathway plan review)
    leavers, person = frames.get("care_leaver_contacts"), frames.get("person")
    if leavers is not None:
        raw = raws["ssd_care_leavers"].frame
        review = raw["clea_pathway_plan_review_date"] if "clea_pathway_plan_review_date" in raw.columns else \
            pl.Series([None] * raw.height, dtype=pl.Utf8)
        review = pl.Series([_date_or_none(v) for v in review.to_list()], dtype=pl.Date)
        dob = person.select("child_id", "date_of_birth") if person is not None else \
            pl.DataFrame(schema={"child_id": pl.Utf8, "date_of_birth": pl.Date})
        leavers = leavers.with_columns(review.head(leavers.height).alias("_review")) \
            .join(dob.unique("child_id"), on="child_id", how="left")
        on = pl.coalesce("contact_date", "_review")
        age = (on.dt.year() - pl.col("date_of_birth").dt.year()
               - ((on.dt.month() * 100 + on.dt.day()) < (pl.col("date_of_birth").dt.month() * 100
                                                          + pl.col("date_of_birth").dt.day())).cast(pl.Int32))
        leavers = leavers.with_columns(pl.when(age.is_between(17, 21)).then(age).cast(pl.Int32).alias("birthday_age"))
        frames["care_leaver_contacts"] = leavers.drop("_review", "date_of_birth").unique(
            ["child_id", "birthday_age"], keep="last", maintain_order=True)
        _drop_missing(ctx, frames, "care_leaver_contacts", "birthday_age", "care leaver whose age at the latest "
                      "contact is not 17–21 or not known")

    # people: an immigration status naming an unaccompanied asylum-seeking child makes uasc true
    if person is not None:
        uasc = pl.DataFrame(schema={"child_id": pl.Utf8, "uasc": pl.Boolean, "uasc_ceased_date": pl.Date})
        immi = raws.get("ssd_immigration_status")
        if immi is not None and {"immi_person_id", "immi_immigration_status"} <= set(immi.frame.columns):
            f = immi.frame.filter(pl.col("immi_immigration_status").str.contains(r"(?i)\buasc\b|unaccompanied"))
            ends = [_date_or_none(v) for v in (f["immi_immigration_status_end_date"].to_list()
                                               if "immi_immigration_status_end_date" in f.columns
                                               else [None] * f.height)]
            f = f.select(pl.col("immi_person_id").alias("child_id")).with_columns(
                pl.Series("_end", ends, dtype=pl.Date))
            uasc = f.group_by("child_id").agg(pl.lit(True).alias("uasc"),
                                              pl.when(pl.col("_end").is_null().any()).then(None)
                                              .otherwise(pl.col("_end").max()).alias("uasc_ceased_date"))
        frames["person"] = person.join(uasc, on="child_id", how="left").with_columns(
            pl.col("uasc").fill_null(False))
    return frames


def _home_postcodes(ctx: _Ctx, episodes: pl.DataFrame, raw: _Raw) -> pl.Series:
    """For each episode, the postcode (ADDR006A) of the child's address in ``ssd_address`` in force on the
    episode's start date (the 903 HOME_POST: the home the child was looked after from); the latest-starting
    address when several are. Empty when the SSD has no address for the child on that day."""
    f = raw.frame
    needed = ["addr_person_id", "addr_address_start_date", "addr_address_postcode"]
    missing = [c for c in needed if c not in f.columns]
    if missing:
        ctx.add(raw, "", ", ".join(missing), None, "the ssd_address columns " + ", ".join(needed) +
                " (the home postcode of each looked-after episode comes from them)")
        return pl.Series("home_postcode", [None] * episodes.height, dtype=pl.Utf8)
    ends = f["addr_address_end_date"].to_list() if "addr_address_end_date" in f.columns else [None] * f.height
    starts, stops = [], []
    for loc, start, end in zip(f["_loc"].to_list(), f["addr_address_start_date"].to_list(), ends):
        for name, value, out in (("addr_address_start_date", start, starts), ("addr_address_end_date", end, stops)):
            d = parse_ssd_date(value) if value else None
            if isinstance(d, str):
                ctx.add(raw, loc, name, value, d)
                d = None
            out.append(d)
    spans = pl.DataFrame({
        "child_id": f["addr_person_id"], "start_date": pl.Series(starts, dtype=pl.Date),
        "end_date": pl.Series(stops, dtype=pl.Date),
        "postcode": f["addr_address_postcode"].str.to_uppercase().str.replace_all(r"\s+", " ")})
    spans = spans.filter(pl.col("postcode").is_not_null())
    return _in_force(episodes, "start_date", spans, "postcode").rename("home_postcode")


def _check_people(ctx: _Ctx, frames: dict[str, pl.DataFrame], raws: dict[str, _Raw]) -> None:
    """Every child in the other tables is in ssd_person."""
    person = frames.get("person")
    known = set(person["child_id"].to_list()) if person is not None else set()
    for name, f in frames.items():
        if name == "person" or "child_id" not in f.columns:
            continue
        t = store_table(name)
        raw = raws[t.ssd_table]
        bad = f.filter(pl.col("child_id").is_not_null() & ~pl.col("child_id").is_in(list(known)))
        for loc, child in bad.select("_loc", "child_id").iter_rows():
            ctx.add(raw, loc, person_field(t.ssd_table) or "child", child, "a person in ssd_person")
