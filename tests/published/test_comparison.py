"""Benchmarks against statistical neighbours, region, England and all authorities, checked by hand on
a small hand-made published-figures file (tests/published/published_fixture.py)."""

from __future__ import annotations

import pytest
from published_fixture import ENGLAND, area_figure, authority, la_figure, measure, write_published

from carelens.published.comparison import (
    BenchmarkError,
    benchmark,
    compared_with_neighbours,
    neighbour_figures,
    neighbour_model_for,
    quartile_band,
    quartile_cuts,
    ratio,
)

# ------------------------------------------------------------------------------ pure statistics


def test_quartile_cuts_interpolate_as_r_quantile_type_7():
    # 10, 20, 30, 40, 50: positions (n-1)p = 1, 2, 3 fall exactly on 20, 30, 40
    assert quartile_cuts([50, 10, 40, 20, 30]) == (20, 30, 40)
    # eight values 10..80: (n-1)p = 1.75 -> 20 + 0.75*10 = 27.5; 3.5 -> 40 + 0.5*10 = 45; 5.25 -> 60 + 0.25*10 = 62.5
    assert quartile_cuts([10, 20, 30, 40, 50, 60, 70, 80]) == (27.5, 45, 62.5)
    assert quartile_cuts([]) is None


def test_bands_follow_polarity_and_a_figure_on_a_cut_belongs_to_the_lower_quarter():
    cuts = (20.0, 30.0, 40.0)
    # low is better: the lowest quarter (up to and including 20) is A
    assert [quartile_band(v, cuts, "low") for v in (10, 20, 25, 30, 35, 40, 41)] == list("AABBCCD")
    # high is better: the highest quarter (above 40) is A; 40 itself is B, 20 itself is D (LAIT's rule)
    assert [quartile_band(v, cuts, "high") for v in (10, 20, 25, 30, 35, 40, 41)] == list("DDCCBBA")
    # no better direction: the quarter by value, not a judgement
    assert [quartile_band(v, cuts, "neutral") for v in (20, 21, 31, 41)] == ["Q1", "Q2", "Q3", "Q4"]
    # DfE gives some measures no quartiles; a missing figure has no band
    assert quartile_band(25, cuts, "low", quartiles=False) is None
    assert quartile_band(None, cuts, "low") is None


def test_ties_share_a_band():
    # five authorities, two tied on the median: 10, 30, 30, 30, 50 -> cuts 30, 30, 30
    cuts = quartile_cuts([10, 30, 30, 30, 50])
    assert cuts == (30, 30, 30)
    # every tied authority is in the lowest quarter for "low is better" (A), D for "high is better"
    assert {quartile_band(30, cuts, "low"), quartile_band(10, cuts, "low")} == {"A"}
    assert quartile_band(50, cuts, "low") == "D"
    assert quartile_band(30, cuts, "high") == "D" and quartile_band(50, cuts, "high") == "A"


def test_neighbour_median_and_mean_leave_out_suppressed_and_missing_figures():
    figures = {"1": (40.0, "published"), "2": (None, "c"), "3": (60.0, "published"), "4": (None, "x"),
               "5": (20.0, "published"), "6": (None, "low"), "7": (None, "z")}
    nf = neighbour_figures(["1", "2", "3", "4", "5", "6", "7", "8"], figures)
    # odd count: 20, 40, 60 -> median 40, mean 120 / 3 = 40
    assert (nf.median, nf.mean, nf.used) == (40, 40, 3)
    assert nf.missing == {"2": "c", "4": "x", "6": "low", "7": "z", "8": "no figure"}
    # even count: 20, 40, 60, 90 -> median (40 + 60) / 2 = 50, mean 210 / 4 = 52.5
    nf = neighbour_figures(["1", "3", "5", "9"], {**figures, "9": (90.0, "published")})
    assert (nf.median, nf.mean) == (50, 52.5)
    assert neighbour_figures(["2"], figures).median is None


def test_ratio_and_wording():
    assert ratio(1247, 662) == pytest.approx(1.8837, abs=1e-4)
    assert ratio(5, 0) is None and ratio(None, 3) is None
    assert compared_with_neighbours(100, 50, "low") == "higher than neighbours (worse)"
    assert compared_with_neighbours(100, 50, "high") == "higher than neighbours (better)"
    assert compared_with_neighbours(100, 50, "neutral") == "higher than neighbours"
    assert compared_with_neighbours(51, 50, "low") == "in line with neighbours"


def test_the_neighbour_model_is_the_one_in_force_when_the_year_was_published():
    assert neighbour_model_for(2018) == "2021"
    assert neighbour_model_for(2024) == "2021"
    assert neighbour_model_for(2025) == "2025"


# --------------------------------------------------------------------- a hand-made published file
NEIGHBOURS_2025 = ["805", "806", "394", "341", "393", "807", "354", "880", "355", "861"]
NEIGHBOURS_2021 = ["805", "806", "807", "880", "876", "393", "201"]
# M_LOW (lower is better) in one year; the same figures are published for 2017-18 and 2024-25
LOW_FIGURES = {"890": 100, "805": 40, "806": 60, "394": "z", "341": 20, "393": "c", "807": 50, "354": "x",
               "880": 77, "355": 30, "861": "low", "201": 10, "202": 90}
NAMES = {"890": "Blackpool", "805": "Hartlepool", "806": "Middlesbrough", "394": "Sunderland", "341": "Liverpool",
         "393": "South Tyneside", "807": "Redcar and Cleveland", "354": "Rochdale", "880": "Torbay",
         "355": "Salford", "861": "Stoke-on-Trent", "876": "Halton", "201": "City of London", "202": "Camden"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    open_published = pytest.importorskip("carelens.published.figures_file").open_published
    figures = []
    for year, ending in (("2017-18", 2018), ("2024-25", 2025)):
        figures += [la_figure("M_LOW", year, ending, code, v) for code, v in LOW_FIGURES.items()]
        figures += [area_figure("M_LOW", year, ending, "england", ENGLAND, 45),
                    area_figure("M_LOW", year, ending, "region", "E12000002", 52),
                    area_figure("M_LOW", year, ending, "region", "E12000001", 70)]
    # M_HIGH, M_NEUTRAL, M_NOQ: 890 at 40 among 10, 20, 30, 40, 50 (cuts 20, 30, 40: 40 is on the upper cut)
    for m in ("M_HIGH", "M_NEUTRAL", "M_NOQ"):
        figures += [la_figure(m, "2017-18", 2018, code, v)
                    for code, v in {"201": 10, "805": 20, "806": 30, "890": 40, "807": 50}.items()]
    path = write_published(
        tmp_path_factory.mktemp("published") / "published.duckdb",
        [measure("M_LOW", "low"), measure("M_HIGH", "high", "%"), measure("M_NEUTRAL", "neutral"),
         measure("M_NOQ", "high", "%", quartiles=False)],
        figures,
        [authority(code, name, "E12000001" if code in ("805", "806", "807", "394", "393") else "E12000002")
         for code, name in NAMES.items()],
        {"2025": {"890": NEIGHBOURS_2025}, "2021": {"890": NEIGHBOURS_2021}})
    return open_published(path)


def _row(frame, measure_id, year):
    rows = frame.filter((frame["measure_id"] == measure_id) & (frame["year"] == year)).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_benchmark_with_the_2025_model_and_suppressed_neighbours(published):
    r = _row(benchmark(published, "890", ["M_LOW"], ["2024-25"]), "M_LOW", "2024-25")
    assert r["neighbour_model"] == "2025"  # in force for the year ending March 2025
    assert (r["value"], r["england"], r["region"]) == (100, 45, 52)  # North West, not North East's 70
    # neighbours with figures: 805 40, 806 60, 341 20, 807 50, 880 77, 355 30 (six: an even count)
    # sorted 20 30 40 50 60 77 -> median (40 + 50) / 2 = 45; mean 277 / 6 = 46.1667
    assert r["sn_median"] == 45 and r["sn_mean"] == pytest.approx(277 / 6)
    assert (r["sn_used"], r["sn_total"]) == (6, 10)
    assert r["sn_missing"] == ("Sunderland ('z': not applicable); South Tyneside ('c': confidential: suppressed to "
                               "protect individuals (small numbers)); Rochdale ('x': not available); "
                               "Stoke-on-Trent ('low': rounds to zero, but is not zero)")
    # all nine authorities with a figure: 10 20 30 40 50 60 77 90 100; (n-1)p = 2, 4, 6 -> cuts 30, 50, 77
    assert (r["lower_cut"], r["median_cut"], r["upper_cut"]) == (30, 50, 77)
    assert r["authorities_ranked"] == 9
    assert r["quartile_band"] == "D"  # 100 > 77, and lower is better
    assert r["ratio_to_sn_median"] == pytest.approx(100 / 45)


def test_benchmark_before_2025_uses_the_2021_model(published):
    r = _row(benchmark(published, "890", ["M_LOW"], ["2017-18"]), "M_LOW", "2017-18")
    assert r["neighbour_model"] == "2021"
    # 2021 neighbours: 805 40, 806 60, 807 50, 880 77, 201 10; Halton (876) has no row, 393 is 'c'
    # sorted 10 40 50 60 77 -> median 50 (odd count); mean 237 / 5 = 47.4; ratio 100 / 50 = 2
    assert (r["sn_median"], r["sn_mean"], r["sn_used"], r["sn_total"]) == (50, 47.4, 5, 7)
    assert r["sn_missing"].startswith("Halton (no figure); South Tyneside ('c'")
    assert r["ratio_to_sn_median"] == 2
    # the model can be chosen
    assert _row(benchmark(published, "890", ["M_LOW"], ["2017-18"], model="2025"), "M_LOW", "2017-18")[
        "sn_median"] == 45


def test_bands_by_polarity_on_published_figures(published):
    out = benchmark(published, "890", ["M_HIGH", "M_NEUTRAL", "M_NOQ"], ["2017-18"])
    # 890 is 40 among 10 20 30 40 50: cuts 20 30 40, so 40 is on the upper cut
    assert _row(out, "M_HIGH", "2017-18")["quartile_band"] == "B"  # on the cut: not in the top quarter
    assert _row(out, "M_NEUTRAL", "2017-18")["quartile_band"] == "Q3"
    assert _row(out, "M_NOQ", "2017-18")["quartile_band"] is None  # DfE: no quartile
    # 2021 neighbours with M_HIGH figures: 805 20, 806 30, 807 50, 201 10 -> median 25, mean 27.5
    high = _row(out, "M_HIGH", "2017-18")
    assert (high["sn_median"], high["sn_mean"], high["ratio_to_sn_median"]) == (25, 27.5, 40 / 25)


def test_every_year_by_default_and_clear_errors(published):
    out = benchmark(published, "890", ["M_LOW"])
    assert out["year"].to_list() == ["2017-18", "2024-25"]
    with pytest.raises(BenchmarkError, match="no published measure NOPE"):
        benchmark(published, "890", ["NOPE"])
    with pytest.raises(BenchmarkError, match="neighbour model"):
        benchmark(published, "890", ["M_LOW"], model="2019")
    with pytest.raises(BenchmarkError, match="999"):
        benchmark(published, "999", ["M_LOW"])
