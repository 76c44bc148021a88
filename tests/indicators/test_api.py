"""The figures API (decision 018): what every consumer gets, kept per store version, and the rows behind a value."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from carelens.indicators.api import (
    Selection,
    SelectionError,
    catalogue,
    children_behind,
    definition,
    definitions,
    figures,
)
from carelens.model.store import Store

AS_AT = "2025-03-31"


@pytest.fixture()
def store_path(tiny_store_path, tmp_path):
    """A copy of the tiny synthetic store, so that the figures kept beside it are this test's own."""
    copy = tmp_path / "s.duckdb"
    shutil.copy(tiny_store_path, copy)
    return copy


def test_kept_figures_are_the_figures_computed(store_path):
    selection = Selection(as_at=AS_AT, indicators=("B4", "C8", "D1", "E1"), breakdowns=("age_band",))
    with Store(store_path, read_only=True) as s:
        fresh = figures(s, selection, keep=False)
        first = figures(s, selection)
        again = figures(s, selection)
    assert first.computed == ("B4", "C8", "D1", "E1") and again.computed == ()
    assert fresh.values.equals(first.values) and again.values.equals(first.values)
    assert again.values.schema == first.values.schema
    assert again.values.columns[0] == "la_code" and set(again.values["la_code"]) == {"890"}
    assert again.store_version == first.store_version


def test_a_selection_is_answered_from_figures_kept_for_a_larger_one(store_path):
    larger = ("A1", "B4", "B8", "C8", "D1", "D10", "E1", "F1", "G1", "H1")
    with Store(store_path, read_only=True) as s:
        kept = figures(s, Selection(as_at=AS_AT, indicators=larger))
        some = figures(s, Selection(as_at=AS_AT, indicators=("D1", "B4")))
        alone = figures(s, Selection(as_at=AS_AT, indicators=("D1", "B4")), keep=False)
    assert some.computed == ()
    assert some.values.equals(alone.values)
    assert some.values["indicator"].unique(maintain_order=True).to_list() == ["D1", "B4"]  # in the order asked
    assert kept.values["indicator"].unique(maintain_order=True).to_list() == list(larger)


@pytest.mark.slow
def test_the_whole_catalogue_computed_in_parts_is_the_whole_computed_at_once(store_path):
    ids = [i.id for i in definitions()]
    with Store(store_path, read_only=True) as s:
        figures(s, Selection(as_at=AS_AT, indicators=tuple(ids[::2])))  # kept: every other indicator
        pieced = figures(s, Selection(as_at=AS_AT))  # the rest computed, then all read in catalogue order
        at_once = figures(s, Selection(as_at=AS_AT), keep=False)
    assert pieced.computed == tuple(ids[1::2])
    assert pieced.values.equals(at_once.values)


def test_flags_come_with_the_figures(store_path):
    with Store(store_path, read_only=True) as s:  # C13 needs a lifetime before 2022, E3a 6 years
        early = figures(s, Selection(as_at="2022-06-30", indicators=("B4", "B5", "C13", "D1", "D8", "E3a", "F1")))
    flagged = set(early.values.filter(pl.col("history_short"))["indicator"])
    assert flagged and early.flagged("history_short") == [i for i in early.values["indicator"].unique(
        maintain_order=True) if i in flagged]
    assert early.children_held_back == 0
    with pytest.raises(ValueError, match="expected outside_coverage or history_short"):
        early.flagged("children_held_back")


def test_the_children_behind_a_value_are_its_numerator_and_denominator(store_path):
    with Store(store_path, read_only=True) as s:
        got = figures(s, Selection(as_at=AS_AT, indicators=("D1", "E1", "C8"), breakdowns=("sex",)))
        for r in got.values.filter(pl.col("period_kind").is_in(["month", "as_at", "financial_year"])).iter_rows(
                named=True):
            rows = children_behind(s, r["indicator"], as_at=AS_AT, period=r["period"], breakdown=r["breakdown"],
                                   group=None if r["breakdown"] == "all" else r["group"])
            assert int(rows["numerator"].sum()) == r["numerator"], r
            if r["denominator"] is not None and definition(r["indicator"]).unit == "percent":
                assert len(rows) == r["denominator"], r
            if definition(r["indicator"]).counting_unit == "children":
                assert rows["child_id"].n_unique() == len(rows)  # each child once


def test_a_selection_that_cannot_be_answered_is_said_in_one_line(store_path):
    with Store(store_path, read_only=True) as s:
        for selection, said in [
            (Selection(as_at=AS_AT, indicators=("Z9",)), "no indicator 'Z9'"),
            (Selection(as_at=AS_AT, indicators=("D1",), breakdowns=("shoe_size",)), "breakdown 'shoe_size': expected"),
            (Selection(as_at=AS_AT, authorities="999"), "no children for authority '999'"),
        ]:
            with pytest.raises(SelectionError, match=said):
                figures(s, selection)
        with pytest.raises(SelectionError, match="period 'last tuesday': expected one of"):
            children_behind(s, "D1", as_at=AS_AT, period="last tuesday")
    with pytest.raises(SelectionError, match="is after as_at"):
        Selection(as_at=AS_AT, series_from="2025-04-01")


def test_named_windows_give_the_engine_s_values_for_exactly_those_windows(store_path):
    from carelens.indicators.periods import Period

    years = tuple(Period.financial_year(y) for y in (2024, 2025))
    with Store(store_path, read_only=True) as s:
        named = figures(s, Selection(as_at=AS_AT, indicators=("D1", "B4"), windows=years)).values
        usual = figures(s, Selection(as_at=AS_AT, indicators=("D1", "B4"))).values
    assert set(named["period"]) == {"2023-24", "2024-25"}
    this_year = named.filter(pl.col("period") == "2024-25").drop("period_kind")
    assert this_year.equals(usual.filter(pl.col("period") == "2024-25").drop("period_kind"))


def test_the_catalogue_lists_every_definition():
    table = catalogue()
    assert table["id"].to_list() == [i.id for i in definitions()]
    assert table["id"].n_unique() == len(table) >= 100
    d1 = table.filter(pl.col("id") == "D1").row(0, named=True)
    assert d1["section"] == "Children looked after" and d1["definition"] == definition("D1").definition
    assert "all" in d1["breakdowns"] and d1["windows"] and d1["history_reason"]
    assert set(table["unit"]) <= {"rate", "count", "per_week", "percent", "mean", "median", "representation"}
    assert set(table["polarity"]) <= {"low", "high", "neutral"}
