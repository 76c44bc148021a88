"""Hostile and broken files cost little and never hang (issue 13, points 4 and 5).

Each case runs the real CLI, ``carelens ingest --check``, in a subprocess whose address space is
capped (a safety net: the cases below cost 4–8 GB before the caps) and which is killed after 10 s.
The test then asks the kernel for the process's peak resident memory, which must stay within
500 MB (the CLI itself, with Polars, DuckDB and lxml loaded, takes about 170 MB), and checks that
the file was refused with a message that names it and says what was expected.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from hostile_workbook import zip_bomb_workbook

from carelens.ingest.ssda903 import read_ssda903
from carelens.problems import IngestError

MAX_RSS_MB = 500
MAX_SECONDS = 10
ADDRESS_SPACE = 3 << 30  # what the CLI maps at start (thread arenas, DuckDB) is well over 1 GB of it


@dataclass
class Run:
    exit_code: int
    seconds: float
    peak_mb: float
    output: str


# Runs the CLI as a grandchild and reports the grandchild's own peak memory. A child forked from this test process
# starts with this process's resident memory counted in its peak (the kernel carries it across fork and exec), so a
# pytest worker that had grown from earlier tests would be measured, not the CLI; the launcher is a fresh, small
# interpreter, and the CLI forked from it is measured from there.
LAUNCHER = """
import os, resource, sys
limit, peak_file = int(sys.argv[1]), sys.argv[2]
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execv(sys.executable, [sys.executable, *sys.argv[3:]])
_, status, usage = os.wait4(pid, 0)
with open(peak_file, "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def carelens_check(*paths: Path, tmp: Path, extra: tuple[str, ...] = ()) -> Run:
    """``carelens ingest --check`` on ``paths`` in a capped subprocess."""
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    peak_file = tmp / ".peak-kb"
    peak_file.unlink(missing_ok=True)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(ADDRESS_SPACE), str(peak_file), "-m", "carelens.cli",
                             "ingest", "--check", *extra, "--store", str(tmp / "never.duckdb"), *map(str, paths)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, cwd=tmp, start_new_session=True)
    # the launcher and the CLI are one process group: killed together
    killer = threading.Timer(MAX_SECONDS, lambda: os.killpg(proc.pid, signal.SIGKILL))
    killer.start()
    try:
        output = proc.stdout.read().decode("utf-8", "replace")
        proc.wait()
    finally:
        killer.cancel()
    peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0  # (none when killed)
    return Run(proc.returncode, time.monotonic() - start, peak_kb / 1024, output)


def assert_refused_cheaply(run: Run, *expected: str) -> None:
    assert run.seconds < MAX_SECONDS, f"took {run.seconds:.1f} s (killed?)\n{run.output[-2000:]}"
    assert run.exit_code == 1, run.output[-2000:]
    assert run.peak_mb <= MAX_RSS_MB, f"peak {run.peak_mb:.0f} MB"
    assert "Traceback" not in run.output and "nothing was stored" in run.output
    flat = " ".join(run.output.split())
    for text in expected:
        assert text in flat, run.output[-2000:]


# ------------------------------------------------------------------------------------ CSV caps
def test_a_header_of_a_million_columns(tmp_path):
    wide = tmp_path / "header.csv"
    wide.write_text(",".join(f"C{i}" for i in range(1_000_000)) + "\n" + "1,2\n")
    assert wide.stat().st_size > 7_000_000
    assert_refused_cheaply(carelens_check(wide, tmp=tmp_path), "header.csv", "at most 1,000 columns")


def test_a_200_mb_file_of_one_line(tmp_path):
    long = tmp_path / "episodes.csv"
    with long.open("wb") as f:
        f.write(b"CHILD,DECOM,RNE,LS,CIN,PL,PL_POST,URN,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST\n")
        block = b"x" * (1 << 20)
        for _ in range(200):
            f.write(block)
    assert_refused_cheaply(carelens_check(long, tmp=tmp_path), "episodes.csv", "row 2",
                           "rows of at most 1,048,576 bytes")


# ----------------------------------------------------------------------------- not regular files
def test_dev_zero_behind_a_symlink(tmp_path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    folder = tmp_path / "ssda903_2025"
    folder.mkdir()
    (folder / "episodes.csv").symlink_to("/dev/zero")
    (tmp_path / "census.xml").symlink_to("/dev/zero")
    run = carelens_check(folder, tmp_path / "census.xml", tmp=tmp_path)
    assert_refused_cheaply(run, "episodes.csv", "census.xml", "a regular file (this is a character device /dev/zero")


def test_named_pipes_are_named_not_waited_on(tmp_path):
    folder = tmp_path / "ssda903_2025"
    folder.mkdir()
    os.mkfifo(folder / "header.csv")
    os.mkfifo(tmp_path / "census.xml")
    ssd = tmp_path / "ssd"
    ssd.mkdir()
    (ssd / "ssd_person.csv").write_text("person_id\nP1\n")
    os.mkfifo(ssd / "ssd_cin_episodes.csv")
    run = carelens_check(folder, tmp_path / "census.xml", ssd, tmp=tmp_path, extra=("--la", "890"))
    assert_refused_cheaply(run, "header.csv", "census.xml", "ssd_cin_episodes.csv", "a named pipe (FIFO)")


# ---------------------------------------------------------------------------------- XML attacks
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE {root} [\n<!ENTITY a "ha">\n'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
          + ']>\n<{root}>&j;</{root}>\n')


@pytest.mark.parametrize("root", ["Message", "EXPSSDA903"])
def test_billion_laughs(tmp_path, root):
    bomb = tmp_path / "laughs.xml"
    bomb.write_text(LAUGHS.format(root=root))
    assert_refused_cheaply(carelens_check(bomb, tmp=tmp_path), "laughs.xml", "no DOCTYPE declaration")


def test_a_doctype_longer_than_what_is_sniffed(tmp_path):
    """An internal subset beyond the first 4 KB hides the root element: the DOCTYPE is the problem."""
    hidden = tmp_path / "hidden.xml"
    hidden.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [\n' + "<!-- padding -->\n" * 400
                      + '<!ENTITY e "WBRI">\n]>\n<EXPSSDA903/>\n')
    assert_refused_cheaply(carelens_check(hidden, tmp=tmp_path), "hidden.xml", "no DOCTYPE declaration")


def test_an_internal_entity_in_ssda903_xml_is_refused_not_read_as_blank(tmp_path):
    """The entity used to be left unresolved, so ETHNIC was NULL and nothing was said."""
    xml = tmp_path / "ssda903_2025.xml"
    xml.write_text('<?xml version="1.0"?>\n<!DOCTYPE EXPSSDA903 [<!ENTITY wbri "WBRI">]>\n<EXPSSDA903>\n'
                   "<CHILD><HEADER><CHILDID>890001</CHILDID><SEX>M</SEX><DOB>01/01/2015</DOB>"
                   "<ETHNIC>&wbri;</ETHNIC></HEADER>\n"
                   "<EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>"
                   "<PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE></CHILD>\n</EXPSSDA903>\n")
    with pytest.raises(IngestError) as e:
        read_ssda903([xml], year=2025)
    (p,) = e.value.problems
    assert (p.file, p.location, p.field) == (str(xml), "line 1", "DOCTYPE")
    assert p.expected.startswith("no DOCTYPE declaration (SSDA903 XML files have none")
    assert_refused_cheaply(carelens_check(xml, tmp=tmp_path), "ssda903_2025.xml", "no DOCTYPE declaration")


# ------------------------------------------------------------------------------------- zip bomb
def test_a_zip_bomb_workbook(tmp_path):
    bomb = zip_bomb_workbook(tmp_path / "annex_a.xlsx", 600)  # cost 700 MB before the cap
    assert bomb.stat().st_size < 5_000_000
    run = carelens_check(bomb, tmp=tmp_path, extra=("--la", "890"))
    assert_refused_cheaply(run, "annex_a.xlsx", "a readable Excel workbook of at most 209,715,200 bytes unzipped")
