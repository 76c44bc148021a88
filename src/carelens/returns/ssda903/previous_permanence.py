"""Previous permanence (``previous_permanence.csv``): for each child who started a period of
care in the year, the permanence order (if any) they had before it."""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.cohort import Cohort
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import fmt_date

_UNKNOWN_DATE = "ZZ/ZZ/ZZZZ"  # DfE convention for an unknown previous-permanence order date


def previous_permanence(src: Source, cohort: Cohort) -> pl.DataFrame:
    # the last period of care each child started in the year
    starts = (
        cohort.episodes.filter(
            (pl.col("reason_new_episode") == "S") & (pl.col("start_date") >= src.start)
        )
        .sort("start_date")
        .group_by("child_id", maintain_order=True)
        .agg(pl.col("period_id").last())
        .sort("child_id")
    )
    pp = {
        (r["child_id"], r["period_id"]): r
        for r in src.tables["previous_permanence"].iter_rows(named=True)
    }
    rows = []
    for child, period in starts.iter_rows():
        r = pp.get((child, period))
        if r is None:
            src.warnings.append(
                f"previous_permanence: child {child} started a period of care in the year "
                "but the store has no previous permanence record for it"
            )
            continue
        option = r["option"]
        known = option != "Z1"  # Z1: no previous permanence option, so no order details
        rows.append(
            {
                "CHILD": child,
                "DOB": fmt_date(src.dob(child)),
                "PREV_PERM": option,
                "LA_PERM": r["order_la"] if known else None,
                "DATE_PERM": (fmt_date(r["order_date"]) or _UNKNOWN_DATE) if known else None,
            }
        )
    return src.frame(rows, "prev_perm")
