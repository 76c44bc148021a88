"""UASC (``uasc.csv``): children looked after in the year who were unaccompanied asylum-seeking
children at some time in it."""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.cohort import Cohort
from carelens.returns.ssda903.header import sex_code
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import fmt_date


def uasc(src: Source, cohort: Cohort) -> pl.DataFrame:
    rows = []
    for child in cohort.children:
        p = src.person[child]
        duc = p["uasc_ceased_date"]
        if not p["uasc"] or (duc is not None and duc < src.start):
            continue
        rows.append(
            {
                "CHILD": child,
                "DOB": fmt_date(p["date_of_birth"]),
                "SEX": sex_code(src, child),
                "DUC": fmt_date(duc) if duc is not None and duc <= src.end else None,
            }
        )
    return src.frame(rows, "uasc")
