"""``carelens benchmark``: table and csv output, the ratio table, a store, and clear errors."""

from __future__ import annotations

import io

import polars as pl
import pytest
from published_fixture import ENGLAND, area_figure, authority, la_figure, measure, write_published
from typer.testing import CliRunner

from carelens.published.figures_file import shipped_file
from carelens.cli import app

runner = CliRunner()
shipped = pytest.mark.skipif(not shipped_file().is_file(), reason="the shipped benchmark file is not built")


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory):
    """C8's measure (CPP_rate) for 2017-18: 890 at 90 with four neighbours, one suppressed."""
    figures = [la_figure("CPP_rate", "2017-18", 2018, code, v)
               for code, v in {"890": 90, "805": 40, "806": 60, "807": "c", "880": 80, "201": 10}.items()]
    figures.append(area_figure("CPP_rate", "2017-18", 2018, "england", ENGLAND, 45))
    figures.append(area_figure("CPP_rate", "2017-18", 2018, "region", "E12000002", 52))
    names = {"890": "Blackpool", "805": "Hartlepool", "806": "Middlesbrough", "807": "Redcar and Cleveland",
             "880": "Torbay", "201": "City of London"}
    return write_published(tmp_path_factory.mktemp("cli") / "p.duckdb",
                           [measure("CPP_rate", "neutral", title="Child protection plans rate per 10,000")],
                           figures, [authority(c, n) for c, n in names.items()],
                           {"2021": {"890": ["805", "806", "807", "880"]}, "2025": {"890": ["805"]}})


def test_csv_holds_the_hand_checked_benchmark(hand_made):
    result = runner.invoke(app, ["benchmark", "--la", "Blackpool", "--year", "2017-18", "--indicator", "C8",
                                 "--format", "csv", "--published", str(hand_made)])
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(io.StringIO(result.output)).to_dicts()
    assert len(rows) == 1
    r = rows[0]
    # 2021 model (2017-18): 805 40, 806 60, 880 80 (807 'c' left out) -> median 60, mean 60, ratio 90 / 60
    assert (r["indicator"], r["value"], r["england"], r["region"]) == ("C8", 90, 45, 52)
    assert (r["sn_median"], r["sn_mean"], r["sn_used"], r["sn_total"]) == (60, 60, 3, 4)
    assert r["ratio_to_sn_median"] == 1.5
    assert r["sn_missing"].startswith("Redcar and Cleveland ('c'")
    # all five authorities 10 40 60 80 90 -> cuts 40, 60, 80; 90 is above: Q4 (no better direction)
    assert r["quartile_band"] == "Q4"


def test_table_says_who_is_left_out(hand_made):
    result = runner.invoke(app, ["benchmark", "--la", "890", "--indicator", "C8", "--published", str(hand_made)])
    assert result.exit_code == 0, result.output
    assert "3/4" in result.output and "1.50" in result.output
    assert "Left out of the neighbour median and mean" in result.output and "Redcar and Cleveland" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--la", "Blakpool"], "did you mean Blackpool"),
    (["--la", "890", "--year", "1999-00"], "published years: 2017-18"),
    (["--la", "890", "--indicator", "Z9"], "no indicator 'Z9'"),
    (["--la", "890", "--indicator", "B1"], "indicator B1 has no DfE equivalent"),
    (["--la", "890", "--format", "xml"], "expected table or csv"),
    (["--la", "890", "--model", "2019"], "neighbour model '2019'"),
])
def test_clear_errors_without_a_traceback(hand_made, args, message):
    result = runner.invoke(app, ["benchmark", *args, "--published", str(hand_made)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_no_authority_configured(hand_made, tmp_path, monkeypatch):
    monkeypatch.delenv("CARELENS_LA", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["benchmark", "--published", str(hand_made)])
    assert result.exit_code == 2 and "which authority?" in result.output
    monkeypatch.setenv("CARELENS_LA", "E06000890")  # the fixture's made-up ONS code for 890
    result = runner.invoke(app, ["benchmark", "--indicator", "C8", "--published", str(hand_made)])
    assert result.exit_code == 0 and "Blackpool (890)" in result.output


@shipped
def test_ratio_table_for_blackpool():
    result = runner.invoke(app, ["benchmark", "--la", "890", "--year", "2017-18", "--ratio-table"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "Referrals" in x)
    assert "972" in line and "679" in line and "1.4" in line  # 971.9 / 678.8 (test_ratio_table.py)
    assert "Open Government Licence" in result.output


@shipped
def test_store_is_compared_with_the_authority_it_imitates(small_store_path, tmp_path):
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["benchmark", "--store", str(small_store_path), "--ratio-table", "--year",
                                 "2024-25", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    # the coastal profile imitates Blackpool: its neighbours' published 2024-25 medians
    assert set(table["neighbours_of"].cast(pl.String)) == {"890"}
    assert table.filter(pl.col("indicator") == "B4")["sn_median"][0] == pytest.approx(666.1)
    result = runner.invoke(app, ["benchmark", "--store", str(small_store_path), "--year", "2030-31"])
    assert result.exit_code == 2 and "latest complete financial year" in result.output
