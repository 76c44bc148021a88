"""The schema's errors in the census's words, and files whose content is another year's.

libxml2 reports a schema error as "Element 'X': [facet 'enumeration'] The value ...";
:func:`explain_schema_error` says it as a field, a value and what was expected. A file whose
header says one year but whose children carry the other era's sex item (Sex from 2025,
GenderCurrent before) or CIN plan dates before 2022 is reported once, as the mismatch it is.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from carelens.ingest.cin_census.codes import FIRST_SEX_YEAR, code_years
from carelens.ingest.cin_census.problems import Problems, line_of, short
from carelens.ingest.cin_census.walk import Raw, text_of

FIRST_CIN_PLAN_YEAR = 2022  # CINPlanDates first appears in the 2022 schema

MAX_SCHEMA_PROBLEMS = 100
"""Schema errors listed one by one; beyond this a single problem says how many more there are."""

_SCHEMA_MESSAGE = re.compile(r"^Element '(?P<element>[^']*)'(?:, attribute '(?P<attribute>[^']*)')?: "
                             r"(?P<message>.*)$", re.DOTALL)
_FACET = re.compile(r"^\[facet '(?P<facet>\w+)'\] The value '(?P<value>.*?)(?:' is not .*)?$", re.DOTALL)
_CODE_SET = re.compile(r"is not an element of the set \{(?P<codes>.*)\}\.?$", re.DOTALL)
_VALUE = re.compile(r"^'(?P<value>.*)' is not a valid value of the (?:atomic|local atomic) type(?P<rest>.*)$",
                    re.DOTALL)
_EXPECTED = re.compile(r"Expected is (?:one of )?\( (?P<names>[^)]*) \)")

# The code list behind each coded element, for saying in which years a refused code is valid.
_CODE_LISTS = {
    "ReferralSource": "referral_source", "PrimaryNeedCode": "cin_primary_need",
    "ReasonForClosure": "cin_closure_reason", "Disability": "disability", "Ethnicity": "ethnicity",
    "AssessmentFactors": "assessment_factor", "InitialCategoryOfAbuse": "category_of_abuse",
    "LatestCategoryOfAbuse": "category_of_abuse", "UPNunknown": "upn_unknown",
    "GenderCurrent": "cin_gender_pre2025", "Sex": "sex",
}


class Mismatch(NamedTuple):
    sex: bool  # the children's sex item is the other era's (Sex vs GenderCurrent)
    year: bool  # the content belongs to another year than the header says


def schema_problems(errors: list, valid: bool, raw: Raw, year: int, log: Problems) -> Mismatch:
    """A problem for each schema error (one per line, at most :data:`MAX_SCHEMA_PROBLEMS` listed),
    and for a file whose content is another era's than its header's year; the errors such a
    mismatch explains are not listed again."""
    suppress = []
    if year >= FIRST_SEX_YEAR and raw.gender_el is not None and raw.sex_el is None:
        log.add(line_of(raw.gender_el), "GenderCurrent", text_of(raw.gender_el),
                f"Sex (M, F or U): the header says Year {year}, and from {FIRST_SEX_YEAR} the census "
                "records Sex instead of GenderCurrent — this looks like a return of 2024 or earlier, "
                "so check the Year in the header")
        suppress.append(re.compile(r"\b(?:Sex|GenderCurrent)\b"))
    elif year < FIRST_SEX_YEAR and raw.sex_el is not None and raw.gender_el is None:
        log.add(line_of(raw.sex_el), "Sex", text_of(raw.sex_el),
                f"GenderCurrent (1, 2, 0 or 9): the header says Year {year}, and until "
                f"{FIRST_SEX_YEAR - 1} the census records GenderCurrent — this looks like a return of "
                f"{FIRST_SEX_YEAR} or later, so check the Year in the header")
        suppress.append(re.compile(r"\b(?:Sex|GenderCurrent)\b"))
    sex = bool(suppress)
    if year < FIRST_CIN_PLAN_YEAR and raw.cin_plan_el is not None:
        log.add(line_of(raw.cin_plan_el), "CINPlanDates", None,
                f"no CINPlanDates in a {year} return: CIN plan dates are collected from "
                f"{FIRST_CIN_PLAN_YEAR} — check the Year in the header")
        suppress.append(re.compile(r"^Element 'CINPlanDates'"))
    mismatch = Mismatch(sex=sex, year=bool(suppress))
    if valid:
        return mismatch
    listed = 0
    hidden = 0
    seen: set[int] = set()
    for error in errors:
        line = error.line or 0
        message = error.message or ""
        if any(s.search(message) for s in suppress):
            log.schema_lines.add(line)
            continue
        if line in seen:
            continue
        seen.add(line)
        log.schema_lines.add(line)
        if listed >= MAX_SCHEMA_PROBLEMS:
            hidden += 1
            continue
        listed += 1
        log.add(line, *explain_schema_error(message, year))
    if hidden:
        expected = (f"conformance to CIN_schema_{year}.xsd at {hidden:,} more place(s) not listed "
                    f"(the first {MAX_SCHEMA_PROBLEMS} are)")
        log.more.append((None, None, expected))
    return mismatch


def explain_schema_error(message: str, year: int) -> tuple[str | None, str | None, str]:
    """(field, value, expected) for one libxml2 schema validation message."""
    xsd = f"CIN_schema_{year}.xsd"
    m = _SCHEMA_MESSAGE.match(message.strip())
    if m is None:
        return None, None, f"what {xsd} allows ({short(message.strip())})"
    element = m["attribute"] or m["element"]
    if element.startswith("{"):
        element = element.rsplit("}", 1)[-1]
    text = m["message"].strip()
    if f := _FACET.match(text):
        value = f["value"]
        if f["facet"] == "enumeration":
            codes = _CODE_SET.search(text)
            allowed = codes["codes"].replace("'", "") if codes else "(the list is in the schema)"
            hint = code_years(_CODE_LISTS[element], value, year) if element in _CODE_LISTS else ""
            return element, value, f"one of the codes {xsd} allows: {short(allowed, 400)}{hint}"
        return element, value, f"a value {xsd} allows ({short(text)})"
    if v := _VALUE.match(text):
        return element, v["value"], f"a value of the type {xsd} gives {element}{short(v['rest'].rstrip('.'))}"
    if "Missing child element" in text:
        e = _EXPECTED.search(text)
        names = [n.strip() for n in e["names"].split(",")] if e else []
        if len(names) == 1:
            return names[0], None, f"a {names[0]} element in {element} ({xsd} requires one)"
        return element, None, f"every element {xsd} requires ({short(text)})"
    if "This element is not expected" in text:
        return element, None, f"the elements {xsd} allows here, in its order ({short(text)})"
    if m["attribute"]:
        return element, None, f"no attribute {m['attribute']} on {m['element']} ({xsd}: {short(text)})"
    return element, None, f"what {xsd} allows ({short(text)})"
