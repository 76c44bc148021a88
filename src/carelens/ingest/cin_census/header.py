"""The census header: which collection year the file is, its census date, and whose it is."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from carelens.collection_years import COLLECTION_YEARS
from carelens.ingest.cin_census.dates import parse_date
from carelens.ingest.cin_census.problems import Problems, line_of, short
from carelens.ingest.cin_census.walk import text_of
from carelens.model import code_lists
from carelens.model.code_lists import collection_period as census_period

_YEAR = re.compile(r"^(?P<year>-?\d{1,9})(?:Z|[+-]\d{2}:\d{2})?$")


class Header(NamedTuple):
    year: int  # the collection year; 0 when the header gives none CareLens reads
    reference_date: dt.date | None  # the census date: ReferenceDate, else 31 March of the year
    la_code: str | None  # the authority; None when it is missing or contradicted


def read_header(root, la_arg: str | None, log: Problems) -> Header:
    """The collection year, census date and authority the header declares; a problem for anything
    amiss (the year is then 0, or the authority None)."""
    year_el = root.find("Header/CollectionDetails/Year")
    ref_el = root.find("Header/CollectionDetails/ReferenceDate")
    year = None
    known_year, census = 0, None
    if (text := text_of(year_el)) is not None:
        m = _YEAR.match(text)
        if m is None:
            log.add(line_of(year_el), "Year", short(text, 50), "a four-digit collection year, e.g. 2025")
        else:
            year = int(m["year"])
    reference = None
    if (text := text_of(ref_el)) is not None:
        reference = parse_date(text)
        if reference is None:
            log.add(line_of(ref_el), "ReferenceDate", short(text, 50),
                    "a date YYYY-MM-DD (the census date, 31 March of the collection year)")
    if year is None and reference is not None:
        year = code_lists.collection_year(reference)
    elif (year is not None and reference is not None and year in COLLECTION_YEARS
          and code_lists.collection_year(reference) != year):
        log.add(line_of(ref_el), "ReferenceDate", reference.isoformat(),
                f"a date in collection year {year} (1 April {year - 1} to 31 March {year}), as the "
                "header's Year says")
        reference = None  # the census date is then the end of the declared year
    if year is None:
        if year_el is None and ref_el is None:
            log.add(line_of(root), "Year", None, "Header/CollectionDetails/Year (or ReferenceDate): "
                    "without it CareLens cannot tell which year's schema and codes apply")
    elif year not in COLLECTION_YEARS:
        log.add(line_of(year_el if year_el is not None else ref_el), "Year", year,
                f"a collection year {COLLECTION_YEARS[0]}–{COLLECTION_YEARS[-1]} (CareLens reads CIN census "
                "returns of these years)")
    else:
        known_year = year
        census = reference or census_period(year)[1]

    leas = [e for e in root.findall("Header/Source/LEA")]
    codes = {t for e in leas if (t := text_of(e)) is not None}
    lea = text_of(leas[0]) if leas else None
    if len(codes) > 1:
        log.add(line_of(leas[1]), "LEA", short(text_of(leas[1]) or "", 50),
                f"one authority per file (the first Source says LEA {lea})")
    arg = la_arg
    if arg is not None and not (isinstance(arg, str) and re.fullmatch(r"[0-9]{3}", arg)):
        log.add(None, "la_code", arg, "the 3-digit DfE authority number")
        return Header(known_year, census, None)
    if lea is not None and arg is not None and lea != arg:
        log.add(line_of(leas[0]), "LEA", lea, f"the authority the file was loaded for ({arg}), as given "
                "in la_code")
        return Header(known_year, census, None)
    la_code = lea if lea is not None else arg
    if la_code is None:
        log.add(line_of(root), "LEA", None, "Header/Source/LEA, or an la_code given with the file: "
                "the authority the return belongs to")
    elif not re.fullmatch(r"[0-9]{3}", la_code):
        log.check(line_of(leas[0]), "LEA", short(la_code, 50), "the 3-digit DfE authority number")
        return Header(known_year, census, None)
    return Header(known_year, census, la_code)
