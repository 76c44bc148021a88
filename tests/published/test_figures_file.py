"""Reading the benchmark file: authorities by either code or name, the user's own authority, and the
file shipped with CareLens checked against the DfE files it was built from."""

from __future__ import annotations

import polars as pl
import pytest

from published.dfe_download import write_download
from carelens.published.build import build
from carelens.published.figures_file import (
    Authority,
    BenchmarkDataError,
    configured_authority,
    open_published,
    shipped_file,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("download")
    out = folder / "benchmarks.duckdb"
    build(write_download(folder / "dfe"), out)
    return out


BLACKPOOL = Authority("890", "E06000009", "Blackpool", "North West", "North West")


@pytest.mark.parametrize("typed", ["890", "E06000009", "e06000009", "blackpool", "  Blackpool ", "BLACKPOOL"])
def test_find_authority_by_either_code_or_name(built, typed):
    with open_published(built) as data:
        assert data.find_authority(typed) == BLACKPOOL


def test_an_unknown_authority_names_the_near_matches(built):
    with open_published(built) as data, pytest.raises(BenchmarkDataError, match="did you mean Blackpool"):
        data.find_authority("Blackpol")
    with open_published(built) as data, pytest.raises(BenchmarkDataError, match="3-digit DfE code"):
        data.find_authority("123")


def test_frames_filter_by_measure_and_year(built):
    with open_published(built) as data:
        cin = data.figures(measure_ids="CIN", years=["2017-18"])
        assert cin.select("geography", "area_code", "value").rows() == [
            ("england", "E92000001", 345.4), ("la", "805", None), ("la", "890", 632.5),
            ("region", "E12000002", 379.7)]
        assert data.neighbours("2021")["la_code"].unique().sort().to_list() == ["890", "928"]
        assert data.neighbour_models == ["2021", "2025"]
        assert data.population.height == 2
        assert data.measures.height == 15
        assert "Open Government Licence v3.0" in data.attribution


def test_a_missing_file_says_how_to_build_it(tmp_path):
    with pytest.raises(BenchmarkDataError, match="carelens benchmarks build --from DIR"):
        open_published(tmp_path / "absent.duckdb")


def test_configured_authority_command_line_then_environment_then_carelens_toml(tmp_path, monkeypatch):
    monkeypatch.delenv("CARELENS_LA", raising=False)
    assert configured_authority(None, cwd=tmp_path) is None
    (tmp_path / "carelens.toml").write_text('la = "Blackpool"\n', encoding="utf-8")
    assert configured_authority(None, cwd=tmp_path) == "Blackpool"
    monkeypatch.setenv("CARELENS_LA", "E06000009")
    assert configured_authority(None, cwd=tmp_path) == "E06000009"
    assert configured_authority("890", cwd=tmp_path) == "890"
    monkeypatch.delenv("CARELENS_LA")
    (tmp_path / "carelens.toml").write_text("la = 890\n", encoding="utf-8")  # a bare number is accepted
    assert configured_authority(None, cwd=tmp_path) == "890"
    (tmp_path / "carelens.toml").write_text("la = \n", encoding="utf-8")
    with pytest.raises(BenchmarkDataError, match="not valid TOML"):
        configured_authority(None, cwd=tmp_path)


# ---- the shipped file, checked by hand against ../shared/benchmarks/dfe ------------------------------

@pytest.fixture(scope="module")
def shipped():
    with open_published() as data:
        yield data


def test_the_shipped_file_is_the_package_data():
    assert shipped_file().name == "dfe_benchmarks.duckdb" and shipped_file().is_file()


def test_shipped_blackpool_under_both_codes(shipped):
    # b1_children_in_need_2013_to_2025.csv: old_la_code 890, new_la_code E06000009, la_name Blackpool
    assert shipped.find_authority("890") == BLACKPOOL
    assert shipped.find_authority("E06000009") == BLACKPOOL
    # boundary changes: old and new codes are all kept, each with the years it has figures. In the
    # b1 file Northamptonshire (928) last reports 2021 and North Northamptonshire (940) first 2022;
    # Cumbria (909) last 2023 and Cumberland (942) first 2024.
    years = (shipped.figures("b1_children_in_need/At31_episodes").filter(geography="la")
             .group_by("area_code").agg(first=pl.col("year_ending").min(), last=pl.col("year_ending").max()))
    span = {code: (first, last) for code, first, last in years.iter_rows()}
    assert (span["928"], span["940"], span["909"], span["942"]) == ((2013, 2021), (2022, 2025), (2013, 2023),
                                                                    (2024, 2025))
    # Cafcass and youth justice figures are still published for the old county: the authority's
    # last_year follows every figure, not just the CIN census
    assert {row["la_code"]: row["last_year"] for row in shipped.authorities.iter_rows(named=True)}["928"] == 2025


def test_shipped_2025_neighbours_of_blackpool(shipped):
    # sn_model_2025_wide.csv, row 890: SN_1 … SN_10 = 805, 806, 394, 341, 393, 807, 354, 880, 355, 861
    neighbours = shipped.neighbours("2025").filter(la_code="890")
    assert neighbours["neighbour_code"].to_list() == ["805", "806", "394", "341", "393", "807", "354", "880",
                                                      "355", "861"]
    assert neighbours["closeness"].to_list()[:5] == ["Very close"] * 4 + ["Close"]  # 'Close ' trimmed


def test_shipped_figures_equal_the_source_files(shipped):
    def value(measure, year, area):
        rows = shipped.figures(measure, year).filter(area_code=area)
        assert rows.height == 1
        return rows.select("value", "status").row(0)

    # lait_bds_long.parquet: CIN, Years '2018', England (LA Number 970), Values '345.4'
    assert value("CIN", "2017-18", "E92000001") == (345.4, "published")
    # … Blackpool, Years '2024', Values '619.29999999999995'
    assert value("CIN", "2023-24", "890") == (619.3, "published")
    # b1_children_in_need_2013_to_2025.csv: 2018, Blackpool, At31_episodes 1796
    assert value("b1_children_in_need/At31_episodes", "2017-18", "890") == (1796.0, "published")
    # c1_…_2013_to_2025.csv line 20: 2025, North Tyneside (392), no_further_action_count 'c'
    assert value("c1_children_in_need_referrals_and_rereferrals/no_further_action_count", "2024-25", "392") == (
        None, "c")
    # la_cla_swcount.csv line 57: 2024, Blackpool, 3 or more social workers during the year, number 132
    assert value("la_cla_swcount/3 or more social workers during the year/number", "2023-24", "890") == (
        132.0, "published")
    # ons_mid-year_population_estimates_2012_to_2024.csv line 27: 2024, Blackpool, 28923
    population = shipped.population.filter(geography="la", area_code="890", year=2024)
    assert population["children_0_17"].to_list() == [28923]


def test_shipped_attribution_and_sources(shipped):
    assert "Open Government Licence v3.0" in shipped.attribution
    assert "© Crown copyright, Department for Education and Office for National Statistics" in shipped.attribution
    sources = dict(shipped.sources.select("file", "rows").iter_rows())
    assert sources["lait_bds_long.parquet"] == 641_070
    assert sources["sn_model_2025_wide.csv"] == 153  # 153 authorities in the 2025 model
    assert len(sources) == 18
