"""Reading a Children in Need (CIN) census XML file, of any collection year 2017–2026.

:func:`read_cin_census` turns one authority's CIN census return into an
:class:`~carelens.ingest.extract.Extract` of canonical store frames (``person``,
``disabilities``, ``referrals``, ``assessments``, ``assessment_factors``,
``cin_plans``, ``s47_enquiries``, ``initial_cp_conferences``, ``cp_plans``,
``cp_reviews``), each row carrying its provenance: the file, the collection year
and the line of the XML element it came from.

It is the inverse of the writer :mod:`carelens.returns.cin_census`. The file is
parsed once with lxml, validated against the DfE schema of the year its header
declares (the schemas for 2017–2026 ship in :mod:`carelens.return_specs`), walked once
into column lists, and turned into Polars frames in bulk. Every problem found —
malformed XML, schema errors, codes not valid in the year, impossible dates,
duplicate children — is collected and raised together as an
:class:`~carelens.problems.IngestError`; a file with any problem gives no
extract at all. ``docs/ingest/cin-census.md`` describes what is read and how
each column is derived.

The reading is split along its steps: :mod:`.document` (the file as an XML document, checked
against its year's schema), :mod:`.walk` (every record gathered into column lists), this module (the
header, the schema's errors in the census's words, the frames and their codes and dates),
:mod:`.store_frames` (the store frames with their identifiers) and :mod:`.problems` (what was found
amiss, raised together).

Identifiers are built from the data (:mod:`carelens.ingest.identity`): the child
and the date a record started, with a letter for its kind (R referral,
A assessment, N CIN plan, S section 47 enquiry, I conference, C CP plan,
Q CP review). Loading the same file twice gives the same identifiers, and the
same referral in two census years gets the same one.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from functools import cache
from pathlib import Path

import polars as pl

from carelens.collection_years import COLLECTION_YEARS
from carelens.ingest.cin_census.document import MAX_FILE_BYTES, VALIDATION_BATCH, parse, root_ok, validate
from carelens.ingest.cin_census.problems import Problems, line_of, short
from carelens.ingest.cin_census.store_frames import TABLES, canonical
from carelens.ingest.cin_census.walk import Raw, text_of, walk
from carelens.ingest.extract import Extract
from carelens.model import code_lists
from carelens.model.code_lists import collection_period as census_period
from carelens.problems import IngestError
from carelens.return_specs.cin_census import schema_path, xml_schema

__all__ = ["MAX_FILE_BYTES", "TABLES", "VALIDATION_BATCH", "IngestError", "census_period", "read_cin_census",
           "schema_path"]

# the store's column types, without importing DuckDB and Ibis
from carelens.model.column_types import POLARS_TYPES as _POLARS_TYPES  # noqa: E402

KIND = "cin_census"
FIRST_SEX_YEAR = 2025  # GenderCurrent (1, 2, 0, 9) until 2024; Sex (M, F, U) from 2025
FIRST_CIN_PLAN_YEAR = 2022  # CINPlanDates first appears in the 2022 schema

MAX_SCHEMA_PROBLEMS = 100
"""Schema errors listed one by one; beyond this a single problem says how many more there are."""
MAX_ID_LENGTH = 100
"""Longest LAchildID accepted (the schema allows any string; DfE rules ask for at most 20 characters
from 2025, but earlier returns had no limit)."""
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
UNBORN_MONTHS = 10
"""A child cannot be born more than this many months after a referral about them."""

_GENDER_CURRENT = {"1": "M", "2": "F", "0": "U", "9": "U"}  # 0 not recorded or unborn, 9 indeterminate


def read_cin_census(path: str | Path, la_code: str | None = None) -> Extract:
    """Read one CIN census XML file (any collection year 2017–2026) into an :class:`Extract`.

    The year is the header's ``CollectionDetails/Year`` (or, without it, the year of
    ``ReferenceDate``) and the file is checked against that year's DfE schema. The
    authority is the header's ``Source/LEA``, or ``la_code`` when the header has
    none; when both are given they must agree.

    Raises :class:`IngestError` listing every problem found (file, line, field,
    value, what was expected); nothing is returned for a file with problems.
    """
    name = str(path)
    log = Problems(name)
    reader = _Reader(Path(path), name, la_code, log)
    # The walk creates hundreds of thousands of short-lived objects and no reference cycles; pausing
    # the cyclic garbage collector meanwhile saves about a tenth of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        extract = reader.read()
    finally:
        if collecting:
            gc.enable()
    if extract is None or log.items:
        log.raise_all()
    return extract


# ------------------------------------------------------------------------------ the reader


_SCHEMA_MESSAGE = re.compile(r"^Element '(?P<element>[^']*)'(?:, attribute '(?P<attribute>[^']*)')?: "
                             r"(?P<message>.*)$", re.DOTALL)
_FACET = re.compile(r"^\[facet '(?P<facet>\w+)'\] The value '(?P<value>.*?)(?:' is not .*)?$", re.DOTALL)
_CODE_SET = re.compile(r"is not an element of the set \{(?P<codes>.*)\}\.?$", re.DOTALL)
_VALUE = re.compile(r"^'(?P<value>.*)' is not a valid value of the (?:atomic|local atomic) type(?P<rest>.*)$",
                    re.DOTALL)
_EXPECTED = re.compile(r"Expected is (?:one of )?\( (?P<names>[^)]*) \)")
_DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"
_ZONE = r"(?:Z|[+-]\d{2}:\d{2})$"
_YEAR = re.compile(r"^(?P<year>-?\d{1,9})(?:Z|[+-]\d{2}:\d{2})?$")


class _Reader:
    """One reading of one file."""

    def __init__(self, path: Path, name: str, la_code: str | None, log: Problems):
        self.path = path
        self.name = name
        self.la_arg = la_code
        self.log = log
        self.year = 0
        self.reference_date: dt.date | None = None
        self.sex_mismatch = False  # the child's sex item is the other era's (Sex vs GenderCurrent)
        self.year_mismatch = False  # the content belongs to another year than the header says

    # ----------------------------------------------------------------- steps
    def read(self) -> Extract | None:
        tree = parse(self.path, self.log)
        if tree is None:
            return None
        root = tree.getroot()
        if not root_ok(tree, root, self.log):
            return None
        la_code = self._header(root)
        if not self.year:
            return None
        schema = xml_schema(self.year)
        valid, errors = validate(schema, tree)
        raw = walk(root)
        self._schema_problems(errors, valid, raw)
        if self.year_mismatch:
            # Every date and code would be judged against the wrong year: the mismatch is the problem.
            return None
        frames = self._frames(raw)
        if self.log.items or la_code is None:
            return None
        start, end = census_period(self.year)
        return Extract(KIND, la_code, self.year, start, end, [self.name],
                       canonical(frames, la_code, self.name, self.year))

    def _header(self, root) -> str | None:
        """The collection year (set on self) and the authority; problems for anything amiss."""
        year_el = root.find("Header/CollectionDetails/Year")
        ref_el = root.find("Header/CollectionDetails/ReferenceDate")
        year = None
        if (text := text_of(year_el)) is not None:
            m = _YEAR.match(text)
            if m is None:
                self.log.add(line_of(year_el), "Year", short(text, 50), "a four-digit collection year, e.g. 2025")
            else:
                year = int(m["year"])
        reference = None
        if (text := text_of(ref_el)) is not None:
            reference = _parse_date(text)
            if reference is None:
                self.log.add(line_of(ref_el), "ReferenceDate", short(text, 50),
                             "a date YYYY-MM-DD (the census date, 31 March of the collection year)")
        if year is None and reference is not None:
            year = code_lists.collection_year(reference)
        elif (year is not None and reference is not None and year in COLLECTION_YEARS
              and code_lists.collection_year(reference) != year):
            self.log.add(line_of(ref_el), "ReferenceDate", reference.isoformat(),
                         f"a date in collection year {year} (1 April {year - 1} to 31 March {year}), as the "
                         "header's Year says")
            reference = None  # the census date is then the end of the declared year
        if year is None:
            if year_el is None and ref_el is None:
                self.log.add(line_of(root), "Year", None, "Header/CollectionDetails/Year (or ReferenceDate): "
                             "without it CareLens cannot tell which year's schema and codes apply")
        elif year not in COLLECTION_YEARS:
            self.log.add(line_of(year_el if year_el is not None else ref_el), "Year", year,
                         f"a collection year {COLLECTION_YEARS[0]}–{COLLECTION_YEARS[-1]} (CareLens reads CIN census "
                         "returns of these years)")
        else:
            self.year = year
            self.reference_date = reference or census_period(year)[1]

        leas = [e for e in root.findall("Header/Source/LEA")]
        codes = {t for e in leas if (t := text_of(e)) is not None}
        lea = text_of(leas[0]) if leas else None
        if len(codes) > 1:
            self.log.add(line_of(leas[1]), "LEA", short(text_of(leas[1]) or "", 50),
                         f"one authority per file (the first Source says LEA {lea})")
        arg = self.la_arg
        if arg is not None and not (isinstance(arg, str) and re.fullmatch(r"[0-9]{3}", arg)):
            self.log.add(None, "la_code", arg, "the 3-digit DfE authority number")
            return None
        if lea is not None and arg is not None and lea != arg:
            self.log.add(line_of(leas[0]), "LEA", lea, f"the authority the file was loaded for ({arg}), as given "
                         "in la_code")
            return None
        la_code = lea if lea is not None else arg
        if la_code is None:
            self.log.add(line_of(root), "LEA", None, "Header/Source/LEA, or an la_code given with the file: "
                         "the authority the return belongs to")
        elif not re.fullmatch(r"[0-9]{3}", la_code):
            self.log.check(line_of(leas[0]), "LEA", short(la_code, 50), "the 3-digit DfE authority number")
            return None
        return la_code

    # ---------------------------------------------------------------- schema
    def _schema_problems(self, errors: list, valid: bool, raw: Raw) -> None:
        year = self.year
        suppress = []
        if year >= FIRST_SEX_YEAR and raw.gender_el is not None and raw.sex_el is None:
            self.log.add(line_of(raw.gender_el), "GenderCurrent", text_of(raw.gender_el),
                         f"Sex (M, F or U): the header says Year {year}, and from {FIRST_SEX_YEAR} the census "
                         "records Sex instead of GenderCurrent — this looks like a return of 2024 or earlier, "
                         "so check the Year in the header")
            suppress.append(re.compile(r"\b(?:Sex|GenderCurrent)\b"))
        elif year < FIRST_SEX_YEAR and raw.sex_el is not None and raw.gender_el is None:
            self.log.add(line_of(raw.sex_el), "Sex", text_of(raw.sex_el),
                         f"GenderCurrent (1, 2, 0 or 9): the header says Year {year}, and until "
                         f"{FIRST_SEX_YEAR - 1} the census records GenderCurrent — this looks like a return of "
                         f"{FIRST_SEX_YEAR} or later, so check the Year in the header")
            suppress.append(re.compile(r"\b(?:Sex|GenderCurrent)\b"))
        self.sex_mismatch = bool(suppress)
        if year < FIRST_CIN_PLAN_YEAR and raw.cin_plan_el is not None:
            self.log.add(line_of(raw.cin_plan_el), "CINPlanDates", None,
                         f"no CINPlanDates in a {year} return: CIN plan dates are collected from "
                         f"{FIRST_CIN_PLAN_YEAR} — check the Year in the header")
            suppress.append(re.compile(r"^Element 'CINPlanDates'"))
        self.year_mismatch = bool(suppress)
        if valid:
            return
        listed = 0
        hidden = 0
        seen: set[int] = set()
        for error in errors:
            line = error.line or 0
            message = error.message or ""
            if any(s.search(message) for s in suppress):
                self.log.schema_lines.add(line)
                continue
            if line in seen:
                continue
            seen.add(line)
            self.log.schema_lines.add(line)
            if listed >= MAX_SCHEMA_PROBLEMS:
                hidden += 1
                continue
            listed += 1
            self.log.add(line, *_explain_schema_error(message, year))
        if hidden:
            expected = (f"conformance to CIN_schema_{year}.xsd at {hidden:,} more place(s) not listed "
                        f"(the first {MAX_SCHEMA_PROBLEMS} are)")
            self.log.more.append((None, None, expected))

    # ---------------------------------------------------------------- checks
    def _frames(self, raw: Raw) -> dict[str, pl.DataFrame]:
        """Frames of what the file says (dates parsed, codes as given, parents as row numbers), with a
        problem for every value that cannot be right."""
        year = self.year
        log = self.log

        def build(elements: list, columns: dict, dates: dict[str, tuple[str, str]] | None = None) -> pl.DataFrame:
            """The columns (lists of text, or Series) as a frame with ``source_row``; each column named in
            ``dates`` (column → (path from the row's element, field)) parsed, unreadable dates reported."""
            frame = pl.DataFrame({
                **{k: v if isinstance(v, pl.Series) else pl.Series(v, dtype=pl.Utf8) for k, v in columns.items()},
                "source_row": pl.Series([e.sourceline or 0 for e in elements], dtype=pl.Int64),
            })
            if not dates:
                return frame
            parsed = frame.with_columns(_date_expr(c).alias(f"_{c}") for c in dates)
            unreadable = parsed.select((pl.col(c).is_not_null() & pl.col(f"_{c}").is_null()).any().alias(c)
                                       for c in dates).row(0, named=True)
            for column, (path, field_name) in dates.items():
                if not unreadable[column]:
                    continue
                rows = parsed.with_row_index("_i").filter(pl.col(column).is_not_null()
                                                          & pl.col(f"_{column}").is_null())
                for i, text in rows.select("_i", column).iter_rows():
                    log.check(_field_line(elements[i], path), field_name, short(text, 60),
                              f"a real date written YYYY-MM-DD, in the years {EARLIEST_DATE.year}–"
                              f"{LATEST_DATE.year}")
            return parsed.drop(*dates).rename({f"_{c}": c for c in dates})

        def codes(values: list, elements: list, path: str, field_name: str, list_name: str) -> None:
            bad = set(values)
            bad.discard(None)
            bad -= _valid_codes(list_name, year)
            if bad:
                for i, v in enumerate(values):
                    if v in bad:
                        log.check(_field_line(elements[i], path), field_name, short(v, 60),
                                  _code_expectation(list_name, v, year))

        def flags(values: list, elements: list, path: str, field_name: str) -> pl.Series:
            out = [_FLAGS.get(v) for v in values]
            for i, v in enumerate(values):
                if v is not None and out[i] is None:
                    log.check(_field_line(elements[i], path), field_name, short(v, 60), "1 (yes) or 0 (no)")
            return pl.Series(out, dtype=pl.Boolean)

        def indices(values: list) -> pl.Series:
            return pl.Series(values, dtype=pl.Int64)

        # ---- children
        if year >= FIRST_SEX_YEAR:
            sex_list, sex_tag, sex = "sex", "Sex", [recorded for _, recorded in raw.c_sex]
        else:
            sex_list, sex_tag, sex = "cin_gender_pre2025", "GenderCurrent", [gender for gender, _ in raw.c_sex]
        if not self.sex_mismatch:
            codes(sex, raw.c_el, f"ChildIdentifiers/{sex_tag}", sex_tag, sex_list)
        codes(raw.c_ethnicity, raw.c_el, "ChildCharacteristics/Ethnicity", "Ethnicity", "ethnicity")
        codes(raw.c_upn_unknown, raw.c_el, "ChildIdentifiers/UPNunknown", "UPNunknown", "upn_unknown")
        person = build(raw.c_el, {
            "child_id": raw.c_id, "upn": raw.c_upn, "upn_unknown": raw.c_upn_unknown, "sex_code": sex,
            "birth": raw.c_birth, "expected": raw.c_expected, "date_of_death": raw.c_death,
            "ethnicity": raw.c_ethnicity,
        }, {
            "birth": ("ChildIdentifiers/PersonBirthDate", "PersonBirthDate"),
            "expected": ("ChildIdentifiers/ExpectedPersonBirthDate", "ExpectedPersonBirthDate"),
            "date_of_death": ("ChildIdentifiers/PersonDeathDate", "PersonDeathDate"),
        })
        person = person.with_columns(
            sex=(pl.col("sex_code").replace_strict(_GENDER_CURRENT, default=None) if year < FIRST_SEX_YEAR
                 else pl.col("sex_code")),
            date_of_birth=pl.coalesce("birth", "expected"),
            unborn=pl.col("birth").is_null() & pl.col("expected").is_not_null(),
        )
        for i, child_id in enumerate(raw.c_id):
            el = raw.c_el[i]
            if child_id is None:
                leaf = el.find("ChildIdentifiers/LAchildID")
                if leaf is not None:  # a missing element is the schema's to report
                    log.check(line_of(leaf), "LAchildID", "", "the child's identifier in the case system "
                              "(LAchildID is empty)")
            elif len(child_id) > MAX_ID_LENGTH:
                log.check(_field_line(el, "ChildIdentifiers/LAchildID"), "LAchildID", short(child_id, 60),
                          f"an LAchildID of at most {MAX_ID_LENGTH} characters")
            if raw.c_birth[i] is not None and raw.c_expected[i] is not None:
                log.check(_field_line(el, "ChildIdentifiers/ExpectedPersonBirthDate"), "ExpectedPersonBirthDate",
                          raw.c_expected[i], "either PersonBirthDate or ExpectedPersonBirthDate, not both")
            elif raw.c_birth[i] is None and raw.c_expected[i] is None:
                log.check(line_of(el), "PersonBirthDate", None, "a PersonBirthDate, or an ExpectedPersonBirthDate "
                          "for an unborn child")
            if raw.c_cins[i] == 0:
                log.check(line_of(el), "CINdetails", None, "at least one CINdetails (a child-in-need episode) for "
                          "every child in the return")
        if person["child_id"].is_duplicated().any():
            first: dict[str, int] = {}
            for i, child_id in enumerate(raw.c_id):
                if child_id is None:
                    continue
                if child_id in first:
                    log.add(_field_line(raw.c_el[i], "ChildIdentifiers/LAchildID"), "LAchildID",
                            short(child_id, 60), "each child once in the file (the same LAchildID is also the "
                            f"child at line {first[child_id]})")
                else:
                    first[child_id] = line_of(raw.c_el[i])

        # ---- disabilities
        codes(raw.d_code, raw.d_el, ".", "Disability", "disability")
        disabilities = build(raw.d_el, {"_child": indices(raw.d_child), "disability": raw.d_code})

        # ---- referrals
        codes(raw.r_source, raw.r_el, "ReferralSource", "ReferralSource", "referral_source")
        codes(raw.r_need, raw.r_el, "PrimaryNeedCode", "PrimaryNeedCode", "cin_primary_need")
        codes(raw.r_reason, raw.r_el, "ReasonForClosure", "ReasonForClosure", "cin_closure_reason")
        referrals = build(raw.r_el, {
            "_child": indices(raw.r_child), "referral_date": raw.r_date, "source": raw.r_source,
            "primary_need": raw.r_need, "referral_nfa": flags(raw.r_nfa, raw.r_el, "ReferralNFA", "ReferralNFA"),
            "closure_date": raw.r_closure, "closure_reason": raw.r_reason, "episode_icpc": raw.r_icpc,
            "episode_icpc_row": indices(raw.r_icpc_line),
        }, {
            "referral_date": ("CINreferralDate", "CINreferralDate"),
            "closure_date": ("CINclosureDate", "CINclosureDate"),
            "episode_icpc": ("DateOfInitialCPC", "DateOfInitialCPC"),
        })

        # ---- assessments and factors
        assessments = build(raw.a_el, {
            "_ref": indices(raw.a_ref), "start_date": raw.a_start, "authorised_date": raw.a_authorised,
        }, {
            "start_date": ("AssessmentActualStartDate", "AssessmentActualStartDate"),
            "authorised_date": ("AssessmentAuthorisationDate", "AssessmentAuthorisationDate"),
        })
        codes(raw.f_code, raw.f_el, ".", "AssessmentFactors", "assessment_factor")
        factors = build(raw.f_el, {"_assessment": indices(raw.f_assessment), "factor": raw.f_code})

        # ---- CIN plans
        cin_plans = build(raw.n_el, {"_ref": indices(raw.n_ref), "start_date": raw.n_start,
                                     "end_date": raw.n_end}, {
            "start_date": ("CINPlanStartDate", "CINPlanStartDate"),
            "end_date": ("CINPlanEndDate", "CINPlanEndDate"),
        })

        # ---- section 47 enquiries
        s47 = build(raw.s_el, {
            "_ref": indices(raw.s_ref), "start_date": raw.s_start, "icpc_target_date": raw.s_target,
            "icpc_date": raw.s_icpc, "icpc_row": indices(raw.s_icpc_line),
            "icpc_not_required": flags(raw.s_not_required, raw.s_el, "ICPCnotRequired", "ICPCnotRequired"),
        }, {
            "start_date": ("S47ActualStartDate", "S47ActualStartDate"),
            "icpc_target_date": ("InitialCPCtarget", "InitialCPCtarget"),
            "icpc_date": ("DateOfInitialCPC", "DateOfInitialCPC"),
        })

        # ---- CP plans and reviews
        codes(raw.p_initial, raw.p_el, "InitialCategoryOfAbuse", "InitialCategoryOfAbuse", "category_of_abuse")
        codes(raw.p_latest, raw.p_el, "LatestCategoryOfAbuse", "LatestCategoryOfAbuse", "category_of_abuse")
        cp_plans = build(raw.p_el, {
            "_ref": indices(raw.p_ref), "start_date": raw.p_start, "end_date": raw.p_end,
            "initial_category": raw.p_initial, "latest_category": raw.p_latest,
            "previous_plans": raw.p_previous,
        }, {
            "start_date": ("CPPstartDate", "CPPstartDate"),
            "end_date": ("CPPendDate", "CPPendDate"),
        })
        reviews = build(raw.v_el, {"_plan": indices(raw.v_plan), "review_date": raw.v_date},
                        {"review_date": (".", "CPPreviewDate")})

        frames = {"person": person, "disabilities": disabilities, "referrals": referrals,
                  "assessments": assessments, "assessment_factors": factors, "cin_plans": cin_plans,
                  "s47_enquiries": s47, "cp_plans": cp_plans, "cp_reviews": reviews}
        self._check_dates(frames, raw)
        return frames

    def _check_dates(self, frames: dict[str, pl.DataFrame], raw: Raw) -> None:
        """Impossible dates: an end before its start, events after the census date, a birth long after a
        referral, a death before birth."""
        log = self.log
        census = self.reference_date
        after = (f"a date on or before the census ReferenceDate {census.isoformat()} (the return says what was "
                 "known on the census date)")

        def check(frame: pl.DataFrame, elements: list, rules: list[tuple]) -> None:
            """Each rule is (condition, path, field, value column, expected text or function of the row)."""
            if frame.height == 0:
                return
            hits = frame.select(rule[0].fill_null(False).any().alias(str(n))
                                for n, rule in enumerate(rules)).row(0)
            for hit, (condition, path, field_name, value, expected) in zip(hits, rules):
                if not hit:
                    continue
                rows = frame.with_row_index("_i").filter(condition.fill_null(False))
                for row in rows.iter_rows(named=True):
                    v = row[value]
                    log.check(_field_line(elements[row["_i"]], path), field_name,
                              v.isoformat() if isinstance(v, dt.date) else v,
                              expected if isinstance(expected, str) else expected(row))

        def later(column: str, path: str, field_name: str) -> tuple:
            return (pl.col(column) > census, path, field_name, column, after)

        def before(column: str, start: str, path: str, field_name: str, start_field: str) -> tuple:
            return (pl.col(column) < pl.col(start), path, field_name, column,
                    lambda row: f"a date on or after the {start_field} ({row[start]})")

        person, referrals = frames["person"], frames["referrals"]
        # born (or due) no more than ~10 months after the earliest referral about the child
        earliest = referrals.group_by("_child").agg(first_referral=pl.col("referral_date").min())
        person = (person.with_row_index("_child").with_columns(pl.col("_child").cast(pl.Int64))
                  .join(earliest, on="_child", how="left", maintain_order="left"))
        check(person, raw.c_el, [
            later("birth", "ChildIdentifiers/PersonBirthDate", "PersonBirthDate"),
            later("date_of_death", "ChildIdentifiers/PersonDeathDate", "PersonDeathDate"),
            (pl.col("date_of_death") < pl.col("date_of_birth"), "ChildIdentifiers/PersonDeathDate",
             "PersonDeathDate", "date_of_death",
             lambda row: f"a date of death on or after the date of birth ({row['date_of_birth']})"),
        ])
        too_late = pl.col("first_referral").dt.offset_by(f"{UNBORN_MONTHS}mo")
        for path, field_name, column in (("ChildIdentifiers/PersonBirthDate", "PersonBirthDate", "birth"),
                                         ("ChildIdentifiers/ExpectedPersonBirthDate", "ExpectedPersonBirthDate",
                                          "expected")):
            check(person, raw.c_el, [
                (pl.col(column) > too_late, path, field_name, column,
                 lambda row: f"a birth no more than about {UNBORN_MONTHS} months after the child's earliest "
                 f"referral ({row['first_referral']}): a referral cannot come before a pregnancy"),
            ])
        check(referrals, raw.r_el, [
            later("referral_date", "CINreferralDate", "CINreferralDate"),
            later("closure_date", "CINclosureDate", "CINclosureDate"),
            later("episode_icpc", "DateOfInitialCPC", "DateOfInitialCPC"),
            before("closure_date", "referral_date", "CINclosureDate", "CINclosureDate", "CINreferralDate"),
        ])
        check(frames["assessments"], raw.a_el, [
            later("start_date", "AssessmentActualStartDate", "AssessmentActualStartDate"),
            later("authorised_date", "AssessmentAuthorisationDate", "AssessmentAuthorisationDate"),
            before("authorised_date", "start_date", "AssessmentAuthorisationDate", "AssessmentAuthorisationDate",
                   "AssessmentActualStartDate"),
        ])
        check(frames["cin_plans"], raw.n_el, [
            later("start_date", "CINPlanStartDate", "CINPlanStartDate"),
            later("end_date", "CINPlanEndDate", "CINPlanEndDate"),
            before("end_date", "start_date", "CINPlanEndDate", "CINPlanEndDate", "CINPlanStartDate"),
        ])
        check(frames["s47_enquiries"], raw.s_el, [
            later("start_date", "S47ActualStartDate", "S47ActualStartDate"),
            later("icpc_date", "DateOfInitialCPC", "DateOfInitialCPC"),
        ])
        check(frames["cp_plans"], raw.p_el, [
            later("start_date", "CPPstartDate", "CPPstartDate"),
            later("end_date", "CPPendDate", "CPPendDate"),
            before("end_date", "start_date", "CPPendDate", "CPPendDate", "CPPstartDate"),
        ])
        check(frames["cp_reviews"], raw.v_el, [later("review_date", ".", "CPPreviewDate")])

# ------------------------------------------------------------------------------ helpers


# The code list behind each coded element, for saying in which years a refused code is valid.
_CODE_LISTS = {
    "ReferralSource": "referral_source", "PrimaryNeedCode": "cin_primary_need",
    "ReasonForClosure": "cin_closure_reason", "Disability": "disability", "Ethnicity": "ethnicity",
    "AssessmentFactors": "assessment_factor", "InitialCategoryOfAbuse": "category_of_abuse",
    "LatestCategoryOfAbuse": "category_of_abuse", "UPNunknown": "upn_unknown",
    "GenderCurrent": "cin_gender_pre2025", "Sex": "sex",
}
_FLAGS = {"1": True, "0": False, "true": True, "false": False}


def _field_line(el, path: str) -> int:
    """The line of the element at ``path`` below ``el`` ("." for ``el`` itself), else of ``el``."""
    leaf = el if path == "." else el.find(path)
    return line_of(leaf if leaf is not None else el)


def _date_expr(column: str) -> pl.Expr:
    """A text column as dates: null where absent or not an acceptable date (see :func:`_parse_date`)."""
    core = pl.col(column).str.replace(_ZONE, "")
    parsed = pl.when(core.str.contains(_DATE_SHAPE)).then(core).str.to_date("%Y-%m-%d", strict=False)
    return pl.when(parsed.is_between(EARLIEST_DATE, LATEST_DATE)).then(parsed)


def _parse_date(text: str) -> dt.date | None:
    """A date written YYYY-MM-DD (an xs:date time zone is ignored) within the accepted years, else None."""
    core = re.sub(_ZONE, "", text)
    if not re.match(_DATE_SHAPE, core):
        return None
    try:
        d = dt.date.fromisoformat(core)
    except ValueError:
        return None
    return d if EARLIEST_DATE <= d <= LATEST_DATE else None


@cache
def _valid_codes(list_name: str, year: int) -> frozenset[str]:
    return frozenset(code_lists.codes(list_name, year))


@cache
def _code_expectation(list_name: str, code: str, year: int) -> str:
    valid = list(code_lists.codes(list_name, year))
    shown = ", ".join(valid[:60]) + (", …" if len(valid) > 60 else "")
    return f"a code valid in {year} ({list_name}: {shown}){_code_years(list_name, code, year)}"


def _code_years(list_name: str, code: str, year: int) -> str:
    """"; 5D is valid only from 2023" when ``code`` belongs to the list in other years, else ""."""
    try:
        entry = code_lists.code_list(list_name).entry(code)
    except KeyError:
        return ""
    if entry.valid_from > year:
        return f"; {code} is valid only from {entry.valid_from}"
    if entry.last_year < year:
        return f"; {code} was last valid in {entry.last_year}"
    return ""


def _explain_schema_error(message: str, year: int) -> tuple[str | None, str | None, str]:
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
            hint = _code_years(_CODE_LISTS[element], value, year) if element in _CODE_LISTS else ""
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
