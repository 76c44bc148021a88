"""Caseloads of the children in care teams from a hand-made store, and the FTE a caseload needs, by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from carelens.forecast.workforce import children_in_care_caseloads, fte_needed
from carelens.model.store import Store
from store_rows import frame

D = dt.date
DAY = D(2025, 3, 31)


def _worker(wid, team, agency=False):
    return {"worker_id": wid, "team_id": team, "start_date": D(2020, 1, 1), "agency": agency,
            "swe_registration": f"SW{wid}", "role": "SOCIAL_WORKER", "fte": 1.0}


# cases on 31 March 2025: W1 (C1) a b c; W2 (C1, agency) d e; W3 (C2) f g h i; W4 (C2) none; W5 (safeguarding) j
CASES = {"W1": ("C1", "abc"), "W2": ("C1", "de"), "W3": ("C2", "fghi"), "W5": ("S1", "j")}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("workforce") / "s.duckdb"
    children = [c for _, cs in CASES.values() for c in cs] + ["z"]
    allocations = [{"allocation_id": f"{w}{c}", "child_id": c, "worker_id": w, "team_id": team,
                    "start_date": D(2024, 6, 1)} for w, (team, cs) in CASES.items() for c in cs]
    # z's allocation to W4 ended on the day: not a case then
    allocations.append({"allocation_id": "W4z", "child_id": "z", "worker_id": "W4", "team_id": "C2",
                        "start_date": D(2024, 6, 1), "end_date": DAY})
    with Store(path) as s:
        s.replace({
            "person": frame([{"child_id": c} for c in children], la_code="890", sex="M",
                            date_of_birth=D(2012, 1, 1), ethnicity="WBRI", uasc=False),
            "teams": frame([{"team_id": "C1", "name": "Children in Care 1", "service": "CHILDREN_IN_CARE"},
                            {"team_id": "C2", "name": "Children in Care 2", "service": "CHILDREN_IN_CARE"},
                            {"team_id": "S1", "name": "Safeguarding 1", "service": "SAFEGUARDING"}], la_code="890"),
            "workers": frame([_worker("W1", "C1"), _worker("W2", "C1", agency=True), _worker("W3", "C2"),
                              _worker("W4", "C2"), _worker("W5", "S1")], la_code="890"),
            "allocations": frame(allocations, la_code="890"),
        })
    with Store(path, read_only=True) as s:
        yield s


def test_caseloads_of_the_children_in_care_teams(store):
    got = children_in_care_caseloads(store, "890", as_at=DAY)
    assert got.as_at == DAY
    rows = {r["team_id"]: r for r in got.teams.to_dicts()}
    assert set(rows) == {"C1", "C2"}  # not the safeguarding team
    assert (rows["C1"]["case_holders"], rows["C1"]["cases"], rows["C1"]["mean_caseload"]) == (2, 5, 2.5)
    assert (rows["C2"]["case_holders"], rows["C2"]["cases"], rows["C2"]["mean_caseload"]) == (1, 4, 4.0)
    assert (rows["C1"]["social_workers"], rows["C1"]["agency_workers"]) == (2, 1)
    assert (rows["C2"]["social_workers"], rows["C2"]["agency_workers"]) == (2, 0)  # W4 in post, no case
    # 9 children over 3 case-holding social workers; 1 agency worker of the 4 in post
    assert got.children_per_social_worker == pytest.approx(3.0)
    assert got.agency_share == pytest.approx(0.25)


def test_caseloads_of_other_services(store):
    got = children_in_care_caseloads(store, "890", as_at=DAY, services=("SAFEGUARDING",))
    assert got.teams["team_id"].to_list() == ["S1"] and got.children_per_social_worker == pytest.approx(1.0)


def test_fte_needed_by_hand():
    # 120 children at 15 per FTE: 8 FTE at work; a quarter agency: 2 agency, 6 employed;
    # a fifth of posts empty: 8 / 0.8 = 10 posts, 2 of them vacant
    got = fte_needed(np.array([[120.0, 90.0], [150.0, 0.0]]), target_caseload=15, vacancy_rate=0.2,
                     agency_share=0.25)
    assert got.in_post.tolist() == [[8.0, 6.0], [10.0, 0.0]]
    assert got.agency.tolist() == [[2.0, 1.5], [2.5, 0.0]]
    assert got.employed.tolist() == [[6.0, 4.5], [7.5, 0.0]]
    assert got.establishment == pytest.approx(np.array([[10.0, 7.5], [12.5, 0.0]]))
    assert got.vacant == pytest.approx(np.array([[2.0, 1.5], [2.5, 0.0]]))


def test_fte_needed_with_no_vacancies_or_agency():
    got = fte_needed([36, 18], target_caseload=18)
    assert got.in_post.tolist() == got.establishment.tolist() == got.employed.tolist() == [2.0, 1.0]
    assert got.agency.tolist() == got.vacant.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"target_caseload": 0}, "target caseload"),
    ({"target_caseload": 15, "vacancy_rate": 1.0}, "vacancy rate"),
    ({"target_caseload": 15, "agency_share": -0.1}, "agency share"),
])
def test_fte_needed_refuses_impossible_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fte_needed([10], **kwargs)
