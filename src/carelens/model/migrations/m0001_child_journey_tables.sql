-- Migration 1: the child-journey tables of CareLens 0.1.0, the first release (generated then from
-- carelens/model/tables.py; frozen here, so that a later change to a table is a later migration).
CREATE TABLE IF NOT EXISTS "person" (
  "la_code" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "upn" VARCHAR,
  "upn_unknown" VARCHAR,
  "sex" VARCHAR NOT NULL,
  "date_of_birth" DATE NOT NULL,
  "unborn" BOOLEAN,
  "ethnicity" VARCHAR NOT NULL,
  "date_of_death" DATE,
  "uasc" BOOLEAN NOT NULL,
  "uasc_ceased_date" DATE,
  "is_mother" BOOLEAN,
  "mother_child_date_of_birth" DATE,
  "home_postcode" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "disabilities" (
  "la_code" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "disability" VARCHAR NOT NULL,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "contacts" (
  "la_code" VARCHAR NOT NULL,
  "contact_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "contact_date" DATE NOT NULL,
  "source" VARCHAR NOT NULL,
  "outcome" VARCHAR NOT NULL,
  "referral_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "early_help_episodes" (
  "la_code" VARCHAR NOT NULL,
  "early_help_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "reason" VARCHAR,
  "end_reason" VARCHAR,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "from_referral_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "referrals" (
  "la_code" VARCHAR NOT NULL,
  "referral_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_date" DATE NOT NULL,
  "source" VARCHAR NOT NULL,
  "contact_id" VARCHAR,
  "primary_need" VARCHAR,
  "referral_nfa" BOOLEAN NOT NULL,
  "closure_date" DATE,
  "closure_reason" VARCHAR,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "assessments" (
  "la_code" VARCHAR NOT NULL,
  "assessment_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR NOT NULL,
  "start_date" DATE NOT NULL,
  "authorised_date" DATE,
  "child_seen" BOOLEAN,
  "outcome_nfa" BOOLEAN,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "assessment_factors" (
  "la_code" VARCHAR NOT NULL,
  "assessment_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "factor" VARCHAR NOT NULL,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "strategy_discussions" (
  "la_code" VARCHAR NOT NULL,
  "strategy_discussion_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR NOT NULL,
  "discussion_date" DATE NOT NULL,
  "outcome_s47" BOOLEAN NOT NULL,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "s47_enquiries" (
  "la_code" VARCHAR NOT NULL,
  "s47_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR NOT NULL,
  "strategy_discussion_id" VARCHAR,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "outcome" VARCHAR,
  "icpc_target_date" DATE,
  "icpc_not_required" BOOLEAN,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "initial_cp_conferences" (
  "la_code" VARCHAR NOT NULL,
  "icpc_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR NOT NULL,
  "s47_id" VARCHAR,
  "target_date" DATE,
  "conference_date" DATE NOT NULL,
  "transfer_in" BOOLEAN NOT NULL,
  "outcome_cp_plan" BOOLEAN NOT NULL,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "cp_plans" (
  "la_code" VARCHAR NOT NULL,
  "cp_plan_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR NOT NULL,
  "icpc_id" VARCHAR,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "initial_category" VARCHAR NOT NULL,
  "latest_category" VARCHAR NOT NULL,
  "previous_plans" INTEGER,
  "end_reason" VARCHAR,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "cp_reviews" (
  "la_code" VARCHAR NOT NULL,
  "cp_review_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "cp_plan_id" VARCHAR NOT NULL,
  "due_date" DATE,
  "review_date" DATE NOT NULL,
  "plan_continues" BOOLEAN,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "cp_visits" (
  "la_code" VARCHAR NOT NULL,
  "cp_visit_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "cp_plan_id" VARCHAR NOT NULL,
  "visit_date" DATE NOT NULL,
  "child_seen" BOOLEAN,
  "child_seen_alone" BOOLEAN,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "cin_plans" (
  "la_code" VARCHAR NOT NULL,
  "cin_plan_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR NOT NULL,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "team_id" VARCHAR,
  "worker_id" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "cin_visits" (
  "la_code" VARCHAR NOT NULL,
  "cin_visit_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "cin_plan_id" VARCHAR NOT NULL,
  "visit_date" DATE NOT NULL,
  "child_seen" BOOLEAN,
  "child_seen_alone" BOOLEAN,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "periods_of_care" (
  "la_code" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "reason_ceased" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "looked_after_episodes" (
  "la_code" VARCHAR NOT NULL,
  "episode_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "start_date" DATE NOT NULL,
  "reason_new_episode" VARCHAR NOT NULL,
  "legal_status" VARCHAR NOT NULL,
  "cin_category" VARCHAR NOT NULL,
  "placement_id" VARCHAR NOT NULL,
  "placement_type" VARCHAR NOT NULL,
  "placement_provider" VARCHAR,
  "end_date" DATE,
  "reason_ceased" VARCHAR,
  "reason_place_change" VARCHAR,
  "home_postcode" VARCHAR,
  "placement_postcode" VARCHAR,
  "urn" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "legal_statuses" (
  "la_code" VARCHAR NOT NULL,
  "legal_status_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "legal_status" VARCHAR NOT NULL,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "placements" (
  "la_code" VARCHAR NOT NULL,
  "placement_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "placement_type" VARCHAR NOT NULL,
  "provider" VARCHAR,
  "postcode" VARCHAR,
  "urn" VARCHAR,
  "distance_miles" DOUBLE,
  "inside_la" BOOLEAN,
  "change_reason" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "looked_after_reviews" (
  "la_code" VARCHAR NOT NULL,
  "review_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "due_date" DATE,
  "review_date" DATE NOT NULL,
  "participation" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "looked_after_visits" (
  "la_code" VARCHAR NOT NULL,
  "visit_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "visit_date" DATE NOT NULL,
  "child_seen" BOOLEAN,
  "child_seen_alone" BOOLEAN,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "health_checks" (
  "la_code" VARCHAR NOT NULL,
  "health_check_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "check_type" VARCHAR NOT NULL,
  "check_date" DATE NOT NULL,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "annual_outcomes" (
  "la_code" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "year_ending" DATE NOT NULL,
  "sdq_score" INTEGER,
  "sdq_reason" VARCHAR,
  "convicted" BOOLEAN,
  "health_check_up_to_date" BOOLEAN,
  "immunisations_up_to_date" BOOLEAN,
  "teeth_checked" BOOLEAN,
  "health_assessment_up_to_date" BOOLEAN,
  "substance_misuse" BOOLEAN,
  "intervention_received" BOOLEAN,
  "intervention_offered" BOOLEAN,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "missing_episodes" (
  "la_code" VARCHAR NOT NULL,
  "missing_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR,
  "missing_type" VARCHAR NOT NULL,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "return_interview_offered" BOOLEAN,
  "return_interview_accepted" BOOLEAN,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "permanence" (
  "la_code" VARCHAR NOT NULL,
  "permanence_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "adoption_decision_date" DATE,
  "placement_order_date" DATE,
  "matched_date" DATE,
  "placed_for_adoption_date" DATE,
  "decision_reversed_date" DATE,
  "decision_reversed_reason" VARCHAR,
  "order_type" VARCHAR,
  "order_date" DATE,
  "adopted_by_foster_carer" BOOLEAN,
  "number_of_adopters" INTEGER,
  "adopter_sex" VARCHAR,
  "adopter_legal_status" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "previous_permanence" (
  "la_code" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "period_id" VARCHAR NOT NULL,
  "option" VARCHAR NOT NULL,
  "order_date" DATE,
  "order_la" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "care_leaver_contacts" (
  "la_code" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "birthday_age" INTEGER NOT NULL,
  "contact_date" DATE,
  "in_touch" VARCHAR NOT NULL,
  "activity" VARCHAR,
  "accommodation" VARCHAR,
  "eligibility" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "teams" (
  "la_code" VARCHAR NOT NULL,
  "team_id" VARCHAR NOT NULL,
  "name" VARCHAR NOT NULL,
  "service" VARCHAR NOT NULL,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "workers" (
  "la_code" VARCHAR NOT NULL,
  "worker_id" VARCHAR NOT NULL,
  "team_id" VARCHAR NOT NULL,
  "swe_registration" VARCHAR,
  "role" VARCHAR NOT NULL,
  "fte" DOUBLE,
  "agency" BOOLEAN NOT NULL,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "allocations" (
  "la_code" VARCHAR NOT NULL,
  "allocation_id" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "worker_id" VARCHAR NOT NULL,
  "team_id" VARCHAR NOT NULL,
  "referral_id" VARCHAR,
  "start_date" DATE NOT NULL,
  "end_date" DATE,
  "start_reason" VARCHAR,
  "change_reason" VARCHAR,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "population" (
  "la_code" VARCHAR NOT NULL,
  "year" INTEGER NOT NULL,
  "age" INTEGER NOT NULL,
  "sex" VARCHAR NOT NULL,
  "children" BIGINT NOT NULL,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
CREATE TABLE IF NOT EXISTS "held_back_children" (
  "la_code" VARCHAR NOT NULL,
  "child_id" VARCHAR NOT NULL,
  "source_kind" VARCHAR NOT NULL,
  "problem_count" INTEGER NOT NULL,
  "first_problem" VARCHAR NOT NULL,
  "held_at" VARCHAR NOT NULL,
  "source_file" VARCHAR,
  "source_year" INTEGER,
  "source_row" BIGINT
);
