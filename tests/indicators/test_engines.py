"""One definition, three engines: the whole catalogue gives identical results on DuckDB (the store),
a real PostgreSQL server and PySpark in local mode, for the same synthetic authority.

Every indicator, every breakdown it offers, over every standard window of the financial year
2024-25 (weeks, 4 weeks, months, rolling windows, the year, the year to date). The authority is a
small coastal one (1,500 children over four years) so that the thousands of queries finish in
minutes on PostgreSQL and Spark; what is compared is the definitions, which do not depend on size.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from postgres_server import postgres_server

from carelens.indicators.backends import copy_store, postgres, spark_local
from carelens.indicators.catalogue import CATALOGUE
from carelens.indicators.engine import evaluate_series
from carelens.indicators.periods import standard_periods

# thousands of queries on a PostgreSQL server and on Spark: minutes, so out of the fast lane
pytestmark = pytest.mark.slow

PERIODS = standard_periods(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
BREAKDOWNS = sorted({b for ind in CATALOGUE for b in ind.all_breakdowns})


def _catalogue(tables) -> pl.DataFrame:
    out = evaluate_series(tables, CATALOGUE, PERIODS, "890", BREAKDOWNS)
    return out.sort("indicator", "breakdown", "period_kind", "period", "group")


@pytest.fixture(scope="module")
def engine_store_path(tmp_path_factory):
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    path = tmp_path_factory.mktemp("engines") / "engines.duckdb"
    spec = AuthoritySpec("890", "Coastal (synthetic)", load_profile("coastal-high-demand"), children=1_500)
    synthesise(path, [spec], years=4, seed=11)
    return path


@pytest.fixture(scope="module")
def on_duckdb(engine_store_path):
    from carelens.model.store import Store

    with Store(engine_store_path, read_only=True) as store:
        return _catalogue(store)


def test_the_catalogue_covers_every_window_and_breakdown(on_duckdb):
    assert set(on_duckdb["indicator"]) == {i.id for i in CATALOGUE}
    assert set(on_duckdb["period_kind"]) >= {"week", "4_weeks", "month", "rolling_3", "rolling_6", "rolling_12",
                                             "financial_year", "year_to_date", "as_at"}
    # every common breakdown has rows; a domain one may have none in a small authority's year
    # (no worker started or left, so no "employment" groups)
    assert {"all", "age_band", "sex", "ethnicity", "team", "worker"} <= set(on_duckdb["breakdown"]) <= set(BREAKDOWNS)


def test_postgresql_gives_identical_results(engine_store_path, on_duckdb):
    from carelens.model.store import Store

    with postgres_server() as settings, Store(engine_store_path, read_only=True) as store:
        con = postgres(**settings)
        try:
            result = _catalogue(copy_store(store, con))
        finally:
            con.disconnect()
    assert_frame_equal(result, on_duckdb, check_exact=False, rel_tol=1e-9)


def test_spark_gives_identical_results(engine_store_path, on_duckdb):
    from carelens.model.store import Store

    con = spark_local()
    try:
        with Store(engine_store_path, read_only=True) as store:
            result = _catalogue(copy_store(store, con))
    finally:
        con._session.stop()
    assert_frame_equal(result, on_duckdb, check_exact=False, rel_tol=1e-9)
