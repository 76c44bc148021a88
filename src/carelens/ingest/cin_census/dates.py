"""Dates in a census: how they are read, and which ones cannot be right.

A date is written ``YYYY-MM-DD`` (an ``xs:date`` time zone is ignored) within the accepted years
(:func:`parse_date`, :func:`date_expr`). :func:`check_dates` reports the impossible ones: an end
before its start, an event after the census date, a birth long after a referral, a death before
birth.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from carelens.ingest.cin_census.problems import Problems, field_line
from carelens.ingest.cin_census.walk import Raw

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
UNBORN_MONTHS = 10
"""A child cannot be born more than this many months after a referral about them."""

_DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"
_ZONE = r"(?:Z|[+-]\d{2}:\d{2})$"


def date_expr(column: str) -> pl.Expr:
    """A text column as dates: null where absent or not an acceptable date (see :func:`parse_date`)."""
    core = pl.col(column).str.replace(_ZONE, "")
    parsed = pl.when(core.str.contains(_DATE_SHAPE)).then(core).str.to_date("%Y-%m-%d", strict=False)
    return pl.when(parsed.is_between(EARLIEST_DATE, LATEST_DATE)).then(parsed)


def parse_date(text: str) -> dt.date | None:
    """A date written YYYY-MM-DD (an xs:date time zone is ignored) within the accepted years, else None."""
    core = re.sub(_ZONE, "", text)
    if not re.match(_DATE_SHAPE, core):
        return None
    try:
        d = dt.date.fromisoformat(core)
    except ValueError:
        return None
    return d if EARLIEST_DATE <= d <= LATEST_DATE else None


def check_dates(frames: dict[str, pl.DataFrame], raw: Raw, census: dt.date, log: Problems) -> None:
    """Impossible dates: an end before its start, events after the census date, a birth long after a
    referral, a death before birth."""
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
                log.check(field_line(elements[row["_i"]], path), field_name,
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
