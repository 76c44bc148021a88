"""What a hostile or broken file costs ``carelens ingest --check``: seconds and peak memory per case.

    uv run python benchmarks/hostile_files.py

Writes each case to a temporary folder and runs the real CLI on it in a fresh process, reading
that process's own peak resident memory from the kernel (``wait4``). The process's address space
is capped at 3 GB, so a regression fails fast instead of taking the machine's memory. Prints,
per case, the exit code (1: refused with problems), seconds, peak MB, and each as a ratio of
the budget (10 s, 500 MB). The CLI alone, with Polars, DuckDB and lxml loaded, is shown first
for comparison: a refused file should cost little more than that.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# the same zip bomb as the tests build (tests/hostile_workbook.py)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from hostile_workbook import zip_bomb_workbook  # noqa: E402

BUDGET_SECONDS = 10.0
BUDGET_MB = 500.0
ADDRESS_SPACE = 3 << 30


def run(paths: list[Path], cwd: Path, extra: tuple[str, ...] = ()) -> tuple[int, float, float]:
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "carelens.cli", "ingest", "--check", *extra, "--store",
                             str(cwd / "never.duckdb"), *map(str, paths)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, preexec_fn=cap, cwd=cwd)
    killer = threading.Timer(60, proc.kill)
    killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    killer.cancel()
    return os.waitstatus_to_exitcode(status), time.monotonic() - start, usage.ru_maxrss / 1024


def cases(d: Path):
    small = d / "small.csv"
    small.write_text("CHILD,SEX\nA1,9\n")
    yield "a two-line CSV (the CLI's own cost)", [small], ()
    wide = d / "header.csv"
    wide.write_text(",".join(f"C{i}" for i in range(1_000_000)) + "\n1,2\n")
    yield f"header of 10^6 columns ({wide.stat().st_size / 1e6:.1f} MB)", [wide], ()
    long = d / "episodes.csv"
    with long.open("wb") as f:
        f.write(b"CHILD,DECOM\n")
        for _ in range(200):
            f.write(b"x" * (1 << 20))
    yield "one line of 200 MB", [long], ()
    if Path("/dev/zero").exists():
        (d / "census.xml").symlink_to("/dev/zero")
        yield "/dev/zero behind census.xml", [d / "census.xml"], ()
    os.mkfifo(d / "fifo.csv")
    yield "a FIFO called fifo.csv", [d / "fifo.csv"], ()
    laughs = d / "laughs.xml"
    laughs.write_text('<?xml version="1.0"?>\n<!DOCTYPE Message [\n<!ENTITY a "ha">\n'
                      + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
                      + "]>\n<Message>&j;</Message>\n")
    yield "billion laughs", [laughs], ()
    bomb = zip_bomb_workbook(d / "annex_a.xlsx", 1024)
    yield f"zip bomb workbook ({bomb.stat().st_size / 1e6:.1f} MB, 1 GB unzipped)", [bomb], ("--la", "890")


def main() -> None:
    print(f"{'case':<48} {'exit':>4} {'seconds':>8} {'peak MB':>8} {'s/budget':>8} {'MB/budget':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for name, paths, extra in cases(d):
            code, seconds, mb = run(paths, d, extra)
            print(f"{name:<48} {code:>4} {seconds:>8.2f} {mb:>8.0f} {seconds / BUDGET_SECONDS:>8.2f} "
                  f"{mb / BUDGET_MB:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
