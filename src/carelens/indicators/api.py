"""The one way other packages get figures: a selection's values with their flags, the children behind a
value, and the catalogue with its definitions (decision 018).

Everything that shows a figure — the command line, the monthly report, the web app, the forecast —
asks here, never the engine. So each figure is computed once per store version and then read
(:mod:`carelens.indicators.results_cache`), every consumer gets the same rows with the same flags, and the
engine can change inside without them knowing::

    from carelens.indicators.api import Selection, figures, children_behind, catalogue

    with Store("demo.duckdb", read_only=True) as store:
        got = figures(store, Selection(as_at="2025-03-31", indicators=("C8",), breakdowns=("age_band",)))
        got.values          # la_code, indicator, period, …, value, numerator, denominator, flags
        got.flagged("history_short")
        rows = children_behind(store, "C8", as_at="2025-03-31", period="2025-03")

A selection is indicators × windows × breakdowns × authorities: the windows ending at ``as_at`` (the
ISO week, 4 weeks, month, rolling 3/6/12 months, year to date, the day), or every window from
``series_from`` to ``as_at``. Results are those of :func:`carelens.indicators.engine.evaluate_series`,
with ``la_code`` always first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from carelens.indicators.catalogue import CATALOGUE, indicator
from carelens.indicators.engine import AUTHORITY_RESULT_SCHEMA, counted_rows, evaluate_series
from carelens.indicators.flags import FLAG_COLUMNS
from carelens.indicators.indicator import Indicator
from carelens.indicators.periods import ONE_DAY, Period, months_before, periods_at, standard_periods
from carelens.indicators.results_cache import CacheKey, ResultsCache
from carelens.model.store import Store

ENGINES = ("duckdb", "spark")
__all__ = ["ENGINES", "Figures", "Indicator", "Period", "Selection", "SelectionError", "catalogue", "check_breakdowns",
           "children_behind", "definition", "definitions", "figures", "latest_month_end", "months_before"]


class SelectionError(ValueError):
    """A selection the catalogue or the store cannot answer, said in one line."""


def _day(value: dt.date | str, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise SelectionError(f"{what} {value!r} is not a date: expected YYYY-MM-DD") from None


@dataclass(frozen=True)
class Selection:
    """What to evaluate. ``indicators``: ids or names (none: the whole catalogue); ``breakdowns``: besides the
    total; ``authorities``: one code, several, ``"all"``, or None for the store's only one."""

    as_at: dt.date | str
    indicators: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    authorities: str | tuple[str, ...] | None = None
    series_from: dt.date | str | None = None
    # exactly these windows, whatever kinds each indicator is usually reported over (e.g. the financial
    # years DfE publishes); none: those ending at as_at, or from series_from
    windows: tuple[Period, ...] = ()

    def __post_init__(self):
        # frozen: normalised through object.__setattr__, so that equal selections compare equal
        object.__setattr__(self, "as_at", _day(self.as_at, "as_at"))
        if self.series_from is not None:
            object.__setattr__(self, "series_from", _day(self.series_from, "series_from"))
            if self.series_from > self.as_at:
                raise SelectionError(f"series_from {self.series_from} is after as_at {self.as_at}")
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "breakdowns", tuple(b for b in self.breakdowns if b != "all"))
        if self.authorities is not None and not isinstance(self.authorities, str):
            object.__setattr__(self, "authorities", tuple(self.authorities))
        object.__setattr__(self, "windows", tuple(self.windows))
        if self.series_from is not None and self.windows:
            raise SelectionError("give windows or series_from, not both")

    @property
    def one_authority(self) -> bool:
        """True when one authority is asked for by itself (its rows then need no ``la_code`` to tell them apart)."""
        return self.authorities is None or isinstance(self.authorities, str) and self.authorities != "all"

    def chosen(self) -> list[Indicator]:
        """The indicators selected, in the catalogue's order when none is named."""
        try:
            return [indicator(i) for i in self.indicators] if self.indicators else list(CATALOGUE)
        except KeyError as e:
            raise SelectionError(str(e.args[0])) from None

    def periods(self) -> list[Period]:
        if self.windows:
            return list(self.windows)
        return standard_periods(self.series_from, self.as_at) if self.series_from else periods_at(self.as_at)


@dataclass(frozen=True)
class Figures:
    """A selection's values: ``values`` in long form, ``la_code`` first, each row with its flags."""

    values: pl.DataFrame
    authorities: tuple[str, ...]
    selection: Selection
    store_version: str  # the version_id of the store version they were computed from
    computed: tuple[str, ...] = field(default=())  # indicators computed now; the others were kept figures

    def flagged(self, flag: str) -> list[str]:
        """The indicators with at least one row flagged ``flag`` (outside_coverage, history_short), in order."""
        if flag not in FLAG_COLUMNS or flag == "children_held_back":
            raise ValueError(f"flag {flag!r}: expected outside_coverage or history_short")
        return self.values.filter(pl.col(flag)).get_column("indicator").unique(maintain_order=True).to_list()

    @property
    def children_held_back(self) -> int:
        """The most children any authority's loads held back (every figure leaves them out)."""
        return 0 if self.values.is_empty() else int(self.values.get_column("children_held_back").max() or 0)


def _authorities(store: Store, asked: str | tuple[str, ...] | None) -> tuple[str, ...]:
    try:
        if asked == "all":
            return store.authorities()
        if isinstance(asked, tuple):
            return tuple(store.authority(code.strip()) for code in asked if code.strip())
        return (store.authority(asked),)
    except ValueError as e:
        raise SelectionError(str(e)) from None


def check_breakdowns(chosen: Iterable[Indicator] | None, breakdowns: Iterable[str]) -> None:
    """SelectionError for a breakdown none of the chosen indicators (None: the catalogue) offers."""
    known = {b for ind in (CATALOGUE if chosen is None else chosen) for b in ind.all_breakdowns}
    for b in breakdowns:
        if b not in known:
            raise SelectionError(f"breakdown {b!r}: expected one of {', '.join(sorted(known))}")


def figures(store: Store, selection: Selection, *, engine: str = "duckdb", keep: bool = True) -> Figures:
    """The values of ``selection`` on the store's current version: read from the figures kept for that
    version, and for the indicators none are kept for yet, computed (on ``engine``) and kept (``keep``)."""
    if engine not in ENGINES:
        raise SelectionError(f"engine {engine!r}: expected {' or '.join(ENGINES)}")
    chosen = selection.chosen()
    breakdowns = ("all", *selection.breakdowns)
    check_breakdowns(chosen, breakdowns)
    authorities = _authorities(store, selection.authorities)
    one = selection.one_authority
    if engine == "spark" and len(authorities) != 1:
        raise SelectionError("engine spark: one authority at a time")
    version = store.version.version_id
    key = CacheKey(version, authorities, breakdowns, selection.as_at, selection.series_from, selection.windows)
    cache = ResultsCache(store.path)
    found = cache.read(key, [i.id for i in chosen]) if keep else {}
    missing = [i for i in chosen if i.id not in found]
    if missing:
        tables = store
        if engine == "spark":
            from carelens.indicators.backends import copy_store, spark_local

            tables = copy_store(store, spark_local(), la_code=authorities[0])
        la = authorities[0] if one else authorities
        computed = evaluate_series(tables, missing, selection.periods(), la, breakdowns,
                                   every_window=bool(selection.windows))
        if one:
            computed = computed.select(pl.lit(authorities[0], pl.String).alias("la_code"), pl.all())
        if keep and not computed.is_empty():
            cache.write(key, computed)
        for (ind,), rows in computed.partition_by("indicator", as_dict=True, maintain_order=True).items():
            found[ind] = rows
    parts = [found[i.id] for i in chosen if i.id in found]
    values = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=AUTHORITY_RESULT_SCHEMA)
    return Figures(values, authorities, selection, version, tuple(i.id for i in missing))


def children_behind(store: Store, indicator_id: str, *, as_at: dt.date | str, period: str,
                    authority: str | None = None, breakdown: str = "all", group: str | None = None,
                    series_from: dt.date | str | None = None) -> pl.DataFrame:
    """The rows behind one value (the drill-down): each counted child, event, episode or worker, with
    ``numerator`` true when it is in the numerator and its ``group`` for ``breakdown``.

    The value is the one :func:`figures` gives for the same ``as_at`` (and ``series_from``) in the window
    labelled ``period`` (its ``period`` column). Child-level data: the caller logs who viewed it.
    """
    selection = Selection(as_at=as_at, indicators=(indicator_id,), breakdowns=(breakdown,), authorities=authority,
                          series_from=series_from)
    ind = selection.chosen()[0]
    check_breakdowns([ind], [breakdown])
    la = _authorities(store, selection.authorities)[0]
    window = next((p for p in selection.periods() if p.label == period), None)
    if window is None:
        raise SelectionError(f"period {period!r}: expected one of "
                             f"{', '.join(dict.fromkeys(p.label for p in selection.periods()))}")
    rows = counted_rows(store, ind, window, la, breakdown).to_polars()
    if group is not None:
        rows = rows.filter(pl.col("group") == group)
    return rows


def latest_month_end(store: Store, la_code: str) -> dt.date:
    """The last month end on or before the latest referral or contact the authority has recorded: the
    newest month whose data is complete."""
    latest = None
    for name, column in (("referrals", "referral_date"), ("contacts", "contact_date")):
        t = store.table(name)
        day = t.filter(t.la_code == la_code)[column].max().execute()
        if day is not None and (latest is None or day > latest):
            latest = day
    if latest is None:
        raise ValueError(f"authority {la_code} has no referrals or contacts to report on")
    latest = latest.date() if isinstance(latest, dt.datetime) else latest
    next_day = latest + ONE_DAY
    return latest if next_day.day == 1 else latest.replace(day=1) - ONE_DAY


def _text(value) -> str:
    return str(getattr(value, "value", value))


def catalogue() -> pl.DataFrame:
    """Every indicator with its definition: what it counts, its unit and polarity, the windows it is reported
    over, its breakdowns and the history it needs (docs/indicators/ gives each its page)."""
    rows = [{"id": i.id, "name": i.name, "section": i.group, "title": i.title, "definition": i.definition,
             "counting_unit": _text(i.counting_unit), "unit": _text(i.unit), "polarity": _text(i.polarity),
             "windows": list(i.series), "breakdowns": list(i.all_breakdowns), "history_months": i.history.months,
             "history_reason": i.history.reason, "dfe_measure": i.dfe_measure, "reference": i.reference}
            for i in CATALOGUE]
    return pl.DataFrame(rows)


def definitions() -> tuple[Indicator, ...]:
    """Every indicator's declaration, in the catalogue's order."""
    return CATALOGUE


def definition(id_or_name: str) -> Indicator:
    """One indicator's declaration (its measure, parameters and notes), by id or name."""
    try:
        return indicator(id_or_name)
    except KeyError as e:
        raise SelectionError(str(e.args[0])) from None
