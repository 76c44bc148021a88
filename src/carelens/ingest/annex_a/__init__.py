"""Reading an Ofsted ILACS Annex A workbook (lists 1–11) into canonical rows.

    from carelens.ingest.annex_a import read_annex_a
    extract = read_annex_a("annex_a.xlsx", la_code="890", period_end=date(2025, 3, 31))

An Annex A workbook is what a council sends Ofsted before an inspection of its
children's services: eleven lists, one sheet each, of the children (and adopters)
it worked with in the months before the inspection. It is a *snapshot*: each list
gives one row per child or per event with the latest facts, not the history that
led to them. This reader turns the lists into the store's tables as far as they
carry the store's facts, and says (in ``Extract.notes``) what it could not carry.

What is read (see ``docs/ingest/annex-a.md`` for the full mapping and its limits):

- **Sheets** are found by name (``List 1 …``, ``List_3``, ``list 10 - adoption``) or,
  when a council renamed them, by their columns. The header row is found in the
  first 15 rows; row numbers in problems and in ``source_row`` are the row numbers
  Excel shows.
- **Columns** are found by their Annex A header, case, spacing and punctuation
  ignored, or by a known variant (:data:`LISTS` records every header and variant
  accepted, including the header patterns of the shared Annex A schema).
- **Values** the template gives as text ("a) Male", "d) Emotional Abuse",
  "g) A3: Placed for adoption …", "WBRI - White British") are mapped to store codes by
  the tables in :mod:`.codings` (each coded column's ``text``) and, for ethnicity,
  :data:`~carelens.ingest.coded_text.ETHNICITY_TEXT`. A value that carries a code
  of the right code list ("N4 - Family in acute stress", "PR1", "[WBRI]") gives that
  code. The older template's group values ("a) Foster placement", "d) Health services")
  name a *group* of codes, not one: they are stored as the group's catch-all code
  listed in the coding's ``group`` table and counted in the notes.
- **Anything else** (an unknown value, an impossible date, a missing sheet or column,
  a file that is not a workbook) is a :class:`~carelens.problems.Problem`; every
  problem in the workbook is collected and raised together as
  :class:`~carelens.problems.IngestError`. Nothing else escapes.

The reading is split along its steps, which :func:`read_annex_a` takes in turn:
:mod:`.workbook` (the sheets, and each list's sheet, header row and rows), :mod:`.records` (each
list's rows as records, through :mod:`.cells`, a cell's typed value, and :mod:`.people`, a
child's characteristics from every list), and :mod:`.linking` (the records linked across lists,
with their identifiers, as store frames, built by :mod:`.store_frames`). :mod:`.lists` holds the
lists' specifications and :mod:`.codings` the template's texts of each coded column; how a text
becomes a code, shared with the SSD reader, is :mod:`carelens.ingest.coded_text`.

Identifiers are built with :func:`carelens.ingest.identity.natural_id` from the child and
the record's date: K contact, Y early help, R referral, A assessment, S s47 enquiry,
I ICPC, C CP plan, E looked-after episode, and for records the statutory returns do not
name: P period of care, PL placement, LS legal status, AD adoption (permanence) record,
CR CP review, CV CP visit, RV looked-after review, VS looked-after visit, HA health
assessment, HD dental check.

Framework note: :class:`AnnexAExtract` extends :class:`~carelens.ingest.extract.Extract`
with ``notes`` (what was skipped or approximated), implemented here rather than in the
shared framework.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from carelens.ingest.annex_a.cells import Reading, parse_date
from carelens.ingest.annex_a.codings import (
    ACCOMMODATION_TYPE,
    ACTIVITY,
    CATEGORY_OF_ABUSE,
    CLOSURE_REASON,
    CODINGS,
    DECISION_REVERSED_REASON,
    ELIGIBILITY,
    IN_TOUCH,
    LEGAL_STATUS,
    PLACEMENT_LOCATION,
    PLACEMENT_TYPE,
    PRIMARY_NEED,
    PROVIDER,
    REASON_CEASED,
    SEX,
    SOURCE,
    SUITABILITY,
    YES_NO,
    YES_NO_UNKNOWN,
)
from carelens.ingest.annex_a.linking import NOT_RECORDED, link
from carelens.ingest.annex_a.lists import LISTS, REQUIRED_LISTS, Col, ListSpec
from carelens.ingest.annex_a.people import Person, people_frames
from carelens.ingest.annex_a.records import read_records
from carelens.ingest.annex_a.workbook import HEADER_SEARCH_ROWS, SUFFIXES, ListRows, load_workbook, read_list, recognise
from carelens.ingest.coded_text import ETHNICITY_TEXT, NOT_GIVEN, SKIP_ROW, Coding, ethnicity_code, text_key
from carelens.ingest.extract import Extract
from carelens.model.tables import table as _store_table
from carelens.problems import ProblemLog

__all__ = [
    "ACCOMMODATION_TYPE", "ACTIVITY", "CATEGORY_OF_ABUSE", "CLOSURE_REASON", "CODINGS", "DECISION_REVERSED_REASON",
    "ELIGIBILITY", "ETHNICITY_TEXT", "HEADER_SEARCH_ROWS", "IN_TOUCH", "LEGAL_STATUS", "LISTS", "NOT_GIVEN",
    "NOT_RECORDED", "PLACEMENT_LOCATION", "PLACEMENT_TYPE", "PRIMARY_NEED", "PROVIDER", "REASON_CEASED",
    "REQUIRED_LISTS", "SEX", "SKIP_ROW", "SOURCE", "SUFFIXES", "SUITABILITY", "YES_NO", "YES_NO_UNKNOWN",
    "AnnexAExtract", "Coding", "Col", "ListSpec", "ethnicity_code", "parse_date", "read_annex_a", "text_key",
]


def table_columns(name: str) -> list[str]:
    """The store table's columns, in the store's order."""
    return _store_table(name).column_names


@dataclass
class AnnexAExtract(Extract):
    """An :class:`Extract` that also says what was skipped or approximated, one line each."""

    notes: list[str] = field(default_factory=list)


def read_annex_a(path: str | Path, la_code: str, period_end: dt.date | None = None) -> AnnexAExtract:
    """Read an Annex A workbook into canonical frames, or raise :class:`IngestError` with every problem.

    ``period_end`` is the date the lists were drawn up to (usually the day before the
    inspection). When given, event dates after it are problems, the care-leaver age is taken
    at that date when no contact date is given, and codes are checked against its collection
    year when a row has no date of its own.
    """
    path = Path(path)
    file = str(path)
    log = ProblemLog(file)
    notes: list[str] = []
    sheets = load_workbook(path, log)
    if sheets is None:
        log.raise_if_any()
    if not any(any(v is not None for v in row) for s in sheets for row in s.rows):
        log.add("", None, None, "an Annex A workbook with its lists (the workbook is empty)")
        log.raise_if_any()
    found = recognise(sheets, log, notes)
    for number in REQUIRED_LISTS:
        if number not in found:
            spec = LISTS[number]
            needed = ", ".join(f"'{c.header}'" for c in spec.columns if c.required)
            log.add("", f"List {number}", None,
                    f"a sheet for List {number} ({spec.title}): named 'List {number} …' or with the columns {needed}")
    lists: dict[int, ListRows] = {}
    for number, (sheet, header_index, columns) in sorted(found.items()):
        if header_index < 0:
            continue
        lists[number] = read_list(LISTS[number], sheet, header_index, columns, log)
    log.raise_if_any()

    ctx = Reading(path.name, la_code, period_end, log)
    people: dict[str, Person] = {}
    records = read_records(ctx, lists, people)
    # records are linked only when every row read cleanly; the people are checked either way, so a
    # workbook's problems are all found in one reading
    out = {} if log.problems else link(ctx, records, people)
    person_frames = people_frames(ctx, people)
    log.raise_if_any()
    out.update(person_frames)
    if 11 in lists and lists[11].rows:
        notes.append(f"List 11 (adopters): {len(lists[11].rows)} rows not read; the store has no table for "
                     "prospective adopters.")
    notes += [f"{text} ({n} rows)." for text, n in sorted(ctx.notes.items())]
    frames = {name: f.select([c for c in table_columns(name) if c in f.columns]) for name, f in out.items()}
    return AnnexAExtract(kind="annex_a", la_code=la_code, collection_year=None, period_start=None,
                         period_end=period_end, files=[file], frames=frames, notes=notes)

