"""The backtest from the command line: its table, its files, and one-line errors for what a user can fix."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from typer.testing import CliRunner

from carelens.cli import app
from carelens.model.store import Store
from store_rows import frame

runner = CliRunner()
COMMAND = ["forecast", "backtest"]


def _said(result) -> str:
    return " ".join(result.output.split())


def test_the_backtest_prints_its_measures_and_writes_a_workbook(small_store_path, tmp_path):
    out = tmp_path / "backtest.xlsx"
    result = runner.invoke(app, [*COMMAND, "--store", str(small_store_path), "--runs", "20", "--out", str(out)])
    assert result.exit_code == 0, result.output
    said = _said(result)
    assert "Backtest of the forecast for 890" in said
    for method in ("carelens", "carry forward", "linear trend"):
        assert method in said
    assert "10 origins, 2023-06-30 to 2025-09-30, 20 runs each;" in said
    sheets = pl.read_excel(out, sheet_id=0)
    assert set(sheets) == {"summary", "forecasts", "origins"}
    assert sheets["origins"].height == 10
    assert set(sheets["forecasts"]["method"]) == {"carelens", "carry_forward", "linear_trend"}


def test_the_backtest_writes_every_forecast_as_csv(small_store_path, tmp_path):
    out = tmp_path / "backtest.csv"
    result = runner.invoke(app, [*COMMAND, "--store", str(small_store_path), "--runs", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pl.read_csv(out)
    # 10 origins at 6 months, 8 at 12, 4 at 24; the total and 8 categories; 3 methods
    assert written.height == (10 + 8 + 4) * 9 * 3


@pytest.mark.parametrize("args, message", [
    (["--out", "backtest.txt"], "--out backtest.txt: expected a .csv or .xlsx file"),
    (["--la", "999"], "no children for authority '999' in the store (authorities: 890)"),
    (["--runs", "0"], "Invalid value for '--runs'"),
])
def test_mistakes_are_one_line_errors(small_store_path, args, message):
    result = runner.invoke(app, [*COMMAND, "--store", str(small_store_path), *args])
    assert result.exit_code == 2
    assert message in _said(result)
    assert "Traceback" not in result.output


def test_a_store_too_short_for_a_backtest_is_told_so(tmp_path):
    path = tmp_path / "short.duckdb"
    with Store(path) as s:
        s.replace({
            "person": frame([{"child_id": "A", "date_of_birth": dt.date(2015, 1, 1)}], la_code="890", sex="F",
                            ethnicity="WBRI", uasc=False),
            "periods_of_care": frame([{"period_id": "PA", "child_id": "A", "start_date": dt.date(2024, 1, 1)}],
                                     la_code="890"),
            "looked_after_episodes": frame([{
                "episode_id": "A1", "child_id": "A", "period_id": "PA", "start_date": dt.date(2024, 1, 1),
                "end_date": dt.date(2025, 6, 1), "placement_type": "U1", "placement_provider": "PR1",
                "reason_ceased": "E4A", "reason_new_episode": "S", "placement_id": "PL1"}],
                la_code="890", legal_status="C2", cin_category="N1"),
            "population": pl.DataFrame({"la_code": "890", "year": 2024, "age": list(range(18)), "sex": "F",
                                        "children": [100] * 18}),
        })
    result = runner.invoke(app, [*COMMAND, "--store", str(path)])
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert said.startswith("error: the data for 890 cover 2024-01-01 to 2025-06-01: a backtest needs")
    assert "Traceback" not in result.output
