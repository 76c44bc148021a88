"""Reading an Ofsted ILACS Annex A workbook (lists 1–11) into canonical rows.

    from carelens.ingest.annex_a import read_annex_a
    extract = read_annex_a("annex_a.xlsx", la_code="890", period_end=date(2025, 3, 31))

An Annex A workbook is what a council sends Ofsted before an inspection of its
children's services: eleven lists, one sheet each, of the children (and adopters)
it worked with in the months before the inspection. It is a *snapshot*: each list
gives one row per child or per event with the latest facts, not the history that
led to them. This reader turns the lists into the store's tables as far as they
carry the store's facts, and says (in ``Extract.notes``) what it could not carry.

What is read (see ``docs/ingest/annex-a.md`` for the full mapping and its limits):

- **Sheets** are found by name (``List 1 …``, ``List_3``, ``list 10 - adoption``) or,
  when a council renamed them, by their columns. The header row is found in the
  first 15 rows; row numbers in problems and in ``source_row`` are the row numbers
  Excel shows.
- **Columns** are found by their Annex A header, case, spacing and punctuation
  ignored, or by a known variant (:data:`LISTS` records every header and variant
  accepted, including the header patterns of the shared Annex A schema).
- **Values** the template gives as text ("a) Male", "d) Emotional Abuse",
  "g) A3: Placed for adoption …", "WBRI - White British") are mapped to store codes by
  the tables in this module (``*_TEXT`` and ``*_GROUP``). A value that carries a code
  of the right code list ("N4 - Family in acute stress", "PR1", "[WBRI]") gives that
  code. The older template's group values ("a) Foster placement", "d) Health services")
  name a *group* of codes, not one: they are stored as the group's catch-all code
  listed in the ``*_GROUP`` table and counted in the notes.
- **Anything else** (an unknown value, an impossible date, a missing sheet or column,
  a file that is not a workbook) is a :class:`~carelens.problems.Problem`; every
  problem in the workbook is collected and raised together as
  :class:`~carelens.problems.IngestError`. Nothing else escapes.

Identifiers are built with :func:`carelens.ingest.identity.natural_id` from the child and
the record's date: K contact, Y early help, R referral, A assessment, S s47 enquiry,
I ICPC, C CP plan, E looked-after episode, and for records the statutory returns do not
name: P period of care, PL placement, LS legal status, AD adoption (permanence) record,
CR CP review, CV CP visit, RV looked-after review, VS looked-after visit, HA health
assessment, HD dental check.

Framework note: :class:`AnnexAExtract` extends :class:`~carelens.ingest.extract.Extract`
with ``notes`` (what was skipped or approximated), implemented here rather than in the
shared framework.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carelens.ingest.extract import Extract
from carelens.ingest.identity import deduplicated, natural_id
from carelens.model import code_lists
from carelens.model.store import polars_schema
from carelens.model.tables import table as _store_table
from carelens.problems import ProblemLog


def table_columns(name: str) -> list[str]:
    return _store_table(name).column_names

SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
HEADER_SEARCH_ROWS = 15


@dataclass
class AnnexAExtract(Extract):
    """An :class:`Extract` that also says what was skipped or approximated, one line each."""

    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- text and codes


def text_key(value: str) -> str:
    """How template texts are compared: case, accents, punctuation and the "a)" letter ignored."""
    s = unicodedata.normalize("NFKC", value).replace("’", "'").replace("‘", "'")
    s = s.strip().lower()
    s = re.sub(r"^[a-z]{1,2}\d?\)\s*", "", s)  # the template's "a) ", "p1) ", "zz) "
    s = s.replace("'", "").replace("&", " and ").replace("+", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def _strip_letter(value: str) -> str:
    return re.sub(r"^\s*[A-Za-z]{1,2}\d?\)\s*", "", value)


def _leading_code(value: str, codes: set[str]) -> str | None:
    """A code of the list at the start of the value ("N4 - …", "J1: …") or in brackets ("… [WBRI]")."""
    s = _strip_letter(unicodedata.normalize("NFKC", value)).strip()
    m = re.match(r"[\(\[]?\s*([A-Za-z0-9]+)\s*(?:[\)\]:\-–.,]|\s|$)", s)
    if m and m.group(1).upper() in codes:
        return m.group(1).upper()
    for inner in re.findall(r"[\[\(]\s*([A-Za-z0-9]+)\s*[\]\)]", s):
        if inner.upper() in codes:
            return inner.upper()
    return None


_ALL_CODES: dict[str, set[str]] = {}


def _codes(list_name: str) -> set[str]:
    if list_name not in _ALL_CODES:
        _ALL_CODES[list_name] = {e.code for e in code_lists.code_list(list_name).entries}
    return _ALL_CODES[list_name]


def _labels(list_name: str) -> dict[str, str]:
    """Every label a code list has had, as a text key, → its code."""
    out = {}
    for e in code_lists.code_list(list_name).entries:
        for label in (e.label, *(lbl for _, lbl in e.earlier_labels)):
            out.setdefault(text_key(label), e.code)
    return out


def _clamp_year(year: int) -> int:
    return min(max(year, code_lists.FIRST_YEAR), code_lists.LAST_YEAR)


NOT_GIVEN = ""  # a text that says "no value" (e.g. "i) Not Stated" closure reason)
SKIP_ROW = "-"  # a text that says the row is out of scope (e.g. care leaver "d) Exclude")
NOT_RECORDED = "NOT_RECORDED"  # contact_outcome of a contact whose outcome Annex A does not give


@dataclass(frozen=True)
class Coding:
    """How one Annex A column's texts become codes of a store code list.

    ``text`` maps exact meanings; ``group`` maps the older template's group values to the
    group's catch-all code (stored, and counted in the notes as approximations). A tuple of
    codes means "the first one valid in the record's collection year".
    """

    code_list: str | None
    text: dict[str, str | tuple[str, ...]]
    group: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    use_codes: bool = True  # accept a code of the list written in the value
    use_labels: bool = True  # accept the code list's own labels

    def expected(self) -> str:
        shown = [_SHOWN.get(k, k) for k in [*self.text, *self.group] if k][:12]
        what = f"a {self.code_list} code or " if self.code_list and self.use_codes else ""
        return f"{what}one of the Annex A values ({', '.join(shown)}{', …' if len(shown) >= 12 else ''})"


def _lookup(coding: Coding, value: str, year: int) -> tuple[str | None, str]:
    """(code, how) with how one of exact, group, none (a "no value" text), skip, unknown, invalid_year."""
    key = text_key(value)
    hit, how = None, "unknown"
    if key in coding.text:
        hit, how = coding.text[key], "exact"
    elif key in coding.group:
        hit, how = coding.group[key], "group"
    elif coding.code_list and coding.use_codes and (code := _leading_code(value, _codes(coding.code_list))):
        hit, how = code, "exact"
    elif coding.code_list and coding.use_labels and key in _labels(coding.code_list):
        hit, how = _labels(coding.code_list)[key], "exact"
    if hit is None:
        return None, how
    if hit == NOT_GIVEN:
        return None, "none"
    if hit == SKIP_ROW:
        return None, "skip"
    candidates = hit if isinstance(hit, tuple) else (hit,)
    if coding.code_list is None:
        return candidates[0], how
    cl = code_lists.code_list(coding.code_list)
    for c in candidates:
        if cl.is_valid(c, _clamp_year(year)):
            return c, how
    return candidates[0], "invalid_year"


_SHOWN: dict[str, str] = {}  # text key → the text as written in the tables below (for messages)


def _t(*pairs: tuple[str, str | tuple[str, ...]]) -> dict:
    for k, _ in pairs:
        _SHOWN.setdefault(text_key(k), k)
    return {text_key(k): v for k, v in pairs}


# Gender (Annex A asks for gender; the store holds sex). Male and female pass through; every
# other answer (not stated, unborn, neither, indeterminate, transgender, …) is U, "unknown".
SEX = Coding("sex", _t(
    ("Male", "M"), ("M", "M"), ("1", "M"), ("1 - Male", "M"), ("Boy", "M"), ("Man", "M"),
    ("Female", "F"), ("F", "F"), ("2", "F"), ("2 - Female", "F"), ("Girl", "F"), ("Woman", "F"),
    ("Not stated/recorded", "U"), ("Not stated/recorded (or unborn)", "U"), ("Not stated", "U"),
    ("Not recorded", "U"), ("Not known", "U"), ("Unknown", "U"), ("U", "U"), ("0", "U"), ("9", "U"),
    ("0 - Not known", "U"), ("0 - Not recorded", "U"), ("0 - Not stated", "U"), ("Unborn", "U"),
    ("Unborn/Unknown", "U"), ("Not recorded/Unborn", "U"), ("Indeterminate", "U"), ("I", "U"),
    ("Neither", "U"), ("Non-binary", "U"), ("Transgender", "U"), ("Transgender male", "U"),
    ("Transgender female", "U"), ("Unspecified", "U"), ("Not specified", "U"), ("Withheld", "U"),
    ("Prefer not to say", "U"),
), use_codes=False, use_labels=False)

YES_NO = Coding(None, _t(
    ("Yes", "Y"), ("Y", "Y"), ("True", "Y"), ("1", "Y"),
    ("No", "N"), ("N", "N"), ("False", "N"), ("0", "N"),
), use_codes=False, use_labels=False)
YES_NO_UNKNOWN = Coding(None, {**YES_NO.text, **_t(
    ("Unknown", NOT_GIVEN), ("Not known", NOT_GIVEN), ("Not recorded", NOT_GIVEN), ("U", NOT_GIVEN),
    ("N/A", NOT_GIVEN), ("NA", NOT_GIVEN), ("Not applicable", NOT_GIVEN),
)}, use_codes=False, use_labels=False)

# Lists 1 and 3. The 2023 template gives the CIN code ("a) 1A: Individual"); the older one gives
# the group only. Individual, health and LA services groups have several CIN codes: the group's
# "other" code is stored (1D, 3F, 5B).
SOURCE = Coding("referral_source", _t(
    ("Schools", "2A"), ("Education services", "2B"), ("Housing", "4"), ("Police", "6"),
    ("Other legal agency", "7"), ("Other", "8"), ("Anonymous", "9"), ("Unknown", "10"),
), group=_t(("Individual", "1D"), ("Health services", "3F"), ("LA services", "5B")))

PRIMARY_NEED = Coding("cin_primary_need", _t(
    ("Abuse or neglect", "N1"), ("Abuse, neglect and exploitation", "N1"), ("Child's disability", "N2"),
    ("Parents illness or disability", "N3"), ("Parental illness or disability", "N3"),
    ("Parental disability or illness", "N3"), ("Family in acute stress", "N4"),
    ("Family dysfunction", "N5"), ("Socially unacceptable behaviour", "N6"), ("Low income", "N7"),
    ("Absent parenting", "N8"), ("Not CIN", "N9"), ("Cases other than children in need", "N9"),
    ("Not stated", "N0"),
))

CLOSURE_REASON = Coding("cin_closure_reason", _t(
    ("Adopted", "RC1"), ("Died", "RC2"), ("Residence Order", "RC3"), ("Child arrangements order", "RC3"),
    ("Special Guardianship Order", "RC4"), ("Transfer to another LA", "RC5"),
    ("Transfer to Adult Social Services", "RC6"), ("'Other' incl. Child no longer in need", "RC7"),
    ("Child not in need after assessment", "RC8"), ("Not Stated", NOT_GIVEN),
))

CATEGORY_OF_ABUSE = Coding("category_of_abuse", _t(
    ("Neglect", "NEG"), ("Physical abuse", "PHY"), ("Physical", "PHY"), ("Sexual abuse", "SAB"),
    ("Sexual", "SAB"), ("Emotional abuse", "EMO"), ("Emotional", "EMO"), ("Multiple", "MUL"),
    ("Multiple/not recommended", "MUL"),
))

LEGAL_STATUS = Coding("legal_status", _t(
    ("Interim care orders", "C1"), ("Interim care order", "C1"), ("Full care orders", "C2"),
    ("Full care order", "C2"), ("Freed for adoption", "D1"), ("Placement order granted", "E1"),
    ("Accommodated under S20", "V2"), ("Single period under S20", "V2"),
), group=_t(
    ("Detained on child protection grounds in LA accommodation", "L1"),
    ("Detained on child protection grounds in LA accomodation", "L1"),
    ("Youth justice legal statuses", "J1"),
))

REASON_CEASED = Coding("reason_episode_ceased", _t(
    ("Died", "E2"), ("Care taken by another LA", "E3"),
    ("Left care to live with parents, relatives or other person with no parental responsibility", "E13"),
    ("Residence order granted", "E41"), ("Transferred to residential care funded by adult social services", "E7"),
    ("Sentenced to custody", "E9"), ("Accommodation on remand ended", "E14"),
    ("Age assessment determined child was 18 or over", "E15"), ("Child moved abroad", "E16"),
    ("Care ceased for any other reason", "E8"),
), group=_t(
    ("Adopted", "E11"), ("Returned home to live with parents or relatives", "E4A"),
    ("Special Guardianship Orders", ("E48", "E44")), ("Moved into independent living", "E5"),
))

PLACEMENT_TYPE = Coding("placement_type", _t(
    ("Placed with parents", "P1"), ("Independent living", "P2"), ("Residential employment", "P3"),
    ("Residential accommodation", "H5"), ("Secure children's homes", "K1"), ("Children's homes", "K2"),
    ("Residential care home", "R1"), ("NHS/Health Trust", "R2"),
    ("Family centre or mother and baby unit", "R3"), ("Young offender institution", "R5"),
    ("Residential school", "S1"), ("Other placements", "Z1"), ("Temporary placement", "T0"),
), group=_t(("Foster placement", "U6"), ("Placed for adoption", "A6")))

# "c) Other" is any of PR0, PR2, PR3, PR5: stored empty (the column may be empty) and counted.
PROVIDER = Coding("placement_provider", _t(
    ("Own LA", "PR1"), ("Private", "PR4"), ("Other", NOT_GIVEN),
))

PLACEMENT_LOCATION = Coding(None, _t(("In", "Y"), ("Inside", "Y"), ("Out", "N"), ("Outside", "N")),
                            use_codes=False, use_labels=False)

ELIGIBILITY = Coding("care_leaver_eligibility", _t(
    ("Relevant", "RELEVANT"), ("Relevant child", "RELEVANT"), ("Former relevant", "FORMER_RELEVANT"),
    ("Former relevant child", "FORMER_RELEVANT"), ("Eligible", "ELIGIBLE"), ("Eligible child", "ELIGIBLE"),
    ("Qualifying", NOT_GIVEN), ("Qualifying care leaver", NOT_GIVEN), ("Other", NOT_GIVEN),
    ("No current eligibility", NOT_GIVEN),
), use_labels=False)

IN_TOUCH = Coding("care_leaver_in_touch", _t(
    ("In touch", "YES"), ("Yes", "YES"), ("Y", "YES"), ("Not in touch", "NO"), ("No", "NO"), ("N", "NO"),
    ("Died", "DIED"), ("Refu", "REFU"), ("Refused", "REFU"), ("NREQ", "NREQ"), ("RHOM", "RHOM"),
    ("Not recorded", SKIP_ROW), ("Exclude", SKIP_ROW),
))

ACCOMMODATION_TYPE = Coding(None, _t(
    ("With parents or relatives", "B"), ("Community home", "C"),
    ("Semi-independent transitional accommodation", "D"), ("Supported lodgings", "E"), ("Gone abroad", "G"),
    ("Deported", "H"), ("Ordinary lodgings", "K"), ("Residence not known", "R"),
    ("No fixed abode / homeless", "S"), ("Foyers", "T"), ("Independent living", "U"),
    ("Emergency accommodation", "V"), ("Bed and breakfast", "W"), ("In custody", "X"),
    ("With former foster carer", "Z"), ("Other accommodation", "Y"),
    *((c, c) for c in "BCDEGHKRSTUVWXYZ"),
), use_codes=False, use_labels=False)

SUITABILITY = Coding(None, _t(
    ("Suitable", "1"), ("1", "1"), ("Yes", "1"), ("Y", "1"), ("Unsuitable", "2"), ("Not suitable", "2"),
    ("2", "2"), ("No", "2"), ("N", "2"), ("Not in touch or not recorded", NOT_GIVEN), ("Unknown", NOT_GIVEN),
    ("Not recorded", NOT_GIVEN), ("Exclude", NOT_GIVEN),
), use_codes=False, use_labels=False)

ACTIVITY = Coding("care_leaver_activity", {})

DECISION_REVERSED_REASON = Coding("reason_placed_ceased", _t(
    ("Child's needs changed", "RD1"), ("Court did not make a PO", "RD2"),
    ("Prospective adopters cannot be found", "RD3"), ("Any other reason", "RD4"),
))

# ----------------------------------------------------------------------------- ethnicity

# DfE main ethnicity codes by group. A text is matched as "<group word> <member>" or, where
# the member alone is unambiguous, as the member alone ("White - British", "British",
# "Mixed: White and Asian", "Asian or Asian British - Indian"). A bare group ("White",
# "Mixed", "Asian") names no single code and is a problem.
_ETHNIC_GROUPS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "white": (("white",), {
        "british": "WBRI", "english": "WBRI", "scottish": "WBRI", "welsh": "WBRI", "northern irish": "WBRI",
        "english welsh scottish northern irish british": "WBRI", "irish": "WIRI",
        "traveller of irish heritage": "WIRT", "irish traveller": "WIRT", "gypsy roma": "WROM",
        "gypsy romany": "WROM", "gypsy": "WROM", "roma": "WROM", "gypsy or roma": "WROM",
        "any other white background": "WOTH", "other white background": "WOTH", "other": "WOTH",
        "any other": "WOTH", "any other background": "WOTH",
    }),
    "mixed": (("mixed", "mixed multiple ethnic groups", "mixed multiple", "mixed dual heritage", "dual heritage"), {
        "white and black caribbean": "MWBC", "white and black african": "MWBA", "white and asian": "MWAS",
        "any other mixed background": "MOTH", "other mixed background": "MOTH", "other": "MOTH",
        "any other": "MOTH", "any other background": "MOTH",
        "any other mixed multiple ethnic background": "MOTH",
    }),
    "asian": (("asian", "asian or asian british", "asian british"), {
        "indian": "AIND", "pakistani": "APKN", "bangladeshi": "ABAN", "any other asian background": "AOTH",
        "other asian background": "AOTH", "other": "AOTH", "any other": "AOTH", "any other background": "AOTH",
    }),
    "black": (("black", "black or black british", "black british", "black african caribbean or black british"), {
        "caribbean": "BCRB", "african": "BAFR", "any other black background": "BOTH",
        "other black background": "BOTH", "other": "BOTH", "any other": "BOTH", "any other background": "BOTH",
    }),
    "other": (("other ethnic group", "other ethnic groups", "chinese or other ethnic group"), {
        "chinese": "CHNE", "any other ethnic group": "OOTH", "any other group": "OOTH", "arab": "OOTH",
        "any other ethnic background": "OOTH", "other": "OOTH", "any other": "OOTH",
    }),
}
# members that name one code without their group word
_ETHNIC_ALONE = {
    "british", "english", "scottish", "welsh", "irish", "traveller of irish heritage", "gypsy roma",
    "gypsy romany", "gypsy", "roma", "any other white background", "white and black caribbean",
    "white and black african", "white and asian", "any other mixed background", "indian", "pakistani",
    "bangladeshi", "any other asian background", "caribbean", "african", "any other black background",
    "chinese", "any other ethnic group", "arab",
}
_ETHNIC_NOT_STATED = {
    "refused": "REFU", "refu": "REFU", "refused to provide": "REFU", "declined": "REFU",
    "declined to say": "REFU", "prefer not to say": "REFU", "information not yet obtained": "NOBT",
    "not yet obtained": "NOBT", "information not obtained": "NOBT", "not obtained": "NOBT",
    "not known": "NOBT", "unknown": "NOBT", "not stated": "NOBT", "not recorded": "NOBT",
    "information not yet available": "NOBT",
}
ETHNICITY_TEXT: dict[str, str] = dict(_ETHNIC_NOT_STATED)
for _prefixes, _members in _ETHNIC_GROUPS.values():
    for _member, _code in _members.items():
        for _prefix in _prefixes:
            ETHNICITY_TEXT.setdefault(f"{_prefix} {_member}", _code)
        if _member in _ETHNIC_ALONE:
            ETHNICITY_TEXT.setdefault(_member, _code)
ETHNICITY_TEXT["white other"] = "WOTH"
for _entry in code_lists.code_list("ethnicity").entries:
    ETHNICITY_TEXT.setdefault(text_key(_entry.label), _entry.code)
ETHNICITY_SYNONYMS = {"CNHE": "CHNE"}  # the SSD specification's spelling of CHNE


def ethnicity_code(value: str) -> str | None:
    """The DfE ethnicity code a text names ("WBRI", "a) WBRI", "White - British", "WBRI - White British")."""
    codes = _codes("ethnicity")
    s = unicodedata.normalize("NFKC", value)
    for token in re.findall(r"[A-Za-z]+", _strip_letter(s)):
        up = ETHNICITY_SYNONYMS.get(token.upper(), token.upper())
        if up in codes and (up != "BOTH" or token == "BOTH"):  # "both" is also an English word
            return up
    return ETHNICITY_TEXT.get(text_key(s))


# ----------------------------------------------------------------------------- the lists


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

CODINGS: dict[str, Coding] = {
    "sex": SEX, "yes_no": YES_NO, "yes_no_unknown": YES_NO_UNKNOWN, "source": SOURCE,
    "primary_need": PRIMARY_NEED, "closure_reason": CLOSURE_REASON, "category_of_abuse": CATEGORY_OF_ABUSE,
    "legal_status": LEGAL_STATUS, "reason_ceased": REASON_CEASED, "placement_type": PLACEMENT_TYPE,
    "provider": PROVIDER, "placement_location": PLACEMENT_LOCATION, "eligibility": ELIGIBILITY,
    "in_touch": IN_TOUCH, "accommodation": ACCOMMODATION_TYPE, "suitability": SUITABILITY,
    "activity": ACTIVITY, "reversed_reason": DECISION_REVERSED_REASON,
}


def _match_columns(spec: ListSpec, headers: list[str | None]) -> dict[str, int]:
    """Column key → index: exact headers and variants first, then header patterns, each header used once."""
    found: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for col in spec.columns:
            if col.key in found:
                continue
            for i, h in enumerate(headers):
                if i in used or h is None:
                    continue
                key = text_key(h)
                hit = (key == text_key(col.header) or key in {text_key(v) for v in col.variants}) if exact \
                    else bool(col.pattern and key and re.search(col.pattern, h, re.IGNORECASE))
                if hit:
                    found[col.key] = i
                    used.add(i)
                    break
    return found


# ----------------------------------------------------------------------------- values


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                 "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")


def parse_date(value: str) -> dt.date | str:
    """A date from a cell (Excel date, DD/MM/YYYY or YYYY-MM-DD text, or an Excel day number), or
    the reason it is not one."""
    s = value.strip()
    if re.fullmatch(r"\d{4,5}(\.0+)?", s):  # a date cell formatted as a number
        n = int(float(s))
        d = _EXCEL_EPOCH + dt.timedelta(days=n)
        return d if 1900 <= d.year <= 2100 else "a date between 1900 and 2100"
    shape = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})( .*)?|(\d{4})[/-](\d{1,2})[/-](\d{1,2})([ T].*)?", s)
    if not shape:
        return "a date (DD/MM/YYYY or an Excel date)"
    for fmt in _DATE_FORMATS:
        try:
            d = dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
        return d if 1900 <= d.year <= 2100 else "a date between 1900 and 2100"
    return "a real calendar date (DD/MM/YYYY)"


def _clean(value) -> str | None:
    if value is None:
        return None
    s = str(value).replace("\xa0", " ").strip()
    return s or None


# ----------------------------------------------------------------------------- reading sheets


@dataclass
class _Sheet:
    name: str
    rows: list[list[str | None]]  # every row from the sheet's first row (Excel row = index + 1)
    first_col: int = 0


@dataclass
class _List:
    spec: ListSpec
    sheet: str
    header_row: int  # Excel row number
    columns: dict[str, int]
    rows: list[tuple[int, dict[str, str | None]]]  # (Excel row number, raw values by column key)


def _load_workbook(path: Path, log: ProblemLog) -> list[_Sheet] | None:
    if path.suffix.lower() not in SUFFIXES:
        log.add("", None, path.suffix or None, "an Excel workbook (.xlsx, .xlsm, .xlsb, .xls or .ods)")
        return None
    if not path.exists():
        log.add("", None, None, "a workbook file that exists")
        return None
    from carelens.ingest import formats

    # told from its first bytes and its zip directory before the workbook reader sees it: that reader would
    # block on a FIFO, inflate a zip bomb into memory and word a damaged file as a zip library's error
    found = formats.identify(path)
    if found.kind == formats.EMPTY:
        log.add("", None, None, f"a readable Excel workbook (this file is empty: {found.size:,} bytes)")
        return None
    if found.kind == formats.UNREADABLE:
        expected = found.expected or "a readable file"
        if not expected.startswith("a readable Excel workbook"):
            expected = f"a readable Excel workbook ({expected})"
        log.add("", None, None, expected)
        return None
    if found.kind != formats.WORKBOOK and path.suffix.lower() != ".ods":
        log.add("", None, None, f"a readable Excel workbook (this is {formats.kind_in_words(found)})")
        return None
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
    except Exception as e:  # fastexcel raises its own errors (and OSError) for unreadable files
        first = (str(e).splitlines() or ["unreadable"])[0]
        log.add("", None, None, f"a readable Excel workbook (the reader said: {first[:160]})")
        return None
    sheets = []
    for name in names:
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            frame = sheet.to_polars()
            first_col = min((c.absolute_index for c in sheet.available_columns()), default=0)
        except Exception as e:
            first = (str(e).splitlines() or ["unreadable"])[0]
            log.add(f"sheet {name}", None, None, f"a readable sheet (the reader said: {first[:160]})")
            continue
        rows = [[_clean(v) for v in row] for row in frame.iter_rows()]
        sheets.append(_Sheet(name, rows, first_col))
    return sheets


_LIST_NAME = re.compile(r"\blist[\s_.-]*(\d{1,2})(?!\d)", re.IGNORECASE)


def _find_header(spec: ListSpec, sheet: _Sheet) -> tuple[int, dict[str, int]] | None:
    """(row index, matched columns) of the row that best looks like this list's header."""
    best = None
    for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        found = _match_columns(spec, row)
        if spec.id_column not in found:
            continue
        if best is None or len(found) > len(best[1]):
            best = (i, found)
    return best


def _recognise(sheets: list[_Sheet], log: ProblemLog, notes: list[str]) -> dict[int, tuple[_Sheet, int, dict]]:
    """List number → (sheet, header row index, columns), by sheet name first, then by columns."""
    chosen: dict[int, tuple[_Sheet, int, dict]] = {}
    unnamed: list[_Sheet] = []
    for sheet in sheets:
        m = _LIST_NAME.search(sheet.name)
        number = int(m.group(1)) if m else None
        if number not in LISTS:
            unnamed.append(sheet)
            continue
        if number in chosen:
            log.add(f"sheet {sheet.name}", None, sheet.name,
                    f"one sheet for List {number} (sheet {chosen[number][0].name} is List {number} too)")
            continue
        header = _find_header(LISTS[number], sheet)
        if header is None:
            if not any(any(v is not None for v in row) for row in sheet.rows):
                log.add(f"sheet {sheet.name}", None, None,
                        f"the List {number} header row (the sheet is empty)")
            else:
                log.add(f"sheet {sheet.name}", None, None,
                        f"a List {number} header row with a '{LISTS[number].column(LISTS[number].id_column).header}' "
                        f"column in the first {HEADER_SEARCH_ROWS} rows")
            chosen[number] = (sheet, -1, {})
            continue
        chosen[number] = (sheet, *header)
    for sheet in unnamed:
        scores = []
        for number, spec in LISTS.items():
            header = _find_header(spec, sheet)
            if header is None:
                continue
            distinctive = [k for k in header[1] if k not in {c.key for c in CHILD_COLUMNS}
                           and k not in {"disability", "team", "worker"}]
            required = [c.key for c in spec.columns if c.required and c.key not in {x.key for x in CHILD_COLUMNS}]
            if distinctive and all(k in header[1] for k in required):
                scores.append((len(distinctive), number, header))
        scores.sort(reverse=True)
        if scores and (len(scores) == 1 or scores[0][0] > scores[1][0]) and scores[0][1] not in chosen:
            _, number, header = scores[0]
            chosen[number] = (sheet, *header)
            notes.append(f"Sheet {sheet.name!r} read as List {number} ({LISTS[number].title}) from its columns.")
        elif any(any(v is not None for v in row) for row in sheet.rows):
            notes.append(f"Sheet {sheet.name!r} is not an Annex A list (not read).")
    return chosen


def _read_list(spec: ListSpec, sheet: _Sheet, header_index: int, columns: dict[str, int],
               log: ProblemLog) -> _List:
    header_row = header_index + 1
    where = f"sheet {sheet.name} row {header_row}"
    for col in spec.columns:
        if col.required and col.key not in columns:
            variants = "; ".join((col.header, *col.variants))
            log.add(where, col.header, None, f"a column '{col.header}' (headers accepted: {variants})")
    rows = []
    for i in range(header_index + 1, len(sheet.rows)):
        raw = sheet.rows[i]
        if all(v is None for v in raw):
            continue
        values = {k: (raw[j] if j < len(raw) else None) for k, j in columns.items()}
        if all(v is None for v in values.values()):
            continue
        rows.append((i + 1, values))
    return _List(spec, sheet.name, header_row, columns, rows)


# ----------------------------------------------------------------------------- rows to records


@dataclass
class _Ctx:
    file: str
    la_code: str
    period_end: dt.date | None
    log: ProblemLog
    notes: Counter = field(default_factory=Counter)


def _value(ctx: _Ctx, lst: _List, row: int, values: dict, key: str, year: int | None = None):
    """The typed value of one cell, or None (with a problem logged when it is wrong)."""
    col = lst.spec.column(key)
    raw = values.get(key)
    where = f"sheet {lst.sheet} row {row}"
    if raw is None:
        if col.needed and key in lst.columns:
            ctx.log.add(where, col.header, None, f"a value (the {col.header} must be given)")
        return None
    if col.kind in ("id", "text"):
        return raw
    if col.kind == "date":
        d = parse_date(raw)
        if isinstance(d, str):
            ctx.log.add(where, col.header, raw, d)
            return None
        if ctx.period_end and d > ctx.period_end and key not in ("dob",):
            ctx.log.add(where, col.header, raw, f"a date on or before the end of the period ({ctx.period_end:%d/%m/%Y})")
            return None
        return d
    if col.kind == "int":
        if re.fullmatch(r"\d+(\.0+)?", raw):
            return int(float(raw))
        ctx.log.add(where, col.header, raw, "a whole number")
        return None
    if col.kind == "ethnicity":
        code = ethnicity_code(raw)
        if code is None:
            ctx.log.add(where, col.header, raw, "a DfE ethnicity code or its label (e.g. WBRI, 'White British', "
                                                "'a) WBRI'); a group alone ('White') names no single code")
        return code
    coding = CODINGS[col.kind]
    code, how = _lookup(coding, raw, year or code_lists.LAST_YEAR)
    if how in ("unknown",):
        ctx.log.add(where, col.header, raw, coding.expected())
        return None
    if how == "invalid_year":
        ctx.log.add(where, col.header, raw, f"a {coding.code_list} code valid in collection year "
                                            f"{_clamp_year(year or code_lists.LAST_YEAR)}")
        return None
    if how == "group":
        ctx.notes[f"List {lst.spec.number}: '{col.header}' given as an Annex A group; stored as the group's "
                  f"catch-all code"] += 1
    if how == "skip":
        return SKIP_ROW
    if how == "none" and coding.code_list is not None:
        ctx.notes[f"List {lst.spec.number}: '{col.header}' value that names no single "
                  f"{coding.code_list} code; left empty"] += 1
    return code


def _year_of(d: dt.date | None, ctx: _Ctx) -> int:
    if d is not None:
        return code_lists.collection_year(d)
    if ctx.period_end is not None:
        return code_lists.collection_year(ctx.period_end)
    return code_lists.LAST_YEAR


def _bool(code: str | None) -> bool | None:
    return None if code is None else code == "Y"


def _check_order(ctx: _Ctx, lst: _List, row: int, start_key: str, start, end_key: str, end) -> bool:
    if start is not None and end is not None and end < start:
        ctx.log.add(f"sheet {lst.sheet} row {row}", lst.spec.column(end_key).header, f"{end:%d/%m/%Y}",
                    f"a date on or after the {lst.spec.column(start_key).header} ({start:%d/%m/%Y})")
        return False
    return True


@dataclass
class _Person:
    child_id: str
    source_file: str
    source_row: int
    sex: dict = field(default_factory=dict)  # value → first (sheet, row)
    ethnicity: dict = field(default_factory=dict)
    dob: dict = field(default_factory=dict)
    age: int | None = None
    disability: dict = field(default_factory=dict)  # "Y"/"N" → first (source_file, row)
    uasc: set = field(default_factory=set)


def _source(ctx: _Ctx, lst: _List) -> str:
    return f"{ctx.file}#{lst.sheet}"


def _frame(table: str, rows: list[dict], columns: list[str]) -> pl.DataFrame:
    schema = polars_schema(table)
    cols = [*columns, "la_code", "source_file", "source_year", "source_row"]
    return pl.DataFrame(rows, schema={c: schema[c] for c in cols}, orient="row") if rows else \
        pl.DataFrame(schema={c: schema[c] for c in cols})


def _with_id(frame: pl.DataFrame, id_col: str, kind: str, date_col: str) -> pl.DataFrame:
    ids = natural_id(kind, "child_id", date_col)
    return frame.with_columns(deduplicated(ids).alias(id_col)).select(id_col, *frame.columns)


def read_annex_a(path: str | Path, la_code: str, period_end: dt.date | None = None) -> AnnexAExtract:
    """Read an Annex A workbook into canonical frames, or raise :class:`IngestError` with every problem.

    ``period_end`` is the date the lists were drawn up to (usually the day before the
    inspection). When given, event dates after it are problems, the care-leaver age is taken
    at that date when no contact date is given, and codes are checked against its collection
    year when a row has no date of its own.
    """
    path = Path(path)
    file = str(path)
    log = ProblemLog(file)
    notes: list[str] = []
    sheets = _load_workbook(path, log)
    if sheets is None:
        log.raise_if_any()
    if not any(any(v is not None for v in row) for s in sheets for row in s.rows):
        log.add("", None, None, "an Annex A workbook with its lists (the workbook is empty)")
        log.raise_if_any()
    found = _recognise(sheets, log, notes)
    for number in REQUIRED_LISTS:
        if number not in found:
            spec = LISTS[number]
            needed = ", ".join(f"'{c.header}'" for c in spec.columns if c.required)
            log.add("", f"List {number}", None,
                    f"a sheet for List {number} ({spec.title}): named 'List {number} …' or with the columns {needed}")
    lists: dict[int, _List] = {}
    for number, (sheet, header_index, columns) in sorted(found.items()):
        if header_index < 0:
            continue
        lists[number] = _read_list(LISTS[number], sheet, header_index, columns, log)
    log.raise_if_any()

    ctx = _Ctx(path.name, la_code, period_end, log)
    people: dict[str, _Person] = {}
    out = _build(ctx, lists, people)
    person_frames = _people(ctx, people)
    log.raise_if_any()
    out.update(person_frames)
    if 11 in lists and lists[11].rows:
        notes.append(f"List 11 (adopters): {len(lists[11].rows)} rows not read; the store has no table for "
                     "prospective adopters.")
    notes += [f"{text} ({n} rows)." for text, n in sorted(ctx.notes.items())]
    frames = {name: f.select([c for c in table_columns(name) if c in f.columns]) for name, f in out.items()}
    return AnnexAExtract(kind="annex_a", la_code=la_code, collection_year=None, period_start=None,
                         period_end=period_end, files=[file], frames=frames, notes=notes)


def _note_person(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                 year: int) -> str | None:
    child = _value(ctx, lst, row, values, "child_id")
    if child is None:
        return None
    if child.endswith(".0") and child[:-2].isdigit():
        child = child[:-2]
    p = people.get(child)
    if p is None:
        p = people[child] = _Person(child, _source(ctx, lst), row)
    where = (lst.sheet, row)
    sex = _value(ctx, lst, row, values, "gender", year)
    if sex:
        p.sex.setdefault(sex, where)
    eth = _value(ctx, lst, row, values, "ethnicity", year)
    if eth:
        p.ethnicity.setdefault(eth, where)
    if "dob" in lst.columns:
        dob = _value(ctx, lst, row, values, "dob")
        if dob:
            p.dob.setdefault(dob, where)
    if "age" in lst.columns:
        age = _value(ctx, lst, row, values, "age")
        if age is not None:
            p.age = age
    if "disability" in lst.columns:
        d = _value(ctx, lst, row, values, "disability")
        if d is not None:
            p.disability.setdefault(d, (_source(ctx, lst), row))
    if "uasc" in lst.columns:
        u = _value(ctx, lst, row, values, "uasc")
        if u is not None:
            p.uasc.add(u)
    return child


def _one(ctx: _Ctx, p: _Person, field_name: str, header: str, weak: set) -> object:
    seen = getattr(p, field_name)
    strong = {v: w for v, w in seen.items() if v not in weak}
    pool = strong or seen
    if len(pool) > 1:
        values = list(pool.items())
        (v1, (s1, r1)), (v2, (s2, r2)) = values[0], values[1]
        show = (lambda v: f"{v:%d/%m/%Y}") if isinstance(v1, dt.date) else str
        ctx.log.add(f"sheet {s2} row {r2}", header, show(v2),
                    f"the same {header} for child {p.child_id} in every list (sheet {s1} row {r1} says {show(v1)})")
    return next(iter(pool), None)


def _people(ctx: _Ctx, people: dict[str, _Person]) -> dict[str, pl.DataFrame]:
    rows, disabilities = [], []
    for p in people.values():
        sex = _one(ctx, p, "sex", "Gender", {"U"})
        eth = _one(ctx, p, "ethnicity", "Ethnicity", {"NOBT", "REFU"})
        dob = _one(ctx, p, "dob", "Date of Birth", set())
        if dob is None:
            sheet, row = p.source_file.split("#", 1)[1], p.source_row
            ctx.log.add(f"sheet {sheet} row {row}", "Date of Birth", None,
                        f"a date of birth for child {p.child_id} in at least one list")
        unborn = (dob > ctx.period_end) if (dob and ctx.period_end) else None
        rows.append({"child_id": p.child_id, "sex": sex, "date_of_birth": dob, "unborn": unborn,
                     "ethnicity": eth, "uasc": "Y" in p.uasc, "la_code": ctx.la_code,
                     "source_file": p.source_file, "source_year": None, "source_row": p.source_row})
        if set(p.disability) == {"N"}:
            file, row = p.disability["N"]
            disabilities.append({"child_id": p.child_id, "disability": "NONE", "la_code": ctx.la_code,
                                 "source_file": file, "source_year": None, "source_row": row})
        elif "Y" in p.disability:
            ctx.notes["Disability 'Yes' (Annex A does not say which disability, so no CIN disability code "
                      "is stored)"] += 1
    return {
        "person": _frame("person", rows, ["child_id", "sex", "date_of_birth", "unborn", "ethnicity", "uasc"]),
        "disabilities": _frame("disabilities", disabilities, ["child_id", "disability"]),
    }


def _base(ctx: _Ctx, lst: _List, row: int, child: str) -> dict:
    return {"child_id": child, "la_code": ctx.la_code, "source_file": _source(ctx, lst), "source_year": None,
            "source_row": row}


def _read_contacts(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                   rec: dict[str, list[dict]]) -> None:
    """List 1 (contacts): a contact per row."""
    d = _value(ctx, lst, row, values, "contact_date")
    y = _year_of(d, ctx)
    child = _note_person(ctx, lst, row, values, people, y)
    source = _value(ctx, lst, row, values, "source", y)
    if child and d and source:
        rec["contacts"].append({**_base(ctx, lst, row, child), "contact_date": d, "source": source})


def _read_early_help(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                     rec: dict[str, list[dict]]) -> None:
    """List 2 (early help): an early help episode per row."""
    d = _value(ctx, lst, row, values, "start")
    child = _note_person(ctx, lst, row, values, people, _year_of(d, ctx))
    done = _value(ctx, lst, row, values, "completed")
    _check_order(ctx, lst, row, "start", d, "completed", done)
    if child and d:
        rec["early_help"].append({**_base(ctx, lst, row, child), "start_date": d,
                                  "team_id": _value(ctx, lst, row, values, "organisation")})


def _read_referrals(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                    rec: dict[str, list[dict]]) -> None:
    """List 3 (referrals): a referral per row."""
    d = _value(ctx, lst, row, values, "referral_date")
    y = _year_of(d, ctx)
    child = _note_person(ctx, lst, row, values, people, y)
    source = _value(ctx, lst, row, values, "source", y)
    nfa = _value(ctx, lst, row, values, "nfa")
    if child and d and source and nfa:
        rec["referrals3"].append({**_base(ctx, lst, row, child), "referral_date": d, "source": source,
                                  "referral_nfa": nfa == "Y",
                                  "team_id": _value(ctx, lst, row, values, "team"),
                                  "worker_id": _value(ctx, lst, row, values, "worker")})


def _read_assessments(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                      rec: dict[str, list[dict]]) -> None:
    """List 4 (assessments): a children and families assessment per row."""
    d = _value(ctx, lst, row, values, "start")
    child = _note_person(ctx, lst, row, values, people, _year_of(d, ctx))
    auth = _value(ctx, lst, row, values, "authorised")
    ok = _check_order(ctx, lst, row, "start", d, "authorised", auth)
    support = _value(ctx, lst, row, values, "support")
    if child and d and ok:
        rec["assessments"].append({
            **_base(ctx, lst, row, child), "start_date": d, "authorised_date": auth,
            "child_seen": _bool(_value(ctx, lst, row, values, "seen")),
            "outcome_nfa": None if support is None else support == "N",
            "team_id": _value(ctx, lst, row, values, "team"), "worker_id": _value(ctx, lst, row, values, "worker")})


def _read_section_47_enquiries(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                               rec: dict[str, list[dict]]) -> None:
    """List 5 (section 47 enquiries): an enquiry per row, and its initial child protection conference when held."""
    d = _value(ctx, lst, row, values, "start")
    child = _note_person(ctx, lst, row, values, people, _year_of(d, ctx))
    icpc = _value(ctx, lst, row, values, "icpc_date")
    ok = _check_order(ctx, lst, row, "start", d, "icpc_date", icpc)
    unnecessary = _value(ctx, lst, row, values, "icpc_unnecessary")
    plan = _value(ctx, lst, row, values, "icpc_plan")
    if child and d and ok:
        outcome = "ICPC" if (icpc is not None or unnecessary == "N") else None
        base = _base(ctx, lst, row, child)
        team, worker = _value(ctx, lst, row, values, "team"), _value(ctx, lst, row, values, "worker")
        rec["s47"].append({**base, "start_date": d, "outcome": outcome,
                           "icpc_not_required": None if unnecessary is None else unnecessary == "Y",
                           "team_id": team, "worker_id": worker})
        if icpc is not None:
            rec["icpc"].append({**base, "s47_start": d, "conference_date": icpc, "transfer_in": False,
                                "outcome_cp_plan": _bool(plan), "team_id": team, "worker_id": worker})


def _read_children_in_need(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                           rec: dict[str, list[dict]]) -> None:
    """List 6 (children in need): a child-in-need episode per row, stored as the referral it started with."""
    d = _value(ctx, lst, row, values, "start")
    y = _year_of(d, ctx)
    child = _note_person(ctx, lst, row, values, people, y)
    need = _value(ctx, lst, row, values, "need", y)
    closed = _value(ctx, lst, row, values, "closure_date")
    ok = _check_order(ctx, lst, row, "start", d, "closure_date", closed)
    reason = _value(ctx, lst, row, values, "closure_reason", _year_of(closed or d, ctx))
    if child and d is None:
        ctx.notes["List 6: row without a CIN Start Date (no referral can be stored for it)"] += 1
    if child and d and ok:
        rec["referrals6"].append({**_base(ctx, lst, row, child), "referral_date": d, "primary_need": need,
                                  "closure_date": closed, "closure_reason": reason,
                                  "team_id": _value(ctx, lst, row, values, "team"),
                                  "worker_id": _value(ctx, lst, row, values, "worker")})


def _read_child_protection_plans(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                                 rec: dict[str, list[dict]]) -> None:
    """List 7 (child protection plans): a plan per row, with its latest review and visit."""
    d = _value(ctx, lst, row, values, "start")
    y = _year_of(d, ctx)
    child = _note_person(ctx, lst, row, values, people, y)
    initial = _value(ctx, lst, row, values, "initial", y)
    latest = _value(ctx, lst, row, values, "latest", y)
    end = _value(ctx, lst, row, values, "end")
    visit = _value(ctx, lst, row, values, "visit")
    review = _value(ctx, lst, row, values, "review")
    ok = _check_order(ctx, lst, row, "start", d, "end", end)
    ok = _check_order(ctx, lst, row, "start", d, "visit", visit) and ok
    ok = _check_order(ctx, lst, row, "start", d, "review", review) and ok
    seen_alone = _bool(_value(ctx, lst, row, values, "seen_alone"))
    if child and d and initial and latest and ok:
        base = _base(ctx, lst, row, child)
        rec["cp_plans"].append({**base, "start_date": d, "end_date": end, "initial_category": initial,
                                "latest_category": latest, "team_id": _value(ctx, lst, row, values, "team"),
                                "worker_id": _value(ctx, lst, row, values, "worker")})
        if review is not None:
            rec["cp_reviews"].append({**base, "plan_start": d, "review_date": review})
        if visit is not None:
            rec["cp_visits"].append({**base, "plan_start": d, "visit_date": visit,
                                     "child_seen": True if seen_alone else None,
                                     "child_seen_alone": seen_alone})


def _read_looked_after_episodes(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                                rec: dict[str, list[dict]]) -> None:
    """List 8 (children looked after): a period of care's episode per row."""
    start = _value(ctx, lst, row, values, "start")
    child = _note_person(ctx, lst, row, values, people, _year_of(start, ctx))
    legal_start = _value(ctx, lst, row, values, "legal_start")
    placement_start = _value(ctx, lst, row, values, "placement_start")
    episode_start = max((d for d in (start, legal_start, placement_start) if d), default=None)
    y = _year_of(episode_start, ctx)
    need = _value(ctx, lst, row, values, "need", _year_of(start, ctx))
    legal = _value(ctx, lst, row, values, "legal_status", _year_of(legal_start, ctx))
    ptype = _value(ctx, lst, row, values, "placement_type", _year_of(placement_start, ctx))
    provider = _value(ctx, lst, row, values, "provider", _year_of(placement_start, ctx))
    ceased = _value(ctx, lst, row, values, "ceased")
    reason = _value(ctx, lst, row, values, "reason_ceased", _year_of(ceased, ctx))
    ok = True
    for key, d in (("legal_start", legal_start), ("placement_start", placement_start)):
        ok = _check_order(ctx, lst, row, key, d, "ceased", ceased) and ok
    ok = _check_order(ctx, lst, row, "start", start, "ceased", ceased) and ok
    dates = {k: _value(ctx, lst, row, values, k) for k in ("review", "visit", "health", "dental")}
    for k, d in dates.items():
        ok = _check_order(ctx, lst, row, "start", start, k, d) and ok
    if child and start and legal_start and placement_start and need and legal and ptype and ok:
        rec["l8"].append({
            **_base(ctx, lst, row, child), "start": start, "legal_start": legal_start,
            "placement_start": placement_start, "episode_start": episode_start, "need": need, "legal": legal,
            "ptype": ptype, "provider": provider, "ceased": ceased, "reason": reason,
            "postcode": _value(ctx, lst, row, values, "postcode"), "urn": _value(ctx, lst, row, values, "urn"),
            "inside": _bool(_value(ctx, lst, row, values, "location")), "year": y, **dates})


def _read_care_leavers(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                       rec: dict[str, list[dict]]) -> None:
    """List 9 (care leavers): a care leaver's contact per row."""
    contact = _value(ctx, lst, row, values, "contact")
    y = _year_of(contact, ctx)
    child = _note_person(ctx, lst, row, values, people, y)
    touch = _value(ctx, lst, row, values, "in_touch", y)
    eligibility = _value(ctx, lst, row, values, "eligibility", y)
    letter = _value(ctx, lst, row, values, "accommodation")
    suitable = _value(ctx, lst, row, values, "suitability")
    activity = _value(ctx, lst, row, values, "activity", y)
    accommodation = None
    if letter and letter != SKIP_ROW:
        if len(letter) == 2:
            accommodation = letter
        elif suitable:
            accommodation = f"{letter}{suitable}"
        else:
            ctx.notes["List 9: accommodation type without a suitability; accommodation left empty"] += 1
        if accommodation and not code_lists.is_valid("care_leaver_accommodation", accommodation,
                                                     _clamp_year(y)):
            ctx.log.add(f"sheet {lst.sheet} row {row}", "Type of Accommodation", values.get("accommodation"),
                        "an accommodation type (B, C, D, E, G, H, K, R, S, T, U, V, W, X, Y, Z) or an "
                        "SSDA903 ACCOM code")
            accommodation = None
    if touch == SKIP_ROW:
        ctx.notes["List 9: care leaver whose contact is not recorded or excluded (no contact row stored)"] += 1
    elif child and touch:
        rec["care_leavers"].append({**_base(ctx, lst, row, child), "contact_date": contact, "in_touch": touch,
                                    "activity": activity, "accommodation": accommodation,
                                    "eligibility": eligibility})


def _read_adoptions(ctx: _Ctx, lst: _List, row: int, values: dict, people: dict[str, _Person],
                    rec: dict[str, list[dict]]) -> None:
    """List 10 (adoption): a child's adoption decision and its steps per row."""
    entered = _value(ctx, lst, row, values, "entered")
    child = _note_person(ctx, lst, row, values, people, _year_of(entered, ctx))
    decision = _value(ctx, lst, row, values, "decision")
    dates = {k: _value(ctx, lst, row, values, k)
             for k in ("placement_order", "matched", "placed", "adoption_order", "reversed")}
    reversed_reason = _value(ctx, lst, row, values, "reversed_reason", _year_of(dates["reversed"], ctx))
    ok = _check_order(ctx, lst, row, "entered", entered, "decision", decision)
    for k in ("matched", "placed", "adoption_order", "reversed"):
        ok = _check_order(ctx, lst, row, "decision", decision, k, dates[k]) and ok
    if child and entered and decision and ok:
        base = _base(ctx, lst, row, child)
        rec["periods10"].append({**base, "start_date": entered})
        rec["permanence"].append({
            **base, "entered": entered, "adoption_decision_date": decision,
            "placement_order_date": dates["placement_order"], "matched_date": dates["matched"],
            "placed_for_adoption_date": dates["placed"], "decision_reversed_date": dates["reversed"],
            "decision_reversed_reason": reversed_reason,
            "order_type": "ADOPTION" if dates["adoption_order"] else None, "order_date": dates["adoption_order"]})


_LIST_READERS = (
    (_read_contacts, 1),
    (_read_early_help, 2),
    (_read_referrals, 3),
    (_read_assessments, 4),
    (_read_section_47_enquiries, 5),
    (_read_children_in_need, 6),
    (_read_child_protection_plans, 7),
    (_read_looked_after_episodes, 8),
    (_read_care_leavers, 9),
    (_read_adoptions, 10),
)
"""The reader of each Annex A list's rows into records, in list order: the people noted from the rows
(:func:`_note_person`) and the order of the problems found depend on it."""


def _build(ctx: _Ctx, lists: dict[int, _List], people: dict[str, _Person]) -> dict[str, pl.DataFrame]:
    rec: dict[str, list[dict]] = {k: [] for k in (
        "contacts", "early_help", "referrals3", "referrals6", "assessments", "s47", "icpc", "cp_plans",
        "cp_reviews", "cp_visits", "l8", "care_leavers", "permanence", "periods10")}

    def rows_of(number: int):
        lst = lists.get(number)
        if lst is None:
            return
        for row, values in lst.rows:
            yield lst, row, values

    for read, number in _LIST_READERS:
        for lst, row, values in rows_of(number):
            read(ctx, lst, row, values, people, rec)

    if ctx.log.problems:
        return {}
    return _link(ctx, rec, people)


def _link(ctx: _Ctx, rec: dict[str, list[dict]], people: dict[str, _Person]) -> dict[str, pl.DataFrame]:
    """Identifiers, and the links between records that Annex A does not give but their dates imply."""
    prov = ["la_code", "source_file", "source_year", "source_row"]
    out = _referrals_and_contacts(ctx, rec, prov)
    referrals = out["referrals"]

    eh = _with_id(_frame("early_help_episodes", rec["early_help"], ["child_id", "start_date", "team_id"]),
                  "early_help_id", "Y", "start_date")
    out["early_help_episodes"] = eh

    assessments = _with_id(_frame("assessments", rec["assessments"], [
        "child_id", "start_date", "authorised_date", "child_seen", "outcome_nfa", "team_id", "worker_id"]),
        "assessment_id", "A", "start_date")
    assessments = _drop_note(ctx, _under_referral(referrals, assessments, "start_date"), "referral_id",
                             "List 4: assessment with no referral of the child on or before its start in Lists "
                             "3 or 6; not stored")
    out["assessments"] = assessments.select("assessment_id", "child_id", "referral_id", "start_date",
                                            "authorised_date", "child_seen", "outcome_nfa", "team_id",
                                            "worker_id", *prov).sort("assessment_id")

    s47 = _with_id(_frame("s47_enquiries", rec["s47"], ["child_id", "start_date", "outcome", "icpc_not_required",
                                                        "team_id", "worker_id"]), "s47_id", "S", "start_date")
    s47 = _drop_note(ctx, _under_referral(referrals, s47, "start_date"), "referral_id",
                     "List 5: s47 enquiry with no referral of the child on or before its start in Lists 3 or 6; "
                     "not stored")
    out["s47_enquiries"] = s47.select("s47_id", "child_id", "referral_id", "start_date", "outcome",
                                      "icpc_not_required", "team_id", "worker_id", *prov).sort("s47_id")

    out.update(_child_protection(ctx, rec, referrals, s47, prov))
    out.update(_looked_after(ctx, rec, prov))
    out["care_leaver_contacts"] = _care_leavers(ctx, rec, people, prov)
    return out


def _referrals_and_contacts(ctx: _Ctx, rec: dict[str, list[dict]], prov: list[str]) -> dict[str, pl.DataFrame]:
    """Referrals (Lists 3 and 6 together) and contacts (List 1), each contact linked to the referral it
    became."""
    # referrals: List 3 and List 6 rows of the same child and date are one referral (CIN episode)
    r3 = _with_id(_frame("referrals", rec["referrals3"], ["child_id", "referral_date", "source", "referral_nfa",
                                                          "team_id", "worker_id"]), "referral_id", "R",
                  "referral_date")
    r6 = _with_id(_frame("referrals", rec["referrals6"], ["child_id", "referral_date", "primary_need",
                                                          "closure_date", "closure_reason", "team_id",
                                                          "worker_id"]), "referral_id", "R", "referral_date")
    referrals = r3.join(r6, on="referral_id", how="full", coalesce=True, suffix="_6")
    referrals = referrals.with_columns(
        pl.coalesce("child_id", "child_id_6").alias("child_id"),
        pl.coalesce("referral_date", "referral_date_6").alias("referral_date"),
        # a referral known only from List 6: source not known (CIN code 10); NFA when closed the day it came in
        pl.coalesce("source", pl.lit("10")).alias("source"),
        pl.coalesce("referral_nfa", (pl.col("closure_date") == pl.col("referral_date_6")).fill_null(False))
        .alias("referral_nfa"),
        pl.coalesce("team_id", "team_id_6").alias("team_id"),
        pl.coalesce("worker_id", "worker_id_6").alias("worker_id"),
        *[pl.coalesce(c, f"{c}_6").alias(c) for c in prov])
    n_only6 = referrals.filter(~pl.col("referral_id").is_in(r3["referral_id"].implode())).height
    if n_only6:
        ctx.notes["List 6: CIN episode with no List 3 referral; stored with referral source 10 (unknown)"] += n_only6
    referrals = referrals.select("referral_id", "child_id", "referral_date", "source", "primary_need",
                                 "referral_nfa", "closure_date", "closure_reason", "team_id", "worker_id", *prov)

    # contacts: a referral of the same child on the contact date is what the contact became
    contacts = _with_id(_frame("contacts", rec["contacts"], ["child_id", "contact_date", "source"]),
                        "contact_id", "K", "contact_date")
    same_day = referrals.select("child_id", pl.col("referral_date").alias("contact_date"), "referral_id") \
        .unique(["child_id", "contact_date"], keep="first")
    # Annex A does not record what followed a contact: one that did not become a referral that day is
    # stored as NOT_RECORDED, so the front door's contacts are all counted (B1) and only those known to
    # have become referrals convert (B3)
    contacts = contacts.join(same_day, on=["child_id", "contact_date"], how="left") \
        .with_columns(pl.when(pl.col("referral_id").is_not_null()).then(pl.lit("REFERRAL"))
                      .otherwise(pl.lit(NOT_RECORDED)).alias("outcome"))
    n_unknown = contacts.filter(pl.col("outcome") == NOT_RECORDED).height
    if n_unknown:
        ctx.notes["List 1: contact with no referral of the child on the same day; stored with outcome "
                  "NOT_RECORDED (Annex A does not record a contact's outcome)"] += n_unknown
    first_contact = contacts.filter(pl.col("referral_id").is_not_null()).sort("contact_id") \
        .unique("referral_id", keep="first").select("referral_id", "contact_id")
    referrals = referrals.join(first_contact, on="referral_id", how="left")
    contacts = contacts.select("contact_id", "child_id", "contact_date", "source", "outcome", "referral_id", *prov)
    return {"contacts": contacts.sort("contact_id"), "referrals": referrals.sort("referral_id")}


def _drop_note(ctx: _Ctx, frame: pl.DataFrame, column: str, text: str) -> pl.DataFrame:
    """``frame`` without its rows that have no ``column``, counted in a note."""
    missing = frame.filter(pl.col(column).is_null()).height
    if missing:
        ctx.notes[text] += missing
    return frame.filter(pl.col(column).is_not_null())


def _under_referral(referrals: pl.DataFrame, frame: pl.DataFrame, date_col: str) -> pl.DataFrame:
    """The child's latest referral on or before the date."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, pl.Utf8).alias("referral_id"))
    refs = referrals.select("child_id", pl.col("referral_date").alias(date_col), "referral_id") \
        .sort("child_id", date_col)
    return frame.sort("child_id", date_col).join_asof(refs, on=date_col, by="child_id", strategy="backward",
                                                        check_sortedness=False)


def _child_protection(ctx: _Ctx, rec: dict[str, list[dict]], referrals: pl.DataFrame, s47: pl.DataFrame,
                      prov: list[str]) -> dict[str, pl.DataFrame]:
    """Initial conferences (List 5) under their s47 enquiry, CP plans (List 7) under their conference and
    referral, and the plans' reviews and visits."""
    out: dict[str, pl.DataFrame] = {}
    cp_schema = polars_schema("cp_plans")
    cp = _with_id(_frame("cp_plans", rec["cp_plans"], ["child_id", "start_date", "end_date", "initial_category",
                                                       "latest_category", "team_id", "worker_id"]),
                  "cp_plan_id", "C", "start_date")

    icpc_rows = [{k: v for k, v in r.items()} for r in rec["icpc"]]
    icpc = pl.DataFrame(icpc_rows, schema={
        "child_id": pl.Utf8, "la_code": pl.Utf8, "source_file": pl.Utf8, "source_year": pl.Int32,
        "source_row": pl.Int64, "s47_start": pl.Date, "conference_date": pl.Date, "transfer_in": pl.Boolean,
        "outcome_cp_plan": pl.Boolean, "team_id": pl.Utf8, "worker_id": pl.Utf8}, orient="row") \
        if icpc_rows else pl.DataFrame(schema={
            "child_id": pl.Utf8, "la_code": pl.Utf8, "source_file": pl.Utf8, "source_year": pl.Int32,
            "source_row": pl.Int64, "s47_start": pl.Date, "conference_date": pl.Date,
            "transfer_in": pl.Boolean, "outcome_cp_plan": pl.Boolean, "team_id": pl.Utf8, "worker_id": pl.Utf8})
    icpc = icpc.with_columns(deduplicated(natural_id("I", "child_id", "conference_date")).alias("icpc_id"),
                             natural_id("S", "child_id", "s47_start").alias("s47_id"))
    icpc = icpc.join(s47.select("s47_id", "referral_id"), on="s47_id", how="left")
    plan_days = cp.select("child_id", pl.col("start_date").alias("conference_date"),
                          pl.lit(True).alias("_plan")).unique(["child_id", "conference_date"])
    icpc = icpc.join(plan_days, on=["child_id", "conference_date"], how="left") \
        .with_columns(pl.coalesce("outcome_cp_plan", "_plan").alias("outcome_cp_plan"))
    icpc = _drop_note(ctx, icpc, "referral_id",
                      "List 5: ICPC of an s47 enquiry that could not be stored; not stored")
    icpc = _drop_note(ctx, icpc, "outcome_cp_plan",
                      "List 5: ICPC whose outcome is unknown and no List 7 plan starts on its date; not stored")
    out["initial_cp_conferences"] = icpc.select(
        "icpc_id", "child_id", "referral_id", "s47_id", "conference_date", "transfer_in", "outcome_cp_plan",
        "team_id", "worker_id", *prov).sort("icpc_id")

    conf = icpc.filter(pl.col("outcome_cp_plan")).select(
        "child_id", pl.col("conference_date").alias("start_date"), "icpc_id").unique(["child_id", "start_date"])
    cp = cp.join(conf, on=["child_id", "start_date"], how="left")
    cp = _drop_note(ctx, _under_referral(referrals, cp, "start_date"), "referral_id",
                    "List 7: CP plan with no referral of the child on or before its start in Lists 3 or 6; "
                    "not stored")
    out["cp_plans"] = cp.select("cp_plan_id", "child_id", "referral_id", "icpc_id", "start_date", "end_date",
                                "initial_category", "latest_category", "team_id", "worker_id", *prov) \
        .cast({c: cp_schema[c] for c in ("icpc_id",)}).sort("cp_plan_id")

    def cp_children(name: str, id_col: str, kind: str, date_col: str, cols: list[str]) -> pl.DataFrame:
        schema = {**polars_schema(name), "plan_start": pl.Date}
        keep = ["child_id", "plan_start", date_col, *cols, *prov]
        frame = pl.DataFrame(rec[name], schema={c: schema[c] for c in keep}, orient="row") if rec[name] \
            else pl.DataFrame(schema={c: schema[c] for c in keep})
        frame = frame.with_columns(natural_id("C", "child_id", "plan_start").alias("cp_plan_id"),
                                   natural_id(kind, "child_id", date_col).alias(id_col))
        frame = frame.filter(pl.col("cp_plan_id").is_in(out["cp_plans"]["cp_plan_id"].implode()))
        return frame.select(id_col, "child_id", "cp_plan_id", date_col, *cols, *prov)

    out["cp_reviews"] = cp_children("cp_reviews", "cp_review_id", "CR", "review_date", [])
    out["cp_visits"] = cp_children("cp_visits", "cp_visit_id", "CV", "visit_date", ["child_seen", "child_seen_alone"])
    return out


def _looked_after(ctx: _Ctx, rec: dict, prov: list[str]) -> dict[str, pl.DataFrame]:
    out = {}
    l8 = rec["l8"]
    periods, episodes, placements, legal, reviews, visits, checks = [], [], [], [], [], [], []
    for r in l8:
        base = {k: r[k] for k in ("child_id", *prov)}
        period_start = r["start"]
        es = r["episode_start"]
        if es == period_start:
            rne = "S"
        elif r["legal_start"] == r["placement_start"]:
            rne = "B"
        elif es == r["placement_start"]:
            rne = "P"
        else:
            rne = "L"
        periods.append({**base, "start_date": period_start, "end_date": r["ceased"], "reason_ceased": r["reason"]})
        episodes.append({**base, "period_start": period_start, "start_date": es, "reason_new_episode": rne,
                         "legal_status": r["legal"], "cin_category": r["need"],
                         "placement_start": r["placement_start"], "placement_type": r["ptype"],
                         "placement_provider": r["provider"], "end_date": r["ceased"], "reason_ceased": r["reason"],
                         "placement_postcode": r["postcode"], "urn": r["urn"]})
        placements.append({**base, "period_start": period_start, "start_date": r["placement_start"],
                           "end_date": r["ceased"], "placement_type": r["ptype"], "provider": r["provider"],
                           "postcode": r["postcode"], "urn": r["urn"], "inside_la": r["inside"]})
        legal.append({**base, "period_start": period_start, "legal_status": r["legal"],
                      "start_date": r["legal_start"], "end_date": r["ceased"]})
        if r["review"]:
            reviews.append({**base, "period_start": period_start, "review_date": r["review"]})
        if r["visit"]:
            visits.append({**base, "period_start": period_start, "visit_date": r["visit"]})
        for kind, key, check in (("HA", "health", "HEALTH_ASSESSMENT"), ("HD", "dental", "DENTAL")):
            if r[key]:
                checks.append({**base, "kind": kind, "check_type": check, "check_date": r[key]})

    def frame(name: str, rows: list[dict], cols: list[str], extra: dict | None = None) -> pl.DataFrame:
        schema = {**polars_schema(name), "period_start": pl.Date, "placement_start": pl.Date, "kind": pl.Utf8,
                  **(extra or {})}
        keep = ["child_id", *cols, *prov]
        return pl.DataFrame(rows, schema={c: schema[c] for c in keep}, orient="row") if rows else \
            pl.DataFrame(schema={c: schema[c] for c in keep})

    def period_of(f: pl.DataFrame) -> pl.DataFrame:
        return f.with_columns(natural_id("P", "child_id", "period_start").alias("period_id")).drop("period_start")

    pf = frame("periods_of_care", periods, ["start_date", "end_date", "reason_ceased"])
    p10 = frame("periods_of_care", rec["periods10"], ["start_date"])
    pf = pl.concat([pf, p10], how="diagonal_relaxed").unique(["child_id", "start_date"], keep="first",
                                                             maintain_order=True)
    out["periods_of_care"] = _with_id(pf, "period_id", "P", "start_date").select(
        "period_id", "child_id", "start_date", "end_date", "reason_ceased", *prov)
    ep = frame("looked_after_episodes", episodes, [
        "period_start", "start_date", "reason_new_episode", "legal_status", "cin_category", "placement_start",
        "placement_type", "placement_provider", "end_date", "reason_ceased", "placement_postcode", "urn"])
    ep = period_of(ep).with_columns(natural_id("PL", "child_id", "placement_start").alias("placement_id"))
    out["looked_after_episodes"] = _with_id(ep, "episode_id", "E", "start_date").select(
        "episode_id", "child_id", "period_id", "start_date", "reason_new_episode", "legal_status", "cin_category",
        "placement_id", "placement_type", "placement_provider", "end_date", "reason_ceased", "placement_postcode",
        "urn", *prov)
    pl_f = period_of(frame("placements", placements, ["period_start", "start_date", "end_date", "placement_type",
                                                      "provider", "postcode", "urn", "inside_la"]))
    out["placements"] = _with_id(pl_f, "placement_id", "PL", "start_date").select(
        "placement_id", "child_id", "period_id", "start_date", "end_date", "placement_type", "provider", "postcode",
        "urn", "inside_la", *prov)
    lg = period_of(frame("legal_statuses", legal, ["period_start", "legal_status", "start_date", "end_date"]))
    out["legal_statuses"] = _with_id(lg, "legal_status_id", "LS", "start_date").select(
        "legal_status_id", "child_id", "period_id", "legal_status", "start_date", "end_date", *prov)
    rv = period_of(frame("looked_after_reviews", reviews, ["period_start", "review_date"]))
    out["looked_after_reviews"] = _with_id(rv, "review_id", "RV", "review_date").select(
        "review_id", "child_id", "period_id", "review_date", *prov)
    vs = period_of(frame("looked_after_visits", visits, ["period_start", "visit_date"]))
    out["looked_after_visits"] = _with_id(vs, "visit_id", "VS", "visit_date").select(
        "visit_id", "child_id", "period_id", "visit_date", *prov)
    hc = frame("health_checks", checks, ["kind", "check_type", "check_date"])
    hc = hc.with_columns(pl.concat_str([pl.col("child_id"), pl.lit("/"), pl.col("kind"),
                                        pl.col("check_date").dt.strftime("%Y-%m-%d")]).alias("health_check_id"))
    out["health_checks"] = hc.select("health_check_id", "child_id", "check_type", "check_date", *prov)

    pm_rows = rec["permanence"]
    pm = frame("permanence", pm_rows, [
        "entered", "adoption_decision_date", "placement_order_date", "matched_date", "placed_for_adoption_date",
        "decision_reversed_date", "decision_reversed_reason", "order_type", "order_date"], {"entered": pl.Date})
    pm = pm.with_columns(natural_id("P", "child_id", "entered").alias("period_id")).drop("entered")
    out["permanence"] = _with_id(pm, "permanence_id", "AD", "adoption_decision_date").select(
        "permanence_id", "child_id", "period_id", "adoption_decision_date", "placement_order_date", "matched_date",
        "placed_for_adoption_date", "decision_reversed_date", "decision_reversed_reason", "order_type",
        "order_date", *prov)
    return out


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _care_leavers(ctx: _Ctx, rec: dict, people: dict[str, _Person], prov: list[str]) -> pl.DataFrame:
    rows = []
    for r in rec["care_leavers"]:
        p = people[r["child_id"]]
        dob = next(iter(p.dob), None)
        on = r["contact_date"] or ctx.period_end
        age = _age(dob, on) if (dob and on) else p.age
        if age is None or not 17 <= age <= 21:
            ctx.notes["List 9: care leaver whose age at the latest contact (or the period end) is not 17–21, or "
                      "not known; no birthday contact row stored"] += 1
            continue
        rows.append({**r, "birthday_age": age})
    cols = ["child_id", "birthday_age", "contact_date", "in_touch", "activity", "accommodation", "eligibility"]
    frame = _frame("care_leaver_contacts", rows, cols)
    return frame.unique(["child_id", "birthday_age"], keep="first", maintain_order=True)
