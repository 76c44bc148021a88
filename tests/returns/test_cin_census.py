"""The CIN census XML writer: who is in the return, what each item says, schema validity per year,
and the sector's reference validators over the result.

The fixture is a small hand-made authority (LA 873) whose story is told in 2024/25 dates. For the
other collection years every date moves by whole 52-week steps, so the same story sits in the same
place in that year and conferences stay on weekdays.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path

import polars as pl
import pytest
from lxml import etree

from carelens.model.store import Store, polars_schema
from carelens.returns.cin_census import (
    COLLECTION_YEARS,
    CinCensusSchemaError,
    census_period,
    schema_path,
    validate_cin_census,
    write_cin_census,
    year_recoding,
)

LA = "873"
STORY_YEAR = 2025
GENERATED_AT = datetime(2025, 5, 6, 9, 30, 0)
from shared_material import PEER_VALIDATE, SPECS

IN_RETURN = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "F1", "F2", "F3", "F4", "F5", "F6"]


def upn(n: int) -> str:
    """A valid UPN for LA 873: DfE check letter, then 12 digits."""
    digits = f"{LA}{n:08d}0"
    check = sum(int(d) * (i + 2) for i, d in enumerate(digits)) % 23
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[check] + digits


class Authority:
    """Rows of a small authority, keyed by store table; dates written as 2024/25 story dates."""

    def __init__(self, year: int = STORY_YEAR, la_code: str = LA):
        self.shift = timedelta(days=364 * (year - STORY_YEAR))
        self.la_code = la_code
        self.rows: dict[str, list[dict]] = {}

    def d(self, text: str | None) -> date | None:
        return None if text is None else date.fromisoformat(text) + self.shift

    def add(self, table: str, **row) -> None:
        self.rows.setdefault(table, []).append(row)

    def child(
        self,
        child_id,
        born,
        sex="F",
        ethnicity="WBRI",
        upn=None,
        upn_unknown=None,
        unborn=None,
        died=None,
        disabilities=(),
    ):
        self.add(
            "person",
            child_id=child_id,
            date_of_birth=self.d(born),
            sex=sex,
            ethnicity=ethnicity,
            upn=upn,
            upn_unknown=upn_unknown,
            unborn=unborn,
            date_of_death=self.d(died),
            uasc=False,
        )
        for code in disabilities:
            self.add("disabilities", child_id=child_id, disability=code)

    def referral(
        self,
        referral_id,
        child_id,
        referred,
        source,
        need=None,
        closed=None,
        reason=None,
        nfa=False,
    ):
        self.add(
            "referrals",
            referral_id=referral_id,
            child_id=child_id,
            referral_date=self.d(referred),
            source=source,
            primary_need=need,
            closure_date=self.d(closed),
            closure_reason=reason,
            referral_nfa=nfa,
        )

    def assessment(
        self, assessment_id, referral_id, child_id, started, authorised=None, factors=()
    ):
        self.add(
            "assessments",
            assessment_id=assessment_id,
            referral_id=referral_id,
            child_id=child_id,
            start_date=self.d(started),
            authorised_date=self.d(authorised),
        )
        for code in factors:
            self.add(
                "assessment_factors", assessment_id=assessment_id, child_id=child_id, factor=code
            )

    def cin_plan(self, plan_id, referral_id, child_id, started, ended=None):
        self.add(
            "cin_plans",
            cin_plan_id=plan_id,
            referral_id=referral_id,
            child_id=child_id,
            start_date=self.d(started),
            end_date=self.d(ended),
        )

    def s47(
        self,
        s47_id,
        referral_id,
        child_id,
        started,
        ended=None,
        outcome=None,
        target=None,
        not_required=False,
    ):
        self.add(
            "s47_enquiries",
            s47_id=s47_id,
            referral_id=referral_id,
            child_id=child_id,
            start_date=self.d(started),
            end_date=self.d(ended),
            outcome=outcome,
            icpc_target_date=self.d(target),
            icpc_not_required=not_required,
        )

    def icpc(self, icpc_id, referral_id, child_id, held, s47_id=None, transfer_in=False):
        self.add(
            "initial_cp_conferences",
            icpc_id=icpc_id,
            referral_id=referral_id,
            child_id=child_id,
            s47_id=s47_id,
            conference_date=self.d(held),
            transfer_in=transfer_in,
            outcome_cp_plan=True,
        )

    def cp_plan(
        self,
        plan_id,
        referral_id,
        child_id,
        started,
        ended=None,
        initial="NEG",
        latest="NEG",
        reviews=(),
    ):
        self.add(
            "cp_plans",
            cp_plan_id=plan_id,
            referral_id=referral_id,
            child_id=child_id,
            start_date=self.d(started),
            end_date=self.d(ended),
            initial_category=initial,
            latest_category=latest,
        )
        for i, reviewed in enumerate(reviews):
            self.add(
                "cp_reviews",
                cp_review_id=f"{plan_id}R{i}",
                cp_plan_id=plan_id,
                child_id=child_id,
                review_date=self.d(reviewed),
            )

    def frames(self) -> dict[str, pl.DataFrame]:
        return {
            table: pl.DataFrame(
                [{**row, "la_code": self.la_code} for row in rows], schema=polars_schema(table)
            )
            for table, rows in self.rows.items()
        }


def story(year: int = STORY_YEAR, la_code: str = LA) -> Authority:
    a = Authority(year, la_code)
    # C1: closed in the year after an assessment, an S47 that needed no conference and a CIN plan;
    # an earlier referral, closed before the year, is left out.
    a.child("C1", "2014-02-11", sex="M", upn=upn(1), disabilities=["MOB", "HAND"])
    a.referral("R1OLD", "C1", "2023-01-10", "1A", "N5", closed="2023-03-01", reason="RC7")
    a.referral("R1", "C1", "2024-05-01", "2A", "N1", closed="2024-09-30", reason="RC7")
    a.assessment("A1", "R1", "C1", "2024-05-02", "2024-06-10", factors=["4B", "3A"])
    a.s47(
        "S1",
        "R1",
        "C1",
        "2024-05-03",
        "2024-05-20",
        outcome="CIN_PLAN",
        target="2024-05-24",
        not_required=True,
    )
    a.cin_plan("P1", "R1", "C1", "2024-06-12", "2024-09-30")
    # C2: a referral with no further action, closed the day it came in.
    a.child("C2", "2012-07-19", ethnicity="WIRI", upn_unknown="UN7")
    a.referral("R2", "C2", "2024-07-15", "6", closed="2024-07-15", reason="RC7", nfa=True)
    # C3: S47, ICPC and a CP plan with reviews; one earlier plan; the plan's end and a review fall
    # after 31 March and are left out.
    a.child("C3", "2018-03-05", ethnicity="BCRB", upn=upn(3), disabilities=["NONE"])
    a.referral("R3OLD", "C3", "2021-06-01", "6", "N1", closed="2022-08-31", reason="RC7")
    a.cp_plan("CP3OLD", "R3OLD", "C3", "2021-07-07", "2022-06-30", reviews=["2021-10-06"])
    a.referral("R3", "C3", "2024-04-10", "6", "N1")
    a.assessment("A3", "R3", "C3", "2024-04-11", "2024-05-20", factors=["16A", "3A"])
    a.s47("S3", "R3", "C3", "2024-04-12", "2024-05-01", outcome="ICPC", target="2024-05-02")
    a.icpc("I3", "R3", "C3", "2024-05-01", s47_id="S3")
    a.cp_plan(
        "CP3",
        "R3",
        "C3",
        "2024-05-01",
        "2025-06-02",
        initial="NEG",
        latest="EMO",
        reviews=["2024-07-24", "2025-01-15", "2025-04-23"],
    )
    # C4: referred before the year and still open at 31 March (it closes, and the child dies, after);
    # its assessment was authorised before the year, so it is left out.
    a.child(
        "C4",
        "2010-09-30",
        sex="M",
        ethnicity="AIND",
        upn=upn(4),
        died="2025-05-01",
        disabilities=["NONE"],
    )
    a.referral("R4", "C4", "2023-11-20", "2B", "N2", closed="2025-05-01", reason="RC2")
    a.assessment("A4", "R4", "C4", "2023-11-21", "2024-01-05", factors=["6A"])
    a.cin_plan("P4", "R4", "C4", "2024-01-10", "2025-05-01")
    # C5: unborn, with an assessment still going on.
    a.child("C5", "2025-06-15", sex="U", ethnicity="NOBT", unborn=True)
    a.referral("R5", "C5", "2025-02-10", "3B", "N1")
    a.assessment("A5", "R5", "C5", "2025-02-11")
    # C6: born after 31 March, so unborn on the census date (the store no longer says so); a pre-birth
    # S47 whose conference, and the plan it made, came after 31 March.
    a.child("C6", "2025-05-10", sex="F", unborn=False)
    a.referral("R6", "C6", "2025-03-03", "3B", "N3")
    a.assessment("A6", "R6", "C6", "2025-03-04")
    a.s47("S6", "R6", "C6", "2025-03-24", "2025-04-10", outcome="ICPC", target="2025-04-11")
    a.icpc("I6", "R6", "C6", "2025-04-10", s47_id="S6")
    a.cp_plan("CP6", "R6", "C6", "2025-04-10")
    # C7: died during the year.
    a.child(
        "C7",
        "2008-01-20",
        sex="M",
        ethnicity="WOTH",
        upn=upn(7),
        died="2024-11-01",
        disabilities=["COMM"],
    )
    a.referral("R7", "C7", "2024-08-01", "3A", "N3", closed="2024-11-05", reason="RC2")
    a.assessment("A7", "R7", "C7", "2024-08-02", "2024-08-20", factors=["6B"])
    # C8: a transfer-in conference (no S47 in this authority), a CP plan, then a CIN plan.
    a.child("C8", "2016-12-02", ethnicity="MWBC", upn=upn(8), disabilities=["NONE"])
    a.referral("R8", "C8", "2024-10-01", "5C", "N1")
    a.assessment("A8", "R8", "C8", "2024-10-01", "2024-11-12", factors=["3A", "2B"])
    a.icpc("I8", "R8", "C8", "2024-10-03", transfer_in=True)
    a.cp_plan(
        "CP8",
        "R8",
        "C8",
        "2024-10-03",
        "2025-02-14",
        initial="PHY",
        latest="PHY",
        reviews=["2024-12-19"],
    )
    a.cin_plan("P8", "R8", "C8", "2025-02-14")
    # C9: only a referral closed before the year; C10: only a referral after 31 March. Neither is in.
    a.child("C9", "2011-04-04", upn=upn(9), disabilities=["NONE"])
    a.referral("R9", "C9", "2023-06-01", "1A", "N4", closed="2024-02-01", reason="RC7")
    a.child("C10", "2013-05-05", upn=upn(10), disabilities=["NONE"])
    a.referral("R10", "C10", "2025-04-02", "1A", "N4")
    # F1-F6: short, ordinary episodes (assessment, no factors found, closed), so that the return has
    # the volume of "NONE" disabilities the DfE's LA-level query 2887Q expects.
    for i in range(1, 7):
        referred = date(2024, 9, 1 + i)
        a.child(f"F{i}", f"2015-01-0{i}", sex="MF"[i % 2], upn=upn(100 + i), disabilities=["NONE"])
        a.referral(
            f"RF{i}",
            f"F{i}",
            referred.isoformat(),
            "1A",
            "N4",
            closed=(referred + timedelta(days=21)).isoformat(),
            reason="RC8",
        )
        a.assessment(
            f"AF{i}",
            f"RF{i}",
            f"F{i}",
            (referred + timedelta(days=1)).isoformat(),
            (referred + timedelta(days=20)).isoformat(),
            factors=["21"],
        )
    return a


def make_store(path: Path, *authorities: Authority) -> Store:
    store = Store(path)
    frames: dict[str, list[pl.DataFrame]] = {}
    for authority in authorities:
        for table, frame in authority.frames().items():
            frames.setdefault(table, []).append(frame)
    store.replace({table: pl.concat(parts) for table, parts in frames.items()})
    return store


def write(tmp_path: Path, year: int = STORY_YEAR, **kwargs) -> tuple[Path, etree._Element]:
    out = tmp_path / f"cin_{year}.xml"
    with make_store(tmp_path / f"store_{year}.duckdb", story(year)) as store:
        write_cin_census(store, year, out, generated_at=GENERATED_AT, **kwargs)
    return out, etree.parse(str(out)).getroot()


def canonical(element: etree._Element) -> bytes:
    for e in element.iter():
        if e.text is not None and not e.text.strip():
            e.text = None
        e.tail = None
    return etree.tostring(element)


def expect(xml: str) -> bytes:
    return canonical(etree.fromstring(xml, etree.XMLParser(remove_blank_text=True)))


def child_block(root: etree._Element, child_id: str) -> bytes:
    (child,) = root.xpath("Children/Child[ChildIdentifiers/LAchildID=$id]", id=child_id)
    return canonical(child)


@pytest.fixture(scope="module")
def census_2025(tmp_path_factory) -> etree._Element:
    return write(tmp_path_factory.mktemp("cin2025"))[1]


# ------------------------------------------------------------------------------------ who is in
def test_return_holds_every_child_with_an_episode_open_in_the_year(census_2025):
    ids = census_2025.xpath("Children/Child/ChildIdentifiers/LAchildID/text()")
    assert ids == sorted(IN_RETURN)
    assert "C9" not in ids  # only referral closed before 1 April 2024
    assert "C10" not in ids  # only referral made after 31 March 2025


def test_summary_counts_children_and_episodes(tmp_path):
    with make_store(tmp_path / "s.duckdb", story()) as store:
        summary = write_cin_census(
            store, 2025, tmp_path / "out" / "cin.xml", generated_at=GENERATED_AT
        )
    assert (summary.year, summary.la_code, summary.children, summary.cin_details) == (
        2025,
        LA,
        14,
        14,
    )
    assert summary.path == tmp_path / "out" / "cin.xml" and summary.path.exists()


def test_header(census_2025):
    assert canonical(census_2025.find("Header")) == expect(f"""
        <Header>
          <CollectionDetails><Collection>CIN</Collection><Year>2025</Year>
            <ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>
          <Source><SourceLevel>L</SourceLevel><LEA>873</LEA><SoftwareCode>CareLens</SoftwareCode>
            <Release>{metadata.version("carelens")}</Release><SerialNo>001</SerialNo><DateTime>2025-05-06T09:30:00</DateTime></Source>
        </Header>""")


# --------------------------------------------------------------------------- what each child says
def test_child_closed_in_year_with_s47_needing_no_conference(census_2025):
    assert child_block(census_2025, "C1") == expect(f"""
        <Child>
          <ChildIdentifiers><LAchildID>C1</LAchildID><UPN>{upn(1)}</UPN>
            <PersonBirthDate>2014-02-11</PersonBirthDate><Sex>M</Sex></ChildIdentifiers>
          <ChildCharacteristics><Ethnicity>WBRI</Ethnicity>
            <Disabilities><Disability>HAND</Disability><Disability>MOB</Disability></Disabilities>
          </ChildCharacteristics>
          <CINdetails>
            <CINreferralDate>2024-05-01</CINreferralDate><ReferralSource>2A</ReferralSource>
            <PrimaryNeedCode>N1</PrimaryNeedCode>
            <CINclosureDate>2024-09-30</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>
            <Assessments><AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
              <AssessmentAuthorisationDate>2024-06-10</AssessmentAuthorisationDate>
              <FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors>
                <AssessmentFactors>4B</AssessmentFactors></FactorsIdentifiedAtAssessment>
            </Assessments>
            <CINPlanDates><CINPlanStartDate>2024-06-12</CINPlanStartDate>
              <CINPlanEndDate>2024-09-30</CINPlanEndDate></CINPlanDates>
            <Section47><S47ActualStartDate>2024-05-03</S47ActualStartDate>
              <InitialCPCtarget>2024-05-24</InitialCPCtarget><ICPCnotRequired>1</ICPCnotRequired></Section47>
            <ReferralNFA>0</ReferralNFA>
          </CINdetails>
        </Child>""")


def test_referral_with_no_further_action(census_2025):
    assert child_block(census_2025, "C2") == expect("""
        <Child>
          <ChildIdentifiers><LAchildID>C2</LAchildID><UPNunknown>UN7</UPNunknown>
            <PersonBirthDate>2012-07-19</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
          <ChildCharacteristics><Ethnicity>WIRI</Ethnicity></ChildCharacteristics>
          <CINdetails>
            <CINreferralDate>2024-07-15</CINreferralDate><ReferralSource>6</ReferralSource>
            <CINclosureDate>2024-07-15</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>
            <ReferralNFA>1</ReferralNFA>
          </CINdetails>
        </Child>""")


def test_child_protection_plan_with_reviews_and_earlier_plan(census_2025):
    # The plan's end (2 June 2025) and the review of 23 April 2025 are after the census date.
    assert child_block(census_2025, "C3") == expect(f"""
        <Child>
          <ChildIdentifiers><LAchildID>C3</LAchildID><UPN>{upn(3)}</UPN>
            <PersonBirthDate>2018-03-05</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
          <ChildCharacteristics><Ethnicity>BCRB</Ethnicity>
            <Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
          <CINdetails>
            <CINreferralDate>2024-04-10</CINreferralDate><ReferralSource>6</ReferralSource>
            <PrimaryNeedCode>N1</PrimaryNeedCode>
            <Assessments><AssessmentActualStartDate>2024-04-11</AssessmentActualStartDate>
              <AssessmentAuthorisationDate>2024-05-20</AssessmentAuthorisationDate>
              <FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors>
                <AssessmentFactors>16A</AssessmentFactors></FactorsIdentifiedAtAssessment>
            </Assessments>
            <Section47><S47ActualStartDate>2024-04-12</S47ActualStartDate>
              <InitialCPCtarget>2024-05-02</InitialCPCtarget><DateOfInitialCPC>2024-05-01</DateOfInitialCPC>
              <ICPCnotRequired>0</ICPCnotRequired></Section47>
            <ReferralNFA>0</ReferralNFA>
            <ChildProtectionPlans><CPPstartDate>2024-05-01</CPPstartDate>
              <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
              <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
              <Reviews><CPPreviewDate>2024-07-24</CPPreviewDate><CPPreviewDate>2025-01-15</CPPreviewDate></Reviews>
            </ChildProtectionPlans>
          </CINdetails>
        </Child>""")


def test_referral_from_before_the_year_still_open_on_census_date(census_2025):
    # Closure, CIN plan end and death on 1 May 2025 are after the census date; the assessment was
    # authorised before the year began.
    assert child_block(census_2025, "C4") == expect(f"""
        <Child>
          <ChildIdentifiers><LAchildID>C4</LAchildID><UPN>{upn(4)}</UPN>
            <PersonBirthDate>2010-09-30</PersonBirthDate><Sex>M</Sex></ChildIdentifiers>
          <ChildCharacteristics><Ethnicity>AIND</Ethnicity>
            <Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
          <CINdetails>
            <CINreferralDate>2023-11-20</CINreferralDate><ReferralSource>2B</ReferralSource>
            <PrimaryNeedCode>N2</PrimaryNeedCode>
            <CINPlanDates><CINPlanStartDate>2024-01-10</CINPlanStartDate></CINPlanDates>
            <ReferralNFA>0</ReferralNFA>
          </CINdetails>
        </Child>""")


def test_unborn_child(census_2025):
    assert child_block(census_2025, "C5") == expect("""
        <Child>
          <ChildIdentifiers><LAchildID>C5</LAchildID>
            <ExpectedPersonBirthDate>2025-06-15</ExpectedPersonBirthDate><Sex>U</Sex></ChildIdentifiers>
          <ChildCharacteristics><Ethnicity>NOBT</Ethnicity></ChildCharacteristics>
          <CINdetails>
            <CINreferralDate>2025-02-10</CINreferralDate><ReferralSource>3B</ReferralSource>
            <PrimaryNeedCode>N1</PrimaryNeedCode>
            <Assessments><AssessmentActualStartDate>2025-02-11</AssessmentActualStartDate></Assessments>
            <ReferralNFA>0</ReferralNFA>
          </CINdetails>
        </Child>""")


def test_child_born_after_census_date_is_reported_unborn(census_2025):
    # Its S47 is still open on 31 March: the conference on 10 April 2025 and its plan are left out.
    assert child_block(census_2025, "C6") == expect("""
        <Child>
          <ChildIdentifiers><LAchildID>C6</LAchildID>
            <ExpectedPersonBirthDate>2025-05-10</ExpectedPersonBirthDate><Sex>U</Sex></ChildIdentifiers>
          <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
          <CINdetails>
            <CINreferralDate>2025-03-03</CINreferralDate><ReferralSource>3B</ReferralSource>
            <PrimaryNeedCode>N3</PrimaryNeedCode>
            <Assessments><AssessmentActualStartDate>2025-03-04</AssessmentActualStartDate></Assessments>
            <Section47><S47ActualStartDate>2025-03-24</S47ActualStartDate>
              <InitialCPCtarget>2025-04-11</InitialCPCtarget><ICPCnotRequired>0</ICPCnotRequired></Section47>
            <ReferralNFA>0</ReferralNFA>
          </CINdetails>
        </Child>""")


def test_s47_outcome_without_conference_counts_as_icpc_not_required(tmp_path):
    a = story()
    (s1,) = [row for row in a.rows["s47_enquiries"] if row["s47_id"] == "S1"]
    s1["icpc_not_required"] = None  # only the outcome (CIN_PLAN) says no conference was needed
    with make_store(tmp_path / "s.duckdb", a) as store:
        summary = write_cin_census(store, 2025, tmp_path / "cin.xml")
    root = etree.parse(str(summary.path)).getroot()
    assert root.xpath("//Child[ChildIdentifiers/LAchildID='C1']//ICPCnotRequired/text()") == ["1"]


def test_store_with_referrals_only(tmp_path):
    a = Authority()
    a.child("K1", "2016-06-01", upn=upn(500), disabilities=["NONE"])
    a.referral("RK1", "K1", "2024-06-03", "9", "N0")
    with make_store(tmp_path / "s.duckdb", a) as store:
        summary = write_cin_census(store, 2025, tmp_path / "cin.xml")
    assert (summary.children, summary.cin_details) == (1, 1)
    assert validate_cin_census(summary.path, 2025) == []


def test_child_who_died_in_the_year(census_2025):
    ids = etree.fromstring(child_block(census_2025, "C7")).find("ChildIdentifiers")
    assert ids.findtext("PersonDeathDate") == "2024-11-01"
    assert [e.tag for e in ids] == ["LAchildID", "UPN", "PersonBirthDate", "Sex", "PersonDeathDate"]


def test_transfer_in_conference_is_recorded_on_the_episode(census_2025):
    assert child_block(census_2025, "C8") == expect(f"""
        <Child>
          <ChildIdentifiers><LAchildID>C8</LAchildID><UPN>{upn(8)}</UPN>
            <PersonBirthDate>2016-12-02</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
          <ChildCharacteristics><Ethnicity>MWBC</Ethnicity>
            <Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
          <CINdetails>
            <CINreferralDate>2024-10-01</CINreferralDate><ReferralSource>5C</ReferralSource>
            <PrimaryNeedCode>N1</PrimaryNeedCode><DateOfInitialCPC>2024-10-03</DateOfInitialCPC>
            <Assessments><AssessmentActualStartDate>2024-10-01</AssessmentActualStartDate>
              <AssessmentAuthorisationDate>2024-11-12</AssessmentAuthorisationDate>
              <FactorsIdentifiedAtAssessment><AssessmentFactors>2B</AssessmentFactors>
                <AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment>
            </Assessments>
            <CINPlanDates><CINPlanStartDate>2025-02-14</CINPlanStartDate></CINPlanDates>
            <ReferralNFA>0</ReferralNFA>
            <ChildProtectionPlans><CPPstartDate>2024-10-03</CPPstartDate><CPPendDate>2025-02-14</CPPendDate>
              <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse><LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
              <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
              <Reviews><CPPreviewDate>2024-12-19</CPPreviewDate></Reviews>
            </ChildProtectionPlans>
          </CINdetails>
        </Child>""")


# ------------------------------------------------------------------------------ years and schemas
@pytest.mark.parametrize(
    "year, tag, codes",
    [
        *(
            (year, "GenderCurrent", {"C1": "1", "C3": "2", "C5": "0", "C6": "0"})
            for year in range(2017, 2024)
        ),
        (2024, "GenderCurrent", {"C1": "1", "C3": "2", "C5": "0", "C6": "0"}),
        (2025, "Sex", {"C1": "M", "C3": "F", "C5": "U", "C6": "U"}),
        (2026, "Sex", {"C1": "M", "C3": "F", "C5": "U", "C6": "U"}),
    ],
)
def test_each_year_is_valid_against_its_schema(tmp_path, year, tag, codes):
    out, root = write(tmp_path, year)
    assert validate_cin_census(out, year) == []
    _, end = census_period(year)
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == end.isoformat()
    assert root.xpath("Children/Child/ChildIdentifiers/LAchildID/text()") == sorted(IN_RETURN)
    found = {
        child.findtext("ChildIdentifiers/LAchildID"): child.findtext(f"ChildIdentifiers/{tag}")
        for child in root.iterfind("Children/Child")
    }
    assert {k: found[k] for k in codes} == codes
    assert not root.xpath("//GenderCurrent" if tag == "Sex" else "//Sex")


def test_every_collection_year_from_2017_to_2026_is_supported():
    assert COLLECTION_YEARS == tuple(range(2017, 2027))
    for year in COLLECTION_YEARS:
        assert schema_path(year).is_file() and schema_path(year).name == f"CIN_schema_{year}.xsd"


@pytest.mark.skipif(not (SPECS / "cin-census").is_dir(), reason="the shared DfE specs are not available")
@pytest.mark.parametrize("year", COLLECTION_YEARS)
def test_shipped_schema_is_the_dfe_schema(year):
    shared = SPECS / "cin-census" / f"CIN_schema_{year}.xsd"
    assert schema_path(year).read_bytes() == shared.read_bytes()


@pytest.mark.parametrize("year", COLLECTION_YEARS)
def test_cin_plan_dates_are_written_from_2022(tmp_path, year):
    """The schemas before 2021/22 have no CINPlanDates: the CIN plans are left out."""
    out, root = write(tmp_path, year)
    (c1,) = root.xpath("Children/Child[ChildIdentifiers/LAchildID='C1']/CINdetails")
    assert [e.tag for e in c1] == [
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "Assessments",
        *(["CINPlanDates"] if year >= 2022 else []),
        "Section47",
        "ReferralNFA",
    ]
    assert len(root.xpath("//CINPlanDates")) == (3 if year >= 2022 else 0)
    if year == 2022:  # the 2021 schema would refuse them
        problems = validate_cin_census(out, 2021)
        assert problems and all("CINPlanDates" in p.message for p in problems)


def test_year_recoding_lists():
    assert year_recoding(2017) == year_recoding(2020) == {
        "AssessmentFactors": {"18B": "18A", "18C": "18A", "19B": "19A", "19C": "19A", "24A": "20"},
        "ReasonForClosure": {"RC9": "RC8"},
        "ReferralSource": {"5D": "5B"},
    }
    assert year_recoding(2021)["AssessmentFactors"] == {"24A": "20"}
    assert "AssessmentFactors" not in year_recoding(2022)
    assert year_recoding(2023) == year_recoding(2026) == {}


@pytest.mark.parametrize(
    "year, source, reason, factors",
    [
        (2017, "5B", "RC8", ["18A", "19A", "20"]),
        (2020, "5B", "RC8", ["18A", "19A", "20"]),
        (2021, "5B", "RC8", ["18B", "18C", "19C", "20"]),
        (2022, "5B", "RC8", ["18B", "18C", "19C", "20", "24A"]),
        (2023, "5D", "RC9", ["18B", "18C", "19C", "20", "24A"]),
        (2026, "5D", "RC9", ["18B", "18C", "19C", "20", "24A"]),
    ],
)
def test_codes_added_after_the_year_are_written_as_the_broader_code(
    tmp_path, year, source, reason, factors
):
    """F1 is referred by early help (5D, from 2023), assessed with physical abuse child on child and
    adult on child (18B/18C, from 2021), sexual abuse by an adult (19C), child criminal exploitation
    (24A, from 2022) and 'other' (20), and closed with a referral to early help (RC9, from 2023)."""
    a = story(year)
    (rf1,) = [r for r in a.rows["referrals"] if r["referral_id"] == "RF1"]
    rf1.update(source="5D", closure_reason="RC9")
    a.rows["assessment_factors"] = [
        r for r in a.rows["assessment_factors"] if r["assessment_id"] != "AF1"
    ] + [
        {"assessment_id": "AF1", "child_id": "F1", "factor": code}
        for code in ("24A", "18C", "20", "19C", "18B")
    ]
    out = tmp_path / "cin.xml"
    with make_store(tmp_path / "s.duckdb", a) as store:
        write_cin_census(store, year, out)
    assert validate_cin_census(out, year) == []
    root = etree.parse(str(out)).getroot()
    (cin,) = root.xpath("Children/Child[ChildIdentifiers/LAchildID='F1']/CINdetails")
    assert (cin.findtext("ReferralSource"), cin.findtext("ReasonForClosure")) == (source, reason)
    assert cin.xpath(".//AssessmentFactors/text()") == factors


# ---------------------------------------------------------------- ten years of a synthetic authority
@pytest.fixture(scope="module")
def synthetic_history(tmp_path_factory):
    """A small synthetic authority with ten years of history (back to 2016), for every year."""
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    path = tmp_path_factory.mktemp("history") / "history.duckdb"
    spec = AuthoritySpec("890", "x", load_profile("coastal-high-demand"), children=3000)
    synthesise(path, [spec], years=10)
    with Store(path, read_only=True) as store:
        yield store


@pytest.mark.parametrize("year", COLLECTION_YEARS)
def test_synthetic_history_is_valid_against_each_years_schema(synthetic_history, tmp_path, year):
    path = tmp_path / f"cin_{year}.xml"
    summary = write_cin_census(synthetic_history, year, path, generated_at=GENERATED_AT)
    assert summary.children > 100 and summary.cin_details >= summary.children
    assert validate_cin_census(path, year) == []
    root = etree.parse(str(path)).getroot()
    assert root.findtext("Header/CollectionDetails/Year") == str(year)
    tag, other = ("Sex", "GenderCurrent") if year >= 2025 else ("GenderCurrent", "Sex")
    assert len(root.xpath(f"Children/Child/ChildIdentifiers/{tag}")) == summary.children
    assert not root.xpath(f"//{other}")
    assert bool(root.xpath("//CINPlanDates")) == (year >= 2022)


def test_store_value_outside_the_code_list_is_refused_and_nothing_is_kept(tmp_path):
    a = story()
    a.rows["person"][0]["ethnicity"] = "WXYZ"  # C1
    a.rows["person"][1]["ethnicity"] = "QQQQ"  # C2
    out = tmp_path / "cin.xml"
    out.write_text("the previous return")
    with (
        make_store(tmp_path / "s.duckdb", a) as store,
        pytest.raises(CinCensusSchemaError) as raised,
    ):
        write_cin_census(store, 2025, out)
    problems = raised.value.problems
    assert [(p.child_id, p.message.startswith("Element 'Ethnicity'")) for p in problems] == [
        ("C1", True),
        ("C2", True),
    ]
    assert 0 < problems[0].line < problems[1].line
    message = str(raised.value)
    assert "(child C1)" in message and "'WXYZ'" in message and "'QQQQ'" in message
    assert message.count("'WBRI'") == 1  # the allowed codes are spelled out once
    assert out.read_text() == "the previous return"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cin.xml", "s.duckdb"]


def test_year_outside_the_supported_collections_is_refused(tmp_path):
    years = ", ".join(map(str, range(2017, 2027)))
    with make_store(tmp_path / "s.duckdb", story()) as store:
        for year in (2016, 2027):
            with pytest.raises(ValueError, match=f"{years}, not {year}"):
                write_cin_census(store, year, tmp_path / "cin.xml")
    assert not (tmp_path / "cin.xml").exists()


def test_one_authority_is_chosen_from_a_pool(tmp_path):
    with make_store(tmp_path / "s.duckdb", story(), story(la_code="874")) as store:
        with pytest.raises(ValueError, match="2 authorities"):
            write_cin_census(store, 2025, tmp_path / "cin.xml")
        summary = write_cin_census(store, 2025, tmp_path / "cin874.xml", la_code="874")
    assert summary.children == 14
    root = etree.parse(str(summary.path)).getroot()
    assert root.findtext("Header/Source/LEA") == "874"


# ------------------------------------------------------------------------- the sector's validators
def _peer_python_available() -> bool:
    candidates = [
        "python3.10",
        *glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10")),
        "python3.9",
    ]
    return any(shutil.which(c) or os.access(c, os.X_OK) for c in candidates)


# csc-validator-be-cin 0.1.13 has rule sets from 2022/23 only (cin2022_23 ...)
@pytest.mark.peer
@pytest.mark.slow  # the reference validators take minutes
@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_reference_validators_find_no_issues(tmp_path, year):
    if not PEER_VALIDATE.exists():
        pytest.skip(f"the reference validators' runner is not at {PEER_VALIDATE}")
    if not _peer_python_available():
        pytest.skip("the reference CIN validators need python3.10 (or 3.9), which was not found")
    out, _ = write(tmp_path, year)
    command = [str(PEER_VALIDATE), "cin", str(out), str(year)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if run.returncode == 2:
        pytest.skip(f"peer-validate could not run: {run.stderr.strip()[-500:]}")
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("peer-validate: 0 issue rows, 0 distinct rules, 0 rules crashed"), (
        run.stdout
    )
