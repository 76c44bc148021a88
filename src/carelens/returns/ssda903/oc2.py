"""OC2 (``oc2.csv``): the annual outcomes of children looked after continuously for 12 months at
31 March (the cohort of :func:`.cohort.continuously_looked_after`)."""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.cohort import Cohort, continuously_looked_after
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import add_years, flag, fmt_date


def oc2(src: Source, cohort: Cohort) -> pl.DataFrame:
    cla = continuously_looked_after(src, cohort)
    out = src.tables["annual_outcomes"].filter(pl.col("year_ending") == src.end)
    src.exclude(
        "annual outcomes of children not looked after continuously for 12 months",
        out.filter(~pl.col("child_id").is_in(list(cla))).height,
    )
    out = {r["child_id"]: r for r in out.iter_rows(named=True) if r["child_id"] in cla}
    rows = []
    for child in sorted(cla):
        r = out.get(child)
        if r is None:
            src.warnings.append(
                f"oc2: child {child} was looked after continuously for 12 months at "
                f"{src.end:%d/%m/%Y} but has no annual outcomes for that year"
            )
            continue
        dob = src.dob(child)
        # SDQ for children aged 4 to 16 (rules 188/189); convictions from 10 (542);
        # health promotion (development checks) under 5 only (546)
        sdq_age = add_years(dob, 4) <= src.end and add_years(dob, 17) >= src.start
        score = r["sdq_score"] if sdq_age else None
        reason = r["sdq_reason"] if sdq_age and score is None else None
        misuse = r["substance_misuse"]
        received = r["intervention_received"] if misuse else None
        offered = r["intervention_offered"] if misuse and received is False else None
        rows.append(
            {
                "CHILD": child,
                "DOB": fmt_date(dob),
                "SDQ_SCORE": None if score is None else str(score),
                "SDQ_REASON": reason,
                "CONVICTED": flag(r["convicted"]) if add_years(dob, 10) <= src.end else None,
                "HEALTH_CHECK": flag(r["health_check_up_to_date"])
                if add_years(dob, 5) > src.end
                else None,
                "IMMUNISATIONS": flag(r["immunisations_up_to_date"]),
                "TEETH_CHECK": flag(r["teeth_checked"]),
                "HEALTH_ASSESSMENT": flag(r["health_assessment_up_to_date"]),
                "SUBSTANCE_MISUSE": flag(misuse),
                "INTERVENTION_RECEIVED": flag(received),
                "INTERVENTION_OFFERED": flag(offered),
            }
        )
    return src.frame(rows, "oc2")
