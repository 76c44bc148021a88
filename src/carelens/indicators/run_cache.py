"""What one run of the engine computes once for all the indicators it evaluates.

A run (``engine.evaluate_series`` over a catalogue section) keeps three kinds of things, each under a key
of its own type, so that nothing else can be stored in it or read from it by mistake:

- **building blocks** (:func:`carelens.indicators.measures.shared`): tables many indicators read, such as
  the episode in force on any day, stored on the backend as temporary tables (Ibis ``cache``) and dropped
  by :meth:`RunCache.release` when the run ends;
- **interval changes** (``sweep.counts_on_days``): the +1 and −1 per day of a set of intervals, read back
  into Polars, so that the children looked after are swept once for the dozen shares counted over them;
- **amount changes and the amounts on days** (``sweep.amounts_on_days``): the same for units whose amount
  changes over time (workers' caseloads), and the count, sum and median read from them on a run's days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir
import polars as pl


@dataclass(frozen=True)
class BlockKey:
    """A building block: the function building it, for which authorities, with which of the indicator's
    parameters, over which tables (the windows)."""

    builder: str  # module and qualified name of the function
    la_code: tuple[str, ...]
    params: tuple[tuple[str, Any], ...]
    tables: tuple[Hashable, ...]  # the tables' Ibis operations: the same tables, the same block


@dataclass(frozen=True)
class ChangesKey:
    """A set of intervals swept per day: its Ibis operation, and whether children are counted once each."""

    intervals: Hashable
    per_child: bool


@dataclass(frozen=True)
class AmountsKey:
    """The step functions of the units' amounts (``Custom.amounts_on_day``): their Ibis operation."""

    steps: Hashable


class RunCache:
    """What a run of the engine has computed so far (see the module's notes). One per connection: a thread
    evaluating a section keeps its own."""

    def __init__(self) -> None:
        self._blocks: dict[BlockKey, ir.Table] = {}
        self._changes: dict[ChangesKey, pl.DataFrame] = {}
        self._amount_changes: dict[AmountsKey, pl.DataFrame] = {}
        self._amounts_on_days: dict[tuple[AmountsKey, tuple[dt.date, ...]], pl.DataFrame] = {}

    def block(self, key: BlockKey, build: Callable[[], ir.Table]) -> ir.Table:
        """The building block under ``key``, built and stored on the backend the first time it is asked for."""
        if key not in self._blocks:
            self._blocks[key] = build().cache()
        return self._blocks[key]

    def changes(self, key: ChangesKey, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """The per-day changes of a set of intervals, computed the first time they are asked for."""
        if key not in self._changes:
            self._changes[key] = compute()
        return self._changes[key]

    def amount_changes(self, key: AmountsKey, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """The per-day changes of the units holding each amount, computed the first time they are asked for."""
        if key not in self._amount_changes:
            self._amount_changes[key] = compute()
        return self._amount_changes[key]

    def amounts_on_days(self, key: AmountsKey, days: tuple[dt.date, ...],
                        compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """The count, sum and median of the amounts on ``days``: the mean, median and count of caseloads
        read the same figures on the same days."""
        if (key, days) not in self._amounts_on_days:
            self._amounts_on_days[key, days] = compute()
        return self._amounts_on_days[key, days]

    @property
    def blocks(self) -> tuple[ir.Table, ...]:
        """The building blocks stored so far."""
        return tuple(self._blocks.values())

    def release(self) -> None:
        """Drop the building blocks' temporary tables on the backend now, not when the connection closes."""
        for block in self._blocks.values():
            block.release()
        self._blocks.clear()
