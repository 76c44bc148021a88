"""Building the shipped benchmark file from a folder of DfE downloads.

Every input is read and checked before anything is written; with any problem the existing file is
left as it was. The file is written beside its destination and moved into place in one step.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb
import polars as pl

from carelens.published import csc_files, lait, neighbours, population, sources
from carelens.published.authorities import AUTHORITIES_SCHEMA, merge_authorities
from carelens.published.problems import IngestError, Problem, ProblemLog

SHIPPED_FILE = Path(__file__).parent / "data" / "dfe_benchmarks.duckdb"

_DESCRIBE_KIND = {
    sources.LAIT_FIGURES: "LAIT's long table (columns Short Desc, Years, LA and Regions, Values, LA Number)",
    sources.LAIT_DICTIONARY: "LAIT's data dictionary (columns Measure_code, Measure_short, Polarity, …)",
    sources.POPULATION: "ONS mid-year population estimates (columns time_period, geographic_level, "
                        "age_group, population_estimate)",
    sources.NEIGHBOURS_2025: "the statistical neighbour model (columns old_la_code, SN_1 … SN_10, SN_1P …)",
}

# the contract every reader relies on (docs/benchmarks.md); tests write hand-made files with it too
SCHEMA_SQL = """
CREATE TABLE measures (measure_id VARCHAR PRIMARY KEY, source VARCHAR, lait_code VARCHAR, name VARCHAR,
    title VARCHAR, topic VARCHAR, polarity VARCHAR, unit VARCHAR, quartiles BOOLEAN, year_type VARCHAR,
    description VARCHAR);
CREATE TABLE figures (measure_id VARCHAR, year VARCHAR, published_year VARCHAR, year_ending INTEGER,
    geography VARCHAR, area_code VARCHAR, area_name VARCHAR, value DOUBLE, status VARCHAR);
CREATE TABLE authorities (la_code VARCHAR PRIMARY KEY, gss_code VARCHAR, name VARCHAR, region_code VARCHAR,
    region_name VARCHAR, lait_region VARCHAR, first_year INTEGER, last_year INTEGER);
CREATE TABLE neighbours (model VARCHAR, la_code VARCHAR, rank INTEGER, neighbour_code VARCHAR,
    closeness VARCHAR);
CREATE TABLE population (geography VARCHAR, area_code VARCHAR, year INTEGER, children_0_17 BIGINT);
CREATE TABLE sources (file VARCHAR, sha256 VARCHAR, rows BIGINT, publisher VARCHAR, licence VARCHAR,
    origin VARCHAR);
CREATE TABLE about (key VARCHAR, value VARCHAR);
"""


@dataclass
class BuildSummary:
    """What a build wrote, for the user to check."""

    out: Path
    measures: int
    figures: int
    published_figures: int
    authorities: int
    years: tuple[int, int]
    neighbour_models: list[str]
    size_bytes: int
    files: int
    skipped: list[Problem] = field(default_factory=list)  # files not used: reported, not blocking


@dataclass
class _Tables:
    measures: list[pl.DataFrame] = field(default_factory=list)
    figures: list[pl.DataFrame] = field(default_factory=list)
    statistics_authorities: list[pl.DataFrame] = field(default_factory=list)
    lait_authorities: pl.DataFrame = field(default_factory=pl.DataFrame)
    neighbours: list[pl.DataFrame] = field(default_factory=list)
    neighbour_names: list[pl.DataFrame] = field(default_factory=list)
    population: pl.DataFrame = field(default_factory=pl.DataFrame)
    sources: list[dict] = field(default_factory=list)


def _data_rows(path: Path) -> int:
    if path.suffix.lower() == ".parquet":
        return pl.scan_parquet(path).select(pl.len()).collect().item()
    return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy").height


def _read_all(folder: Path) -> tuple[_Tables, list[Problem], list[Problem]]:
    """Every table, with the problems that block the build and the notes that do not."""
    recognised, skipped = sources.recognise(folder)
    notes = [Problem(path.name, "", None, None, f"not read: {why}")
             for path, why in skipped]
    problems: list[Problem] = []
    by_kind: dict[str, list[sources.SourceFile]] = {}
    for source in recognised:
        by_kind.setdefault(source.kind, []).append(source)
    for kind in sources.REQUIRED_KINDS:
        if kind not in by_kind:
            problems.append(Problem(str(folder), "", None, None, f"a file with {_DESCRIBE_KIND[kind]}"))
    for kind in (sources.LAIT_FIGURES, sources.LAIT_DICTIONARY, sources.POPULATION):
        if len(by_kind.get(kind, [])) > 1:
            names = ", ".join(s.path.name for s in by_kind[kind])
            problems.append(Problem(str(folder), "", None, names, f"one file with {_DESCRIBE_KIND[kind]}"))
    stems: dict[str, str] = {}
    for source in by_kind.get(sources.CSC_FILE, []):
        stem = csc_files.measure_stem(source.path)
        if stem in stems:  # an old and a new download of the same statistics side by side
            problems.append(Problem(source.path.name, "", None, stems[stem],
                                    "one download of each statistics file (remove the older)"))
        stems[stem] = source.path.name

    # every file present is still read, so one run reports every problem of the download
    tables = _Tables()
    logs: list[ProblemLog] = []

    def log_for(source: sources.SourceFile) -> ProblemLog:
        logs.append(ProblemLog(source.path.name))
        tables.sources.append({"file": source.path.name, "sha256": sources.sha256(source.path),
                               "rows": _data_rows(source.path), "publisher": source.publisher,
                               "licence": sources.LICENCE, "origin": source.origin})
        return logs[-1]

    if sources.LAIT_DICTIONARY in by_kind:
        dictionary = by_kind[sources.LAIT_DICTIONARY][0]
        lait_measures, every_short = lait.read_dictionary(dictionary.path, log_for(dictionary))
        tables.measures.append(lait_measures)
        if sources.LAIT_FIGURES in by_kind:  # LAIT's figures are only read against its dictionary
            table = by_kind[sources.LAIT_FIGURES][0]
            lait_figures, tables.lait_authorities, unknown = lait.read_figures(
                table.path, lait_measures, every_short, log_for(table))
            tables.figures.append(lait_figures)
            if unknown:
                notes.append(Problem(table.path.name, "", "Short Desc", ", ".join(sorted(unknown)[:20]),
                                     "a measure in the data dictionary; these measures were left out"))
    for source in by_kind.get(sources.CSC_FILE, []):
        measures, figures, authorities = csc_files.read_csc_file(source.path, log_for(source))
        tables.measures.append(measures)
        tables.figures.append(figures)
        tables.statistics_authorities.append(authorities)
    if sources.POPULATION in by_kind:
        people = by_kind[sources.POPULATION][0]
        tables.population = population.read_population(people.path, log_for(people))
    for kind, default in ((sources.NEIGHBOURS_2025, "2025"), (sources.NEIGHBOURS_2021, "2021")):
        for source in by_kind.get(kind, []):
            rows, names = neighbours.read_neighbours(source.path, neighbours.model_label(source.path, default),
                                                     log_for(source))
            tables.neighbours.append(rows)
            tables.neighbour_names.append(names)
    models = [frame["model"].first() for frame in tables.neighbours if frame.height]
    if len(models) != len(set(models)):
        problems.append(Problem(str(folder), "", None, ", ".join(models), "one file per neighbour model year"))
    problems += [problem for log in logs for problem in log.problems]
    return tables, problems, notes


def build(folder: Path, out: Path = SHIPPED_FILE) -> BuildSummary:
    """Read every file of a DfE download in ``folder`` and write the benchmark database to ``out``.

    Raises IngestError with every problem found; ``out`` is then left untouched.
    """
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise IngestError([Problem(str(folder), "", None, None, "a folder of DfE downloads")])
    tables, problems, notes = _read_all(folder)
    if problems:
        raise IngestError(problems)

    measures = pl.concat(tables.measures).sort("measure_id")
    # sorted so equal values sit together: DuckDB then compresses the file to a few megabytes
    figures = pl.concat(tables.figures).sort("measure_id", "geography", "area_code", "year_ending", "year")
    statistics_authorities = (pl.concat(tables.statistics_authorities) if tables.statistics_authorities
                              else pl.DataFrame(schema=csc_files.AUTHORITY_SCHEMA))
    neighbour_rows = pl.concat(tables.neighbours).sort("model", "la_code", "rank")
    authorities = merge_authorities(statistics_authorities, tables.lait_authorities,
                                    pl.concat(tables.neighbour_names), figures)
    about = pl.DataFrame({"key": ["attribution", "licence", "built_at", "carelens_version", "built_from"],
                          "value": [sources.ATTRIBUTION, sources.LICENCE,
                                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                    metadata.version("carelens"), folder.name]})
    frames = {"measures": measures, "figures": figures, "authorities": authorities.cast(AUTHORITIES_SCHEMA),
              "neighbours": neighbour_rows, "population": tables.population,
              "sources": pl.DataFrame(tables.sources), "about": about}

    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    os.unlink(temporary)  # DuckDB creates the file itself
    try:
        connection = duckdb.connect(temporary)
        try:
            connection.execute(SCHEMA_SQL)
            for name, frame in frames.items():
                connection.register("incoming", frame.to_arrow())
                connection.execute(f"INSERT INTO {name} BY NAME SELECT * FROM incoming")
                connection.unregister("incoming")
            connection.execute("CHECKPOINT")
        finally:
            connection.close()
        os.replace(temporary, out)
    finally:
        for leftover in (Path(temporary), Path(temporary + ".wal")):
            leftover.unlink(missing_ok=True)

    published = figures.filter(pl.col("value").is_not_null())
    return BuildSummary(
        out=out, measures=measures.height, figures=figures.height, published_figures=published.height,
        authorities=authorities.height,
        years=(int(published["year_ending"].min() or 0), int(published["year_ending"].max() or 0)),
        neighbour_models=sorted(set(neighbour_rows["model"].to_list())), size_bytes=out.stat().st_size,
        files=len(tables.sources), skipped=notes)
