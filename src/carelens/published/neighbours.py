"""DfE statistical neighbour models: for each authority, the ten most similar authorities, closest first.

Two layouts are read: the 2025 model (columns SN_1 … SN_10 with closeness SN_1P …) and the 2021
model, whose header repeats 'SNP' after every 'SN1' … 'SN10' (so columns are found by position).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl

from carelens.published.areas import la_code
from carelens.published.problems import ProblemLog

NEIGHBOUR_SCHEMA = {"model": pl.String, "la_code": pl.String, "rank": pl.Int32, "neighbour_code": pl.String,
                    "closeness": pl.String}
NAME_SCHEMA = {"la_code": pl.String, "name": pl.String, "region_name": pl.String}


def model_label(path: Path, default: str) -> str:
    """The model's year from the file name ('sn_model_2025_wide.csv' → '2025'), else ``default``."""
    years = re.findall(r"(?<!\d)(20\d{2})(?!\d)", path.stem)
    return years[-1] if years else default


def read_neighbours(path: Path, model: str, log: ProblemLog) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(neighbour rows, authority names and regions) of one model file."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        rows = list(csv.reader(handle))
    header = [name.strip() for name in rows[0]] if rows else []
    layout_2025 = "SN_1" in header
    code_column = "old_la_code" if layout_2025 else "LA num"
    name_column = "la_name" if layout_2025 else "LA Name"
    region_column = "region_name" if layout_2025 else "GOReg"
    positions: list[tuple[int, int, int]] = []  # (rank, neighbour column, closeness column)
    for rank in range(1, 11):
        name = f"SN_{rank}" if layout_2025 else f"SN{rank}"
        if name not in header:
            log.add("header", name, None, f"a column named {name!r}")
            continue
        at = header.index(name)
        positions.append((rank, at, at + 1))
    for required in (code_column, name_column):
        if required not in header:
            log.add("header", required, None, f"a column named {required!r}")
    if log.problems:
        return pl.DataFrame(schema=NEIGHBOUR_SCHEMA), pl.DataFrame(schema=NAME_SCHEMA)

    code_at, name_at = header.index(code_column), header.index(name_column)
    region_at = header.index(region_column) if region_column in header else len(header)
    neighbours, names = [], []
    for line, cells in enumerate(rows[1:], start=2):
        # padded so a short row reads as blanks; the extra cell stands in for a missing region column
        cell = ([text.strip() for text in cells] + [""] * (len(header) + 1 - len(cells))).__getitem__
        if cell(code_at) == "":  # a blank or a section heading ('Old SNs:') between blocks of rows
            continue
        code = la_code(cell(code_at))
        if code is None:
            log.add(f"row {line}", code_column, cell(code_at), "the authority's 3-digit DfE code")
            continue
        names.append((code, cell(name_at) or None, cell(region_at) or None))
        for rank, neighbour_at, closeness_at in positions:
            text = cell(neighbour_at)
            if text == "":  # a few authorities (City of London, Isles of Scilly) have fewer neighbours
                continue
            neighbour = la_code(text)
            if neighbour is None:
                log.add(f"row {line}", header[neighbour_at], text, "a neighbour's 3-digit DfE code")
                continue
            neighbours.append((model, code, rank, neighbour, " ".join(cell(closeness_at).split()) or None))
    return (pl.DataFrame(neighbours, schema=NEIGHBOUR_SCHEMA, orient="row"),
            pl.DataFrame(names, schema=NAME_SCHEMA, orient="row"))
