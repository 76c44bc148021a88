"""Small hand-made published-figures files in the shipped file's schema, for hand-checked tests.

``write_published(path, ...)`` writes every table of the contract (measures, figures, authorities,
neighbours, population, sources, about) from short Python lists, so a test can state each figure.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from carelens.published.build import SCHEMA_SQL

SCHEMA = SCHEMA_SQL  # the shipped file's own tables

ENGLAND = "E92000001"
REGIONS = {"E12000001": "North East", "E12000002": "North West"}


def measure(measure_id: str, polarity: str, unit: str = "Rate per 10,000", quartiles: bool = True,
            title: str | None = None, lait_code: str | None = None) -> tuple:
    return (measure_id, "LAIT", lait_code, measure_id, title or measure_id, "Test", polarity, unit, quartiles,
            "Financial Year", "")


def la_figure(measure_id: str, year: str, year_ending: int, la_code: str, value: float | str) -> tuple:
    """An authority's figure; a string value is a suppression mark ('c', 'x', 'z', 'low')."""
    number, status = (None, value) if isinstance(value, str) else (float(value), "published")
    return (measure_id, year, year_ending and str(year_ending), year_ending, "la", la_code, la_code, number, status)


def area_figure(measure_id: str, year: str, year_ending: int, geography: str, code: str, value: float) -> tuple:
    name = "England" if code == ENGLAND else REGIONS.get(code, code)
    return (measure_id, year, str(year_ending), year_ending, geography, code, name, float(value), "published")


def authority(la_code: str, name: str, region_code: str = "E12000002", gss: str | None = None) -> tuple:
    return (la_code, gss or f"E06000{la_code}", name, region_code, REGIONS.get(region_code, region_code),
            REGIONS.get(region_code, region_code), 2010, 2025)


def write_published(path: Path, measures: list[tuple], figures: list[tuple], authorities: list[tuple],
                    neighbours: dict[str, dict[str, list[str]]]) -> Path:
    """Write the file. ``neighbours``: model -> authority -> neighbour codes in rank order."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA)
        con.executemany("INSERT INTO measures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", measures)
        con.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", figures)
        con.executemany("INSERT INTO authorities VALUES (?, ?, ?, ?, ?, ?, ?, ?)", authorities)
        rows = [(model, la, rank, code, "Close") for model, by_la in neighbours.items()
                for la, codes in by_la.items() for rank, code in enumerate(codes, start=1)]
        if rows:
            con.executemany("INSERT INTO neighbours VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("INSERT INTO about VALUES ('attribution', 'Test figures, not DfE''s.')")
    finally:
        con.close()
    return path
