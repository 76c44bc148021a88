"""A reader keeps working while a load runs, and every read is of one whole version (decision 017).

One process reads figures in a loop — opening the store, reading its version, its children and two
indicators, closing it — while another runs `carelens ingest` into the same store. The load must
succeed without waiting for the reader, the reader must never be refused, and each read must be
exactly the store before the load or exactly the store after it, never a mixture.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from carelens.indicators.api import Selection, figures
from carelens.ingest import ingest
from carelens.model.store import Store
from carelens.returns.ssda903 import write_ssda903

CARELENS = Path(sys.executable).with_name("carelens")
SELECTION = Selection(as_at="2025-03-31", indicators=("D1", "D2"))

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from carelens.indicators.api import Selection, figures
    from carelens.model.store import Store

    store, stop, enough = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    selection = Selection(as_at="2025-03-31", indicators=("D1", "D2"))
    # stops between reads when told to: a reader killed while opening the store would leave its link
    # behind (for the next writer to remove), which is not what this test looks at
    while time.time() < stop and not enough.exists():
        began = time.time()
        with Store(store, read_only=True) as s:
            got = figures(s, selection, keep=False)  # computed from the version read, every time
            read = {"began": began, "version": s.version.version, "children": s.count("person"),
                    "recorded_children": int(s.authority_details()["children"].sum()),
                    "values": got.values.select("indicator", "period", "numerator").rows()}
        read["ended"] = time.time()
        print(json.dumps(read), flush=True)
""")


def _values(store: Path) -> list[list]:
    with Store(store, read_only=True) as s:
        return [list(r) for r in figures(s, SELECTION, keep=False).values.select("indicator", "period",
                                                                                  "numerator").rows()]


@pytest.fixture(scope="module")
def two_returns(tiny_store_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("returns")
    with Store(tiny_store_path, read_only=True) as store:
        for year in (2024, 2025):
            write_ssda903(store, year, folder / f"ssda903_{year}")
    return folder / "ssda903_2024", folder / "ssda903_2025"


@pytest.mark.slow
def test_a_reader_reads_whole_versions_while_a_load_runs(two_returns, tmp_path):
    first, second = two_returns
    before, after = tmp_path / "before.duckdb", tmp_path / "after.duckdb"
    ingest(before, [first])
    shutil.copy(before, after)
    ingest(after, [second])
    expected = {1: _values(before), 2: _values(after)}
    assert expected[1] != expected[2]  # the load changes the figures read
    with Store(before, read_only=True) as s, Store(after, read_only=True) as t:
        children = {1: s.count("person"), 2: t.count("person")}

    live = tmp_path / "live.duckdb"
    shutil.copy(before, live)
    stop, enough = time.time() + 600, tmp_path / "enough"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(live), str(stop), str(enough)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(8)  # the reader is reading (its imports take a few seconds)
        load_began = time.time()
        load = subprocess.run([str(CARELENS), "ingest", str(second), "--store", str(live)], capture_output=True,
                              text=True, timeout=300)
        load_ended = time.time()
        time.sleep(8)  # and reads the new version for a while
    finally:
        enough.touch()
        try:
            out, err = reader.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            reader.kill()
            out, err = reader.communicate()
    assert load.returncode == 0, load.stdout + load.stderr
    assert "in use" not in load.stdout + load.stderr
    reads = [json.loads(line) for line in out.splitlines()]
    assert "Traceback" not in err and "in use" not in err, err
    assert reads, err
    for read in reads:
        v = read["version"]
        assert v in expected, read
        assert read["children"] == read["recorded_children"] == children[v], read
        assert read["values"] == expected[v], f"a read of version {v} that is not that version: {read}"
    versions = [r["version"] for r in reads]
    assert versions == sorted(versions)  # never back to the old version once the new one is published
    assert {1, 2} <= set(versions)
    during = [r for r in reads if r["began"] < load_ended and r["ended"] > load_began]
    assert during, "no read overlapped the load"
    print(f"{len(reads)} reads, {len(during)} during the {load_ended - load_began:.1f} s load; versions seen: "
          f"{sorted(set(versions))}")
    # the old version's file went with the rename; nothing of the load is left beside the store
    assert sorted(p.name for p in live.parent.iterdir() if p.name.startswith(".live")) == [".live.duckdb.lock"]


def test_a_reader_keeps_the_version_it_opened(two_returns, tmp_path):
    first, second = two_returns
    store = tmp_path / "s.duckdb"
    ingest(store, [first])
    with Store(store, read_only=True) as old:
        held = old.count("person"), old.version.version
        ingest(store, [second])  # not blocked by the reader
        assert (old.count("person"), old.version.version) == held  # the reader still reads what it opened
        with Store(store, read_only=True) as new:
            assert new.version.version == held[1] + 1
            assert new.count("person") >= held[0]
            assert new.version.change == "ingest"
