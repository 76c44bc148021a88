"""One definition, three engines: the whole catalogue gives identical results on DuckDB (the store),
a real PostgreSQL server and PySpark in local mode, for the same synthetic authority.

Every indicator, every breakdown it offers, over the first and the last standard window of each kind
in the financial year 2024-25 (weeks, 4 weeks, months, rolling windows, the year, the year to date, as
at): every kind of window, so every path of the engine, and windows that overlap and that meet the
year's ends. The authority is a small coastal one (1,500 children over four years) so that the
hundreds of queries finish in minutes on PostgreSQL and Spark; what is compared is the definitions,
which depend neither on size nor on how many windows of a kind there are (all 132 windows of the year
took about 1.6 times as long on Spark, measured on one section, and added no path).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from carelens.indicators.backends import copy_store, postgres
from carelens.indicators.catalogue import CATALOGUE
from carelens.indicators.engine import evaluate_series
from carelens.indicators.periods import standard_periods

# thousands of queries on a PostgreSQL server and on Spark: minutes, so out of the fast lane
pytestmark = pytest.mark.slow

YEAR = standard_periods(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
KINDS = sorted({p.kind for p in YEAR})
# the first and the last window of each kind (one, for a kind the year has once)
PERIODS = list(dict.fromkeys(w for kind in KINDS for w in (
    [p for p in YEAR if p.kind == kind][0], [p for p in YEAR if p.kind == kind][-1])))
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
    assert set(on_duckdb["period_kind"]) == set(KINDS) == {"week", "4_weeks", "month", "rolling_3", "rolling_6",
                                                           "rolling_12", "financial_year", "year_to_date", "as_at"}
    assert len(PERIODS) == 14  # two of each kind but those a year has once (12 months, the year, to date, as at)
    assert {p.start for p in PERIODS} >= {dt.date(2024, 4, 1)} and max(p.end for p in PERIODS) == dt.date(2025, 3, 31)
    # every common breakdown has rows; a domain one may have none in a small authority's year
    # (no worker started or left, so no "employment" groups)
    assert {"all", "age_band", "sex", "ethnicity", "team", "worker"} <= set(on_duckdb["breakdown"]) <= set(BREAKDOWNS)


def test_postgresql_gives_identical_results(engine_store_path, on_duckdb, postgres_database):
    from carelens.model.store import Store

    with Store(engine_store_path, read_only=True) as store:
        con = postgres(**postgres_database())
        try:
            result = _catalogue(copy_store(store, con))
        finally:
            con.disconnect()
    assert_frame_equal(result, on_duckdb, check_exact=False, rel_tol=1e-9)


def test_spark_gives_identical_results(engine_store_path, on_duckdb, spark):
    from carelens.model.store import Store

    with Store(engine_store_path, read_only=True) as store:
        result = _catalogue(copy_store(store, spark))
    assert_frame_equal(result, on_duckdb, check_exact=False, rel_tol=1e-9)
