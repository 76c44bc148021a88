"""Scenarios: the rates each kind of change multiplies, the arithmetic of a scenario against the baseline (same
seed), and every kind of problem a scenarios file can have, each with its file, line, field, value and expected."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import polars as pl
import pytest

from carelens.forecast.comparison import run_forecast
from carelens.forecast.costs import default_unit_costs
from carelens.forecast.histories import CareHistories
from carelens.forecast.input_problems import ForecastInputError
from carelens.forecast.rates import BANDS, CATEGORIES, TRANSITIONS, fit
from carelens.forecast.scenarios import (
    STEP_DOWN_TO,
    check_names,
    example_scenarios_file,
    in_common_phases,
    read_scenarios,
)
from carelens.forecast.simulate import RateChange
from carelens.forecast.states import POPULATION_SCHEMA, SPELLS_SCHEMA
from carelens.forecast.workforce import Staffing

D = dt.date
LAST_DAY = D(2026, 3, 31)
END = D(2028, 3, 31)
STAFFING = Staffing(15.0, 0.1, 0.2)


@pytest.fixture(scope="module")
def rates():
    """Rates fitted from 400 made-up children over five years (some moving once, most leaving by a way of their
    own), with 2,000 resident children at each age: enough for every kind of rate to be non-zero."""
    rng = np.random.default_rng(5)
    spells = []
    categories = ["foster_in_house", "foster_agency", "kinship", "residential", "placed_with_parents"]
    for i in range(400):
        start = D(2021, 4, 1) + dt.timedelta(days=int(rng.integers(0, 5 * 365)))
        birth = start - dt.timedelta(days=int(rng.integers(0, 17 * 365)))
        first, second = rng.choice(categories, 2, replace=False)
        moved = start + dt.timedelta(days=int(rng.exponential(300)) + 1)
        end = moved + dt.timedelta(days=int(rng.exponential(400)) + 1)
        reason = str(rng.choice(["adoption", "sgo", "home", "other"]))
        spells.append((f"c{i}", birth, start, start, min(moved, LAST_DAY) if moved <= LAST_DAY else None,
                       str(first), "moved" if moved <= LAST_DAY else None))
        if moved <= LAST_DAY:
            spells.append((f"c{i}", birth, start, moved, end if end <= LAST_DAY else None, str(second),
                           reason if end <= LAST_DAY else None))
    frame = pl.DataFrame(spells, schema=SPELLS_SCHEMA, orient="row")
    population = pl.DataFrame([(y, a, 2000) for y in range(2019, 2027) for a in range(18)], schema=POPULATION_SCHEMA,
                              orient="row")
    return fit(CareHistories("999", frame, population, LAST_DAY, "hand-made"))


def _file(tmp_path, text: str, name: str = "scenarios.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _one(tmp_path, changes: str, start=LAST_DAY, end=END):
    text = "scenarios:\n  - name: Test\n    changes:\n" + textwrap.indent(textwrap.dedent(changes), " " * 6)
    (scenario,) = read_scenarios(_file(tmp_path, text), start, end)
    return scenario


# --- what each kind of change multiplies ---

def test_entries_by_age_band(tmp_path):
    s = _one(tmp_path, "- from: 2027-04-01\n  entries: {factor: 0.9, age_bands: [10_15, 16_17]}\n")
    (change,) = s.changes
    assert change.start == D(2027, 4, 1)
    assert change.entry.tolist() == [1, 1, 1, 0.9, 0.9]  # YAML's 10_15 is the number 1015: read as the band
    assert (change.transitions == 1).all()
    assert s.steps == ("from 2027-04-01: entries × 0.9 (ages 10_15, 16_17)",)


def test_step_down_multiplies_only_the_moves_from_residential_care_to_family_settings(tmp_path):
    (change,) = _one(tmp_path, "- from: 2026-10-01\n  step_down: {factor: 1.5}\n").changes
    expected = np.ones((len(BANDS), len(CATEGORIES), len(TRANSITIONS)))
    for target in STEP_DOWN_TO:
        expected[:, CATEGORIES.index("residential"), TRANSITIONS.index(f"to_{target}")] = 1.5
    assert np.array_equal(change.transitions, expected)
    assert (change.entry == 1).all()
    (only_agency,) = _one(tmp_path, "- from: 2026-10-01\n  step_down: {factor: 2, to: foster_agency, "
                                    "age_bands: [16_17]}\n").changes
    changed = np.argwhere(only_agency.transitions != 1).tolist()
    assert changed == [[4, CATEGORIES.index("residential"), TRANSITIONS.index("to_foster_agency")]]


def test_permanence_each_rate_its_own_factor_or_the_common_one(tmp_path):
    (change,) = _one(tmp_path, "- from: 2026-07-01\n  permanence: {factor: 1.1, adoption: 1.3}\n").changes
    t = change.transitions
    assert (t[:, :, TRANSITIONS.index("adoption")] == 1.3).all()
    assert np.allclose(t[:, :, TRANSITIONS.index("sgo")], 1.1)
    assert np.allclose(t[:, :, TRANSITIONS.index("to_adoption_placement")], 1.1)
    others = [i for i, name in enumerate(TRANSITIONS) if name not in ("adoption", "sgo", "to_adoption_placement")]
    assert (t[:, :, others] == 1).all()


def test_reunification_multiplies_the_exits_home(tmp_path):
    (change,) = _one(tmp_path, "- from: 2026-07-01\n  reunification: {factor: 1.2, age_bands: [under_1]}\n").changes
    changed = np.argwhere(change.transitions != 1)[:, [0, 2]].tolist()
    assert changed == [[0, TRANSITIONS.index("home")]] * len(CATEGORIES)


def test_several_kinds_from_one_day_are_one_change_and_a_new_home_is_a_cost(tmp_path):
    s = _one(tmp_path, """\
        - from: 2026-07-01
          reunification: {factor: 1.2}
          entries: {factor: 0.8}
        - from: 2027-01-01
          new_home: {places: 4, weekly_cost: 4500}
        """)
    (change,) = s.changes  # the new home changes no rate
    assert (change.entry == 0.8).all()
    assert np.isclose(change.transitions[:, :, TRANSITIONS.index("home")], 1.2).all()
    (home,) = s.homes
    assert (home.start, home.places, home.weekly, home.year) == (D(2027, 1, 1), 4, 4500.0, 2027)


def test_the_shipped_example_reads():
    scenarios = read_scenarios(example_scenarios_file(), LAST_DAY, D(2031, 3, 31))
    assert len(scenarios) == 6 and all(s.description or s.steps for s in scenarios)
    assert sum(len(s.homes) for s in scenarios) == 2


# --- a scenario against the baseline ---

def test_every_projection_changes_its_rates_on_the_same_days():
    a = RateChange(D(2026, 7, 1), np.full(len(BANDS), 0.5), np.ones((len(BANDS), len(CATEGORIES), len(TRANSITIONS))))
    got = in_common_phases((a,), {D(2026, 7, 1), D(2027, 1, 1)})
    assert [c.start for c in got] == [D(2026, 7, 1), D(2027, 1, 1)]
    assert (got[0].entry == 0.5).all() and (got[1].entry == 1).all()
    assert [c.start for c in in_common_phases((), {D(2027, 1, 1)})] == [D(2027, 1, 1)]


def test_a_factor_of_one_changes_nothing_for_the_same_seed(tmp_path, rates):
    path = _file(tmp_path, """\
        scenarios:
          - name: Nothing changes
            changes:
              - from: 2026-10-01
                entries: {factor: 1}
                step_down: {factor: 1}
                permanence: {factor: 1}
                reunification: {factor: 1}
        """)
    result = run_forecast(rates, default_unit_costs(), STAFFING, read_scenarios(path, LAST_DAY, END), years=2, runs=40,
                          seed=11)
    base, (same,) = result.baseline, result.scenarios
    assert np.array_equal(same.projection.by_category, base.projection.by_category)
    assert np.array_equal(same.projection.by_band, base.projection.by_band)
    assert np.array_equal(same.projection.entries, base.projection.entries)
    assert (result.spend_difference().select(pl.col("mean", "lower_95", "upper_95")).to_numpy() == 0).all()
    assert (result.children_difference().select(pl.col("lower_95", "upper_95")).to_numpy() == 0).all()


def test_a_factor_of_zero_on_entries_gives_no_entrants(tmp_path, rates):
    path = _file(tmp_path, """\
        scenarios:
          - name: No entries
            changes:
              - from: 2026-03-31
                entries: {factor: 0}
        """)
    result = run_forecast(rates, default_unit_costs(), STAFFING, read_scenarios(path, LAST_DAY, END), years=2, runs=30)
    (none,) = result.scenarios
    assert result.baseline.projection.entries.sum() > 0
    assert none.projection.entries.sum() == 0
    total = none.projection.total()
    assert (np.diff(total, axis=1) <= 0).all()  # nobody comes in: the children in care can only fall


def test_the_cost_of_a_difference_is_scenario_minus_baseline_run_by_run(tmp_path, rates):
    path = _file(tmp_path, """\
        scenarios:
          - name: Fewer babies
            changes:
              - from: 2026-06-01
                entries: {factor: 0.5, age_bands: [under_1, 1_4]}
        """)
    result = run_forecast(rates, default_unit_costs(), STAFFING, read_scenarios(path, LAST_DAY, END), years=2, runs=60,
                          seed=3)
    (fewer,) = result.scenarios
    per_run = fewer.spend.total() - result.baseline.spend.total()  # runs, financial year
    got = result.spend_difference().filter(pl.col("line") == "total").to_dicts()
    assert [r["financial_year"] for r in got] == ["2026/27", "2027/28", "2026/27 to 2027/28"]
    for i, row in enumerate(got[:2]):
        assert row["mean"] == pytest.approx(per_run[:, i].mean())
        assert row["median"] == pytest.approx(np.quantile(per_run[:, i], 0.5, method="inverted_cdf"))
        assert row["lower_80"] == pytest.approx(np.quantile(per_run[:, i], 0.1, method="inverted_cdf"))
    assert got[2]["mean"] == pytest.approx(per_run.sum(1).mean())
    # means add up: the mean difference is the scenario's mean spend less the baseline's
    means = fewer.spend.total()[:, 0].mean(), result.baseline.spend.total()[:, 0].mean()
    assert got[0]["mean"] == pytest.approx(means[0] - means[1])
    children = result.children_difference().filter(pl.col("series") == "total")
    assert children["date"].to_list() == [LAST_DAY, D(2027, 3, 31), D(2028, 3, 31)]
    last = fewer.projection.total()[:, -1] - result.baseline.projection.total()[:, -1]
    assert children["mean"][-1] == pytest.approx(last.mean())
    fte = result.fte_difference().filter(pl.col("measure") == "establishment")
    assert fte["mean"][-1] == pytest.approx(last.mean() / 15.0 / 0.9)


def test_a_difference_is_nothing_before_the_first_change(tmp_path, rates):
    path = _file(tmp_path, """\
        scenarios:
          - name: Fewer from January
            changes:
              - from: 2027-01-01
                entries: {factor: 0.5}
        """)
    result = run_forecast(rates, default_unit_costs(), STAFFING, read_scenarios(path, LAST_DAY, END), years=2, runs=30)
    (fewer,) = result.scenarios
    before = (D(2027, 1, 1) - LAST_DAY).days
    assert np.array_equal(fewer.projection.by_category[:, :, :before],
                          result.baseline.projection.by_category[:, :, :before])


def test_a_new_home_changes_the_cost_not_the_children(tmp_path, rates):
    path = _file(tmp_path, """\
        scenarios:
          - name: Our own home
            changes:
              - from: 2026-10-01
                new_home: {places: 3, weekly_cost: 1000, year: 2026}
        """)
    result = run_forecast(rates, default_unit_costs(), STAFFING, read_scenarios(path, LAST_DAY, END), years=2, runs=30)
    (home,) = result.scenarios
    assert np.array_equal(home.projection.by_category, result.baseline.projection.by_category)
    saving = result.spend_difference().filter(pl.col("line") == "total")
    assert (saving["upper_95"] <= 0).all() and saving["lower_95"].min() < 0  # £1,000 a week is cheaper


# --- every kind of problem in a file ---

FILE_PROBLEMS = [
    # (what the file says, where, field, value, what was expected — a fragment)
    ("- 1\n", "", None, None, "a YAML mapping"),  # the whole file
    ("", "", None, None, "a YAML mapping"),
    ("scenarios: []\nextra: 1\n", "line 2", "extra", None, "only the keys scenarios"),
    ("scenarios: []\n", "line 1", "scenarios", "[]", "a list of scenarios"),
    ("scenarios:\n  - changes: [{from: 2027-01-01, entries: {factor: 1}}]\n", "line 2, scenario 1", "name", None,
     "the scenario's name"),
    ("scenarios:\n  - name: Baseline\n    changes: [{from: 2027-01-01, entries: {factor: 1}}]\n",
     "line 2, scenario 'Baseline'", "name", "Baseline", "other than 'baseline'"),
    ("scenarios:\n  - name: A\n    changes: [{from: 2027-01-01, entries: {factor: 1}}]\n"
     "  - name: a\n    changes: [{from: 2027-01-01, entries: {factor: 1}}]\n",
     "line 4, scenario 'a'", "name", "a", "scenario 1 has it too"),
    ("scenarios:\n  - name: A\n    colour: red\n    changes: [{from: 2027-01-01, entries: {factor: 1}}]\n",
     "line 3, scenario 'A'", "colour", None, "only the keys name, description, changes"),
    ("scenarios:\n  - name: A\n", "line 2, scenario 'A'", "changes", None, "a list of changes"),
    ("scenarios:\n  - name: A\n    changes:\n      - entries: {factor: 1}\n", "line 4, scenario 'A', change 1",
     "from", None, "the day the change starts"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-13-01, entries: {factor: 1}}\n",
     "line 4, scenario 'A', change 1", "from", "2027-13-01", "a date YYYY-MM-DD"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: April 2027, entries: {factor: 1}}\n",
     "line 4, scenario 'A', change 1", "from", "April 2027", "a date YYYY-MM-DD"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2025-04-01, entries: {factor: 1}}\n",
     "line 4, scenario 'A', change 1", "from", "2025-04-01", "on or after the projection's start, 2026-03-31"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2029-04-01, entries: {factor: 1}}\n",
     "line 4, scenario 'A', change 1", "from", "2029-04-01", "within the projection, 2026-03-31 to 2028-03-31"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01}\n", "line 4, scenario 'A', change 1", None,
     None, "one or more of entries, step_down, permanence, reunification, new_home"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, entrys: {factor: 1}}\n",
     "line 4, scenario 'A', change 1", "entrys", None, "only the keys from, entries, step_down"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, entries: {factr: 1}}\n",
     "line 4, scenario 'A', change 1", "entries.factr", None, "only the keys factor, age_bands"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, entries: {factor: -0.1}}\n",
     "line 4, scenario 'A', change 1", "entries.factor", "-0.1", "a multiplier of the rates from 0 to 10"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, entries: {factor: '0.9'}}\n",
     "line 4, scenario 'A', change 1", "entries.factor", "0.9", "a multiplier of the rates from 0 to 10"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, step_down: {factor: 20}}\n",
     "line 4, scenario 'A', change 1", "step_down.factor", "20", "a multiplier of the rates from 0 to 10"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, reunification: {factor: yes}}\n",
     "line 4, scenario 'A', change 1", "reunification.factor", "true", "a multiplier"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, reunification: {}}\n",
     "line 4, scenario 'A', change 1", "reunification.factor", None, "a multiplier"),
    ("scenarios:\n  - name: A\n    changes:\n      - from: 2027-01-01\n        entries:\n          factor: 0.9\n"
     "          age_bands: [10_15, 11_15]\n", "line 7, scenario 'A', change 1", "entries.age_bands", "11_15",
     "one of under_1, 1_4, 5_9, 10_15, 16_17"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, step_down: {factor: 2, to: [hospital]}}\n",
     "line 4, scenario 'A', change 1", "step_down.to", "hospital", "one of foster_in_house, foster_agency, kinship"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, permanence: {}}\n",
     "line 4, scenario 'A', change 1", "permanence", None, "a factor, or one or more of adoption, sgo"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, permanence: {sgo: x}}\n",
     "line 4, scenario 'A', change 1", "permanence.sgo", "x", "a multiplier"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, new_home: {places: 0, weekly_cost: 4000}}\n",
     "line 4, scenario 'A', change 1", "new_home.places", "0", "a whole number from 1"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, new_home: {places: 2}}\n",
     "line 4, scenario 'A', change 1", "new_home.weekly_cost", None, "the weekly cost of a place"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, new_home: {places: 2, weekly_cost: 1, "
     "year: 1900}}\n", "line 4, scenario 'A', change 1", "new_home.year", "1900", "(1990–2100)"),
    ("scenarios:\n  - name: A\n    changes:\n      - {from: 2027-01-01, entries: 0.9}\n",
     "line 4, scenario 'A', change 1", "entries", "0.9", "a mapping of factor, age_bands"),
    ("scenarios:\n  - name: A\n    name: B\n    changes: [{from: 2027-01-01, entries: {factor: 1}}]\n",
     "line 3, scenario 'B'", "name", None, "each key once"),
    ("scenarios:\n  - name: A\n    changes: [{from: 2027-01-01, entries: {factor: 1}\n", "line 4", None, None,
     "a YAML file"),
]


@pytest.mark.parametrize("text, where, field, value, expected", FILE_PROBLEMS,
                         ids=[f"{i}-{p[2] or p[4][:12]}" for i, p in enumerate(FILE_PROBLEMS)])
def test_every_problem_in_a_file_is_reported_with_where_it_is(tmp_path, text, where, field, value, expected):
    path = _file(tmp_path, text)
    with pytest.raises(ForecastInputError) as raised:
        read_scenarios(path, LAST_DAY, END)
    got = [(p.file, p.location, p.field, p.value) for p in raised.value.problems]
    assert (str(path), where, field, value) in got, raised.value.problems
    (problem,) = [p for p in raised.value.problems if (p.location, p.field, p.value) == (where, field, value)]
    assert expected in problem.expected


def test_every_problem_at_once(tmp_path):
    path = _file(tmp_path, """\
        scenarios:
          - name: A
            changes:
              - {from: 2027-01-01, entries: {factor: -1, age_bands: [teen]}}
              - {from: 2027-02-30, reunification: {factor: 2}}
        """)
    with pytest.raises(ForecastInputError) as raised:
        read_scenarios(path, LAST_DAY, END)
    assert [(p.location, p.field, p.value) for p in raised.value.problems] == [
        ("line 4, scenario 'A', change 1", "entries.age_bands", "teen"),
        ("line 4, scenario 'A', change 1", "entries.factor", "-1"),
        ("line 5, scenario 'A', change 2", "from", "2027-02-30"),
    ]
    assert "3 problem(s) in " in str(raised.value)


def test_a_file_that_cannot_be_read(tmp_path):
    with pytest.raises(ForecastInputError) as raised:
        read_scenarios(tmp_path / "missing.yaml")
    (problem,) = raised.value.problems
    assert problem.file.endswith("missing.yaml") and "a readable file" in problem.expected


def test_the_same_name_in_two_files(tmp_path):
    text = "scenarios:\n  - name: Step-down\n    changes: [{from: 2027-01-01, step_down: {factor: 1.2}}]\n"
    first, second = _file(tmp_path, text, "a.yaml"), _file(tmp_path, text, "b.yaml")
    with pytest.raises(ForecastInputError) as raised:
        check_names(read_scenarios(first) + read_scenarios(second))
    (problem,) = raised.value.problems
    assert (problem.file, problem.field, problem.value) == (str(second), "name", "Step-down")
    assert str(first) in problem.expected
