"""Care histories from hand-made store rows, every spell worked out by hand; invariants on the synthetic store."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carelens.forecast.histories import care_histories, children_in_care_on
from carelens.forecast.population import PopulationUnavailable
from carelens.forecast.states import (
    END_REASONS,
    PLACEMENT_CATEGORIES,
    POPULATION_SCHEMA,
    SPELLS_SCHEMA,
)
from carelens.model.store import Store
from store_rows import frame

D = dt.date


def _episode(eid, child, period, start, end, place, provider, rec, rne="P"):
    return {"episode_id": eid, "child_id": child, "period_id": period, "start_date": start, "end_date": end,
            "placement_type": place, "placement_provider": provider, "reason_ceased": rec,
            "reason_new_episode": rne, "placement_id": f"PL{eid}"}


EPISODES = [
    # A (born 2010-01-01): in-house foster care, a change of legal status in an in-house placement (U4 PR1: not a
    # move), a temporary respite placement (keeps in-house), an agency placement, a children's home entered by a
    # same-day episode of no days, then home (E4A) at 12
    _episode("A1", "A", "PA", D(2020, 1, 1), D(2020, 3, 1), "U6", "PR1", "X1", "S"),
    _episode("A2", "A", "PA", D(2020, 3, 1), D(2020, 6, 1), "U4", "PR1", "X1", "L"),
    _episode("A3", "A", "PA", D(2020, 6, 1), D(2020, 6, 10), "T3", "PR1", "X1"),
    _episode("A4", "A", "PA", D(2020, 6, 10), D(2021, 1, 1), "U6", "PR4", "X1"),
    _episode("A5", "A", "PA", D(2021, 1, 1), D(2021, 1, 1), "K2", "PR4", "X1"),
    _episode("A6", "A", "PA", D(2021, 1, 1), D(2022, 5, 1), "K2", "PR4", "E4A"),
    # B (born 2005-06-15): kinship care until the 18th birthday, recorded as E5 (independent living)
    _episode("B1", "B", "PB", D(2019, 1, 1), D(2023, 6, 15), "U1", "PR1", "E5", "S"),
    # C (born 2018-02-01): kinship, then placed for adoption, adopted (E12)
    _episode("C1", "C", "PC", D(2019, 1, 1), D(2019, 2, 1), "U3", "PR1", "X1", "S"),
    _episode("C2", "C", "PC", D(2019, 2, 1), D(2019, 9, 1), "A6", "PR1", "E12"),
    # D (born 2012-09-09): placed with parents, home (E4B); a second period in foster care with no provider
    _episode("D1", "D", "PD1", D(2018, 1, 1), D(2018, 7, 1), "P1", "PR0", "E4B", "S"),
    _episode("D2", "D", "PD2", D(2020, 1, 1), None, "U6", None, None, "S"),
    # E (born 2008-03-03): a period that begins in hospital (T1), then agency foster care, still going on
    _episode("E1", "E", "PE", D(2021, 1, 1), D(2021, 1, 5), "T1", "PR3", "X1", "S"),
    _episode("E2", "E", "PE", D(2021, 1, 5), None, "U6", "PR5", None),
]
BIRTHS = {"A": D(2010, 1, 1), "B": D(2005, 6, 15), "C": D(2018, 2, 1), "D": D(2012, 9, 9), "E": D(2008, 3, 3)}
PERIODS = [("PA", "A", D(2020, 1, 1), D(2022, 5, 1), "E4A"), ("PB", "B", D(2019, 1, 1), D(2023, 6, 15), "E5"),
           ("PC", "C", D(2019, 1, 1), D(2019, 9, 1), "E12"), ("PD1", "D", D(2018, 1, 1), D(2018, 7, 1), "E4B"),
           ("PD2", "D", D(2020, 1, 1), None, None), ("PE", "E", D(2021, 1, 1), None, None)]


def _spell(child, period_start, start, end, category, end_reason):
    return {"child_id": child, "birth_date": BIRTHS[child], "period_start": period_start, "start": start, "end": end,
            "category": category, "end_reason": end_reason}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("histories") / "s.duckdb"
    with Store(path) as s:
        s.replace({
            "person": frame([{"child_id": c, "date_of_birth": b} for c, b in BIRTHS.items()], la_code="890",
                            sex="F", ethnicity="WBRI", uasc=False),
            "periods_of_care": frame([{"period_id": p, "child_id": c, "start_date": start, "end_date": end,
                                       "reason_ceased": rec} for p, c, start, end, rec in PERIODS], la_code="890"),
            "looked_after_episodes": frame(EPISODES, la_code="890", legal_status="C2", cin_category="N1"),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)) * 2,
                                        "sex": ["M"] * 18 + ["F"] * 18, "children": [100] * 18 + [90] * 18}),
        })
        # another authority in the same pool, with a child of the same identifier: never counted for 890
        s.append({
            "person": frame([{"child_id": "A", "date_of_birth": D(2011, 1, 1)}], la_code="999", sex="M",
                            ethnicity="WBRI", uasc=False),
            "periods_of_care": frame([{"period_id": "ZA", "child_id": "A", "start_date": D(2020, 2, 2)}],
                                     la_code="999"),
            "looked_after_episodes": frame([_episode("Z1", "A", "ZA", D(2020, 2, 2), None, "R1", "PR4", None, "S")],
                                           la_code="999", legal_status="C2", cin_category="N1"),
        })
    with Store(path, read_only=True) as s:
        yield s


def test_spells_worked_out_by_hand(store):
    h = care_histories(store, "890")
    expected = pl.DataFrame([
        _spell("A", D(2020, 1, 1), D(2020, 1, 1), D(2020, 6, 10), "foster_in_house", "moved"),
        _spell("A", D(2020, 1, 1), D(2020, 6, 10), D(2021, 1, 1), "foster_agency", "moved"),
        _spell("A", D(2020, 1, 1), D(2021, 1, 1), D(2022, 5, 1), "residential", "home"),
        _spell("B", D(2019, 1, 1), D(2019, 1, 1), D(2023, 6, 15), "kinship", "eighteen"),  # E5 at 18: eighteen
        _spell("C", D(2019, 1, 1), D(2019, 1, 1), D(2019, 2, 1), "kinship", "moved"),
        _spell("C", D(2019, 1, 1), D(2019, 2, 1), D(2019, 9, 1), "adoption_placement", "adoption"),
        _spell("D", D(2018, 1, 1), D(2018, 1, 1), D(2018, 7, 1), "placed_with_parents", "home"),
        _spell("D", D(2020, 1, 1), D(2020, 1, 1), None, "foster_in_house", None),
        _spell("E", D(2021, 1, 1), D(2021, 1, 1), D(2021, 1, 5), "other", "moved"),
        _spell("E", D(2021, 1, 1), D(2021, 1, 5), None, "foster_agency", None),
    ], schema=SPELLS_SCHEMA)
    assert h.spells.to_dicts() == expected.to_dicts()
    assert h.spells.schema == SPELLS_SCHEMA
    # the store records no coverage for hand-made rows: the data's last day is its latest episode date
    assert h.last_day == D(2023, 6, 15)
    assert h.notes == (
        "1 episode(s) of no days (begun and ended the same day) left out",
        "1 foster placement(s) with other carers (U4–U6) had no known provider: counted as in-house",
        "1 period(s) of care began in a temporary placement (T0–T4): other until the first usual placement",
    )


def test_as_at_after_the_data_ends_there(store):
    h = care_histories(store, "890", as_at=D(2025, 3, 31))
    assert h.last_day == D(2023, 6, 15)
    assert h.notes[0] == "as_at 2025-03-31 is after the data's last day 2023-06-15: the histories end there"


def test_cut_at_a_past_day(store):
    # on 31 December 2020 A's agency placement was still going on and E had not yet come into care
    h = care_histories(store, "890", as_at=D(2020, 12, 31))
    assert h.last_day == D(2020, 12, 31)
    got = {(r["child_id"], r["start"]): (r["end"], r["category"], r["end_reason"]) for r in h.spells.to_dicts()}
    assert got == {
        ("A", D(2020, 1, 1)): (D(2020, 6, 10), "foster_in_house", "moved"),
        ("A", D(2020, 6, 10)): (None, "foster_agency", None),
        ("B", D(2019, 1, 1)): (None, "kinship", None),
        ("C", D(2019, 1, 1)): (D(2019, 2, 1), "kinship", "moved"),
        ("C", D(2019, 2, 1)): (D(2019, 9, 1), "adoption_placement", "adoption"),
        ("D", D(2018, 1, 1)): (D(2018, 7, 1), "placed_with_parents", "home"),
        ("D", D(2020, 1, 1)): (None, "foster_in_house", None),
    }
    assert children_in_care_on(h.spells, D(2020, 12, 31)) == 3  # A, B, D
    assert children_in_care_on(h.spells, D(2019, 9, 1)) == 1  # B (C left that day)


def test_population_from_the_store_is_summed_over_sex(store):
    h = care_histories(store, "890", as_at=D(2025, 3, 31))
    assert h.population_source == "store"
    assert h.population.schema == POPULATION_SCHEMA
    assert h.population.to_dicts() == [{"year": 2024, "age": a, "children": 190} for a in range(18)]


def test_a_given_population_is_used_instead(store):
    given = pl.DataFrame({"year": [2030] * 18, "age": list(range(18)), "children": [5] * 18})
    h = care_histories(store, "890", as_at=D(2025, 3, 31), population=given)
    assert h.population_source == "given" and h.population["children"].sum() == 90


def test_no_population_anywhere_says_what_to_provide(store):
    # 999 has no population table in the store and is not an English authority in the published figures
    with pytest.raises(PopulationUnavailable, match="give a population projection file"):
        care_histories(store, "999", as_at=D(2025, 3, 31))


def test_invariants_on_the_synthetic_store(small_store):
    h = care_histories(small_store, "890")
    spells = h.spells
    assert spells.schema == SPELLS_SCHEMA and spells.height > 500
    assert set(spells["category"]) <= set(PLACEMENT_CATEGORIES)
    assert set(spells["end_reason"].drop_nulls()) <= set(END_REASONS)
    assert (spells["end"].is_null() == spells["end_reason"].is_null()).all()
    assert spells.filter(pl.col("end") <= pl.col("start")).is_empty()
    assert spells.filter(pl.col("start") < pl.col("period_start")).is_empty()
    # a child's spells never overlap: each starts on or after the end of the one before
    ordered = spells.sort("child_id", "start").with_columns(before=pl.col("end").shift().over("child_id"),
                                                            n=pl.int_range(pl.len()).over("child_id"))
    later = ordered.filter(pl.col("n") > 0)
    assert later["before"].null_count() == 0 and (later["start"] >= later["before"]).all()
    # children in care on a day from the spells are those with an episode open that day
    for day in (D(2021, 3, 31), D(2022, 11, 15), D(2024, 3, 31), D(2025, 7, 1), h.last_day):
        (in_episodes,), = small_store.sql(
            "SELECT count(DISTINCT child_id) FROM looked_after_episodes WHERE la_code = '890' AND start_date <= ? "
            "AND (end_date IS NULL OR end_date > ?)", [day, day])
        assert children_in_care_on(spells, day) == in_episodes > 0
    # every ended period's last spell has an exit, and only the last
    last = spells.sort("start").group_by("child_id", "period_start").agg(pl.col("end_reason").last(),
                                                                         pl.col("end_reason").head(pl.len() - 1)
                                                                         .alias("before"))
    assert set(last["end_reason"].drop_nulls()) <= set(END_REASONS) - {"moved"}
    assert set(last["before"].explode().drop_nulls()) <= {"moved"}


def test_synthetic_store_is_read_quickly(small_store):
    import time

    care_histories(small_store, "890")  # (the first call compiles the Ibis expressions)
    began = time.perf_counter()
    care_histories(small_store, "890")
    assert time.perf_counter() - began < 2.0


def test_a_period_whose_last_episode_says_care_continues():
    from carelens.forecast.histories import EPISODES_SCHEMA, spells_from_episodes

    episodes = pl.DataFrame([{"child_id": "A", "birth_date": D(2010, 1, 1), "period_id": "P",
                              "start_date": D(2020, 1, 1), "end_date": D(2020, 2, 1), "placement_type": "R1",
                              "placement_provider": "PR4",
                              "reason_ceased": "X1", "period_start": D(2020, 1, 1), "period_reason": None}],
                            schema=EPISODES_SCHEMA)
    notes: list[str] = []
    spells = spells_from_episodes(episodes, D(2021, 1, 1), notes)
    assert spells.select("category", "end", "end_reason").row(0) == ("residential", D(2020, 2, 1), "other")
    assert notes == ["1 period(s) of care whose last episode ended X1 (a new episode the same day) with no later "
                     "episode: counted as leaving care (other)"]
