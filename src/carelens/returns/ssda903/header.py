"""Header (``header.csv``): every child looked after in the year, plus the OC3 care leavers.

Also the SEX code of a child, which ``uasc.csv`` writes too.
"""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.codes import SHORT_BREAK
from carelens.returns.ssda903.cohort import Cohort
from carelens.returns.ssda903.problems import Ssda903DataError
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import fmt_date


def sex_code(src: Source, child: str) -> str:
    """The year's SEX code: M/F/U from 2025, 1/2 before. Raises :class:`Ssda903DataError` for
    sex U before 2025, which those returns cannot express."""
    sex = src.person[child]["sex"]
    if src.year >= 2025:
        return sex
    if sex == "U":
        raise Ssda903DataError(
            f"child {child} has sex U (unknown), which the {src.year} SSDA903 return "
            "cannot record (SEX is 1 male or 2 female until 2024; U is allowed from 2025)"
        )
    return {"M": "1", "F": "2"}.get(sex, sex)


def header(src: Source, cohort: Cohort, children: list[str]) -> pl.DataFrame:
    """``header.csv`` for ``children``: the cohort and the care leavers of ``oc3.csv``."""
    # the date mother status is recorded at: 31 March, or when she ceased to be looked after
    ref_dates = {
        child: (None if n_open else last_dec)
        for child, n_open, last_dec in cohort.episodes.filter(
            ~pl.col("legal_status").is_in(SHORT_BREAK)
        )
        .group_by("child_id")
        .agg(pl.col("DEC").null_count().alias("open"), pl.col("DEC").max().alias("last"))
        .iter_rows()
    }
    rows = []
    for child in children:
        p = src.person[child]
        mother, mc_dob = None, None
        if p["sex"] == "F" and child in ref_dates:
            ref = ref_dates[child] or src.end
            born = p["mother_child_date_of_birth"]
            is_mother = bool(p["is_mother"]) and (born is None or born <= ref)
            mother = "1" if is_mother else "0"
            if is_mother:
                mc_dob = fmt_date(born)
                if born is None:
                    src.warnings.append(
                        f"header: child {child} is a mother but her child's date of "
                        "birth is not recorded (MC_DOB)"
                    )
        rows.append(
            {
                "CHILD": child,
                "SEX": sex_code(src, child),
                "DOB": fmt_date(p["date_of_birth"]),
                "ETHNIC": p["ethnicity"],
                "UPN": p["upn"] or p["upn_unknown"],
                "MOTHER": mother,
                "MC_DOB": mc_dob,
            }
        )
    return src.frame(rows, "header")
