"""Periods of care, placements and legal statuses, derived from a child's SSDA903 episodes.

The 903 return carries only episodes: a stretch of care with one legal status and
one placement, a new one starting whenever either changes. Everything else about a
child's time in care follows from the episodes, so it is derived here, the same way
for one year's return (:mod:`carelens.ingest.ssda903`) and for the episodes of many
years stitched together (:mod:`carelens.ingest.history`):

* **Periods of care.** A child's episodes, in date order, form one period for as long
  as each episode starts on the day the previous one ended (DECOM = previous DEC)
  and the previous one did not end with a reason for leaving care (a REC other than
  X1). A gap, an open previous episode or a real reason for ceasing starts a new
  period. The period runs from its first episode's start to its last episode's end,
  and its ``reason_ceased`` is the last episode's REC.
* **Placements.** A new placement starts with each period and at every episode whose
  reason for new episode (RNE) is P (placement changed), B (placement and legal
  status changed), T or U (same carers, new placement type; U with a new legal
  status too). An episode with RNE L keeps the placement. The placement takes its
  type, provider, postcode and URN from its first episode, its end from its last
  episode and its ``change_reason`` from the last episode's REASON_PLACE_CHANGE.
* **Legal statuses.** A new legal status starts with each period and at every
  episode with RNE L, B or U.

Identifiers are natural and deterministic (:mod:`carelens.ingest.identity`): the child
and the start date, ``<child>/P2024-05-01`` for a period, ``/L`` for a placement and
``/G`` for a legal status, numbered ``#2``, ``#3`` … in the rare case of a repeat.
"""

from __future__ import annotations

import polars as pl

from carelens.ingest.identity import deduplicated, natural_id
from carelens.model.store import polars_schema
from carelens.model.tables import PROVENANCE_COLUMNS

PLACEMENT_CHANGES = ("P", "B", "T", "U")  # RNE codes that start a new placement
LEGAL_STATUS_CHANGES = ("L", "B", "U")  # RNE codes that start a new legal status
STILL_IN_CARE = "X1"  # REC: the episode ended and another began the same day

_NEEDED = ("child_id", "start_date", "end_date", "reason_new_episode", "legal_status", "placement_type",
           "reason_ceased")
_OPTIONAL = ("la_code", "placement_provider", "placement_postcode", "urn", "reason_place_change",
             *PROVENANCE_COLUMNS)


def derive_from_episodes(episodes: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Periods of care, placements and legal statuses from every 903 episode of some children.

    ``episodes`` holds all the episodes of each child it mentions (in any order), with at
    least the columns ``child_id``, ``start_date``, ``end_date``, ``reason_new_episode``,
    ``legal_status``, ``placement_type`` and ``reason_ceased``; ``la_code``, the placement
    details and the provenance columns are carried over when present (a derived row takes
    the provenance of its first episode).

    Returns ``periods_of_care``, ``placements`` and ``legal_statuses`` typed like the store
    tables, and ``looked_after_episodes``: the input, sorted by child and start date, with
    ``period_id`` and ``placement_id`` filled in.
    """
    missing = [c for c in _NEEDED if c not in episodes.columns]
    if missing:
        raise ValueError(f"derive_from_episodes needs episode columns {', '.join(missing)}")
    order = list(dict.fromkeys([*episodes.columns, "period_id", "placement_id"]))
    eps = episodes.drop("period_id", "placement_id", strict=False).with_columns(
        [pl.lit(None, dtype=_dtype("looked_after_episodes", c)).alias(c)
         for c in _OPTIONAL if c not in episodes.columns]
    ).sort(["child_id", "start_date", pl.col("end_date").fill_null(pl.date(9999, 12, 31))], maintain_order=True)

    previous_end = pl.col("end_date").shift(1).over("child_id")
    previous_rec = pl.col("reason_ceased").shift(1).over("child_id")
    new_period = (~previous_end.eq_missing(pl.col("start_date"))
                  | (previous_rec.is_not_null() & (previous_rec != STILL_IN_CARE)))
    rne = pl.col("reason_new_episode")
    eps = eps.with_columns(_period=new_period.cast(pl.Int64).cum_sum())
    eps = eps.with_columns(
        _placement=(pl.col("_period") != pl.col("_period").shift(1)).fill_null(True).or_(
            rne.is_in(PLACEMENT_CHANGES).fill_null(False)).cast(pl.Int64).cum_sum(),
        _legal=(pl.col("_period") != pl.col("_period").shift(1)).fill_null(True).or_(
            rne.is_in(LEGAL_STATUS_CHANGES).fill_null(False)).cast(pl.Int64).cum_sum(),
    )

    first = lambda c: pl.col(c).first()  # noqa: E731
    last = lambda c: pl.col(c).last()  # noqa: E731
    provenance = [first(c) for c in ("la_code", *PROVENANCE_COLUMNS)]

    periods = (eps.group_by("_period", maintain_order=True)
               .agg(first("child_id"), first("start_date"), last("end_date"),
                    pl.when(last("end_date").is_not_null()).then(last("reason_ceased")).alias("reason_ceased"),
                    *provenance)
               .with_columns(period_id=deduplicated(natural_id("P"))))
    eps = eps.join(periods.select("_period", "period_id"), on="_period", how="left", maintain_order="left")

    placements = (eps.group_by("_placement", maintain_order=True)
                  .agg(first("child_id"), first("period_id"), first("start_date"), last("end_date"),
                       first("placement_type"), first("placement_provider").alias("provider"),
                       first("placement_postcode").alias("postcode"), first("urn"),
                       last("reason_place_change").alias("change_reason"), *provenance)
                  .with_columns(placement_id=deduplicated(natural_id("L"))))
    eps = eps.join(placements.select("_placement", "placement_id"), on="_placement", how="left",
                   maintain_order="left")

    legal = (eps.group_by("_legal", maintain_order=True)
             .agg(first("child_id"), first("period_id"), first("legal_status"), first("start_date"),
                  last("end_date"), *provenance)
             .with_columns(legal_status_id=deduplicated(natural_id("G"))))

    episodes_out = eps.select(order)
    return {
        "periods_of_care": _typed("periods_of_care", periods),
        "placements": _typed("placements", placements),
        "legal_statuses": _typed("legal_statuses", legal),
        "looked_after_episodes": episodes_out,
    }


def _dtype(table: str, column: str) -> pl.DataType:
    return polars_schema(table)[column]


def _typed(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Every column of the store table, in declared order and type (absent ones empty)."""
    return frame.select([
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtype).alias(c)
        for c, dtype in polars_schema(table).items()
    ])
