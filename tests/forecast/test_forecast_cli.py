"""`carelens forecast` end to end on a small synthetic store: the tables, each --out format (the same seed giving the
same figures), and every mistake a message with no traceback."""

from __future__ import annotations

import re

import fastexcel
import polars as pl
import pytest
from typer.testing import CliRunner

from carelens.cli import app
from carelens.cli.console import console
from carelens.forecast.comparison import LONG_COLUMNS
from carelens.forecast.histories import care_histories, children_in_care_on
from carelens.forecast.scenarios import example_scenarios_file
from carelens.model.store import Store

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """A console wide enough for the tables' rows to stay on one line each (a terminal's is; CliRunner's is 80)."""
    monkeypatch.setattr(console, "width", 240)
QUICK = ["--runs", "50", "--years", "2", "--seed", "4"]


def _said(result) -> str:
    """The output as words: the tables' box-drawing lines taken out, every run of spaces one space."""
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())


def test_the_forecast_with_scenarios_and_its_workbook(small_store_path, tmp_path):
    out = tmp_path / "forecast.xlsx"
    result = runner.invoke(app, ["forecast", "--store", str(small_store_path), *QUICK, "--scenario",
                                 str(example_scenarios_file()), "--target-caseload", "12", "--vacancy-rate", "0.1",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    said = _said(result)
    with Store(small_store_path, read_only=True) as store:
        histories = care_histories(store)
    now = children_in_care_on(histories.spells, histories.last_day)
    start = histories.last_day.isoformat()
    for text in (f"from {start}, 50 runs (seed 4)", "Children in care", f"{start} {now} {now} to {now}",
                 "Children in care by placement", "Spend on placements by financial year",
                 "Social workers needed (FTE) at 12.0 children per FTE, 10% of posts vacant",
                 "Each scenario against the baseline", "What each scenario costs beyond the baseline",
                 "Edge of care for adolescents: from 2027-04-01: entries × 0.9 (ages 10_15, 16_17)", f"Wrote {out}"):
        assert text in said
    assert "Traceback" not in result.output
    sheets = fastexcel.read_excel(out).sheet_names
    assert sheets == ["Summary", "Series by month", "Spend", "Workforce", "Scenarios", "Rates", "Notes"]
    summary = pl.read_excel(out, sheet_name="Summary", read_options={"header_row": 3})
    first = summary.row(0, named=True)
    assert (first["section"], first["period"], first["median"]) == ("children in care", start, now)
    # FTE at the start: the children now over 12 per FTE, in post; over 0.9 for the establishment
    fte = summary.filter(pl.col("section") == "social workers (FTE)").rows_by_key("series", named=True)
    assert fte["in_post"][0]["median"] == pytest.approx(now / 12)
    assert fte["establishment"][0]["median"] == pytest.approx(now / 12 / 0.9)
    notes = pl.read_excel(out, sheet_name="Notes", read_options={"header_row": 3})
    assert "target caseload: 12 (--target-caseload)" in notes["note"].to_list()


def test_csv_and_parquet_are_the_long_summary_and_a_seed_repeats_it(small_store_path, tmp_path):
    frames = []
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"forecast{suffix}"
        result = runner.invoke(app, ["forecast", "--store", str(small_store_path), *QUICK, "--out", str(out)])
        assert result.exit_code == 0, result.output
        frames.append(pl.read_csv(out) if suffix == ".csv" else pl.read_parquet(out))
    from_csv, from_parquet = frames
    assert tuple(from_parquet.columns) == LONG_COLUMNS
    assert set(from_parquet["measure"]) == {"children", "spend", "fte"}  # no scenario, no differences
    assert set(from_parquet["scenario"]) == {"baseline"}
    # the same seed, the same forecast: the two runs agree figure for figure
    numbers = ["mean", "median", "lower_95", "upper_95"]
    assert from_csv.select(numbers).equals(from_parquet.select(numbers))


@pytest.mark.parametrize("args, message", [
    ([], "--store PATH is needed"),
    (["--store", "missing.duckdb"], "no store at missing.duckdb"),
    (["--store", "{store}", "--from", "31/03/2026"], "--from '31/03/2026' is not a date: expected YYYY-MM-DD"),
    (["--store", "{store}", "--years", "6"], "--years 6: expected a whole number of years from 1 to 5"),
    (["--store", "{store}", "--runs", "5"], "--runs 5: expected 10 to 5000 runs"),
    (["--store", "{store}", "--target-caseload", "0"], "--target-caseload 0: expected children per FTE"),
    (["--store", "{store}", "--vacancy-rate", "1"], "--vacancy-rate 1: expected a fraction from 0 to under 1"),
    (["--store", "{store}", "--agency-share", "1.5"], "--agency-share 1.5: expected a fraction from 0 to 1"),
    (["--store", "{store}", "--out", "forecast.txt"], "--out forecast.txt: expected a file ending .xlsx, .csv"),
    (["--store", "{store}", "--out", "."], "is a folder; expected a file"),
    (["--store", "{store}", "--scenario", "nowhere.yaml"], "--scenario nowhere.yaml: no such file"),
    (["--store", "{store}", "--unit-costs", "."], "--unit-costs .: is a folder; expected a file"),
    (["--store", "{store}", "--la", "999"], "999"),
])
def test_mistakes_get_one_line_and_no_traceback(small_store_path, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["forecast", *(a.replace("{store}", str(small_store_path)) for a in args)])
    assert result.exit_code == 2, result.output
    assert message in _said(result)
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_a_bad_scenarios_file_lists_its_problems(small_store_path, tmp_path):
    path = tmp_path / "plans.yaml"
    path.write_text("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, entries: {factor: lots}}\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["forecast", "--store", str(small_store_path), "--scenario", str(path)])
    assert result.exit_code == 2
    said = _said(result)
    assert "1 problem(s) in an input file — nothing was forecast" in said
    for text in ("plans.yaml", "line 4, scenario 'A', change 1", "entries.factor", "lots", "a multiplier"):
        assert text in said
    assert "Traceback" not in result.output


def test_a_change_outside_the_projection_is_found_once_the_start_is_known(small_store_path, tmp_path):
    # from 31 March 2025 for one year: the example's changes from 2026-07-01 on fall after its end
    result = runner.invoke(app, ["forecast", "--store", str(small_store_path), "--from", "2025-03-31", "--years", "1",
                                 "--runs", "10", "--scenario", str(example_scenarios_file())])
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert "scenarios_example.yaml" in said and "a day within the projection, 2025-03-31 to 2026-03-31" in said
    assert "Traceback" not in result.output


def test_a_bad_unit_costs_file_lists_its_problems(small_store_path, tmp_path):
    path = tmp_path / "costs.yaml"
    path.write_text("inflation: 3\n", encoding="utf-8")
    result = runner.invoke(app, ["forecast", "--store", str(small_store_path), "--unit-costs", str(path)])
    assert result.exit_code == 2
    said = _said(result)
    assert "costs.yaml" in said and "inflation" in said and "Traceback" not in result.output
