"""Loading the data councils already have into the child-journey store.

    from carelens.ingest import ingest
    report = ingest("store.duckdb", ["ssda903_2023-24/", "ssda903_2024-25/", "cin_census_2024-25.xml"])

Each path is recognised by what it contains, never by its name (:mod:`carelens.ingest.formats`):

- a folder (or CSV files) of SSDA903 tables, or an SSDA903 XML file (root ``EXPSSDA903``):
  :mod:`carelens.ingest.ssda903`
- a CIN census XML file (root ``Message``) of any schema year 2017–2026, or a folder of them:
  :mod:`carelens.ingest.cin_census`
- an Ofsted Annex A workbook (a zip file holding ``xl/workbook.xml``): :mod:`carelens.ingest.annex_a`
- a folder of Standard Safeguarding Dataset tables (``ssd_*.csv`` / ``.parquet``): :mod:`carelens.ingest.ssd`

Every file is read and checked before anything is stored. If any file has problems,
all of them are reported together (file, row or line, field, value, what was
expected) and the store is left exactly as it was. Otherwise all the files are merged
in one transaction (:mod:`carelens.ingest.history`).

With ``hold_back``, an SSDA903 return whose problems are all particular children's is
loaded without those children, whole, and they are recorded in ``held_back_children``
(decision 010); a problem with a file or a whole return still stops the load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from carelens.ingest.extract import Extract, HeldBackChild
from carelens.problems import IngestError, Problem

__all__ = ["Extract", "IngestError", "IngestReport", "Problem", "check_store", "ingest", "read_source", "source_kind"]


@dataclass
class IngestReport:
    extracts: list[Extract]
    stored: bool
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def children(self) -> int:
        return len({c for e in self.extracts if "person" in e.frames for c in e.frames["person"]["child_id"].to_list()})

    @property
    def rows(self) -> int:
        return sum(getattr(e, "row_count", e.rows()) for e in self.extracts)

    @property
    def notes(self) -> list[str]:
        return [n for e in self.extracts for n in e.notes]

    @property
    def warnings(self) -> list[str]:
        return [w for e in self.extracts for w in e.warnings]

    @property
    def held_back(self) -> list[tuple[Extract, HeldBackChild]]:
        """Every child held back, with the return they were held back from."""
        return [(e, h) for e in self.extracts for h in e.held_back]


def source_kind(path: Path) -> str:
    """What a path holds: ssda903, cin_census, annex_a or ssd (or raise IngestError saying why not).

    Told by content, never by a file's name or extension (:mod:`carelens.ingest.formats`): only the
    SSD tables are known by name, ``ssd_*.csv``, because that is how the dataset names them.
    """
    from carelens.ingest import formats

    if path.is_dir():
        entries = [p for p in sorted(path.iterdir()) if not p.name.startswith(".")
                   and p.name.lower() not in ("thumbs.db", "desktop.ini") and not p.is_dir()]
        names = [p.name.lower() for p in entries]
        if any(n.startswith("ssd_") and n.endswith((".csv", ".parquet")) for n in names):
            return "ssd"
        found = [formats.identify(p) for p in entries]
        if found and all(f.kind == formats.CIN_CENSUS_XML for f in found):
            return "cin_census"  # a folder of CIN census files: each is read on its own
        if any(f.kind in (formats.CSV, formats.SSDA903_XML, formats.EMPTY, formats.UNREADABLE) for f in found):
            return "ssda903"  # the SSDA903 reader names any file in the folder that is not the return's
        what = ", ".join(sorted({formats.kind_in_words(f) for f in found})) or "nothing"
        raise IngestError([Problem(str(path), "", None, None,
                                   "a folder of SSDA903 CSV files, of CIN census XML files or of Standard "
                                   f"Safeguarding Dataset tables (this folder holds {what})")])
    found = formats.identify(path)
    kind = {formats.CIN_CENSUS_XML: "cin_census", formats.SSDA903_XML: "ssda903", formats.CSV: "ssda903",
            formats.WORKBOOK: "annex_a"}.get(found.kind)
    if kind:
        return kind
    if found.kind == formats.UNREADABLE:
        raise IngestError([Problem(str(path), "", None, None, found.expected or "a readable file")])
    if found.kind == formats.EMPTY:
        if path.suffix.lower() == ".csv":
            return "ssda903"  # a blank CSV is an empty table of a return, as in a folder
        what = {".xml": "an XML file", ".xlsx": "a readable Excel workbook", ".xlsm": "a readable Excel workbook",
                ".xls": "a readable Excel workbook"}.get(path.suffix.lower(), "a file with something in it")
        raise IngestError([Problem(str(path), "", None, None, f"{what} (this file is empty: {found.size:,} bytes)")])
    # XML of no kind CareLens reads
    if found.doctype:
        expected = formats.DOCTYPE_EXPECTED.format(what="SSDA903 and CIN census XML")
    else:
        root = f"<{found.root}>" if found.root else "no root element in its first 4 KB"
        expected = ("an SSDA903 XML file (root element EXPSSDA903) or a CIN census XML file (root element "
                    f"Message); this file has {root}")
    raise IngestError([Problem(str(path), "", "root element" if found.root else None, found.root, expected)])


# a file or folder, or SSDA903 CSV files named one by one from one folder: one return
Source = Path | tuple[Path, ...]


def _sources_given(paths: Sequence[str | Path]) -> tuple[list[tuple[Source, str]], list[Problem]]:
    """The sources the paths name, with their kinds, and the problems of those that name none.

    SSDA903 CSV files given one by one (as a shell gives ``ssda903_2024-25/*.csv``) are each one
    table of a return: those from one folder are read together as that return, as the folder would be.
    """
    from carelens.ingest import formats

    given: list[tuple[Path | list[Path], str]] = []  # a folder's CSV files are a list, filled as they come
    problems: list[Problem] = []
    tables_by_folder: dict[Path, list[Path]] = {}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            problems.append(Problem(str(path), "", None, None, "a file or folder that exists"))
            continue
        try:
            kind = source_kind(path)
        except IngestError as e:
            problems += e.problems
            continue
        if kind == "ssda903" and not path.is_dir() and formats.identify(path).kind in (formats.CSV, formats.EMPTY):
            folder = path.resolve().parent
            if folder not in tables_by_folder:
                tables_by_folder[folder] = []
                given.append((tables_by_folder[folder], kind))  # its place in the order given
            tables_by_folder[folder].append(path)
        else:
            given.append((path, kind))
    return [(tuple(p) if isinstance(p, list) else p, kind) for p, kind in given], problems


def read_source(path: Source, kind: str, la_code: str | None = None, year: int | None = None,
                hold_back: bool = False) -> list[Extract]:
    """Read one source (a file or folder, or a return's CSV files) without storing anything.

    ``hold_back`` reads an SSDA903 return without the children that have problems rather than
    refusing it (the other readers refuse any problem: their problems do not yet name the child).
    """
    if kind == "ssda903":
        from carelens.ingest.ssda903 import read_ssda903

        return [read_ssda903(list(path) if isinstance(path, tuple) else [path], year=year, la_code=la_code,
                             hold_back=hold_back)]
    if kind == "cin_census":
        from carelens.ingest.cin_census import read_cin_census

        if not path.is_dir():
            return [read_cin_census(path, la_code=la_code)]
        # a folder of census files (several years, or several authorities): each its own return, and
        # every file's problems reported together
        extracts, problems = [], []
        for f in sorted(p for p in path.iterdir() if not p.name.startswith(".") and not p.is_dir()):
            try:
                extracts.append(read_cin_census(f, la_code=la_code))
            except IngestError as e:
                problems += e.problems
        if problems:
            raise IngestError(problems)
        return extracts
    if kind == "annex_a":
        from carelens.ingest.annex_a import read_annex_a

        if not la_code:
            raise IngestError([Problem(str(path), "", "la_code", None, "--la: the authority the workbook is for")])
        return [read_annex_a(path, la_code=la_code)]
    if kind == "ssd":
        from carelens.ingest.ssd import read_ssd_folder

        if not la_code:
            raise IngestError([Problem(str(path), "", "la_code", None, "--la: the authority the tables are for")])
        return [read_ssd_folder(path, la_code=la_code)]
    raise ValueError(f"unknown source kind {kind!r}")


def ingest(store_path: str | Path, paths: Sequence[str | Path], la_code: str | None = None,
           year: int | None = None, check: bool = False,
           on_source: Callable[[Path, str], None] | None = None, hold_back: bool = False) -> IngestReport:
    """Read and check every path, then (unless ``check``) merge them all into the store in one transaction.

    Raises :class:`IngestError` with every problem in every file; nothing is stored then. With
    ``hold_back``, children whose rows have problems are held back instead (each whole, from the
    return they are in) and listed in the report's ``held_back``; other problems still raise.
    ``year``, when given, is every SSDA903 return's; otherwise each return has its own.
    A store that cannot be written (in use by another process, a folder, not a CareLens store, an
    unwritable folder) raises :class:`~carelens.model.store_file.StoreError`, before any file is read.

    Files are read twice: once to check them all (keeping only what each holds, not its rows),
    then one at a time, oldest return first, merging them into the store's next version, written
    beside it and published whole (:mod:`carelens.model.store_writer`), with what was loaded recorded
    in ``store_loads``. Memory is bounded by the largest file, not by how many are loaded.
    """
    store_path = Path(store_path)
    if check:
        return _read_and_check(paths, la_code, year, hold_back, on_source)[0]
    from carelens.model.store_writer import writing

    # the writer lock is held from before the first file is read (a second load is told at once which
    # process has the store) to the publishing of the new version; readers go on meanwhile (decision 017)
    with writing(store_path) as writer:
        report, sources = _read_and_check(paths, la_code, year, hold_back, on_source)
        tables = _merge(writer, sources, report.extracts, la_code, year, hold_back)
    return IngestReport(extracts=report.extracts, stored=True, tables=tables)


def _read_and_check(paths, la_code, year, hold_back, on_source) -> tuple[IngestReport, list]:
    """Read every source once to check it; IngestError with every problem in every file."""
    sources: list[tuple[tuple, Source, str]] = []  # (merge order, source, kind)
    summaries: list[Extract] = []
    given, problems = _sources_given(paths)
    from carelens.ingest.history import order_of_merging

    for path, kind in given:
        try:
            for extract in read_source(path, kind, la_code=la_code, year=year, hold_back=hold_back):
                sources.append((order_of_merging(extract), path, kind))
                extract.warnings += _authority_doubt(extract, la_code)
                summaries.append(_summary(extract))
        except IngestError as e:
            problems += e.problems
            continue
        if on_source:
            on_source(path if isinstance(path, Path) else path[0].parent, kind)
    if problems:
        # every problem at once: also those of the children the other returns would hold back
        raise IngestError(problems + [p for e in summaries for h in e.held_back for p in h.problems])
    return IngestReport(extracts=summaries, stored=False), sources


def _merge(writer, sources, summaries: list[Extract], la_code, year, hold_back):
    """Read the sources again, oldest return first, merging each into the store's next version."""
    from carelens.ingest.history import merge_extracts

    def in_order():
        for _, path, kind in sorted(sources, key=lambda s: s[0]):
            yield from read_source(path, kind, la_code=la_code, year=year, hold_back=hold_back)

    # a council laptop: DuckDB's buffer pool would otherwise grow towards 80% of the machine's memory
    with writer.next_version("ingest", memory_limit="1GB") as store:
        merged = merge_extracts(store, in_order())
        store.record_loads(_loads(summaries))
    return merged.tables


def _loads(summaries: list[Extract]):
    """What each source was, for the store's record of its loads (``store_loads``)."""
    from carelens.model.metadata import Load, checksum

    for e in summaries:
        files = [Path(f) for f in e.files]
        source = str(files[0]) if len(files) == 1 else str(files[0].parent) if files else "(no file)"
        yield Load(source=source, return_kind=e.kind, la_code=e.la_code, collection_year=e.collection_year,
                   checksum=checksum(files) if files and all(f.is_file() for f in files) else None,
                   children=e.children(), rows=getattr(e, "row_count", e.rows()))


def check_store(store_path: str | Path) -> None:
    """Raise StoreError if a load could not be stored at ``store_path`` (another writer has it, a process has it
    open in place, it is not a store; a new one cannot be created there): asked before the returns are read,
    which takes minutes. :func:`ingest` asks again, holding the writer lock until its load is published."""
    from carelens.model.store_writer import writing

    with writing(store_path):
        pass


def _summary(extract: Extract) -> Extract:
    """The extract without its rows: who and what it covers, and how many children and rows it held."""
    person = extract.frames.get("person")
    kept = {"person": person.select("child_id")} if person is not None else {}
    light = Extract(extract.kind, extract.la_code, extract.collection_year, extract.period_start,
                    extract.period_end, extract.files, kept, notes=extract.notes, warnings=extract.warnings,
                    held_back=extract.held_back)
    light.row_count = extract.rows()
    return light


def _authority_doubt(extract: Extract, la_code: str | None) -> list[str]:
    """A warning when ``--la`` names one authority and every child id carries another English authority's
    number (as case systems that prefix it, and CareLens' synthetic authorities, number children)."""
    person = extract.frames.get("person")
    if not la_code or person is None or not len(person):
        return []
    from carelens.ingest.ssda903 import _english_authorities

    ids = person["child_id"].drop_nulls()
    prefixes = ids.str.slice(0, 3).unique().to_list()
    if len(prefixes) != 1 or prefixes[0] == la_code or prefixes[0] not in _english_authorities() \
            or ids.str.len_chars().min() <= 3:
        return []
    # shown as the ids show it: 890-000123 starts "890-", 8900001234 starts "890"
    after = {i[3] for i in ids.head(100).to_list()}
    separator = after.pop() if len(after) == 1 and not next(iter(after)).isalnum() else ""
    return [f"--la {la_code} but every child id starts {prefixes[0]}{separator}: is this the right authority?"]
