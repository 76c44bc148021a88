"""The report's forecast section: the children in care projected five years on from the report's month end.

The forecast is :mod:`carelens.forecast`'s own — the care histories cut at the month end, the rates fitted over the
years to it (:func:`carelens.forecast.rates.fit`), and the stochastic projection
(:func:`carelens.forecast.simulate.project`) — run with a fixed seed, so the same store and month always give the
same report, and with fewer runs than the forecast command's default (:data:`DEFAULT_RUNS`), so the report stays
quick; the medians and 80% intervals it states move by a child or two with more runs.

What the section holds (docs/report/README.md): a paragraph on the total, a fan chart of it after the last 24 month
ends' actual counts, a paragraph on the placements that change most, a table of each placement category and the
total a year on and another at the horizon (median and 80% interval), and a paragraph on how the forecast is made.

Every number a sentence states is recorded with its source (``forecast|<series>|<day>|<column>``, ``forecast|runs``
…), and :meth:`ReportForecast.lookup` finds each again in the forecast, as :meth:`ReportFigures.lookup
<carelens.report.figures.ReportFigures.lookup>` does for the indicators.

**Published.** A forecast is not a count of children, so it is not put through disclosure control with the tables
of counts; but a projection for a small group a year ahead says much about the few children in it now, so the
published section follows the report's rule for small numbers all the same: a projected figure below the threshold
is shown as [c] in the table and as "fewer than 5" in a sentence, the actual counts by placement category (which
group the children differently from section 6's placement table, so could be differenced with it) are not shown,
and an actual month-end total below the threshold is not drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from carelens.charts import Chart
from carelens.charts.fan import fan_chart
from carelens.forecast.histories import care_histories, children_in_care_on
from carelens.forecast.population import PopulationUnavailable
from carelens.forecast.rates import CATEGORIES, fit
from carelens.forecast.simulate import month_ends, project, years_after
from carelens.report.document import Column, Figure, Kind, Mark, Paragraph, Table
from carelens.report.figures import ReportFigures
from carelens.report.narrative.spoken import Spoken
from carelens.report.narrative.wording import counted, month_name

DEFAULT_RUNS = 500  # the report's runs: ~1 s for an authority of 600 children in care (docs/report/README.md)
DEFAULT_YEARS = 5
SEED = 0  # fixed: the report of a month is the same however often it is made
HISTORY_MONTHS = 24  # the month ends' actual counts drawn before the forecast (its first day the last), as a trend's
LEVEL = 80  # the interval the sentences and the table give (the chart draws 50, 80 and 95)
MOST_CHANGED = 2  # placement categories a sentence names

CATEGORY_NAMES = {
    "foster_in_house": "Foster care, in-house",
    "foster_agency": "Foster care, agency",
    "kinship": "Foster care with family or friends",
    "placed_with_parents": "Placed with parents",
    "residential": "Residential care",
    "supported_independent": "Supported and independent living",
    "adoption_placement": "Placed for adoption",
    "other": "Other placements",
}
# as a sentence names them
CATEGORY_WORDS = {
    "foster_in_house": "in-house foster care",
    "foster_agency": "agency foster care",
    "kinship": "foster care with family or friends",
    "placed_with_parents": "placements with parents",
    "residential": "residential care",
    "supported_independent": "supported and independent living",
    "adoption_placement": "placements for adoption",
    "other": "other placements",
}
TOTAL = "total"
TOTAL_NAME = "All children in care"


@dataclass(frozen=True)
class ReportForecast:
    """The projection the section is drafted from: ``summary`` (date, series, median, lower_/upper_ 50, 80 and 95)
    for the total and each category at every month end of the horizon; ``history`` (date, value), the actual
    children in care at the month ends before; ``start``, the children in care on the first day, in total and by
    category (every simulated future starts from them)."""

    la_code: str
    as_at: dt.date
    years: int
    runs: int
    seed: int
    window_start: dt.date  # the rates are fitted over window_start to as_at
    summary: pl.DataFrame
    history: pl.DataFrame
    start: dict[str, int]
    population_source: str
    notes: tuple[str, ...] = ()

    def horizons(self) -> list[dt.date]:
        """The days the table and sentences give: a year on, and the horizon (the last day), once each."""
        return sorted({years_after(self.as_at, 1), years_after(self.as_at, self.years)})

    @property
    def end(self) -> dt.date:
        return years_after(self.as_at, self.years)

    def row(self, series: str, day: dt.date) -> dict:
        rows = self.summary.filter((pl.col("series") == series) & (pl.col("date") == day))
        if rows.is_empty():
            raise KeyError(f"the forecast has no {series} on {day}")
        return rows.row(0, named=True)

    def lookup(self, source: str) -> float | None:
        """The value a recorded number names: ``forecast|<series>|<YYYY-MM-DD>|<median, lower_80 …>``, the
        start ``forecast|<series>|<as_at>|actual``, ``forecast|runs``, ``forecast|years``, or
        ``difference||<source>||<source>`` (the first less the second)."""
        if source.startswith("difference||"):
            _, first, second = source.split("||")
            a, b = self.lookup(first), self.lookup(second)
            return None if a is None or b is None else a - b
        parts = source.split("|")
        if parts[0] != "forecast":
            raise ValueError(f"source {source!r}: expected forecast|… or difference||…")
        if len(parts) == 2 and parts[1] in ("runs", "years"):
            return float(getattr(self, parts[1]))
        if len(parts) == 4:
            _, series, day, column = parts
            if column == "actual":
                return None if day != self.as_at.isoformat() else self.start.get(series)
            rows = self.summary.filter((pl.col("series") == series) & (pl.col("date") == dt.date.fromisoformat(day)))
            return None if rows.is_empty() else float(rows.item(0, column))
        return None


def source(series: str, day: dt.date, column: str) -> str:
    return f"forecast|{series}|{day.isoformat()}|{column}"


@dataclass(frozen=True)
class ForecastUnavailable:
    """Why no forecast could be made: the section says so instead."""

    reason: str


def report_forecast(store, la_code: str, as_at: dt.date, runs: int = DEFAULT_RUNS, years: int = DEFAULT_YEARS,
                    seed: int = SEED) -> ReportForecast | ForecastUnavailable:
    """The forecast from the month end ``as_at``: the histories cut there, the rates fitted to it, ``runs``
    futures over ``years`` (``seed`` fixed). A store without children in care, or an authority without a
    population to take entry rates from, gives :class:`ForecastUnavailable` with the reason."""
    try:
        histories = care_histories(store, la_code, as_at)
    except PopulationUnavailable as e:  # says what population to provide
        return ForecastUnavailable(str(e))
    except ValueError as e:  # the authority has no looked-after episodes: nothing to forecast from
        return ForecastUnavailable(str(e))
    rates = fit(histories, as_at)
    projection = project(rates, years=years, runs=runs, seed=seed)
    start = rates.as_at
    days = sorted(set(month_ends(start, projection.days)) | {(d - start).days for d in
                                                               (years_after(start, 1), years_after(start, years))
                                                               if 0 < (d - start).days <= projection.days})
    summary = projection.summary(days=days, series=(TOTAL, *CATEGORIES))
    by_category = rates.in_care.group_by("category").len()
    counts = dict(zip(by_category["category"].to_list(), by_category["len"].to_list(), strict=True))
    start_counts = {TOTAL: rates.in_care.height, **{c: int(counts.get(c, 0)) for c in CATEGORIES}}
    first_day = histories.spells["start"].min() if histories.spells.height else start
    history_days = [d for d in (_month_end_before(start, k) for k in range(HISTORY_MONTHS - 1, 0, -1))
                    if d >= first_day]
    history = pl.DataFrame({"date": [*history_days, start],
                            "value": [children_in_care_on(histories.spells, d) for d in history_days]
                            + [start_counts[TOTAL]]}, schema={"date": pl.Date, "value": pl.Int64})
    return ReportForecast(la_code, start, years, runs, seed, rates.window_start, summary, history, start_counts,
                          histories.population_source, rates.notes)


def _month_end_before(day: dt.date, months: int) -> dt.date:
    """The last day of the month ``months`` before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months + 1  # the month after it, whose first day's eve it is
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


# --- the narrative ---------------------------------------------------------------------------------------------

def _years(say: Spoken, n: int) -> str:
    return "a year" if n == 1 else f"{say.say(n, 'forecast|years', Kind.COUNT)} years"


def _interval(say: Spoken, forecast: ReportForecast, series: str, day: dt.date, level: int = LEVEL) -> str:
    r = forecast.row(series, day)
    lower = say.count(int(r[f"lower_{level}"]), source(series, day, f"lower_{level}"))
    upper = say.count(int(r[f"upper_{level}"]), source(series, day, f"upper_{level}"))
    return f"{level}% interval {lower} to {upper}"


def _start_of_total(say: Spoken, forecast: ReportForecast, figures: ReportFigures) -> str:
    """The children in care the forecast starts from: said as the D1 figure (children looked after) when the two
    counts agree, so a published report's disclosure control of that figure holds here too."""
    n = forecast.start[TOTAL]
    d1 = figures.window("D1", "month").filter(pl.col("period_end") == forecast.as_at) \
        if "D1" in set(figures.series["indicator"].unique().to_list()) else pl.DataFrame()
    if d1.height and d1.item(0, "numerator") == n:
        return say.count(n, f"figures|D1|{d1.item(0, 'period')}|all|all|numerator")
    if say.small_below is not None:
        return "a number not shown"  # published: a count differing from D1's would give the difference away
    return say.count(n, source(TOTAL, forecast.as_at, "actual"))


def _total_paragraph(forecast: ReportForecast, figures: ReportFigures, small_below: int | None,
                     withheld: frozenset[str]) -> Paragraph:
    say = Spoken(small_below, withheld)
    first, end = forecast.horizons()[0], forecast.end
    now = _start_of_total(say, forecast, figures)
    sentences = []
    year_on = forecast.row(TOTAL, first)
    text = (f"from {now} {counted('children', now)} in care at the end of {month_name(forecast.as_at)}, the median "
            "forecast is "
            f"{say.count(int(year_on['median']), source(TOTAL, first, 'median'))} at the end of {month_name(first)} "
            f"({_interval(say, forecast, TOTAL, first)})")
    if end != first:
        last = forecast.row(TOTAL, end)
        text += (f" and {say.count(int(last['median']), source(TOTAL, end, 'median'))} at the end of "
                 f"{month_name(end)} ({_interval(say, forecast, TOTAL, end)}; "
                 f"{_interval(say, forecast, TOTAL, end, 95)})")
    sentences.append(text + ".")
    last = forecast.row(TOTAL, end)
    change = int(last["median"]) - forecast.start[TOTAL]
    # the change is said only where both its ends are (published: neither hidden nor small), so it gives nothing away
    if now[:1].isdigit() and not say.is_small(int(last["median"])):
        if change == 0:
            sentences.append(f"Over {_years(say, forecast.years)}, the median is the same as now.")
        else:
            later, now_source = source(TOTAL, end, "median"), source(TOTAL, forecast.as_at, "actual")
            # the difference as said (a size), so the larger less the smaller
            difference = f"difference||{later}||{now_source}" if change > 0 else f"difference||{now_source}||{later}"
            sentences.append(f"Over {_years(say, forecast.years)}, that is "
                             f"{say.say(abs(change), difference, Kind.COUNT)} {'more' if change > 0 else 'fewer'} "
                             "than now.")
    lower, upper = int(last[f"lower_{LEVEL}"]), int(last[f"upper_{LEVEL}"])
    if lower <= forecast.start[TOTAL] <= upper:
        sentences.append(f"The {LEVEL}% interval at the end of {month_name(end)} holds today's number: the forecast "
                         "cannot tell a rise from a fall.")
    else:
        sentences.append(f"Today's number is outside the {LEVEL}% interval at the end of {month_name(end)}: the "
                         f"forecast expects a {'rise' if lower > forecast.start[TOTAL] else 'fall'}.")
    text = "**Children in care, forecast**: " + " ".join(s[0].upper() + s[1:] for s in sentences)
    # the opening is the measure's name; its first sentence reads on from the colon in lower case
    text = text.replace(": From ", ": from ", 1)
    return Paragraph("forecast/total", text, tuple(say.numbers), say.fingerprint())


def _placements_paragraph(forecast: ReportForecast, small_below: int | None, withheld: frozenset[str]) -> Paragraph:
    say = Spoken(small_below, withheld)
    end, first = forecast.end, forecast.horizons()[0]
    moved = sorted(CATEGORIES, key=lambda c: (-abs(forecast.row(c, end)["median"] - forecast.start[c]),
                                              CATEGORIES.index(c)))
    moved = [c for c in moved if forecast.row(c, end)["median"] != forecast.start[c]][:MOST_CHANGED]
    if not moved:
        text = (f"**Placements, forecast**: no placement category's median changes over {_years(say, forecast.years)}; "
                "the table gives each one's median and interval.")
        return Paragraph("forecast/placements", text, tuple(say.numbers), say.fingerprint())
    said = []
    for c in moved:
        r = forecast.row(c, end)
        median = say.count(int(r["median"]), source(c, end, "median"))
        if small_below is None:  # internal: from the children in each category now
            start = say.count(forecast.start[c], source(c, forecast.as_at, "actual"))
            said.append(f"{CATEGORY_WORDS[c]}, from {start} now to {median} at the end of {month_name(end)} "
                        f"({_interval(say, forecast, c, end)})")
        else:  # published: no actual count by category (see the module's docstring); a year on against the horizon
            year_on = say.count(int(forecast.row(c, first)["median"]), source(c, first, "median"))
            said.append(f"{CATEGORY_WORDS[c]}, {year_on} at the end of {month_name(first)} and {median} at "
                        f"the end of {month_name(end)} ({_interval(say, forecast, c, end)})")
    listing = said[0] if len(said) == 1 else "; ".join(said[:-1]) + "; and " + said[-1]
    text = (f"**Placements, forecast**: the median forecasts that change most over {_years(say, forecast.years)} are "
            f"{listing}. The medians of the categories need not add up to the median of all children in care: "
            "each is the middle of its own futures.")
    return Paragraph("forecast/placements", text, tuple(say.numbers), say.fingerprint())


POPULATION_WORDS = {"store": "the store's population of the authority's children by age",
                    "given": "the population projection given"}


def _method_paragraph(forecast: ReportForecast, small_below: int | None) -> Paragraph:
    say = Spoken(small_below)
    runs = say.say(forecast.runs, "forecast|runs", Kind.COUNT)
    population = POPULATION_WORDS.get(forecast.population_source, forecast.population_source)
    text = (f"**How the forecast is made**: {runs} simulated futures of the children in care, each starting from the "
            f"children in care at the end of {month_name(forecast.as_at)}. Children enter care at the rates by age "
            f"of {forecast.window_start.day} {forecast.window_start:%B %Y} to {forecast.as_at.day} "
            f"{forecast.as_at:%B %Y}, per child of the resident population ({population}, aged forward); they move "
            "between placements and leave care at the rates of that time by age, placement and time in care. The "
            "intervals carry chance and how little the rates are known; they assume the rates stay as they were, so "
            "no change of policy or demand is in them (docs/forecast/). The same store gives the same forecast "
            "each time the report is made.")
    return Paragraph("forecast/method", text, tuple(say.numbers), say.fingerprint())


def _unavailable_paragraph(reason: str) -> Paragraph:
    return Paragraph("forecast/total", f"**Children in care, forecast**: no forecast could be made: {reason}", (), "")


def draft_forecast(forecast: ReportForecast | ForecastUnavailable, figures: ReportFigures,
                   small_below: int | None, withheld: frozenset[str] = frozenset()) -> list[Paragraph]:
    """The section's paragraphs, as drafted (edits are laid over them like any other's)."""
    if isinstance(forecast, ForecastUnavailable):
        return [_unavailable_paragraph(forecast.reason)]
    return [_total_paragraph(forecast, figures, small_below, withheld),
            _placements_paragraph(forecast, small_below, withheld), _method_paragraph(forecast, small_below)]


# --- the chart and the table -----------------------------------------------------------------------------------

def forecast_chart(forecast: ReportForecast, small_below: int | None) -> Chart:
    """The fan chart of the total after the actual month ends (published: a month end below the threshold is not
    drawn)."""
    history = forecast.history
    if small_below is not None:
        history = history.filter((pl.col("value") == 0) | (pl.col("value") >= small_below))
    return fan_chart(forecast.summary, key="forecast-total", series=TOTAL, history=history,
                     title=f"Children in care: actual to {month_name(forecast.as_at)}, forecast to "
                           f"{month_name(forecast.end)}",
                     subtitle=f"The median and 50%, 80% and 95% intervals of {forecast.runs:,} simulated futures.",
                     value_title="Children in care")


def _cell(value: float, small_below: int | None) -> int | Mark:
    n = int(value)
    return Mark.SUPPRESSED if small_below is not None and 0 < n < small_below else n


def forecast_tables(forecast: ReportForecast, small_below: int | None) -> list[Table]:
    """A table for each horizon — a year on, and the last year — of each placement category and the total: the
    children in care now (internal only), then the median and the 80% interval's ends. One per horizon, not both in
    one: eight columns of figures leave a page's row headings a word a line."""
    tables = []
    for years, day in sorted({1: years_after(forecast.as_at, 1), forecast.years: forecast.end}.items()):
        columns = [Column("placement", "Placement")]
        if small_below is None:
            columns.append(Column("now", f"In care at {forecast.as_at.day} {forecast.as_at:%B %Y}", Kind.COUNT))
        columns += [Column("median", f"Median, {month_name(day)}", Kind.COUNT),
                    Column("lower", f"{LEVEL}% interval from", Kind.COUNT),
                    Column("upper", f"{LEVEL}% interval to", Kind.COUNT)]
        rows = []
        for series in (*CATEGORIES, TOTAL):
            r = forecast.row(series, day)
            rows.append((CATEGORY_NAMES.get(series, TOTAL_NAME),
                         *((forecast.start[series],) if small_below is None else ()),
                         _cell(r["median"], small_below), _cell(r[f"lower_{LEVEL}"], small_below),
                         _cell(r[f"upper_{LEVEL}"], small_below)))
        notes = [f"Median and {LEVEL}% interval of {forecast.runs:,} simulated futures: in {LEVEL} of every 100 the "
                 "number is within the interval. The categories' medians need not add up to the total's."]
        if small_below is not None:
            notes.append(f"A forecast is not a count of children, but a projected number below {small_below} is not "
                         "shown ([c]), as the report's counts are not; the actual numbers in each placement are not "
                         "shown either.")
            if any(Mark.SUPPRESSED in row for row in rows):
                notes.append("[c]: not shown, to protect children from being identified.")
        tables.append(Table(f"forecast_by_placement_{years}y",
                            f"Children in care by placement: forecast for {month_name(day)}",
                            tuple(columns), tuple(rows), tuple(notes)))
    return tables


def forecast_blocks(forecast: ReportForecast | ForecastUnavailable, paragraphs: list[Paragraph],
                    small_below: int | None, charts: bool = True) -> tuple:
    """The section's blocks in order: the total's paragraph and fan chart, the placements' paragraph and tables,
    the method."""
    if isinstance(forecast, ForecastUnavailable):
        return tuple(paragraphs)
    by_key = {p.key: p for p in paragraphs}
    blocks: list = [by_key["forecast/total"]]
    if charts:
        chart = forecast_chart(forecast, small_below)
        blocks.append(Figure(chart, chart.title))
    blocks += [by_key["forecast/placements"], *forecast_tables(forecast, small_below), by_key["forecast/method"]]
    return tuple(blocks)
