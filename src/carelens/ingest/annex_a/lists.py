"""The eleven Annex A lists as the template gives them: each list's number, title and columns.

:data:`LISTS` records, per list, every column read: its template header, the variants councils use
(compared as text keys, see :func:`carelens.ingest.coded_text.text_key`), a header pattern from the
shared Annex A schema, whether the column must be present and whether every row must give it, and
what it holds (``kind``: id, text, date, int, ethnicity, or a coding named in
:data:`carelens.ingest.annex_a.codings.CODINGS`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    """One Annex A column: its template header, the variants accepted, and what it holds."""

    key: str
    header: str
    kind: str  # id, text, date, int, or the name of a Coding in CODINGS, or "ethnicity"
    required: bool = False  # the column must be present
    needed: bool = False  # every data row must give a value
    variants: tuple[str, ...] = ()  # other headers councils use (compared as text keys)
    pattern: str | None = None  # a regular expression (case-insensitive) for the header


_CHILD_PATTERN = r"\bchild\b.*\b(id|identifier)\b|\b(id|identifier)\b.*\bchild\b"

CHILD_COLUMNS = (
    Col("child_id", "Child Unique ID", "id", True, True, ("Child ID", "Child Identifier", "Unique Child ID"),
        _CHILD_PATTERN),
    Col("gender", "Gender", "sex", True, True, ("Sex", "Gender/Sex", "Sex/Gender")),
    Col("ethnicity", "Ethnicity", "ethnicity", True, True, ("Ethnic origin", "Ethnic group", "Ethnicity code")),
    Col("dob", "Date of Birth", "date", False, False, ("DOB", "Birth date"), r"date.*birth"),
    Col("age", "Age of Child (Years)", "int", False, False, ("Age", "Age of child"), r"^age\b|\bage of child\b"),
)
DISABILITY = Col("disability", "Does the Child have a Disability", "yes_no_unknown", False, False,
                 ("Disability", "Disabled", "Does the child have a disability?", "Child has a disability"),
                 r"\bdisab")
TEAM = Col("team", "Allocated Team", "text", variants=("Team",))
WORKER = Col("worker", "Allocated Worker", "text", variants=("Worker", "Allocated Social Worker"))


@dataclass(frozen=True)
class ListSpec:
    number: int
    title: str
    columns: tuple[Col, ...]
    id_column: str = "child_id"

    def column(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)


LISTS: dict[int, ListSpec] = {s.number: s for s in (
    ListSpec(1, "Contacts", (*CHILD_COLUMNS,
        Col("contact_date", "Date of Contact", "date", True, True, ("Contact date",), r"date.*contact"),
        Col("source", "Contact Source", "source", True, True, ("Source of contact",), r"contact.*source"))),
    ListSpec(2, "Early Help", (*CHILD_COLUMNS,
        Col("start", "Assessment start date", "date", True, True, ("Early help assessment start date",)),
        Col("completed", "Assessment completion date", "date", False, False,
            ("Early help assessment completion date",)),
        Col("organisation", "Organisation completing assessment", "text", False, False,
            ("Organisation completing the assessment",)))),
    ListSpec(3, "Referrals", (*CHILD_COLUMNS,
        Col("referral_date", "Date of referral", "date", True, True, ("Referral date",), r"date of.*referral"),
        Col("source", "Referral Source", "source", True, True, ("Source of referral",), r"referral.*source"),
        Col("nfa", "Referral NFA?", "yes_no", True, True, ("Referral NFA", "Was the referral NFA")),
        TEAM, WORKER)),
    ListSpec(4, "Assessments", (*CHILD_COLUMNS, DISABILITY,
        Col("start", "Continuous Assessment Start Date", "date", True, True,
            ("Assessment start date", "Single assessment start date")),
        Col("seen", "Child Seen During Continuous Assessment", "yes_no_unknown", False, False,
            ("Child seen during assessment",)),
        Col("authorised", "Continuous Assessment Date of Authorisation", "date", False, False,
            ("Assessment authorisation date", "Date of authorisation", "Assessment completion date")),
        Col("support", "Was the child assessed as requiring LA children's social care support?", "yes_no_unknown",
            False, False, (), r"was the child assessed.*social care support"),
        TEAM, WORKER)),
    ListSpec(5, "Section 47", (*CHILD_COLUMNS, DISABILITY,
        Col("start", "Strategy discussion initiating Section 47 Enquiry Start Date", "date", True, True,
            ("Section 47 enquiry start date", "S47 start date"), r"strategy discussion.*(section 47|s47)"),
        Col("icpc_unnecessary", "Was an Initial Child Protection Conference deemed unnecessary?", "yes_no_unknown",
            False, False, ("ICPC deemed unnecessary",)),
        Col("icpc_date", "Date of Initial Child Protection Conference", "date", False, False,
            ("ICPC date", "Date of ICPC")),
        Col("icpc_plan", "Did the Initial Child Protection Conference Result in a Child Protection Plan",
            "yes_no_unknown", False, False, ("Did the ICPC result in a CP plan",)),
        TEAM, WORKER)),
    ListSpec(6, "Children in Need", (*CHILD_COLUMNS, DISABILITY,
        Col("start", "CIN Start Date", "date", True, False, ("Child in need start date",)),
        Col("need", "Primary Need Code", "primary_need", True, True, ("Primary need", "Category of need")),
        Col("closure_date", "CIN Closure Date", "date", False, False, ("Child in need closure date",)),
        Col("closure_reason", "Reason for Closure", "closure_reason", False, False, ("Closure reason",)),
        Col("status", "Case Status", "text", False, False),
        TEAM, WORKER)),
    ListSpec(7, "Child Protection", (*CHILD_COLUMNS, DISABILITY,
        Col("start", "Child Protection Plan Start Date", "date", True, True, ("CP plan start date",)),
        Col("initial", "Initial Category of Abuse", "category_of_abuse", True, True, ()),
        Col("latest", "Latest Category of Abuse", "category_of_abuse", True, True, ()),
        Col("visit", "Date of the Last Statutory Visit", "date", False, False, ("Date of last statutory visit",)),
        Col("seen_alone", "Was the Child Seen Alone?", "yes_no_unknown", False, False, ("Child seen alone",)),
        Col("review", "Date of latest review conference", "date", False, False, ("Latest review conference date",)),
        Col("end", "Child Protection Plan End Date", "date", False, False, ("CP plan end date",)),
        TEAM, WORKER)),
    ListSpec(8, "Children in Care", (*CHILD_COLUMNS, DISABILITY,
        Col("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "yes_no_unknown",
            False, False, ("UASC",), r"unaccompanied asylum seeking child"),
        Col("start", "Date Started to be Looked After", "date", True, True, ("Date started to be looked after",
                                                                              "Date entered care")),
        Col("need", "Child's Category of Need", "primary_need", True, True, ("Category of need",)),
        Col("legal_start", "Start date of current legal status", "date", True, True,
            ("Legal status start date",)),
        Col("legal_status", "Child's Legal Status", "legal_status", True, True, ("Legal status",)),
        Col("review", "Date of Latest Statutory Review", "date", False, False, ("Latest statutory review date",)),
        Col("visit", "Date of Last Social Work Visit", "date", False, False, ("Last social work visit date",)),
        Col("health", "Date of Last Health Assessment", "date", False, False, ("Last health assessment date",)),
        Col("dental", "Date of Last Dental Check", "date", False, False, ("Last dental check date",)),
        Col("ceased", "Date Ceased to be Looked After", "date", False, False, ("Date ceased looked after",)),
        Col("reason_ceased", "Reason Ceased to be Looked After", "reason_ceased", False, False,
            ("Reason ceased looked after",)),
        Col("placement_start", "Start Date of Most Recent Placement", "date", True, True,
            ("Placement start date",)),
        Col("placement_type", "Placement Type", "placement_type", True, True, ()),
        Col("provider", "Placement Provider", "provider", False, False, ()),
        Col("postcode", "Placement postcode", "text", False, False, ()),
        Col("urn", "URN of Placement", "text", False, False, ("Placement URN",)),
        Col("location", "Placement Location", "placement_location", False, False, ()),
        TEAM, WORKER)),
    ListSpec(9, "Care Leavers", (*CHILD_COLUMNS, DISABILITY,
        Col("uasc", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
            "yes_no_unknown", False, False, ("UASC",), r"unaccompanied asylum seeking child"),
        Col("eligibility", "Eligibility Category", "eligibility", True, True, ("Eligibility",)),
        Col("in_touch", "LA in Touch", "in_touch", True, True, ("In touch",)),
        Col("contact", "Latest Date of Contact", "date", False, False, ("Date of latest contact",)),
        Col("accommodation", "Type of Accommodation", "accommodation", False, False, ("Accommodation",)),
        Col("suitability", "Suitability of Accommodation", "suitability", False, False,
            ("Accommodation suitable",)),
        Col("activity", "Activity Status", "activity", False, False, ("Activity", "Main activity")),
        TEAM, WORKER)),
    ListSpec(10, "Adoption", (*CHILD_COLUMNS, DISABILITY,
        Col("entered", "Date the Child Entered Care", "date", True, True, ("Date entered care",)),
        Col("decision", "Date of Decision that Child Should be Placed for Adoption", "date", True, True,
            ("Date of ADM decision", "Date of decision to place for adoption")),
        Col("placement_order", "Date of Placement Order", "date", False, False, ()),
        Col("matched", "Date of Matching Child and Prospective Adopters", "date", False, False,
            ("Date matched",)),
        Col("placed", "Date Placed for Adoption", "date", False, False, ()),
        Col("adoption_order", "Date of Adoption Order", "date", False, False, ()),
        Col("reversed", "Date of Decision that Child Should No Longer be Placed for Adoption", "date", False,
            False, ()),
        Col("reversed_reason", "Reason Why Child No Longer Placed for Adoption", "reversed_reason", False, False,
            ()),
    )),
    ListSpec(11, "Adopters", (
        Col("adopter_id", "Individual adopter identifier", "id", True, True, ("Adopter identifier",)),
        Col("enquiry", "Date enquiry received", "date", False, False, ()),
    ), id_column="adopter_id"),
)}
REQUIRED_LISTS = tuple(range(1, 11))  # List 11 (adopters) is not read, so may be absent
