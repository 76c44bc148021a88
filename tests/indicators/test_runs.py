"""One run of the engine over many indicators: building blocks shared between them, sections on several
threads. Neither may change a single figure."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest
from polars.testing import assert_frame_equal

from carelens.indicators.catalogue import CATALOGUE
from carelens.indicators.engine import evaluate_series
from carelens.indicators.flags import FLAG_SCHEMA
from carelens.indicators.measures import Context, shared
from carelens.indicators.periods import standard_periods
from carelens.indicators.run_cache import RunCache
from carelens.model.store import Store

YEAR = standard_periods(dt.date(2024, 4, 1), dt.date(2025, 3, 31))  # weeks, months, rolling, the year, as at


def _temporary_tables(store) -> int:
    return store.sql("SELECT count(*) FROM duckdb_tables() WHERE temporary")[0][0]


@pytest.fixture(scope="module")
def on_one_thread(small_store_path):
    """The whole catalogue over the year in one run on one thread: what the other runs are compared with."""
    with Store(small_store_path, read_only=True) as store:
        return evaluate_series(store, CATALOGUE, YEAR, "890", threads=1)


@pytest.mark.slow
def test_a_run_on_two_threads_gives_what_a_run_on_one_gives(small_store, on_one_thread):
    one = on_one_thread
    two = evaluate_series(small_store, CATALOGUE, YEAR, "890", threads=2)
    assert one.height > 6_000
    assert one["indicator"].unique(maintain_order=True).to_list() == [ind.id for ind in CATALOGUE]
    assert_frame_equal(two, one)  # the same rows in the same order


@pytest.mark.slow
def test_sharing_building_blocks_between_indicators_changes_no_figure(small_store, on_one_thread):
    # the flags come from the store's coverage, not from the building blocks, so the runs of one indicator
    # leave them out (one coverage query per run would be most of this test's time)
    together = on_one_thread.drop(*FLAG_SCHEMA)
    for ind in CATALOGUE:  # each in a run of its own: nothing shared with the others
        alone = evaluate_series(small_store, [ind], YEAR, "890", threads=1, flags=False).drop(*FLAG_SCHEMA)
        assert_frame_equal(alone, together.filter(together["indicator"] == ind.id), check_exact=False,
                           rel_tol=1e-12)


@pytest.mark.slow
def test_a_run_leaves_no_temporary_table_behind(small_store):
    before = _temporary_tables(small_store)
    evaluate_series(small_store, [ind for ind in CATALOGUE if ind.group == "Children looked after"], YEAR, "890")
    assert _temporary_tables(small_store) == before


def test_a_building_block_is_computed_once_per_run_and_given_only_its_own_parameters(small_store):
    built = []

    @shared("months")
    def plans_of_months(ctx: Context) -> ibis.Table:
        built.append(ctx.params)
        t = ctx.table("cp_plans")
        return t.filter(t.start_date >= ibis.date(2020, 1, 1)).select("child_id", months=ibis.literal(ctx.param("months")))

    run = RunCache()
    first = plans_of_months(Context(small_store, ("890",), {"months": 3, "other": 1}, run))
    again = plans_of_months(Context(small_store, ("890",), {"months": 3, "other": 2}, run))
    other = plans_of_months(Context(small_store, ("890",), {"months": 6}, run))
    assert built == [{"months": 3}, {"months": 6}]  # the parameter it names, and nothing else
    assert again is first and other is not first
    assert first.count().execute() == other.count().execute() > 0
    assert len(run.blocks) == 2
    run.release()

    @shared()
    def reads_a_parameter_it_does_not_name(ctx: Context) -> ibis.Table:
        return ctx.table("cp_plans").mutate(months=ctx.param("months"))

    with pytest.raises(KeyError):
        reads_a_parameter_it_does_not_name(Context(small_store, ("890",), {"months": 3}, RunCache()))
