"""Loading files as a user does: every problem in every file at once, nothing stored; --check stores nothing."""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from carelens.cli import app
from carelens.ingest import IngestError, ingest
from carelens.model.store import Store
from carelens.returns.cin_census import write_cin_census
from carelens.returns.ssda903 import write_ssda903

runner = CliRunner()


@pytest.fixture(scope="module")
def returns(small_store_path, tmp_path_factory):
    d = tmp_path_factory.mktemp("returns")
    with Store(small_store_path, read_only=True) as store:
        write_ssda903(store, 2025, d / "ssda903_2025")
        write_cin_census(store, 2025, d / "cin_2025.xml")
    return d


def test_a_bad_file_among_good_ones_stores_nothing_and_reports_every_problem(returns, tmp_path):
    good = [returns / "ssda903_2025", returns / "cin_2025.xml"]
    store = tmp_path / "s.duckdb"
    ingest(store, good[:1])
    with Store(store, read_only=True) as s:
        before = {t: sorted(s.sql(f'SELECT * FROM "{t}"')) for t in ("person", "looked_after_episodes")}
    broken = tmp_path / "broken.xml"
    broken.write_text((returns / "cin_2025.xml").read_text()[:5000])  # cut off mid-file
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(IngestError) as e:
        ingest(store, [*good, broken, empty, tmp_path / "missing.xml"])
    files = {p.file.split("/")[-1] for p in e.value.problems}
    assert {"broken.xml", "empty.csv", "missing.xml"} <= files
    assert all(p.expected for p in e.value.problems)
    with Store(store, read_only=True) as s:
        assert {t: sorted(s.sql(f'SELECT * FROM "{t}"')) for t in before} == before


def test_a_failed_load_into_a_new_store_leaves_no_store_behind(returns, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<Message><Children></Message>")
    with pytest.raises(IngestError):
        ingest(tmp_path / "new.duckdb", [bad])
    assert not (tmp_path / "new.duckdb").exists()


def test_ingest_command_loads_and_check_stores_nothing(returns, tmp_path):
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", "--check", "--store", str(store), str(returns / "cin_2025.xml")])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output
    assert not store.exists()
    result = runner.invoke(app, ["ingest", "--store", str(store), str(returns / "ssda903_2025"),
                                 str(returns / "cin_2025.xml")])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 source(s)" in result.output
    with Store(store, read_only=True) as s:
        assert s.count("referrals") > 0 and s.count("looked_after_episodes") > 0


def test_ingest_command_shows_problems_as_a_table_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "header.csv"
    bad.write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,7,31/02/2010,WBRI,UN1,,\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "--la", "890", "--year", "2025", "--store", "s.duckdb", "header.csv"])
    assert result.exit_code == 1
    assert "nothing was stored" in result.output
    assert "Traceback" not in result.output
    assert "header.csv" in result.output
    assert not (tmp_path / "s.duckdb").exists()


def test_a_returns_csv_files_named_one_by_one_load_as_that_return(small_903_return, tmp_path):
    """`carelens ingest --store S ssda903_2024-25/*.csv`: the shell names each table; they are one return."""
    files = sorted(small_903_return.glob("*.csv"))
    assert len(files) > 5
    result = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "files.duckdb"), *map(str, files)])
    assert result.exit_code == 0, result.output
    ingest(tmp_path / "folder.duckdb", [small_903_return])
    with Store(tmp_path / "files.duckdb", read_only=True) as by_files, \
            Store(tmp_path / "folder.duckdb", read_only=True) as by_folder:
        for name in ("person", "looked_after_episodes", "looked_after_reviews"):
            assert by_files.count(name) == by_folder.count(name) > 0, name
        # the year comes from the folder's name, as it does when the folder is given
        assert by_files.sql("SELECT DISTINCT source_year FROM looked_after_episodes") == [(2025,)]


def test_one_table_of_a_return_on_its_own_says_which_tables_are_missing(small_903_return, tmp_path):
    result = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "s.duckdb"), "--problems-out",
                                      str(tmp_path / "problems.csv"), str(small_903_return / "episodes.csv")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    # (read from --problems-out: the console's table wraps the message across lines)
    problems = pl.read_csv(tmp_path / "problems.csv", infer_schema=False)
    assert problems["file"].to_list() == [str(small_903_return / "episodes.csv")]
    assert problems["expected"][0].startswith("a header table (a file with the columns CHILD, SEX, DOB")
    assert not (tmp_path / "s.duckdb").exists()
