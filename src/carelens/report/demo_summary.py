"""Two of the tables ``carelens demo`` ends with: the headline indicators, and the ratio table against a real
authority's statistical neighbours (both from the figures API and the published figures; the demo's first
table, the generated figures against the profile's targets, is the demo's own: :mod:`carelens.demo`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from carelens.model.store import Store

def headline_table(store: Store, la_code: str) -> tuple[Table, dt.date]:
    """The headline indicators at the authority's latest complete month, and that month's last day."""
    from carelens.report.headlines import headlines, latest_month_end

    month_end = latest_month_end(store, la_code)
    heads = headlines(store, la_code, month_end)
    table = Table(title=f"Headline indicators at {month_end} (carelens indicators for the whole catalogue)")
    for column in ("Indicator", "", "Month", "Rolling 12 months", "Year to date", "Unit"):
        table.add_column(column, justify="left" if column in ("Indicator", "", "Unit") else "right")
    for r in heads.iter_rows(named=True):
        table.add_row(r["indicator"], r["title"], *("" if r[k] is None else f"{r[k]:,.1f}"
                                                    for k in ("month", "rolling_12", "year_to_date")), r["unit"])
    return table, month_end


def neighbour_ratio_table(store: Store, la_code: str, name: str, short_name: str, against: str,
                          month_end: dt.date) -> Table | str:
    """The report's ratio table (§5.5.3): the authority's latest complete financial year against the
    published median of the statistical neighbours of ``against``, a real authority; or, when the
    published figures cannot give it, why it is not shown."""
    from carelens.indicators.api import definition as indicator
    from carelens.published.comparison import BenchmarkError
    from carelens.published.computed_vs_published import computed_financial_years
    from carelens.published.figures_file import BenchmarkDataError, open_published
    from carelens.published.ratio_table import RATIO_ROWS, latest_published_year, published_ratio_table

    year = month_end.year if month_end >= dt.date(month_end.year, 3, 31) else month_end.year - 1
    try:
        with open_published() as data:
            computed = computed_financial_years(store, la_code, [year], [indicator(i) for _, i in RATIO_ROWS])
            values = {r["indicator"]: r["value"] for r in computed.iter_rows(named=True)}
            published_year = latest_published_year(data, against)
            rows = published_ratio_table(data, against, published_year, computed=values)
            against_name = data.find_authority(against).name
    except (BenchmarkError, BenchmarkDataError) as e:
        return f"Ratio table not shown: {e}"
    table = Table(title=f"Ratio table: {name} {year - 1}-{year % 100:02d} against {against_name}'s "
                        f"statistical neighbours ({published_year} published median)")
    for column in ("Per 10,000 children", short_name, "Neighbour median", "Ratio"):
        table.add_column(column, justify="left" if column.startswith("Per") else "right")
    for r in rows.iter_rows(named=True):
        table.add_row(r["row"], *("" if r[k] is None else f"{r[k]:,.{d}f}"
                                  for k, d in (("la_value", 0), ("sn_median", 0), ("ratio", 1))))
    return table
