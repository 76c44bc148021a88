"""What the dashboards show, from the same pieces as the monthly report — no page computes a figure its own way.

- The **overview** and the **area pages** are the monthly report's document at the latest complete month
  (:func:`carelens.report.build.build_report`): "what changed this month", and each section's measures with their
  drafted sentences and trend charts. A councillor gets the ``published`` document (small numbers suppressed).
  The document is built once per store version and audience, and kept in this process (decision 020): a load
  publishes a new version, and the next request builds from it — never a dashboard half old and half new.
- An **indicator page** asks the results API for that indicator alone (so a cold page costs one indicator, not the
  whole report): its windows over 24 months, its breakdowns at the month end, its published benchmarks — each
  kept per store version too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from carelens.indicators.api import Indicator, Selection, definition, figures, months_before
from carelens.model.store import Store
from carelens.report.build import Built, ReportOptions, build_report
from carelens.report.figures import Benchmark, published_benchmarks, report_month_end
from carelens.web.store import PerVersion

WINDOWS = {"week": "Week", "4_weeks": "4 weeks", "month": "Month", "rolling_3": "Rolling 3 months",
           "rolling_6": "Rolling 6 months", "rolling_12": "Rolling 12 months", "year_to_date": "Year to date",
           "financial_year": "Financial year", "as_at": "On the day"}

_documents: PerVersion[Built] = PerVersion("report documents", size=4)
_indicator_pages: PerVersion[IndicatorPage] = PerVersion("indicator pages")
_breakdowns: PerVersion[pl.DataFrame] = PerVersion("breakdowns", size=1024)


def document(audience: str) -> Built:
    """The report document of the store's current version for ``audience`` (built once per version)."""
    return _documents.get(audience, lambda store, la: build_document(store, la, audience))


def build_document(store: Store, la_code: str, audience: str) -> Built:
    as_at = report_month_end(store, la_code, None)
    return build_report(store, la_code, as_at, ReportOptions(audience=audience))


@dataclass(frozen=True)
class IndicatorPage:
    indicator: Indicator
    la_code: str
    as_at: dt.date
    series: pl.DataFrame  # all children, every window of the last 24 months
    benchmark: Benchmark | None
    store_version: str

    def windows(self) -> list[str]:
        """The window kinds the indicator is reported over, in the engine's order."""
        kinds = set(self.series["period_kind"].unique().to_list())
        return [k for k in WINDOWS if k in kinds]

    def values(self, kind: str) -> pl.DataFrame:
        return self.series.filter(pl.col("period_kind") == kind).sort("period_end")


def indicator_page(indicator_id: str) -> IndicatorPage:
    """One indicator of the store's current version (computed once per version)."""
    ind = definition(indicator_id)
    return _indicator_pages.get(ind.id, lambda store, la: compute_indicator_page(store, la, ind.id))


def compute_indicator_page(store: Store, la_code: str, indicator_id: str) -> IndicatorPage:
    """One indicator at the latest complete month: its 24 months of windows and its benchmark."""
    ind = definition(indicator_id)
    as_at = report_month_end(store, la_code, None)
    got = figures(store, Selection(as_at=as_at, indicators=(ind.id,), authorities=la_code,
                                   series_from=months_before(as_at, 24) + dt.timedelta(days=1)))
    benchmarks, _, _ = published_benchmarks(store, la_code, [ind], None)
    series = got.values.filter(pl.col("breakdown") == "all")
    return IndicatorPage(ind, la_code, as_at, series, benchmarks.get(ind.id), got.store_version)


def breakdown(indicator_id: str, by: str, as_at: dt.date, kind: str) -> pl.DataFrame:
    """The indicator's groups by one breakdown of the store's current version (computed once per version)."""
    ind = definition(indicator_id)
    if by not in ind.all_breakdowns or by == "all":
        raise LookupError(f"indicator {ind.id} has no breakdown {by!r}")
    return _breakdowns.get((ind.id, by, as_at, kind),
                           lambda store, la: compute_breakdown(store, la, ind.id, by, as_at, kind))


def compute_breakdown(store: Store, la_code: str, indicator_id: str, by: str, as_at: dt.date, kind: str
                      ) -> pl.DataFrame:
    """The indicator's groups by one breakdown in the ``kind`` window ending at the month end."""
    ind = definition(indicator_id)
    got = figures(store, Selection(as_at=as_at, indicators=(ind.id,), breakdowns=(by,), authorities=la_code))
    rows = got.values.filter((pl.col("breakdown") == by) & (pl.col("period_kind") == kind))
    return rows.sort("numerator", descending=True, nulls_last=True)
