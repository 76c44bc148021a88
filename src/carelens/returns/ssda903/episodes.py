"""Episodes (``episodes.csv``): the store's episodes turned into 903 episodes.

:func:`episodes_903` makes every episode of the authority a 903 episode (recoded for the
year, filled from its placement, consecutive unchanged episodes merged); the cohort is
chosen from them (:mod:`.cohort`) and :func:`episodes_table` writes those open in the year.
"""

from __future__ import annotations

import polars as pl

from carelens.returns.ssda903.codes import SHORT_BREAK, TEMPORARY, Z_OTHER
from carelens.returns.ssda903.source import Source

# placement types that never have a placement provider
_NO_PROVIDER = TEMPORARY + ("Z1",) + Z_OTHER
# placement types for which no Ofsted URN is recorded (rules 218/222/242)
_NO_URN = ("P1", "P2", "P3", "R1", "R2", "R5") + TEMPORARY + ("Z1",) + Z_OTHER
# H5 (semi-independent living) was not Ofsted-registered until 28 October 2023: no URN in the
# returns before 2023/24 (rule 222 up to 2022/23)
_FIRST_H5_URN_YEAR = 2024


def _postcode(column: str) -> pl.Expr:
    """Upper case, single spaces, blank as null."""
    p = pl.col(column).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(p == "").then(None).otherwise(p).alias(column)


def episodes_903(src: Source) -> pl.DataFrame:
    """Every episode of the authority, as 903 episodes: recoded for the year, fields filled from
    the placement where the episode lacks them, and consecutive episodes that differ in neither
    legal status nor placement merged (a 903 episode starts only when one of them changes)."""
    no_urn = _NO_URN + (("H5",) if src.year < _FIRST_H5_URN_YEAR else ())
    eps = src.tables["looked_after_episodes"]
    pls = src.tables["placements"].select(
        "placement_id",
        pl.col("postcode").alias("pl_postcode"),
        pl.col("urn").alias("pl_urn"),
        pl.col("provider").alias("pl_provider"),
        pl.col("change_reason").alias("pl_change_reason"),
    )
    per = src.tables["person"].select(
        "child_id", pl.col("home_postcode").alias("person_home_postcode")
    )
    periods = src.tables["periods_of_care"].select(
        "period_id", pl.col("reason_ceased").alias("period_reason_ceased")
    )
    eps = (
        eps.join(pls, on="placement_id", how="left")
        .join(per, on="child_id", how="left")
        .join(periods, on="period_id", how="left")
        .sort(["child_id", "start_date", "episode_id"])
    )
    place = pl.col("placement_type").replace(src.recode["PLACE"])
    short = pl.col("legal_status").is_in(SHORT_BREAK)
    eps = eps.with_columns(PLACE=place).with_columns(
        PROVIDER=pl.when(pl.col("PLACE").is_in(_NO_PROVIDER))
        .then(None)
        .otherwise(pl.coalesce("placement_provider", "pl_provider")),
        URN=pl.when(short | pl.col("PLACE").is_in(no_urn))
        .then(None)
        .otherwise(pl.coalesce("urn", "pl_urn")),
        PL_POST=pl.when(short)
        .then(None)
        .otherwise(pl.coalesce("placement_postcode", "pl_postcode")),
        HOME_POST=pl.when(short)
        .then(None)
        .otherwise(pl.coalesce("home_postcode", "person_home_postcode")),
    )
    eps = eps.with_columns(_postcode("PL_POST"), _postcode("HOME_POST"))
    nxt = lambda c: pl.col(c).shift(-1).over("period_id")
    eps = eps.with_columns(next_start=nxt("start_date"), next_placement=nxt("placement_id"))
    eps = eps.with_columns(
        # X1 when the next episode of the period follows on; the period's reason at its end
        REC=pl.coalesce(
            "reason_ceased",
            pl.when(
                pl.col("next_start").is_not_null()
                & (pl.col("next_start") == pl.col("end_date"))
            ).then(pl.lit("X1")),
            pl.when(pl.col("next_start").is_null() & pl.col("end_date").is_not_null()).then(
                pl.col("period_reason_ceased")
            ),
        ),
        RPC=pl.coalesce(
            "reason_place_change",
            pl.when(
                pl.col("next_placement").is_not_null()
                & (pl.col("next_placement") != pl.col("placement_id"))
            ).then(pl.col("pl_change_reason")),
        ),
    )
    # codes the year's lists spell differently (SGO reasons and CUSTOD before 2019)
    eps = eps.with_columns(
        REC=pl.col("REC").replace(src.recode.get("REC", {})),
        RPC=pl.col("RPC").replace(src.recode.get("REASON_PLACE_CHANGE", {})),
    )
    # merge episodes that continue the previous one unchanged
    key = ["legal_status", "cin_category", "PLACE", "PROVIDER", "PL_POST", "URN", "HOME_POST"]
    prev = lambda c: pl.col(c).shift(1).over("period_id")
    same = pl.all_horizontal([prev(c).eq_missing(pl.col(c)) for c in key])
    cont = (
        prev("end_date").is_not_null()
        & (prev("end_date") == pl.col("start_date"))
        & (prev("REC").is_null() | (prev("REC") == "X1"))
        & same
    )
    eps = eps.with_columns(cont=cont.fill_null(False))
    in_year = (pl.col("start_date") <= src.end) & (
        pl.col("end_date").is_null() | (pl.col("end_date") >= src.start)
    )
    merged = eps.filter(pl.col("cont") & in_year).height
    src.exclude(
        "episodes merged into the previous one (no change of legal status or placement)", merged
    )
    eps = eps.with_columns(group=(~pl.col("cont")).cast(pl.Int32).cum_sum())
    eps = (
        eps.group_by("group", maintain_order=True)
        .agg(
            pl.col("child_id").first(),
            pl.col("period_id").first(),
            pl.col("episode_id").first(),
            pl.col("start_date").first(),
            pl.col("reason_new_episode").first(),
            *(pl.col(c).first() for c in key),
            pl.col("placement_id").last(),
            pl.col("end_date").last(),
            pl.col("REC").last(),
            pl.col("RPC").last(),
        )
        .drop("group")
    )
    eps = eps.with_columns(
        next_rne=nxt("reason_new_episode"),
        next_place=nxt("PLACE"),
        next_start=nxt("start_date"),
    )
    # a reason for placement change belongs on an episode that ends with a move to a new,
    # non-temporary placement, and never on a temporary placement or the one before it
    moves = (pl.col("REC") == "X1") & pl.col("next_rne").is_in(["P", "B", "T", "U"])
    temporary = pl.col("PLACE").is_in(TEMPORARY) | pl.col("next_place").is_in(TEMPORARY)
    eps = eps.with_columns(RPC=pl.when(moves & ~temporary.fill_null(False)).then(pl.col("RPC")))
    return eps


def episodes_table(episodes: pl.DataFrame, uasc_children: set[str]) -> pl.DataFrame:
    """``episodes.csv`` from the 903 episodes open in the year, as at 31 March (:mod:`.cohort`)."""
    uasc = list(uasc_children)
    return episodes.sort(["child_id", "start_date"]).select(
        pl.col("child_id").alias("CHILD"),
        pl.col("start_date").dt.strftime("%d/%m/%Y").alias("DECOM"),
        pl.col("reason_new_episode").alias("RNE"),
        pl.col("legal_status").alias("LS"),
        pl.col("cin_category").alias("CIN"),
        pl.col("PLACE"),
        pl.col("PROVIDER").alias("PLACE_PROVIDER"),
        pl.col("DEC").dt.strftime("%d/%m/%Y"),
        pl.col("REC"),
        pl.col("RPC").alias("REASON_PLACE_CHANGE"),
        # no home postcode (hence no distance) for unaccompanied asylum-seeking children
        pl.when(pl.col("child_id").is_in(uasc))
        .then(None)
        .otherwise(pl.col("HOME_POST"))
        .alias("HOME_POST"),
        pl.col("PL_POST"),
        pl.col("URN"),
    )
