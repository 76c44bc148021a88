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
    """An indicator described by a paragraph (and a trend chart, when ``chart``); its sentences name it by its
    catalogue title. ``counted`` names the numerator's units for a count ("children", "contacts")."""

    indicator: str
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
    forecast: bool = False  # the children in care projected from the month end (carelens.report.forecast)


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "1", "open_cases", "Children open to children's social care and early help",
        measures=(
            Measure("G2", "children"),
            Measure("A1a"),
            Measure("A1b"),
            Measure("H1", "episodes"),
            # §5.2's early help: how many start, and how the front door and early help pass families between them
            Measure("H1a", "episodes"),
            Measure("H1c", "episodes"),
            Measure("H1e", "episodes"),
        ),
        breakdowns=(Breakdown("A1", "level", "as_at", "Open cases by level of need", "Level of need"),),
        representation=(("A2", "Open cases"), ("A2a", "Early help"), ("A2b", "Children in need"),
                        ("A2c", "Child protection plans"), ("A2d", "Children looked after")),
    ),
    SectionSpec(
        "2", "front_door", "Front door activity: contacts, referrals and assessments",
        measures=(
            Measure("B1", "contacts"),
            Measure("B2", "contacts"),
            Measure("B3", "contacts"),
            Measure("B4", "referrals"),
            Measure("B4a", "referrals"),
            Measure("B5", "referrals"),
            Measure("B6", "referrals"),
            Measure("B7", "assessments"),
            Measure("B7a", "assessments"),
            Measure("B8", "assessments"),
            Measure("B9", "assessments"),
        ),
    ),
    SectionSpec(
        "3", "cp_activity", "Child protection activity",
        measures=(
            Measure("C1", "strategy discussions"),
            Measure("C2", "strategy discussions"),
            Measure("C3", "enquiries"),
            Measure("C4", "enquiries"),
            Measure("C5", "enquiries"),
            Measure("C6", "conferences"),
            Measure("C6a", "conferences"),
            Measure("C7", "conferences"),
        ),
    ),
    SectionSpec(
        "4", "cp_plans", "Child protection plans",
        measures=(
            Measure("C8"),
            Measure("C9", "plans"),
            Measure("C10", "plans"),
            Measure("C13", "plans"),
            Measure("C14"),
            Measure("C15", over_a_year=False),
            Measure("C16", "plans", over_a_year=False),
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
            Measure("D1"),
            Measure("D2"),
            Measure("D3"),
            Measure("D5"),
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
            Measure("D6"),
            Measure("D6c"),
            Measure("D7"),
            Measure("D8"),
            Measure("D12"),
            Measure("D9"),
            Measure("D9a", "missing episodes"),
            Measure("D9b", "missing episodes"),
            Measure("D10"),
            Measure("D10a"),
        ),
        breakdowns=(Breakdown("D1", "placement_group", "as_at", "Children in care by placement", "Placement"),),
    ),
    SectionSpec(
        "7", "permanence", "Adoption and special guardianship",
        measures=(
            Measure("E1"),
            Measure("E1a"),
            Measure("E2"),
            Measure("E3"),
            Measure("E4"),
            Measure("E5"),
            Measure("E5a"),
        ),
    ),
    SectionSpec(
        "8", "care_leavers", "Care leavers",
        measures=(
            Measure("F1", "young people"),
            Measure("F1a", "young people"),
            Measure("F2", "young people"),
            Measure("F2a", "young people"),
            Measure("F3", "young people"),
            Measure("F3a", "young people"),
            Measure("F3b", "young people"),
        ),
    ),
    SectionSpec(
        "9", "workforce", "Caseloads and workforce",
        measures=(
            Measure("G1", "workers"),
            Measure("G2a"),
            Measure("G3", "workers"),
        ),
        team_caseloads=True,
    ),
    # not in the hand-written §5: the demand forecast (issue 17), from the same month end, after the sections it
    # projects on from (children in care, placements)
    SectionSpec("10", "forecast", "Children in care: forecast", forecast=True),
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
