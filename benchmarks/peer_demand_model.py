"""Social Finance's demand model (``cs-demand-model`` on PyPI) as a peer to CareLens's forecast.

The peer never enters the product: it is installed in a throwaway environment of its own (it needs
Python 3.10 or 3.11 with pandas 1.x and NumPy 1.x, which CareLens does not use) and run there by a
small driver script, ``peer_driver/run_cs_demand_model.py``, on the same SSDA903 returns CareLens
reads. The backtest calls :func:`run_peer` at each past date::

    from peer_demand_model import in_carelens_terms, run_peer
    frame, seconds = run_peer(folders, reference_start, reference_end, forecast_start, forecast_end)

``frame`` has one row per day, peer age band and peer placement category; :func:`in_carelens_terms`
adds CareLens's age band and the placement group both models can be compared on. docs/forecast/peer.md
says what the peer is, what it does and what it cannot do.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

PEER_PACKAGE = "cs-demand-model"
PEER_VERSION = "0.5.1"  # pinned, so every backtest runs the same peer; the latest on PyPI when this was written
PEER_PYTHONS = ("3.11", "3.10")  # the versions it declares; pandas 1.5 has no wheels for 3.12
DRIVER = Path(__file__).parent / "peer_driver" / "run_cs_demand_model.py"

# The peer's age brackets (standard-v1 configuration) and CareLens's AGE_BANDS: the same boundaries. The
# peer's last bracket is "16 to 18+": a young person still in care after 18 (rare in a 903 return) stays in it.
PEER_AGE_BANDS: dict[str, str] = {
    "BIRTH_TO_ONE": "under_1",
    "ONE_TO_FIVE": "1_4",
    "FIVE_TO_TEN": "5_9",
    "TEN_TO_SIXTEEN": "10_15",
    "SIXTEEN_TO_EIGHTEEN": "16_17",
}

# The peer's placement categories, by the 903 placement type (PLACE) alone, from its standard-v1 configuration.
# Every other code, whatever its provider, is OTHER.
PEER_PLACEMENT_CODES: dict[str, tuple[str, ...]] = {
    "FOSTERING": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "RESIDENTIAL": ("K2", "R1"),
    "SUPPORTED": ("H5", "P2"),  # withdrawn from the 903 in 2024-25 (K3 replaced them): empty from then on
    "OTHER": (),
}

# Placement groups on which the two models' categories coincide exactly. CareLens splits foster care by
# carer (in-house, agency, kinship) and the peer does not; the peer's RESIDENTIAL leaves out secure units
# (K1), residential schools (S1) and others that CareLens's residential holds, and its SUPPORTED misses
# K3, so beyond fostering only the remainder as a whole is the same set of children in both.
PLACEMENT_GROUPS: tuple[str, ...] = ("fostering", "not_fostering")
PEER_PLACEMENT_GROUP: dict[str, str] = {
    "FOSTERING": "fostering",
    "RESIDENTIAL": "not_fostering",
    "SUPPORTED": "not_fostering",
    "OTHER": "not_fostering",
}
CARELENS_PLACEMENT_GROUP: dict[str, str] = {  # keys: carelens.forecast.states.PLACEMENT_CATEGORIES
    "foster_in_house": "fostering",
    "foster_agency": "fostering",
    "kinship": "fostering",
    "placed_with_parents": "not_fostering",
    "residential": "not_fostering",
    "supported_independent": "not_fostering",
    "adoption_placement": "not_fostering",
    "other": "not_fostering",
}
# The nearest peer category to each of CareLens's, for a rough side-by-side (not exact: see above)
CARELENS_NEAREST_PEER_CATEGORY: dict[str, str] = {
    "foster_in_house": "FOSTERING",
    "foster_agency": "FOSTERING",
    "kinship": "FOSTERING",
    "placed_with_parents": "OTHER",
    "residential": "RESIDENTIAL",
    "supported_independent": "SUPPORTED",
    "adoption_placement": "OTHER",
    "other": "OTHER",
}

PROJECTION_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date,
    "peer_age_band": pl.String,
    "peer_placement": pl.String,
    "children": pl.Float64,  # an expected number: the peer's projection is deterministic
}


class PeerUnavailable(RuntimeError):
    """The peer could not be installed or run here; the message says why and what it needs."""


def peer_home() -> Path:
    """Where the peer's environment is kept between runs (``CARELENS_PEER_HOME`` overrides)."""
    home = os.environ.get("CARELENS_PEER_HOME")
    return Path(home) if home else Path.home() / ".cache" / "carelens-peer"


def peer_python() -> Path:
    """The peer environment's interpreter, making the environment first if it is not there yet.

    Made once with uv (a virtual environment from a Python 3.10 or 3.11 found on this machine, then the
    pinned package from PyPI) and kept under :func:`peer_home`; a later call only checks it is complete.
    """
    venv = peer_home() / f"{PEER_PACKAGE}-{PEER_VERSION}"
    python = venv / "bin" / "python"
    done = venv / ".installed"
    if python.exists() and done.exists():
        return python
    uv = _uv()
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    base = _base_python()
    _run([uv, "venv", "--quiet", "--python", base, str(venv)], "make the peer's environment")
    _run([uv, "pip", "install", "--quiet", "--python", str(python), f"{PEER_PACKAGE}=={PEER_VERSION}"],
         f"install {PEER_PACKAGE}=={PEER_VERSION} from PyPI")
    done.write_text(f"{PEER_PACKAGE}=={PEER_VERSION}\n")
    return python


def _uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path.home() / ".local" / "bin"))
    if not found:
        raise PeerUnavailable("uv is needed to make the peer's environment (pip install uv)")
    return found


def _base_python() -> str:
    """A Python the peer supports: this one if it is 3.10 or 3.11, else one on PATH or under pyenv, else
    whatever ``uv python find`` knows (uv may download one, where the network reaches its mirror)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" in PEER_PYTHONS:
        return sys.executable
    candidates = [shutil.which(f"python{v}") for v in PEER_PYTHONS]
    pyenv = Path.home() / ".pyenv" / "versions"
    candidates += [str(p) for v in PEER_PYTHONS for p in sorted(pyenv.glob(f"{v}.*/bin/python{v}"), reverse=True)]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            return candidate
    for version in PEER_PYTHONS:
        probe = subprocess.run([_uv(), "python", "find", version], capture_output=True, text=True)
        if probe.returncode == 0:
            return probe.stdout.strip()
    raise PeerUnavailable(f"{PEER_PACKAGE} needs Python {' or '.join(PEER_PYTHONS)}; none was found "
                          "(install one, e.g. `uv python install 3.11`, where the network allows)")


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise PeerUnavailable(f"could not {what}: {' '.join(command)}\n{done.stderr.strip()}")
    return done


def stage_returns(folders_903: list[Path], root: Path, known_at: dt.date | None = None) -> list[int]:
    """Lay the returns out as the peer's data store reads them: ``root/YEAR/{header,episodes}.csv``.

    The peer dates an episodes file by the latest episode start in it (not by its folder), reads one file a
    year and fails on a gap. Two returns can fall in one such year: a return cut at ``known_at`` mid-year
    whose latest start is in the same calendar year as the previous return's. Their episodes are then put in
    one file, which the peer reads as it reads several years: it joins all the episodes and drops the
    repeats itself. Only the header and episodes are copied: the peer reads nothing else.
    With ``known_at``, what the returns say happened after that day is removed first (episodes that began
    later are dropped; an end later is blanked, the episode still open), so the peer sees only what was known.
    """
    by_year: dict[int, list[tuple[pl.DataFrame, pl.DataFrame]]] = {}
    for folder in map(Path, folders_903):
        episodes = pl.read_csv(folder / "episodes.csv", infer_schema=False)
        header = pl.read_csv(folder / "header.csv", infer_schema=False)
        if known_at is not None:
            episodes = _as_known_at(episodes, known_at)
        if episodes.height == 0:
            continue
        year = episodes.select(pl.col("DECOM").str.to_date("%d/%m/%Y").dt.year().max()).item()
        by_year.setdefault(year, []).append((header, episodes))
    for year, returns in by_year.items():
        out = root / str(year)
        out.mkdir(parents=True, exist_ok=True)
        # the years' files differ in their later columns (URN from 2026): a column one lacks is left blank
        pl.concat([e for _, e in returns], how="diagonal").write_csv(out / "episodes.csv", null_value="")
        pl.concat([h for h, _ in returns], how="diagonal").write_csv(out / "header.csv", null_value="")
    ordered = sorted(by_year)
    if ordered and ordered != list(range(ordered[0], ordered[-1] + 1)):
        raise ValueError(f"the returns' years {ordered} have a gap, which the peer cannot read")
    return ordered


def _as_known_at(episodes: pl.DataFrame, known_at: dt.date) -> pl.DataFrame:
    start = pl.col("DECOM").str.to_date("%d/%m/%Y")
    end = pl.col("DEC").str.to_date("%d/%m/%Y", strict=False)
    later_end = end > pl.lit(known_at)
    return episodes.filter(start <= pl.lit(known_at)).with_columns(
        [pl.when(later_end).then(None).otherwise(pl.col(c)).alias(c)
         for c in ("DEC", "REC", "REASON_PLACE_CHANGE") if c in episodes.columns]
    )


def run_peer(folders_903: list[Path], reference_start: dt.date, reference_end: dt.date,
             forecast_start: dt.date, forecast_end: dt.date, *,
             known_at: dt.date | None = None) -> tuple[pl.DataFrame, float]:
    """The peer's projection of children in care from ``forecast_start`` to ``forecast_end``, and its time.

    ``folders_903`` are SSDA903 return folders (``header.csv`` and ``episodes.csv`` each, as
    ``carelens.returns.ssda903.write_ssda903`` writes them), one per consecutive collection year. The peer's
    rates are the daily means over ``reference_start``–``reference_end``; its projection starts from its own
    count of the children in care on ``forecast_start``, which must be no later than :func:`last_day_covered`.
    ``known_at`` censors the returns at that day first (see :func:`stage_returns`); a backtest passes its
    forecast date.

    Returns a frame of :data:`PROJECTION_SCHEMA`, one row per day from ``forecast_start`` (the starting stock)
    to ``forecast_end``, peer age band and peer placement category; and the seconds the peer took to read
    the returns, fit its rates and project (its interpreter's start, imports and the CSV in between not
    counted). Raises :class:`PeerUnavailable` when the peer cannot be installed or fails.
    """
    python = peer_python()
    with tempfile.TemporaryDirectory(prefix="carelens-peer-") as tmp:
        root = Path(tmp) / "returns"
        stage_returns(folders_903, root, known_at)
        out = Path(tmp) / "projection.csv"
        args = [reference_start, reference_end, forecast_start, forecast_end, last_day_covered(root, known_at)]
        done = subprocess.run([str(python), str(DRIVER), str(root), *(d.isoformat() for d in args), str(out)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise PeerUnavailable(f"{PEER_PACKAGE} failed:\n{done.stderr.strip()[-4000:]}")
        timings = json.loads(done.stdout.strip().splitlines()[-1])
        frame = pl.read_csv(out, schema=PROJECTION_SCHEMA)
    return frame, timings["fit_seconds"] + timings["project_seconds"]


def last_day_covered(root: Path, known_at: dt.date | None) -> dt.date:
    """The last day the staged returns tell about: ``known_at`` when they were cut there, else the 31 March
    that ends the collection year of the latest episode start or end in them.

    The peer's own last day is its latest event; when no child came or went on the days after it, its count
    on that day is still the count on a forecast start up to this day."""
    if known_at is not None:
        return known_at
    dates = pl.concat([
        pl.read_csv(f, infer_schema=False, columns=["DECOM", "DEC"]) for f in sorted(root.glob("*/episodes.csv"))
    ]).select(pl.concat_list(pl.col("DECOM", "DEC").str.to_date("%d/%m/%Y", strict=False)).list.max().max())
    last = dates.item()
    return dt.date(last.year + 1 if last.month >= 4 else last.year, 3, 31)


def in_carelens_terms(frame: pl.DataFrame) -> pl.DataFrame:
    """The peer's projection with CareLens's ``age_band`` and the comparable ``placement_group`` added."""
    unknown = set(frame["peer_placement"].unique()) - set(PEER_PLACEMENT_GROUP)
    if unknown:
        raise ValueError(f"placement categories the mapping does not know: {sorted(unknown)}")
    return frame.with_columns(
        age_band=pl.col("peer_age_band").replace_strict(PEER_AGE_BANDS),
        placement_group=pl.col("peer_placement").replace_strict(PEER_PLACEMENT_GROUP),
    )


def totals(frame: pl.DataFrame, on: list[dt.date]) -> dict[dt.date, float]:
    """The peer's total children in care on each of the given days (days it did not project are left out)."""
    summed = frame.filter(pl.col("date").is_in(on)).group_by("date").agg(pl.col("children").sum())
    return dict(summed.sort("date").iter_rows())

