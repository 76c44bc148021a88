"""The monthly report as a document: sections of paragraphs, tables and charts, independent of format.

The report is built once (:mod:`carelens.report.build`) as a :class:`Report` and then written by each
format (``report/formats/``: PDF with Typst, one HTML file, an Excel workbook). So the three say the
same thing, and a format's writer only lays out what it is given: it never computes a figure.

Paragraph text may mark words to be emphasised with ``**two stars**`` (the hand-written §5 bolds each
measure's name); nothing else is markup. Table cells are numbers, text, ``None`` (no figure) or a
:class:`Mark` — the Government Statistical Service's shorthand for a value not shown and why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from carelens.charts import Chart


class Mark(str, Enum):
    """Why a cell shows no number (GSS guidance on symbols in tables)."""

    SUPPRESSED = "[c]"  # confidential: suppressed to protect children from being identified
    NOT_AVAILABLE = "[x]"  # no figure: the data cannot give it
    NOT_APPLICABLE = "[z]"  # the cell has no meaning (a rate with no population)

    def __str__(self) -> str:
        return self.value


MARK_MEANING = {Mark.SUPPRESSED: "suppressed to protect children from being identified",
                Mark.NOT_AVAILABLE: "not available", Mark.NOT_APPLICABLE: "not applicable"}

Cell = str | int | float | Mark | None


class Kind(str, Enum):
    """What a column holds, which says how it is written."""

    TEXT = "text"
    COUNT = "count"  # whole children, events or workers: 1,234
    PERCENT = "percent"  # 0–100: 49%
    RATE = "rate"  # per 10,000 children: 149
    RATIO = "ratio"  # one value over another: 2.1
    DECIMAL = "decimal"  # a mean or median: 24.5
    DAYS = "days"  # a mean or median number of days: 346


DECIMALS = {Kind.COUNT: 0, Kind.PERCENT: 0, Kind.RATE: 0, Kind.RATIO: 1, Kind.DECIMAL: 1, Kind.DAYS: 0}


def written(value: Cell, kind: Kind) -> str:
    """A cell as the report writes it: a number with its kind's decimals and thousands separators,
    ``%`` after a percentage, a mark as its symbol, no figure as ``[x]``."""
    if value is None:
        return str(Mark.NOT_AVAILABLE)
    if isinstance(value, Mark):
        return str(value)
    if isinstance(value, str) or kind is Kind.TEXT:
        return str(value)
    text = f"{value:,.{DECIMALS[kind]}f}"
    return f"{text}%" if kind is Kind.PERCENT else text


@dataclass(frozen=True)
class Number:
    """A number a sentence states, and the computed result it was taken from."""

    value: float
    source: str  # e.g. "C8 month 2026-03 value": which result, window and column


@dataclass(frozen=True)
class Paragraph:
    """One measure's drafted sentences (or the analyst's edit of them)."""

    key: str  # "<section key>/<measure>", the key an edits file uses
    text: str
    numbers: tuple[Number, ...] = ()  # every number the drafted text states, with where it came from
    fingerprint: str = ""  # of the numbers the draft was written from: an edit remembers it
    edited: bool = False  # the analyst's text replaces the draft
    stale: bool = False  # edited against numbers that have changed since: check it

    def plain(self) -> str:
        """The text without emphasis marks."""
        return self.text.replace("**", "")

    def runs(self) -> list[tuple[str, bool]]:
        """The text as runs of (text, emphasised)."""
        parts = re.split(r"\*\*", self.text)
        return [(p, i % 2 == 1) for i, p in enumerate(parts) if p]

    def headed(self) -> tuple[str | None, list[tuple[str, bool]]]:
        """A measure's paragraph as a heading (its bold opening: the measure's name, so a reader — or a screen
        reader — can move from measure to measure) and the rest, its first letter a capital; (None, the runs)
        for a paragraph that does not open with a name (the summary's, an analyst's own text)."""
        runs = self.runs()
        if self.key.startswith("summary/") or len(runs) < 2 or not runs[0][1] or runs[1][1]:
            return None, runs
        rest = runs[1][0].lstrip(":").lstrip()
        return runs[0][0], [(rest[:1].upper() + rest[1:], False), *runs[2:]]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Table:
    """A table with a caption; its first column heads each row (``scope="row"`` in HTML)."""

    key: str  # stable identifier: an Excel table's name, an HTML id
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()  # shown under the table: sources, suppression, what a mark means

    def cell_text(self, row: int, column: int) -> str:
        return written(self.rows[row][column], self.columns[column].kind)

    def marks_shown(self) -> list[Mark]:
        """The symbols the table shows in place of a number (no figure is written [x]), in the GSS order."""
        shown = {v if isinstance(v, Mark) else Mark.NOT_AVAILABLE for row in self.rows for v in row
                 if v is None or isinstance(v, Mark)}
        return [m for m in Mark if m in shown]

    def marks_explained(self) -> list[str]:
        """A note for each symbol the table shows: what every format writes under it."""
        return [f"{m} means {MARK_MEANING[m]}." for m in self.marks_shown()]


@dataclass(frozen=True)
class Figure:
    """A chart in the document. Its ``chart.alt_text`` is the figure's text alternative in every format."""

    chart: Chart
    caption: str = ""


Block = Paragraph | Table | Figure


@dataclass(frozen=True)
class Section:
    number: str  # "1", "2" …; "" for the summary before the numbered sections
    key: str  # front_door, child_protection … : the edits file's section key
    title: str
    blocks: tuple[Block, ...]

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]


@dataclass(frozen=True)
class Definition:
    """An indicator the report shows, for the definitions sheet and appendix."""

    id: str
    title: str
    definition: str
    unit: str


@dataclass(frozen=True)
class Report:
    """The whole monthly report for one authority at one month end, for one audience."""

    authority: str  # the authority's name
    la_code: str
    as_at: dt.date
    audience: str  # "internal" or "published"
    summary: Section  # "what changed this month": opens the report, after the contents
    sections: tuple[Section, ...]
    definitions: tuple[Definition, ...]
    notes: tuple[str, ...]  # about the whole report: sources, suppression rule, data the store lacks
    store_version: str
    carelens_version: str
    generated: dt.datetime
    suppression_threshold: int | None = None  # published only: counts below it are not shown
    title: str = "Children's social care performance overview"

    @property
    def month(self) -> str:
        """The month reported on, as a heading says it: "March 2026"."""
        return self.as_at.strftime("%B %Y")

    def all_sections(self) -> tuple[Section, ...]:
        return (self.summary, *self.sections)


__all__ = ["Block", "Cell", "Column", "Definition", "Figure", "Kind", "MARK_MEANING", "Mark", "Number", "Paragraph",
           "Report", "Section", "Table", "written"]
