""""What changed this month": the page that opens the report.

Every measure of the report is ranked by how far its latest month (or week) moved from the one before,
measured in its own control chart's sigma, so that a move is big for *that* measure, not big in absolute
terms; measures whose latest point is a control-chart signal come first. The largest moves get a sentence
each; a table gives every measure at a glance (latest, a month earlier, a year earlier, any signal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carelens.indicators.api import definition
from carelens.report.control import Control, control_of
from carelens.report.document import Cell, Column, Kind, Mark, Paragraph, Section, Table, written
from carelens.report.figures import ReportFigures
from carelens.report.narrative.paragraphs import (
    Point,
    at_or_before,
    is_stock,
    months_ago,
    points_of,
    trend_window,
    value_kind,
)
from carelens.report.narrative.spoken import Spoken
from carelens.report.narrative.wording import month_name, moved
from carelens.report.sections import SECTIONS

LARGEST_MOVES = 6


@dataclass(frozen=True)
class Move:
    indicator: str
    section: str  # its number: the sentence says where to read more
    now: Point
    before: Point
    year_ago: Point | None
    control: Control | None
    size: float  # |now - before| in sigmas (0 with no limits)

    @property
    def signal(self) -> str | None:
        return self.control.signal if self.control is not None else None


def _moves(figures: ReportFigures) -> list[Move]:
    out = []
    for spec in SECTIONS:
        for m in spec.measures:
            ind = definition(m.indicator)
            window = trend_window(ind)
            points = points_of(figures.window(ind.id, window))
            now = at_or_before(points, figures.as_at)
            if now is None or now.value is None:
                continue
            before = months_ago(points, now.end, 1) if window == "month" else \
                at_or_before(points, now.end - dt.timedelta(days=7))
            if before is None or before.value is None:
                continue
            control = control_of(ind, points, value_kind(ind))
            sigma = control.signals.limits.sigma if control is not None else None
            size = abs(now.value - before.value) / sigma if sigma else 0.0
            out.append(Move(ind.id, spec.number, now, before, months_ago(points, now.end, 12), control, size))
    return sorted(out, key=lambda mv: (mv.signal is None, -mv.size))



def _unit(ind, kind: Kind) -> str:
    """What follows a value in the summary, so a rate is not read as a count of children."""
    if kind is Kind.RATE:
        return " per 10,000" if is_stock(ind) else " per 10,000 (an annual rate)"
    if kind is Kind.DAYS:
        return " days"
    return " a week" if ind.unit.value == "per_week" else ""


def _hidden(p: Point | None, small_below: int | None, withheld: frozenset[str], ind: str) -> bool:
    if p is None or small_below is None:
        return p is None
    small = any(0 < (n or 0) < small_below for n in (p.numerator, p.denominator))
    return small or p.source(ind, "value") in withheld or p.source(ind, "numerator") in withheld


def what_changed(figures: ReportFigures, small_below: int | None = None,
                 withheld: frozenset[str] = frozenset()) -> Section:
    """The summary page: a sentence for each of the largest moves and signals (one page: every measure's figures
    are at a glance at the end, :func:`at_a_glance`)."""
    moves = _moves(figures)
    blocks: list = []
    counted: set[tuple[int | None, int | None]] = set()
    for mv in moves:
        if len(blocks) == LARGEST_MOVES:
            break
        ind = definition(mv.indicator)
        kind = value_kind(ind)
        if any(_hidden(p, small_below, withheld, ind.id) for p in (mv.now, mv.before)):
            continue
        if (mv.now.numerator, mv.before.numerator) in counted:
            continue  # the same children as a measure already said (children in need and open cases)
        counted.add((mv.now.numerator, mv.before.numerator))
        say = Spoken(small_below, withheld)
        step = "week" if trend_window(ind) == "week" else "month"
        unit = _unit(ind, kind)
        now = say.say(mv.now.value, mv.now.source(ind.id, "value"), kind) + unit
        before = say.say(mv.before.value, mv.before.source(ind.id, "value"), kind) + unit
        verb = moved(mv.now.value, mv.before.value, kind)
        when = month_name(mv.now.end) if step == "month" else f"the week to {mv.now.end.day} {month_name(mv.now.end)}"
        if verb == "was unchanged":
            text = f"**{ind.title}** stayed at {now} in {when}"
        else:
            text = f"**{ind.title}** {verb} from {before} to {now} in {when}"
        text += f" (section {mv.section})."
        if mv.signal:
            text += f" The latest {step} is {mv.signal}."
            for value, source in mv.control.stated():
                say.record(value, source)
        blocks.append(Paragraph(f"summary/{ind.id}", text, tuple(say.numbers), say.fingerprint()))
    if not blocks:
        blocks.append(Paragraph("summary/none", "No measure moved outside its normal range this month.", (), ""))
    return Section("", "summary", "What changed this month", tuple(blocks))


def at_a_glance(figures: ReportFigures, small_below: int | None = None,
                withheld: frozenset[str] = frozenset()) -> Section:
    """Every measure's latest value against the one before and a year before, each written in its own unit."""
    moves = {mv.indicator: mv for mv in _moves(figures)}
    rows: list[tuple[Cell, ...]] = []
    for spec in SECTIONS:
        for m in spec.measures:
            mv = moves.get(m.indicator)
            if mv is None:
                continue
            ind = definition(m.indicator)
            kind = value_kind(ind)
            cells: list[Cell] = []
            for p in (mv.now, mv.before, mv.year_ago):
                if p is None or p.value is None:
                    cells.append(None)
                elif _hidden(p, small_below, withheld, ind.id):
                    cells.append(Mark.SUPPRESSED)
                else:
                    cells.append(written(p.value, kind))
            unit = _unit(ind, kind).strip() or ("%" if kind is Kind.PERCENT else "number")
            rows.append((ind.title, spec.number, unit, *cells, mv.signal or ""))
    notes = ["Each measure in its own unit: a flow's rate per 10,000 is its month annualised; weekly measures "
             "compare the latest week with the week before. Signals: the control chart's rules (docs/report/spc.md)."]
    if any(Mark.SUPPRESSED in row for row in rows):
        notes.append("[c]: not shown, to protect children from being identified (a count below the threshold).")
    table = Table("at_a_glance", f"Every measure at {month_name(figures.as_at)}: the latest month (or week) against "
                  "the one before and a year before",
                  (Column("measure", "Measure"), Column("section", "Section"), Column("unit", "Unit"),
                   Column("latest", "Latest"), Column("before", "The month (or week) before"),
                   Column("year", "A year before"), Column("signal", "Control-chart signal")),
                  tuple(rows), tuple(notes))
    return Section("", "at_a_glance", "Every measure at a glance", (table,))
