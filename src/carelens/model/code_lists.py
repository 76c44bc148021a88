"""Versioned code lists: which codes are valid, and what they mean, in each collection year.

Every code-valued column of the store (see :mod:`carelens.model.tables`) names a code
list. The lists are data, not code: one YAML file per list in the package folder
``carelens/model/code_lists/``, written by CareLens from the DfE specifications (the
CIN census XML schemas and the SSDA903 guidance) or, for lists the DfE does not define,
from the column descriptions in the store declaration ("CareLens local list").

Years are **collection years**: the year in which the statutory return ends, so 2025
means the 2024/25 return (1 April 2024 to 31 March 2025). See :func:`collection_year`.
The lists cover :data:`FIRST_YEAR` to :data:`LAST_YEAR`; asking about another year is
an error, because nothing is known about it.

Each code carries the years it is valid in (``valid_from``/``valid_to``, inclusive;
an open ``valid_to`` means "still valid in the last covered year") and its label,
with any earlier wording kept in ``earlier_labels``.

Usage::

    >>> from carelens.model import code_lists
    >>> sorted(code_lists.codes("sex", 2025))
    ['F', 'M', 'U']
    >>> code_lists.is_valid("placement_type", "P2", 2025)
    False
    >>> code_lists.collection_year(datetime.date(2024, 4, 1))
    2025

Every data file is checked when this module is imported (required keys, code types,
duplicate codes, year ranges), and a bad file raises :class:`CodeListError` naming the
file — rule metadata is data, and broken data should fail loudly and early.

``python -m carelens.model.code_lists --markdown`` prints the generated part of
``docs/code-lists.md``.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from carelens.collection_years import COLLECTION_YEARS

# the lists cover every collection year CareLens reads and writes, no more and no fewer
FIRST_YEAR = COLLECTION_YEARS[0]
"""First collection year the code lists cover (the 2016/17 returns)."""
LAST_YEAR = COLLECTION_YEARS[-1]
"""Last collection year the code lists cover (the 2025/26 returns)."""
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
"""Every covered collection year."""

_PACKAGE = "carelens.model"
_FOLDER = "code_lists"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class CodeListError(ValueError):
    """A code-list data file is malformed."""


@dataclass(frozen=True)
class SpecRef:
    """Where (part of) a code list comes from: one spec file, one field, some years.

    ``file`` is relative to the statutory specifications folder; ``{year}`` in it
    stands for each year of the range (e.g. ``cin-census/CIN_schema_{year}.xsd``).
    """

    file: str
    field: str
    first_year: int
    last_year: int


@dataclass(frozen=True)
class Entry:
    """One code of a list, with the collection years it is valid in (inclusive)."""

    code: str
    label: str
    valid_from: int = FIRST_YEAR
    valid_to: int | None = None  # None: still valid in LAST_YEAR
    earlier_labels: tuple[tuple[int, str], ...] = ()  # (last year used, label), oldest first
    note: str | None = None

    @property
    def last_year(self) -> int:
        """The last covered year the code is valid in."""
        return LAST_YEAR if self.valid_to is None else self.valid_to

    def valid_in(self, year: int) -> bool:
        """Is the code valid in this collection year?"""
        return self.valid_from <= year <= self.last_year

    def label_in(self, year: int) -> str:
        """The label the code had in this collection year."""
        for until, label in self.earlier_labels:
            if year <= until:
                return label
        return self.label


@dataclass(frozen=True)
class CodeList:
    """A named, versioned code list."""

    name: str
    description: str
    source: str
    specs: tuple[SpecRef, ...]
    entries: tuple[Entry, ...]
    note: str | None = None

    @property
    def is_local(self) -> bool:
        """True for CareLens local lists, which no DfE specification defines."""
        return not self.specs

    def entry(self, code: str) -> Entry:
        """The entry for a code (whatever years it is valid in)."""
        for e in self.entries:
            if e.code == code:
                return e
        raise KeyError(f"code list {self.name!r} has no code {code!r}")

    def codes(self, year: int) -> dict[str, str]:
        """Code → label for every code valid in the collection year."""
        _check_year(self.name, year)
        return {e.code: e.label_in(year) for e in self.entries if e.valid_in(year)}

    def is_valid(self, code: str | None, year: int) -> bool:
        """Is ``code`` a valid code of this list in the collection year?"""
        _check_year(self.name, year)
        return any(e.code == code and e.valid_in(year) for e in self.entries)

    def changes(self) -> list[tuple[int, tuple[str, ...], tuple[str, ...]]]:
        """(year, codes added, codes removed) for each covered year whose codes differ
        from the year before."""
        out = []
        for year in YEARS[1:]:
            before = {e.code for e in self.entries if e.valid_in(year - 1)}
            now = {e.code for e in self.entries if e.valid_in(year)}
            if before != now:
                out.append((year, _in_order(self, now - before), _in_order(self, before - now)))
        return out


def _in_order(cl: CodeList, codes: set[str]) -> tuple[str, ...]:
    return tuple(e.code for e in cl.entries if e.code in codes)


def _check_year(name: str, year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"code list {name!r}: year must be an int collection year, got {year!r}")
    if year not in YEARS:
        raise ValueError(
            f"code list {name!r}: collection year {year} is not covered; the code lists cover "
            f"{FIRST_YEAR}–{LAST_YEAR} (collection year = the year the return ends, e.g. 2025 = 2024/25)"
        )


# ----------------------------------------------------------------------- loading

_TOP_KEYS = {"name", "description", "source", "specs", "note", "codes"}
_TOP_REQUIRED = {"name", "description", "source", "codes"}
_CODE_KEYS = {"code", "label", "valid_from", "valid_to", "earlier_labels", "note"}
_SPEC_KEYS = {"file", "field", "years"}


def _text(value: Any, where: str, filename: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CodeListError(f"{filename}: {where} must be a non-empty string, got {value!r}")
    return value.strip()


def _year(value: Any, where: str, filename: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodeListError(f"{filename}: {where} must be a year (integer), got {value!r}")
    if value not in YEARS:
        raise CodeListError(f"{filename}: {where} {value} is outside the covered years "
                            f"{FIRST_YEAR}–{LAST_YEAR}")
    return value


def _keys(d: Any, allowed: set[str], required: set[str], where: str, filename: str) -> None:
    if not isinstance(d, Mapping):
        raise CodeListError(f"{filename}: {where} must be a mapping, got {type(d).__name__}")
    unknown = set(d) - allowed
    if unknown:
        raise CodeListError(f"{filename}: {where} has unknown key(s) {sorted(map(str, unknown))}; "
                            f"allowed: {sorted(allowed)}")
    missing = required - set(d)
    if missing:
        raise CodeListError(f"{filename}: {where} is missing required key(s) {sorted(missing)}")


def _parse_spec(raw: Any, i: int, filename: str) -> SpecRef:
    where = f"specs[{i}]"
    _keys(raw, _SPEC_KEYS, _SPEC_KEYS, where, filename)
    years = raw["years"]
    if isinstance(years, int) and not isinstance(years, bool):
        years = [years, years]
    if not isinstance(years, list) or len(years) != 2:
        raise CodeListError(f"{filename}: {where}.years must be a year or [first, last], got {years!r}")
    first = _year(years[0], f"{where}.years[0]", filename)
    last = _year(years[1], f"{where}.years[1]", filename)
    if first > last:
        raise CodeListError(f"{filename}: {where}.years: first year {first} is after last year {last}")
    return SpecRef(_text(raw["file"], f"{where}.file", filename),
                   _text(raw["field"], f"{where}.field", filename), first, last)


def _parse_entry(raw: Any, i: int, filename: str) -> Entry:
    where = f"codes[{i}]"
    _keys(raw, _CODE_KEYS, {"code", "label"}, where, filename)
    code = raw["code"]
    if not isinstance(code, str) or not code or code != code.strip():
        raise CodeListError(
            f"{filename}: {where}.code must be a non-empty string without surrounding spaces, got "
            f"{code!r} (quote codes such as \"0\", \"NO\" or \"YES\" so YAML keeps them as text)")
    where = f"{where} ({code})"
    label = _text(raw["label"], f"{where}.label", filename)
    valid_from = _year(raw.get("valid_from", FIRST_YEAR), f"{where}.valid_from", filename)
    valid_to = raw.get("valid_to")
    if valid_to is not None:
        valid_to = _year(valid_to, f"{where}.valid_to", filename)
        if valid_from > valid_to:
            raise CodeListError(f"{filename}: {where}: valid_from {valid_from} is after valid_to {valid_to}")
    last = LAST_YEAR if valid_to is None else valid_to
    earlier: list[tuple[int, str]] = []
    raw_earlier = raw.get("earlier_labels", [])
    if not isinstance(raw_earlier, list):
        raise CodeListError(f"{filename}: {where}.earlier_labels must be a list")
    for j, item in enumerate(raw_earlier):
        w = f"{where}.earlier_labels[{j}]"
        _keys(item, {"label", "until"}, {"label", "until"}, w, filename)
        until = _year(item["until"], f"{w}.until", filename)
        if not valid_from <= until < last:
            raise CodeListError(f"{filename}: {w}.until {until} must lie within the code's years "
                                f"{valid_from}–{last}, before the last")
        if earlier and until <= earlier[-1][0]:
            raise CodeListError(f"{filename}: {w}: earlier labels must be in year order")
        earlier.append((until, _text(item["label"], f"{w}.label", filename)))
    note = raw.get("note")
    if note is not None:
        note = _text(note, f"{where}.note", filename)
    return Entry(code, label, valid_from, valid_to, tuple(earlier), note)


def parse_code_list(text: str, filename: str) -> CodeList:
    """Parse and check one code-list YAML document; errors name ``filename``."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CodeListError(f"{filename}: not valid YAML: {exc}") from None
    _keys(raw, _TOP_KEYS, _TOP_REQUIRED, "the document", filename)
    name = _text(raw["name"], "name", filename)
    if not _NAME_RE.match(name):
        raise CodeListError(f"{filename}: name {name!r} must be lower_snake_case")
    stem = filename.rsplit("/", 1)[-1].removesuffix(".yaml")
    if stem != name:
        raise CodeListError(f"{filename}: name {name!r} does not match the file name {stem!r}")
    description = _text(raw["description"], "description", filename)
    source = _text(raw["source"], "source", filename)
    raw_specs = raw.get("specs", [])
    if not isinstance(raw_specs, list):
        raise CodeListError(f"{filename}: specs must be a list")
    specs = tuple(_parse_spec(s, i, filename) for i, s in enumerate(raw_specs))
    note = raw.get("note")
    if note is not None:
        note = _text(note, "note", filename)
    raw_codes = raw["codes"]
    if not isinstance(raw_codes, list) or not raw_codes:
        raise CodeListError(f"{filename}: codes must be a non-empty list")
    entries = tuple(_parse_entry(c, i, filename) for i, c in enumerate(raw_codes))
    seen: set[str] = set()
    for e in entries:
        if e.code in seen:
            raise CodeListError(f"{filename}: duplicate code {e.code!r}")
        seen.add(e.code)
    return CodeList(name, description, source, specs, entries, note)


@functools.cache
def _registry() -> dict[str, CodeList]:
    folder = resources.files(_PACKAGE).joinpath(_FOLDER)
    lists: dict[str, CodeList] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        cl = parse_code_list(item.read_text(encoding="utf-8"), f"{_FOLDER}/{item.name}")
        lists[cl.name] = cl
    if not lists:
        raise CodeListError(f"no code-list files found in {_PACKAGE}/{_FOLDER}")
    return lists


# --------------------------------------------------------------------- public API


def all_code_lists() -> list[str]:
    """The names of every code list, sorted."""
    return sorted(_registry())


def code_list(list_name: str) -> CodeList:
    """The whole code list, with every code and the years it is valid in."""
    try:
        return _registry()[list_name]
    except KeyError:
        raise KeyError(f"no code list called {list_name!r}; lists are: "
                       f"{', '.join(all_code_lists())}") from None


def codes(list_name: str, year: int) -> dict[str, str]:
    """Code → label for the codes of ``list_name`` valid in collection ``year``.

    Raises ``KeyError`` for an unknown list and ``ValueError`` for a year outside
    :data:`FIRST_YEAR`–:data:`LAST_YEAR`.
    """
    return code_list(list_name).codes(year)


def is_valid(list_name: str, code: str | None, year: int) -> bool:
    """Is ``code`` valid in ``list_name`` for collection ``year``? (Errors as :func:`codes`.)"""
    return code_list(list_name).is_valid(code, year)


def collection_year(d: datetime.date) -> int:
    """The collection year a date falls in: 1 April Y-1 to 31 March Y is year Y."""
    return d.year + 1 if d.month >= 4 else d.year


def collection_period(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of collection year ``year``: 1 April ``year-1`` to 31 March ``year``."""
    return datetime.date(year - 1, 4, 1), datetime.date(year, 3, 31)


# ------------------------------------------------------------------ documentation


def _source_kind(cl: CodeList) -> str:
    if cl.is_local:
        return "CareLens local list"
    kinds = []
    for s in cl.specs:
        kind = {"cin-census": "CIN census XSD", "ssda903": "SSDA903"}.get(s.file.split("/", 1)[0], s.file)
        if kind not in kinds:
            kinds.append(kind)
    return " + ".join(kinds)


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def markdown() -> str:
    """The generated reference tables of ``docs/code-lists.md``."""
    lists = [code_list(n) for n in all_code_lists()]
    lines = [
        f"| List | Source | Codes in {LAST_YEAR} | Changes {FIRST_YEAR}–{LAST_YEAR} | Description |",
        "|---|---|---|---|---|",
    ]
    for cl in lists:
        changes = []
        for year, added, removed in cl.changes():
            if not cl.codes(year - 1):
                changes.append(f"list starts {year}")
            elif not cl.codes(year):
                changes.append(f"list ends {year - 1}")
            else:
                parts = [f"+{c}" for c in added] + [f"−{c}" for c in removed]
                changes.append(f"{year}: {' '.join(parts)}")
        relabels = sorted({u + 1 for e in cl.entries for u, _ in e.earlier_labels})
        for year in relabels:
            changed = [e.code for e in cl.entries if any(u + 1 == year for u, _ in e.earlier_labels)]
            changes.append(f"{year}: relabelled {', '.join(changed)}")
        lines.append(
            f"| `{cl.name}` | {_source_kind(cl)} | {len(cl.codes(LAST_YEAR))} | "
            f"{'; '.join(changes) or '—'} | {cl.description.splitlines()[0]} |"
        )
    lines += ["", "Spec files each list is taken from (paths under the statutory specifications folder):", ""]
    lines += ["| List | Spec file | Field | Years |", "|---|---|---|---|"]
    for cl in lists:
        for s in cl.specs:
            lines.append(f"| `{cl.name}` | `{s.file}` | `{s.field}` | {_years(s.first_year, s.last_year)} |")
    return "\n".join(lines) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m carelens.model.code_lists",
                                     description="CareLens code lists.")
    parser.add_argument("--markdown", action="store_true",
                        help="print the generated tables of docs/code-lists.md")
    parser.add_argument("--list", metavar="NAME", help="print one list's codes by year")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.markdown:
        sys.stdout.write(markdown())
    elif args.list:
        cl = code_list(args.list)
        for e in cl.entries:
            sys.stdout.write(f"{e.code}\t{_years(e.valid_from, e.last_year)}\t{e.label}\n")
    else:
        for name in all_code_lists():
            sys.stdout.write(name + "\n")
    return 0


# Load and check every data file now, so a broken file fails at import.
_registry()

if __name__ == "__main__":
    raise SystemExit(main())
