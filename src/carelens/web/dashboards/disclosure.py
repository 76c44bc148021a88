"""Small numbers on a councillor's pages, suppressed as in the published report (docs/report/disclosure.md): a
breakdown's groups and its total as one table, primary and secondary suppression, shares of hidden counts hidden.
A series of windows is the report's :func:`carelens.report.disclosure_control.small_points`."""

from __future__ import annotations

import polars as pl

from carelens.disclosure import one_way_table, suppress

THRESHOLD = 5


def suppressed_groups(groups: pl.DataFrame, total: int | None, threshold: int = THRESHOLD) -> set[str]:
    """The groups whose count (and share) must not be shown."""
    counts = {r["group"]: r["numerator"] for r in groups.iter_rows(named=True)}
    add_up = total is not None and sum(v or 0 for v in counts.values()) == total
    table = one_way_table("groups", counts, total if add_up else None)
    result = suppress(table, threshold=threshold)
    return {key[1] for key in result.suppressed if key[0] == "groups" and not isinstance(key[1], type(None))
            and key[1] in counts}
