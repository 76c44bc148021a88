"""The Children in Need (CIN) census return: one authority's XML file for one collection year.

The census year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y`` (the reference
date). The return holds every child with a child-in-need episode — a referral —
open at any point in that year, including referrals that ended with no further
action, and for each episode the assessments, CIN plans, section 47 enquiries
and child protection plans that were open during the year.

The store is read *as at the census date*: anything that happened after
31 March ``Y`` (a closure, an authorisation, a conference, a birth, a death) is
treated as not yet having happened, so a return written today for an earlier
year says what the authority knew on its reference date.

Every collection year from 2017 (the 2016/17 census) to 2026 is supported, each
written to its own year's schema: ``GenderCurrent`` (1/2/0) before 2025 and ``Sex``
(M/F/U) from 2025; ``CINPlanDates`` only from 2022 (the earlier schemas have no CIN
plan items); and codes added to a list after the year are written as the broader
code that covered them then (:func:`year_recoding`).

Rows are gathered and grouped in bulk with Polars, the tree is built with lxml,
and the file is validated against the DfE schema for its year (shipped with the
package, see :func:`schema_path`) before it replaces anything at ``out_path``.
How each XML item is derived is described in ``docs/returns/cin-census.md``.
"""

from __future__ import annotations

import bisect
import os
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import polars as pl
from lxml import etree

from carelens.collection_years import COLLECTION_YEARS
from carelens.model.code_lists import collection_period as census_period
from carelens.model.store import Store, conform
from carelens.return_specs import cin_census as census_schemas

SOFTWARE_CODE = "CareLens"

# Until 2023/24 the census recorded GenderCurrent: 1 male, 2 female, 0 not known (or unborn),
# 9 not specified. The store's U (unknown) is "not known".
_GENDER_CURRENT = {"M": "1", "F": "2", "U": "0"}
_FIRST_SEX_YEAR = 2025
# The schemas before 2021/22 have no CINPlanDates block in CINdetails.
_FIRST_CIN_PLAN_YEAR = 2022


def year_recoding(year: int) -> dict[str, dict[str, str]]:
    """Store code -> code of the ``year`` schema, by XML item, for codes added after ``year``.

    Each newer code is written as the broader code it was carved out of, or that covered it
    before it existed:

    * AssessmentFactors before 2021: physical abuse 18B/18C (child on child, adult on child)
      are 18A, sexual abuse 19B/19C are 19A.
    * AssessmentFactors before 2022: child criminal exploitation 24A is 20 (other).
    * ReasonForClosure before 2023: RC9 (closed after assessment, referred to early help)
      is RC8 (closed after assessment, no further action).
    * ReferralSource before 2023: 5D (LA services, early help) is 5B (LA services, other
      internal department).

    Factors that become the same code are written once. Codes older than the year (18A and
    19A from 2021) are not recoded: the year's schema decides whether they are accepted.
    """
    _check_year(year)
    out: dict[str, dict[str, str]] = {}
    factors: dict[str, str] = {}
    if year < 2021:
        factors.update({"18B": "18A", "18C": "18A", "19B": "19A", "19C": "19A"})
    if year < 2022:
        factors["24A"] = "20"
    if factors:
        out["AssessmentFactors"] = factors
    if year < 2023:
        out["ReasonForClosure"] = {"RC9": "RC8"}
        out["ReferralSource"] = {"5D": "5B"}
    return out


@dataclass(frozen=True)
class CinCensusSummary:
    """What :func:`write_cin_census` wrote."""

    year: int
    la_code: str
    children: int
    cin_details: int  # CIN episodes (CINdetails blocks) across all children
    path: Path


@dataclass(frozen=True)
class SchemaProblem:
    """One way a CIN census file fails its year's DfE schema."""

    line: int
    child_id: str | None  # LAchildID of the Child block the line is in, when it is in one
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (child {self.child_id})" if self.child_id else "")
        return f"{where}: {self.message}"


_NOT_IN_CODE_LIST = re.compile(
    r"Element '(?P<element>[^']+)': \[facet 'enumeration'\].* (?P<codes>\{.*\})"
)


class CinCensusSchemaError(ValueError):
    """A CIN census file CareLens built does not conform to the DfE schema, so it was not kept."""

    def __init__(self, year: int, problems: list[SchemaProblem]):
        self.year = year
        self.problems = problems
        shown, listed = [], set()
        for problem in problems[:50]:
            text = str(problem)
            # Spell out an element's allowed codes the first time only.
            if m := _NOT_IN_CODE_LIST.match(problem.message):
                if m["element"] in listed:
                    text = text.replace(m["codes"], "{…}")
                listed.add(m["element"])
            shown.append(f"  {text}")
        shown = "\n".join(shown)
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"the CIN census {year} XML does not conform to the DfE schema CIN_schema_{year}.xsd, "
            "so it was not written. Either a store value is not a valid CIN census code, or this "
            f"is a CareLens bug (please report it):\n{shown}{more}"
        )


def schema_path(year: int) -> Path:
    """The shipped DfE XSD for collection year ``year``."""
    _check_year(year)
    return census_schemas.schema_path(year)


def validate_cin_census(path: str | Path, year: int) -> list[SchemaProblem]:
    """Validate a CIN census XML file against the DfE schema for ``year``; empty when valid."""
    doc = etree.parse(str(path))
    schema = census_schemas.xml_schema(year)
    if schema.validate(doc):
        return []
    children = [
        (c.sourceline, c.findtext("ChildIdentifiers/LAchildID"))
        for c in doc.iterfind("Children/Child")
    ]
    starts = [line for line, _ in children]
    problems = []
    for err in schema.error_log:
        i = bisect.bisect_right(starts, err.line) - 1
        problems.append(SchemaProblem(err.line, children[i][1] if i >= 0 else None, err.message))
    return problems


def write_cin_census(
    store: Store,
    year: int,
    out_path: str | Path,
    la_code: str | None = None,
    *,
    serial_no: int = 1,
    generated_at: datetime | None = None,
) -> CinCensusSummary:
    """Write one authority's CIN census XML for collection ``year`` (2017 to 2026).

    ``la_code`` chooses the authority when the store holds several; when it is
    ``None`` the store must hold exactly one. ``serial_no`` and ``generated_at``
    fill the header's SerialNo and DateTime (default: now). The file is
    validated against the year's DfE schema and only then moved to
    ``out_path``; an invalid file raises :class:`CinCensusSchemaError` and
    leaves ``out_path`` untouched.
    """
    _check_year(year)
    la_code = _choose_la(store, la_code)
    census = _gather(store, la_code, year)
    if census.children.height == 0:
        start, end = census_period(year)
        raise ValueError(
            f"authority {la_code} has no child with a referral open between {start} and {end}; "
            "a CIN census file must hold at least one child"
        )
    header = _Header(
        year=year,
        la_code=la_code,
        serial_no=f"{serial_no:03d}",
        generated_at=(generated_at or datetime.now()).replace(microsecond=0),
    )
    root = _build_tree(census, header)

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # A uniquely named sibling, so the final rename is atomic; created with open() so the file
    # gets the user's usual permissions (mkstemp would make it private to the writer).
    tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            f.write(
                etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
            )
        problems = validate_cin_census(tmp, year)
        if problems:
            raise CinCensusSchemaError(year, problems)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return CinCensusSummary(
        year=year,
        la_code=la_code,
        children=census.children.height,
        cin_details=census.referrals.height,
        path=out_path,
    )


# --------------------------------------------------------------------------- internals
def _check_year(year: int) -> None:
    if year not in COLLECTION_YEARS:
        years = ", ".join(map(str, COLLECTION_YEARS))
        raise ValueError(f"CareLens writes the CIN census for collection years {years}, not {year}")


def _choose_la(store: Store, la_code: str | None) -> str:
    la_code = store.authority(la_code)
    if not (len(la_code) == 3 and la_code.isdigit()):
        raise ValueError(f"la_code must be the 3-digit DfE authority number, not {la_code!r}")
    return la_code


@dataclass(frozen=True)
class _Header:
    year: int
    la_code: str
    serial_no: str
    generated_at: datetime


@dataclass(frozen=True)
class _Census:
    """Everything the file holds, cut to the year and to the census date; dates as ISO text."""

    children: pl.DataFrame
    disabilities: pl.DataFrame
    referrals: pl.DataFrame
    assessments: pl.DataFrame
    factors: pl.DataFrame
    cin_plans: pl.DataFrame
    s47: pl.DataFrame
    cp_plans: pl.DataFrame
    reviews: pl.DataFrame


def _gather(store: Store, la_code: str, year: int) -> _Census:
    start, end = census_period(year)
    recode = year_recoding(year)

    def read(name: str) -> pl.DataFrame:
        t = store.table(name)
        return conform(name, t.filter(t.la_code == la_code).to_polars())

    def known(column: str) -> pl.Expr:
        """The date if it had happened by the census date, else null."""
        return pl.when(pl.col(column) <= end).then(pl.col(column))

    def open_in_year(start_col: str, end_col: str) -> pl.Expr:
        return (pl.col(start_col) <= end) & (pl.col(end_col).is_null() | (pl.col(end_col) >= start))

    # CIN episodes open at any point in the year; closure and NFA only as known at the census date.
    referrals = (
        read("referrals")
        .filter(open_in_year("referral_date", "closure_date"))
        .with_columns(
            referral_nfa=pl.col("referral_nfa")
            & pl.col("closure_date").is_null().or_(pl.col("closure_date") <= end),
            closure_date=known("closure_date"),
        )
        .with_columns(
            closure_reason=pl.when(pl.col("closure_date").is_not_null()).then(
                pl.col("closure_reason")
            )
        )
        # codes the year's schema does not have yet (RC9, 5D before 2023)
        .with_columns(
            closure_reason=pl.col("closure_reason").replace(recode.get("ReasonForClosure", {})),
            source=pl.col("source").replace(recode.get("ReferralSource", {})),
        )
    )
    in_referrals = referrals.select("referral_id")

    person = read("person")
    missing = referrals.join(person, on="child_id", how="anti")["child_id"].unique().sort()
    if len(missing):
        raise ValueError(
            f"authority {la_code}: referrals name children who are not in the person table: "
            f"{', '.join(missing.head(10))}{' …' if len(missing) > 10 else ''}"
        )
    unborn = pl.col("unborn").fill_null(False) | (pl.col("date_of_birth") > end)
    sex = pl.when(unborn).then(pl.lit("U")).otherwise(pl.col("sex"))
    if year < _FIRST_SEX_YEAR:
        sex = sex.replace(_GENDER_CURRENT)
    children = (
        person.join(referrals.select("child_id").unique(), on="child_id", how="semi")
        .with_columns(
            unborn=unborn,
            sex=sex,
            upn_unknown=pl.when(pl.col("upn").is_null()).then(pl.col("upn_unknown")),
            date_of_death=known("date_of_death"),
        )
        .sort("child_id")
    )
    disabilities = (
        read("disabilities")
        .join(children, on="child_id", how="semi")
        .sort("child_id", "disability")
    )

    # Assessments started by the census date and not authorised before the year began.
    assessments = (
        read("assessments")
        .join(in_referrals, on="referral_id", how="semi")
        .with_columns(authorised_date=known("authorised_date"))
        .filter(open_in_year("start_date", "authorised_date"))
        .sort("referral_id", "start_date", "assessment_id")
    )
    factors = (
        read("assessment_factors")
        .join(
            assessments.filter(pl.col("authorised_date").is_not_null()),
            on="assessment_id",
            how="semi",
        )
        # factors the year's schema does not have yet are written as the broader factor, once
        .with_columns(pl.col("factor").replace(recode.get("AssessmentFactors", {})))
        .unique(["assessment_id", "factor"])
        .with_columns(_order=pl.col("factor").str.extract(r"^(\d+)").cast(pl.Int32, strict=False))
        .sort("assessment_id", "_order", "factor")
    )
    cin_plans = (
        read("cin_plans")
        .join(in_referrals, on="referral_id", how="semi")
        .filter(open_in_year("start_date", "end_date"))
        .with_columns(end_date=known("end_date"))
        .sort("referral_id", "start_date", "cin_plan_id")
    )
    if year < _FIRST_CIN_PLAN_YEAR:
        cin_plans = cin_plans.clear()  # the schemas before 2022 have no CINPlanDates

    # Section 47 enquiries: open until their ICPC is held or, without one, until they end.
    icpcs = read("initial_cp_conferences").filter(pl.col("conference_date") <= end)
    icpc_of_s47 = (
        icpcs.filter(pl.col("s47_id").is_not_null())
        .group_by("s47_id")
        .agg(icpc_date=pl.col("conference_date").min())
    )
    s47 = (
        read("s47_enquiries")
        .join(in_referrals, on="referral_id", how="semi")
        .join(icpc_of_s47, on="s47_id", how="left")
        .filter(
            (pl.col("start_date") <= end)
            & pl.when(pl.col("icpc_date").is_not_null())
            .then(pl.col("icpc_date") >= start)
            .otherwise(
                (pl.col("end_date") >= start)
                # with no end date, still open — unless an earlier year's return said it had concluded
                | (pl.col("end_date").is_null()
                   & ~(pl.col("icpc_not_required").fill_null(False)
                       & (pl.col("source_year").fill_null(9999) < year)))
            )
        )
        .with_columns(
            # Concluded by the census date without needing a conference.
            icpc_not_required=(
                pl.col("icpc_not_required").fill_null(False)
                | pl.col("outcome").is_in(["CIN_PLAN", "NFA"]).fill_null(False)
            )
            # concluded by the census date: it ended by then or, when the end is not known (a store
            # loaded from returns), a return of this year or earlier already said so
            & ((pl.col("end_date") <= end)
               | (pl.col("end_date").is_null() & (pl.col("source_year").fill_null(9999) <= year)))
            & pl.col("icpc_date").is_null()
        )
        .sort("referral_id", "start_date", "s47_id")
    )
    # An ICPC in the year that no reported S47 led to (e.g. a transfer-in conference) is
    # recorded once, at CIN-details level.
    episode_icpc = (
        icpcs.filter(pl.col("conference_date") >= start)
        .join(in_referrals, on="referral_id", how="semi")
        .join(s47.select("s47_id"), on="s47_id", how="anti")
        .group_by("referral_id")
        .agg(episode_icpc_date=pl.col("conference_date").min())
    )
    referrals = referrals.join(episode_icpc, on="referral_id", how="left").sort(
        "child_id", "referral_date", "referral_id"
    )

    cp_plans = (
        read("cp_plans")
        .with_columns(
            # the number a return recorded (it counts plans this store may not hold), else counted here
            previous_plans=pl.coalesce(pl.col("previous_plans").cast(pl.Int64),
                                       (pl.col("start_date").rank("min").over("child_id") - 1).cast(pl.Int64))
        )
        .join(in_referrals, on="referral_id", how="semi")
        .filter(open_in_year("start_date", "end_date"))
        .with_columns(end_date=known("end_date"))
        .sort("referral_id", "start_date", "cp_plan_id")
    )
    reviews = (
        read("cp_reviews")
        .join(cp_plans, on="cp_plan_id", how="semi")
        .filter(pl.col("review_date").is_between(start, end))
        .sort("cp_plan_id", "review_date")
    )

    frames = {
        "children": children,
        "disabilities": disabilities,
        "referrals": referrals,
        "assessments": assessments,
        "factors": factors,
        "cin_plans": cin_plans,
        "s47": s47,
        "cp_plans": cp_plans,
        "reviews": reviews,
    }
    return _Census(**{name: _dates_as_text(df) for name, df in frames.items()})


def _dates_as_text(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))


def _grouped(df: pl.DataFrame, key: str, *columns: str) -> dict[str, list[tuple]]:
    """Rows of ``df`` (already sorted) as lists of ``columns`` tuples keyed by ``key``."""
    groups: dict[str, list[tuple]] = defaultdict(list)
    for row in df.select(key, *columns).iter_rows():
        groups[row[0]].append(row[1:])
    return groups


def _flag(value: bool | None) -> str:
    return "1" if value else "0"


def _build_tree(census: _Census, header: _Header) -> etree._Element:
    sub = etree.SubElement

    def leaf(parent: etree._Element, tag: str, text: str | None) -> None:
        if text is not None:
            sub(parent, tag).text = text

    root = etree.Element("Message")
    head = sub(root, "Header")
    details = sub(head, "CollectionDetails")
    leaf(details, "Collection", "CIN")
    leaf(details, "Year", str(header.year))
    leaf(details, "ReferenceDate", census_period(header.year)[1].isoformat())
    source = sub(head, "Source")
    leaf(source, "SourceLevel", "L")
    leaf(source, "LEA", header.la_code)
    leaf(source, "SoftwareCode", SOFTWARE_CODE)
    leaf(source, "Release", _release())
    leaf(source, "SerialNo", header.serial_no)
    leaf(source, "DateTime", header.generated_at.isoformat())

    disabilities = _grouped(census.disabilities, "child_id", "disability")
    episodes = _grouped(
        census.referrals,
        "child_id",
        "referral_id",
        "referral_date",
        "source",
        "primary_need",
        "closure_date",
        "closure_reason",
        "episode_icpc_date",
        "referral_nfa",
    )
    assessments = _grouped(
        census.assessments, "referral_id", "assessment_id", "start_date", "authorised_date"
    )
    factors = _grouped(census.factors, "assessment_id", "factor")
    cin_plans = _grouped(census.cin_plans, "referral_id", "start_date", "end_date")
    s47s = _grouped(
        census.s47,
        "referral_id",
        "start_date",
        "icpc_target_date",
        "icpc_date",
        "icpc_not_required",
    )
    cp_plans = _grouped(
        census.cp_plans,
        "referral_id",
        "cp_plan_id",
        "start_date",
        "end_date",
        "initial_category",
        "latest_category",
        "previous_plans",
    )
    reviews = _grouped(census.reviews, "cp_plan_id", "review_date")
    sex_tag = "Sex" if header.year >= _FIRST_SEX_YEAR else "GenderCurrent"

    children = sub(root, "Children")
    for child_id, upn, upn_unknown, birth, unborn, sex, death, ethnicity in census.children.select(
        "child_id",
        "upn",
        "upn_unknown",
        "date_of_birth",
        "unborn",
        "sex",
        "date_of_death",
        "ethnicity",
    ).iter_rows():
        child = sub(children, "Child")
        ids = sub(child, "ChildIdentifiers")
        leaf(ids, "LAchildID", child_id)
        leaf(ids, "UPN", upn)
        leaf(ids, "UPNunknown", upn_unknown)
        leaf(ids, "ExpectedPersonBirthDate" if unborn else "PersonBirthDate", birth)
        leaf(ids, sex_tag, sex)
        leaf(ids, "PersonDeathDate", death)
        characteristics = sub(child, "ChildCharacteristics")
        leaf(characteristics, "Ethnicity", ethnicity)
        if child_id in disabilities:
            block = sub(characteristics, "Disabilities")
            for (code,) in disabilities[child_id]:
                leaf(block, "Disability", code)

        for ref_id, referred, source_code, need, closed, reason, icpc, nfa in episodes[child_id]:
            cin = sub(child, "CINdetails")
            leaf(cin, "CINreferralDate", referred)
            leaf(cin, "ReferralSource", source_code)
            leaf(cin, "PrimaryNeedCode", need)
            leaf(cin, "CINclosureDate", closed)
            leaf(cin, "ReasonForClosure", reason)
            leaf(cin, "DateOfInitialCPC", icpc)
            for assessment_id, started, authorised in assessments.get(ref_id, ()):
                block = sub(cin, "Assessments")
                leaf(block, "AssessmentActualStartDate", started)
                leaf(block, "AssessmentAuthorisationDate", authorised)
                if assessment_id in factors:
                    found = sub(block, "FactorsIdentifiedAtAssessment")
                    for (code,) in factors[assessment_id]:
                        leaf(found, "AssessmentFactors", code)
            for started, ended in cin_plans.get(ref_id, ()):
                block = sub(cin, "CINPlanDates")
                leaf(block, "CINPlanStartDate", started)
                leaf(block, "CINPlanEndDate", ended)
            for started, target, held, not_required in s47s.get(ref_id, ()):
                block = sub(cin, "Section47")
                leaf(block, "S47ActualStartDate", started)
                leaf(block, "InitialCPCtarget", target)
                leaf(block, "DateOfInitialCPC", held)
                leaf(block, "ICPCnotRequired", _flag(not_required))
            leaf(cin, "ReferralNFA", _flag(nfa))
            for plan_id, started, ended, initial, latest, previous in cp_plans.get(ref_id, ()):
                block = sub(cin, "ChildProtectionPlans")
                leaf(block, "CPPstartDate", started)
                leaf(block, "CPPendDate", ended)
                leaf(block, "InitialCategoryOfAbuse", initial)
                leaf(block, "LatestCategoryOfAbuse", latest)
                leaf(block, "NumberOfPreviousCPP", str(previous))
                if plan_id in reviews:
                    held = sub(block, "Reviews")
                    for (reviewed,) in reviews[plan_id]:
                        leaf(held, "CPPreviewDate", reviewed)
    return root


def _release() -> str:
    try:
        return metadata.version("carelens")
    except metadata.PackageNotFoundError:
        return "unknown"
