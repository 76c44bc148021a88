"""Reading the published benchmark file: measures, figures, authorities, neighbours, population.

``open_published()`` opens the file shipped with CareLens (read-only); ``find_authority`` turns
what a user types ('890', 'E06000009', 'blackpool') into an :class:`Authority`;
``configured_authority`` finds the user's own authority from the command line, the environment
(``CARELENS_LA``) or ``carelens.toml`` (``la = "890"``).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

CONFIG_FILE = "carelens.toml"
ENVIRONMENT_VARIABLE = "CARELENS_LA"


class BenchmarkDataError(Exception):
    """The benchmark file is missing or an authority cannot be found; the message says what to do."""


@dataclass(frozen=True)
class Authority:
    """An English local authority under both its codes."""

    la_code: str  # DfE's 3-digit number, e.g. '890'
    gss_code: str | None  # ONS's 9-character code, e.g. 'E06000009'
    name: str
    region_name: str | None
    lait_region: str | None  # LAIT's region, which splits London into Inner and Outer

    def __str__(self) -> str:
        return f"{self.name} ({self.la_code}, {self.gss_code})"


def shipped_file() -> Path:
    """The benchmark file installed with the package."""
    return Path(str(resources.files("carelens.published") / "data" / "dfe_benchmarks.duckdb"))


class PublishedData:
    """A read-only handle on a benchmark file; every method returns a Polars frame."""

    def __init__(self, path: Path):
        self.path = path
        self._connection = duckdb.connect(str(path), read_only=True)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> PublishedData:  # noqa: PYI034
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _frame(self, sql: str, parameters: list | None = None) -> pl.DataFrame:
        return pl.from_arrow(self._connection.sql(sql, params=parameters or None).to_arrow_table())

    @property
    def measures(self) -> pl.DataFrame:
        return self._frame("SELECT * FROM measures ORDER BY measure_id")

    def figures(self, measure_ids: list[str] | str | None = None, years: list[str] | str | None = None,
                ) -> pl.DataFrame:
        """Figures of these measures and normalised years ('2017-18'); all when None."""
        conditions, parameters = [], []
        for column, wanted in (("measure_id", measure_ids), ("year", years)):
            if wanted is not None:
                conditions.append(f"list_contains(?, {column})")
                parameters.append([wanted] if isinstance(wanted, str) else list(wanted))
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        return self._frame(f"SELECT * FROM figures {where} ORDER BY measure_id, year_ending, geography, area_code",
                           parameters)

    @property
    def authorities(self) -> pl.DataFrame:
        return self._frame("SELECT * FROM authorities ORDER BY la_code")

    def neighbours(self, model: str = "2025") -> pl.DataFrame:
        """Each authority's statistical neighbours in this model, closest (rank 1) first."""
        return self._frame("SELECT * FROM neighbours WHERE model = ? ORDER BY la_code, rank", [model])

    @property
    def neighbour_models(self) -> list[str]:
        return self._frame("SELECT DISTINCT model FROM neighbours ORDER BY model")["model"].to_list()

    @property
    def population(self) -> pl.DataFrame:
        return self._frame("SELECT * FROM population ORDER BY geography, area_code, year")

    @property
    def sources(self) -> pl.DataFrame:
        return self._frame("SELECT * FROM sources ORDER BY file")

    @property
    def about(self) -> dict[str, str]:
        return dict(self._frame("SELECT key, value FROM about").iter_rows())

    @property
    def attribution(self) -> str:
        return self.about.get("attribution", "")

    def find_authority(self, text: str) -> Authority:
        """The authority a user means by a 3-digit code, an ONS code or a name (any case)."""
        wanted = " ".join(str(text).split())
        table = self.authorities
        key = wanted.lower()
        match = table.filter((pl.col("la_code") == wanted.zfill(3) if wanted.isdigit() else pl.lit(False))
                             | (pl.col("gss_code").str.to_lowercase() == key)
                             | (pl.col("name").str.to_lowercase() == key))
        if match.height == 0:
            names = table["name"].to_list()
            near = difflib.get_close_matches(wanted, names, n=5, cutoff=0.6) or \
                [name for name in names if key and key in name.lower()][:5]
            hint = f"; did you mean {', '.join(near)}?" if near else \
                "; give a 3-digit DfE code (e.g. 890), an ONS code (e.g. E06000009) or a name"
            raise BenchmarkDataError(f"no English local authority {wanted!r} in the published figures{hint}")
        row = match.row(0, named=True)
        return Authority(row["la_code"], row["gss_code"], row["name"], row["region_name"], row["lait_region"])


def open_published(path: Path | None = None) -> PublishedData:
    """Open a benchmark file read-only; by default the one shipped with CareLens."""
    from carelens.path_problems import duckdb_problem

    path = Path(path) if path is not None else shipped_file()
    if path.is_dir():
        raise BenchmarkDataError(f"{path}: is a folder; expected a published-figures file (.duckdb) made by "
                                 "'carelens benchmarks build'")
    if not path.is_file():
        raise BenchmarkDataError(f"no benchmark file at {path}: build it with "
                                 "'carelens benchmarks build --from DIR'")
    try:
        data = PublishedData(path)
    except duckdb.Error as e:
        problem = duckdb_problem(path, str(e)).replace("expected a CareLens store (made by `carelens ingest` or "
                                                       "`synth`)", "expected a published-figures file")
        raise BenchmarkDataError(problem) from None
    present = {r[0] for r in data._connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    missing = sorted({"measures", "figures", "authorities", "neighbours"} - present)
    if missing:
        data.close()
        raise BenchmarkDataError(f"{path}: is a DuckDB database but not a published-figures file (no "
                                 f"{', '.join(missing)} table); build one with 'carelens benchmarks build'")
    return data


def configured_authority(la: str | None = None, cwd: Path | None = None) -> str | None:
    """The user's own authority as typed: ``--la`` if given, else $CARELENS_LA, else ``la`` in
    ./carelens.toml; None when none is set. Pass the result to ``find_authority``."""
    if la:
        return la.strip()
    if os.environ.get(ENVIRONMENT_VARIABLE, "").strip():
        return os.environ[ENVIRONMENT_VARIABLE].strip()
    config = (cwd or Path.cwd()) / CONFIG_FILE
    if config.is_file():
        try:
            settings = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise BenchmarkDataError(f"{config}: not valid TOML ({error})") from None
        value = settings.get("la")
        if value is not None:
            return str(value).strip()
    return None
