"""The DfE CIN census XML schemas CareLens ships (``cin_census_xsd/``), for reading and writing.

One schema per collection year 2017–2026 (see ``cin_census_xsd/README.md`` for their source and
licence). Both the reader (:mod:`carelens.ingest.cin_census`) and the writer
(:mod:`carelens.returns.cin_census`) validate against them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

from carelens.collection_years import COLLECTION_YEARS

def schema_path(year: int) -> Path:
    """The shipped DfE CIN census XSD for collection ``year`` (2017–2026)."""
    if year not in COLLECTION_YEARS:
        raise ValueError(f"CareLens ships CIN census schemas for {COLLECTION_YEARS[0]}–{COLLECTION_YEARS[-1]}, "
                         f"not {year}")
    return Path(str(resources.files("carelens.return_specs") / "cin_census_xsd" / f"CIN_schema_{year}.xsd"))


@cache
def xml_schema(year: int) -> etree.XMLSchema:
    """The compiled schema for collection ``year`` (compiled once per process)."""
    return etree.XMLSchema(etree.parse(str(schema_path(year))))
