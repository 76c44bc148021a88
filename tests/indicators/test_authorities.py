"""Several authorities evaluated in one pass (a pooled store: a region, England) give each authority
exactly what evaluating it alone gives."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from carelens.indicators.catalogue import CATALOGUE
from carelens.indicators.engine import evaluate_series
from carelens.indicators.periods import Period, standard_periods
from carelens.model.store import Store
from carelens.synth import AuthoritySpec, load_profile, synthesise

# the whole catalogue, every breakdown, for three authorities together and each alone: minutes, so out of
# the fast lane (every test here shares the pooled store)
pytestmark = pytest.mark.slow

AUTHORITIES = ["301", "886", "919"]
YEAR = standard_periods(dt.date(2024, 4, 1), dt.date(2025, 3, 31))  # weeks, months, rolling, the year, as at
SPLIT = [Period.month(2025, 3), Period.financial_year(2025)]


@pytest.fixture(scope="module")
def pooled_path(tmp_path_factory):
    """Three small authorities of different profiles in one store."""
    path = tmp_path_factory.mktemp("pooled") / "pooled.duckdb"
    specs = [AuthoritySpec("301", "Pooled A", load_profile("coastal-high-demand"), children=3_000),
             AuthoritySpec("886", "Pooled B", load_profile("england"), children=5_000),
             AuthoritySpec("919", "Pooled C", load_profile("england"), children=2_000)]
    synthesise(path, specs, years=4, seed=11)
    return path


@pytest.fixture()
def pooled_store(pooled_path):
    with Store(pooled_path, read_only=True) as store:
        yield store


def _each_alone(store, periods, breakdowns=("all",)) -> pl.DataFrame:
    return pl.concat([evaluate_series(store, CATALOGUE, periods, la, breakdowns, threads=1).select(
        pl.lit(la).alias("la_code"), pl.all()) for la in AUTHORITIES])


def _key(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("la_code", "indicator", "breakdown", "period_kind", "period", "group")


def test_every_authority_at_once_gives_what_each_gives_alone(pooled_store):
    together = evaluate_series(pooled_store, CATALOGUE, YEAR, AUTHORITIES)
    assert together.columns[0] == "la_code"
    assert sorted(together["la_code"].unique()) == AUTHORITIES
    alone = _each_alone(pooled_store, YEAR)
    assert together.height == alone.height > 3 * 6_000
    assert_frame_equal(_key(together), _key(alone), check_exact=False, rel_tol=1e-12)


def test_every_breakdown_of_every_authority_at_once_matches_each_alone(pooled_store):
    names = sorted({b for ind in CATALOGUE for b in ind.all_breakdowns})
    together = evaluate_series(pooled_store, CATALOGUE, SPLIT, AUTHORITIES, names, every_window=True)
    alone = pl.concat([evaluate_series(pooled_store, CATALOGUE, SPLIT, la, names, every_window=True).select(
        pl.lit(la).alias("la_code"), pl.all()) for la in AUTHORITIES])
    assert together.height == alone.height
    # shares of a breakdown add up to 100 within each authority, not across them
    shares = together.filter(pl.col("breakdown") == "sex", pl.col("numerator") > 0).group_by(
        "la_code", "indicator", "period").agg(pl.col("share").sum())
    assert shares.height and (shares["share"] - 100).abs().max() < 1e-9
    assert_frame_equal(_key(together), _key(alone), check_exact=False, rel_tol=1e-12)


def test_one_authority_of_a_pooled_store_is_its_own(pooled_store):
    # a pooled store evaluated for one authority counts nobody from the others
    one = evaluate_series(pooled_store, CATALOGUE, SPLIT, "919", every_window=True)
    rates = one.filter(pl.col("indicator") == "C8")  # children on a CP plan per 10,000 (both windows: mid-2024)
    population = pooled_store.sql("SELECT sum(children) FROM population WHERE la_code = '919' AND age <= 17 "
                                  "AND year = 2024")[0][0]
    assert rates["denominator"].to_list() == [population, population]
    on_plans = pooled_store.sql("SELECT count(DISTINCT child_id) FROM cp_plans WHERE la_code = '919' AND "
                                "start_date <= DATE '2025-03-31' AND coalesce(end_date, DATE '9999-12-31') > "
                                "DATE '2025-03-31'")[0][0]
    assert rates["numerator"].to_list() == [on_plans, on_plans]


def test_the_command_line_evaluates_all_or_some_authorities_of_a_pooled_store(pooled_path, tmp_path):
    from typer.testing import CliRunner

    from carelens.cli import app

    runner = CliRunner()
    base = ["indicators", "--store", str(pooled_path), "--as-at", "2025-03-31", "--format", "csv"]
    every = runner.invoke(app, [*base, "--la", "all", "--out", str(tmp_path / "all.csv")])
    assert every.exit_code == 0, every.output
    out = pl.read_csv(tmp_path / "all.csv", schema_overrides={"la_code": pl.String})
    assert out.columns[:2] == ["la_code", "indicator"]
    assert sorted(out["la_code"].unique()) == AUTHORITIES
    some = runner.invoke(app, [*base, "--la", "301,919", "--out", str(tmp_path / "some.csv")])
    assert some.exit_code == 0, some.output
    two = pl.read_csv(tmp_path / "some.csv", schema_overrides={"la_code": pl.String})
    assert sorted(two["la_code"].unique()) == ["301", "919"]
    assert_frame_equal(_key(two), _key(out.filter(pl.col("la_code").is_in(["301", "919"]))))
    table = runner.invoke(app, ["indicators", "--store", str(pooled_path), "--as-at", "2025-03-31", "--la", "all"])
    assert table.exit_code == 0 and "Indicators for 301, 886, 919 at 2025-03-31" in table.output
    wrong = runner.invoke(app, [*base, "--la", "301,999"])
    assert wrong.exit_code != 0 and "no children for authority '999'" in wrong.output
