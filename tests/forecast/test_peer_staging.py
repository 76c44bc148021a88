"""How the peer benchmark hands returns to cs-demand-model: cut at a day, one episodes file per peer year.

The peer itself is not run here (it needs its own environment: benchmarks/forecast_peer.py makes it); this
checks the part of benchmarks/peer_demand_model.py the backtest's fairness rests on.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from peer_demand_model import (  # noqa: E402
    CARELENS_PLACEMENT_GROUP,
    PEER_AGE_BANDS,
    in_carelens_terms,
    last_day_covered,
    stage_returns,
)

from carelens.forecast.states import AGE_BANDS, PLACEMENT_CATEGORIES  # noqa: E402

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST\n"


def _return(folder: Path, header: list[str], episodes: list[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "header.csv").write_text(HEADER + "".join(f"{row}\n" for row in header))
    (folder / "episodes.csv").write_text(EPISODES + "".join(f"{row}\n" for row in episodes))
    return folder


@pytest.fixture
def two_returns(tmp_path: Path) -> list[Path]:
    # child 1 in foster care from Feb 2023, moves to a children's home in Aug 2023, leaves in Feb 2024;
    # child 2 arrives in Jan 2024 and is still in care at the end of March 2024
    y2023 = _return(tmp_path / "ssda903_2023", ["1,1,01/05/2010,WBRI,,,"],
                    ["1,01/02/2023,S,C2,N1,U4,PR1,,,,,"])
    y2024 = _return(tmp_path / "ssda903_2024", ["1,1,01/05/2010,WBRI,,,", "2,2,03/03/2019,WBRI,,,"],
                    ["1,01/02/2023,S,C2,N1,U4,PR1,14/08/2023,X1,CARPL,,",
                     "1,14/08/2023,P,C2,N1,K2,PR4,20/02/2024,E13,,,",
                     "2,10/01/2024,S,V2,N1,U6,PR4,,,,,"])
    return [y2023, y2024]


def _episodes(root: Path, year: int) -> list[tuple[str, str, str | None]]:
    frame = pl.read_csv(root / str(year) / "episodes.csv", infer_schema=False)
    return list(frame.select("CHILD", "DECOM", "DEC").iter_rows())


def test_each_return_goes_in_the_folder_of_its_latest_episode_start(two_returns, tmp_path):
    root = tmp_path / "peer"
    assert stage_returns(two_returns, root) == [2023, 2024]
    assert sorted(p.name for p in (root / "2024").iterdir()) == ["episodes.csv", "header.csv"]
    assert _episodes(root, 2024)[1] == ("1", "14/08/2023", "20/02/2024")


def test_cut_at_a_day_the_later_starts_go_and_the_later_ends_are_blanked(two_returns, tmp_path):
    root = tmp_path / "peer"
    # on 30 Sep 2023 child 1 was in the children's home and child 2 not yet in care; the 2024 return's
    # latest start is then in 2023, so it shares the peer's year 2023 with the 2023 return
    assert stage_returns(two_returns, root, known_at=dt.date(2023, 9, 30)) == [2023]
    assert _episodes(root, 2023) == [
        ("1", "01/02/2023", None),  # the 2023 return: open at its end
        ("1", "01/02/2023", "14/08/2023"),  # the 2024 return, cut: the move was known
        ("1", "14/08/2023", None),  # the leaving in Feb 2024 was not
    ]
    cut = pl.read_csv(root / "2023" / "episodes.csv", infer_schema=False)
    assert cut["REC"].to_list() == [None, "X1", None]


def test_returns_tell_about_the_days_to_the_end_of_their_year_or_to_the_day_they_were_cut(two_returns, tmp_path):
    stage_returns(two_returns, tmp_path / "whole")
    # the latest event is child 1 leaving on 20 Feb 2024: the 2023-24 return covers the year to 31 March
    assert last_day_covered(tmp_path / "whole", None) == dt.date(2024, 3, 31)
    stage_returns(two_returns, tmp_path / "cut", known_at=dt.date(2023, 9, 30))
    assert last_day_covered(tmp_path / "cut", dt.date(2023, 9, 30)) == dt.date(2023, 9, 30)


def test_a_gap_in_the_years_is_refused(two_returns, tmp_path):
    later = _return(tmp_path / "ssda903_2026", ["3,1,01/01/2012,WBRI,,,"], ["3,05/02/2026,S,C2,N1,U1,PR1,,,,,"])
    with pytest.raises(ValueError, match="gap"):
        stage_returns([*two_returns, later], tmp_path / "peer")


def test_the_mappings_cover_carelens_states():
    assert sorted(PEER_AGE_BANDS.values()) == sorted(key for key, _, _ in AGE_BANDS)
    assert set(CARELENS_PLACEMENT_GROUP) == set(PLACEMENT_CATEGORIES)
    frame = pl.DataFrame({"date": [dt.date(2026, 3, 31)] * 2, "peer_age_band": ["BIRTH_TO_ONE", "TEN_TO_SIXTEEN"],
                          "peer_placement": ["FOSTERING", "RESIDENTIAL"], "children": [2.0, 3.5]})
    mapped = in_carelens_terms(frame)
    assert mapped.select("age_band", "placement_group").rows() == [("under_1", "fostering"),
                                                                   ("10_15", "not_fostering")]
