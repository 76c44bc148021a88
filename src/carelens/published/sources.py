"""Recognising the files of a DfE download by their columns, and recording where each came from.

Files are recognised by the columns they carry, not by name, so a newer download
(``b1_children_in_need_2013_to_2026.csv``) is read the same way.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

LAIT_FIGURES = "lait figures"
LAIT_DICTIONARY = "lait dictionary"
POPULATION = "population"
NEIGHBOURS_2025 = "neighbours 2025"
NEIGHBOURS_2021 = "neighbours 2021"
CSC_FILE = "csc statistics"

REQUIRED_KINDS = (LAIT_FIGURES, LAIT_DICTIONARY, POPULATION, NEIGHBOURS_2025)

LICENCE = "Open Government Licence v3.0"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/). "
    "© Crown copyright, Department for Education and Office for National Statistics. "
    "Sources: DfE Local Authority Interactive Tool (github.com/dfe-analytical-services/"
    "local-authority-interactive-tool, 01_data/02_prod/); DfE children's social care outcomes and "
    "enablers data (github.com/dfe-analytical-services/CSC_outcomes_and_enablers, data-raw/), "
    "from the DfE statistics publications 'Children in need', 'Children looked after in England "
    "including adoptions', 'Children's social work workforce', ONS mid-year population estimates "
    "and the DfE statistical neighbour models (2021 and 2025)."
)
_LAIT_ORIGIN = "github.com/dfe-analytical-services/local-authority-interactive-tool 01_data/02_prod/"
_CSC_ORIGIN = "github.com/dfe-analytical-services/CSC_outcomes_and_enablers data-raw/"

# Files a DfE download carries that the benchmarks do not use, with the reason given to the user.
_NOT_USED_SUFFIXES = {
    ".ods": "a spreadsheet (e.g. Ofsted inspection outcomes): not used by the benchmarks",
    ".xlsx": "a spreadsheet (e.g. the source workbook of the 2025 neighbour model): not used; "
             "the CSV of the same model is read",
    ".md": "documentation", ".txt": "documentation",
}


@dataclass(frozen=True)
class SourceFile:
    """One recognised input file."""

    path: Path
    kind: str

    @property
    def publisher(self) -> str:
        return "Office for National Statistics (via DfE)" if self.kind == POPULATION else "Department for Education"

    @property
    def origin(self) -> str:
        return _LAIT_ORIGIN if self.kind in (LAIT_FIGURES, LAIT_DICTIONARY) else _CSC_ORIGIN


def csv_header(path: Path) -> list[str]:
    """The header row of a CSV file, without a byte-order mark or surrounding spaces."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        row = next(csv.reader(handle), [])
    return [name.strip() for name in row]


def file_columns(path: Path) -> list[str]:
    if path.suffix.lower() == ".parquet":
        return list(pl.read_parquet_schema(path))
    return csv_header(path)


def kind_of(columns: list[str]) -> str | None:
    """Which input this is, from its columns; None when not recognised."""
    names = set(columns)
    if {"Short Desc", "Years", "LA and Regions", "Values", "LA Number"} <= names:
        return LAIT_FIGURES
    if {"Measure_code", "Measure_short", "Polarity"} <= names:
        return LAIT_DICTIONARY
    if {"old_la_code", "SN_1", "SN_1P"} <= names:
        return NEIGHBOURS_2025
    if {"SN1", "SNP"} <= names:
        return NEIGHBOURS_2021
    if {"time_period", "geographic_level"} <= names:
        if "age_group" in names:  # the population file; its other columns are checked when read
            return POPULATION
        return CSC_FILE
    return None


def recognise(folder: Path) -> tuple[list[SourceFile], list[tuple[Path, str]]]:
    """The recognised files of a download folder, and the others with why they are skipped."""
    recognised: list[SourceFile] = []
    skipped: list[tuple[Path, str]] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        suffix = path.suffix.lower()
        if suffix in _NOT_USED_SUFFIXES:
            skipped.append((path, _NOT_USED_SUFFIXES[suffix]))
            continue
        if suffix not in (".csv", ".parquet"):
            skipped.append((path, "not a CSV or Parquet file"))
            continue
        try:
            kind = kind_of(file_columns(path))
        except Exception as error:  # noqa: BLE001 - any unreadable file is reported, never a traceback
            skipped.append((path, f"could not be read: {error}"))
            continue
        if kind is None:
            skipped.append((path, "columns not recognised as a DfE benchmark format"))
        else:
            recognised.append(SourceFile(path, kind))
    return recognised, skipped


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
