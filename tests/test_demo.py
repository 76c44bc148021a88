"""The demo as a module (carelens.demo): its stages reported in order, the returns it writes, the
store loaded from them, and its summary's three tables, without the command line."""

from __future__ import annotations

import pytest
from rich.table import Table

from carelens.demo import DEMO_YEARS, run, summary


@pytest.mark.slow  # a full-size authority, as `carelens demo` makes: about 40 s
def test_the_demo_runs_and_summarises_without_the_command_line(tmp_path):
    stages: list[tuple[str, int]] = []
    steps: list[str] = []

    def stage(description: str, total: int):
        stages.append((description, total))
        return lambda: steps.append(description)

    made = run(tmp_path / "demo", seed=1, years=4, stage=stage)
    assert [d.split(" ")[0] for d, _ in stages] == ["Simulating", "Writing", "Loading", "Writing"]
    assert [total for _, total in stages][:3] == [1, 2 * len(DEMO_YEARS), 2 * len(DEMO_YEARS)]
    assert len(steps) == sum(total for _, total in stages)  # every step reported, none twice
    assert [p.name for p in made.returns] == [name for year in DEMO_YEARS for name in (
        f"ssda903_{year - 1}-{year % 100:02d}", f"cin_census_{year - 1}-{year % 100:02d}.xml")]
    assert all(p.exists() for p in made.returns) and made.store.exists() and made.from_returns.exists()
    assert made.children_loaded > 0 and made.rows_loaded > made.children_loaded
    assert sorted(p.suffix for p in made.report) == [".html", ".pdf", ".xlsx", ".yaml"]
    assert all(p.parent == tmp_path / "demo" / "report" and p.stat().st_size for p in made.report)
    shown = list(summary(made))
    assert len(shown) == 3
    assert all(isinstance(t, Table) for t in shown[:2])
    assert str(shown[0].title).startswith(f"Coastal (synthetic), year ending 31 March {max(DEMO_YEARS)}")
    assert str(shown[1].title).startswith("Headline indicators at ")
    # the ratio table, or (without the shipped published-figures file) why it is not shown
    assert isinstance(shown[2], Table) and str(shown[2].title).startswith("Ratio table: Coastal (synthetic)") \
        or str(shown[2]).startswith("Ratio table not shown: ")
