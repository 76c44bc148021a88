"""Reading an SSDA903 (children looked after) return into canonical store rows.

The inverse of :mod:`carelens.returns.ssda903`: one authority's return for one
collection year, as the CSV files councils send the DfE (a folder, or the files)
or as an SSDA903 XML file, becomes an :class:`~carelens.ingest.extract.Extract`
of kind ``"ssda903"``. ``docs/ingest/ssda903.md`` describes what is read, how each
canonical column is derived and every check.

* **Tables by their columns.** Each CSV file is recognised by its header row, not
  its name: column order, case, stray spaces, a byte-order mark, UTF-8 or
  Windows-1252 do not matter, extra columns are ignored. The column lists are the
  writer's (:func:`carelens.returns.ssda903.table_spec`).
* **The year.** The 903 has no year field: pass ``year``, or it is read from the folder or
  file names (``ssda903_2020-21``, ``903_2021``), or else inferred as the collection year most
  of the return's episode, review and missing dates fall in (so one stray date cannot move it).
* **Everything checked, all at once.** Dates, codes (valid for the year, see
  :mod:`carelens.model.code_lists`), required fields, lengths, duplicate children,
  overlapping episodes … every problem in every file is collected and raised
  together as :class:`~carelens.problems.IngestError`; nothing is returned
  from a return with problems.
* **Holding children back.** With ``hold_back``, a return whose every problem is one child's
  is read without those children (all their rows, in every table) instead of refused; the
  extract names them and their problems in ``held_back``.
* **Vectorised.** All checks and derivations are Polars expressions over whole
  tables; there is no Python loop over rows except to word the problems found.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import polars as pl

from carelens.collection_years import COLLECTION_YEARS, year_label
from carelens.ingest import formats
from carelens.ingest.extract import Extract, HeldBackChild
from carelens.ingest.identity import deduplicated, natural_id
from carelens.ingest.looked_after_history import derive_from_episodes
from carelens.ingest.text_files import read_csv_text
from carelens.model import code_lists
from carelens.model.store import polars_schema
from carelens.problems import IngestError, Problem, ProblemLog
from carelens.return_specs import ssda903 as spec903

KIND = "ssda903"
MAX_CELL = 100
"""Longest value accepted in any cell (the longest real 903 value, a child or worker id, is far
shorter); a longer value is a problem, reported with its first characters only."""
MAX_FILE_BYTES = 1 << 30
"""Files larger than this (1 GiB; a large authority's episodes file is a few MB) are not read."""

# Our table names are the writer's; these are the names users see (the writer's file names).
TABLES = tuple(spec903.FILES)
DISPLAY = {t: spec903.FILES[t][1].removesuffix(".csv") for t in TABLES}
REQUIRED_TABLES = ("header", "episodes")

# 903 column -> code list, per table (SEX and the 0/1 flags are handled on their own)
CODE_LISTS: dict[tuple[str, str], str] = {
    ("header", "ETHNIC"): "ethnicity",
    ("episodes", "RNE"): "reason_new_episode",
    ("episodes", "LS"): "legal_status",
    ("episodes", "CIN"): "cin_primary_need",
    ("episodes", "PLACE"): "placement_type",
    ("episodes", "PLACE_PROVIDER"): "placement_provider",
    ("episodes", "REC"): "reason_episode_ceased",
    ("episodes", "REASON_PLACE_CHANGE"): "reason_place_change",
    ("reviews", "REVIEW_CODE"): "review_participation",
    ("oc2", "SDQ_REASON"): "sdq_reason",
    ("oc3", "IN_TOUCH"): "care_leaver_in_touch",
    ("oc3", "ACTIV"): "care_leaver_activity",
    ("oc3", "ACCOM"): "care_leaver_accommodation",
    ("ad1", "SEX_ADOPTR"): "adopter_sex",
    ("ad1", "LS_ADOPTR"): "adopter_legal_status",
    ("placed_adoption", "REASON_PLACED_CEASED"): "reason_placed_ceased",
    ("prev_perm", "PREV_PERM"): "previous_permanence_option",
    ("missing", "MISSING"): "missing_type",
    ("social_worker", "SW_REASON"): "social_worker_change_reason",
}
# Store code lists that are wider than the 903 item: the 903 spec's codes narrow them in every year.
NARROWER_IN_903 = {("episodes", "CIN"), ("placed_adoption", "REASON_PLACED_CEASED")}
SEX = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}  # 1/2 until 2024, M/F/U from 2025: both accepted
UPN_UNKNOWN = r"^UN\d{1,2}$"  # the UPN item holds a reason code (UN1 …) when the UPN is not known
FLAG = ("0", "1")
SW_GAP_DAYS = 7  # a social worker episode within 7 days of the last one continues it (the writer's rule)
ADOPTED = ("E11", "E12")
# dates that record events in the year: none may fall after 31 March of the collection year
EVENT_DATES = {"episodes": ("DECOM", "DEC"), "reviews": ("REVIEW",), "missing": ("MIS_START", "MIS_END"),
               "social_worker": ("SW_DECOM", "SW_DEC"), "placed_adoption": ("DATE_PLACED", "DATE_PLACED_CEASED"),
               "ad1": ("DATE_INT", "DATE_MATCH"), "header": ("DOB",)}
# dates the collection year is inferred from
YEAR_DATES = {"episodes": ("DECOM", "DEC"), "reviews": ("REVIEW",), "missing": ("MIS_START", "MIS_END")}
# tables with at most one row per child
ONE_PER_CHILD = ("header", "uasc", "oc2", "oc3", "ad1", "prev_perm")

# ---------------------------------------------------------------------------------- XML
# The SSDA903 XML councils produce for the DfE and the sector's validators (root EXPSSDA903):
# <CHILD><HEADER> leaves … groups … </HEADER><EPISODE> leaves </EPISODE>*</CHILD>*
XML_GROUPS = {"AREVIEW": "reviews", "AMISSING": "missing", "OC2": "oc2", "PERMANENCE": "prev_perm",
              "AD_PLACED": "placed_adoption", "SW_EPISODE": "social_worker", "OC3": "oc3", "AD1": "ad1"}
XML_RENAME = {"CHILDID": "CHILD", "PL": "PLACE"}
XML_TRUE = ("1", "Y", "YES", "TRUE", "T")


@dataclass
class _Table:
    """One table of the return as read: strings, normalised headers, ``_row`` and ``_file``."""

    name: str
    file: str
    frame: pl.DataFrame
    where: str = "row"  # "row" for CSV, "line" for XML


@dataclass
class _Problems:
    """Problems of the whole return, one log per file (each capped, so a hopeless file stays readable)."""

    logs: dict[str, ProblemLog] = field(default_factory=dict)
    # every child with a problem and how many, counted beyond the cap of the logs: holding back only
    # the children whose problems were listed would load the others' bad rows
    children: dict[str, int] = field(default_factory=dict)
    unattributed: bool = False  # a bad row beyond the cap that names no child
    empty_files: list[str] = field(default_factory=list)  # blank or header-only files: tables with no rows

    def log(self, file: str) -> ProblemLog:
        return self.logs.setdefault(file, ProblemLog(file))

    def add(self, file: str, location: str, field_name: str | None, value, expected: str,
            child: str | None = None) -> None:
        self.log(file).add(location, field_name, value, expected, child)

    def all(self) -> list[Problem]:
        return [p for log in self.logs.values() for p in log.problems]

    @property
    def whole_return(self) -> bool:
        """Whether a problem concerns the return or a file rather than one child (no child can be held back for it)."""
        return self.unattributed or any(p.child is None for p in self.all())

    def room(self, file: str) -> int:
        log = self.log(file)
        return max(0, log.limit - len(log.problems))


# ------------------------------------------------------------------------------- public API
def read_ssda903(paths: Sequence[str | Path] | str | Path, year: int | None = None,
                 la_code: str | None = None, hold_back: bool = False) -> Extract:
    """Read one authority's SSDA903 return for one collection year into canonical frames.

    ``paths`` are the return's CSV files, or folders holding them, or one SSDA903 XML
    file. ``year`` is the collection year (2025 = 2024/25); without it the year is
    taken from the folder or file names when they carry one, or else it is the collection
    year most of the episode, review and missing dates fall in. ``la_code`` is the
    authority's 3-digit DfE number; without it, it is taken from the child
    identifiers when they all begin with the same English authority's number.

    Raises :class:`IngestError` listing every problem found (file, row, field, value,
    what was expected); nothing is returned from a return with problems. With
    ``hold_back``, a return whose problems are all particular children's is returned
    without those children (every row of theirs, in every table), named with their
    problems in ``Extract.held_back``; a problem with a file or the whole return still
    raises.
    """
    problems = _Problems()
    files = _files(paths, problems)
    tables = _read_tables(files, problems)
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        # (a file that could not be read or recognised may well be the missing table: it is reported already)
        if files and not problems.all():
            for name in missing:
                cols = ", ".join(_recognition_columns()[name])
                problems.add(_return_name(paths, files), "", None, None,
                             f"a {DISPLAY[name]} table (a file with the columns {cols})")
        raise IngestError(problems.all())
    # with the header and the episodes in hand, the tables that were read are checked even when
    # another file could not be, so that every problem is reported at once

    where = _return_name(paths, files)
    year = _collection_year(tables, year, problems, where, _year_in_names(paths, files))
    la_code = _authority(tables, la_code, problems, where)
    if year is None:
        raise IngestError(problems.all())

    checked = {name: _check_table(t, year, problems) for name, t in tables.items()}
    _check_across_tables(checked, tables, year, problems)
    frames = _canonical(checked, tables, year, la_code or "", problems)
    held: dict[str, list[Problem]] = {}
    if problems.all() or problems.children:  # (a problem beyond the cap of the logs is still a problem)
        if not hold_back or problems.whole_return:
            raise IngestError(problems.all())
        # every problem is one child's: those children are held back whole, and the return is derived
        # again without them, so that nothing of theirs (not even a worker's first day) is loaded
        for child in problems.children:
            held[child] = []
        for p in problems.all():
            held[p.child].append(p)
        keep = ~pl.col("CHILD").is_in(list(held))
        frames = _canonical({name: f.filter(keep) for name, f in checked.items()}, tables, year, la_code or "",
                            _Problems())
    start, end = _collection_period(year)
    label = Path(where).name or where
    return Extract(kind=KIND, la_code=la_code or "", collection_year=year, period_start=start, period_end=end,
                   files=[str(f) for f in files], frames=frames,
                   notes=[f"{label}: {name} is empty (no rows)" for name in problems.empty_files],
                   held_back=[HeldBackChild(child, problems.children[child], ps) for child, ps in held.items()])


# ----------------------------------------------------------------------------- the files
def _files(paths, problems: _Problems) -> list[Path]:
    """The files of the return: those named, and every file in the folders named."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # every entry but folders and the clutter file managers leave: a FIFO or a device in the folder
            # is named as such when it is sniffed, not silently passed over
            found = sorted(p for p in path.iterdir() if not p.is_dir() and not p.name.startswith(".")
                           and p.name.lower() not in ("thumbs.db", "desktop.ini"))
            if not found:
                problems.add(str(path), "", None, None, "a folder holding the return's CSV files (it is empty)")
        elif path.exists() or path.is_symlink():
            found = [path]  # a regular file, or something else that _sniff names
        else:
            problems.add(str(path), "", None, None, "a file or folder that exists")
            continue
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(p)
    if not out and not problems.all():
        problems.add("(no files)", "", None, None, "the SSDA903 return's CSV files, a folder of them, or an XML file")
    return out


def _return_name(paths, files: list[Path]) -> str:
    if isinstance(paths, (str, Path)):
        return str(paths)
    paths = list(paths)
    if len(paths) == 1:
        return str(paths[0])
    return str(files[0].parent) if files else "(no files)"


def _sniff(path: Path, problems: _Problems) -> str | None:
    """``"csv"`` or ``"xml"`` from the file's first 4 KB (:mod:`carelens.ingest.formats`), or None with a
    problem saying what the file is instead (not a regular file, a workbook, a CIN census …)."""
    name = str(path)
    found = formats.identify(path)
    if found.kind == formats.UNREADABLE:
        if found.expected and found.expected.startswith("text or XML"):
            problems.add(name, "", None, None, "text in UTF-8 or Windows-1252 encoding (this file holds binary data "
                                               "or UTF-16/32 text)")
        else:
            problems.add(name, "", None, None, found.expected or "a readable file")
        return None
    if found.size > MAX_FILE_BYTES:
        problems.add(name, "", None, f"{found.size:,} bytes", f"a file of at most {MAX_FILE_BYTES:,} bytes")
        return None
    if found.kind == formats.CIN_CENSUS_XML:
        problems.add(name, "", None, None, "an SSDA903 return's CSV files or its XML file (this is a CIN census XML "
                                           "file: give it to carelens ingest on its own, not with an SSDA903 return)")
        return None
    if found.kind == formats.WORKBOOK:
        problems.add(name, "", None, None, "an SSDA903 return's CSV files or its XML file (this is an Excel "
                                           "workbook: save each of its sheets as a CSV file)")
        return None
    if found.is_xml:
        return "xml"  # (an XML file of no known kind is read to say what it lacks)
    if found.encoding == "utf-16":
        problems.add(name, "", None, None, "text in UTF-8 or Windows-1252 encoding (this file is UTF-16: save it "
                                           "as UTF-8 CSV)")
        return None
    return "csv"


def _read_tables(files: list[Path], problems: _Problems) -> dict[str, _Table]:
    """Each file recognised as a table of the return (or as a whole XML return)."""
    tables: dict[str, _Table] = {}
    kinds = {f: _sniff(f, problems) for f in files}
    xml = [f for f, k in kinds.items() if k == "xml"]
    if xml and (len(xml) > 1 or any(k == "csv" for k in kinds.values())):
        for f in xml[1:] if len(xml) > 1 else xml:
            problems.add(str(f), "", None, None, "one return: either its CSV files or a single SSDA903 XML file")
        return tables
    for f, kind in kinds.items():
        if kind == "xml":
            for name, table in _read_xml(f, problems).items():
                tables[name] = table
        elif kind == "csv":
            if _blank(f):
                # a case system writes a table with no records that year as a bare line break: an empty table
                # (which one cannot be told; if it was the header or episodes, that table is reported missing)
                problems.empty_files.append(f.name)
                continue
            table = _read_csv(f, problems)
            if table is None:
                continue
            if not len(table.frame):
                problems.empty_files.append(f.name)
            if table.name in tables:
                problems.add(table.file, "", None, None,
                             f"one file per table: the {DISPLAY[table.name]} table was already read from "
                             f"{tables[table.name].file}")
                continue
            tables[table.name] = table
    return tables


def _blank(path: Path) -> bool:
    """Whether the file holds nothing but white space (a few bytes at most: a line break, a byte-order mark)."""
    try:
        return path.stat().st_size <= 64 and not path.read_bytes().removeprefix(b"\xef\xbb\xbf").strip()
    except OSError:
        return False  # reported as unreadable when it is read


@functools.cache
def _recognition_columns() -> dict[str, tuple[str, ...]]:
    """The columns of every table (the same in every year; the social worker table from 2024)."""
    spec = spec903.table_spec(max(COLLECTION_YEARS))
    return {t: tuple(c.name for c in cols) for t, cols in spec.items()}


def _read_csv(path: Path, problems: _Problems) -> _Table | None:
    name = str(path)
    log = problems.log(name)
    try:
        frame = read_csv_text(path, log)
    except (pl.exceptions.PolarsError, ValueError) as e:  # e.g. two columns whose names differ only in case
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        log.add("", None, None, f"a well-formed CSV file with each column named once (the reader said: "
                                f"{first[:160]})")
        return None
    if frame is None:
        return None
    columns = set(frame.columns) - {"_row"}
    known = _recognition_columns()
    matches = [t for t, cols in known.items() if set(cols) <= columns]
    if not matches:
        def closeness(t):
            return len(set(known[t]) & columns) / len(known[t]), len(set(known[t]) & columns)
        closest = max(known, key=closeness)
        missing = [c for c in known[closest] if c not in columns]
        shown = ", ".join(sorted(columns))
        problems.add(name, "row 1", None, shown[:200],
                     f"the columns of an SSDA903 table; closest is {DISPLAY[closest]}, which also needs "
                     f"{', '.join(missing)}")
        return None
    table = max(matches, key=lambda t: len(known[t]))
    if sum(len(known[t]) == len(known[table]) for t in matches) > 1:
        problems.add(name, "row 1", None, None,
                     f"the columns of one SSDA903 table (they fit {', '.join(DISPLAY[t] for t in matches)})")
        return None
    frame = frame.select(pl.col("_row").cast(pl.Int64), *known[table]).with_columns(_file=pl.lit(name))
    return _Table(table, name, frame)


def _read_xml(path: Path, problems: _Problems) -> dict[str, _Table]:
    """The tables of an SSDA903 XML return (see the module constants for the structure)."""
    from lxml import etree

    name = str(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        doctype = formats.declares_doctype(formats.read_head(path))
    except OSError:
        doctype = False  # the parser says why it cannot read the file
    if doctype:  # refused before parsing: the parser would word an entity bomb as its own error
        problems.add(name, "line 1", "DOCTYPE", None, formats.DOCTYPE_EXPECTED.format(what="SSDA903 XML"))
        return {}
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as e:
        problems.add(name, f"line {e.lineno}" if e.lineno else "", None, None,
                     f"well-formed XML (the parser said: {str(e.msg)[:160]})")
        return {}
    except (OSError, ValueError) as e:
        problems.add(name, "", None, None, f"a readable XML file ({str(e)[:160]})")
        return {}
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        # entities are not resolved (they are how XML files attack readers), so a value that used one
        # would be read as blank: refused, as the CIN census reader refuses it
        problems.add(name, "line 1", "DOCTYPE", (info.doctype or "")[:100] or None,
                     formats.DOCTYPE_EXPECTED.format(what="SSDA903 XML"))
        return {}
    known = _recognition_columns()
    rows: dict[str, list[dict]] = {t: [] for t in known}

    def tag(el) -> str:
        t = el.tag if isinstance(el.tag, str) else ""
        t = t.rsplit("}", 1)[-1].strip().upper()
        return XML_RENAME.get(t, t)

    def leaves(el) -> dict[str, str | None]:
        out = {}
        for c in el:
            if isinstance(c.tag, str) and len(c) == 0:
                text = (c.text or "").strip()
                out[tag(c)] = text or None
        return out

    children = [c for c in root if tag(c) == "CHILD"]
    if not children:
        problems.add(name, f"line {root.sourceline}", None, None,
                     f"an SSDA903 XML return: a root element (EXPSSDA903) holding CHILD elements, each with a "
                     f"HEADER and its EPISODE elements (found <{tag(root)[:40]}> with no CHILD in it)")
        return {}
    for child in children:
        header = next((c for c in child if tag(c) == "HEADER"), child)
        facts = {**leaves(child), **leaves(header)}
        ident = {"CHILD": facts.get("CHILD"), "DOB": facts.get("DOB")}
        line = header.sourceline
        rows["header"].append({**facts, "_row": line})
        if (facts.get("UASC") or "").upper() in XML_TRUE or facts.get("DUC"):
            rows["uasc"].append({**facts, "_row": line})
        if any(facts.get(c) for c in ("IN_TOUCH", "ACTIV", "ACCOM")):
            rows["oc3"].append({**facts, "_row": line})
        if any(facts.get(c) for c in ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
                                      "LS_ADOPTR")):
            rows["ad1"].append({**facts, "_row": line})
        for group in [*header, *(child if header is not child else ())]:
            t = tag(group)
            if t == "EPISODE":
                rows["episodes"].append({**ident, **leaves(group), "_row": group.sourceline})
            elif t in XML_GROUPS and len(group):
                rows[XML_GROUPS[t]].append({**ident, **leaves(group), "_row": group.sourceline})
    out = {}
    for t, cols in known.items():
        frame = pl.DataFrame({"_row": [r["_row"] for r in rows[t]],
                              **{c: [r.get(c) for r in rows[t]] for c in cols}},
                             schema={"_row": pl.Int64, **{c: pl.Utf8 for c in cols}})
        out[t] = _Table(t, name, frame.with_columns(_file=pl.lit(name)), where="line")
    if not rows["social_worker"]:
        del out["social_worker"]  # absent, as in a return before 2024
    return out


# ----------------------------------------------------------------------- year and authority
_collection_period = code_lists.collection_period


def _spec(year: int) -> tuple[dict[str, tuple], bool]:
    """The writer's specification for ``year``, and whether it is that year's own (else the nearest)."""
    try:
        return spec903.table_spec(year), True
    except ValueError:
        years = COLLECTION_YEARS
        spec = spec903.table_spec(min(max(year, min(years)), max(years)))
        if year < 2024:
            spec = {t: c for t, c in spec.items() if t != "social_worker"}
        return spec, False


def _date(column: str | pl.Expr) -> pl.Expr:
    """DD/MM/YYYY (day and month may lack their leading zero) as a real date from 1900 to 2100, else null."""
    s = pl.col(column) if isinstance(column, str) else column
    parsed = (pl.when(s.str.contains(r"^\d{1,2}/\d{1,2}/\d{4}$"))
              .then(s.str.strptime(pl.Date, "%d/%m/%Y", strict=False)))
    return pl.when(parsed.dt.year().is_between(1900, 2100)).then(parsed)


# a year in a folder or file name: 2020-21, 2020_21, 202021, 2020-2021 (the collection year 2021), or 2021
_NAMED_YEAR = re.compile(r"(?<!\d)(20\d\d)(?:[-_ ]?(?:20)?(\d\d))?(?!\d)")


def _year_in_name(name: str) -> int | None:
    """The collection year a name carries, when it carries exactly one."""
    found = set()
    for m in _NAMED_YEAR.finditer(name):
        start, end = int(m[1]), m[2]
        found.add(start + 1 if end is not None and int(end) == (start + 1) % 100 else start)
    return found.pop() if len(found) == 1 else None


def _year_in_names(paths, files: list[Path]) -> int | None:
    """The collection year the return's folder names carry (the folders named, or those holding the files
    named), or else its file names: councils name a year's return like ``ssda903_2020-21`` or ``903_2021``.

    The folder first: a stray file in it (``notes 2019.txt``) should not speak for the return. A return that
    is one file (an XML return) is named by that file first.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    folders = {Path(p).resolve() for p in paths if Path(p).is_dir()}
    folders |= {f.resolve().parent for f in files}
    order = [[p.name for p in folders], [f.stem for f in files]]
    for names in (order[::-1] if len(files) == 1 else order):
        years = {_year_in_name(n) for n in names} - {None}
        if years:
            return years.pop() if len(years) == 1 else None
    return None


def _collection_year(tables: dict[str, _Table], year, problems: _Problems, where: str,
                     named: int | None = None) -> int | None:
    """The year given (checked), or the one the names carry, or the collection year most of the return's dates
    fall in.

    Most, not the latest: one mistyped date (a review in 2027 in the 2020/21 return) would otherwise move the
    whole return to another year, and every other date would then be wrong for it. The stray date is reported
    as the one row it is (a date after the end of the collection year). A year named in the folder or file
    names is taken only when the dates agree: a folder named for one year holding another's return is refused.
    """
    first, last = code_lists.FIRST_YEAR, code_lists.LAST_YEAR
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
            problems.add(where, "", "year", year, f"a collection year from {first} to {last} (2025 = 2024/25)")
            return None
        return year
    dates = [tables[t].frame.select(_date(c).alias("d")) for t, cols in YEAR_DATES.items() if t in tables
             for c in cols]
    counts = (pl.concat(dates).drop_nulls().select(
        y=pl.col("d").dt.year().cast(pl.Int32) + (pl.col("d").dt.month() >= 4).cast(pl.Int32))
        .group_by("y").len() if dates else pl.DataFrame(schema={"y": pl.Int32, "len": pl.UInt32}))
    if not len(counts) and named is None:
        problems.add(where, "", "year", None, "the collection year (year=…): the return holds no episode, review or "
                                              "missing date to infer it from")
        return None
    per_year = dict(counts.iter_rows()) or {named: 0}
    # (on a tie, the later year: a return's dates may all lie before its end, never after)
    inferred = max(per_year, key=lambda y: (per_year[y], y))
    share = f"{per_year[inferred]:,} of its {sum(per_year.values()):,} episode, review and missing dates"

    if named is not None:
        if per_year.get(named, 0) < per_year[inferred]:
            problems.add(where, "", "year", named,
                         f"a return of the collection year its name says ({year_label(named)}), but {share} fall in "
                         f"{year_label(inferred)} ({per_year.get(named, 0):,} in {year_label(named)}): "
                         "rename the folder or pass --year")
            return None
        inferred = named
    if not first <= inferred <= last:
        problems.add(where, "", "year", inferred,
                     f"a return of a supported collection year ({first}–{last}): {share} fall in "
                     f"{year_label(inferred)} (pass --year if that is wrong)")
        return None
    return inferred


@functools.cache
def _english_authorities() -> frozenset[str]:
    """DfE numbers of the English authorities (the list the synthetic pools are built from; read
    directly, so that reading a return does not import the generator)."""
    path = resources.files("carelens") / "synth" / "data" / "authorities.csv"
    with resources.as_file(path) as p:
        return frozenset(pl.read_csv(p, columns=["la_code"], schema_overrides={"la_code": pl.Utf8})
                         ["la_code"].to_list())


def _authority(tables: dict[str, _Table], la_code, problems: _Problems, where: str) -> str | None:
    """The authority given (checked), or the English authority number every child identifier begins with."""
    if la_code is not None:
        if not isinstance(la_code, str) or not re.fullmatch(r"\d{3}", la_code):
            problems.add(where, "", "la_code", la_code, "a 3-digit DfE authority number such as 890")
            return None
        return la_code
    header = tables.get("header")
    prefixes = (header.frame.select(pl.col("CHILD").str.slice(0, 3)).unique().to_series().to_list()
                if header is not None and len(header.frame) else [])
    if len(prefixes) == 1 and prefixes[0] in _english_authorities() and all(
            len(c or "") > 3 for c in header.frame["CHILD"].head(100).to_list()):
        return prefixes[0]
    problems.add(where, "", "la_code", None,
                 "the authority's 3-digit DfE number (la_code): an SSDA903 return does not say which authority "
                 "it is from, and its child identifiers do not all begin with one")
    return None


# ----------------------------------------------------------------------------- checking
def _allowed_codes(table: str, column: str, year: int) -> tuple[set[str], str]:
    """The codes valid in ``year`` for a 903 column, and how to say so."""
    spec, exact = _spec(year)
    col = next(c for c in spec[table] if c.name == column)
    if column == "SEX":
        return set(SEX), "1 or 2 (until 2024), or M, F or U"
    if (table, column) not in CODE_LISTS:
        return set(col.codes or ()), " or ".join(col.codes or ())
    codes = set(code_lists.codes(CODE_LISTS[table, column], year))
    if exact or (table, column) in NARROWER_IN_903:
        codes &= set(col.codes or codes)
    return codes, f"a code valid in {year}: {', '.join(_in_list_order(table, column, codes))}"


def _in_list_order(table: str, column: str, codes: set[str]) -> list[str]:
    if (table, column) in CODE_LISTS:
        order = [e.code for e in code_lists.code_list(CODE_LISTS[table, column]).entries]
        return [c for c in order if c in codes]
    return sorted(codes)


def _shown(value) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if len(value) <= 60 else f"{value[:40]}… ({len(value):,} characters)"


def _report(problems: _Problems, table: _Table, frame: pl.DataFrame, mask: pl.Expr, column: str,
            expected: str, value: pl.Expr | None = None) -> None:
    """A problem for every row of ``frame`` where ``mask`` holds (``frame`` must carry ``_row``), each
    naming the row's child (``CHILD``, or ``child_id``) so that the child can be held back."""
    who = next((c for c in ("CHILD", "child_id") if c in frame.columns), None)
    child = pl.col(who) if who else pl.lit(None, pl.Utf8)
    bad = frame.filter(mask.fill_null(False)).select(
        "_row", (value if value is not None else pl.col(column)).cast(pl.Utf8).alias("_value"),
        # a child id too long to be one cannot stand for a child: the row's problem is then the whole return's
        pl.when(child.str.len_chars() <= MAX_CELL).then(child).alias("_child"))
    if not len(bad):
        return
    for c, n in bad.group_by("_child").len().iter_rows():  # every child, also those beyond the cap
        if c is None:
            problems.unattributed = True
        else:
            problems.children[c] = problems.children.get(c, 0) + n
    for row, v, c in bad.head(problems.room(table.file)).iter_rows():
        problems.add(table.file, f"{table.where} {row}", column, _shown(v), expected, c)


def _check_table(table: _Table, year: int, problems: _Problems) -> pl.DataFrame:
    """The table typed (dates as dates, codes upper-cased, numbers as numbers), every bad value reported.

    A bad value becomes null in the typed table, so later checks do not report it twice.
    """
    spec, _ = _spec(year)
    name, raw = table.name, table.frame
    if name not in spec:  # the social worker table before 2024
        if len(raw):
            problems.add(table.file, "", None, None, f"no {DISPLAY[name]} table: the {year} return does not have one "
                                                      "(it starts in 2024)")
        return raw.clear()
    start, end = _collection_period(year)
    too_long = {c.name: pl.col(c.name).str.len_chars() > MAX_CELL for c in spec[name]}
    for c in spec[name]:
        _report(problems, table, raw, too_long[c.name], c.name, f"a value of at most {MAX_CELL} characters")
        if not c.blank:
            _report(problems, table, raw, pl.col(c.name).is_null(), c.name,
                    f"a value ({c.name} is required in the {DISPLAY[name]} table)")
    raw = raw.with_columns([pl.when(~too_long[c.name].fill_null(False)).then(pl.col(c.name)).alias(c.name)
                            for c in spec[name]])
    typed: list[pl.Expr] = []
    for c in spec[name]:
        v = pl.col(c.name)
        if c.kind == "date" and c.name == "DATE_PERM":
            known = _date(v)
            zz = v.str.to_uppercase().str.contains(r"^(ZZ|\d{1,2})/(ZZ|\d{1,2})/(ZZZZ|\d{4})$") & \
                v.str.to_uppercase().str.contains("Z")
            _report(problems, table, raw, v.is_not_null() & known.is_null() & ~zz.fill_null(False), c.name,
                    "a date DD/MM/YYYY, with ZZ for the parts not known")
            typed.append(known.alias(c.name))
        elif c.kind == "date":
            _report(problems, table, raw, v.is_not_null() & _date(v).is_null(), c.name,
                    "a real date written DD/MM/YYYY")
            typed.append(_date(v).alias(c.name))
        elif c.kind == "code" and c.name == "SEX":
            up = v.str.to_uppercase()
            _report(problems, table, raw, v.is_not_null() & ~up.is_in(list(SEX)), c.name,
                    "1 or 2 (until 2024), or M, F or U")
            typed.append(up.replace_strict(SEX, default=None).alias(c.name))
        elif c.kind == "code":
            codes, expected = _allowed_codes(name, c.name, year)
            up = v.str.to_uppercase()
            ok = up.is_in(list(codes))
            if name == "episodes" and year - 1 >= code_lists.FIRST_YEAR:
                # an episode that ended by the first day of the year may still hold last year's code
                before, _ = _allowed_codes(name, c.name, year - 1)
                ok = ok | (up.is_in(list(before)) & (_date("DEC") <= pl.lit(start)).fill_null(False))
                if before - codes:
                    expected += (f" (or, for an episode that ended by {start:%d/%m/%Y}, a code valid in {year - 1}: "
                                 f"{', '.join(_in_list_order(name, c.name, before - codes))})")
            _report(problems, table, raw, v.is_not_null() & ~ok, c.name, expected)
            typed.append(pl.when(ok).then(up).alias(c.name))
        elif c.kind == "int":
            ok = v.str.contains(r"^\d{1,2}$")
            if c.name == "SDQ_SCORE":
                ok = ok & (v.cast(pl.Int32, strict=False) <= 40)
            _report(problems, table, raw, v.is_not_null() & ~ok.fill_null(False), c.name,
                    "a whole number from 0 to 40" if c.name == "SDQ_SCORE" else "a whole number")
            typed.append(pl.when(ok).then(v.cast(pl.Int32, strict=False)).alias(c.name))
        elif c.kind == "id":
            ok = v.str.contains(r"^[A-Za-z0-9]+$")
            _report(problems, table, raw, v.is_not_null() & ~ok, c.name, "an identifier of letters and digits only")
            typed.append(pl.when(ok).then(v).alias(c.name))
        else:
            typed.append(v)
    out = raw.select("_row", "_file", *typed)

    if name == "header":
        up = pl.col("UPN").str.to_uppercase()
        codes = set(code_lists.codes("upn_unknown", year))
        _report(problems, table, out, up.str.contains(UPN_UNKNOWN) & ~up.is_in(list(codes)), "UPN",
                f"a 13-character UPN or a reason it is not known: {', '.join(sorted(codes, key=_natural))}")
    for column in EVENT_DATES.get(name, ()):
        _report(problems, table, out, pl.col(column) > pl.lit(end), column,
                f"a date on or before {end:%d/%m/%Y}, the end of the {year} collection year",
                pl.col(column).dt.strftime("%d/%m/%Y"))
    ends = {"episodes": ("DECOM", "DEC"), "missing": ("MIS_START", "MIS_END"),
            "social_worker": ("SW_DECOM", "SW_DEC"), "placed_adoption": ("DATE_PLACED", "DATE_PLACED_CEASED")}
    if name in ends:
        first, last = ends[name]
        _report(problems, table, out, pl.col(last) < pl.col(first), last, f"a date on or after {first}",
                pl.col(last).dt.strftime("%d/%m/%Y"))
    if name == "episodes":  # (on the values as written: a bad DEC or REC is reported already)
        _report(problems, table, raw, _date("DEC").is_not_null() & pl.col("REC").is_null(), "REC",
                "a reason episode ceased (REC) when the episode has an end date (DEC)")
        _report(problems, table, raw, pl.col("DEC").is_null() & pl.col("REC").is_not_null(), "REC",
                "no reason episode ceased (REC) while the episode is open (no DEC)")
    return out


def _natural(code: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code)]


def _check_across_tables(checked: dict[str, pl.DataFrame], tables: dict[str, _Table], year: int,
                         problems: _Problems) -> None:
    """Duplicate children, children missing from the header, births after care began, overlapping episodes."""
    header = checked.get("header")
    for name in ONE_PER_CHILD:
        f = checked.get(name)
        if f is None or not len(f):
            continue
        again = pl.int_range(pl.len()).over("CHILD") > 0  # every row of a child after its first
        _report(problems, tables[name], f, pl.col("CHILD").is_not_null() & again, "CHILD",
                f"each child once in the {DISPLAY[name]} table")
    if header is not None:
        known = header["CHILD"].drop_nulls().unique().implode()
        for name, f in checked.items():
            if name == "header" or not len(f):
                continue
            _report(problems, tables[name], f, pl.col("CHILD").is_not_null() & ~pl.col("CHILD").is_in(known),
                    "CHILD", "a child listed in the header table")
    eps = checked.get("episodes")
    if eps is None or not len(eps):
        return
    if header is not None:
        dob = header.group_by("CHILD").agg(pl.col("DOB").first().alias("_dob"))
        j = eps.join(dob, on="CHILD", how="left")
        _report(problems, tables["episodes"], j, pl.col("_dob") > pl.col("DECOM"), "DECOM",
                "a start date on or after the child's date of birth in the header", 
                pl.concat_str([pl.col("DECOM").dt.strftime("%d/%m/%Y"), pl.lit(" (born "),
                               pl.col("_dob").dt.strftime("%d/%m/%Y"), pl.lit(")")]))
    e = eps.filter(pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null()).sort(
        "CHILD", "DECOM", "_row").with_columns(
        _prev_dec=pl.col("DEC").shift(1).over("CHILD"),
        _prev_row=pl.col("_row").shift(1).over("CHILD"),
        _has_prev=pl.int_range(pl.len()).over("CHILD") > 0)
    overlap = pl.col("_has_prev") & (pl.col("_prev_dec").is_null() | (pl.col("DECOM") < pl.col("_prev_dec")))
    _report(problems, tables["episodes"], e, overlap, "DECOM",
            "episodes of a child that do not overlap: this one starts before the child's previous episode "
            "ends (that episode is open, or ends later)",
            pl.concat_str([pl.col("DECOM").dt.strftime("%d/%m/%Y"), pl.lit(" (previous episode on "),
                           pl.lit(tables["episodes"].where + " "), pl.col("_prev_row").cast(pl.Utf8),
                           pl.lit(")")]))


# ------------------------------------------------------------------------- canonical rows
def _shape(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Every column of the store table that the frame has or may leave empty, typed, in declared order."""
    schema = polars_schema(table)
    return frame.select([
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtype).alias(c)
        for c, dtype in schema.items()
    ])


def _provenance(la_code: str, year: int) -> list[pl.Expr]:
    return [pl.lit(la_code).alias("la_code"), pl.col("_file").alias("source_file"),
            pl.lit(year, pl.Int32).alias("source_year"), pl.col("_row").cast(pl.Int64).alias("source_row")]


def _flag(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_not_null()).then(pl.col(column) == "1")


def _postcode(column: str) -> pl.Expr:
    p = pl.col(column).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(p != "").then(p)


def _empty_checked(name: str, year: int) -> pl.DataFrame:
    """A table of the return with no rows, typed as :func:`_check_table` types it."""
    spec, _ = _spec(year)
    cols = spec.get(name) or spec903.table_spec(max(COLLECTION_YEARS))[name]
    kinds = {"date": pl.Date, "int": pl.Int32}
    return pl.DataFrame(schema={"_row": pl.Int64, "_file": pl.Utf8,
                                **{c.name: kinds.get(c.kind, pl.Utf8) for c in cols}})


def _empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(table))


def _canonical(checked: dict[str, pl.DataFrame], tables: dict[str, _Table], year: int, la_code: str,
               problems: _Problems) -> dict[str, pl.DataFrame]:
    """The store tables the return carries, with the problems only they reveal."""
    start, end = _collection_period(year)
    prov = _provenance(la_code, year)

    def table(name: str) -> pl.DataFrame:
        f = checked.get(name)
        if f is None:
            f = _empty_checked(name, year)
        return f.filter(pl.col("CHILD").is_not_null())

    frames: dict[str, pl.DataFrame] = {}
    # ---- person: header + uasc
    header = table("header").unique("CHILD", keep="first", maintain_order=True)
    uasc = table("uasc")
    uasc = uasc.unique("CHILD", keep="first").select("CHILD", pl.lit(True).alias("_uasc"), "DUC")
    upn = pl.col("UPN").str.to_uppercase()
    is_code = upn.str.contains(UPN_UNKNOWN).fill_null(False)
    person = header.join(uasc, on="CHILD", how="left").select(
        *prov, pl.col("CHILD").alias("child_id"),
        pl.when(~is_code).then(pl.col("UPN")).alias("upn"), pl.when(is_code).then(upn).alias("upn_unknown"),
        pl.col("SEX").alias("sex"), pl.col("DOB").alias("date_of_birth"), pl.col("ETHNIC").alias("ethnicity"),
        pl.col("_uasc").fill_null(False).alias("uasc"), pl.col("DUC").alias("uasc_ceased_date"),
        _flag("MOTHER").alias("is_mother"), pl.col("MC_DOB").alias("mother_child_date_of_birth"))
    frames["person"] = _shape("person", person)

    # ---- episodes, and what follows from them
    eps = table("episodes").filter(pl.col("DECOM").is_not_null())
    episodes = eps.select(
        *prov, pl.col("CHILD").alias("child_id"), pl.col("DECOM").alias("start_date"),
        pl.col("RNE").alias("reason_new_episode"), pl.col("LS").alias("legal_status"),
        pl.col("CIN").alias("cin_category"), pl.col("PLACE").alias("placement_type"),
        pl.col("PLACE_PROVIDER").alias("placement_provider"), pl.col("DEC").alias("end_date"),
        pl.col("REC").alias("reason_ceased"), pl.col("REASON_PLACE_CHANGE").alias("reason_place_change"),
        _postcode("HOME_POST").alias("home_postcode"), _postcode("PL_POST").alias("placement_postcode"),
        pl.col("URN").str.to_uppercase().alias("urn"),
    ).with_columns(episode_id=deduplicated(natural_id("E")))
    derived = derive_from_episodes(_shape("looked_after_episodes", episodes))
    frames["looked_after_episodes"] = _shape("looked_after_episodes", derived["looked_after_episodes"])
    for name in ("periods_of_care", "placements", "legal_statuses"):
        frames[name] = _shape(name, derived[name])
    periods = frames["periods_of_care"].select("child_id", "period_id", pl.col("start_date").alias("_p_start"),
                                               pl.col("end_date").alias("_p_end"))
    # children with an episode too broken to read: their other rows are not checked against periods of
    # care that cannot be known (the broken episode is reported already)
    unsure = table("episodes").filter(pl.col("DECOM").is_null())["CHILD"].unique().implode()
    placed = ~pl.col("CHILD").is_in(unsure)

    # ---- reviews: inside a period of care
    rv = table("reviews").filter(pl.col("REVIEW").is_not_null())
    rv = _with_period(rv, "REVIEW", periods)
    if len(rv):
        _report(problems, tables["reviews"], rv, pl.col("period_id").is_null() & placed, "REVIEW",
                "a review date within one of the child's episodes in the episodes table",
                pl.col("REVIEW").dt.strftime("%d/%m/%Y"))
    frames["looked_after_reviews"] = _shape("looked_after_reviews", rv.select(
        *prov, pl.col("CHILD").alias("child_id"), "period_id", pl.col("REVIEW").alias("review_date"),
        pl.col("REVIEW_CODE").alias("participation"),
    ).with_columns(review_id=deduplicated(natural_id("RV", date="review_date")))) if len(rv) else _empty(
        "looked_after_reviews")

    # ---- missing spells: in a period of care when one holds the start date
    ms = table("missing").filter(pl.col("MIS_START").is_not_null())
    ms = _with_period(ms, "MIS_START", periods)
    frames["missing_episodes"] = _shape("missing_episodes", ms.select(
        *prov, pl.col("CHILD").alias("child_id"), "period_id", pl.col("MISSING").alias("missing_type"),
        pl.col("MIS_START").alias("start_date"), pl.col("MIS_END").alias("end_date"),
    ).with_columns(missing_id=deduplicated(natural_id("M")))) if len(ms) else _empty("missing_episodes")

    # ---- OC2: outcomes for the year ending 31 March
    oc2 = table("oc2")
    frames["annual_outcomes"] = _shape("annual_outcomes", oc2.select(
        *prov, pl.col("CHILD").alias("child_id"), pl.lit(end).alias("year_ending"),
        pl.col("SDQ_SCORE").alias("sdq_score"), pl.col("SDQ_REASON").alias("sdq_reason"),
        _flag("CONVICTED").alias("convicted"), _flag("HEALTH_CHECK").alias("health_check_up_to_date"),
        _flag("IMMUNISATIONS").alias("immunisations_up_to_date"), _flag("TEETH_CHECK").alias("teeth_checked"),
        _flag("HEALTH_ASSESSMENT").alias("health_assessment_up_to_date"),
        _flag("SUBSTANCE_MISUSE").alias("substance_misuse"),
        _flag("INTERVENTION_RECEIVED").alias("intervention_received"),
        _flag("INTERVENTION_OFFERED").alias("intervention_offered"))) if len(oc2) else _empty("annual_outcomes")

    # ---- OC3: the birthday (17th to 21st) that falls in the year
    oc3 = table("oc3")
    if len(oc3):
        dob = pl.col("DOB")
        # (month and day are 8-bit integers: widen them before the arithmetic)
        after_april = (dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)) >= 401
        oc3 = oc3.with_columns(_age=(pl.when(after_april).then(year - 1).otherwise(year) - dob.dt.year()))
        _report(problems, tables["oc3"], oc3, dob.is_not_null() & ~pl.col("_age").is_between(17, 21), "DOB",
                f"a young person whose 17th to 21st birthday falls in the year {start:%d/%m/%Y} to {end:%d/%m/%Y}",
                dob.dt.strftime("%d/%m/%Y"))
        frames["care_leaver_contacts"] = _shape("care_leaver_contacts", oc3.filter(dob.is_not_null()).select(
            *prov, pl.col("CHILD").alias("child_id"), pl.col("_age").alias("birthday_age"),
            pl.col("IN_TOUCH").alias("in_touch"), pl.col("ACTIV").alias("activity"),
            pl.col("ACCOM").alias("accommodation"),
            # being in OC3 is the authority's statement that the young person qualifies as a care leaver
            pl.when(pl.col("_age") <= 17).then(pl.lit("RELEVANT")).otherwise(pl.lit("FORMER_RELEVANT"))
            .alias("eligibility")))
    else:
        frames["care_leaver_contacts"] = _empty("care_leaver_contacts")

    # ---- permanence: adoption decisions (placed for adoption) and adoptions (AD1)
    frames["permanence"] = _permanence(table("placed_adoption"), table("ad1"), episodes, periods, tables, prov,
                                       problems, unsure)

    # ---- previous permanence: for the period the child started in the year
    pp = table("prev_perm")
    if len(pp):
        starts = (frames["looked_after_episodes"].filter(pl.col("reason_new_episode") == "S")
                  .join(periods, on=["child_id", "period_id"])
                  .filter((pl.col("_p_start") == pl.col("start_date")) & (pl.col("start_date") >= start))
                  .group_by("child_id").agg(pl.col("period_id").sort_by("start_date").last().alias("_new")))
        latest = periods.group_by("child_id").agg(pl.col("period_id").sort_by("_p_start").last().alias("_last"))
        pp = (pp.join(starts, left_on="CHILD", right_on="child_id", how="left")
              .join(latest, left_on="CHILD", right_on="child_id", how="left")
              .with_columns(period_id=pl.coalesce("_new", "_last")))
        _report(problems, tables["prev_perm"], pp, pl.col("period_id").is_null() & placed, "CHILD",
                "a child with episodes in the episodes table")
        frames["previous_permanence"] = _shape("previous_permanence", pp.filter(
            pl.col("period_id").is_not_null()).select(
            *prov, pl.col("CHILD").alias("child_id"), "period_id", pl.col("PREV_PERM").alias("option"),
            pl.col("DATE_PERM").alias("order_date"), pl.col("LA_PERM").alias("order_la")))
    else:
        frames["previous_permanence"] = _empty("previous_permanence")

    # ---- social workers
    sw = table("social_worker").filter(pl.col("SW_DECOM").is_not_null())
    if len(sw):
        sw = sw.filter(pl.col("SW_ID").is_not_null()).sort("CHILD", "SW_DECOM", "_row").with_columns(
            _next_start=pl.col("SW_DECOM").shift(-1).over("CHILD"),
            _next_reason=pl.col("SW_REASON").shift(-1).over("CHILD"))
        follows = (pl.col("SW_DEC").is_not_null() & pl.col("_next_start").is_not_null()
                   & ((pl.col("_next_start") - pl.col("SW_DEC")).dt.total_days() <= SW_GAP_DAYS))
        frames["allocations"] = _shape("allocations", sw.select(
            *prov, pl.col("CHILD").alias("child_id"), pl.col("SW_ID").alias("worker_id"),
            pl.lit("UNKNOWN").alias("team_id"), pl.col("SW_DECOM").alias("start_date"),
            pl.col("SW_DEC").alias("end_date"), pl.when(follows).then(pl.col("_next_reason")).alias("change_reason"),
            pl.col("SW_REASON").alias("start_reason"),
        ).with_columns(allocation_id=deduplicated(natural_id("SW"))))
        frames["workers"] = _shape("workers", sw.sort("_row").group_by("SW_ID", maintain_order=True).agg(
            pl.col("_file").first(), pl.col("_row").first(), pl.col("SW_DECOM").min().alias("start_date"),
        ).select(
            *prov, pl.col("SW_ID").alias("worker_id"), pl.lit("UNKNOWN").alias("team_id"),
            pl.when(pl.col("SW_ID").str.to_uppercase().str.starts_with("SW")).then(pl.col("SW_ID"))
            .alias("swe_registration"),
            pl.lit("SOCIAL_WORKER").alias("role"), pl.lit(False).alias("agency"), "start_date"))
    else:
        frames["allocations"] = _empty("allocations")
        frames["workers"] = _empty("workers")
    return frames


def _with_period(frame: pl.DataFrame, date: str, periods: pl.DataFrame, later: bool = False) -> pl.DataFrame:
    """``frame`` with ``period_id``: the child's period of care holding ``date``.

    With ``later``, a date outside every period goes to the child's first period not over by then
    (one that starts later), or else to the child's last period.
    """
    if not len(frame):
        return frame.with_columns(period_id=pl.lit(None, pl.Utf8))
    f = frame.with_row_index("_i")
    d = pl.col(date)
    cand = f.select("_i", "CHILD", date).join(periods, left_on="CHILD", right_on="child_id", how="inner")
    inside = (d >= pl.col("_p_start")) & (pl.col("_p_end").is_null() | (d <= pl.col("_p_end")))
    cand = cand.with_columns(
        _rank=pl.when(inside).then(0).when(pl.lit(later) & (pl.col("_p_end").is_null() | (pl.col("_p_end") >= d)))
        .then(1).when(pl.lit(later)).then(2).otherwise(None),
        _order=pl.col("_p_start").cast(pl.Int64))
    cand = cand.filter(pl.col("_rank").is_not_null()).with_columns(
        _order=pl.when(pl.col("_rank") == 2).then(-pl.col("_order")).otherwise(pl.col("_order")))
    best = cand.sort("_i", "_rank", "_order").group_by("_i").agg(pl.col("period_id").first())
    return f.join(best, on="_i", how="left").sort("_i").drop("_i")


def _permanence(placed: pl.DataFrame, ad1: pl.DataFrame, episodes: pl.DataFrame, periods: pl.DataFrame,
                tables: dict[str, _Table], prov: list[pl.Expr], problems: _Problems,
                unsure: pl.Series) -> pl.DataFrame:
    """One permanence row per adoption decision: placed-for-adoption rows joined with AD1 by child and date."""
    parts = []
    if len(placed):
        parts.append(placed.filter(pl.col("DATE_PLACED").is_not_null()).select(
            "_file", "_row", pl.lit("placed_adoption").alias("_table"), pl.col("CHILD").alias("child_id"),
            pl.col("DATE_PLACED").alias("adoption_decision_date"),
            pl.col("DATE_PLACED_CEASED").alias("decision_reversed_date"),
            pl.col("REASON_PLACED_CEASED").alias("decision_reversed_reason")))
    if len(ad1):
        adopted = (episodes.filter(pl.col("reason_ceased").is_in(ADOPTED) & pl.col("end_date").is_not_null())
                   .group_by("child_id").agg(pl.col("end_date").max().alias("order_date")))
        parts.append(ad1.filter(pl.col("DATE_INT").is_not_null()).join(
            adopted, left_on="CHILD", right_on="child_id", how="left").select(
            "_file", "_row", pl.lit("ad1").alias("_table"), pl.col("CHILD").alias("child_id"),
            pl.col("DATE_INT").alias("adoption_decision_date"), pl.col("DATE_MATCH").alias("matched_date"),
            _flag("FOSTER_CARE").alias("adopted_by_foster_carer"),
            pl.col("NB_ADOPTR").alias("number_of_adopters"), pl.col("SEX_ADOPTR").alias("adopter_sex"),
            pl.col("LS_ADOPTR").alias("adopter_legal_status"),
            pl.when(pl.col("order_date").is_not_null()).then(pl.lit("ADOPTION")).alias("order_type"),
            "order_date"))
    if not parts:
        return _empty("permanence")
    rows = pl.concat(parts, how="diagonal_relaxed")
    # the same decision in both tables is one record: AD1 adds the adoption to the decision
    key = ["child_id", "adoption_decision_date"]
    rows = rows.sort([*key, pl.col("_table") == "ad1"]).group_by(key, maintain_order=True).agg(
        pl.col("_file").last(), pl.col("_row").last(), pl.col("_table").last(),
        *[pl.col(c).drop_nulls().last() for c in rows.columns if c not in (*key, "_file", "_row", "_table")])
    rows = _with_period(rows.rename({"child_id": "CHILD"}), "adoption_decision_date", periods, later=True).rename(
        {"CHILD": "child_id"})
    for name in ("placed_adoption", "ad1"):
        if name in tables:
            _report(problems, tables[name], rows.filter(pl.col("_table") == name),
                    pl.col("period_id").is_null() & ~pl.col("child_id").is_in(unsure),
                    "CHILD", "a child with episodes in the episodes table", pl.col("child_id"))
    rows = rows.filter(pl.col("period_id").is_not_null())
    return _shape("permanence", rows.with_columns(*prov).with_columns(
        permanence_id=deduplicated(natural_id("A", date="adoption_decision_date"))))
