"""Scenarios a manager writes in a YAML file: named changes to how children enter, move through and leave care,
each from a date, compared with the baseline (docs/forecast/scenarios.md).

A file holds a list of ``scenarios``; each has a ``name``, an optional ``description`` and a list of ``changes``,
each from a day (``from: 2027-04-01``) and of one or more kinds:

- ``entries: {factor, age_bands}``: the entry rates of the age bands given (default: all) multiplied by ``factor``;
- ``step_down: {factor, to, age_bands}``: the moves from residential care to the categories in ``to`` (default:
  foster_in_house, foster_agency and kinship) multiplied;
- ``permanence: {factor, adoption, sgo, adoption_placement, age_bands}``: the adoption and special guardianship
  exits and the moves into an adoption placement multiplied — each by its own factor if given, else by
  ``factor``;
- ``reunification: {factor, age_bands}``: the exits home multiplied;
- ``new_home: {places, weekly_cost, year}``: the council's own residential home with ``places`` places, each
  costing ``weekly_cost`` a week at ``year``'s prices (default: the year it opens). It changes what care costs,
  not who is in it (:class:`.spend.InHousePlaces`).

Each scenario becomes a tuple of :class:`.simulate.RateChange` (the rate changes, one per change of the file that
alters a rate) and of :class:`.spend.InHousePlaces` (its new homes). :func:`read_scenarios` reports every problem
in a file at once — file, line, field, value and what was expected — as :class:`ForecastInputError`.

**Common random numbers.** A scenario is compared with the baseline run by run, both projected with the same
seed, so that a run's difference is the scenario's effect and not the luck of two separate draws. The projection
keys every child's random numbers by the child and its step (:mod:`.simulate`), so run *k* of a scenario and of
the baseline have the same children drawing the same numbers until the scenario's rates first differ for one of
them. A day on which rates change is a step for every child in care then, so :func:`in_common_phases` gives the
baseline and every scenario a change on each day any of them has one — the identity where a projection has none
of its own: without it a baseline child would step differently from its twin in the scenario from the first
change day on, even where the change does not concern it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from carelens.forecast.input_problems import ForecastInputError
from carelens.forecast.rates import BANDS, CATEGORIES, TRANSITIONS
from carelens.forecast.simulate import RateChange
from carelens.forecast.spend import InHousePlaces
from carelens.problems import ProblemLog

BASELINE = "baseline"
"""The projection with no change: no scenario may take its name."""
MAX_FACTOR = 10.0
STEP_DOWN_TO: tuple[str, ...] = ("foster_in_house", "foster_agency", "kinship")
FIRST_YEAR, LAST_YEAR = 1990, 2100

_TOP_KEYS = ("scenarios",)
_SCENARIO_KEYS = ("name", "description", "changes")
_KINDS: dict[str, tuple[str, ...]] = {
    "entries": ("factor", "age_bands"),
    "step_down": ("factor", "to", "age_bands"),
    "permanence": ("factor", "adoption", "sgo", "adoption_placement", "age_bands"),
    "reunification": ("factor", "age_bands"),
    "new_home": ("places", "weekly_cost", "year"),
}
_FACTOR = (f"a multiplier of the rates from 0 to {MAX_FACTOR:g} (0.9 is 10% fewer, 1.2 is 20% more, 1 no change)")


@dataclass(frozen=True)
class Scenario:
    """A named scenario: its rate ``changes`` and the new in-house ``homes`` it opens, as read from ``file``."""

    name: str
    description: str
    changes: tuple[RateChange, ...]
    homes: tuple[InHousePlaces, ...]
    file: str = ""
    steps: tuple[str, ...] = ()  # each change in words, for the outputs: "from 2027-04-01: entries × 0.9 (10_15)"

    def change_days(self) -> set[dt.date]:
        return {c.start for c in self.changes}


def example_scenarios_file() -> Path:
    """The example shipped with CareLens (``forecast/data/scenarios_example.yaml``), to copy and edit."""
    return Path(str(resources.files("carelens.forecast") / "data" / "scenarios_example.yaml"))


def in_common_phases(changes: tuple[RateChange, ...], days: set[dt.date]) -> tuple[RateChange, ...]:
    """``changes`` as one change on each of ``days`` (which hold every change's day): those of a day compounded,
    the identity on a day with none, so that projections compared with each other cut their horizons alike."""
    out = []
    for day in sorted(days):
        change = RateChange.none(day)
        for c in changes:
            if c.start == day:
                change = RateChange(day, change.entry * c.entry, change.transitions * c.transitions,
                                    c.name if not change.name else f"{change.name}; {c.name}")
        out.append(change)
    return tuple(out)


# --- reading the file, with the line each value came from ---

class _Map(dict):
    """A YAML mapping, with the line of each key (and of itself) and its repeated keys."""

    line: int
    lines: dict
    repeated: list


class _Seq(list):
    line: int
    lines: list


class _Int(int):
    """A YAML integer, with its text: YAML reads ``10_15`` (an age band) as the number 1015."""

    text: str


class _Loader(yaml.SafeLoader):
    """The safe loader, keeping lines; dates stay text (checked here, so a bad one is a problem, not a crash)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line, out.lines, out.repeated = node.start_mark.line + 1, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        if key in out:
            out.repeated.append((key, key_node.start_mark.line + 1))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    out = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.line, out.lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> _Int:
    out = _Int(loader.construct_yaml_int(node))
    out.text = node.value
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _text(value) -> str | None:
    """A scalar as the file spells it (an integer's own digits), for messages and band names."""
    if value is None:
        return None
    if isinstance(value, _Int):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Reader:
    """Checks one file, noting every problem in ``log`` with the line it is on and the scenario it is in."""

    def __init__(self, path: Path, start: dt.date | None, end: dt.date | None):
        self.log = ProblemLog(str(path))
        self.start, self.end = start, end

    def problem(self, line: int | None, where: str, field: str | None, value, expected: str) -> None:
        place = ", ".join(p for p in (f"line {line}" if line else "", where) if p)
        self.log.add(place, field, _text(value) if not isinstance(value, list | dict) else str(value), expected)

    def unknown_keys(self, mapping: _Map, allowed, where: str, prefix: str = "") -> None:
        for key in mapping:
            if not isinstance(key, str) or key not in allowed:
                self.problem(mapping.lines[key], where, f"{prefix}{_text(key)}", None,
                             f"only the keys {', '.join(allowed)}")
        for key, line in mapping.repeated:
            self.problem(line, where, f"{prefix}{_text(key)}", None, "each key once (this one is repeated)")

    def scenarios(self, raw) -> list[Scenario]:
        if not isinstance(raw, _Map):
            self.problem(None, "", None, None, "a YAML mapping with a list of scenarios under the key 'scenarios' "
                                               "(see the shipped scenarios_example.yaml)")
            return []
        self.unknown_keys(raw, _TOP_KEYS, "")
        given = raw.get("scenarios")
        if not isinstance(given, _Seq) or not given:
            self.problem(raw.lines.get("scenarios", raw.line), "", "scenarios", None if given is None else given,
                         "a list of scenarios, each with a name and its changes")
            return []
        out, names = [], {}
        for i, (entry, line) in enumerate(zip(given, given.lines, strict=True)):
            where = f"scenario {i + 1}"
            if not isinstance(entry, _Map):
                self.problem(line, where, None, entry, "a mapping with name, description and changes")
                continue
            name = entry.get("name")
            if isinstance(name, str) and name.strip():
                name = " ".join(name.split())
                where = f"scenario {name!r}"
                if name.casefold() == BASELINE:
                    self.problem(entry.lines["name"], where, "name", name,
                                 f"a name other than {BASELINE!r} (the projection with no change)")
                elif name.casefold() in names:
                    self.problem(entry.lines["name"], where, "name", name,
                                 f"a name of its own (scenario {names[name.casefold()]} has it too)")
                names.setdefault(name.casefold(), i + 1)
            else:
                self.problem(entry.lines.get("name", line), where, "name", name, "the scenario's name (text)")
                name = None
            self.unknown_keys(entry, _SCENARIO_KEYS, where)
            description = entry.get("description", "")
            if not isinstance(description, str):
                self.problem(entry.lines["description"], where, "description", description, "text")
                description = ""
            scenario = self.scenario(entry, where, name or f"scenario {i + 1}", " ".join(description.split()))
            if scenario is not None and name is not None:
                out.append(scenario)
        return out

    def scenario(self, entry: _Map, where: str, name: str, description: str) -> Scenario | None:
        changes = entry.get("changes")
        if not isinstance(changes, _Seq) or not changes:
            self.problem(entry.lines.get("changes", entry.line), where, "changes",
                         None if changes is None else changes, "a list of changes, each with from and what changes")
            return None
        rate_changes, homes, steps, ok = [], [], [], True
        for j, (change, line) in enumerate(zip(changes, changes.lines, strict=True)):
            place = f"{where}, change {j + 1}"
            if not isinstance(change, _Map):
                self.problem(line, place, None, change, f"a mapping with from and one or more of {', '.join(_KINDS)}")
                ok = False
                continue
            got = self.change(change, place, f"{name}: change {j + 1}")
            if got is None:
                ok = False
                continue
            rate_change, home, words = got
            steps.append(words)
            if rate_change is not None:
                rate_changes.append(rate_change)
            if home is not None:
                homes.append(home)
        return Scenario(name, description, tuple(rate_changes), tuple(homes), "", tuple(steps)) if ok else None

    def change(self, change: _Map, place: str, label: str):
        n_before = len(self.log.problems)
        self.unknown_keys(change, ("from", *_KINDS), place)
        start = self.day(change, place)
        kinds = [k for k in _KINDS if k in change]
        if not kinds:
            self.problem(change.line, place, None, None, f"one or more of {', '.join(_KINDS)} (what changes)")
        entry = np.ones(len(BANDS))
        transitions = np.ones((len(BANDS), len(CATEGORIES), len(TRANSITIONS)))
        home, words = None, []
        for kind in kinds:
            spec = change[kind]
            line = change.lines[kind]
            if not isinstance(spec, _Map):
                self.problem(line, place, kind, spec, f"a mapping of {', '.join(_KINDS[kind])}")
                continue
            self.unknown_keys(spec, _KINDS[kind], place, f"{kind}.")
            if kind == "new_home":
                home = self.new_home(spec, place, start, label)
                if home is not None:
                    words.append(f"new in-house home of {home.places} places at £{home.weekly:,.0f} a week "
                                 f"({home.year} prices)")
                continue
            bands = self.bands(spec, place, kind)
            ages = "" if "age_bands" not in spec else f" (ages {', '.join(BANDS[b] for b in bands)})"
            if kind == "entries":
                factor = self.factor(spec, place, kind)
                entry[bands] *= factor
                words.append(f"entries × {factor:g}{ages}")
            elif kind == "step_down":
                targets = self.categories(spec, place, kind)
                factor = self.factor(spec, place, kind)
                transitions[np.ix_(bands, [CATEGORIES.index("residential")],
                                   [TRANSITIONS.index(f"to_{c}") for c in targets])] *= factor
                words.append(f"moves from residential to {', '.join(targets)} × {factor:g}{ages}")
            elif kind == "reunification":
                factor = self.factor(spec, place, kind)
                transitions[bands, :, TRANSITIONS.index("home")] *= factor
                words.append(f"returns home × {factor:g}{ages}")
            else:  # permanence: each of its rates by its own factor, else by the common one
                given = {key: self.factor(spec, place, kind, key) for key in _KINDS[kind][:4] if key in spec}
                if not given:
                    self.problem(line, place, kind, None,
                                 "a factor, or one or more of adoption, sgo and adoption_placement (each a factor)")
                for key, column in (("adoption", "adoption"), ("sgo", "sgo"),
                                    ("adoption_placement", "to_adoption_placement")):
                    factor = given.get(key, given.get("factor", 1.0))
                    transitions[bands, :, TRANSITIONS.index(column)] *= factor
                    if key in given or "factor" in given:
                        words.append(f"{key.replace('_', ' ')} × {factor:g}{ages}")
        if len(self.log.problems) > n_before or start is None:
            return None
        altered = "new_home" not in kinds or len(kinds) > 1
        return ((RateChange(start, entry, transitions, label) if altered else None), home,
                f"from {start.isoformat()}: {'; '.join(words)}")

    def day(self, change: _Map, place: str) -> dt.date | None:
        if "from" not in change:
            self.problem(change.line, place, "from", None, "the day the change starts (YYYY-MM-DD)")
            return None
        value = change["from"]
        text = _text(value)
        try:
            day = dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or "") else None
        except ValueError:
            day = None
        if day is None:
            self.problem(change.lines["from"], place, "from", value, "a date YYYY-MM-DD, e.g. 2027-04-01")
            return None
        if self.start is not None and day < self.start:
            self.problem(change.lines["from"], place, "from", text,
                         f"a day on or after the projection's start, {self.start.isoformat()}")
            return None
        if self.end is not None and day > self.end:
            within = f"{self.start.isoformat()} to {self.end.isoformat()}" if self.start else f"up to {self.end}"
            self.problem(change.lines["from"], place, "from", text, f"a day within the projection, {within}")
            return None
        return day

    def factor(self, spec: _Map, place: str, kind: str, key: str = "factor") -> float:
        value = spec.get(key)
        if key not in spec:
            self.problem(spec.line, place, f"{kind}.{key}", None, _FACTOR)
            return 1.0
        if not (_number(value) and 0 <= value <= MAX_FACTOR):
            self.problem(spec.lines[key], place, f"{kind}.{key}", value, _FACTOR)
            return 1.0
        return float(value)

    def _names(self, spec: _Map, place: str, kind: str, key: str, allowed: tuple[str, ...]) -> list[int]:
        """The indices into ``allowed`` of the names listed under ``key`` (all when it is absent)."""
        if key not in spec:
            return list(range(len(allowed)))
        value = spec[key]
        expected = f"a list of one or more of {', '.join(allowed)}"
        if isinstance(value, str | _Int):  # one name written without brackets
            value = _Seq([value])
            value.line, value.lines = spec.lines[key], [spec.lines[key]]
        if not isinstance(value, _Seq) or not value:
            self.problem(spec.lines[key], place, f"{kind}.{key}", value, expected)
            return []
        out = []
        for item, line in zip(value, value.lines, strict=True):
            text = _text(item)
            if text not in allowed:
                self.problem(line, place, f"{kind}.{key}", text, f"one of {', '.join(allowed)}")
            elif allowed.index(text) not in out:
                out.append(allowed.index(text))
        return out

    def bands(self, spec: _Map, place: str, kind: str) -> list[int]:
        return self._names(spec, place, kind, "age_bands", BANDS)

    def categories(self, spec: _Map, place: str, kind: str) -> list[str]:
        return [STEP_DOWN_TO[i] for i in self._names(spec, place, kind, "to", STEP_DOWN_TO)]

    def new_home(self, spec: _Map, place: str, start: dt.date | None, label: str) -> InHousePlaces | None:
        ok = True
        places, weekly = spec.get("places"), spec.get("weekly_cost")
        if not (isinstance(places, int) and not isinstance(places, bool) and 1 <= places <= 1000):
            self.problem(spec.lines.get("places", spec.line), place, "new_home.places", places,
                         "the home's number of places, a whole number from 1")
            ok = False
        if not (_number(weekly) and weekly >= 0):
            self.problem(spec.lines.get("weekly_cost", spec.line), place, "new_home.weekly_cost", weekly,
                         "the weekly cost of a place in pounds, 0 or more")
            ok = False
        year = spec.get("year", start.year if start else None)
        if "year" in spec and not (isinstance(year, int) and not isinstance(year, bool)
                                   and FIRST_YEAR <= year <= LAST_YEAR):
            self.problem(spec.lines["year"], place, "new_home.year", year,
                         f"the year the weekly cost's prices are of ({FIRST_YEAR}–{LAST_YEAR})")
            ok = False
        if not ok or start is None:
            return None
        return InHousePlaces(start, int(places), float(weekly), int(year), label)


def check_names(scenarios: tuple[Scenario, ...]) -> None:
    """Each scenario of several files has a name of its own (the outputs are keyed by it)."""
    seen: dict[str, Scenario] = {}
    problems = []
    for s in scenarios:
        other = seen.setdefault(s.name.casefold(), s)
        if other is not s:
            log = ProblemLog(s.file)
            log.add(f"scenario {s.name!r}", "name", s.name, f"a name no other scenario has ({other.file} has it)")
            problems += log.problems
    if problems:
        raise ForecastInputError(problems)


def read_scenarios(path: str | Path, start: dt.date | None = None, end: dt.date | None = None
                   ) -> tuple[Scenario, ...]:
    """Read and check a scenarios file; with ``start`` (and ``end``), every change's day must fall within the
    projection. :class:`ForecastInputError` lists every problem."""
    path = Path(path)
    reader = _Reader(path, start, end)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader's subclass
    except OSError as e:
        reader.problem(None, "", None, None, f"a readable file ({e.strerror})")
        raise ForecastInputError(reader.log.problems) from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, TypeError) as e:
        mark = getattr(e, "problem_mark", None)
        reader.problem(mark.line + 1 if mark else None, "", None, None,
                       f"a YAML file ({' '.join(str(getattr(e, 'problem', None) or e).split())[:160]})")
        raise ForecastInputError(reader.log.problems) from None
    scenarios = reader.scenarios(raw)
    if reader.log.problems:
        raise ForecastInputError(reader.log.problems)
    return tuple(replace(s, file=str(path)) for s in scenarios)
