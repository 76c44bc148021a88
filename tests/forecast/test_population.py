"""The population the entry rates are per child of: the published fallback and a user's projection file."""

from __future__ import annotations

import polars as pl
import pytest

from carelens.forecast.input_problems import ForecastInputError
from carelens.forecast.population import (
    PopulationUnavailable,
    published_population,
    read_population_projection,
    split_evenly,
)
from carelens.forecast.states import POPULATION_SCHEMA
from carelens.published.figures_file import open_published


def test_split_evenly_keeps_each_total():
    # 1,000 = 18 × 55 + 10: ages 0–9 get 56, ages 10–17 get 55
    got = split_evenly(pl.DataFrame({"year": [2024], "children_0_17": [1_000]}))
    assert got["children"].to_list() == [56] * 10 + [55] * 8 and got["children"].sum() == 1_000
    assert got.schema == POPULATION_SCHEMA


def test_published_population_of_an_authority():
    with open_published() as published:
        totals = published.population.filter((pl.col("geography") == "la") & (pl.col("area_code") == "890"))
    got = published_population("890")
    assert got.group_by("year").agg(pl.col("children").sum()).sort("year").rows() == \
        totals.select("year", "children_0_17").sort("year").rows()
    assert got.group_by("year").len()["len"].unique().to_list() == [18]


def test_published_population_of_no_authority():
    with pytest.raises(PopulationUnavailable, match="no authority 999"):
        published_population("999")


def test_read_a_projection(tmp_path):
    path = tmp_path / "projection.csv"
    rows = "\n".join(f"{year},{age},{100 + age}" for year in (2026, 2027) for age in range(18))
    path.write_text("Year, AGE ,children,note\n" + rows.replace("\n", ",x\n") + ",x\n", encoding="utf-8")
    got = read_population_projection(path)
    assert got.schema == POPULATION_SCHEMA and got.height == 36
    assert got.filter((pl.col("year") == 2027) & (pl.col("age") == 17))["children"].item() == 117


def test_a_bad_projection_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    lines = ["year,age,children"] + [f"2026,{age},100" for age in range(16)]  # ages 16 and 17 missing
    lines += ["2026,3,50", "2026,18,10", "20x6,4,10", "2026,5,-1", "2026,6,1.5"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ForecastInputError) as caught:
        read_population_projection(path)
    got = [(p.location, p.field, p.value) for p in caught.value.problems]
    assert got == [
        ("row 20", "year", "20x6"),
        ("row 19", "age", "18"),
        ("row 21", "children", "-1"),
        ("row 22", "children", "1.5"),
        ("row 18", "age", "3"),  # a second row for age 3
        ("", "age", "16, 17"),
    ]
    assert all(p.file == str(path) for p in caught.value.problems)
    assert "6 problem(s) in" in str(caught.value)


def test_a_projection_without_its_columns(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("year,age,count\n2026,0,1\n", encoding="utf-8")
    with pytest.raises(ForecastInputError) as caught:
        read_population_projection(path)
    assert [(p.location, p.field) for p in caught.value.problems] == [("row 1", "children")]
