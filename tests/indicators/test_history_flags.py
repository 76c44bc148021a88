"""Indicators say when the store's data cannot support the figure (decision 009).

Returns are made and loaded the way a council would (``carelens synth``, ``carelens returns 903`` and
``carelens returns cin``, ``carelens ingest``), all through the real command line: one store from the
2024/25 returns alone, one from 2022/23 to 2024/25. B5 (re-referrals) needs each referral's previous
12 months and D8 (long-term stability) 2½ years of care before 31 March 2025, so on the one-year store
both are flagged ``history_short`` and on the three-year store neither is; B4 (referrals) needs nothing
before its window and is never flagged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
from pathlib import Path

import duckdb
import ibis
import polars as pl
import pytest
from typer.testing import CliRunner

from carelens.cli import app
from carelens.indicators.backends import copy_store
from carelens.indicators.catalogue import CATALOGUE, indicator
from carelens.indicators.engine import evaluate_series
from carelens.indicators.flags import months_before
from carelens.indicators.indicator import History, Indicator
from carelens.indicators.measures import Flow
from carelens.indicators.periods import periods_at
from carelens.model.metadata import METADATA_TABLES
from carelens.model.provenance import Span, collection_year_span, merged
from carelens.model.store import Store

runner = CliRunner()
AS_AT = "2025-03-31"


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result, " ".join(result.output.split())


def figures(store: Path, *ids: str, as_at: str = AS_AT, extra=()) -> pl.DataFrame:
    result = runner.invoke(app, ["indicators", "--store", str(store), "--as-at", as_at, "--format", "csv",
                                 *[a for i in ids for a in ("--indicator", i)], *extra])
    assert result.exit_code == 0, result.output
    return pl.read_csv(io.StringIO(result.stdout), try_parse_dates=True)


def year_flags(frame: pl.DataFrame) -> dict[str, tuple]:
    fy = frame.filter((pl.col("period_kind") == "financial_year") & (pl.col("breakdown") == "all"))
    return {r["indicator"]: (r["history_short"], r["outside_coverage"], r["children_held_back"])
            for r in fy.iter_rows(named=True)}


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Path:
    """A small synthetic authority and its 903 and CIN returns for 2022/23 to 2024/25."""
    d = tmp_path_factory.mktemp("council")
    result, _ = run("synth", "--store", d / "synthetic.duckdb", "--children", 3000, "--seed", 5, "--years", 6,
                    "--end", AS_AT)
    assert result.exit_code == 0, result.output
    for year in (2023, 2024, 2025):
        for kind, out in (("903", d / str(year) / "ssda903"), ("cin", d / str(year) / f"cin_{year}.xml")):
            result, _ = run("returns", kind, "--store", d / "synthetic.duckdb", "--year", year, "--out", out)
            assert result.exit_code == 0, result.output
    return d


def loaded(council: Path, years: tuple[int, ...], name: str) -> Path:
    store = council / name
    if not store.exists():
        sources = [p for y in years for p in (council / str(y) / "ssda903", council / str(y) / f"cin_{y}.xml")]
        result, _ = run("ingest", "--store", store, *sources)
        assert result.exit_code == 0, result.output
    return store


@pytest.fixture(scope="module")
def one_year(council) -> Path:
    return loaded(council, (2025,), "one_year.duckdb")


@pytest.fixture(scope="module")
def three_years(council) -> Path:
    return loaded(council, (2023, 2024, 2025), "three_years.duckdb")


# ------------------------------------------------------------------------------------ the declarations
def test_every_indicator_declares_the_history_it_needs():
    assert all(isinstance(i.history, History) and i.history.reason for i in CATALOGUE)
    needs = {i.id: i.history.months for i in CATALOGUE}
    assert (needs["B4"], needs["B5"], needs["D7"], needs["D8"], needs["D13"]) == (0, 12, 12, 30, 12)
    assert needs["C13"] == 216  # a child's lifetime, not "unlimited" (decision 009)


def test_a_declaration_without_history_is_refused_naming_the_indicator():
    b4 = indicator("B4")
    with pytest.raises(TypeError, match=r"indicator B8a \(referral_clock_timeliness\) declares no history: add "
                                        r"history=History\(months=\.\.\., reason="):
        Indicator(id="B8a", name="referral_clock_timeliness", title="t", definition="d",
                  measure=Flow("referrals", "referral_date"), counting_unit="events", unit="percent", polarity="high")
    with pytest.raises(ValueError, match="expected whole months from 0 to 216"):
        dataclasses.replace(b4, history=History(-1, "x"))


def test_the_generated_pages_show_the_history_each_needs():
    from carelens.indicators.docs import page

    assert "| history needed | 12 months before the window:" in page(indicator("B5"))
    assert "| history needed | 30 months before the day counted:" in page(indicator("D8"))
    assert "| history needed | none:" in page(indicator("B4"))


# ------------------------------------------------------------------------------------------- coverage
def test_months_are_calendar_months_and_spans_join_where_they_meet():
    assert months_before(dt.date(2025, 3, 31), 30) == dt.date(2022, 9, 30)
    assert months_before(dt.date(2024, 5, 31), 3) == dt.date(2024, 2, 29)
    assert collection_year_span(2025) == Span(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert merged([collection_year_span(y) for y in (2025, 2021, 2024)]) == [
        Span(dt.date(2020, 4, 1), dt.date(2021, 3, 31)), Span(dt.date(2023, 4, 1), dt.date(2025, 3, 31))]


def test_a_store_knows_what_its_returns_cover(one_year, three_years, council):
    with Store(three_years, read_only=True) as s:
        cov = {r["table"]: (r["first_day"], r["last_day"]) for r in s.coverage().iter_rows(named=True)}
    # each return covers its collection year, whatever the dates of the episodes it lists
    assert cov["referrals"] == cov["looked_after_episodes"] == (dt.date(2022, 4, 1), dt.date(2025, 3, 31))
    assert "contacts" not in cov  # no return holds contacts (Annex A does)
    with Store(one_year, read_only=True) as s:
        assert s.coverage().filter(pl.col("table") == "referrals").rows() == [
            ("890", "referrals", dt.date(2024, 4, 1), dt.date(2025, 3, 31))]
    with Store(council / "synthetic.duckdb", read_only=True) as s:
        # a synthetic store covers its whole simulated span, up to its last day
        assert {r["last_day"] for r in s.coverage().iter_rows(named=True)} == {dt.date(2025, 3, 31)}


# ---------------------------------------------------------------------------------------------- flags
def test_one_years_returns_flag_b5_and_d8_and_not_b4(one_year, three_years):
    one = year_flags(figures(one_year, "B4", "B5", "D8"))
    assert one == {"B4": (False, False, 0), "B5": (True, False, 0), "D8": (True, False, 0)}
    three = year_flags(figures(three_years, "B4", "B5", "D8"))
    assert three == {"B4": (False, False, 0), "B5": (False, False, 0), "D8": (False, False, 0)}


def test_the_command_lists_flagged_indicators_and_strict_refuses(one_year, tmp_path):
    result = runner.invoke(app, ["indicators", "--store", str(one_year), "--as-at", AS_AT, "--indicator", "B4",
                                 "--indicator", "B5", "--indicator", "D8", "--format", "csv"])
    assert result.exit_code == 0
    err = " ".join(result.stderr.split())
    assert "warning: 2 indicator(s) with too little history before the window for what they need " \
           "(history_short): B5, D8" in err
    assert "history_short" in result.stdout.splitlines()[0]  # (and the rows say it)
    out = tmp_path / "x.csv"
    result = runner.invoke(app, ["indicators", "--store", str(one_year), "--as-at", AS_AT, "--indicator", "B5",
                                 "--strict", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists() and "Traceback" not in result.output
    assert "--strict: refusing figures at 2025-03-31" in " ".join(result.stderr.split())
    # B4 alone needs nothing the store lacks: --strict lets it through
    result = runner.invoke(app, ["indicators", "--store", str(one_year), "--as-at", AS_AT, "--indicator", "B4",
                                 "--strict", "--format", "csv"])
    assert result.exit_code == 0 and result.stderr == ""


@pytest.mark.parametrize("as_at", ["2099-03-31", "2020-03-31"])
def test_an_as_at_outside_the_returns_is_flagged_and_strict_refuses(one_year, as_at):
    flags = year_flags(figures(one_year, "B4", as_at=as_at))
    assert flags["B4"] == (False, True, 0)
    result, out = run("indicators", "--store", one_year, "--as-at", as_at, "--indicator", "B4", "--strict")
    assert result.exit_code == 1
    assert "(outside_coverage): B4" in out


def test_series_from_after_as_at_is_an_error(one_year):
    result, out = run("indicators", "--store", one_year, "--as-at", AS_AT, "--series-from", "2025-04-01")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "error: --series-from 2025-04-01 is after --as-at 2025-03-31" in out


# --------------------------------------------------------------------------------- children held back
@pytest.fixture(scope="module")
def held_back(council, tmp_path_factory) -> tuple[Path, str]:
    """The 2024/25 903 return with one child's review keyed as 2027, loaded with --hold-back."""
    d = tmp_path_factory.mktemp("held")
    folder = Path(shutil.copytree(council / "2025" / "ssda903", d / "ssda903"))
    reviews = pl.read_csv(folder / "reviews.csv", infer_schema=False)
    reviews = reviews.with_columns(REVIEW=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("13/01/2027"))
                                   .otherwise(pl.col("REVIEW")))
    (folder / "reviews.csv").write_text(reviews.write_csv())
    store = d / "held.duckdb"
    result, out = run("ingest", "--hold-back", "--year", 2025, "--store", store, folder,
                      council / "2025" / "cin_2025.xml")
    assert result.exit_code == 0, result.output
    assert "1 child(ren) held back" in out
    return store, reviews["CHILD"][0]


def test_every_figure_says_how_many_children_were_held_back(held_back):
    store, _ = held_back
    frame = figures(store, "B4", "D1", "D8")
    assert set(frame["children_held_back"]) == {1}
    result = runner.invoke(app, ["indicators", "--store", str(store), "--as-at", AS_AT, "--indicator", "D1"])
    assert "1 child(ren) were held back when the store was loaded" in " ".join(result.stderr.split())
    assert "flags" in result.stdout and "back" in result.stdout  # (the table's flags column: "1 held back")


def test_a_store_without_the_held_back_table_counts_none(held_back, tmp_path):
    old = tmp_path / "old.duckdb"
    shutil.copy(held_back[0], old)
    with duckdb.connect(str(old)) as con:  # a store made before the table existed: before migrations too
        for name in ("held_back_children", *(t.name for t in METADATA_TABLES)):
            con.execute(f'DROP TABLE "{name}"')
    periods = periods_at(dt.date(2025, 3, 31))
    with Store(old, read_only=True) as s:  # migrated as it is opened: the table is made, empty
        assert s.count("held_back_children") == 0
        on_store = evaluate_series(s, [indicator("D1")], periods, "890")
        copied = evaluate_series(copy_store(s, ibis.duckdb.connect()), [indicator("D1")], periods, "890")
    assert set(on_store["children_held_back"]) == set(copied["children_held_back"]) == {0}


@pytest.mark.slow
def test_the_engines_flag_alike(held_back, one_year, postgres_database, spark):
    """The flags come from the same tables as the figures, so every engine gives the same ones."""
    from carelens.indicators.backends import postgres

    chosen = [indicator(i) for i in ("B1", "B4", "B5", "D1", "D8")]
    periods = periods_at(dt.date(2025, 3, 31))
    with Store(held_back[0], read_only=True) as s:
        expected = evaluate_series(s, chosen, periods, "890")
        con = postgres(**postgres_database())
        try:
            on_postgres = evaluate_series(copy_store(s, con), chosen, periods, "890")
        finally:
            con.disconnect()
        on_spark = evaluate_series(copy_store(s, spark, la_code="890"), chosen, periods, "890")
    columns = ["indicator", "period", "outside_coverage", "history_short", "children_held_back"]
    assert expected.select(columns).filter(pl.col("history_short")).height > 0  # (something to compare)
    assert set(expected["children_held_back"]) == {1}
    for other in (on_postgres, on_spark):
        assert other.select(columns).sort(columns[:2]).equals(expected.select(columns).sort(columns[:2]))
