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
from carelens.report.document import Cell, Column, Kind, Mark, Paragraph, Section, Table
from carelens.report.figures import ReportFigures
from carelens.report.narrative.paragraphs import (
    Point,
    at_or_before,
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


def what_changed(figures: ReportFigures, small_below: int | None = None,
                 withheld: frozenset[str] = frozenset()) -> Section:
    """The summary section: a sentence for each of the largest moves and signals, and every measure at a glance."""
    moves = _moves(figures)
    blocks: list = []
    for mv in moves[:LARGEST_MOVES]:
        ind = definition(mv.indicator)
        kind = value_kind(ind)
        say = Spoken(small_below, withheld)
        small = small_below is not None and any(0 < (p.numerator or 0) < small_below for p in (mv.now, mv.before))
        if small:
            continue
        step = "week" if trend_window(ind) == "week" else "month"
        now = say.say(mv.now.value, mv.now.source(ind.id, "value"), kind)
        before = say.say(mv.before.value, mv.before.source(ind.id, "value"), kind)
        verb = moved(mv.now.value, mv.before.value, kind)
        when = month_name(mv.now.end) if step == "month" else f"the week to {mv.now.end.day} {month_name(mv.now.end)}"
        if verb == "was unchanged":
            text = f"**{ind.title}** was unchanged at {now} in {when}"
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
    blocks.append(_glance(moves, figures, small_below))
    return Section("", "summary", "What changed this month", tuple(blocks))


def _glance(moves: list[Move], figures: ReportFigures, small_below: int | None) -> Table:
    rows: list[tuple[Cell, ...]] = []
    by_id = {mv.indicator: mv for mv in moves}
    for spec in SECTIONS:
        for m in spec.measures:
            mv = by_id.get(m.indicator)
            if mv is None:
                continue
            ind = definition(m.indicator)

            def shown(p: Point | None) -> Cell:
                if p is None or p.value is None:
                    return None
                if small_below is not None and 0 < (p.numerator or 0) < small_below:
                    return Mark.SUPPRESSED
                return p.value

            rows.append((f"{ind.title} ({ind.unit.value.replace('_', ' ')})", shown(mv.now), shown(mv.before),
                         shown(mv.year_ago), mv.signal or ""))
    notes = ["Weekly measures: the latest week against the week before. Signals: docs/report/spc.md."]
    if any(Mark.SUPPRESSED in row for row in rows):
        notes.append("[c]: not shown, to protect children from being identified (a count below the threshold).")
    return Table("at_a_glance", f"Every measure at a glance: the latest {month_name(figures.as_at)} value against "
                 "the month (or week) before and a year before",
                 (Column("measure", "Measure"), Column("latest", "Latest", Kind.DECIMAL),
                  Column("before", "The month before", Kind.DECIMAL), Column("year", "A year before", Kind.DECIMAL),
                  Column("signal", "Control-chart signal")), tuple(rows), tuple(notes))
