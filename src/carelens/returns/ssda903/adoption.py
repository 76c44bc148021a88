"""Adoption: AD1 (``ad1.csv``, children adopted in the year) and placed for adoption
(``placed_for_adoption.csv``, adoption decisions in force during the year).

Both come from the store's ``permanence`` rows, one per decision for a period of care.
"""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.codes import ADOPTED
from carelens.returns.ssda903.cohort import Cohort
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import flag, fmt_date


def _permanence_for(src: Source, child: str, period: str) -> dict | None:
    """The period's permanence record: the adoption order's if there is one, else the latest
    decision's."""
    rows = src.tables["permanence"].filter(
        (pl.col("child_id") == child) & (pl.col("period_id") == period)
    )
    if rows.height == 0:
        return None
    rows = rows.sort(
        [pl.col("order_type") == "ADOPTION", "adoption_decision_date"], nulls_last=False
    )
    return rows.row(rows.height - 1, named=True)


def ad1(src: Source, cohort: Cohort) -> pl.DataFrame:
    adopted = cohort.episodes.filter(
        pl.col("DEC").is_not_null() & pl.col("REC").is_in(ADOPTED)
    ).sort("child_id")
    rows = []
    for e in adopted.iter_rows(named=True):
        child = e["child_id"]
        pm = _permanence_for(src, child, e["period_id"]) or {}
        if not pm:
            src.warnings.append(
                f"ad1: child {child} was adopted in the year but the store has no "
                "permanence record for that period of care"
            )
        nb = pm.get("number_of_adopters")
        rows.append(
            {
                "CHILD": child,
                "DOB": fmt_date(src.dob(child)),
                "DATE_INT": fmt_date(pm.get("adoption_decision_date")),
                "DATE_MATCH": fmt_date(pm.get("matched_date")),
                "FOSTER_CARE": flag(pm.get("adopted_by_foster_carer")),
                "NB_ADOPTR": None if nb is None else str(nb),
                "SEX_ADOPTR": pm.get("adopter_sex"),
                "LS_ADOPTR": pm.get("adopter_legal_status"),
            }
        )
    return src.frame(rows, "ad1")


def placed_for_adoption(src: Source, cohort: Cohort) -> pl.DataFrame:
    periods = list(set(cohort.episodes["period_id"]))
    pm = (
        src.tables["permanence"]
        .filter(
            pl.col("child_id").is_in(cohort.children)
            & pl.col("period_id").is_in(periods)
            & pl.col("adoption_decision_date").is_not_null()
            & (pl.col("adoption_decision_date") <= src.end)
            & (
                pl.col("decision_reversed_date").is_null()
                | (pl.col("decision_reversed_date") >= src.start)
            )
        )
        .sort(["child_id", "adoption_decision_date"])
    )
    rows = []
    for r in pm.iter_rows(named=True):
        rev, why = r["decision_reversed_date"], r["decision_reversed_reason"]
        # an adoption ends the decision without reversing it: the ceased items stay blank
        # (rule 558)
        ceased = rev is not None and rev <= src.end and why not in ADOPTED
        rows.append(
            {
                "CHILD": r["child_id"],
                "DOB": fmt_date(src.dob(r["child_id"])),
                "DATE_PLACED": fmt_date(r["adoption_decision_date"]),
                "DATE_PLACED_CEASED": fmt_date(rev) if ceased else None,
                "REASON_PLACED_CEASED": why if ceased else None,
            }
        )
    return src.frame(rows, "placed_adoption")
