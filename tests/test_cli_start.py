"""`carelens --help` starts without the heavy libraries: they are imported by the commands that need them.

Start time itself is measured by benchmarks/cli_start.py; this checks the cause (what is imported).
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("duckdb", "ibis", "polars", "pyarrow", "altair", "pyspark", "lxml", "numpy")
# what a verb's --help may not import either: pydantic is how Typer 0.29 parses options (0.15-0.25 s)
HEAVY_FOR_HELP = HEAVY + ("pydantic",)


def test_importing_the_cli_imports_no_heavy_library():
    # a fresh interpreter: this test session has imported them all already
    code = ("import sys, carelens.cli; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_every_help_still_works_without_them():
    for verb in ([], ["ingest"], ["indicators"], ["synth"], ["benchmark"], ["returns", "903"], ["returns", "cin"],
                 ["demo"], ["benchmarks", "build"], ["forecast"], ["forecast", "backtest"]):
        code = ("import atexit, sys; from carelens.cli import app; "
                f"atexit.register(lambda: print('imported:', *(m for m in {HEAVY_FOR_HELP!r} if m in sys.modules)));"
                f"sys.argv = ['carelens', *{verb!r}, '--help']; app()")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Usage" in done.stdout and "Traceback" not in done.stderr
        assert done.stdout.rstrip().endswith("imported:"), (verb, done.stdout.splitlines()[-1])
