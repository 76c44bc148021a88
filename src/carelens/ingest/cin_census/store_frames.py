"""The store frames of a CIN census file: its rows with the identifiers built from the data.

Once the file is known to be free of problems, each record is given the child it belongs to and its
identifier (:mod:`carelens.ingest.identity`: the child and the date the record started, with a letter
for its kind), the initial conferences are gathered from the section 47 enquiries and the episodes, and
every frame is cast to its store table's columns.
"""

from __future__ import annotations

import polars as pl

from carelens.ingest.identity import deduplicated, natural_id
from carelens.model.tables import table

# the store's column types, without importing DuckDB and Ibis
from carelens.model.column_types import POLARS_TYPES as _POLARS_TYPES  # noqa: E402

TABLES = (
    "person",
    "disabilities",
    "referrals",
    "assessments",
    "assessment_factors",
    "cin_plans",
    "s47_enquiries",
    "initial_cp_conferences",
    "cp_plans",
    "cp_reviews",
)
"""The store tables a CIN census extract holds (every one present, possibly empty)."""


def canonical(f: dict[str, pl.DataFrame], la_code: str, source_file: str, year: int) -> dict[str, pl.DataFrame]:
    """The store frames, with identifiers, once the file is known to be free of problems."""
    person = f["person"].with_columns(uasc=pl.lit(False))
    child_ids = person["child_id"]

    def with_child(frame: pl.DataFrame, parent: str, parent_frame: pl.DataFrame, key: str) -> pl.DataFrame:
        idx = frame[parent]
        return frame.with_columns(
            child_id=parent_frame["child_id"].gather(idx),
            **{key: parent_frame[key].gather(idx)},
        )

    disabilities = (f["disabilities"].with_columns(child_id=child_ids.gather(f["disabilities"]["_child"]))
                    .unique(["child_id", "disability"], keep="first", maintain_order=True))

    referrals = f["referrals"].with_columns(child_id=child_ids.gather(f["referrals"]["_child"])).with_columns(
        referral_id=deduplicated(natural_id("R", date="referral_date")))

    assessments = with_child(f["assessments"], "_ref", referrals, "referral_id").with_columns(
        assessment_id=deduplicated(natural_id("A")))
    factors = (with_child(f["assessment_factors"], "_assessment", assessments, "assessment_id")
               .unique(["assessment_id", "factor"], keep="first", maintain_order=True))

    cin_plans = with_child(f["cin_plans"], "_ref", referrals, "referral_id").with_columns(
        cin_plan_id=deduplicated(natural_id("N")))

    s47 = (with_child(f["s47_enquiries"], "_ref", referrals, "referral_id")
           .with_columns(s47_id=deduplicated(natural_id("S")),
                         outcome=pl.when(pl.col("icpc_date").is_not_null()).then(pl.lit("ICPC"))))

    # Conferences: each Section47's DateOfInitialCPC, then each episode-level DateOfInitialCPC that is
    # not the same conference again (a conference that no section 47 in the return led to: transfer-in).
    from_s47 = s47.filter(pl.col("icpc_date").is_not_null()).select(
        "_ref", "child_id", "referral_id", "s47_id", target_date="icpc_target_date",
        conference_date="icpc_date", transfer_in=pl.lit(False), source_row="icpc_row")
    from_episode = (referrals.with_row_index("_ref").with_columns(pl.col("_ref").cast(pl.Int64))
                    .filter(pl.col("episode_icpc").is_not_null())
                    .join(from_s47.select("_ref", "conference_date"), left_on=["_ref", "episode_icpc"],
                          right_on=["_ref", "conference_date"], how="anti")
                    .select("_ref", "child_id", "referral_id", s47_id=pl.lit(None, pl.Utf8),
                            target_date=pl.lit(None, pl.Date), conference_date="episode_icpc",
                            transfer_in=pl.lit(True), source_row="episode_icpc_row"))
    plan_starts = (f["cp_plans"].select("_ref", conference_date="start_date").unique()
                   .with_columns(outcome_cp_plan=pl.lit(True)))
    icpcs = (pl.concat([from_s47.with_columns(pl.col("_ref").cast(pl.Int64)), from_episode])
             .sort("source_row", maintain_order=True)
             .join(plan_starts, on=["_ref", "conference_date"], how="left", maintain_order="left")
             .with_columns(outcome_cp_plan=pl.col("outcome_cp_plan").fill_null(False),
                           icpc_id=deduplicated(natural_id("I", date="conference_date"))))

    first_icpc = icpcs.group_by("_ref", "conference_date", maintain_order=True).agg(pl.col("icpc_id").first())
    cp_plans = (with_child(f["cp_plans"], "_ref", referrals, "referral_id")
                .join(first_icpc, left_on=["_ref", "start_date"], right_on=["_ref", "conference_date"],
                      how="left", maintain_order="left")
                .with_columns(cp_plan_id=deduplicated(natural_id("C"))))
    reviews = with_child(f["cp_reviews"], "_plan", cp_plans, "cp_plan_id").with_columns(
        cp_review_id=deduplicated(natural_id("Q", date="review_date")))

    frames = {"person": person, "disabilities": disabilities, "referrals": referrals,
              "assessments": assessments, "assessment_factors": factors, "cin_plans": cin_plans,
              "s47_enquiries": s47, "initial_cp_conferences": icpcs, "cp_plans": cp_plans,
              "cp_reviews": reviews}
    return {name: _typed(name, frames[name], la_code, source_file, year) for name in TABLES}


def _typed(name: str, frame: pl.DataFrame, la_code: str, source_file: str, year: int) -> pl.DataFrame:
    """``frame`` with its provenance, in the store table's columns and types."""
    frame = frame.with_columns(la_code=pl.lit(la_code), source_file=pl.lit(source_file),
                               source_year=pl.lit(year))
    declared = table(name).columns
    return frame.select([pl.col(c.name).cast(_POLARS_TYPES[c.dtype]) for c in declared
                         if c.name in frame.columns])
