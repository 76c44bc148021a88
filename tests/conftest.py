"""Shared fixtures: a small synthetic authority in a real DuckDB store, generated once per test session."""

from __future__ import annotations

import pytest
from hypothesis import settings

# CI must be reproducible: property and fuzz tests try the same examples on every run.
# (Explore new ones locally with: pytest --hypothesis-profile=explore)
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile("ci")

from carelens.model.store import Store
from synthetic_stores import coastal_store


@pytest.fixture(scope="session")
def small_store_path(tmp_path_factory):
    """Six years of a 10,000-child coastal authority (seconds to build)."""
    return coastal_store(tmp_path_factory.mktemp("store") / "small.duckdb", 10_000, years=6, seed=7)


@pytest.fixture()
def small_store(small_store_path):
    with Store(small_store_path, read_only=True) as store:
        yield store


@pytest.fixture(scope="session")
def tiny_store_path(tmp_path_factory):
    """Four years of a 2,000-child authority: for tests about the store's file, not its figures."""
    return coastal_store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", 2_000, years=4, seed=3)


@pytest.fixture(scope="session")
def small_903_return(tiny_store_path, tmp_path_factory):
    """A small SSDA903 return (2024/25, a few dozen children) as CSV files: quick for each `carelens ingest`."""
    from carelens.returns.ssda903 import write_ssda903

    folder = tmp_path_factory.mktemp("return") / "ssda903_2024-25"
    with Store(tiny_store_path, read_only=True) as store:
        write_ssda903(store, 2025, folder)
    return folder


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for every test that needs one: starting the JVM costs tens of seconds."""
    from carelens.indicators.backends import spark_local

    con = spark_local()
    yield con
    con._session.stop()


@pytest.fixture()
def spark(spark_session):
    """The shared Spark session with no table left by an earlier test (copy_store makes temporary views)."""
    catalog = spark_session._session.catalog
    for table in catalog.listTables():
        if table.isTemporary:
            catalog.dropTempView(table.name)
    return spark_session


@pytest.fixture(scope="session")
def postgres_database():
    """A function giving the connection settings of a new, empty database on one throwaway PostgreSQL server
    shared by every test (starting a server costs seconds; a database of its own leaves no test another's
    tables)."""
    import itertools

    import psycopg

    from postgres_server import postgres_server

    with postgres_server() as settings:
        numbers = itertools.count(1)

        def new_database() -> dict:
            name = f"test_{next(numbers)}"
            with psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                                 dbname=settings["database"], autocommit=True) as con:
                con.execute(f"CREATE DATABASE {name}")
            return {**settings, "database": name}

        yield new_database
