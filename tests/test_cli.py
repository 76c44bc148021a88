"""The `carelens` command: every verb documents itself, and user mistakes get a message, not a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carelens.cli import app

runner = CliRunner()


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"], ["synth", "--help"], ["returns", "--help"],
                                  ["returns", "903", "--help"], ["returns", "cin", "--help"],
                                  ["ingest", "--help"], ["indicators", "--help"]])
def test_every_verb_has_help(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_synth_then_returns_from_the_command_line(tmp_path):
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["synth", "--store", str(store), "--children", "2000", "--years", "4", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 authority" in result.output
    result = runner.invoke(app, ["returns", "903", "--store", str(store), "--year", "2025", "--out", str(tmp_path / "903")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "903" / "episodes.csv").exists()
    said = " ".join(result.output.split())
    # a sentence, not the writer's summary object
    assert said.startswith("SSDA903 2024/25 for authority 890: ") and " children written in 11 files (rows: " in said
    assert "Summary(" not in said and "PosixPath" not in said
    result = runner.invoke(app, ["returns", "cin", "--store", str(store), "--year", "2025", "--out",
                                 str(tmp_path / "cin.xml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cin.xml").read_text().startswith("<?xml")
    said = " ".join(result.output.split())
    assert said.startswith("CIN census 2024/25 for authority 890: ") and " CIN episodes written to " in said
    assert "Summary(" not in said


@pytest.mark.parametrize("args, message", [
    (["synth", "--store", "x.duckdb", "--profile", "atlantis"], "no profile called 'atlantis'"),
    (["synth", "--store", "x.duckdb", "--la", "89"], "expected a 3-digit DfE authority number"),
    (["synth", "--store", "x.duckdb", "--end", "31/03/2026"], "expected YYYY-MM-DD"),
    (["synth", "--store", "x.duckdb", "--region", "Atlantis"], "no authorities in region 'Atlantis'"),
    (["returns", "903", "--store", "missing.duckdb", "--year", "2025", "--out", "o"], "no store at missing.duckdb"),
    (["returns", "cin", "--store", "missing.duckdb", "--year", "2016", "--out", "o.xml"], "collection year 2016"),
])
def test_mistakes_get_a_clear_message_and_no_traceback(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.duckdb").exists()
