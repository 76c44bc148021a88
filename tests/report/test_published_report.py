"""A published report, over generated authorities from very small to mid-sized: no count it shows is below the
threshold, no share or rate of a hidden count is shown, teams are shown only with enough workers, and no hidden
count can be worked out — checked independently of the suppression's own audit, by a linear programme over
every count the report's tables show and every sum between them (tests/disclosure_recovery.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from carelens.model.store import Store
from carelens.report.build import ReportOptions, build_report
from carelens.report.document import Kind, Mark
from disclosure_recovery import intervals
from synthetic_stores import coastal_store

AS_AT = dt.date(2025, 3, 31)


@pytest.fixture(scope="module", params=[(400, 3), (2_000, 4)], ids=["400 children", "2,000 children"])
def small_authority(request, tmp_path_factory):
    children, years = request.param
    return coastal_store(tmp_path_factory.mktemp("published") / "la.duckdb", children, years=years, seed=11)


def _built(path, threshold=5):
    with Store(path, read_only=True) as store:
        return build_report(store, "890", AS_AT, ReportOptions(audience="published", charts=False,
                                                               suppression_threshold=threshold))


@pytest.mark.parametrize("threshold", [5, 10])
def test_no_published_count_is_below_the_threshold_and_none_hidden_can_be_recovered(small_authority, threshold):
    built = _built(small_authority, threshold)
    suppression, cells = built.disclosed.suppression, built.disclosed.cells
    assert suppression is not None and suppression.threshold == threshold
    for section in built.report.all_sections():
        for table in section.tables():
            for row in table.rows:
                for column, cell in zip(table.columns, row, strict=True):
                    if column.kind is Kind.COUNT and isinstance(cell, int | float) and column.key != "workers":
                        assert cell == 0 or cell >= threshold, (table.key, row)
    hidden_counts = {k for k, v in cells.counts.items() if k in suppression.suppressed}
    assert hidden_counts, "a small authority has small counts to hide"
    for key, (least, greatest) in intervals(cells, suppression).items():
        assert greatest - least > 1e-6, f"{key} can be worked out: it is {least}"


def test_shares_of_hidden_counts_are_hidden_and_marked(small_authority):
    built = _built(small_authority)
    marked = 0
    for section in built.report.all_sections():
        for table in section.tables():
            for row in table.rows:
                if len(row) >= 3 and row[1] is Mark.SUPPRESSED and table.columns[1].kind is Kind.COUNT \
                        and table.columns[2].kind is Kind.PERCENT:
                    assert row[2] is Mark.SUPPRESSED, (table.key, row)  # the share would give the count away
                marked += sum(cell is Mark.SUPPRESSED for cell in row)
            if any(Mark.SUPPRESSED in row for row in table.rows):
                assert any("[c]" in note for note in table.notes), table.key
    assert marked
    assert any("not shown ([c])" in note for note in built.report.notes)


def test_teams_with_few_workers_are_shown_together(small_authority):
    built = _built(small_authority)
    workforce = next(s for s in built.report.sections if s.key == "workforce")
    [teams] = [t for t in workforce.tables() if t.key == "caseloads_by_team"]
    for row in teams.rows[:-1]:  # each team, or the teams with few workers together (the last row: all teams)
        if not str(row[0]).startswith("Other teams"):
            assert row[1] >= 5, row
