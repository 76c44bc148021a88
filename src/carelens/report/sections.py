"""What the monthly report shows, section by section, in the order of the hand-written overview (§5 of the
scrutiny pack, ``001_…txt``): which indicators each section describes, which breakdowns it tabulates and
charts, and what it calls each measure in a sentence.

This is the report's content as data: the figures are gathered for exactly these indicators and
breakdowns (:mod:`carelens.report.figures`), and each section is drafted from them
(:mod:`carelens.report.build`). Adding a measure to the report is adding a line here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """An indicator described by a paragraph (and a trend chart, when ``chart``).

    ``lead`` is what a sentence calls it, as §5 does ("children subject to a child protection plan");
    ``counted`` names the numerator's units for a count ("children", "contacts").
    """

    indicator: str
    lead: str
    counted: str = "children"
    chart: bool = True
    # False for a percentage of children counted on the window's last day (visited in timescale, reviewed in
    # timescale): its 12-month window means "throughout the year", not a year of them, so it is not stated
    over_a_year: bool = True


@dataclass(frozen=True)
class Breakdown:
    """An indicator's values by one breakdown's groups, in one window, as a table (and a bar chart)."""

    indicator: str
    breakdown: str
    window: str  # the period kind: as_at for a stock on the day, rolling_6 / rolling_12 for a flow
    title: str
    group_label: str  # the first column's heading
    chart: bool = True


@dataclass(frozen=True)
class SectionSpec:
    number: str
    key: str
    title: str
    measures: tuple[Measure, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    representation: tuple[tuple[str, str], ...] = ()  # (indicator, cohort name): share of cohort against population
    ratio_table: bool = False  # §5.5.3: rates per 10,000 against the neighbour median
    team_caseloads: bool = False  # §5.11: caseloads by team


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "1", "open_cases", "Children open to children's social care and early help",
        measures=(
            Measure("G2", "open cases in children's social care", "children"),
            Measure("A1a", "open cases at the child protection or looked-after end of the continuum of need"),
            Measure("A1b", "children in need"),
            Measure("H1", "open early help episodes", "episodes"),
        ),
        breakdowns=(Breakdown("A1", "level", "as_at", "Open cases by level of need", "Level of need"),),
        representation=(("A2", "Open cases"), ("A2a", "Early help"), ("A2b", "Children in need"),
                        ("A2c", "Child protection plans"), ("A2d", "Children looked after")),
    ),
    SectionSpec(
        "2", "front_door", "Front door activity: contacts, referrals and assessments",
        measures=(
            Measure("B1", "contacts", "contacts"),
            Measure("B2", "repeat contacts within 3 months", "contacts"),
            Measure("B3", "contacts converting to referrals", "contacts"),
            Measure("B4", "referrals", "referrals"),
            Measure("B4a", "referrals", "referrals"),
            Measure("B5", "re-referrals within 12 months", "referrals"),
            Measure("B6", "referrals closed with no further action", "referrals"),
            Measure("B7", "open assessments", "assessments"),
            Measure("B7a", "open assessments beyond 45 working days", "assessments"),
            Measure("B8", "assessments completed within 45 working days", "assessments"),
            Measure("B9", "assessments completed", "assessments"),
        ),
    ),
    SectionSpec(
        "3", "cp_activity", "Child protection activity",
        measures=(
            Measure("C1", "strategy discussions", "strategy discussions"),
            Measure("C2", "strategy discussions leading to a section 47 enquiry", "strategy discussions"),
            Measure("C3", "section 47 enquiries started", "enquiries"),
            Measure("C4", "section 47 enquiries leading to an initial child protection conference", "enquiries"),
            Measure("C5", "section 47 enquiries completed within the local standard", "enquiries"),
            Measure("C6", "initial child protection conferences", "conferences"),
            Measure("C6a", "initial child protection conferences held within 15 working days", "conferences"),
            Measure("C7", "initial conferences resulting in a child protection plan", "conferences"),
        ),
    ),
    SectionSpec(
        "4", "cp_plans", "Child protection plans",
        measures=(
            Measure("C8", "children subject to a child protection plan"),
            Measure("C9", "child protection plans starting", "plans"),
            Measure("C10", "child protection plans ending", "plans"),
            Measure("C13", "plans that were a second or subsequent plan", "plans"),
            Measure("C14", "children on a plan for 2 years or more"),
            Measure("C15", "children on plans visited in timescale", over_a_year=False),
            Measure("C16", "child protection plans reviewed in timescale", "plans", over_a_year=False),
        ),
        breakdowns=(
            Breakdown("C11", "latest_category", "as_at", "Children on plans by category of abuse", "Category of abuse"),
            Breakdown("C8", "age_band", "as_at", "Children on plans by age", "Age"),
            Breakdown("C10", "destination", "rolling_6", "Plans ending by what happened next", "What happened next"),
        ),
        ratio_table=True,
    ),
    SectionSpec(
        "5", "children_in_care", "Children in care",
        measures=(
            Measure("D1", "children in care"),
            Measure("D2", "children starting to be looked after"),
            Measure("D3", "children ceasing to be looked after"),
            Measure("D5", "children in care accommodated under section 20"),
        ),
        breakdowns=(
            Breakdown("D1", "age_band", "as_at", "Children in care by age", "Age"),
            Breakdown("D1", "legal_status_group", "as_at", "Children in care by legal status", "Legal status"),
            Breakdown("D2", "age_band", "rolling_12", "Children starting care in the last 12 months by age", "Age"),
            Breakdown("D3", "age_band", "rolling_12", "Children ceasing care in the last 12 months by age", "Age"),
        ),
    ),
    SectionSpec(
        "6", "placements", "Placements of children in care",
        measures=(
            Measure("D6", "children in care in foster placements"),
            Measure("D6c", "children in care in secure units or children's homes"),
            Measure("D7", "children with three or more placements in the year (short-term stability)"),
            Measure("D8", "children in the same placement for 2 years (long-term stability)"),
            Measure("D12", "children placed outside the authority and more than 20 miles from home"),
            Measure("D9", "children in care who went missing"),
            Measure("D9a", "return home interviews offered", "missing episodes"),
            Measure("D9b", "return home interviews accepted", "missing episodes"),
            Measure("D10", "children in care with an up-to-date health assessment"),
            Measure("D10a", "children in care with an up-to-date dental check"),
        ),
        breakdowns=(Breakdown("D1", "placement_group", "as_at", "Children in care by placement", "Placement"),),
    ),
    SectionSpec(
        "7", "permanence", "Adoption and special guardianship",
        measures=(
            Measure("E1", "children adopted"),
            Measure("E1a", "children leaving care who were adopted"),
            Measure("E2", "children waiting to be adopted"),
            Measure("E3", "average days from entering care to moving in with the adoptive family (A10)"),
            Measure("E4", "average days from placement order to match (A2)"),
            Measure("E5", "children leaving care on a special guardianship order"),
            Measure("E5a", "children leaving care on a special guardianship order, as a share of all leaving"),
        ),
    ),
    SectionSpec(
        "8", "care_leavers", "Care leavers",
        measures=(
            Measure("F1", "care leavers aged 17 and 18 we are in touch with", "young people"),
            Measure("F1a", "care leavers aged 19 to 21 we are in touch with", "young people"),
            Measure("F2", "care leavers aged 17 and 18 in suitable accommodation", "young people"),
            Measure("F2a", "care leavers aged 19 to 21 in suitable accommodation", "young people"),
            Measure("F3", "care leavers aged 17 and 18 in education, employment or training", "young people"),
            Measure("F3a", "care leavers aged 19 to 21 in education, employment or training", "young people"),
            Measure("F3b", "care leavers aged 19 to 21 in higher education", "young people"),
        ),
    ),
    SectionSpec(
        "9", "workforce", "Caseloads and workforce",
        measures=(
            Measure("G1", "average caseload per case-holding social worker", "workers"),
            Measure("G2a", "open cases not allocated to a worker"),
            Measure("G3", "agency social workers", "workers"),
        ),
        team_caseloads=True,
    ),
)

# the caseloads-by-team table's indicators
TEAM_INDICATORS = ("G1", "G1a", "G2", "G3")

def ratio_indicators() -> tuple[str, ...]:
    """The §5.5.3 ratio table's indicators, in its rows' order (carelens.published.ratio_table.RATIO_ROWS)."""
    from carelens.published.ratio_table import RATIO_ROWS

    return tuple(ind for _, ind in RATIO_ROWS)


def section(key: str) -> SectionSpec:
    for s in SECTIONS:
        if s.key == key:
            return s
    raise KeyError(f"no report section {key!r}: expected one of {', '.join(s.key for s in SECTIONS)}")


def measure_indicators() -> list[str]:
    """Every indicator a section describes or tabulates, in report order, once each."""
    ids: dict[str, None] = {}
    for s in SECTIONS:
        for m in s.measures:
            ids[m.indicator] = None
        for b in s.breakdowns:
            ids[b.indicator] = None
        for ind, _ in s.representation:
            ids[ind] = None
        if s.team_caseloads:
            for ind in TEAM_INDICATORS:
                ids[ind] = None
        if s.ratio_table:
            for ind in ratio_indicators():
                ids[ind] = None
    return list(ids)
