"""What every evaluated figure must satisfy, checked from its own row: the value follows from the numerator
and denominator by the arithmetic its unit promises (``carelens.indicators.indicator.UNITS``).

The "every indicator evaluates" tests call this on each indicator's series, so that they check more than
that a value lies between 0 and 100: a share is its numerator over its denominator × 100, a rate is its count
over the children aged 0–17 × 10,000 (annualised for a flow), a count is its numerator, and so on.
"""

from __future__ import annotations

import polars as pl

from carelens.indicators.indicator import Indicator

# values are floats computed by the engine; the expected ones here by a different order of operations
TOLERANCE = 1e-9


def _days() -> pl.Expr:
    """Days in the row's window, both ends included (as ``Period.days``)."""
    return (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1


def _close(got: pl.Expr, expected: pl.Expr) -> pl.Expr:
    return (got - expected).abs() <= TOLERANCE * pl.max_horizontal(expected.abs(), pl.lit(1.0))


def _mismatches(out: pl.DataFrame, where: pl.Expr, expected: pl.Expr) -> pl.DataFrame:
    rows = out.filter(where)
    return rows.filter(~_close(pl.col("value"), expected).fill_null(False) | pl.col("value").is_null())


def assert_figures_follow_from_counts(out: pl.DataFrame, ind: Indicator) -> None:
    """Check every row of ``evaluate_series`` output for ``ind``: counts are non-negative integers and the
    value is what its unit makes of them. Fails naming the indicator and the first rows that disagree."""
    assert out.height > 0, f"{ind.id}: no rows"
    assert out["numerator"].dtype.is_integer() and out["denominator"].dtype.is_integer(), ind.id
    assert (out["numerator"] >= 0).all(), f"{ind.id}: a negative count"
    assert (out["denominator"].drop_nulls() >= 0).all(), f"{ind.id}: a negative denominator"
    n, d, value = pl.col("numerator"), pl.col("denominator"), pl.col("value")
    unit = ind.unit
    if unit == "percent":
        # hits of the counted: never more than counted; no figure when nothing is counted
        assert out.filter(n > d).height == 0, f"{ind.id}: more hits than counted\n{out.filter(n > d)}"
        bad = _mismatches(out, d > 0, 100 * n / d)
        assert out.filter(d == 0, value.is_not_null()).height == 0, f"{ind.id}: a share of nothing"
    elif unit == "rate":
        # per 10,000 children aged 0–17 where there is a population for the group (a flow's count scaled to a
        # year), else the count alone (no population for a team or a worker)
        annualise = pl.lit(1.0) if ind.is_stock else 365 / _days()
        counted = pl.col("unit") == "count"
        bad = pl.concat([_mismatches(out, ~counted & (d > 0), n * 10_000 / d * annualise),
                         _mismatches(out, counted, n.cast(pl.Float64))])
        # a group the population does not cover (an unknown sex, say) has a count but no rate
        assert out.filter(counted, d.is_not_null()).height == 0, f"{ind.id}: a count with a population"
        assert out.filter(~counted, d.is_null() | (d == 0), value.is_not_null()).height == 0, \
            f"{ind.id}: a rate without a population"
    elif unit == "count":
        bad = _mismatches(out, pl.lit(True), n.cast(pl.Float64))
        assert out["denominator"].null_count() == out.height, f"{ind.id}: a count with a denominator"
    elif unit == "per_week":
        bad = _mismatches(out, pl.lit(True), n * 7 / _days())
    elif unit in ("mean", "median"):
        # the numerator is how many amounts there were: no figure without any, a figure with some
        bad = pl.concat([out.filter(n == 0, value.is_not_null()), out.filter(n > 0, value.is_null())])
        assert (out["value"].drop_nulls() >= 0).all(), f"{ind.id}: a negative {unit}"
    elif unit == "representation":
        # over a breakdown's groups, each group's ratio weighted by its share of the population is its share
        # of the children counted; so the weighted ratios add up to the share of the children counted in
        # groups the population covers (1 when there is no unknown age or sex) in every window counting anybody
        groups = out.filter(pl.col("breakdown") != "all")
        if groups.filter(d.is_not_null()).height:
            window = ["breakdown", "period_kind", "period"]
            covered = d.is_not_null() & (d > 0)
            sums = groups.group_by(window).agg(
                counted=n.sum(), in_population=n.filter(covered).sum(),
                weighted=(value.fill_null(0) * d / d.filter(covered).sum()).filter(covered).sum(),
            ).filter(pl.col("counted") > 0)
            bad = sums.filter(~_close(pl.col("weighted"), pl.col("in_population") / pl.col("counted")))
        else:
            bad = out.clear()
    else:
        raise AssertionError(f"{ind.id}: no check for unit {unit!r}")
    assert bad.height == 0, f"{ind.id} ({unit}): values not following from their counts\n{bad.head(5)}"
    # a breakdown's shares of the numerator add up to 100 in each window counting anybody
    parts = out.filter(pl.col("breakdown") != "all").group_by("breakdown", "period_kind", "period").agg(
        counted=n.sum(), shares=pl.col("share").sum()).filter(pl.col("counted") > 0)
    off = parts.filter(~_close(pl.col("shares"), pl.lit(100.0)))
    assert off.height == 0, f"{ind.id}: a breakdown's shares do not add up to 100\n{off.head(5)}"
