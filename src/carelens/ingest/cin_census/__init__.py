"""Reading a Children in Need (CIN) census XML file, of any collection year 2017–2026.

:func:`read_cin_census` turns one authority's CIN census return into an
:class:`~carelens.ingest.extract.Extract` of canonical store frames (``person``,
``disabilities``, ``referrals``, ``assessments``, ``assessment_factors``,
``cin_plans``, ``s47_enquiries``, ``initial_cp_conferences``, ``cp_plans``,
``cp_reviews``), each row carrying its provenance: the file, the collection year
and the line of the XML element it came from.

It is the inverse of the writer :mod:`carelens.returns.cin_census`. The file is
parsed once with lxml, validated against the DfE schema of the year its header
declares (the schemas for 2017–2026 ship in :mod:`carelens.return_specs`), walked once
into column lists, and turned into Polars frames in bulk. Every problem found —
malformed XML, schema errors, codes not valid in the year, impossible dates,
duplicate children — is collected and raised together as an
:class:`~carelens.problems.IngestError`; a file with any problem gives no
extract at all. ``docs/ingest/cin-census.md`` describes what is read and how
each column is derived.

The reading is split along its steps, which :func:`read_cin_census` takes in turn:
:mod:`.document` (the file as an XML document, checked against its year's schema), :mod:`.header`
(the collection year, census date and authority it declares), :mod:`.walk` (every record gathered
into column lists), :mod:`.schema_errors` (the schema's errors in the census's words, and content of
another year than the header's), :mod:`.frames` (the records as frames, with their codes, flags and
identifiers checked), :mod:`.dates` (how dates are read, and the impossible ones) and
:mod:`.store_frames` (the store frames with their identifiers). :mod:`.codes` holds the code lists
by year, and :mod:`.problems` what was found amiss, raised together.

Identifiers are built from the data (:mod:`carelens.ingest.identity`): the child
and the date a record started, with a letter for its kind (R referral,
A assessment, N CIN plan, S section 47 enquiry, I conference, C CP plan,
Q CP review). Loading the same file twice gives the same identifiers, and the
same referral in two census years gets the same one.
"""

from __future__ import annotations

import gc
from pathlib import Path

from carelens.ingest.cin_census.dates import check_dates
from carelens.ingest.cin_census.document import MAX_FILE_BYTES, VALIDATION_BATCH, parse, root_ok, validate
from carelens.ingest.cin_census.frames import read_frames
from carelens.ingest.cin_census.header import read_header
from carelens.ingest.cin_census.problems import Problems
from carelens.ingest.cin_census.schema_errors import schema_problems
from carelens.ingest.cin_census.store_frames import TABLES, canonical
from carelens.ingest.cin_census.walk import walk
from carelens.ingest.extract import Extract
from carelens.model.code_lists import collection_period as census_period
from carelens.problems import IngestError
from carelens.return_specs.cin_census import schema_path, xml_schema

__all__ = ["MAX_FILE_BYTES", "TABLES", "VALIDATION_BATCH", "IngestError", "census_period", "read_cin_census",
           "schema_path"]

# the reader's limits and first years, still named here as before the reading was split into modules
from carelens.ingest.cin_census.codes import FIRST_SEX_YEAR  # noqa: E402, F401
from carelens.ingest.cin_census.dates import EARLIEST_DATE, LATEST_DATE, UNBORN_MONTHS  # noqa: E402, F401
from carelens.ingest.cin_census.frames import MAX_ID_LENGTH  # noqa: E402, F401
from carelens.ingest.cin_census.schema_errors import FIRST_CIN_PLAN_YEAR, MAX_SCHEMA_PROBLEMS  # noqa: E402, F401

# the store's column types, without importing DuckDB and Ibis
from carelens.model.column_types import POLARS_TYPES as _POLARS_TYPES  # noqa: E402, F401

KIND = "cin_census"


def read_cin_census(path: str | Path, la_code: str | None = None) -> Extract:
    """Read one CIN census XML file (any collection year 2017–2026) into an :class:`Extract`.

    The year is the header's ``CollectionDetails/Year`` (or, without it, the year of
    ``ReferenceDate``) and the file is checked against that year's DfE schema. The
    authority is the header's ``Source/LEA``, or ``la_code`` when the header has
    none; when both are given they must agree.

    Raises :class:`IngestError` listing every problem found (file, line, field,
    value, what was expected); nothing is returned for a file with problems.
    """
    name = str(path)
    log = Problems(name)
    # The walk creates hundreds of thousands of short-lived objects and no reference cycles; pausing
    # the cyclic garbage collector meanwhile saves about a tenth of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        extract = _read(Path(path), name, la_code, log)
    finally:
        if collecting:
            gc.enable()
    if extract is None or log.items:
        log.raise_all()
    return extract


def _read(path: Path, name: str, la_arg: str | None, log: Problems) -> Extract | None:
    """The steps of one reading; None once a problem leaves nothing to read further."""
    tree = parse(path, log)
    if tree is None:
        return None
    root = tree.getroot()
    if not root_ok(tree, root, log):
        return None
    header = read_header(root, la_arg, log)
    if not header.year:
        return None
    valid, errors = validate(xml_schema(header.year), tree)
    raw = walk(root)
    mismatch = schema_problems(errors, valid, raw, header.year, log)
    if mismatch.year:
        # Every date and code would be judged against the wrong year: the mismatch is the problem.
        return None
    frames = read_frames(raw, header.year, mismatch.sex, log)
    check_dates(frames, raw, header.reference_date, log)
    if log.items or header.la_code is None:
        return None
    start, end = census_period(header.year)
    return Extract(KIND, header.la_code, header.year, start, end, [name],
                   canonical(frames, header.la_code, name, header.year))
