"""Every path problem, in every verb, is one line naming the path and the problem: never a traceback.

Each case runs the real command (typer's CliRunner, and a real process for the entry point) on real
files: a folder where a store should be, a text file, somebody else's DuckDB database, a store
without its tables, an empty store, a store another process holds, an unwritable folder, a parent
that is a file, and --out/--published given the wrong kind of path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from carelens.cli import app
from carelens.model.store import Store

runner = CliRunner()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@contextmanager
def held_by_another_process(path: Path):
    """A real second process holding the store's DuckDB lock, as a long load would; yields its id."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(120)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder no file can be made in. Root may write anywhere a mode allows, but not in sysfs."""
    if AS_ROOT:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store(path).close()  # made, with every table, and nothing loaded
    return path


@pytest.fixture()
def places(tmp_path, tiny_store_path, small_903_return, empty_store):
    """Real files of every wrong kind, and a real store and return."""
    p = {"tmp": tmp_path, "return": small_903_return}
    p["store"] = tmp_path / "store.duckdb"
    shutil.copy(tiny_store_path, p["store"])
    p["folder"] = tmp_path / "folder.duckdb"
    p["folder"].mkdir()
    p["text"] = tmp_path / "notes.duckdb"
    p["text"].write_text("minutes of the 3 March meeting\n")
    p["other"] = tmp_path / "other.duckdb"
    with duckdb.connect(str(p["other"])) as con:
        con.execute("CREATE TABLE budget (line VARCHAR, amount DOUBLE)")
    p["partial"] = tmp_path / "partial.duckdb"  # a person table, nothing else: not every expected table
    with duckdb.connect(str(p["partial"])) as con:
        con.execute("CREATE TABLE person (child_id VARCHAR, la_code VARCHAR)")
    p["empty"] = tmp_path / "empty.duckdb"
    shutil.copy(empty_store, p["empty"])  # made, with every table, and nothing loaded
    p["afile"] = tmp_path / "a-file"
    p["afile"].write_text("x")
    p["unwritable"] = unwritable_folder(tmp_path)
    yield p
    if not AS_ROOT:
        p["unwritable"].chmod(0o755)


# each verb given a store; the other options chosen so that only the store can be wrong
def _ingest(p, store):
    return ["ingest", str(p["return"]), "--store", str(store)]


def _synth(p, store):
    return ["synth", "--store", str(store), "--children", "200", "--years", "1"]


def _indicators(p, store):
    return ["indicators", "--store", str(store), "--as-at", "2025-03-31", "--indicator", "C8"]


def _returns_903(p, store):
    return ["returns", "903", "--store", str(store), "--year", "2025", "--out", str(p["tmp"] / "out903")]


def _returns_cin(p, store):
    return ["returns", "cin", "--store", str(store), "--year", "2025", "--out", str(p["tmp"] / "cin.xml")]


def _benchmark(p, store):
    return ["benchmark", "--store", str(store)]


READERS = [_indicators, _returns_903, _returns_cin, _benchmark]
WRITERS = [_ingest, _synth]

STORE_CASES = [  # (which store, the verbs, what the message says)
    ("folder", READERS + WRITERS, "is a folder; expected a CareLens store file"),
    ("text", READERS + WRITERS, "is not a DuckDB database"),
    ("other", READERS + WRITERS, "is a DuckDB database but not a CareLens store (no person table; it holds budget)"),
    # (a store of no schema version lacking tables could be migrated; one whose tables lack columns cannot)
    ("partial", [*READERS, _ingest], "the store's table person lacks the columns"),
    ("empty", READERS, "the store is empty (no children)"),
]


def _say(result) -> str:
    return " ".join(result.output.split())  # the console may fold a long line; the words are what matter


def assert_one_line_error(result, path: Path, problem: str) -> None:
    said = _say(result)
    assert result.exit_code == 2, said
    # CliRunner keeps an escaped exception instead of printing it: there must be none but the exit
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert f"error: {path}" in said or f"{path}:" in said, said
    assert problem in said, said


@pytest.mark.parametrize("which, verb, problem",
                         [(w, v, m) for w, verbs, m in STORE_CASES for v in verbs],
                         ids=[f"{w}-{v.__name__[1:]}" for w, verbs, _ in STORE_CASES for v in verbs])
def test_a_store_that_is_not_one_is_said_in_one_line(places, which, verb, problem):
    target = places[which]
    before = target.read_bytes() if target.is_file() else None
    result = runner.invoke(app, verb(places, target))
    assert_one_line_error(result, target, problem)
    if before is not None:
        assert target.read_bytes() == before  # not replaced, not "repaired", not given tables


@pytest.mark.parametrize("verb", READERS + WRITERS, ids=lambda v: v.__name__[1:])
def test_a_store_in_use_names_the_process_holding_it(places, verb):
    with held_by_another_process(places["store"]) as pid:
        result = runner.invoke(app, verb(places, places["store"]))
    assert_one_line_error(result, places["store"], f"store in use by process {pid}; try again when it finishes")
    with Store(places["store"], read_only=True) as store:
        assert store.count("person") > 0  # still the store it was


@pytest.mark.parametrize("verb", WRITERS, ids=lambda v: v.__name__[1:])
def test_a_new_store_where_none_can_be_made(places, verb):
    under_a_file = places["afile"] / "new.duckdb"
    result = runner.invoke(app, verb(places, under_a_file))
    assert_one_line_error(result, under_a_file, f"its folder {places['afile']} is a file, not a folder")
    unwritable = places["unwritable"] / "new.duckdb"
    result = runner.invoke(app, verb(places, unwritable))
    assert_one_line_error(result, unwritable, "cannot be written in (permission denied)")
    assert not unwritable.exists()


@pytest.mark.skipif(AS_ROOT, reason="root may write a file whatever its mode")
def test_a_store_file_that_cannot_be_written(places):
    places["store"].chmod(0o444)
    try:
        result = runner.invoke(app, _ingest(places, places["store"]))
    finally:
        places["store"].chmod(0o644)
    assert_one_line_error(result, places["store"], "permission denied")


def test_out_of_the_wrong_kind(places):
    p = places
    store, folder, afile = str(p["store"]), p["folder"], p["afile"]
    cases = [
        (["indicators", "--store", store, "--as-at", "2025-03-31", "--indicator", "C8", "--format", "csv",
          "--out", str(folder)], f"--out {folder}", "is a folder; expected a file"),
        (["indicators", "--store", store, "--as-at", "2025-03-31", "--format", "parquet", "--out",
          str(folder)], f"--out {folder}", "is a folder; expected a file"),
        (["indicators", "--store", store, "--as-at", "2025-03-31", "--format", "csv", "--out",
          str(afile / "x.csv")], f"--out {afile / 'x.csv'}", f"its folder {afile} is a file, not a folder"),
        (["returns", "cin", "--store", store, "--year", "2025", "--out", str(folder)], f"--out {folder}",
         "is a folder; expected a file"),
        (["returns", "cin", "--store", store, "--year", "2025", "--out", str(p["unwritable"] / "cin.xml")],
         f"--out {p['unwritable'] / 'cin.xml'}", "cannot be written in (permission denied)"),
        (["returns", "903", "--store", store, "--year", "2025", "--out", str(afile)], f"--out {afile}",
         "is a file; expected a folder"),
        (["returns", "903", "--store", store, "--year", "2025", "--out", str(afile / "r")],
         f"--out {afile / 'r'}", f"its folder {afile} is a file, not a folder"),
        (["benchmark", "--la", "890", "--format", "csv", "--out", str(folder)], f"--out {folder}",
         "is a folder; expected a file"),
        (["ingest", str(p["return"]), "--store", str(p["tmp"] / "new.duckdb"), "--problems-out", str(folder)],
         f"--problems-out {folder}", "is a folder; expected a file"),
    ]
    for args, named, problem in cases:
        result = runner.invoke(app, args)
        assert_one_line_error(result, named, problem)
    assert not (p["tmp"] / "new.duckdb").exists()


def test_published_figures_that_are_not_them(places):
    for given, problem in ((places["text"], "is not a DuckDB database; expected a published-figures file"),
                           (places["store"], "is a DuckDB database but not a published-figures file"),
                           (places["folder"], "is a folder; expected a published-figures file")):
        result = runner.invoke(app, ["benchmark", "--la", "890", "--published", str(given)])
        assert_one_line_error(result, given, problem)


def test_the_installed_command_says_it_in_one_line_too(places):
    """The entry point itself, in a process of its own (CliRunner would hide a traceback printed there)."""
    carelens = Path(sys.executable).with_name("carelens")
    with held_by_another_process(places["store"]) as pid:
        done = subprocess.run([str(carelens), *_ingest(places, places["store"])], capture_output=True, text=True)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 2
    assert "Traceback" not in said
    assert said == f"error: {places['store']}: store in use by process {pid}; try again when it finishes"


def test_a_store_from_a_newer_duckdb_is_named_as_such():
    # DuckDB's own words for a file of a later storage version (its storage documentation): a real such
    # file needs a later DuckDB to write it, which the lock file does not have
    from carelens.path_problems import duckdb_problem

    said = duckdb_problem(Path("s.duckdb"), "IO Error: Trying to read a database file with version number 69, but "
                                            "we can only read versions between 64 and 68.\nThe database file was "
                                            "created with a newer version of DuckDB.")
    assert said.startswith("s.duckdb: was written by a newer version of DuckDB than this CareLens has (")
    assert "\n" not in said
