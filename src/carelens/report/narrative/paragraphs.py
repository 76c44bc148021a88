"""A measure's drafted paragraph, from its figures: one template per shape of measure.

The shapes (see docs/report/narrative.md for an example of each):

- **stock** (children on a plan, in care, open cases; counted on the day): the month end's value against a
  year earlier, with the month before and six months before; a rate's count and its rate per 10,000;
- **weekly** (contacts, strategy discussions, conferences per week): the average week over the 4 weeks to
  the last Sunday, against the same 4 weeks a month, six months and a year earlier;
- **flow** (referrals, plans starting; counted over a window): the last 12 months against the 12 months
  before, with the month itself; a percentage (timeliness, conversion) for the month with its numerator and
  denominator, against the month before, six months and a year earlier, and over the last 12 months;
- then, where DfE publishes the measure and the units compare, the statistical neighbours' median and
  England (the ratio to the median for a rate), and the control chart's verdict on the latest point.

Every number is written through :class:`carelens.report.narrative.spoken.Spoken`, so it is recorded with
the result it came from. Wording for a first month (no earlier value), a missing benchmark and small numbers
(published: "fewer than 5", and no rate or percentage of them) is part of each template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from carelens.indicators.api import Indicator, definition, months_before
from carelens.report.control import Control, control_of
from carelens.report.document import Kind, Paragraph
from carelens.report.figures import ReportFigures
from carelens.report.narrative.spoken import Spoken
from carelens.report.narrative.wording import against, counted, direction, month_name, moved
from carelens.report.sections import Measure

KIND_OF_UNIT = {"rate": Kind.RATE, "percent": Kind.PERCENT, "count": Kind.COUNT, "per_week": Kind.DECIMAL,
                "mean": Kind.DECIMAL, "median": Kind.DECIMAL, "representation": Kind.RATIO}


def is_stock(ind: Indicator) -> bool:
    """Counted on a day (children on a plan) rather than over a window (plans starting)."""
    return "as_at" in ind.series


def is_weekly(ind: Indicator) -> bool:
    return ind.unit.value == "per_week"


def trend_window(ind: Indicator) -> str:
    """The windows a measure's trend and control chart are drawn over: weeks for a weekly measure, else months.
    Months and weeks do not overlap, so their points are independent as a control chart needs (a rolling
    12 months is not: each point shares 11 months with the next)."""
    return "week" if is_weekly(ind) else "month"


def value_kind(ind: Indicator) -> Kind:
    if ind.unit.value in ("mean", "median") and "days" in ind.title.lower() + ind.name.lower():
        return Kind.DAYS
    return KIND_OF_UNIT.get(ind.unit.value, Kind.DECIMAL)


@dataclass(frozen=True)
class Point:
    """One window's row: what a template says about it."""

    period: str
    end: dt.date
    value: float | None
    numerator: int | None
    denominator: int | None

    def source(self, indicator: str, column: str) -> str:
        return f"figures|{indicator}|{self.period}|all|all|{column}"


def points_of(frame: pl.DataFrame) -> list[Point]:
    """The rows as points; a mean or median over no one is no figure (the engine gives it as 0)."""
    out = []
    for r in frame.iter_rows(named=True):
        averaged = r["unit"] in ("mean", "median") and not r["numerator"]
        out.append(Point(r["period"], r["period_end"], None if averaged else r["value"], r["numerator"],
                         r["denominator"]))
    return out


def at_or_before(points: list[Point], day: dt.date) -> Point | None:
    """The latest window ending on or before ``day`` (within a week), or None when the series starts later."""
    found = [p for p in points if p.end <= day]
    if not found or (day - found[-1].end).days > 7:
        return None
    return found[-1]


def months_ago(points: list[Point], as_at: dt.date, months: int) -> Point | None:
    return at_or_before(points, months_before(as_at, months))


class Draft:
    """The sentences of one paragraph as they are drafted."""

    def __init__(self, ind: Indicator, figures: ReportFigures, small_below: int | None,
                 withheld: frozenset[str] = frozenset()):
        self.ind = ind
        self.figures = figures
        self.say = Spoken(small_below, withheld)
        self.sentences: list[str] = []
        self.kind = value_kind(ind)

    def add(self, sentence: str) -> None:
        self.sentences.append(sentence)

    def value(self, p: Point) -> str:
        if p.value is None:  # a percentage of no one, a mean of nothing
            return "no figure"
        return self.say.say(p.value, p.source(self.ind.id, "value"), self.kind)

    def count(self, p: Point) -> str:
        if p.numerator is None:
            return "no figure"
        return self.say.count(p.numerator, p.source(self.ind.id, "numerator"))

    def hidden(self, p: Point | None) -> bool:
        """Published: a point counted from fewer children than the threshold (its numerator, or what a percentage
        or average is over) is not said, nor compared with — "down from" a hidden figure gives its side away."""
        if p is None or self.say.small_below is None:
            return False
        return self.say.is_small(p.numerator) or self.say.is_small(p.denominator)

    def shown(self, p: Point | None) -> Point | None:
        """The point, or None when it may not be said (see :meth:`hidden`)."""
        return None if p is None or self.hidden(p) else p

    def comparable(self, p: Point) -> float | None:
        """The number compared over time: the count for a rate or count (so a changing population does not
        read as a change in children), otherwise the value."""
        return p.numerator if self.kind in (Kind.RATE, Kind.COUNT) else p.value

    def paragraph(self, key: str) -> Paragraph:
        """The measure's name in bold, then its sentences: "**Children on plans** rose from …" when the first
        sentence starts with what the measure did, "**Referrals received**: 1,234 …" when with a figure."""
        label = f"**{self.ind.title}**"
        sentences = [s for s in self.sentences if s]
        if not sentences:
            text = f"{label}: no figure for this month."
        else:
            first, rest = sentences[0], [s[0].upper() + s[1:] for s in sentences[1:]]
            joiner = " " if first.split(" ", 1)[0] in ("rose", "fell", "stayed") else ": "
            text = label + joiner + " ".join([first, *rest])
        return Paragraph(key, text, tuple(self.say.numbers), self.say.fingerprint())


def _percent_of(d: Draft, p: Point, counted: str) -> str:
    """"78% (120 of 154 assessments)"; published, with a count below the threshold: not shown at all, as a
    percentage of a few children could identify them."""
    if d.say.is_small(p.denominator) or d.say.is_small(p.numerator):
        return f"not shown (fewer than {d.say.small_below} {counted})"
    text = d.value(p)
    if p.denominator:
        text += f" ({d.say.count(p.numerator, p.source(d.ind.id, 'numerator'))} of " \
                f"{d.say.count(p.denominator, p.source(d.ind.id, 'denominator'))} {counted})"
    return text


def _changes(d: Draft, now: Point, earlier: list[tuple[str, Point | None]], say) -> str:
    """"up from 402 a month earlier and down from 420 six months earlier": each earlier point with its own
    direction (the same as, up from, down from), leaving out any that cannot be said."""
    if d.hidden(now) or d.comparable(now) is None:
        return ""
    scale = Kind.COUNT if d.kind in (Kind.RATE, Kind.COUNT) else d.kind
    parts = [f"{direction(d.comparable(now), d.comparable(p), scale)} {say(p)} {words}" for words, p in earlier
             if d.shown(p) is not None and d.comparable(p) is not None]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _benchmark(d: Draft, p: Point) -> str:
    """The comparison with the published neighbours' median and England, where the units compare; for a rate,
    the ratio to the median as §5 gives it ("more than double the median (61 per 10,000; a ratio of 2.3)")."""
    b = d.figures.benchmarks.get(d.ind.id)
    value = p.value
    if b is None or value is None or d.kind is Kind.COUNT or d.kind is Kind.DECIMAL and is_weekly(d.ind):
        if d.ind.dfe_short and b is None and d.kind is not Kind.COUNT and not is_weekly(d.ind):
            return "No published comparison is available for this measure."
        return ""
    src = f"published|{d.ind.id}|{b.year}|"
    out = []
    if b.neighbour_median is not None:
        median = d.say.say(b.neighbour_median, src + "neighbour_median", d.kind)
        words = against(value, b.neighbour_median, d.kind)
        if d.kind is Kind.RATE:
            median += " per 10,000"
        said = f"{median} in {b.year}"
        if d.kind is Kind.RATE and b.neighbour_median > 0:
            ratio = d.say.say(value / b.neighbour_median,
                              f"ratio||{p.source(d.ind.id, 'value')}||{src}neighbour_median", Kind.RATIO)
            said += f"; a ratio of {ratio}"
        out.append(f"{words} the statistical neighbours' median ({said})")
    if b.england is not None:
        england = d.say.say(b.england, src + "england", d.kind)
        out.append(f"{against(value, b.england, d.kind)} England ({england})")
    if not out:
        return ""
    return "That is " + " and ".join(out) + "."


def _control(d: Draft, control: Control | None, trend: list[Point]) -> str:
    """The control chart's verdict on the latest month (or week) — the point it judges, which for a flow or a
    weekly measure is not the 12 months or 4 weeks the paragraph opened with, so it is named with its value."""
    if control is None or not trend or trend[-1].value is None or d.hidden(trend[-1]):
        return ""
    latest = trend[-1]
    if is_weekly(d.ind):
        when = f"the week to {latest.end.day} {month_name(latest.end)}"
    else:
        when = month_name(latest.end)
    value = d.value(latest)
    if d.kind is Kind.RATE:  # a flow's rate is annualised by the engine: say so, as §5 does
        value = f"{value} per 10,000" if is_stock(d.ind) else f"an annual rate of {value} per 10,000"
    if control.signal:
        for number, source in control.stated():
            d.say.record(number, source)
        return f"The figure for {when} ({value}) is {control.signal}: a sign of real change, not normal variation."
    if control.lower is not None and control.upper is not None and control.lower == control.upper:
        return f"The figure for {when} ({value}) is the same as every month shown: no variation to judge."
    if control.lower is not None and control.upper is not None:
        lo = d.say.say(control.lower, control.source("lower"), d.kind)
        hi = d.say.say(control.upper, control.source("upper"), d.kind)
        return f"The figure for {when} ({value}) is within the normal range of variation ({lo} to {hi})."
    return ""


def draft(measure: Measure, section_key: str, figures: ReportFigures, small_below: int | None = None,
          withheld: frozenset[str] = frozenset()) -> Paragraph:
    """The measure's paragraph at the report's month end; published (``small_below``), with no count below the
    threshold and none of the figures disclosure control hid (``withheld``)."""
    ind = definition(measure.indicator)
    d = Draft(ind, figures, small_below, withheld)
    key = f"{section_key}/{ind.id}"
    as_at = figures.as_at
    trend = points_of(figures.window(ind.id, trend_window(ind)))
    control = control_of(ind, trend, d.kind)
    if is_weekly(ind):
        _weekly(d, measure, figures, as_at)
    elif is_stock(ind):
        _stock(d, measure, trend, as_at)
    else:
        _flow(d, measure, figures, trend, as_at)
    if d.sentences:
        sentence = _control(d, control, trend)
        if sentence:
            d.add(sentence)
    return d.paragraph(key)


def _stock(d: Draft, m: Measure, months: list[Point], as_at: dt.date) -> None:
    now = at_or_before(months, as_at)
    if now is None or d.comparable(now) is None:
        return
    year_ago, month_ago = months_ago(months, as_at, 12), months_ago(months, as_at, 1)
    six = months_ago(months, as_at, 6)
    say_now = _stock_amount(d, now, m)
    if d.hidden(now) and d.kind is not Kind.COUNT and d.kind is not Kind.RATE:
        d.add(f"{say_now} at the end of {month_name(now.end)}.")  # nothing compared with a figure not shown
        return
    year_ago = d.shown(year_ago)
    if year_ago is not None and d.comparable(year_ago) is not None:
        verb = moved(d.comparable(now), d.comparable(year_ago), Kind.COUNT if d.kind in (Kind.RATE, Kind.COUNT)
                     else d.kind)
        if verb == "was unchanged":
            d.add(f"stayed at {say_now} at the end of {month_name(now.end)}, as a year earlier.")
        else:
            d.add(f"{verb} from {_stock_amount(d, year_ago, m, brief=True)} at the end of {month_name(year_ago.end)} "
                  f"to {say_now} at the end of {month_name(now.end)}.")
    else:
        d.add(f"{say_now} at the end of {month_name(now.end)}; the store holds no figure for a year earlier.")
    earlier = _changes(d, now, [("a month earlier", month_ago), ("six months earlier", six)],
                       lambda p: _stock_amount(d, p, m, brief=True))
    if earlier:
        d.add(f"That is {earlier}.")
    if now.value is not None:
        d.add(_benchmark(d, now))
    d.sentences = [s for s in d.sentences if s]


def _stock_amount(d: Draft, p: Point, m: Measure, brief: bool = False) -> str:
    if d.kind is Kind.RATE:
        n = d.count(p)
        text = f"{n} {counted(m.counted, n)}"
        if not brief and not d.say.is_small(p.numerator) and p.value is not None:
            text += f" ({d.value(p)} per 10,000 children)"
        return text
    if d.kind is Kind.COUNT:
        n = d.count(p)
        return f"{n} {counted(m.counted, n)}" if not brief else n
    if d.kind is Kind.PERCENT:
        return _percent_of(d, p, m.counted) if not brief else d.value(p)
    return d.value(p)


def _weekly(d: Draft, m: Measure, figures: ReportFigures, as_at: dt.date) -> None:
    fours = points_of(figures.window(d.ind.id, "4_weeks"))
    now = at_or_before(fours, as_at)
    if now is None or now.value is None:
        return
    d.add(f"an average of {d.value(now)} a week over the 4 weeks to {now.end.day} {month_name(now.end)}.")
    earlier = _changes(d, now, [("a month earlier", months_ago(fours, now.end, 1)),
                                ("six months earlier", months_ago(fours, now.end, 6)),
                                ("a year earlier", months_ago(fours, now.end, 12))], d.value)
    if earlier:
        d.add(f"That is {earlier}.")


def _flow(d: Draft, m: Measure, figures: ReportFigures, months: list[Point], as_at: dt.date) -> None:
    twelves = points_of(figures.window(d.ind.id, "rolling_12"))
    last12 = at_or_before(twelves, as_at)
    month = at_or_before(months, as_at)
    if d.kind in (Kind.PERCENT, Kind.DECIMAL, Kind.DAYS, Kind.RATIO):
        if month is not None and month.value is not None:
            d.add(f"{_flow_value(d, month, m)} in {month_name(month.end)}.")
            earlier = _changes(d, month, [("the month before", months_ago(months, as_at, 1)),
                                          ("six months earlier", months_ago(months, as_at, 6)),
                                          ("a year earlier", months_ago(months, as_at, 12))], d.value)
            if earlier:
                d.add(f"That is {earlier}.")
        if not m.over_a_year:  # counted on the window's last day: a 12-month window is not a year of them
            if month is not None and month.value is not None and not d.hidden(month):
                d.add(_benchmark(d, month))
        elif last12 is not None and last12.value is not None:
            d.add(f"Over the last 12 months: {_flow_value(d, last12, m)}.")
            if not d.hidden(last12):
                d.add(_benchmark(d, last12))
        elif month is None or month.value is None:
            return
    else:
        if last12 is None or last12.numerator is None:
            return
        year_before = months_ago(twelves, as_at, 12)
        n = d.count(last12)
        text = f"{n} {counted(m.counted, n)} in the 12 months to {month_name(last12.end)}"
        if d.kind is Kind.RATE and last12.value is not None and not d.say.is_small(last12.numerator):
            text += f" ({d.value(last12)} per 10,000 children)"
        if year_before is not None and year_before.numerator is not None:
            text += f", {direction(last12.numerator, year_before.numerator, Kind.COUNT)} " \
                    f"{d.count(year_before)} in the 12 months before"
        d.add(text + ".")
        if month is not None and month.numerator is not None:
            n = d.count(month)
            d.add(f"There {'was' if n == '1' else 'were'} {n} in {month_name(month.end)} itself.")
        if last12.value is not None and d.kind is Kind.RATE:
            d.add(_benchmark(d, last12))
    d.sentences = [s for s in d.sentences if s]


def _flow_value(d: Draft, p: Point, m: Measure) -> str:
    if d.kind is Kind.PERCENT:
        return _percent_of(d, p, m.counted)
    if d.hidden(p):  # an average over a few children is theirs
        return f"not shown (fewer than {d.say.small_below} {m.counted})"
    text = d.value(p) + (" days" if d.kind is Kind.DAYS else "")
    if p.numerator:
        n = d.count(p)
        text += f" ({n} {counted(m.counted, n)})"
    return text
