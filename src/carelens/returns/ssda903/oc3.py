"""OC3 (``oc3.csv``): care leavers whose 17th to 21st birthday falls in the year.

They need not be looked after in the year, so :func:`oc3` also says who they are: the header
lists them besides the cohort.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carelens.returns.ssda903.codes import ADOPTED, SHORT_BREAK
from carelens.returns.ssda903.cohort import Cohort, continuously_looked_after
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import add_years, fmt_date

_RECORDED_ELIGIBLE = ("RELEVANT", "FORMER_RELEVANT")  # care_leaver_contacts.eligibility


def oc3(src: Source, cohort: Cohort) -> tuple[pl.DataFrame, set[str]]:
    """``oc3.csv`` and the care leavers in it."""
    by_child = {c: g for (c,), g in cohort.all_episodes.group_by("child_id")}
    in_oc2 = continuously_looked_after(src, cohort)
    rows = []
    for r in src.tables["care_leaver_contacts"].sort("child_id").iter_rows(named=True):
        child, age = r["child_id"], r["birthday_age"]
        p = src.person.get(child)
        if p is None or age not in (17, 18, 19, 20, 21):
            continue
        dob = p["date_of_birth"]
        birthday = add_years(dob, age)
        if not src.start <= birthday <= src.end:
            continue  # information about another year's birthday
        eps = by_child.get(child)
        if eps is None:
            if r["eligibility"] in _RECORDED_ELIGIBLE:
                # the store holds no care history (e.g. it was loaded from returns that start
                # later), but the recorded eligibility says the young person qualifies
                rows.append(_row(src, r, dob))
                continue
            src.exclude("oc3: no record of the young person being looked after")
            continue
        eps = eps.sort("start_date")
        last_rec = eps["REC"][-1] if eps["end_date"][-1] is not None else None
        if last_rec in ADOPTED or last_rec in ("E2", "E3"):
            src.exclude(
                "oc3: last period of care ended in adoption, death or transfer to another "
                "authority"
            )
            continue
        # looked after on the birthday when DECOM <= birthday < DEC: care that ended on the birthday
        # itself (e.g. E5 on the 18th) makes a care leaver, whose OC3 information is due (DfE)
        if (
            age in (17, 18)
            and eps.filter(
                (pl.col("start_date") <= birthday)
                & (pl.col("end_date").is_null() | (pl.col("end_date") > birthday))
            ).height
        ):
            src.exclude("oc3: still looked after on the 17th or 18th birthday")
            continue
        if child in in_oc2:
            # care that ended on 31 March, the birthday, after 12 months: the child is in OC2, and
            # a child cannot have both (rules 187, 215)
            src.exclude("oc3: looked after continuously for 12 months at 31 March (in oc2)")
            continue
        # a recorded eligibility is the authority's statement; episodes are checked only without
        # one (a store loaded from returns may not hold the earlier care that made the young
        # person eligible)
        recorded = r["eligibility"] in _RECORDED_ELIGIBLE
        if not recorded and not _qualifies_as_care_leaver(src, eps, dob):
            src.exclude(
                "oc3: not looked after for 13 weeks from age 14 including time after 16"
            )
            continue
        rows.append(_row(src, r, dob))
    frame = src.frame(rows, "oc3")
    return frame, set(frame["CHILD"]) if frame.height else set()


def _row(src: Source, r: dict, dob: dt.date) -> dict:
    in_touch, activ, accom = r["in_touch"], r["activity"], r["accommodation"]
    if in_touch in ("DIED", "RHOM"):
        activ, accom = "0", "0"  # rule 344
    elif in_touch != "YES":
        activ, accom = activ or "0", accom or "0"  # not known when not in touch
    activ = src.recode.get("ACTIV", {}).get(activ, activ)  # F3/P3 before 2022
    return {
        "CHILD": r["child_id"],
        "DOB": fmt_date(dob),
        "IN_TOUCH": in_touch,
        "ACTIV": activ,
        "ACCOM": accom,
    }


def _qualifies_as_care_leaver(src: Source, eps: pl.DataFrame, dob: dt.date) -> bool:
    """Looked after (not on short breaks) for at least 13 weeks since the 14th birthday,
    some of it after the 16th."""
    d14, d16 = add_years(dob, 14), add_years(dob, 16)
    total14 = total16 = 0
    for r in eps.filter(~pl.col("legal_status").is_in(SHORT_BREAK)).iter_rows(named=True):
        end = min(r["end_date"] or src.end, src.end)
        total14 += max(0, (end - max(r["start_date"], d14)).days)
        total16 += max(0, (end - max(r["start_date"], d16)).days)
    return total14 >= 91 and total16 >= 1
