"""Two `carelens ingest` processes into one store, started together: no data is lost, and a loser says why.

Before decision 007, a load failing on DuckDB's lock removed a store it believed it had created
(``created = not store_path.exists()`` was true when it looked), and in 1 or 2 races of 16 the
other process reported "Loaded … into NEW.duckdb" for a file that was then gone. Each race here
is two real processes; about 16 races of each kind take a minute or two on two cores.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carelens.model.store import Store

pytestmark = pytest.mark.slow

RACES = 16
CARELENS = Path(sys.executable).with_name("carelens")


def _children_in(return_folder: Path) -> int:
    with (return_folder / "header.csv").open(newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def _race(store: Path, source: Path) -> list[tuple[int, int, str]]:
    """Start two loads of ``source`` into ``store`` at once; (process id, exit code, what it said) of each."""
    runs = [subprocess.Popen([str(CARELENS), "ingest", str(source), "--store", str(store)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    said = [r.communicate(timeout=300)[0] for r in runs]
    return [(r.pid, r.returncode, " ".join(s.split())) for r, s in zip(runs, said, strict=True)]


def _check_race(store: Path, outcome, children: int, losing_messages) -> int:
    """Both processes either loaded or said why not in one line; the store holds the children. Returns losers."""
    for pid, code, said in outcome:
        assert "Traceback" not in said, said
        if code == 0:
            assert f"Loaded 1 source(s): {children:,} children" in said, said
        else:
            other = next(p for p, _, _ in outcome if p != pid)
            assert code == 2, said
            assert said in losing_messages(other), said
    assert any(code == 0 for _, code, _ in outcome), outcome  # somebody's load is always kept
    assert store.exists()
    with Store(store, read_only=True) as s:
        assert s.count("person") == children
    assert not [p.name for p in store.parent.iterdir() if p.name.endswith((".loading", ".wal", ".probe"))]
    return sum(code != 0 for _, code, _ in outcome)


def test_two_loads_into_a_new_store(small_903_return, tmp_path):
    children = _children_in(small_903_return)

    def losing(other: int) -> list[str]:
        # the writer lock is taken before either reads a file (decision 017): the loser is told at once
        return [f"error: {store}: store in use by process {other}; try again when it finishes"]

    losers = 0
    for race in range(RACES):
        store = tmp_path / f"race-{race}" / "NEW.duckdb"
        store.parent.mkdir()
        losers += _check_race(store, _race(store, small_903_return), children, losing)
    # not asserted above 0: which process wins, and whether the two overlap, is the machine's to decide
    print(f"{losers} of {RACES} races into a new store had a loser")


def test_two_loads_into_an_existing_store(small_903_return, tmp_path):
    children = _children_in(small_903_return)
    first = tmp_path / "first.duckdb"
    done = subprocess.run([str(CARELENS), "ingest", str(small_903_return), "--store", str(first)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

    def losing(other: int) -> list[str]:
        return [f"error: {store}: store in use by process {other}; try again when it finishes"]

    losers = 0
    for race in range(RACES):
        store = tmp_path / f"race-{race}" / "store.duckdb"
        store.parent.mkdir()
        shutil.copy(first, store)
        losers += _check_race(store, _race(store, small_903_return), children, losing)
    print(f"{losers} of {RACES} races into an existing store had a loser")
