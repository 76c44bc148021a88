"""Loading five years of SSDA903 returns as a council's case system leaves them, one folder per year.

The returns are made the way a user would make them (``carelens synth``, then ``carelens returns
903`` for each year) into folders named like a council's (``ssda903_2021-22`` …), then made messy
the way real extracts are: a table with no records that year is a file holding only a line break,
and one review date in the 2021/22 return is keyed as 2027. Every step runs through the real
command line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carelens.cli import app
from carelens.model.store import Store
from carelens.model.tables import TABLES

runner = CliRunner()
YEARS = (2022, 2023, 2024, 2025, 2026)
STRAY_YEAR = 2022  # the return holding the review keyed as 2027
BLANK = (2024, "missing.csv")  # the return whose missing table is a bare line break
CHILD_TABLES = [t.name for t in TABLES if "child_id" in t.column_names and t.name != "held_back_children"]


def folder_name(year: int) -> str:
    return f"ssda903_{year - 1}-{str(year)[2:]}"


def run(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    # (Rich wraps long lines at the terminal's width: compare the words)
    return result, " ".join(result.output.split())


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """Five years of returns of a small synthetic authority, each year in its own folder."""
    d = tmp_path_factory.mktemp("council")
    result, _ = run("synth", "--profile", "coastal-high-demand", "--years", "5", "--seed", "3", "--children",
                    "2500", "--store", d / "synthetic.duckdb")
    assert result.exit_code == 0, result.output
    for year in YEARS:
        result, _ = run("returns", "903", "--store", d / "synthetic.duckdb", "--year", year, "--out",
                        d / "returns" / folder_name(year))
        assert result.exit_code == 0, result.output
    (d / "returns" / folder_name(BLANK[0]) / BLANK[1]).write_bytes(b"\r\n")
    return d / "returns"


@pytest.fixture()
def messy(clean, tmp_path) -> tuple[Path, str, int]:
    """A copy with one review in the 2021/22 return keyed as 2027: the folder, that child and the row."""
    d = Path(shutil.copytree(clean, tmp_path / "returns"))
    reviews = d / folder_name(STRAY_YEAR) / "reviews.csv"
    frame = pl.read_csv(reviews, infer_schema=False)
    frame = frame.with_columns(REVIEW=pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("13/01/2027"))
                               .otherwise(pl.col("REVIEW")))
    reviews.write_text(frame.write_csv())
    return d, frame["CHILD"][3], 3 + 2


def folders(d: Path, years=YEARS) -> list[Path]:
    return [d / folder_name(y) for y in years]


def rows_of(store: Path, child: str | None = None, but: str | None = None) -> dict[str, list[tuple]]:
    """Every child table's rows (provenance but the file's path), for one child or for all children but one."""
    out = {}
    with Store(store, read_only=True) as s:
        for name in CHILD_TABLES:
            cols = [c for c in s.table(name).columns if c != "source_file"]
            where = f"child_id = '{child}'" if child else f"child_id <> '{but}'" if but else "TRUE"
            out[name] = sorted(s.sql(f'SELECT {", ".join(cols)} FROM "{name}" WHERE {where}'), key=repr)
    return out


def held_back(store: Path) -> list[tuple]:
    with Store(store, read_only=True) as s:
        return s.sql("SELECT la_code, child_id, source_kind, source_year, problem_count, source_file, source_row "
                     "FROM held_back_children ORDER BY ALL")


def test_blank_files_are_empty_tables_and_each_folder_has_its_own_year(clean, tmp_path):
    store = tmp_path / "s.duckdb"
    result, out = run("ingest", "--store", store, *folders(clean))
    assert result.exit_code == 0, result.output
    assert f"{folder_name(BLANK[0])}: {BLANK[1]} is empty (no rows)" in out
    assert "Loaded 5 source(s)" in out
    with Store(store, read_only=True) as s:
        assert {r[0] for r in s.sql("SELECT DISTINCT source_year FROM looked_after_reviews")} == set(YEARS)
        assert s.sql(f"SELECT count(*) FROM missing_episodes WHERE source_year = {BLANK[0]}") == [(0,)]
        assert s.count("held_back_children") == 0


def test_a_stray_date_is_one_row_problem_and_nothing_is_stored(messy, tmp_path):
    d, child, row = messy
    store = tmp_path / "s.duckdb"
    result, out = run("ingest", "--store", store, "--problems-out", tmp_path / "problems.csv", *folders(d))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 problem(s) found — nothing was stored" in out and "inferred" not in out
    assert not store.exists()
    problems = pl.read_csv(tmp_path / "problems.csv", infer_schema=False)
    assert problems.rows() == [(str(d / folder_name(STRAY_YEAR) / "reviews.csv"), f"row {row}", "REVIEW",
                                "13/01/2027", f"a date on or before 31/03/{STRAY_YEAR}, the end of the "
                                              f"{STRAY_YEAR} collection year", child)]
    assert f"All 1 problem(s) written to {tmp_path / 'problems.csv'}" in out


@pytest.mark.slow
def test_hold_back_loads_everyone_else_and_records_the_child(clean, messy, tmp_path):
    d, child, row = messy
    store = tmp_path / "held.duckdb"
    result, out = run("ingest", "--hold-back", "--store", store, "--problems-out", tmp_path / "held.xlsx",
                      *folders(d))
    assert result.exit_code == 0, result.output
    assert "1 child(ren) held back" in out and child in out and "13/01/2027" in out
    assert f"{folder_name(BLANK[0])}: {BLANK[1]} is empty (no rows)" in out
    reviews = str(d / folder_name(STRAY_YEAR) / "reviews.csv")
    assert held_back(store) == [("890", child, "ssda903", STRAY_YEAR, 1, reviews, row)]
    # nothing of the child's from that return, in any table; the other returns' rows of theirs are there
    mine = rows_of(store, child=child)
    assert all(r[-2] != STRAY_YEAR for rows in mine.values() for r in rows)  # (source_year, source_row last)
    assert any(r[-2] == STRAY_YEAR + 1 for r in mine["looked_after_episodes"])
    # everyone else exactly as a load of the same returns with the date put right
    right = tmp_path / "right.duckdb"
    shutil.copy(clean / folder_name(STRAY_YEAR) / "reviews.csv", d / folder_name(STRAY_YEAR) / "reviews.csv")
    assert run("ingest", "--store", right, *folders(d))[0].exit_code == 0
    assert rows_of(store, but=child) == rows_of(right, but=child)
    # the workbook lists the problem, as text
    book = pl.read_excel(tmp_path / "held.xlsx", sheet_name="problems", infer_schema_length=0)
    assert book.select("file", "where", "field", "value", "child").rows() == [
        (reviews, f"row {row}", "REVIEW", "13/01/2027", child)]


@pytest.mark.slow
def test_a_held_back_child_keeps_what_the_store_had_until_the_return_is_loaded_whole(clean, messy, tmp_path):
    d, child, _ = messy
    store = tmp_path / "s.duckdb"
    assert run("ingest", "--store", store, *folders(clean))[0].exit_code == 0
    before = rows_of(store, child=child)
    # the same return again, now with the stray date: the child's rows are neither replaced nor removed
    result, out = run("ingest", "--hold-back", "--store", store, d / folder_name(STRAY_YEAR))
    assert result.exit_code == 0, result.output
    assert rows_of(store, child=child) == before
    assert [r[1] for r in held_back(store)] == [child]
    # another year's return leaves the record alone; the same return loaded whole clears it
    assert run("ingest", "--store", store, d / folder_name(STRAY_YEAR + 1))[0].exit_code == 0
    assert [r[1] for r in held_back(store)] == [child]
    assert run("ingest", "--store", store, clean / folder_name(STRAY_YEAR))[0].exit_code == 0
    assert held_back(store) == []
    assert rows_of(store, child=child) == before


def test_a_problem_with_a_file_still_refuses_a_hold_back_load(messy, tmp_path):
    d, _, _ = messy
    (d / folder_name(2025) / "header.csv").write_text("CHILD,SEX\n1,M\n")  # not the header any more
    store = tmp_path / "s.duckdb"
    result, out = run("ingest", "--hold-back", "--store", store, "--problems-out", tmp_path / "p.csv", *folders(d))
    assert result.exit_code == 1 and "nothing was stored" in out and "Traceback" not in result.output
    problems = pl.read_csv(tmp_path / "p.csv", infer_schema=False)
    # every problem is listed, the child's that would have been held back too
    assert {(Path(f).name, v) for f, v in problems.select("file", "value").rows()} == {
        ("header.csv", "CHILD, SEX"), ("reviews.csv", "13/01/2027")}
    assert "--hold-back holds back children, not files" in out


def test_check_says_who_would_be_held_back_and_stores_nothing(messy, tmp_path):
    d, child, _ = messy
    store = tmp_path / "s.duckdb"
    result, out = run("ingest", "--check", "--hold-back", "--store", store, *folders(d))
    assert result.exit_code == 0, result.output
    assert "1 child(ren) would be held back" in out and child in out
    assert not store.exists()
    assert not store.exists()


def test_every_problem_goes_to_the_problems_file(clean, tmp_path):
    d = Path(shutil.copytree(clean, tmp_path / "returns"))
    total = 0
    for year in YEARS:  # every review participation code wrong: hundreds of problems
        reviews = d / folder_name(year) / "reviews.csv"
        frame = pl.read_csv(reviews, infer_schema=False)
        reviews.write_text(frame.with_columns(REVIEW_CODE=pl.lit("PN99")).write_csv())
        total += len(frame)
    assert total > 200
    result, out = run("ingest", "--check", "--store", tmp_path / "s.duckdb", "--problems-out",
                      tmp_path / "all.csv", *folders(d))
    assert result.exit_code == 1
    assert len(pl.read_csv(tmp_path / "all.csv", infer_schema=False)) == total
    assert f"All {total:,} problem(s) written to {tmp_path / 'all.csv'}" in out
    result, out = run("ingest", "--check", "--store", tmp_path / "s.duckdb", *folders(d))
    assert f"and {total - 200:,} more (--problems-out FILE writes them all)" in out


def test_year_applies_to_every_folder_only_when_given(clean, tmp_path):
    result, out = run("ingest", "--check", "--year", "2023", "--store", tmp_path / "s.duckdb", "--problems-out",
                      tmp_path / "p.csv", *folders(clean, (2023, 2024)))
    assert result.exit_code == 1
    problems = pl.read_csv(tmp_path / "p.csv", infer_schema=False)
    # the 2023/24 return read as 2022/23: its dates lie after the end of that year; the 2022/23 return is fine
    assert {Path(f).parent.name for f in problems["file"]} == {folder_name(2024)}
    assert "the end of the 2023 collection year" in " ".join(problems["expected"])


def test_an_la_the_child_ids_contradict_is_a_warning(clean, tmp_path):
    result, out = run("ingest", "--check", "--la", "999", "--store", tmp_path / "s.duckdb", clean / folder_name(2025))
    assert result.exit_code == 0, result.output
    assert out.count("warning: --la 999 but every child id starts 890: is this the right authority?") == 1
    result, out = run("ingest", "--check", "--la", "890", "--store", tmp_path / "s.duckdb", clean / folder_name(2025))
    assert "warning" not in out
