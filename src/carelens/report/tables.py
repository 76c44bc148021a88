"""The report's tables, drafted from its figures with the counts behind each cell, so that a published
report can suppress small numbers across all of them at once (:mod:`carelens.report.disclosure_control`).

Each count is keyed by the result it is (``figures|<indicator>|<period>|<breakdown>|<group>|numerator``) —
the same key a sentence's number carries as its source. So the same figure in two tables, or in a table
and a sentence, is one cell to disclosure control, which is what stops a suppressed cell being worked out
as the difference between two published tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from carelens.disclosure import Relation
from carelens.indicators.api import definition
from carelens.report.document import Cell, Column, Kind, Mark, Table
from carelens.report.figures import ReportFigures
from carelens.report.sections import Breakdown

# what a breakdown's group codes mean to a reader
GROUP_NAMES = {"F": "Girls", "M": "Boys", "U": "Not recorded", "unknown": "Not recorded", "under 1": "Under 1",
               "1-4": "1 to 4", "5-9": "5 to 9", "10-15": "10 to 15", "16-17": "16 and 17",
               # categories of abuse (CIN census codes)
               "NEG": "Neglect", "EMO": "Emotional abuse", "PHY": "Physical abuse", "SAB": "Sexual abuse",
               "MUL": "Multiple categories",
               # levels of need (A1): "child in need" there is in need with no plan and not in care
               "child in need": "In need (no plan, not looked after)"}
AGE_ORDER = ("under 1", "1-4", "5-9", "10-15", "16-17", "unknown")


def source(ind: str, period: str, breakdown: str, group: str, column: str) -> str:
    return f"figures|{ind}|{period}|{breakdown}|{group}|{column}"


@dataclass
class Counted:
    """A table as drafted: its cells, and for disclosure control the counts they show or are computed from."""

    table: Table
    counts: dict[str, int | None] = field(default_factory=dict)  # key -> count
    relations: list[Relation] = field(default_factory=list)
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key of a rate or share -> counts it uses
    keys: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> the key of the cell shown


def _ordered(groups: pl.DataFrame, breakdown: str) -> pl.DataFrame:
    if breakdown == "age_band":
        order = {g: i for i, g in enumerate(AGE_ORDER)}
        return groups.with_columns(pl.col("group").replace_strict(order, default=len(order)).alias("_o")
                                   ).sort("_o").drop("_o")
    return groups.sort("numerator", descending=True, nulls_last=True)


def breakdown_table(spec: Breakdown, figures: ReportFigures, team_names: dict[str, str]) -> Counted | None:
    """A breakdown's groups with their counts and share of the total, and the total."""
    groups = figures.groups(spec.indicator, spec.breakdown, spec.window)
    total = figures.at.filter((pl.col("indicator") == spec.indicator) & (pl.col("breakdown") == "all")
                              & (pl.col("period_kind") == spec.window))
    if groups.is_empty() or total.is_empty():
        return None
    groups = _ordered(groups, spec.breakdown)
    period = total.item(0, "period")
    total_n = total.item(0, "numerator")
    total_key = source(spec.indicator, period, "all", "all", "numerator")
    counted = Counted(Table(f"{spec.indicator}-{spec.breakdown}", "", (), ()))
    rows: list[tuple[Cell, ...]] = []
    part_keys = []
    for r in groups.iter_rows(named=True):
        key = source(spec.indicator, period, spec.breakdown, r["group"], "numerator")
        share_key = source(spec.indicator, period, spec.breakdown, r["group"], "share")
        counted.counts[key] = r["numerator"]
        counted.derived[share_key] = (key, total_key)
        part_keys.append(key)
        n = len(rows)
        counted.keys[(n, 1)], counted.keys[(n, 2)] = key, share_key
        name = team_names.get(r["group"], GROUP_NAMES.get(r["group"], r["group"]))
        rows.append((name[0].upper() + name[1:], r["numerator"], r["share"]))
    counted.counts[total_key] = total_n
    counted.keys[(len(rows), 1)] = total_key
    counted.keys[(len(rows), 2)] = source(spec.indicator, period, "all", "all", "share")
    counted.derived[source(spec.indicator, period, "all", "all", "share")] = (total_key,)
    rows.append(("Total", total_n, 100.0 if total_n else None))
    if sum(counted.counts[k] or 0 for k in part_keys) == total_n:  # each counted once: the groups add up
        counted.relations.append(Relation(total_key, tuple(part_keys)))
    ind = definition(spec.indicator)
    window = {"as_at": f"at {figures.as_at.strftime('%-d %B %Y')}", "rolling_6": "in the last 6 months",
              "rolling_12": "in the last 12 months", "month": f"in {figures.as_at.strftime('%B %Y')}"}[spec.window]
    counted.table = Table(
        f"{spec.indicator}-{spec.breakdown}", f"{spec.title} ({window})",
        (Column("group", spec.group_label), Column("count", "Number", Kind.COUNT),
         Column("share", "Share of total", Kind.PERCENT)),
        tuple(rows), (f"Indicator {ind.id}: {ind.title}.",))
    return counted


# cohorts whose children are another indicator's by the same breakdown: children on plans (C8) and looked after
# (D1) at the day; their cells are keyed as those indicators', so the tables are linked for disclosure control
SAME_CHILDREN = {"A2c": "C8", "A2d": "D1"}


def _cohort_key(figures: ReportFigures, ind: str, breakdown: str, rows: pl.DataFrame) -> str:
    """The indicator whose keys a cohort's cells take: its own, or the one counting the same children (when every
    group's count agrees, so linking them cannot contradict)."""
    same = SAME_CHILDREN.get(ind)
    if same is None:
        return ind
    other = figures.groups(same, breakdown, "as_at")
    mine = dict(zip(rows["group"], rows["numerator"], strict=True))
    theirs = dict(zip(other["group"], other["numerator"], strict=True))
    return same if mine and mine == {g: theirs.get(g) for g in mine} else ind


def representation_table(cohorts: tuple[tuple[str, str], ...], breakdown: str, figures: ReportFigures
                         ) -> Counted | None:
    """Share of each cohort in each group against the group's share of the population (§5.2.4–5.2.5).

    For disclosure control each cohort is a breakdown and its total — every group counted, the not recorded
    too, shown or not — so a hidden share cannot be worked out as 100% less the others."""
    first = figures.groups(cohorts[0][0], breakdown, "as_at")
    if first.is_empty():
        return None
    group_list = [g for g in (AGE_ORDER if breakdown == "age_band" else ("F", "M"))
                  if g in set(first["group"].to_list())]
    population = {r["group"]: r["denominator"] for r in first.iter_rows(named=True)}
    pop_total = sum(v for g, v in population.items() if g in group_list and v)
    counted = Counted(Table("", "", (), ()))
    rows: list[list[Cell]] = [[GROUP_NAMES.get(g, g)] for g in group_list]
    for c, (ind, _) in enumerate(cohorts):
        groups = figures.groups(ind, breakdown, "as_at")
        total = figures.at.filter((pl.col("indicator") == ind) & (pl.col("breakdown") == "all")
                                  & (pl.col("period_kind") == "as_at"))
        if groups.is_empty():
            for row in rows:
                row.append(None)
            continue
        keyed = _cohort_key(figures, ind, breakdown, groups)
        period = groups.item(0, "period")
        parts = []
        for r in groups.iter_rows(named=True):
            key = source(keyed, period, breakdown, r["group"], "numerator")
            counted.counts[key] = r["numerator"]
            parts.append(key)
        total_key = source(keyed, period, "all", "all", "numerator")
        if not total.is_empty():
            counted.counts[total_key] = total.item(0, "numerator")
            if sum(counted.counts[k] or 0 for k in parts) == counted.counts[total_key]:
                counted.relations.append(Relation(total_key, tuple(parts)))
        by_group = {r["group"]: r for r in groups.iter_rows(named=True)}
        for n, group in enumerate(group_list):
            r = by_group.get(group)
            if r is None:
                rows[n].append(None)
                continue
            share_key = source(keyed, period, breakdown, group, "cohort_share")
            counted.derived[share_key] = (source(keyed, period, breakdown, group, "numerator"), total_key)
            counted.keys[(n, c + 1)] = share_key
            rows[n].append(r["share"])
    for n, group in enumerate(group_list):
        pop = population.get(group)
        rows[n].append(None if not pop or not pop_total else 100 * pop / pop_total)
    what = "sex" if breakdown == "sex" else "age"
    columns = (Column("group", "Sex" if breakdown == "sex" else "Age"),
               *(Column(ind, name, Kind.PERCENT) for ind, name in cohorts),
               Column("population", "Population aged 0 to 17", Kind.PERCENT))
    counted.table = Table(f"representation-{breakdown}", f"Make-up of each cohort by {what}, against the "
                          f"population (share of the cohort, at {figures.as_at.strftime('%-d %B %Y')})",
                          columns, tuple(tuple(r) for r in rows),
                          ("Shares are of the whole cohort, so a column falls short of 100% by the children whose "
                           f"{what} is not recorded. Population: the ONS mid-year estimate the indicators use.",))
    return counted


def ratio_table(figures: ReportFigures, name: str) -> Counted | None:
    """§5.5.3: the last 12 months' rates per 10,000 (and plans in force at the month end) against the latest
    published median of the statistical neighbours, with the ratio."""
    from carelens.published.ratio_table import RATIO_ROWS

    rows, counted = [], Counted(Table("", "", (), ()))
    year = None
    for label, ind in RATIO_ROWS:
        kind = "as_at" if ind == "C8" else "rolling_12"
        mine = figures.at.filter((pl.col("indicator") == ind) & (pl.col("breakdown") == "all")
                                 & (pl.col("period_kind") == kind))
        if mine.is_empty():
            mine = figures.window(ind, "month" if ind == "C8" else kind).filter(
                pl.col("period_end") == figures.as_at)
        b = figures.benchmarks.get(ind)
        if mine.is_empty() and b is None:
            continue
        value = None if mine.is_empty() else mine.item(0, "value")
        if not mine.is_empty():
            r = mine.row(0, named=True)
            key = source(ind, r["period"], "all", "all", "numerator")
            counted.counts[key] = r["numerator"]
            counted.derived[source(ind, r["period"], "all", "all", "value")] = (key,)
            counted.keys[(len(rows), 1)] = source(ind, r["period"], "all", "all", "value")
            counted.keys[(len(rows), 3)] = source(ind, r["period"], "all", "all", "value")
        median = b.neighbour_median if b else None
        year = year or (b.year if b else None)
        ratio = None if value is None or not median else value / median
        rows.append((label, value, median, ratio))
    if not rows:
        return None
    compared = figures.compared_with_name or "the authority"
    counted.table = Table(
        "ratio_table", f"Rates per 10,000 children: {name} in the last 12 months against the median of "
        f"{compared}'s statistical neighbours ({year or 'no published year'})",
        (Column("row", "Per 10,000 children"), Column("la", name, Kind.RATE),
         Column("median", "Neighbour median", Kind.RATE), Column("ratio", "Ratio", Kind.RATIO)),
        tuple(rows), ("Children on CP plans: at the month end. The others: the 12 months to the month end. "
                      "Neighbour median: DfE published figures (OGL v3.0).",))
    return counted


def team_table(figures: ReportFigures, team_names: dict[str, str], min_workers: int | None) -> Counted | None:
    """§5.11: caseloads by team at the month end — workers holding cases, average and median caseload, children
    open, agency share. With ``min_workers`` (published), teams with fewer workers are shown together as one row,
    with an average caseload weighted by workers."""
    g1 = figures.groups("G1", "team", "as_at")
    if g1.is_empty():
        return None
    median = {r["group"]: r["value"] for r in figures.groups("G1a", "team", "as_at").iter_rows(named=True)}
    open_ = {r["group"]: r["numerator"] for r in figures.groups("G2", "team", "as_at").iter_rows(named=True)}
    agency = {r["group"]: r["value"] for r in figures.groups("G3", "team", "as_at").iter_rows(named=True)}
    teams = sorted(g1.iter_rows(named=True), key=lambda r: (r["numerator"] or 0, r["group"]))
    small = [r for r in teams if min_workers is not None and (r["numerator"] or 0) < min_workers]
    if len(small) == 1 and len(teams) > 1:
        # one small team "together" would be that team by itself: the next smallest joins it
        small.append(teams[1])
    combined = {r["group"] for r in small}
    rows = [(team_names.get(r["group"], r["group"]), r["numerator"], r["value"], median.get(r["group"]),
             open_.get(r["group"]), agency.get(r["group"])) for r in teams if r["group"] not in combined]
    rows.sort(key=lambda row: str(row[0]))
    if small:
        workers = sum(r["numerator"] or 0 for r in small)
        weight = [(r["numerator"] or 0) for r in small]
        mean = sum((r["value"] or 0) * w for r, w in zip(small, weight)) / workers if workers else None
        share = sum((agency.get(r["group"]) or 0) * w for r, w in zip(small, weight)) / workers if workers else None
        opened = sum(open_.get(r["group"]) or 0 for r in small)
        label = f"Other teams ({len(small)} together)"
        if workers < (min_workers or 0):  # even together, too few workers to show
            rows.append((label, Mark.SUPPRESSED, Mark.SUPPRESSED, None, Mark.SUPPRESSED, Mark.SUPPRESSED))
        else:
            rows.append((label, workers, mean, None, opened, share))
    total = figures.at.filter((pl.col("indicator") == "G1") & (pl.col("breakdown") == "all")
                              & (pl.col("period_kind") == "as_at"))
    if not total.is_empty():
        t = total.row(0, named=True)
        total_median = figures.at.filter((pl.col("indicator") == "G1a") & (pl.col("breakdown") == "all")
                                         & (pl.col("period_kind") == "as_at"))
        total_open = figures.at.filter((pl.col("indicator") == "G2") & (pl.col("breakdown") == "all")
                                       & (pl.col("period_kind") == "as_at"))
        total_agency = figures.at.filter((pl.col("indicator") == "G3") & (pl.col("breakdown") == "all")
                                         & (pl.col("period_kind") == "as_at"))
        rows.append(("All teams", t["numerator"], t["value"],
                     None if total_median.is_empty() else total_median.item(0, "value"),
                     None if total_open.is_empty() else total_open.item(0, "numerator"),
                     None if total_agency.is_empty() else total_agency.item(0, "value")))
    notes = ["Workers: case-holding social workers. Children: children open to children's social care allocated "
             "to the team (G2)."]
    if small:
        notes.append(f"Teams with fewer than {min_workers} workers are shown together (with the next smallest team "
                     "when only one is small), so that no worker's caseload can be identified; their average "
                     "caseload and agency share are weighted by workers, and their median is not available ([x]).")
    return Counted(Table(
        "caseloads_by_team", f"Caseloads by team at {figures.as_at.strftime('%-d %B %Y')}",
        (Column("team", "Team"), Column("workers", "Social workers", Kind.COUNT),
         Column("mean", "Average caseload", Kind.DECIMAL), Column("median", "Median caseload", Kind.DECIMAL),
         Column("children", "Children open", Kind.COUNT), Column("agency", "Agency workers", Kind.PERCENT)),
        tuple(rows), tuple(notes)))
