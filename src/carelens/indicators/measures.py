"""The shapes an indicator can take, each an Ibis expression over the store.

Almost every measure in the monthly overview is one of a few shapes:

- a **stock** (:class:`Stock`): children in a state on a date — on a CP plan, looked after,
  an assessment open beyond 45 working days;
- a **cohort** (:class:`Stock` with ``during=True``): children in a state at any time in a window —
  looked after during the year, of whom some went missing;
- a **flow** (:class:`Flow`): events dated within a window — referrals, plans starting; with a
  ``numerator`` it is a **conversion** (ICPC → CP plan) and with an ``amount`` an average (days
  from entering care to adoption);
- anything else (:class:`Custom`): a function that returns the counted rows itself.

Each shape returns *counted rows*: one row per child (or event) with ``child_id``, the day the row
is counted on (``counting_day``, used for age), a ``numerator`` flag, an optional ``amount`` and
whatever attributes the indicator breaks down by. Counting those rows gives the figure; listing them
is the drill-down. Because they are Ibis expressions, the same definition runs on DuckDB,
PostgreSQL or Spark.

Predicates and derived columns are functions of ``(table, context)`` so that they can use the
indicator's parameters (``context.param("standard_days")``) and working days
(``context.with_working_days``). A stock's or cohort's functions also see ``window_end`` (the day
counted on) and, for a cohort, ``window_start``.

How the engine counts a measure over many windows (``engine.EnginePath``) follows from its shape and the
fields it declares — ``Stock(numerator_uses_day=...)``, ``Custom(on_last_day=..., on_day=...)`` — and
never from trying to build its expression, so that a mistake in a measure raises instead of changing path.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir

from carelens.indicators.run_cache import BlockKey, RunCache
from carelens.indicators.working_days import with_working_days


class Tables(Protocol):
    """Anything that gives an Ibis table per store table name (a Store, or a backend wrapper)."""

    def table(self, name: str) -> ir.Table: ...


@dataclass(frozen=True)
class Context:
    """One authority's tables (or several authorities', see :attr:`per_authority`) and one indicator's
    parameters: what a measure is evaluated against."""

    tables: Tables
    # the authorities counted, always a tuple (the engine's entry points accept one code or several and
    # make them one: engine.context); identifiers are unique across a store, so measures join on them as
    # they are
    la_code: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    # what this run of the engine has already computed (run_cache.RunCache); None outside a run
    run: RunCache | None = field(default=None, compare=False)
    # the counted rows say whose they are and the counts are per authority (several authorities evaluated
    # in one pass: with_authority); over one authority the engine adds its code after counting instead of
    # carrying a constant through every query
    per_authority: bool = False

    def __post_init__(self):
        if not isinstance(self.la_code, tuple) or not all(
                isinstance(code, str) for code in self.la_code):
            raise TypeError(f"Context(la_code={self.la_code!r}): expected a tuple of authority codes "
                            "(engine.context makes one from a code or a list)")
        if len(self.la_code) > 1 and not self.per_authority:
            raise ValueError(f"Context(la_code={self.la_code!r}): several authorities are counted per authority "
                             "(per_authority=True)")

    def table(self, name: str) -> ir.Table:
        """The store table, holding only this authority's rows (or these authorities')."""
        t = self.tables.table(name)
        if "la_code" not in t.columns:
            return t
        return t.filter(t.la_code.isin(self.la_code) if self.per_authority else t.la_code == self.la_code[0])

    @property
    def authorities(self) -> tuple[str, ...]:
        return self.la_code

    def param(self, name: str) -> Any:
        return self.params[name]

    @staticmethod
    def with_working_days(t: ir.Table, start: str, end: str, name: str) -> ir.Table:
        return with_working_days(t, start, end, name)


def shared(*params: str) -> Callable[[Callable[..., ir.Table]], Callable[..., ir.Table]]:
    """Marks a building block that many indicators read (the episode in force on any day, the periods of
    care), so that one run of the engine computes it once per authority.

    The first indicator to ask for it stores it on the backend as a temporary table (Ibis ``cache``); the
    others read that table, so their queries are smaller to compile and quicker to run. Outside a run (one
    value, a drill-down) the block is built as usual. ``params`` names the indicator parameters the block
    reads: they are part of what it is stored under, and the only ones it is given, so that a block reading
    another one fails at once rather than being shared between indicators it differs for. A block may also
    take tables (the windows): the same tables, the same block.
    """

    def mark(build: Callable[..., ir.Table]) -> Callable[..., ir.Table]:
        @functools.wraps(build)
        def block(ctx: Context, *tables: ir.Table) -> ir.Table:
            own = replace(ctx, params={p: ctx.params[p] for p in params if p in ctx.params})
            if ctx.run is None:
                return build(own, *tables)
            key = BlockKey(f"{build.__module__}.{build.__qualname__}", ctx.la_code,
                           tuple(sorted(own.params.items())), tuple(t.op() for t in tables))
            return ctx.run.block(key, lambda: build(own, *tables))

        return block

    return mark


# stands for "not ended" in interval tests
NOT_ENDED = dt.date(9999, 12, 31)


def not_ended(end: ir.DateValue) -> ir.DateValue:
    """``end``, or a far-off day when it is empty (not ended yet).

    Interval tests written with it stay plain inequalities, which the engines answer with a range join
    (DuckDB's inequality join); ``end IS NULL OR end > day`` makes them compare every pair instead."""
    return end.fill_null(ibis.date(NOT_ENDED))


def open_on(start: ir.DateValue, end: ir.DateValue, day: ir.DateValue) -> ir.BooleanValue:
    """Started on or before ``day`` and not ended by it: a plan ending on a day no longer counts on it."""
    return (start <= day) & (not_ended(end) > day)

Source = str | Callable[[Context], ir.Table]
Predicate = Callable[[ir.Table, Context], ir.BooleanValue]
Derived = Callable[[ir.Table, Context], ir.Value]


def source_table(source: Source, ctx: Context) -> ir.Table:
    return ctx.table(source) if isinstance(source, str) else source(ctx)


def _value(spec: str | Derived | None, t: ir.Table, ctx: Context, default: Any) -> ir.Value:
    if spec is None:
        return ibis.literal(default)
    return t[spec] if isinstance(spec, str) else spec(t, ctx)


def _prepare(t: ir.Table, ctx: Context, prepare: Callable[[ir.Table, Context], ir.Table] | None,
             where: Predicate | None) -> ir.Table:
    if prepare is not None:
        t = prepare(t, ctx)
    return t if where is None else t.filter(where(t, ctx))


@dataclass(frozen=True)
class Flow:
    """Events dated within the window (both ends included).

    ``numerator`` (a boolean column or function) makes it a conversion; ``amount`` a number averaged
    over the events (days to adoption). ``distinct_children`` counts a child once however many
    events they had. ``prepare`` adds derived columns (working days, a previous event) before
    ``where`` filters.
    """

    source: Source
    date: str
    where: Predicate | None = None
    numerator: str | Predicate | None = None
    amount: str | Derived | None = None
    distinct_children: bool = False
    prepare: Callable[[ir.Table, Context], ir.Table] | None = None
    attributes: Mapping[str, str | Derived] = field(default_factory=dict)

    def events(self, ctx: Context) -> ir.Table:
        """Every event with its date, numerator, amount and attributes (not yet windowed)."""
        t = _prepare(source_table(self.source, ctx), ctx, self.prepare, self.where)
        rows = t.select(child_id=t.child_id, counting_day=t[self.date].cast("date"),
                        numerator=_value(self.numerator, t, ctx, True).cast("boolean").fill_null(False),
                        amount=_value(self.amount, t, ctx, None).cast("float64"),
                        **_carried(t, ctx), **_attributes(self.attributes, t, ctx))
        return rows.filter(rows.counting_day.notnull())


@dataclass(frozen=True)
class Stock:
    """Rows in a state on the window's last day: started on or before it and not ended by it.

    A plan that ended on the day no longer counts (DfE: "on a plan at 31 March"). With
    ``during=True`` the rows counted are those in the state at any time in the window (a cohort,
    such as children looked after during the year). ``numerator`` and ``amount`` may use the
    columns ``window_end`` (and ``window_start`` for a cohort).

    ``numerator_uses_day=True`` declares that the numerator reads ``window_end`` (a plan lasting two
    years or more on the day): such a stock is counted by joining its intervals to each last day, never
    swept (``indicators/sweep.py``), whose intervals carry no day. A numerator reading ``window_end``
    without it raises rather than quietly taking the other path.
    """

    source: Source
    start: str = "start_date"
    end: str = "end_date"
    where: Predicate | None = None
    numerator: str | Predicate | None = None
    amount: str | Derived | None = None
    during: bool = False
    prepare: Callable[[ir.Table, Context], ir.Table] | None = None
    attributes: Mapping[str, str | Derived] = field(default_factory=dict)
    numerator_uses_day: bool = False

    def __post_init__(self):
        _check_flags(self, "during", "numerator_uses_day")
        if self.numerator_uses_day and not callable(self.numerator):
            raise ValueError(f"Stock({self.source!r}, numerator_uses_day=True): only a numerator function can read "
                             "the day counted")

    def intervals(self, ctx: Context) -> ir.Table:
        return _prepare(source_table(self.source, ctx), ctx, self.prepare, self.where)

    def in_window(self, t: ir.Table, window_start: ir.Value, window_end: ir.Value) -> ir.BooleanValue:
        if self.during:
            return (t[self.start] <= window_end) & (not_ended(t[self.end]) >= window_start)
        return open_on(t[self.start], t[self.end], window_end)

    def numerator_of(self, t: ir.Table, ctx: Context) -> ir.BooleanValue:
        return _value(self.numerator, t, ctx, True).cast("boolean").fill_null(False)

    def counted(self, t: ir.Table, ctx: Context) -> ir.Table:
        """The counted rows of intervals already joined to their window (``window_end`` present)."""
        # the window's id arrives as _window_id: a source may have its own period_id (a period of care)
        window = {"period_id": t._window_id} if "_window_id" in t.columns else {}
        return t.select(**window, child_id=t.child_id, counting_day=t.window_end,
                        numerator=self.numerator_of(t, ctx),
                        amount=_value(self.amount, t, ctx, None).cast("float64"),
                        **_carried(t, ctx), **_attributes(self.attributes, t, ctx))


@dataclass(frozen=True)
class Custom:
    """A measure that builds its counted rows itself.

    ``rows(context, windows)`` receives the windows as a table (``period_id``, ``window_start``,
    ``window_end``) and returns one row per counted child or event with ``period_id``, ``child_id``,
    ``counting_day``, ``numerator`` (boolean) and ``amount`` (float, may be null), plus any
    attributes. ``how`` says in words how it is computed, for the docs page.

    ``on_day`` optionally says the same figure another way, so that it can be counted on hundreds of
    days in one pass (``indicators/sweep.py``): for the ``all`` breakdown, the children counted on a day
    are those open on it in signed sets of intervals, and likewise the numerator. It returns
    ``(counted, numerator)``, each a list of ``(sign, table)`` with ``child_id``, ``start`` and ``end``:
    the children whose highest level is early help are ``[(+1, open at any level), (-1, open at child
    in need or above)]``. ``tests/indicators/test_sweep.py`` checks that it agrees with ``rows``.

    ``amounts_on_day`` does the same for a measure whose rows on a day are units each with an amount that
    changes over time (a worker and their caseload): it returns each unit's amount as a step function,
    ``worker_id`` (or ``child_id``), ``start``, ``end`` and ``amount``, a unit's steps disjoint; on a day
    the rows are the units with a step holding it, all in the numerator, each with that step's amount.
    The count, sum and median of the amounts on every day then come from one pass along the steps.

    ``on_last_day=True`` declares that the rows depend only on each window's last day (they never read
    ``window_start``): the engine then builds them once per distinct last day — a month end serves the
    month, the rolling windows and the year — from windows that have no ``window_start`` column, so a
    measure that reads it anyway raises. Without it the rows are built over every window. A measure with
    ``on_day`` or ``amounts_on_day`` counts what holds on a day, so it must declare it.
    """

    rows: Callable[[Context, ir.Table], ir.Table]
    how: str
    sources: tuple[str, ...] = ()
    on_day: Callable[[Context], tuple[list[tuple[int, ir.Table]], list[tuple[int, ir.Table]]]] | None = None
    amounts_on_day: Callable[[Context], ir.Table] | None = None
    # the rows are one per window and child by construction (grouped by them): counting children, the
    # engine need not group them by child again
    once_per_child: bool = False
    on_last_day: bool = False

    def __post_init__(self):
        _check_flags(self, "once_per_child", "on_last_day")
        if (self.on_day is not None or self.amounts_on_day is not None) and not self.on_last_day:
            raise ValueError(f"Custom({getattr(self.rows, '__name__', self.rows)}): a measure counted on a day "
                             "(on_day, amounts_on_day) depends only on each window's last day: declare "
                             "on_last_day=True")


def _check_flags(measure: Any, *names: str) -> None:
    """The path-choosing fields of a measure are booleans, so that a value meant for another field fails here."""
    for name in names:
        if not isinstance(getattr(measure, name), bool):
            raise TypeError(f"{type(measure).__name__}({name}={getattr(measure, name)!r}): expected True or False")


Measure = Flow | Stock | Custom

# Columns a source may have that breakdowns use: carried through when present.
CARRIED = ("team_id", "worker_id")


def _carried(t: ir.Table, ctx: Context) -> dict[str, ir.Value]:
    # over several authorities, each row also keeps whose it is (see with_authority)
    carried = (*CARRIED, "la_code") if ctx.per_authority else CARRIED
    return {c: t[c] for c in carried if c in t.columns}


def with_authority(rows: ir.Table, ctx: Context, counting_unit: str) -> ir.Table:
    """Over several authorities, ``rows`` with ``la_code``: the authority of the child (or, counting
    workers, of the worker) each row counts. Over one authority, ``rows`` as they are: the engine adds
    the code after counting rather than carry a constant through every query."""
    if not ctx.per_authority or "la_code" in rows.columns:
        return rows
    if counting_unit == "workers":
        w = ctx.table("workers")
        owner, key = w.select(_o_id=w.worker_id, _o_la=w.la_code), rows.worker_id
    else:
        p = ctx.table("person")
        owner, key = p.select(_o_id=p.child_id, _o_la=p.la_code), rows.child_id
    j = rows.left_join(owner, key == owner._o_id)
    return j.mutate(la_code=j._o_la).drop("_o_id", "_o_la")


def authority_key(ctx: Context) -> tuple[str, ...]:
    """What counts are grouped by besides the window and group: the authority, over several."""
    return ("la_code",) if ctx.per_authority else ()


def _attributes(attributes: Mapping[str, str | Derived], t: ir.Table, ctx: Context) -> dict[str, ir.Value]:
    return {name: (t[spec] if isinstance(spec, str) else spec(t, ctx)).cast("string")
            for name, spec in attributes.items()}


def Conversion(source: Source, date: str, outcome: str | Predicate, **kw) -> Flow:  # noqa: N802 - a shape
    """Of the events dated within the window, those for which ``outcome`` is true."""
    return Flow(source, date, numerator=outcome, **kw)
