"""The canonical child-journey store: every table, every column, what it means.

This module is the single declaration of the store. The DuckDB schema, the Ibis
schemas, the Polars schemas used by the generator and readers, and the reference
page ``docs/data-model.md`` are all derived from it, so they cannot drift apart.

Names follow the domain (``cp_plans``, ``looked_after_episodes``), not any one
case-management system. Where the Standard Safeguarding Dataset (SSD) defines the
same item, its ``item_ref`` is recorded so that SSD extracts map one-to-one.
Code-valued columns name the code list (see :mod:`carelens.model.code_lists`)
that their values must come from, for the collection year in which the event
happened.

Every table also carries ``la_code`` (the 3-digit DfE local authority number),
so one store can hold a single council or a whole region's pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One typed column of the store."""

    name: str
    dtype: str  # an Ibis type name: string, date, boolean, int32, int64, float64
    description: str
    item_ref: str | None = None  # Standard Safeguarding Dataset item reference
    code_list: str | None = None  # name of the code list the values come from
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    """One table of the store: its meaning, primary key and columns."""

    name: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    ssd_table: str | None = None
    # Columns that together must never overlap in time for the same child
    # (start, end) — checked by the store invariants.
    no_overlap: tuple[str, str] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _c(name, dtype, description, item_ref=None, code_list=None, nullable=True) -> Column:
    return Column(name, dtype, description, item_ref, code_list, nullable)


def _key(name, description, item_ref=None) -> Column:
    return Column(name, "string", description, item_ref, None, False)


LA_CODE = _c("la_code", "string", "DfE 3-digit local authority number that holds the record.",
             nullable=False)
CHILD = _key("child_id", "The child's unique identifier in the case system (903 CHILD, CIN LAchildID).",
             "PERS001A")


# Where every row came from: the file, the collection year of the return, and the row (CSV) or
# line (XML) in it. Generated rows say "synthetic:<profile>"; rows a user keyed in say so.
PROVENANCE = (
    _c("source_file", "string", "The file (or system) the row was loaded from."),
    _c("source_year", "int32", "Collection year of the return the row came from (2025 = 2024/25)."),
    _c("source_row", "int64", "Row number in a CSV or sheet, or line number in an XML file."),
)
PROVENANCE_COLUMNS = tuple(c.name for c in PROVENANCE)


def _table(name, description, primary_key, *columns, ssd_table=None, no_overlap=None) -> Table:
    return Table(name, description, tuple(primary_key), (LA_CODE, *columns, *PROVENANCE),
                 ssd_table=ssd_table, no_overlap=no_overlap)


TABLES: tuple[Table, ...] = (
    # ------------------------------------------------------------------ people
    _table(
        "person",
        "Every child known to children's services: identity and characteristics.",
        ["child_id"],
        CHILD,
        _c("upn", "string", "Unique Pupil Number (13 characters) if known.", "PERS006A"),
        _c("upn_unknown", "string", "Reason the UPN is not known (UN1–UN7).", "PERS007A", "upn_unknown"),
        _c("sex", "string", "Sex: M, F or U (unknown). Older returns map 1/2 to M/F.", "PERS002A", "sex",
           nullable=False),
        _c("date_of_birth", "date", "Date of birth (or expected date for an unborn child).", "PERS005A",
           nullable=False),
        _c("unborn", "boolean", "True while the child is unborn (only an expected date of birth is known)."),
        _c("ethnicity", "string", "DfE ethnicity code (e.g. WBRI).", "PERS004A", "ethnicity",
           nullable=False),
        _c("date_of_death", "date", "Date of death, if the child has died.", "PERS010A"),
        _c("uasc", "boolean", "Was ever an unaccompanied asylum-seeking child.", nullable=False),
        _c("uasc_ceased_date", "date", "Date the child ceased to be a UASC (903 uasc DUC), if they did."),
        _c("is_mother", "boolean", "Looked-after young woman who is a mother (903 MOTHER)."),
        _c("mother_child_date_of_birth", "date", "Date of birth of her first child (903 MC_DOB)."),
        _c("home_postcode", "string", "Postcode of the home address from which the child was taken into care."),
        ssd_table="ssd_person",
    ),
    _table(
        "disabilities",
        "Disabilities recorded for a child (CIN census codes); NONE when assessed as having none.",
        ["child_id", "disability"],
        CHILD,
        _c("disability", "string", "Disability code (MOB, HAND, … or NONE).", "DISA002A", "disability",
           nullable=False),
        ssd_table="ssd_disability",
    ),
    # ------------------------------------------------------------ front door
    _table(
        "contacts",
        "A contact: a request for help or a concern about a child reaching the front door.",
        ["contact_id"],
        _key("contact_id", "Contact identifier.", "CONT001A"),
        CHILD,
        _c("contact_date", "date", "Date of the contact.", "CONT003A", nullable=False),
        _c("source", "string", "Who made the contact (CIN referral-source codes).", "CONT004A",
           "referral_source", nullable=False),
        _c("outcome", "string", "What followed: REFERRAL, EARLY_HELP, INFORMATION_ADVICE or NFA; NOT_RECORDED when "
           "the source does not say (an Annex A contact with no same-day referral).", "CONT005A",
           "contact_outcome", nullable=False),
        _c("referral_id", "string", "The referral this contact became, when outcome is REFERRAL."),
        ssd_table="ssd_contacts",
    ),
    _table(
        "early_help_episodes",
        "An episode of targeted early help below the statutory threshold.",
        ["early_help_id"],
        _key("early_help_id", "Early help episode identifier.", "EARL001A"),
        CHILD,
        _c("start_date", "date", "Episode start.", "EARL003A", nullable=False),
        _c("end_date", "date", "Episode end (empty while open).", "EARL004A"),
        _c("reason", "string", "Reason for involvement (CIN primary need codes).", "EARL005A",
           "cin_primary_need"),
        _c("end_reason", "string", "How the episode ended: COMPLETED, STEP_UP, DISENGAGED, MOVED, AGED_OUT.",
           "EARL006A", "early_help_end_reason"),
        _c("team_id", "string", "Team holding the episode.", "EARL007A"),
        _c("worker_id", "string", "Allocated worker.", "EARL008A"),
        _c("from_referral_id", "string", "The social-care referral it was stepped down from, if any."),
        ssd_table="ssd_early_help_episodes",
        no_overlap=("start_date", "end_date"),
    ),
    _table(
        "referrals",
        "A referral to children's social care: opens a child-in-need episode (CIN census CINdetails).",
        ["referral_id"],
        _key("referral_id", "Referral identifier.", "CINE001A"),
        CHILD,
        _c("referral_date", "date", "Date of referral.", "CINE003A", nullable=False),
        _c("source", "string", "Referral source.", "CINE004A", "referral_source", nullable=False),
        _c("contact_id", "string", "The contact the referral came from."),
        _c("primary_need", "string", "CIN primary need code (N0–N9).", "CINE010A", "cin_primary_need"),
        _c("referral_nfa", "boolean", "Referral closed with no further action, without assessment.", "CINE011A",
           nullable=False),
        _c("closure_date", "date", "Date the child-in-need episode closed (empty while open).", "CINE007A"),
        _c("closure_reason", "string", "Reason for closure (RC1–RC9).", "CINE006A", "cin_closure_reason"),
        _c("team_id", "string", "Team that took the referral.", "CINE008A"),
        _c("worker_id", "string", "Worker who took the referral.", "CINE009A"),
        ssd_table="ssd_cin_episodes",
        no_overlap=("referral_date", "closure_date"),
    ),
    _table(
        "assessments",
        "A child and family (single) assessment under a referral.",
        ["assessment_id"],
        _key("assessment_id", "Assessment identifier.", "CINA001A"),
        CHILD,
        _c("referral_id", "string", "The referral it belongs to.", "CINA010A", nullable=False),
        _c("start_date", "date", "Assessment actual start date.", "CINA003A", nullable=False),
        _c("authorised_date", "date", "Date the assessment was completed and authorised.", "CINA005A"),
        _c("child_seen", "boolean", "Child seen during the assessment.", "CINA004A"),
        _c("outcome_nfa", "boolean", "Assessment ended with no further social care involvement.", "CINA009A"),
        _c("team_id", "string", "Team completing the assessment.", "CINA007A"),
        _c("worker_id", "string", "Worker completing the assessment.", "CINA008A"),
        ssd_table="ssd_cin_assessments",
    ),
    _table(
        "assessment_factors",
        "Factors identified at the end of an assessment (CIN census codes, e.g. 3A domestic abuse).",
        ["assessment_id", "factor"],
        _key("assessment_id", "Assessment identifier.", "CINF001A"),
        CHILD,
        _c("factor", "string", "Factor code.", "CINF002A", "assessment_factor", nullable=False),
        ssd_table="ssd_assessment_factors",
    ),
    # ------------------------------------------------------ child protection
    _table(
        "strategy_discussions",
        "A strategy discussion (or meeting) with police and health about possible significant harm.",
        ["strategy_discussion_id"],
        _key("strategy_discussion_id", "Strategy discussion identifier."),
        CHILD,
        _c("referral_id", "string", "The referral it belongs to.", nullable=False),
        _c("discussion_date", "date", "Date the discussion was held.", nullable=False),
        _c("outcome_s47", "boolean", "Decided to start a section 47 enquiry.", nullable=False),
        _c("team_id", "string", "Team that convened it."),
        _c("worker_id", "string", "Worker who convened it."),
    ),
    _table(
        "s47_enquiries",
        "A section 47 (Children Act 1989) child protection enquiry.",
        ["s47_id"],
        _key("s47_id", "S47 enquiry identifier.", "S47E001A"),
        CHILD,
        _c("referral_id", "string", "The referral it belongs to.", "S47E010A", nullable=False),
        _c("strategy_discussion_id", "string", "The strategy discussion that started it."),
        _c("start_date", "date", "S47 actual start date.", "S47E004A", nullable=False),
        _c("end_date", "date", "Date the enquiry concluded.", "S47E005A"),
        _c("outcome", "string", "ICPC, CIN_PLAN or NFA.", "S47E007A", "s47_outcome"),
        _c("icpc_target_date", "date", "Date by which an ICPC should be held (15 working days from the "
           "strategy discussion)."),
        _c("icpc_not_required", "boolean", "The enquiry concluded that no ICPC was needed.", "S47E006A"),
        _c("team_id", "string", "Team completing the enquiry.", "S47E009A"),
        _c("worker_id", "string", "Worker completing the enquiry.", "S47E008A"),
        ssd_table="ssd_s47_enquiry",
    ),
    _table(
        "initial_cp_conferences",
        "An initial child protection conference (ICPC), including transfer-in conferences.",
        ["icpc_id"],
        _key("icpc_id", "ICPC identifier.", "ICPC001A"),
        CHILD,
        _c("referral_id", "string", "The referral it belongs to.", "ICPC012A", nullable=False),
        _c("s47_id", "string", "The s47 enquiry that led to it (empty for a transfer-in).", "ICPC002A"),
        _c("target_date", "date", "Target date for the conference.", "ICPC004A"),
        _c("conference_date", "date", "Date the conference was held.", "ICPC005A", nullable=False),
        _c("transfer_in", "boolean", "A transfer-in conference for a child on a plan elsewhere.", "ICPC003A",
           nullable=False),
        _c("outcome_cp_plan", "boolean", "The conference made the child subject to a CP plan.", "ICPC013A",
           nullable=False),
        _c("team_id", "string", "Team presenting to conference.", "ICPC007A"),
        _c("worker_id", "string", "Worker presenting to conference.", "ICPC008A"),
        ssd_table="ssd_initial_cp_conference",
    ),
    _table(
        "cp_plans",
        "A child protection plan.",
        ["cp_plan_id"],
        _key("cp_plan_id", "CP plan identifier.", "CPPL001A"),
        CHILD,
        _c("referral_id", "string", "The referral it belongs to.", "CPPL007A", nullable=False),
        _c("icpc_id", "string", "The conference that made the plan.", "CPPL008A"),
        _c("start_date", "date", "CP plan start date.", "CPPL003A", nullable=False),
        _c("end_date", "date", "CP plan end date (empty while open).", "CPPL004A"),
        _c("initial_category", "string", "Initial category of abuse.", "CPPL009A", "category_of_abuse",
           nullable=False),
        _c("latest_category", "string", "Latest category of abuse.", "CPPL010A", "category_of_abuse",
           nullable=False),
        _c("previous_plans", "int32", "Number of earlier CP plans the child had, as a return recorded it (CIN "
           "NumberOfPreviousCPP, which counts plans the store may not hold); empty when not recorded."),
        _c("end_reason", "string", "Why the plan ended: STEP_DOWN_CIN, CLOSED, LOOKED_AFTER, TRANSFERRED_OUT, "
           "AGED_18.", code_list="cp_plan_end_reason"),
        _c("team_id", "string", "Team holding the plan."),
        _c("worker_id", "string", "Worker holding the plan."),
        ssd_table="ssd_cp_plans",
        no_overlap=("start_date", "end_date"),
    ),
    _table(
        "cp_reviews",
        "A child protection review conference.",
        ["cp_review_id"],
        _key("cp_review_id", "Review identifier.", "CPPR001A"),
        CHILD,
        _c("cp_plan_id", "string", "The plan reviewed.", "CPPR002A", nullable=False),
        _c("due_date", "date", "Date the review was due.", "CPPR003A"),
        _c("review_date", "date", "Date the review was held.", "CPPR004A", nullable=False),
        _c("plan_continues", "boolean", "The review decided the plan should continue.", "CPPR005A"),
        ssd_table="ssd_cp_reviews",
    ),
    _table(
        "cp_visits",
        "A statutory visit to a child on a CP plan.",
        ["cp_visit_id"],
        _key("cp_visit_id", "Visit identifier.", "CPPV007A"),
        CHILD,
        _c("cp_plan_id", "string", "The plan the visit was under.", "CPPV001A", nullable=False),
        _c("visit_date", "date", "Date of the visit.", "CPPV003A", nullable=False),
        _c("child_seen", "boolean", "Child seen.", "CPPV004A"),
        _c("child_seen_alone", "boolean", "Child seen alone.", "CPPV005A"),
        ssd_table="ssd_cp_visits",
    ),
    _table(
        "cin_plans",
        "A child in need plan.",
        ["cin_plan_id"],
        _key("cin_plan_id", "CIN plan identifier.", "CINP001A"),
        CHILD,
        _c("referral_id", "string", "The referral it belongs to.", "CINP007A", nullable=False),
        _c("start_date", "date", "CIN plan start date.", "CINP003A", nullable=False),
        _c("end_date", "date", "CIN plan end date (empty while open).", "CINP004A"),
        _c("team_id", "string", "Team holding the plan.", "CINP005A"),
        _c("worker_id", "string", "Worker holding the plan.", "CINP006A"),
        ssd_table="ssd_cin_plans",
        no_overlap=("start_date", "end_date"),
    ),
    _table(
        "cin_visits",
        "A visit to a child on a child in need plan.",
        ["cin_visit_id"],
        _key("cin_visit_id", "Visit identifier.", "CINV001A"),
        CHILD,
        _c("cin_plan_id", "string", "The plan the visit was under.", nullable=False),
        _c("visit_date", "date", "Date of the visit.", "CINV003A", nullable=False),
        _c("child_seen", "boolean", "Child seen.", "CINV004A"),
        _c("child_seen_alone", "boolean", "Child seen alone.", "CINV005A"),
        ssd_table="ssd_cin_visits",
    ),
    # ------------------------------------------------------- looked after
    _table(
        "periods_of_care",
        "A continuous period of being looked after: from the first episode's start to the last episode's end.",
        ["period_id"],
        _key("period_id", "Period of care identifier.", "CLAE010A"),
        CHILD,
        _c("referral_id", "string", "The referral under which the child came into care.", "CLAE011A"),
        _c("start_date", "date", "Date the child started to be looked after.", "CLAE014A", nullable=False),
        _c("end_date", "date", "Date the child ceased to be looked after (empty while looked after).",
           "CLAE005A"),
        _c("reason_ceased", "string", "903 reason episode ceased for the final episode (e.g. E11, E13, E41).",
           "CLAE006A", "reason_episode_ceased"),
        ssd_table="ssd_cla_episodes",
        no_overlap=("start_date", "end_date"),
    ),
    _table(
        "looked_after_episodes",
        "A 903 episode: a stretch of care with one legal status and one placement. A change in either starts a "
        "new episode.",
        ["episode_id"],
        _key("episode_id", "Episode identifier.", "CLAE001A"),
        CHILD,
        _c("period_id", "string", "The period of care it belongs to.", "CLAE010A", nullable=False),
        _c("start_date", "date", "Date episode commenced (903 DECOM).", "CLAE003A", nullable=False),
        _c("reason_new_episode", "string", "903 RNE: S (started), L (legal change), P (placement change), "
           "B (both), T/U (same-placement changes).", "CLAE004A", "reason_new_episode", nullable=False),
        _c("legal_status", "string", "903 LS legal status (C1, C2, V2, …).", "LEGA003A", "legal_status",
           nullable=False),
        _c("cin_category", "string", "903 CIN: category of need on entering care (N1–N8).", "CLAE009A",
           "cin_primary_need", nullable=False),
        _c("placement_id", "string", "The placement in force.", "CLAE013A", nullable=False),
        _c("placement_type", "string", "903 PLACE placement type.", "CLAP004A", "placement_type", nullable=False),
        _c("placement_provider", "string", "903 PLACE_PROVIDER (PR0–PR5).", "CLAP007A", "placement_provider"),
        _c("end_date", "date", "Date episode ceased (903 DEC); empty while open.", "CLAE005A"),
        _c("reason_ceased", "string", "903 REC reason episode ceased.", "CLAE006A", "reason_episode_ceased"),
        _c("reason_place_change", "string", "903 REASON_PLACE_CHANGE for a placement move.", "CLAP010A",
           "reason_place_change"),
        _c("home_postcode", "string", "903 HOME_POST.", "ADDR006A"),
        _c("placement_postcode", "string", "903 PL_POST.", "CLAP008A"),
        _c("urn", "string", "Ofsted URN of the placement, or XXXXXXX when none applies.", "CLAP005A"),
        ssd_table="ssd_cla_episodes",
        no_overlap=("start_date", "end_date"),
    ),
    _table(
        "legal_statuses",
        "A legal status held while looked after.",
        ["legal_status_id"],
        _key("legal_status_id", "Legal status identifier.", "LEGA001A"),
        CHILD,
        _c("period_id", "string", "The period of care.", nullable=False),
        _c("legal_status", "string", "903 legal status code.", "LEGA003A", "legal_status", nullable=False),
        _c("start_date", "date", "Legal status start.", "LEGA004A", nullable=False),
        _c("end_date", "date", "Legal status end (empty while current).", "LEGA005A"),
        ssd_table="ssd_legal_status",
        no_overlap=("start_date", "end_date"),
    ),
    _table(
        "placements",
        "A placement while looked after.",
        ["placement_id"],
        _key("placement_id", "Placement identifier.", "CLAP001A"),
        CHILD,
        _c("period_id", "string", "The period of care.", "CLAP012A", nullable=False),
        _c("start_date", "date", "Placement start.", "CLAP003A", nullable=False),
        _c("end_date", "date", "Placement end (empty while current).", "CLAP009A"),
        _c("placement_type", "string", "903 placement type.", "CLAP004A", "placement_type", nullable=False),
        _c("provider", "string", "903 placement provider (PR0 parent, PR1 own LA, PR2 other LA, PR3 other "
           "public, PR4 private, PR5 voluntary).", "CLAP007A", "placement_provider"),
        _c("postcode", "string", "Placement postcode.", "CLAP008A"),
        _c("urn", "string", "Ofsted URN of the placement (XXXXXXX when none).", "CLAP005A"),
        _c("distance_miles", "float64", "Distance from home postcode in miles.", "CLAP011A"),
        _c("inside_la", "boolean", "Placement is inside the authority's boundary."),
        _c("change_reason", "string", "Why the placement ended, when the child moved.", "CLAP010A",
           "reason_place_change"),
        ssd_table="ssd_cla_placement",
        no_overlap=("start_date", "end_date"),
    ),
    _table(
        "looked_after_reviews",
        "A statutory review of a looked-after child's care plan.",
        ["review_id"],
        _key("review_id", "Review identifier.", "CLAR001A"),
        CHILD,
        _c("period_id", "string", "The period of care.", "CLAR011A", nullable=False),
        _c("due_date", "date", "Date the review was due.", "CLAR003A"),
        _c("review_date", "date", "Date of the review.", "CLAR004A", nullable=False),
        _c("participation", "string", "903 REVIEW_CODE: how the child participated (PN0–PN7).", "CLAR007A",
           "review_participation"),
        ssd_table="ssd_cla_reviews",
    ),
    _table(
        "looked_after_visits",
        "A statutory social-worker visit to a looked-after child.",
        ["visit_id"],
        _key("visit_id", "Visit identifier.", "CLAV001A"),
        CHILD,
        _c("period_id", "string", "The period of care.", "CLAV007A", nullable=False),
        _c("visit_date", "date", "Date of the visit.", "CLAV003A", nullable=False),
        _c("child_seen", "boolean", "Child seen.", "CLAV004A"),
        _c("child_seen_alone", "boolean", "Child seen alone.", "CLAV005A"),
        ssd_table="ssd_cla_visits",
    ),
    _table(
        "health_checks",
        "A health assessment, dental check or developmental check of a looked-after child.",
        ["health_check_id"],
        _key("health_check_id", "Health check identifier.", "CLAH001A"),
        CHILD,
        _c("check_type", "string", "HEALTH_ASSESSMENT, DENTAL or DEVELOPMENTAL.", "CLAH003A",
           "health_check_type", nullable=False),
        _c("check_date", "date", "Date of the check.", "CLAH004A", nullable=False),
        ssd_table="ssd_cla_health",
    ),
    _table(
        "annual_outcomes",
        "Outcomes for children looked after continuously for 12 months at 31 March (903 OC2).",
        ["child_id", "year_ending"],
        CHILD,
        _c("year_ending", "date", "The 31 March the outcomes are recorded for.", nullable=False),
        _c("sdq_score", "int32", "Strengths and Difficulties Questionnaire total score (0–40), ages 4–16."),
        _c("sdq_reason", "string", "Why no SDQ score (SDQ1–SDQ5).", code_list="sdq_reason"),
        _c("convicted", "boolean", "Convicted or subject to a youth caution during the year (aged 10+)."),
        _c("health_check_up_to_date", "boolean", "Developmental health checks up to date (under 5s)."),
        _c("immunisations_up_to_date", "boolean", "Immunisations up to date."),
        _c("teeth_checked", "boolean", "Teeth checked by a dentist in the year."),
        _c("health_assessment_up_to_date", "boolean", "Annual health assessment up to date."),
        _c("substance_misuse", "boolean", "Identified as having a substance misuse problem."),
        _c("intervention_received", "boolean", "Received an intervention for substance misuse."),
        _c("intervention_offered", "boolean", "Offered an intervention for substance misuse that was refused."),
        ssd_table="ssd_sdq_scores",
    ),
    _table(
        "missing_episodes",
        "A period when a looked-after child was missing from, or away without authorisation from, placement.",
        ["missing_id"],
        _key("missing_id", "Missing episode identifier.", "MISS001A"),
        CHILD,
        _c("period_id", "string", "The period of care."),
        _c("missing_type", "string", "M missing, A away from placement without authorisation.", "MISS004A",
           "missing_type", nullable=False),
        _c("start_date", "date", "Missing episode start.", "MISS003A", nullable=False),
        _c("end_date", "date", "Missing episode end (empty while still missing).", "MISS005A"),
        _c("return_interview_offered", "boolean", "A return home interview was offered.", "MISS006A"),
        _c("return_interview_accepted", "boolean", "The return home interview was accepted.", "MISS007A"),
        ssd_table="ssd_missing",
    ),
    # --------------------------------------------------------- permanence
    _table(
        "permanence",
        "Adoption pipeline and permanence orders for a period of care.",
        ["permanence_id"],
        _key("permanence_id", "Permanence record identifier.", "PERM001A"),
        CHILD,
        _c("period_id", "string", "The period of care.", "PERM022A", nullable=False),
        _c("adoption_decision_date", "date", "Date of the agency decision that the child should be placed for "
           "adoption (903 DATE_INT / DATE_PLACED).", "PERM003A"),
        _c("placement_order_date", "date", "Date of the placement order.", "PERM006A"),
        _c("matched_date", "date", "Date matched to prospective adopters.", "PERM008A"),
        _c("placed_for_adoption_date", "date", "Date placed for adoption.", "PERM007A"),
        _c("decision_reversed_date", "date", "Date of the decision that the child should no longer be placed "
           "for adoption.", "PERM010A"),
        _c("decision_reversed_reason", "string", "903 REASON_PLACED_CEASED (RD1–RD4) when the decision is "
           "reversed.", "PERM016A",
           "reason_placed_ceased"),
        _c("order_type", "string", "ADOPTION or SGO when a permanence order was made.", "PERM018A",
           "permanence_order_type"),
        _c("order_date", "date", "Date of the adoption or special guardianship order.", "PERM017A"),
        _c("adopted_by_foster_carer", "boolean", "Adopted by their former foster carer (903 FOSTER_CARE).",
           "PERM021A"),
        _c("number_of_adopters", "int32", "Number of adopters (903 NB_ADOPTR).", "PERM027A"),
        _c("adopter_sex", "string", "903 SEX_ADOPTR (M1, F1, MM, FF, MF).", "PERM025A", "adopter_sex"),
        _c("adopter_legal_status", "string", "903 LS_ADOPTR (L0, L11, L12, L2, L3, L4).", "PERM026A",
           "adopter_legal_status"),
        ssd_table="ssd_permanence",
    ),
    _table(
        "previous_permanence",
        "A permanence arrangement the child had before this period of care (903 PREV_PERM).",
        ["child_id", "period_id"],
        CHILD,
        _c("period_id", "string", "The period of care it is recorded against.", nullable=False),
        _c("option", "string", "P1 adoption, P2 SGO, P3 residence/child arrangements order, P4 unknown, "
           "Z1 none.", "LAPP004A", "previous_permanence_option", nullable=False),
        _c("order_date", "date", "Date of the previous order, when known.", "LAPP003A"),
        _c("order_la", "string", "Authority that arranged the order, when known.", "LAPP005A"),
        ssd_table="ssd_cla_previous_permanence",
    ),
    # ------------------------------------------------------- care leavers
    _table(
        "care_leaver_contacts",
        "The authority's contact with a care leaver around a birthday from the 17th to the 21st (903 OC3).",
        ["child_id", "birthday_age"],
        CHILD,
        _c("birthday_age", "int32", "The birthday the information is about (17–21).", nullable=False),
        _c("contact_date", "date", "Date of the latest contact around that birthday.", "CLEA005A"),
        _c("in_touch", "string", "903 IN_TOUCH (YES, NO, DIED, REFU, NREQ, RHOM).", "CLEA004A",
           "care_leaver_in_touch", nullable=False),
        _c("activity", "string", "903 ACTIV main activity (F1, P1, …, G6, 0).", "CLEA008A",
           "care_leaver_activity"),
        _c("accommodation", "string", "903 ACCOM: accommodation type letter and suitability digit "
           "(e.g. B1).", "CLEA006A", "care_leaver_accommodation"),
        _c("eligibility", "string", "Care-leaver category: ELIGIBLE, RELEVANT, FORMER_RELEVANT.", "CLEA003A",
           "care_leaver_eligibility"),
        ssd_table="ssd_care_leavers",
    ),
    # ---------------------------------------------------------- workforce
    _table(
        "teams",
        "A team in children's services.",
        ["team_id"],
        _key("team_id", "Team identifier.", "DEPT1001A"),
        _c("name", "string", "Team name.", "DEPT1002A", nullable=False),
        _c("service", "string", "Service area: FRONT_DOOR, ASSESSMENT, SAFEGUARDING, CHILDREN_IN_CARE, "
           "PERMANENCE, LEAVING_CARE, EARLY_HELP.", code_list="team_service", nullable=False),
        ssd_table="ssd_department",
    ),
    _table(
        "workers",
        "A social worker, personal adviser or early help practitioner.",
        ["worker_id"],
        _key("worker_id", "Staff identifier in the case system.", "PROF010A"),
        _c("team_id", "string", "Team the worker belongs to.", nullable=False),
        _c("swe_registration", "string", "Social Work England registration number (e.g. SW123456): the 903 "
           "SW_ID. Empty for workers who are not registered social workers.", "PROF002A"),
        _c("role", "string", "SOCIAL_WORKER, SENIOR_PRACTITIONER, TEAM_MANAGER, PERSONAL_ADVISER, "
           "EARLY_HELP_PRACTITIONER.", "PROF007A", "worker_role", nullable=False),
        _c("fte", "float64", "Full-time equivalence.", "PROF011A"),
        _c("agency", "boolean", "Agency (not employed) worker.", "PROF014A", nullable=False),
        _c("start_date", "date", "Started in post.", nullable=False),
        _c("end_date", "date", "Left the post (empty while in post)."),
        ssd_table="ssd_professionals",
    ),
    _table(
        "allocations",
        "A worker allocated to a child's case (903 sw_episodes; SSD involvements).",
        ["allocation_id"],
        _key("allocation_id", "Allocation identifier.", "INVO005A"),
        CHILD,
        _c("worker_id", "string", "Allocated worker.", "INVO006A", nullable=False),
        _c("team_id", "string", "Worker's team at the time.", "INVO009A", nullable=False),
        _c("referral_id", "string", "The referral (CIN episode) the allocation is under.", "INVO010A"),
        _c("start_date", "date", "Allocation start.", "INVO002A", nullable=False),
        _c("end_date", "date", "Allocation end (empty while allocated).", "INVO003A"),
        _c("start_reason", "string", "Why this worker took the case (903 SW_REASON), when recorded; otherwise "
           "it is the previous allocation's change reason.", code_list="social_worker_change_reason"),
        _c("change_reason", "string", "Why the allocation ended (the next allocation's 903 SW_REASON).", "INVO004A",
           "social_worker_change_reason"),
        ssd_table="ssd_involvements",
        no_overlap=("start_date", "end_date"),
    ),
    # -------------------------------------------------------- population
    _table(
        "population",
        "Resident children by single year of age at mid-year (ONS-style estimate) — the denominator for rates.",
        ["year", "age", "sex"],
        _c("year", "int32", "Mid-year (30 June) of the estimate.", nullable=False),
        _c("age", "int32", "Age in completed years (0–17).", nullable=False),
        _c("sex", "string", "M or F.", code_list="sex", nullable=False),
        _c("children", "int64", "Number of resident children.", nullable=False),
    ),
    # ---------------------------------------------------------- the load record
    _table(
        "held_back_children",
        "A child a return was loaded without (`carelens ingest --hold-back`): some of their rows in it had "
        "problems, so none of their rows in that return was loaded, and what the store held for them before "
        "was left as it was. A later load of the same return (authority, kind, collection year) replaces "
        "the return's rows here, so a child loaded in full is no longer listed. Indicators say how many "
        "children were held back (decision 010). `source_year` is the return's collection year; `source_file` "
        "and `source_row` are where the child's first problem is.",
        ["la_code", "source_kind", "source_year", "child_id"],
        CHILD,
        _c("source_kind", "string", "The kind of return: ssda903 (more kinds when their readers hold children "
           "back).", nullable=False),
        _c("problem_count", "int32", "How many problems the child's rows had in the return.", nullable=False),
        _c("first_problem", "string", "The first of them, as the load listed it (file, row, field, value, what "
           "was expected); `--problems-out` writes them all.", nullable=False),
        _c("held_at", "string", "When the load that held the child back ran (ISO 8601, UTC).", nullable=False),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """The declaration of one store table, by name."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"no store table called {name!r}; tables are: {', '.join(TABLES_BY_NAME)}") from None
