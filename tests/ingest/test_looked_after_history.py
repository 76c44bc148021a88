"""Periods of care, placements and legal statuses derived from 903 episodes (one child's story at a time)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.ingest.looked_after_history import derive_from_episodes
from carelens.model.store import conform, polars_schema


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def episodes(*rows) -> pl.DataFrame:
    """(child, start, end, RNE, LS, PLACE, REC[, reason place change]) → an episodes frame."""
    cols = ["child_id", "start_date", "end_date", "reason_new_episode", "legal_status", "placement_type",
            "reason_ceased", "reason_place_change"]
    data = [dict(zip(cols, (*r, None)[:8])) for r in rows]
    for r in data:
        r["start_date"] = d(r["start_date"])
        r["end_date"] = d(r["end_date"]) if r["end_date"] else None
    return pl.DataFrame(data, schema={c: polars_schema("looked_after_episodes")[c] for c in cols})


def rows(frame: pl.DataFrame, *cols) -> list[tuple]:
    return frame.select(cols).rows()


STORY = episodes(
    # child A: in care from 1 Jan 2024; legal status changes (L), moves (P), same carers new type (T),
    # legal status and placement with the same carers (U), both (B); goes home on 1 Sep 2024
    ("A", "2024-01-01", "2024-01-04", "S", "L1", "U4", "X1"),
    ("A", "2024-01-04", "2024-03-01", "L", "C1", "U4", "X1", "CARPL"),
    ("A", "2024-03-01", "2024-05-01", "P", "C1", "U6", "X1"),
    ("A", "2024-05-01", "2024-06-01", "T", "C1", "U5", "X1"),
    ("A", "2024-06-01", "2024-07-01", "U", "C2", "U2", "X1"),
    ("A", "2024-07-01", "2024-09-01", "B", "V2", "R1", "E4A"),
    # … and back on 1 Dec 2024, still in care
    ("A", "2024-12-01", None, "S", "V2", "R1", None),
    # child B: a short break that ends the same day a new one starts is still its own period
    ("B", "2024-02-01", "2024-02-03", "S", "V3", "U4", "E13"),
    ("B", "2024-02-03", "2024-02-05", "S", "V3", "U4", "E13"),
)


def test_periods_placements_and_legal_statuses():
    out = derive_from_episodes(STORY.sample(fraction=1.0, shuffle=True, seed=3))  # any order
    assert rows(out["periods_of_care"], "period_id", "start_date", "end_date", "reason_ceased") == [
        ("A/P2024-01-01", d("2024-01-01"), d("2024-09-01"), "E4A"),
        ("A/P2024-12-01", d("2024-12-01"), None, None),
        ("B/P2024-02-01", d("2024-02-01"), d("2024-02-03"), "E13"),
        ("B/P2024-02-03", d("2024-02-03"), d("2024-02-05"), "E13"),
    ]
    assert rows(out["placements"], "placement_id", "period_id", "start_date", "end_date", "placement_type",
                "change_reason") == [
        ("A/L2024-01-01", "A/P2024-01-01", d("2024-01-01"), d("2024-03-01"), "U4", "CARPL"),
        ("A/L2024-03-01", "A/P2024-01-01", d("2024-03-01"), d("2024-05-01"), "U6", None),
        ("A/L2024-05-01", "A/P2024-01-01", d("2024-05-01"), d("2024-06-01"), "U5", None),
        ("A/L2024-06-01", "A/P2024-01-01", d("2024-06-01"), d("2024-07-01"), "U2", None),
        ("A/L2024-07-01", "A/P2024-01-01", d("2024-07-01"), d("2024-09-01"), "R1", None),
        ("A/L2024-12-01", "A/P2024-12-01", d("2024-12-01"), None, "R1", None),
        ("B/L2024-02-01", "B/P2024-02-01", d("2024-02-01"), d("2024-02-03"), "U4", None),
        ("B/L2024-02-03", "B/P2024-02-03", d("2024-02-03"), d("2024-02-05"), "U4", None),
    ]
    assert rows(out["legal_statuses"], "legal_status_id", "legal_status", "start_date", "end_date") == [
        ("A/G2024-01-01", "L1", d("2024-01-01"), d("2024-01-04")),
        ("A/G2024-01-04", "C1", d("2024-01-04"), d("2024-06-01")),
        ("A/G2024-06-01", "C2", d("2024-06-01"), d("2024-07-01")),
        ("A/G2024-07-01", "V2", d("2024-07-01"), d("2024-09-01")),
        ("A/G2024-12-01", "V2", d("2024-12-01"), None),
        ("B/G2024-02-01", "V3", d("2024-02-01"), d("2024-02-03")),
        ("B/G2024-02-03", "V3", d("2024-02-03"), d("2024-02-05")),
    ]
    eps = out["looked_after_episodes"]
    assert rows(eps, "child_id", "start_date")[:2] == [("A", d("2024-01-01")), ("A", d("2024-01-04"))]
    assert eps["placement_id"].to_list()[:3] == ["A/L2024-01-01", "A/L2024-01-01", "A/L2024-03-01"]
    assert eps["period_id"].n_unique() == 4
    for name in ("periods_of_care", "placements", "legal_statuses"):
        assert out[name].schema == pl.Schema(polars_schema(name))
        conform(name, out[name])  # every required column is filled


def test_a_gap_or_an_open_episode_starts_a_new_period():
    out = derive_from_episodes(episodes(
        ("C", "2024-01-01", "2024-02-01", "S", "C1", "U4", "X1"),
        ("C", "2024-02-02", "2024-03-01", "P", "C1", "U5", "E4A"),  # a day's gap: a new period
        ("D", "2024-01-01", None, "S", "C1", "U4", None),
        ("D", "2024-03-01", None, "P", "C1", "U5", None),  # (overlapping: the reader reports it)
    ))
    assert out["periods_of_care"]["period_id"].to_list() == ["C/P2024-01-01", "C/P2024-02-02", "D/P2024-01-01",
                                                             "D/P2024-03-01"]


def test_stitched_years_make_one_period():
    """The 2024 return's open episode and the 2025 return's ended one, stitched, are one period."""
    stitched = episodes(
        ("E", "2023-06-01", "2023-09-01", "S", "C1", "U4", "X1"),
        ("E", "2023-09-01", "2024-10-01", "P", "C1", "U6", "X1"),
        ("E", "2024-10-01", "2025-02-01", "L", "C2", "U6", "E41"),
    )
    out = derive_from_episodes(stitched)
    assert rows(out["periods_of_care"], "period_id", "end_date", "reason_ceased") == [
        ("E/P2023-06-01", d("2025-02-01"), "E41")]
    assert rows(out["placements"], "placement_id", "end_date") == [("E/L2023-06-01", d("2023-09-01")),
                                                                   ("E/L2023-09-01", d("2025-02-01"))]


def test_provenance_and_authority_come_from_the_first_episode():
    eps = conform("looked_after_episodes", STORY.head(3).with_columns(
        la_code=pl.lit("890"), episode_id=pl.concat_str("child_id", pl.lit("/E"), pl.col("start_date")),
        period_id=pl.lit("old"), placement_id=pl.lit("old"), cin_category=pl.lit("N1"),
        source_file=pl.lit("episodes.csv"), source_year=pl.lit(2024, pl.Int32),
        source_row=pl.int_range(2, 5, dtype=pl.Int64)))
    out = derive_from_episodes(eps)
    assert rows(out["periods_of_care"], "la_code", "source_file", "source_year", "source_row") == [
        ("890", "episodes.csv", 2024, 2)]
    assert rows(out["placements"], "source_row") == [(2,), (4,)]
    # the episodes keep their columns, in their order, with the identifiers replaced
    assert out["looked_after_episodes"].columns == eps.columns
    assert set(out["looked_after_episodes"]["period_id"]) == {"A/P2024-01-01"}


def test_no_episodes():
    out = derive_from_episodes(episodes())
    assert all(len(f) == 0 for f in out.values())
    with pytest.raises(ValueError, match="start_date"):
        derive_from_episodes(pl.DataFrame({"child_id": ["A"]}))
