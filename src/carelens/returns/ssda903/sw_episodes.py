"""Social worker episodes (``sw_episodes.csv``, 2024 onwards): every allocation to a social
worker open during the year of the children looked after on 31 March."""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.codes import SHORT_BREAK
from carelens.returns.ssda903.cohort import Cohort
from carelens.returns.ssda903.source import Source
from carelens.returns.ssda903.values import fmt_date

_FIRST_CONTACT = "FCONTA"
_SW_GAP_DAYS = (
    7  # a new worker within 7 days of the last one is a change of worker, not a first contact
)


def sw_episodes(src: Source, cohort: Cohort) -> pl.DataFrame:
    workers = src.tables["workers"]
    ids, registrations = workers["worker_id"].to_list(), workers["swe_registration"].to_list()
    # SW_ID is the worker's Social Work England registration number where the store has it
    sw_id = {w: reg or w for w, reg in zip(ids, registrations)}
    # workers the store knows are not registered social workers (e.g. early help practitioners)
    not_social_workers = [w for w, reg in zip(ids, registrations)
                          if reg is None and not w.upper().startswith(("SW", "XX"))]
    # children looked after on 31 March (not on a short break), with every allocation that was
    # open at some time in the year, including any before they came into care
    at_31_march = sorted(
        set(
            cohort.episodes.filter(
                pl.col("DEC").is_null() & ~pl.col("legal_status").is_in(SHORT_BREAK)
            )["child_id"]
        )
    )
    al = (
        src.tables["allocations"]
        .filter(pl.col("child_id").is_in(at_31_march))
        # the module is about social workers: practitioners without an SWE registration are left out
        .filter(~pl.col("worker_id").is_in(not_social_workers))
        .sort(["child_id", "start_date", "allocation_id"])
    )
    al = al.with_columns(
        prev_end=pl.col("end_date").shift(1).over("child_id"),
        prev_reason=pl.col("change_reason").shift(1).over("child_id"),
    )
    al = al.filter(
        (pl.col("start_date") <= src.end)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= src.start))
    )
    rows = []
    for r in al.iter_rows(named=True):
        # SW_REASON says why this worker took over: the reason the previous allocation ended,
        # or first contact when there was no allocation in the week before
        follows = (
            r["prev_end"] is not None and (r["start_date"] - r["prev_end"]).days <= _SW_GAP_DAYS
        )
        reason = r["start_reason"] or (r["prev_reason"] if follows else _FIRST_CONTACT)
        if reason is None:
            src.warnings.append(
                f"sw_episodes: child {r['child_id']}'s social worker changed on "
                f"{r['start_date']:%d/%m/%Y} but the store has no reason for the change"
            )
        end = r["end_date"]
        rows.append(
            {
                "CHILD": r["child_id"],
                "DOB": fmt_date(src.dob(r["child_id"])),
                "SW_ID": sw_id.get(r["worker_id"], r["worker_id"]),
                "SW_DECOM": fmt_date(r["start_date"]),
                # as at 31 March: an allocation that ended later is still open
                "SW_DEC": fmt_date(end) if end is not None and end <= src.end else None,
                "SW_REASON": reason,
            }
        )
    return src.frame(rows, "social_worker")
