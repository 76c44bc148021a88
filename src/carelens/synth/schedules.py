"""Recurring events inside intervals: visits, reviews, health checks.

Many statutory activities recur at an interval while a child is in a state
(CP visits every 10 working days while on a plan; reviews at 20 days, 3 months,
then every 6 months while looked after). These helpers turn arrays of intervals
into arrays of event dates without a Python loop per child.
"""

from __future__ import annotations

import numpy as np


def ragged_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: the owning group of each item and its position within the group."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    position = np.arange(counts.sum()) - np.repeat(starts, counts)
    return owner, position


def recurring(starts: np.ndarray, ends: np.ndarray, first_after: float, every: float,
              rng: np.random.Generator, lateness: np.ndarray | None = None,
              max_events: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Events recurring within each [start, end) interval.

    The first is due ``first_after`` days after the start, the rest every ``every``
    days after the previous *due* date. ``lateness`` (per interval, probability an
    event is late) makes some events happen after their due date. Returns
    ``(owner, due_date, actual_date)``; events whose actual date would fall on or
    after the end are dropped.
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    span = np.maximum(ends - starts, 0)
    counts = np.where(span > first_after, np.floor((span - first_after) / every).astype(np.int64) + 1, 0)
    counts = np.minimum(counts, max_events)
    owner, pos = ragged_positions(counts)
    due = starts[owner] + np.round(first_after + pos * every).astype(np.int64)
    # on time: a little before the due date; late: some days after it
    early = rng.integers(0, max(1, int(every * 0.25)) + 1, size=len(due))
    actual = due - early
    if lateness is not None:
        late = rng.random(len(due)) < np.asarray(lateness)[owner]
        actual = np.where(late, due + rng.integers(1, max(2, int(every * 0.5)), size=len(due)), actual)
    actual = np.maximum(actual, starts[owner] + 1)
    keep = actual < ends[owner]
    return owner[keep], due[keep], actual[keep]
