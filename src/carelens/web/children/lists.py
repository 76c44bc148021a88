"""A list of the children behind one indicator value: what was asked (:class:`ListQuery`, from the URL), and the
rows the user may see (:func:`children_in_scope`).

The value is the one the indicator page shows: ``indicator`` for the window ``period`` ending at ``as_at``,
for ``group`` of ``breakdown`` (``all``: the total). ``part`` is ``numerator`` (the rows counted in the
numerator) or ``denominator`` (every counted row: for a percentage, the children it is a percentage of; for a
count or rate, the same rows as the numerator). The rows are :func:`carelens.indicators.api.children_behind`'s,
each with the child's key dates as on ``as_at`` (:func:`carelens.model.journey.key_dates`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import polars as pl
from django.core.exceptions import BadRequest
from django.http import Http404

from carelens.indicators.api import (
    Indicator,
    SelectionError,
    children_behind,
    definition,
    latest_month_end,
)
from carelens.model.journey import key_dates
from carelens.model.store import Store
from carelens.web.children.scope import ChildScope

PARTS = ("numerator", "denominator")


@dataclass(frozen=True)
class ListQuery:
    """Which value's children: as asked in the URL, with the defaults filled in."""

    indicator: Indicator
    as_at: dt.date
    period: str
    breakdown: str = "all"
    group: str | None = None
    part: str = "numerator"

    @classmethod
    def from_request(cls, store: Store, la_code: str, indicator_id: str, params: Mapping[str, str]) -> ListQuery:
        """The query of a list URL: 404 for an indicator the catalogue does not have or one that counts workers,
        400 for a parameter that is not what it should be. Defaults: the latest complete month (``as_at``), that
        month's window (``period``), the total (``breakdown``), the numerator (``part``)."""
        try:
            ind = definition(indicator_id)
        except SelectionError:
            raise Http404("no such indicator") from None
        if ind.counting_unit.value == "workers":
            raise Http404("this indicator counts workers, not children: there is no list of children behind it")
        raw = params.get("as_at") or ""
        try:
            as_at = dt.date.fromisoformat(raw) if raw else latest_month_end(store, la_code)
        except ValueError:
            raise BadRequest(f"as_at {raw!r} is not a date: expected YYYY-MM-DD") from None
        part = params.get("part") or "numerator"
        if part not in PARTS:
            raise BadRequest(f"part {part!r}: expected numerator or denominator")
        breakdown = params.get("breakdown") or "all"
        group = params.get("group") or None
        if breakdown == "all" and group not in (None, "all"):
            raise BadRequest("group is given without a breakdown")
        period = params.get("period") or as_at.strftime("%Y-%m")
        return cls(ind, as_at, period, breakdown, None if breakdown == "all" else group, part)

    def filters(self) -> dict[str, str]:
        """The query as the access log keeps it (and as the URL carries it)."""
        got = {"indicator": self.indicator.id, "as_at": self.as_at.isoformat(), "period": self.period,
               "breakdown": self.breakdown, "part": self.part}
        if self.group is not None:
            got["group"] = self.group
        return got

    def query_string(self) -> str:
        return urlencode({k: v for k, v in self.filters().items() if k != "indicator"})

    def description(self) -> str:
        """The list in words: "C8 Children on child protection plans: numerator, 2026-03 (as at 2026-03-31)"."""
        where = "" if self.breakdown == "all" else \
            f", {self.breakdown.replace('_', ' ')} {self.group or '(every group)'}"
        return (f"{self.indicator.id} {self.indicator.title}: {self.part}, {self.period} "
                f"(as at {self.as_at.isoformat()}){where}")

    def file_stem(self) -> str:
        parts = ["children", self.indicator.id, self.period, self.part]
        if self.group:
            parts += [self.breakdown, self.group]
        return "-".join("".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in p) for p in parts)


@dataclass(frozen=True)
class ChildList:
    """The rows of a list the user may see, and how many children were left out as outside their scope."""

    query: ListQuery
    rows: pl.DataFrame  # children_behind's columns, then the key dates (KEY_DATES_SCHEMA but child_id)
    behind_columns: tuple[str, ...]  # the columns children_behind gave
    left_out: int  # children behind the value that the user may not see

    @property
    def child_ids(self) -> list[str]:
        return self.rows.get_column("child_id").unique(maintain_order=True).to_list()


def children_in_scope(store: Store, la_code: str, query: ListQuery, scope: ChildScope) -> ChildList:
    """The rows behind the value asked for that ``scope`` allows, each with the child's key dates."""
    try:
        rows = children_behind(store, query.indicator.id, as_at=query.as_at, period=query.period,
                               authority=la_code, breakdown=query.breakdown, group=query.group)
    except SelectionError as e:
        raise BadRequest(str(e)) from None
    if query.part == "numerator":
        rows = rows.filter(pl.col("numerator"))
    rows = rows.filter(pl.col("child_id").is_not_null())
    behind = tuple(rows.columns)
    everyone = set(rows.get_column("child_id").to_list())
    visible = scope.visible(store, la_code, everyone, query.as_at)
    rows = rows.filter(pl.col("child_id").is_in(sorted(visible))).sort("child_id", "counting_day",
                                                                       maintain_order=True)
    dates = key_dates(store, la_code, visible, query.as_at)
    rows = rows.join(dates, on="child_id", how="left", maintain_order="left")
    return ChildList(query, rows, behind, len(everyone - visible))
