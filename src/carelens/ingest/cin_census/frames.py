"""The file's records as frames: dates parsed, codes as given, each row's parent as a row number,
with a problem for every value that cannot be right (a code not valid in the year, a flag that is
not 1 or 0, an unreadable date, a missing or duplicated identifier).

The frames are built in bulk from the column lists of :mod:`.walk`; :func:`.dates.check_dates`
then looks at the dates they hold, and :mod:`.store_frames` makes store frames of them.
"""

from __future__ import annotations

import polars as pl

from carelens.ingest.cin_census.codes import (
    FIRST_SEX_YEAR,
    GENDER_CURRENT,
    code_expectation,
    valid_codes,
)
from carelens.ingest.cin_census.dates import EARLIEST_DATE, LATEST_DATE, date_expr
from carelens.ingest.cin_census.problems import Problems, field_line, line_of, short
from carelens.ingest.cin_census.walk import Raw

MAX_ID_LENGTH = 100
"""Longest LAchildID accepted (the schema allows any string; DfE rules ask for at most 20 characters
from 2025, but earlier returns had no limit)."""

_FLAGS = {"1": True, "0": False, "true": True, "false": False}


def read_frames(raw: Raw, year: int, sex_mismatch: bool, log: Problems) -> dict[str, pl.DataFrame]:
    """Frames of what the file says, keyed by record kind (``person``, ``referrals``, ...).

    ``sex_mismatch`` (the children carry the other era's sex item, already reported) leaves the
    sex codes unchecked."""
    fields = _Fields(year, log)
    person = _person(fields, raw, year, sex_mismatch, log)

    # ---- disabilities
    fields.codes(raw.d_code, raw.d_el, ".", "Disability", "disability")
    disabilities = fields.frame(raw.d_el, {"_child": _indices(raw.d_child), "disability": raw.d_code})

    # ---- referrals
    fields.codes(raw.r_source, raw.r_el, "ReferralSource", "ReferralSource", "referral_source")
    fields.codes(raw.r_need, raw.r_el, "PrimaryNeedCode", "PrimaryNeedCode", "cin_primary_need")
    fields.codes(raw.r_reason, raw.r_el, "ReasonForClosure", "ReasonForClosure", "cin_closure_reason")
    referrals = fields.frame(raw.r_el, {
        "_child": _indices(raw.r_child), "referral_date": raw.r_date, "source": raw.r_source,
        "primary_need": raw.r_need, "referral_nfa": fields.flags(raw.r_nfa, raw.r_el, "ReferralNFA", "ReferralNFA"),
        "closure_date": raw.r_closure, "closure_reason": raw.r_reason, "episode_icpc": raw.r_icpc,
        "episode_icpc_row": _indices(raw.r_icpc_line),
    }, {
        "referral_date": ("CINreferralDate", "CINreferralDate"),
        "closure_date": ("CINclosureDate", "CINclosureDate"),
        "episode_icpc": ("DateOfInitialCPC", "DateOfInitialCPC"),
    })

    # ---- assessments and factors
    assessments = fields.frame(raw.a_el, {
        "_ref": _indices(raw.a_ref), "start_date": raw.a_start, "authorised_date": raw.a_authorised,
    }, {
        "start_date": ("AssessmentActualStartDate", "AssessmentActualStartDate"),
        "authorised_date": ("AssessmentAuthorisationDate", "AssessmentAuthorisationDate"),
    })
    fields.codes(raw.f_code, raw.f_el, ".", "AssessmentFactors", "assessment_factor")
    factors = fields.frame(raw.f_el, {"_assessment": _indices(raw.f_assessment), "factor": raw.f_code})

    # ---- CIN plans
    cin_plans = fields.frame(raw.n_el, {"_ref": _indices(raw.n_ref), "start_date": raw.n_start,
                                        "end_date": raw.n_end}, {
        "start_date": ("CINPlanStartDate", "CINPlanStartDate"),
        "end_date": ("CINPlanEndDate", "CINPlanEndDate"),
    })

    # ---- section 47 enquiries
    s47 = fields.frame(raw.s_el, {
        "_ref": _indices(raw.s_ref), "start_date": raw.s_start, "icpc_target_date": raw.s_target,
        "icpc_date": raw.s_icpc, "icpc_row": _indices(raw.s_icpc_line),
        "icpc_not_required": fields.flags(raw.s_not_required, raw.s_el, "ICPCnotRequired", "ICPCnotRequired"),
    }, {
        "start_date": ("S47ActualStartDate", "S47ActualStartDate"),
        "icpc_target_date": ("InitialCPCtarget", "InitialCPCtarget"),
        "icpc_date": ("DateOfInitialCPC", "DateOfInitialCPC"),
    })

    # ---- CP plans and reviews
    fields.codes(raw.p_initial, raw.p_el, "InitialCategoryOfAbuse", "InitialCategoryOfAbuse", "category_of_abuse")
    fields.codes(raw.p_latest, raw.p_el, "LatestCategoryOfAbuse", "LatestCategoryOfAbuse", "category_of_abuse")
    cp_plans = fields.frame(raw.p_el, {
        "_ref": _indices(raw.p_ref), "start_date": raw.p_start, "end_date": raw.p_end,
        "initial_category": raw.p_initial, "latest_category": raw.p_latest,
        "previous_plans": raw.p_previous,
    }, {
        "start_date": ("CPPstartDate", "CPPstartDate"),
        "end_date": ("CPPendDate", "CPPendDate"),
    })
    reviews = fields.frame(raw.v_el, {"_plan": _indices(raw.v_plan), "review_date": raw.v_date},
                           {"review_date": (".", "CPPreviewDate")})

    return {"person": person, "disabilities": disabilities, "referrals": referrals,
            "assessments": assessments, "assessment_factors": factors, "cin_plans": cin_plans,
            "s47_enquiries": s47, "cp_plans": cp_plans, "cp_reviews": reviews}


def _person(fields: _Fields, raw: Raw, year: int, sex_mismatch: bool, log: Problems) -> pl.DataFrame:
    """The children: their codes and dates, an identifier and a birth date each, and each child once."""
    if year >= FIRST_SEX_YEAR:
        sex_list, sex_tag, sex = "sex", "Sex", [recorded for _, recorded in raw.c_sex]
    else:
        sex_list, sex_tag, sex = "cin_gender_pre2025", "GenderCurrent", [gender for gender, _ in raw.c_sex]
    if not sex_mismatch:
        fields.codes(sex, raw.c_el, f"ChildIdentifiers/{sex_tag}", sex_tag, sex_list)
    fields.codes(raw.c_ethnicity, raw.c_el, "ChildCharacteristics/Ethnicity", "Ethnicity", "ethnicity")
    fields.codes(raw.c_upn_unknown, raw.c_el, "ChildIdentifiers/UPNunknown", "UPNunknown", "upn_unknown")
    person = fields.frame(raw.c_el, {
        "child_id": raw.c_id, "upn": raw.c_upn, "upn_unknown": raw.c_upn_unknown, "sex_code": sex,
        "birth": raw.c_birth, "expected": raw.c_expected, "date_of_death": raw.c_death,
        "ethnicity": raw.c_ethnicity,
    }, {
        "birth": ("ChildIdentifiers/PersonBirthDate", "PersonBirthDate"),
        "expected": ("ChildIdentifiers/ExpectedPersonBirthDate", "ExpectedPersonBirthDate"),
        "date_of_death": ("ChildIdentifiers/PersonDeathDate", "PersonDeathDate"),
    })
    person = person.with_columns(
        sex=(pl.col("sex_code").replace_strict(GENDER_CURRENT, default=None) if year < FIRST_SEX_YEAR
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
            log.check(field_line(el, "ChildIdentifiers/LAchildID"), "LAchildID", short(child_id, 60),
                      f"an LAchildID of at most {MAX_ID_LENGTH} characters")
        if raw.c_birth[i] is not None and raw.c_expected[i] is not None:
            log.check(field_line(el, "ChildIdentifiers/ExpectedPersonBirthDate"), "ExpectedPersonBirthDate",
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
                log.add(field_line(raw.c_el[i], "ChildIdentifiers/LAchildID"), "LAchildID",
                        short(child_id, 60), "each child once in the file (the same LAchildID is also the "
                        f"child at line {first[child_id]})")
            else:
                first[child_id] = line_of(raw.c_el[i])
    return person


class _Fields:
    """Builds one file's frames, reporting each value that cannot be right."""

    def __init__(self, year: int, log: Problems):
        self.year = year
        self.log = log

    def frame(self, elements: list, columns: dict,
              dates: dict[str, tuple[str, str]] | None = None) -> pl.DataFrame:
        """The columns (lists of text, or Series) as a frame with ``source_row``; each column named in
        ``dates`` (column → (path from the row's element, field)) parsed, unreadable dates reported."""
        frame = pl.DataFrame({
            **{k: v if isinstance(v, pl.Series) else pl.Series(v, dtype=pl.Utf8) for k, v in columns.items()},
            "source_row": pl.Series([e.sourceline or 0 for e in elements], dtype=pl.Int64),
        })
        if not dates:
            return frame
        parsed = frame.with_columns(date_expr(c).alias(f"_{c}") for c in dates)
        unreadable = parsed.select((pl.col(c).is_not_null() & pl.col(f"_{c}").is_null()).any().alias(c)
                                   for c in dates).row(0, named=True)
        for column, (path, field_name) in dates.items():
            if not unreadable[column]:
                continue
            rows = parsed.with_row_index("_i").filter(pl.col(column).is_not_null()
                                                      & pl.col(f"_{column}").is_null())
            for i, text in rows.select("_i", column).iter_rows():
                self.log.check(field_line(elements[i], path), field_name, short(text, 60),
                               f"a real date written YYYY-MM-DD, in the years {EARLIEST_DATE.year}–"
                               f"{LATEST_DATE.year}")
        return parsed.drop(*dates).rename({f"_{c}": c for c in dates})

    def codes(self, values: list, elements: list, path: str, field_name: str, list_name: str) -> None:
        bad = set(values)
        bad.discard(None)
        bad -= valid_codes(list_name, self.year)
        if bad:
            for i, v in enumerate(values):
                if v in bad:
                    self.log.check(field_line(elements[i], path), field_name, short(v, 60),
                                   code_expectation(list_name, v, self.year))

    def flags(self, values: list, elements: list, path: str, field_name: str) -> pl.Series:
        out = [_FLAGS.get(v) for v in values]
        for i, v in enumerate(values):
            if v is not None and out[i] is None:
                self.log.check(field_line(elements[i], path), field_name, short(v, 60), "1 (yes) or 0 (no)")
        return pl.Series(out, dtype=pl.Boolean)


def _indices(values: list) -> pl.Series:
    return pl.Series(values, dtype=pl.Int64)
