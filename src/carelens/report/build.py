"""The monthly report built from the store: figures gathered once, each section drafted from them, small
numbers suppressed for a published report, the analyst's edits laid over the drafts.

``build_report`` makes the format-independent :class:`carelens.report.document.Report`; ``write_report``
writes it in each format asked for (``report/formats/``), with ``…-narrative.yaml`` (the drafts, to edit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from carelens.indicators.api import definition
from carelens.model.metadata import carelens_version
from carelens.model.store import Store
from carelens.report import charts as report_charts
from carelens.report.disclosure_control import Disclosed, disclose
from carelens.report.document import Definition, Figure, Paragraph, Report, Section
from carelens.report.figures import ReportFigures, gather, published_benchmarks
from carelens.report.forecast import (
    DEFAULT_RUNS,
    DEFAULT_YEARS,
    ForecastUnavailable,
    ReportForecast,
    draft_forecast,
    forecast_blocks,
    report_forecast,
)
from carelens.report.narrative.changes import at_a_glance, what_changed
from carelens.report.narrative.edits import Edit, apply_edits, check_for_publication
from carelens.report.narrative.paragraphs import draft
from carelens.report.sections import SECTIONS, SectionSpec
from carelens.report.tables import Counted, breakdown_table, ratio_table, representation_table, team_table

AUDIENCES = ("internal", "published")
FORMATS = ("pdf", "html", "xlsx")


@dataclass(frozen=True)
class ReportOptions:
    audience: str = "internal"
    compare_with: str | None = None  # the real authority whose neighbours, region and England are compared with
    suppression_threshold: int = 5  # published: counts of 1 to threshold-1 are not shown
    team_min_workers: int = 5  # published: teams with fewer workers are shown together
    edits: dict[str, Edit] | None = None
    edits_path: Path | None = None
    charts: bool = True  # False: text and tables only (the narrative's tests, a quick draft)
    # the forecast section (carelens.report.forecast): its simulated futures (0: no forecast section) and horizon;
    # the seed is fixed, so the report of a month is the same each time it is made
    forecast_runs: int = DEFAULT_RUNS
    forecast_years: int = DEFAULT_YEARS

    @property
    def published(self) -> bool:
        return self.audience == "published"


Step = Callable[[str], None]


def _quiet(what: str) -> None:
    return None


@dataclass(frozen=True)
class Built:
    report: Report
    drafts: list[Paragraph]  # every paragraph as drafted, before the analyst's edits: …-narrative.yaml holds them
    disclosed: Disclosed  # published: what was suppressed, and the counts and sums it was decided over
    figures: ReportFigures  # what it was drafted from (the web app's area pages show the same)
    forecast: ReportForecast | ForecastUnavailable | None = None  # the forecast section's (None: no section)


def build_report(store: Store, la_code: str, as_at: dt.date, options: ReportOptions = ReportOptions(),
                 step: Step = _quiet, name: str | None = None) -> Built:
    """The report for the authority at the month end ``as_at`` (``name``: what to call the authority)."""
    if options.audience not in AUDIENCES:
        raise ValueError(f"audience {options.audience!r}: expected internal or published")
    if options.forecast_runs < 0 or options.forecast_years < 1:
        raise ValueError("forecast runs must be 0 (no forecast) or more, and its years 1 or more")
    figures = gather(store, la_code, as_at, options.compare_with, step=lambda what: step(f"figures: {what}"))
    forecast = None
    if options.forecast_runs:
        step("forecast")
        forecast = report_forecast(store, la_code, as_at, options.forecast_runs, options.forecast_years)
    name = name or _authority_name(store, la_code, figures)
    team_names = dict(zip(figures.teams["team_id"], figures.teams["name"], strict=False))
    step("tables")
    counted = _tables(figures, team_names, name, options)
    if options.published:
        stated, same = sentence_counts(figures)
        disclosed = disclose(counted, options.suppression_threshold, stated, same)
    else:
        disclosed = Disclosed.nothing()
    step("narrative")
    small_below = options.suppression_threshold if options.published else None
    sections = []
    paragraphs: list[Paragraph] = []
    for spec in SECTIONS:
        if spec.forecast:
            if forecast is None:
                continue
            drafted = draft_forecast(forecast, figures, small_below, disclosed.withheld)
        else:
            drafted = [draft(m, spec.key, figures, small_below, disclosed.withheld) for m in spec.measures]
        paragraphs += drafted
        sections.append((spec, drafted))
    summary = what_changed(figures, small_below, disclosed.withheld)
    paragraphs += summary.paragraphs()
    if options.edits:
        laid = apply_edits(paragraphs, options.edits, options.edits_path)
        if options.published:
            check_for_publication(laid, options.suppression_threshold, options.edits_path)
        edited = {p.key: p for p in laid}
    else:
        edited = {p.key: p for p in paragraphs}
    step("charts")
    built = []
    for spec, drafted in sections:
        if spec.forecast:
            blocks = forecast_blocks(forecast, [edited[p.key] for p in drafted], small_below, options.charts)
            built.append(Section(spec.number, spec.key, spec.title, blocks))
            continue
        built.append(_section(spec, [edited[p.key] for p in drafted], figures, counted.get(spec.key, []),
                              disclosed, options))
    summary = replace(summary, blocks=tuple(edited.get(b.key, b) if isinstance(b, Paragraph) else b
                                            for b in summary.blocks))
    built.append(at_a_glance(figures, small_below, disclosed.withheld))
    ids = sorted({m.indicator for s in SECTIONS for m in s.measures}, key=_catalogue_order)
    definitions = tuple(Definition(i, definition(i).title, definition(i).definition, definition(i).unit.value)
                        for i in ids)
    report = Report(authority=name, la_code=la_code, as_at=as_at, audience=options.audience, summary=summary,
                  sections=tuple(built), definitions=definitions, notes=_notes(figures, options, forecast),
                  store_version=figures.store_version, carelens_version=carelens_version(),
                  generated=dt.datetime.now().replace(microsecond=0),
                    suppression_threshold=options.suppression_threshold if options.published else None)
    return Built(report, paragraphs, disclosed, figures, forecast)


# stock measures whose children are a group of another table: one cell to disclosure control
SENTENCE_SAME = {"D5": ("D1", "legal_status_group", "section 20"),
                 "D6": ("D1", "placement_group", "foster care"),
                 "D6c": ("D1", "placement_group", "secure and children's homes")}


def sentence_counts(figures: ReportFigures) -> tuple[dict[str, int | None], dict[str, str]]:
    """The counts the sentences state at the month end (each stock measure's count and what it is out of), and
    which of them are a table's cell under another key (:data:`SENTENCE_SAME`, when the counts agree)."""
    import polars as pl

    from carelens.report.narrative.paragraphs import is_stock
    from carelens.report.tables import source

    counts: dict[str, int | None] = {}
    same: dict[str, str] = {}
    for spec in SECTIONS:
        for m in spec.measures:
            ind = definition(m.indicator)
            if not is_stock(ind):
                continue
            row = figures.window(ind.id, "month").filter(pl.col("period_end") == figures.as_at)
            if row.is_empty():
                continue
            r = row.row(0, named=True)
            key = source(ind.id, r["period"], "all", "all", "numerator")
            counts[key] = r["numerator"]
            if ind.id in SENTENCE_SAME:
                other, breakdown, group = SENTENCE_SAME[ind.id]
                cell = figures.groups(other, breakdown, "as_at").filter(pl.col("group") == group)
                if not cell.is_empty() and cell.item(0, "numerator") == r["numerator"]:
                    same[key] = source(other, cell.item(0, "period"), breakdown, group, "numerator")
    return counts, same


def _catalogue_order(ind: str) -> int:
    from carelens.indicators.api import definitions

    return [i.id for i in definitions()].index(ind)


def _authority_name(store: Store, la_code: str, figures: ReportFigures) -> str:
    return authority_name(store, la_code, (figures.compared_with, figures.compared_with_name))


def authority_name(store: Store, la_code: str, compared_with: tuple[str | None, str | None] | None = None) -> str:
    """The authority's published name; a synthetic authority's profile, marked synthetic.

    ``compared_with``: the (code, name) of the authority the figures are benchmarked against, when already
    known; otherwise it is looked up in the published benchmarks."""
    profile = store.synthetic_profile(la_code)
    if profile is not None:
        return f"{profile.split('-')[0].capitalize()} (synthetic)"
    if compared_with is None:
        _, code, name = published_benchmarks(store, la_code, [], None)
        compared_with = (code, name)
    if compared_with[0] == la_code and compared_with[1]:
        return compared_with[1]
    return f"Local authority {la_code}"


def _tables(figures: ReportFigures, team_names: dict[str, str], name: str, options: ReportOptions
            ) -> dict[str, list[Counted]]:
    """Each section's tables, in the order they are shown."""
    out: dict[str, list[Counted]] = {}
    for spec in SECTIONS:
        tables: list[Counted | None] = []
        for breakdown in ("sex", "age_band") if spec.representation else ():
            tables.append(representation_table(spec.representation, breakdown, figures))
        tables += [breakdown_table(b, figures, team_names) for b in spec.breakdowns]
        if spec.ratio_table:
            tables.append(ratio_table(figures, name))
        if spec.team_caseloads:
            tables.append(team_table(figures, team_names, options.team_min_workers if options.published else None))
        out[spec.key] = [t for t in tables if t is not None]
    return out


def _section(spec: SectionSpec, paragraphs: list[Paragraph], figures: ReportFigures, tables: list[Counted],
             disclosed: Disclosed, options: ReportOptions) -> Section:
    blocks: list = []
    by_indicator = {p.key.split("/", 1)[1]: p for p in paragraphs}
    for m in spec.measures:
        blocks.append(by_indicator[m.indicator])
        if m.chart and options.charts:
            chart = report_charts.trend(m, figures, options.suppression_threshold if options.published else None)
            if chart is not None:
                blocks.append(Figure(chart, chart.title))
    for counted in tables:
        table = disclosed.marked(counted)
        blocks.append(table)
        chart = report_charts.of_table(counted, table, figures, disclosed) if options.charts else None
        if chart is not None:
            blocks.append(Figure(chart, chart.title))
    return Section(spec.number, spec.key, spec.title, tuple(blocks))


def _notes(figures: ReportFigures, options: ReportOptions,
           forecast: ReportForecast | ForecastUnavailable | None = None) -> tuple[str, ...]:
    notes = []
    if figures.compared_with_name:
        notes.append(f"Benchmarks: the latest DfE published figures for {figures.compared_with_name}'s statistical "
                     "neighbours (their median), its region and England (Open Government Licence v3.0).")
    else:
        notes.append("Benchmarks: none shown — the published DfE figures do not include this authority; give one "
                     "to compare with (--compare-with).")
    if figures.children_held_back:
        notes.append(f"{figures.children_held_back:,} children were held back at loading because their records had "
                     "problems; every figure leaves them out.")
    for flag, words in (("outside_coverage", "covers windows the store's data does not"),
                        ("history_short", "needs more history than the store holds")):
        if figures.flagged.get(flag):
            notes.append(f"Indicators {', '.join(figures.flagged[flag])}: a figure {words}; read it with care.")
    if options.published:
        notes.append(f"Counts from 1 to {options.suppression_threshold - 1} are not shown ([c]), nor any percentage "
                     "or rate computed from them; further cells are hidden so that none of them can be worked out "
                     "from totals or from another table. Teams with fewer than "
                     f"{options.team_min_workers} social workers are shown together. No child-level data.")
    if isinstance(forecast, ReportForecast):
        notes.append(f"Forecast: {forecast.runs:,} simulated futures over {forecast.years} years from "
                     f"{forecast.as_at:%-d %B %Y}, with a fixed seed ({forecast.seed}), so the same store gives the "
                     "same forecast." + (" A forecast is not a count of children, so it is not part of the suppression "
                                    f"above, but projected numbers below {options.suppression_threshold} are not shown "
                                    "either, nor the actual numbers in each placement."
                                    if options.published else ""))
        notes += [f"Forecast: {n}." for n in forecast.notes]
    return tuple(notes)


def write_report(built: Built, out: Path, formats: tuple[str, ...] = FORMATS, step: Step = _quiet) -> list[Path]:
    """The report in each format asked for, into the folder ``out`` (made if missing), named by authority, month
    and audience — ``890-2026-03-internal.pdf`` — with ``890-2026-03-internal-narrative.yaml``, the drafts to
    edit. Each file is written beside its name and renamed into place, so a reader never opens half a file."""
    from carelens.report.narrative.edits import drafts_file

    report = built.report
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"format {', '.join(unknown)}: expected pdf, html or xlsx")
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{report.la_code}-{report.as_at:%Y-%m}-{report.audience}"
    written = []
    for fmt in formats:
        step(fmt)
        path = out / f"{stem}.{fmt}"
        partial = out / f".{stem}.{fmt}.partial"
        if fmt == "pdf":
            from carelens.report.formats.pdf import write_pdf as writer
        elif fmt == "html":
            from carelens.report.formats.html import write_html as writer
        else:
            from carelens.report.formats.excel import write_excel as writer
        try:
            writer(report, partial)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        written.append(path)
    narrative = out / f"{stem}-narrative.yaml"  # per audience: a published run beside an internal one keeps both
    narrative.write_text(drafts_file(built.drafts), encoding="utf-8")
    written.append(narrative)
    return written
