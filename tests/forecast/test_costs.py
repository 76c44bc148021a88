"""Unit costs: the shipped defaults, inflation, and the problems a bad file is reported with."""

from __future__ import annotations

import pytest

from carelens.forecast.costs import default_unit_costs, read_unit_costs
from carelens.forecast.input_problems import ForecastInputError
from carelens.forecast.states import PLACEMENT_CATEGORIES


def test_the_defaults_cover_every_category_with_a_source():
    costs = default_unit_costs()
    assert set(costs.costs) == set(PLACEMENT_CATEGORIES)
    assert all(c.source and 1990 <= c.year <= 2100 for c in costs.costs.values())
    assert costs.costs["residential"].weekly == 3830 and costs.costs["residential"].year == 2021
    assert "Competition and Markets Authority" in costs.costs["foster_agency"].source
    assert costs.inflation == 0.03


def test_inflation_compounds_from_each_figures_year():
    costs = default_unit_costs()
    # £820 at 2021 prices, 3% a year: 820 × 1.03^5 = 950.60… in 2026; 820 / 1.03 = 796.12 in 2020
    assert costs.weekly_cost("foster_agency", 2026) == pytest.approx(820 * 1.159274, rel=1e-6)
    assert costs.weekly_cost("foster_agency", 2020) == pytest.approx(796.1165, rel=1e-6)
    assert costs.weekly_costs(2021)["residential"] == 3830


def _write(tmp_path, text):
    path = tmp_path / "costs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_council_file(tmp_path):
    lines = ["inflation: 0.025", "inflation_source: our budget", "costs:"]
    lines += [f"  {c}: {{weekly: {100 + i}, year: 2025, source: 2024-25 outturn}}" for i, c in
              enumerate(PLACEMENT_CATEGORIES)]
    costs = read_unit_costs(_write(tmp_path, "\n".join(lines) + "\n"))
    assert costs.costs["foster_agency"].weekly == 101.0
    assert costs.weekly_cost("foster_in_house", 2027) == pytest.approx(100 * 1.025 ** 2)


def test_every_problem_of_a_bad_file(tmp_path):
    text = """
inflation: 3
colour: blue
costs:
  foster_in_house: {weekly: -5, year: 2025, source: ours}
  foster_agency: {weekly: 800, year: "2025", source: ""}
  kinship: {weekly: 600, year: 2025, source: ours, note: x}
  fostering: {weekly: 1, year: 2025, source: ours}
  placed_with_parents: {weekly: 0, year: 2025, source: ours}
  residential: {weekly: 4000, year: 2025, source: ours}
  supported_independent: {weekly: 900, year: 2025, source: ours}
  adoption_placement: {weekly: 0, year: 2025, source: ours}
"""
    with pytest.raises(ForecastInputError) as caught:
        read_unit_costs(_write(tmp_path, text))
    got = [(p.location, p.field, p.value) for p in caught.value.problems]
    assert got == [
        ("", "colour", None),
        ("", "inflation_source", None),
        ("", "inflation", "3"),
        ("costs.fostering", None, "fostering"),
        ("costs.foster_in_house", "weekly", "-5"),
        ("costs.foster_agency", "year", "2025"),
        ("costs.foster_agency", "source", ""),
        ("costs.kinship", "note", None),
        ("costs.other", None, None),
    ]


def test_a_file_that_is_not_yaml(tmp_path):
    with pytest.raises(ForecastInputError, match="a YAML file"):
        read_unit_costs(_write(tmp_path, "costs: [unclosed\n"))


def test_the_documentation_lists_each_shipped_figure():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "forecast" / "inputs.md").read_text(encoding="utf-8")
    for category, cost in default_unit_costs().costs.items():
        assert f"| `{category}` | £{cost.weekly:,.0f} | {cost.year} |" in text
