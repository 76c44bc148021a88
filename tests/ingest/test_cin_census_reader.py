"""The CIN census XML reader: the inverse of the writer, every schema year, every way a file can be wrong.

1. Round trip: synthetic authorities → ``write_cin_census`` (2024, 2025, 2026) → ``read_cin_census``
   gives back what the census carries, worked out independently from the store with the writer's
   documented as-at-31-March rules (docs/returns/cin-census.md).
2. Hand-made files: a 2019 return (GenderCurrent, FormerUPN, AssessmentInternalReviewDate, 18A, no
   CINPlanDates) and a 2025 one, read column by column; a minimal file for every year 2017–2026.
3. Bad input: each gives an IngestError naming the file, line, field, value and what was expected.
4. Fuzzing: whatever is done to a valid file's bytes or elements, the reader returns an extract or
   raises IngestError — never anything else.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from carelens.ingest import cin_census as reader
from carelens.ingest.cin_census import TABLES, read_cin_census
from carelens.model.store import Store, polars_schema
from carelens.model.tables import table
from carelens.problems import IngestError, Problem
from carelens.returns.cin_census import census_period, schema_path, write_cin_census
from carelens.synth import AuthoritySpec, load_profile, synthesise

D = dt.date.fromisoformat

# ---------------------------------------------------------------------------------------- files

BASE_2025 = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2025</Year>
      <ReferenceDate>2025-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>873</LEA>
      <SoftwareCode>Hand made</SoftwareCode>
      <Release>1</Release>
      <SerialNo>001</SerialNo>
      <DateTime>2025-05-06T09:30:00</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C1</LAchildID>
        <UPN>A12345678901B</UPN>
        <PersonBirthDate>2015-06-01</PersonBirthDate>
        <Sex>F</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>NONE</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-05-01</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N4</PrimaryNeedCode>
        <CINclosureDate>2025-01-10</CINclosureDate>
        <ReasonForClosure>RC8</ReasonForClosure>
        <Assessments>
          <AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2024-05-20</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>3A</AssessmentFactors>
            <AssessmentFactors>16A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <ReferralNFA>0</ReferralNFA>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C2</LAchildID>
        <UPNunknown>UN1</UPNunknown>
        <ExpectedPersonBirthDate>2025-06-01</ExpectedPersonBirthDate>
        <Sex>U</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>NOBT</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-02-01</CINreferralDate>
        <ReferralSource>3B</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <Section47>
          <S47ActualStartDate>2025-02-03</S47ActualStartDate>
          <InitialCPCtarget>2025-02-24</InitialCPCtarget>
          <DateOfInitialCPC>2025-02-20</DateOfInitialCPC>
          <ICPCnotRequired>0</ICPCnotRequired>
        </Section47>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2025-02-20</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C3</LAchildID>
        <UPN>A12345678902C</UPN>
        <PersonBirthDate>2010-01-01</PersonBirthDate>
        <Sex>M</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>MWBC</Ethnicity>
        <Disabilities>
          <Disability>AUT</Disability>
          <Disability>LD</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2023-06-01</CINreferralDate>
        <ReferralSource>5D</ReferralSource>
        <PrimaryNeedCode>N5</PrimaryNeedCode>
        <DateOfInitialCPC>2024-07-15</DateOfInitialCPC>
        <CINPlanDates>
          <CINPlanStartDate>2023-07-01</CINPlanStartDate>
          <CINPlanEndDate>2024-06-30</CINPlanEndDate>
        </CINPlanDates>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2024-07-15</CPPstartDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2024-10-10</CPPreviewDate>
            <CPPreviewDate>2025-01-10</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C4</LAchildID>
        <UPN>A12345678903D</UPN>
        <PersonBirthDate>2008-03-15</PersonBirthDate>
        <Sex>M</Sex>
        <PersonDeathDate>2025-02-01</PersonDeathDate>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>BAFR</Ethnicity>
        <Disabilities>
          <Disability>NONE</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-09-01</CINreferralDate>
        <ReferralSource>6</ReferralSource>
        <CINclosureDate>2024-09-01</CINclosureDate>
        <ReasonForClosure>RC7</ReasonForClosure>
        <ReferralNFA>1</ReferralNFA>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2024-12-01</CINreferralDate>
        <ReferralSource>2A</ReferralSource>
        <PrimaryNeedCode>N2</PrimaryNeedCode>
        <CINclosureDate>2025-02-01</CINclosureDate>
        <ReasonForClosure>RC2</ReasonForClosure>
        <Assessments>
          <AssessmentActualStartDate>2024-12-02</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2024-12-20</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>21</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <Section47>
          <S47ActualStartDate>2024-12-05</S47ActualStartDate>
          <ICPCnotRequired>1</ICPCnotRequired>
        </Section47>
        <ReferralNFA>0</ReferralNFA>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""

OLD_2019 = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2019</Year>
      <ReferenceDate>2019-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>201</LEA>
      <SoftwareCode>Old system</SoftwareCode>
      <Release>7.2</Release>
      <SerialNo>004</SerialNo>
      <DateTime>2019-05-01T10:00:00</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>D1</LAchildID>
        <UPN>A20100000001Z</UPN>
        <FormerUPN>A20100000009Y</FormerUPN>
        <PersonBirthDate>2012-02-02</PersonBirthDate>
        <GenderCurrent>1</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2018-05-01</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <Assessments>
          <AssessmentActualStartDate>2018-05-02</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>2018-05-10</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>2018-05-30</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>18A</AssessmentFactors>
            <AssessmentFactors>19A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <Section47>
          <S47ActualStartDate>2018-06-01</S47ActualStartDate>
          <InitialCPCtarget>2018-06-22</InitialCPCtarget>
          <DateOfInitialCPC>2018-06-20</DateOfInitialCPC>
          <ICPCnotRequired>0</ICPCnotRequired>
        </Section47>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2018-06-20</CPPstartDate>
          <InitialCategoryOfAbuse>SAB</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>SAB</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2018-09-20</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>D2</LAchildID>
        <UPNunknown>UN2</UPNunknown>
        <PersonBirthDate>2016-07-07</PersonBirthDate>
        <GenderCurrent>2</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>AIND</Ethnicity>
        <Disabilities>
          <Disability>HEAR</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2018-10-10</CINreferralDate>
        <ReferralSource>10</ReferralSource>
        <PrimaryNeedCode>N3</PrimaryNeedCode>
        <CINclosureDate>2019-01-01</CINclosureDate>
        <ReasonForClosure>RC1</ReasonForClosure>
        <ReferralNFA>0</ReferralNFA>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>D3</LAchildID>
        <ExpectedPersonBirthDate>2019-05-05</ExpectedPersonBirthDate>
        <GenderCurrent>0</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>NOBT</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2019-01-15</CINreferralDate>
        <ReferralSource>3B</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <ReferralNFA>0</ReferralNFA>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>D4</LAchildID>
        <PersonBirthDate>2005-01-01</PersonBirthDate>
        <GenderCurrent>9</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>REFU</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2018-11-01</CINreferralDate>
        <ReferralSource>5C</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <DateOfInitialCPC>2018-11-12</DateOfInitialCPC>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2018-11-12</CPPstartDate>
          <InitialCategoryOfAbuse>MUL</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>2</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""


def write(folder: Path, text: str | bytes, name: str = "census.xml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def problems_of(folder: Path, text: str | bytes, name: str = "bad.xml", **kwargs) -> list[Problem]:
    path = write(folder, text, name)
    with pytest.raises(IngestError) as caught:
        read_cin_census(path, **kwargs)
    problems = caught.value.problems
    assert problems and all(p.file == str(path) for p in problems)
    return problems


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """The line (1-based) of the ``occurrence``-th ``marker`` in ``text``."""
    at = -1
    for _ in range(occurrence):
        at = text.index(marker, at + 1)
    return text.count("\n", 0, at) + 1


def rows(frame: pl.DataFrame, *columns: str) -> list[tuple]:
    return sorted(frame.select(columns).rows(), key=repr)


def check_extract_shape(extract) -> None:
    """Every table present, typed as the store declares, keys unique, references resolved."""
    assert set(extract.frames) == set(TABLES)
    for name, frame in extract.frames.items():
        declared = polars_schema(name)
        assert list(frame.columns) == [c for c in declared if c in frame.columns], name
        for column, dtype in frame.schema.items():
            assert dtype == declared[column], (name, column)
        key = list(table(name).primary_key)
        assert frame.select(key).is_duplicated().sum() == 0, name
        for c in table(name).columns:
            if not c.nullable and c.name in frame.columns:
                assert frame[c.name].null_count() == 0, (name, c.name)
    f = extract.frames
    for child, parent, key in [("disabilities", "person", "child_id"), ("referrals", "person", "child_id"),
                               ("assessments", "referrals", "referral_id"),
                               ("assessment_factors", "assessments", "assessment_id"),
                               ("cin_plans", "referrals", "referral_id"),
                               ("s47_enquiries", "referrals", "referral_id"),
                               ("initial_cp_conferences", "referrals", "referral_id"),
                               ("cp_plans", "referrals", "referral_id"), ("cp_reviews", "cp_plans", "cp_plan_id")]:
        assert f[child].join(f[parent], on=key, how="anti").height == 0, (child, parent)


# ------------------------------------------------------------------------------- 1. round trip


def census_as_documented(store: Store, year: int) -> dict[str, pl.DataFrame]:
    """What a census of ``year`` carries, from the store, by the rules of docs/returns/cin-census.md."""
    start, end = census_period(year)
    t = {name: store.to_polars(name) for name in (
        "person", "disabilities", "referrals", "assessments", "assessment_factors", "cin_plans",
        "s47_enquiries", "initial_cp_conferences", "cp_plans", "cp_reviews")}

    def known(column: str) -> pl.Expr:
        return pl.when(pl.col(column) <= end).then(pl.col(column))

    def open_in_year(s: str, e: str) -> pl.Expr:
        return (pl.col(s) <= end) & (pl.col(e).is_null() | (pl.col(e) >= start))

    refs = (t["referrals"].filter(open_in_year("referral_date", "closure_date"))
            .with_columns(referral_nfa=pl.col("referral_nfa")
                          & (pl.col("closure_date").is_null() | (pl.col("closure_date") <= end)),
                          closure_date=known("closure_date"))
            .with_columns(closure_reason=pl.when(pl.col("closure_date").is_not_null())
                          .then(pl.col("closure_reason"))))
    unborn = pl.col("unborn").fill_null(False) | (pl.col("date_of_birth") > end)
    person = (t["person"].join(refs.select("child_id").unique(), on="child_id", how="semi")
              .with_columns(sex=pl.when(unborn).then(pl.lit("U")).otherwise(pl.col("sex")), unborn=unborn,
                            upn_unknown=pl.when(pl.col("upn").is_null()).then(pl.col("upn_unknown")),
                            date_of_death=known("date_of_death")))
    disabilities = t["disabilities"].join(person, on="child_id", how="semi")
    in_refs = refs.select("referral_id", "referral_date")
    assessments = (t["assessments"].join(in_refs, on="referral_id")
                   .with_columns(authorised_date=known("authorised_date"))
                   .filter(open_in_year("start_date", "authorised_date")))
    factors = t["assessment_factors"].join(
        assessments.filter(pl.col("authorised_date").is_not_null()).select("assessment_id", "start_date"),
        on="assessment_id")
    cin_plans = (t["cin_plans"].join(in_refs, on="referral_id").filter(open_in_year("start_date", "end_date"))
                 .with_columns(end_date=known("end_date")))
    icpcs = t["initial_cp_conferences"].filter(pl.col("conference_date") <= end)
    icpc_of = (icpcs.filter(pl.col("s47_id").is_not_null()).group_by("s47_id")
               .agg(icpc_date=pl.col("conference_date").min()))
    s47 = (t["s47_enquiries"].join(in_refs, on="referral_id").join(icpc_of, on="s47_id", how="left")
           .filter((pl.col("start_date") <= end)
                   & pl.when(pl.col("icpc_date").is_not_null()).then(pl.col("icpc_date") >= start)
                   .otherwise(pl.col("end_date").is_null() | (pl.col("end_date") >= start)))
           .with_columns(icpc_not_required=(pl.col("icpc_not_required").fill_null(False)
                                            | pl.col("outcome").is_in(["CIN_PLAN", "NFA"]).fill_null(False))
                         & (pl.col("end_date").is_null() | (pl.col("end_date") <= end))
                         & pl.col("icpc_date").is_null()))
    episode_icpcs = (icpcs.filter(pl.col("conference_date") >= start).join(in_refs, on="referral_id")
                     .join(s47.select("s47_id"), on="s47_id", how="anti")
                     .group_by("child_id", "referral_id", "referral_date")
                     .agg(conference_date=pl.col("conference_date").min()))
    cp_plans = (t["cp_plans"].join(in_refs, on="referral_id").filter(open_in_year("start_date", "end_date"))
                .with_columns(end_date=known("end_date")))
    reviews = (t["cp_reviews"].join(cp_plans.select("cp_plan_id", "start_date"), on="cp_plan_id")
               .filter(pl.col("review_date").is_between(start, end)))
    return {"person": person, "disabilities": disabilities, "referrals": refs, "assessments": assessments,
            "assessment_factors": factors, "cin_plans": cin_plans, "s47_enquiries": s47,
            "episode_icpcs": episode_icpcs, "cp_plans": cp_plans, "cp_reviews": reviews}


SEEDS = (3, 17, 29)


# the fast lane reads back the first seed's census; the full run every seed's
@pytest.fixture(scope="module", params=[SEEDS[0], *(pytest.param(s, marks=pytest.mark.slow) for s in SEEDS[1:])],
                ids=[f"seed{s}" for s in SEEDS])
def synthetic_census(request, tmp_path_factory):
    """A 3,000-child synthetic authority over 5 years, and its census files for 2024–2026."""
    folder = tmp_path_factory.mktemp(f"cin_round_trip_{request.param}")
    store_path = folder / "store.duckdb"
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=3000)
    synthesise(store_path, [spec], years=5, seed=request.param)
    files = {}
    with Store(store_path, read_only=True) as store:
        for year in (2024, 2025, 2026):
            files[year] = folder / f"cin_{year}.xml"
            write_cin_census(store, year, files[year], generated_at=dt.datetime(year, 5, 1, 9, 0))
    return store_path, files


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_round_trip_gives_back_what_the_census_carries(synthetic_census, year):
    store_path, files = synthetic_census
    extract = read_cin_census(files[year])
    with Store(store_path, read_only=True) as store:
        want = census_as_documented(store, year)

    assert (extract.kind, extract.la_code, extract.collection_year) == ("cin_census", "890", year)
    assert (extract.period_start, extract.period_end) == census_period(year)
    assert extract.files == [str(files[year])]
    check_extract_shape(extract)
    got = extract.frames
    assert got["person"].height > 300

    person_columns = ("child_id", "upn", "upn_unknown", "sex", "date_of_birth", "unborn", "ethnicity",
                      "date_of_death")
    assert rows(got["person"], *person_columns) == rows(want["person"], *person_columns)
    assert not got["person"]["uasc"].any()
    assert rows(got["disabilities"], "child_id", "disability") == rows(want["disabilities"], "child_id",
                                                                       "disability")
    referral_columns = ("child_id", "referral_date", "source", "primary_need", "referral_nfa", "closure_date",
                        "closure_reason")
    assert rows(got["referrals"], *referral_columns) == rows(want["referrals"], *referral_columns)

    # records below a referral, compared with the referral's date standing in for its identifier
    referral_dates = got["referrals"].select("referral_id", "referral_date")

    def under_referral(name: str) -> pl.DataFrame:
        return got[name].join(referral_dates, on="referral_id")

    assert rows(under_referral("assessments"), "child_id", "referral_date", "start_date", "authorised_date") == \
        rows(want["assessments"], "child_id", "referral_date", "start_date", "authorised_date")
    assessment_starts = got["assessments"].select("assessment_id", "start_date")
    assert rows(got["assessment_factors"].join(assessment_starts, on="assessment_id"),
                "child_id", "start_date", "factor") == \
        rows(want["assessment_factors"], "child_id", "start_date", "factor")
    assert rows(under_referral("cin_plans"), "child_id", "referral_date", "start_date", "end_date") == \
        rows(want["cin_plans"], "child_id", "referral_date", "start_date", "end_date")

    icpcs = got["initial_cp_conferences"]
    s47 = under_referral("s47_enquiries").join(
        icpcs.filter(pl.col("s47_id").is_not_null()).select("s47_id", icpc_date="conference_date"),
        on="s47_id", how="left")
    s47_columns = ("child_id", "referral_date", "start_date", "icpc_target_date", "icpc_not_required",
                   "icpc_date")
    assert rows(s47, *s47_columns) == rows(want["s47_enquiries"], *s47_columns)
    assert (s47["outcome"].is_not_null() == s47["icpc_date"].is_not_null()).all()
    assert set(s47["outcome"].drop_nulls()) <= {"ICPC"}
    assert (icpcs["transfer_in"] == icpcs["s47_id"].is_null()).all()
    assert rows(icpcs.filter("transfer_in").join(referral_dates, on="referral_id"),
                "child_id", "referral_date", "conference_date") == \
        rows(want["episode_icpcs"], "child_id", "referral_date", "conference_date")

    plan_columns = ("child_id", "referral_date", "start_date", "end_date", "initial_category", "latest_category")
    assert rows(under_referral("cp_plans"), *plan_columns) == rows(want["cp_plans"], *plan_columns)
    plan_starts = got["cp_plans"].select("cp_plan_id", "start_date")
    assert rows(got["cp_reviews"].join(plan_starts, on="cp_plan_id"), "child_id", "start_date", "review_date") == \
        rows(want["cp_reviews"], "child_id", "start_date", "review_date")

    # a conference made a plan exactly when a plan in the same episode starts that day, and links to it
    plans = got["cp_plans"]
    made = icpcs.join(plans, left_on=["referral_id", "conference_date"], right_on=["referral_id", "start_date"],
                      how="semi")
    assert sorted(made["icpc_id"]) == sorted(icpcs.filter("outcome_cp_plan")["icpc_id"])
    linked = plans.filter(pl.col("icpc_id").is_not_null()).join(icpcs, on="icpc_id")
    assert (linked["start_date"] == linked["conference_date"]).all()
    assert linked.height == made.height


def test_round_trip_provenance_points_at_the_elements(synthetic_census):
    _, files = synthetic_census
    path = files[2025]
    extract = read_cin_census(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    opening = {"person": "<Child>", "disabilities": "<Disability>", "referrals": "<CINdetails>",
               "assessments": "<Assessments>", "assessment_factors": "<AssessmentFactors>",
               "cin_plans": "<CINPlanDates>", "s47_enquiries": "<Section47>",
               "initial_cp_conferences": "<DateOfInitialCPC>", "cp_plans": "<ChildProtectionPlans>",
               "cp_reviews": "<CPPreviewDate>"}
    for name, frame in extract.frames.items():
        assert (frame["source_file"] == str(path)).all()
        assert (frame["source_year"] == 2025).all()
        assert frame["source_row"].n_unique() == frame.height, name
        for line in frame["source_row"]:
            assert lines[line - 1].strip().startswith(opening[name]), (name, line)
    person = extract.frames["person"].head(50)
    for child_id, line in person.select("child_id", "source_row").iter_rows():
        assert lines[line].strip() == "<ChildIdentifiers>" and lines[line + 1].strip() == f"<LAchildID>{child_id}</LAchildID>"


def test_identifiers_are_stable_across_loads_and_census_years(synthetic_census):
    _, files = synthetic_census
    first, again = read_cin_census(files[2025]), read_cin_census(files[2025])
    for name in TABLES:
        assert first.frames[name].equals(again.frames[name]), name

    older = read_cin_census(files[2024])
    for name, key, natural in [("referrals", "referral_id", ["child_id", "referral_date"]),
                               ("cp_plans", "cp_plan_id", ["child_id", "start_date"]),
                               ("assessments", "assessment_id", ["child_id", "start_date"])]:
        both = older.frames[name].select(*natural, key).join(first.frames[name].select(*natural, key),
                                                             on=natural, suffix="_2025")
        assert both.height > 0, name
        assert (both[key] == both[f"{key}_2025"]).all(), name
    referrals = first.frames["referrals"]
    assert (referrals["referral_id"] == referrals["child_id"] + "/R"
            + referrals["referral_date"].dt.strftime("%Y-%m-%d")).all()


def test_type_mapping_matches_the_store():
    from carelens.model import store

    assert reader._POLARS_TYPES == store._POLARS_TYPES


def test_the_writer_and_reader_share_one_copy_of_each_schema():
    for year in (2024, 2025, 2026):
        assert schema_path(year) == reader.schema_path(year)
    for year in range(2017, 2027):
        assert reader.schema_path(year).is_file()
    folder = reader.schema_path(2025).parent
    assert sorted(p.name for p in folder.glob("*.xsd")) == [f"CIN_schema_{y}.xsd" for y in range(2017, 2027)]
    assert (folder / "README.md").is_file()


# ------------------------------------------------------------------------------ 2. hand-made files


def test_hand_made_2025_file(tmp_path):
    path = write(tmp_path, BASE_2025)
    x = read_cin_census(path)
    check_extract_shape(x)
    f = x.frames
    assert (x.la_code, x.collection_year) == ("873", 2025)
    assert rows(f["person"], "child_id", "upn", "upn_unknown", "sex", "date_of_birth", "unborn", "ethnicity",
                "date_of_death") == sorted([
        ("C1", "A12345678901B", None, "F", D("2015-06-01"), False, "WBRI", None),
        ("C2", None, "UN1", "U", D("2025-06-01"), True, "NOBT", None),
        ("C3", "A12345678902C", None, "M", D("2010-01-01"), False, "MWBC", None),
        ("C4", "A12345678903D", None, "M", D("2008-03-15"), False, "BAFR", D("2025-02-01")),
    ], key=repr)
    assert rows(f["disabilities"], "child_id", "disability") == [("C1", "NONE"), ("C3", "AUT"), ("C3", "LD"),
                                                                 ("C4", "NONE")]
    assert rows(f["referrals"], "referral_id", "child_id", "referral_date", "source", "primary_need",
                "referral_nfa", "closure_date", "closure_reason") == [
        ("C1/R2024-05-01", "C1", D("2024-05-01"), "1A", "N4", False, D("2025-01-10"), "RC8"),
        ("C2/R2025-02-01", "C2", D("2025-02-01"), "3B", "N1", False, None, None),
        ("C3/R2023-06-01", "C3", D("2023-06-01"), "5D", "N5", False, None, None),
        ("C4/R2024-09-01", "C4", D("2024-09-01"), "6", None, True, D("2024-09-01"), "RC7"),
        ("C4/R2024-12-01", "C4", D("2024-12-01"), "2A", "N2", False, D("2025-02-01"), "RC2"),
    ]
    assert rows(f["assessments"], "assessment_id", "referral_id", "start_date", "authorised_date") == [
        ("C1/A2024-05-02", "C1/R2024-05-01", D("2024-05-02"), D("2024-05-20")),
        ("C4/A2024-12-02", "C4/R2024-12-01", D("2024-12-02"), D("2024-12-20")),
    ]
    assert rows(f["assessment_factors"], "assessment_id", "factor") == [
        ("C1/A2024-05-02", "16A"), ("C1/A2024-05-02", "3A"), ("C4/A2024-12-02", "21")]
    assert rows(f["cin_plans"], "cin_plan_id", "referral_id", "start_date", "end_date") == [
        ("C3/N2023-07-01", "C3/R2023-06-01", D("2023-07-01"), D("2024-06-30"))]
    assert rows(f["s47_enquiries"], "s47_id", "referral_id", "start_date", "outcome", "icpc_target_date",
                "icpc_not_required") == [
        ("C2/S2025-02-03", "C2/R2025-02-01", D("2025-02-03"), "ICPC", D("2025-02-24"), False),
        ("C4/S2024-12-05", "C4/R2024-12-01", D("2024-12-05"), None, None, True),
    ]
    assert rows(f["initial_cp_conferences"], "icpc_id", "referral_id", "s47_id", "target_date",
                "conference_date", "transfer_in", "outcome_cp_plan") == [
        ("C2/I2025-02-20", "C2/R2025-02-01", "C2/S2025-02-03", D("2025-02-24"), D("2025-02-20"), False, True),
        ("C3/I2024-07-15", "C3/R2023-06-01", None, None, D("2024-07-15"), True, True),
    ]
    assert rows(f["cp_plans"], "cp_plan_id", "referral_id", "icpc_id", "start_date", "end_date",
                "initial_category", "latest_category") == [
        ("C2/C2025-02-20", "C2/R2025-02-01", "C2/I2025-02-20", D("2025-02-20"), None, "NEG", "NEG"),
        ("C3/C2024-07-15", "C3/R2023-06-01", "C3/I2024-07-15", D("2024-07-15"), None, "PHY", "EMO"),
    ]
    assert rows(f["cp_reviews"], "cp_review_id", "cp_plan_id", "review_date") == [
        ("C3/Q2024-10-10", "C3/C2024-07-15", D("2024-10-10")),
        ("C3/Q2025-01-10", "C3/C2024-07-15", D("2025-01-10")),
    ]
    assert f["referrals"]["source_row"].to_list() == [
        line_of(BASE_2025, "<CINdetails>", n) for n in range(1, 6)]
    assert f["initial_cp_conferences"].sort("icpc_id")["source_row"].to_list() == [
        line_of(BASE_2025, "<DateOfInitialCPC>2025-02-20"), line_of(BASE_2025, "<DateOfInitialCPC>2024-07-15")]


def test_old_2019_file_with_gender_current(tmp_path):
    x = read_cin_census(write(tmp_path, OLD_2019, "cin_2019.xml"))
    check_extract_shape(x)
    f = x.frames
    assert (x.la_code, x.collection_year, x.period_start, x.period_end) == (
        "201", 2019, D("2018-04-01"), D("2019-03-31"))
    # GenderCurrent 1 → M, 2 → F, 0 (unborn / not recorded) → U, 9 (indeterminate) → U
    assert rows(f["person"], "child_id", "upn", "upn_unknown", "sex", "date_of_birth", "unborn", "ethnicity") == [
        ("D1", "A20100000001Z", None, "M", D("2012-02-02"), False, "WBRI"),
        ("D2", None, "UN2", "F", D("2016-07-07"), False, "AIND"),
        ("D3", None, None, "U", D("2019-05-05"), True, "NOBT"),
        ("D4", None, None, "U", D("2005-01-01"), False, "REFU"),
    ]
    # 18A and 19A were valid until 2020; AssessmentInternalReviewDate and FormerUPN have no store column
    assert rows(f["assessment_factors"], "assessment_id", "factor") == [
        ("D1/A2018-05-02", "18A"), ("D1/A2018-05-02", "19A")]
    assert rows(f["assessments"], "assessment_id", "start_date", "authorised_date") == [
        ("D1/A2018-05-02", D("2018-05-02"), D("2018-05-30"))]
    assert f["cin_plans"].height == 0
    assert rows(f["initial_cp_conferences"], "icpc_id", "s47_id", "conference_date", "transfer_in",
                "outcome_cp_plan") == [
        ("D1/I2018-06-20", "D1/S2018-06-01", D("2018-06-20"), False, True),
        ("D4/I2018-11-12", None, D("2018-11-12"), True, True),
    ]
    assert rows(f["cp_plans"], "cp_plan_id", "icpc_id", "initial_category", "latest_category") == [
        ("D1/C2018-06-20", "D1/I2018-06-20", "SAB", "SAB"), ("D4/C2018-11-12", "D4/I2018-11-12", "MUL", "NEG")]
    assert rows(f["cp_reviews"], "cp_review_id", "review_date") == [("D1/Q2018-09-20", D("2018-09-20"))]
    assert rows(f["referrals"], "child_id", "closure_date", "closure_reason") == [
        ("D1", None, None), ("D2", D("2019-01-01"), "RC1"), ("D3", None, None), ("D4", None, None)]
    assert (f["person"]["source_year"] == 2019).all()


@pytest.mark.parametrize("year", range(2017, 2027))
def test_a_minimal_file_of_every_schema_year(tmp_path, year):
    sex = "<Sex>F</Sex>" if year >= 2025 else "<GenderCurrent>2</GenderCurrent>"
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year></CollectionDetails>
    <Source><LEA>873</LEA></Source></Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>X1</LAchildID><PersonBirthDate>2012-01-01</PersonBirthDate>{sex}</ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>{year - 1}-06-01</CINreferralDate><ReferralSource>1A</ReferralSource>
        <ReferralNFA>0</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""
    x = read_cin_census(write(tmp_path, text))
    assert x.collection_year == year
    assert x.frames["person"].row(0, named=True)["sex"] == "F"
    assert x.frames["referrals"]["referral_id"].to_list() == [f"X1/R{year - 1}-06-01"]


def test_year_from_the_reference_date_and_authority_from_the_argument(tmp_path):
    text = (BASE_2025.replace("      <Year>2025</Year>\n", "")
            .replace(re.search(r"    <Source>.*?</Source>\n", BASE_2025, re.DOTALL)[0], ""))
    x = read_cin_census(write(tmp_path, text), la_code="873")
    assert (x.collection_year, x.la_code) == (2025, "873")
    assert (x.frames["referrals"]["la_code"] == "873").all()
    # agreeing header and argument are fine
    assert read_cin_census(write(tmp_path, BASE_2025, "ok.xml"), la_code="873").la_code == "873"
    # no authority at all
    [p] = problems_of(tmp_path, text)
    assert (p.field, p.value) == ("LEA", None) and "la_code" in p.expected


def test_time_zones_and_padded_identifiers_are_tolerated(tmp_path):
    # xs:date allows a time zone; libxml2 does not collapse spaces in dates (the schema reports them), but an
    # LAchildID is a plain string, and CareLens trims it
    text = (BASE_2025.replace("<CINreferralDate>2024-05-01<", "<CINreferralDate>2024-05-01Z<")
            .replace("<CPPstartDate>2024-07-15<", "<CPPstartDate>2024-07-15+01:00<")
            .replace("<LAchildID>C1</LAchildID>", "<LAchildID>\n  C1 </LAchildID>"))
    f = read_cin_census(write(tmp_path, text)).frames
    assert f["referrals"].filter(pl.col("child_id") == "C1")["referral_date"].to_list() == [D("2024-05-01")]
    assert D("2024-07-15") in f["cp_plans"]["start_date"].to_list()
    p = only(problems_of(tmp_path, BASE_2025.replace("<CINreferralDate>2024-05-01<",
                                                     "<CINreferralDate> 2024-05-01 <")))
    assert (p.field, p.value) == ("CINreferralDate", " 2024-05-01 ")


def test_repeated_records_get_numbered_identifiers(tmp_path):
    block = re.search(r"      <CINdetails>\n        <CINreferralDate>2024-09-01.*?</CINdetails>\n",
                      BASE_2025, re.DOTALL)[0]
    text = BASE_2025.replace(block, block + block.replace("<CINclosureDate>2024-09-01", "<CINclosureDate>2024-09-02"))
    f = read_cin_census(write(tmp_path, text)).frames
    ids = f["referrals"].filter(pl.col("child_id") == "C4").sort("source_row")["referral_id"].to_list()
    assert ids == ["C4/R2024-09-01", "C4/R2024-09-01#2", "C4/R2024-12-01"]
    # the same disability twice is one fact
    text = BASE_2025.replace("<Disability>AUT</Disability>", "<Disability>AUT</Disability><Disability>AUT</Disability>")
    f = read_cin_census(write(tmp_path, text, "dis.xml")).frames
    assert rows(f["disabilities"].filter(pl.col("child_id") == "C3"), "disability") == [("AUT",), ("LD",)]


# ---------------------------------------------------------------------------------- 3. bad input


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_truncated_file(tmp_path):
    text = BASE_2025[: BASE_2025.index("<Ethnicity>MWBC")]
    p = only(problems_of(tmp_path, text))
    assert p.location == f"line {text.count(chr(10)) + 1}"
    assert "truncated" in p.expected


def test_empty_and_missing_files(tmp_path):
    for text in ("", "  \n\n  "):
        p = only(problems_of(tmp_path, text))
        assert p.location == "" and "empty" in p.expected
    with pytest.raises(IngestError) as caught:
        read_cin_census(tmp_path / "no such file.xml")
    assert "readable file" in caught.value.problems[0].expected
    with pytest.raises(IngestError):
        read_cin_census(tmp_path)  # a folder


def test_bytes_that_are_not_utf8(tmp_path):
    data = BASE_2025.replace("<LAchildID>C3</LAchildID>", "<LAchildID>C3\u00e9</LAchildID>").encode("cp1252")
    p = only(problems_of(tmp_path, data))
    assert p.location == f"line {line_of(BASE_2025, '<LAchildID>C3')}"
    assert p.value.startswith("0xE9") and "UTF-8" in p.expected
    # the same bytes are fine when the declaration names their encoding
    declared = data.replace(b'encoding="UTF-8"', b'encoding="windows-1252"')
    x = read_cin_census(write(tmp_path, declared, "cp1252.xml"))
    assert "C3\u00e9" in x.frames["person"]["child_id"].to_list()


def test_wrong_or_unknown_encoding_declaration(tmp_path):
    p = only(problems_of(tmp_path, BASE_2025.replace('encoding="UTF-8"', 'encoding="UTF-16"')))
    assert (p.location, p.field, p.value) == ("line 1", "encoding", "UTF-16")
    p = only(problems_of(tmp_path, BASE_2025.replace('encoding="UTF-8"', 'encoding="klingon"')))
    assert (p.location, p.field, p.value) == ("line 1", "encoding", "klingon")


def test_not_xml_at_all(tmp_path):
    p = only(problems_of(tmp_path, "LAchildID,CINreferralDate\nC1,2024-05-01\n"))
    assert p.location == "line 1" and "well-formed XML" in p.expected


@pytest.mark.parametrize("old, new, field", [
    ("<Message>", '<Message xmlns="http://www.example.org/cin">', "Message"),
    ("<Message>", '<cin:Message xmlns:cin="urn:cin">', "Message"),
])
def test_namespace(tmp_path, old, new, field):
    text = BASE_2025.replace(old, new, 1)
    text = text.replace("</Message>", "</cin:Message>") if "cin:" in new else text
    p = only(problems_of(tmp_path, text))
    assert (p.location, p.field) == ("line 2", field) and "no namespace" in p.expected
    assert p.value.startswith(("http://www.example.org/cin", "urn:cin"))


def test_wrong_root_element(tmp_path):
    text = BASE_2025.replace("<Message>", "<Return>").replace("</Message>", "</Return>")
    p = only(problems_of(tmp_path, text))
    assert (p.location, p.field, p.value) == ("line 2", "root element", "Return")
    assert "Message" in p.expected


def test_a_2024_file_whose_header_says_2025(tmp_path):
    text = (OLD_2019.replace("<Year>2019</Year>", "<Year>2025</Year>")
            .replace("<ReferenceDate>2019-03-31", "<ReferenceDate>2025-03-31"))
    p = only(problems_of(tmp_path, text))
    assert (p.location, p.field, p.value) == (f"line {line_of(text, '<GenderCurrent>')}", "GenderCurrent", "1")
    assert "Sex" in p.expected and "2024 or earlier" in p.expected


def test_a_2025_file_whose_header_says_2019(tmp_path):
    text = (BASE_2025.replace("<Year>2025</Year>", "<Year>2019</Year>")
            .replace("<ReferenceDate>2025-03-31", "<ReferenceDate>2019-03-31"))
    problems = problems_of(tmp_path, text)
    assert (problems[0].field, problems[0].value) == ("Sex", "F")
    assert "2025 or later" in problems[0].expected
    cin_plan = next(p for p in problems if p.field == "CINPlanDates")
    assert cin_plan.location == f"line {line_of(text, '<CINPlanDates>')}" and "2022" in cin_plan.expected
    # 5D (a referral source from 2023) is not in the 2019 schema
    five_d = next(p for p in problems if p.field == "ReferralSource")
    assert five_d.value == "5D" and "CIN_schema_2019.xsd" in five_d.expected
    assert "5D is valid only from 2023" in five_d.expected


def test_year_missing_or_not_covered(tmp_path):
    text = BASE_2025.replace("      <Year>2025</Year>\n      <ReferenceDate>2025-03-31</ReferenceDate>\n", "")
    p = only(problems_of(tmp_path, text))
    assert p.field == "Year" and "which year" in p.expected
    for year in ("2016", "99999", "2027"):
        p = only(problems_of(tmp_path, BASE_2025.replace("<Year>2025</Year>", f"<Year>{year}</Year>")))
        assert (p.location, p.field, p.value) == ("line 6", "Year", year) and "2017–2026" in p.expected
    p = only(problems_of(tmp_path, BASE_2025.replace("<ReferenceDate>2025-03-31", "<ReferenceDate>2024-03-31")))
    assert (p.location, p.field, p.value) == ("line 7", "ReferenceDate", "2024-03-31")


def test_authority_in_the_header_differs_from_the_argument(tmp_path):
    p = only(problems_of(tmp_path, BASE_2025, la_code="874"))
    assert (p.location, p.field, p.value) == ("line 11", "LEA", "873") and "874" in p.expected
    p = only(problems_of(tmp_path, BASE_2025, la_code="Kent"))
    assert (p.field, p.value) == ("la_code", "Kent")


def test_codes_not_valid_in_the_year(tmp_path):
    # 18A is in the liia copies of the 2021+ schemas but not in the DfE list for 2025: the code list catches it
    text = (BASE_2025.replace("<AssessmentFactors>3A", "<AssessmentFactors>18A")
            .replace("<ReferralSource>1A", "<ReferralSource>1Z"))
    problems = problems_of(tmp_path, text)
    assert len(problems) == 2
    source, factor = problems
    assert (source.location, source.field, source.value) == (
        f"line {line_of(text, '<ReferralSource>1Z')}", "ReferralSource", "1Z")
    assert "CIN_schema_2025.xsd" in source.expected and "1A" in source.expected
    assert (factor.location, factor.field, factor.value) == (
        f"line {line_of(text, '<AssessmentFactors>18A')}", "AssessmentFactors", "18A")
    assert "last valid in 2020" in factor.expected
    # and the other way: 18B is not yet valid in 2019
    old = OLD_2019.replace("<AssessmentFactors>18A", "<AssessmentFactors>18B")
    p = only(problems_of(tmp_path, old))
    assert (p.field, p.value) == ("AssessmentFactors", "18B")


def test_impossible_dates(tmp_path):
    text = (BASE_2025
            .replace("<CINclosureDate>2025-01-10", "<CINclosureDate>2024-04-30")  # before its referral
            .replace("<AssessmentAuthorisationDate>2024-05-20", "<AssessmentAuthorisationDate>2024-05-01")
            .replace("<CPPstartDate>2024-07-15</CPPstartDate>",
                     "<CPPstartDate>2024-07-15</CPPstartDate>\n          <CPPendDate>2024-07-01</CPPendDate>")
            .replace("<ExpectedPersonBirthDate>2025-06-01", "<ExpectedPersonBirthDate>2026-01-15")
            .replace("<CPPreviewDate>2025-01-10", "<CPPreviewDate>2025-04-10")  # after the census date
            .replace("<PersonDeathDate>2025-02-01", "<PersonDeathDate>2007-02-01"))
    problems = {p.field: p for p in problems_of(tmp_path, text)}
    assert set(problems) == {"CINclosureDate", "AssessmentAuthorisationDate", "CPPendDate",
                             "ExpectedPersonBirthDate", "CPPreviewDate", "PersonDeathDate"}
    closure = problems["CINclosureDate"]
    assert (closure.location, closure.value) == (f"line {line_of(text, '<CINclosureDate>2024-04-30')}",
                                                 "2024-04-30")
    assert "CINreferralDate (2024-05-01)" in closure.expected
    assert problems["AssessmentAuthorisationDate"].value == "2024-05-01"
    assert "AssessmentActualStartDate (2024-05-02)" in problems["AssessmentAuthorisationDate"].expected
    assert problems["CPPendDate"].location == f"line {line_of(text, '<CPPendDate>')}"
    unborn = problems["ExpectedPersonBirthDate"]
    assert unborn.value == "2026-01-15" and "10 months" in unborn.expected and "2025-02-01" in unborn.expected
    review = problems["CPPreviewDate"]
    assert review.location == f"line {line_of(text, '<CPPreviewDate>2025-04-10')}"
    assert "ReferenceDate 2025-03-31" in review.expected
    assert "2008-03-15" in problems["PersonDeathDate"].expected


def test_dates_that_are_not_dates(tmp_path):
    # the schema rejects 30 February; year 99999 is a valid xs:date, CareLens rejects it
    text = (BASE_2025.replace("<CINreferralDate>2024-05-01", "<CINreferralDate>2024-02-30")
            .replace("<InitialCPCtarget>2025-02-24", "<InitialCPCtarget>99999-02-24"))
    first, second = problems_of(tmp_path, text)
    assert (first.field, first.value) == ("CINreferralDate", "2024-02-30")
    assert "CIN_schema_2025.xsd" in first.expected
    assert (second.location, second.field, second.value) == (
        f"line {line_of(text, '<InitialCPCtarget>')}", "InitialCPCtarget", "99999-02-24")
    assert "1900–2100" in second.expected


def test_duplicate_children(tmp_path):
    text = BASE_2025.replace("<LAchildID>C3</LAchildID>", "<LAchildID>C1</LAchildID>")
    p = only(problems_of(tmp_path, text))
    assert (p.location, p.field, p.value) == (f"line {line_of(text, '<LAchildID>C1', 2)}", "LAchildID", "C1")
    assert f"line {line_of(text, '<Child>')}" in p.expected


def test_child_without_cin_details(tmp_path):
    block = re.search(r"      <CINdetails>\n        <CINreferralDate>2024-05-01.*?</CINdetails>\n",
                      BASE_2025, re.DOTALL)[0]
    text = BASE_2025.replace(block, "")
    p = only(problems_of(tmp_path, text))
    assert (p.location, p.field) == (f"line {line_of(text, '<Child>')}", "CINdetails")


def test_missing_birth_date_and_empty_identifier(tmp_path):
    text = (BASE_2025.replace("        <PersonBirthDate>2010-01-01</PersonBirthDate>\n", "")
            .replace("<LAchildID>C4</LAchildID>", "<LAchildID> </LAchildID>"))
    birth, empty = problems_of(tmp_path, text)
    assert (birth.field, birth.location) == ("PersonBirthDate", f"line {line_of(text, '<LAchildID>C3') - 2}")
    assert (empty.field, empty.location) == ("LAchildID", f"line {line_of(text, '<LAchildID> ')}")


def test_enormous_values(tmp_path):
    huge = "x" * 10_000_000
    p = only(problems_of(tmp_path, BASE_2025.replace("<LAchildID>C2<", f"<LAchildID>{huge}<")))
    assert (p.location, p.field) == (f"line {line_of(BASE_2025, '<LAchildID>C2')}", "LAchildID")
    assert len(p.value) <= 200 and "at most 100 characters" in p.expected
    p = only(problems_of(tmp_path, BASE_2025.replace("<Ethnicity>NOBT<", f"<Ethnicity>{huge}<")))
    assert (p.location, p.field) == (f"line {line_of(BASE_2025, '<Ethnicity>NOBT')}", "Ethnicity")
    assert len(p.value) <= 200 and len(p.expected) < 2000
    assert len(str(IngestError([p]))) < 5000


def test_doctype_and_entities_are_refused(tmp_path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>\n<Message>&c;</Message>\n')
    p = only(problems_of(tmp_path, bomb))
    assert p.field == "DOCTYPE"
    external = ('<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                "<Message>&x;</Message>\n")
    assert only(problems_of(tmp_path, external)).field == "DOCTYPE"


def test_schema_errors_are_listed_up_to_a_limit(tmp_path):
    child = re.search(r"    <Child>\n.*?</Child>\n", BASE_2025, re.DOTALL)[0]
    many = "".join(child.replace("<LAchildID>C1<", f"<LAchildID>K{i}<").replace("<Sex>F<", "<Sex>Q<")
                   for i in range(250))
    text = BASE_2025.replace("  </Children>", many + "  </Children>")
    problems = problems_of(tmp_path, text)
    assert len(problems) == reader.MAX_SCHEMA_PROBLEMS + 1
    assert problems[-1].location == "" and "150 more" in problems[-1].expected
    assert problems[0].field == "Sex" and problems[0].value == "Q"


def test_every_problem_of_a_file_is_reported_together(tmp_path):
    text = (BASE_2025.replace("<LAchildID>C3</LAchildID>", "<LAchildID>C1</LAchildID>")
            .replace("<CINclosureDate>2025-01-10", "<CINclosureDate>2024-04-30")
            .replace("<Ethnicity>WBRI", "<Ethnicity>WXYZ")
            .replace("<AssessmentFactors>16A", "<AssessmentFactors>19A"))
    problems = problems_of(tmp_path, text)
    assert [p.field for p in problems] == ["Ethnicity", "CINclosureDate", "AssessmentFactors", "LAchildID"]
    lines = [int(p.location.split()[1]) for p in problems]
    assert lines == sorted(lines)


# -------------------------------------------------------------------------------------- 4. fuzzing

BASES = [BASE_2025.encode("utf-8"), OLD_2019.encode("utf-8")]
TEXTS = st.one_of(
    st.sampled_from(["", " ", "0", "1", "9", "U", "M", "N1", "RC9", "5D", "18A", "NONE", "2024-02-29",
                     "2023-02-29", "2025-04-01", "1899-12-31", "99999-01-01", "-2024-01-01", "2024-01-01Z",
                     "2024-01-01+14:00", "2024-13-01", "0000-00-00", "2025", "873", "x" * 5000, "C1", "C2",
                     "&amp;", "]]>", "\u00e9\u00e8", "\U0001f600"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
)


def read_bytes(folder: Path, data: bytes) -> None:
    path = folder / "fuzz.xml"
    path.write_bytes(data)
    try:
        extract = read_cin_census(path)
    except IngestError as e:
        assert e.problems
        for p in e.problems:
            assert isinstance(p, Problem) and p.expected
        return
    check_extract_shape(extract)


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_bytes(fuzz_folder, data):
    raw = bytearray(data.draw(st.sampled_from(BASES)))
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["truncate", "delete", "insert", "flip", "duplicate"]))
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "truncate":
            del raw[at:]
        elif kind == "delete":
            del raw[at:at + data.draw(st.integers(1, 200))]
        elif kind == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=20) | st.sampled_from(
                [b"<", b">", b"</Child>", b"<Child>", b"&", b"\x00", b"\xff\xfe", b"<!DOCTYPE x>", b"]]>"]))
        elif kind == "flip":
            if raw:
                raw[at] = data.draw(st.integers(0, 255))
        else:
            end = at + data.draw(st.integers(1, 400))
            raw[at:at] = raw[at:end]
    read_bytes(fuzz_folder, bytes(raw))


@pytest.mark.slow
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_elements(fuzz_folder, data):
    root = etree.fromstring(data.draw(st.sampled_from(BASES)))
    for _ in range(data.draw(st.integers(1, 4))):
        elements = list(root.iter())
        el = elements[data.draw(st.integers(0, len(elements) - 1))]
        kind = data.draw(st.sampled_from(["text", "text", "remove", "duplicate", "rename", "move", "attribute"]))
        parent = el.getparent()
        if kind == "text":
            value = data.draw(TEXTS)
            try:
                el.text = value
            except ValueError:  # lxml refuses text XML cannot hold
                continue
        elif kind == "remove" and parent is not None:
            parent.remove(el)
        elif kind == "duplicate" and parent is not None:
            parent.insert(parent.index(el), etree.fromstring(etree.tostring(el)))
        elif kind == "rename":
            el.tag = data.draw(st.sampled_from(["Child", "CINdetails", "Sex", "GenderCurrent", "Year",
                                                "DateOfInitialCPC", "Section47", "Unknown", "Message",
                                                "{urn:x}Message", "CINPlanDates", "Reviews"]))
        elif kind == "move" and parent is not None:
            target = elements[data.draw(st.integers(0, len(elements) - 1))]
            if el not in target.iterancestors() and target is not el:
                target.append(el)
        elif kind == "attribute":
            el.set(data.draw(st.sampled_from(["id", "xsi"])), "1")
    read_bytes(fuzz_folder, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def test_schema_problems_in_every_batch_of_children_are_each_listed_once(tmp_path):
    """Children are validated 200 at a time (a file full of problems is then checked about as fast as a
    clean one): problems in the first, a middle and the last batch all come back, at their lines, and a
    problem outside the children (in the header) once, not once per batch."""
    first = re.search(r"    <Child>\n.*?</Child>\n", BASE_2025, re.DOTALL)[0]
    assert "<Sex>F</Sex>" in first
    many = [first.replace("<LAchildID>C1<", f"<LAchildID>K{i}<") for i in range(450)]
    for i in (3, 260, 449):
        many[i] = many[i].replace("<Sex>F</Sex>", "<Sex>Q</Sex>")
    start, end = BASE_2025.index("    <Child>"), BASE_2025.index("  </Children>")
    text = (BASE_2025[:start] + "".join(many) + BASE_2025[end:]).replace(
        "<SourceLevel>L</SourceLevel>", "<SourceLevel>L</SourceLevel><Unexpected/>")
    ps = problems_of(tmp_path, text)
    sex = [p for p in ps if p.field == "Sex"]
    assert [p.location for p in sex] == [f"line {line_of(text, '<Sex>Q', k)}" for k in (1, 2, 3)]
    assert all(p.value == "Q" for p in sex)
    header = [p for p in ps if p.location == f"line {line_of(text, '<Unexpected/>')}"]
    assert len(header) == 1 and len(ps) == 4
