"""What a week of care costs in each placement category, and how prices rise: the forecast's unit costs.

A unit-costs file (YAML; the shipped defaults are ``forecast/data/unit_costs.yaml``) gives, for every placement
category, a weekly cost, the year its prices are of and where the figure comes from, and an annual inflation
rate. The shipped figures are illustrative (several are placeholders, and say so): a council replaces them with
its own. :func:`read_unit_costs` checks a file and lists every problem (file, place, field, value, expected).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from carelens.forecast.input_problems import ForecastInputError
from carelens.forecast.states import PLACEMENT_CATEGORIES
from carelens.problems import ProblemLog

FIRST_YEAR, LAST_YEAR = 1990, 2100
_TOP_KEYS = {"currency", "inflation", "inflation_source", "costs"}
_COST_KEYS = {"weekly", "year", "source"}


@dataclass(frozen=True)
class UnitCost:
    """A week of care in one category: ``weekly`` at the prices of ``year``, and where the figure comes from."""

    weekly: float
    year: int
    source: str


@dataclass(frozen=True)
class UnitCosts:
    """A weekly cost per placement category, with the annual ``inflation`` that moves each to later years."""

    costs: dict[str, UnitCost]
    inflation: float
    inflation_source: str
    currency: str = "GBP"
    file: str = ""

    def weekly_cost(self, category: str, year: int) -> float:
        """A week in ``category`` at the prices of ``year``: the figure uplifted (or deflated) by ``inflation``
        for each year from its own year, compounded."""
        cost = self.costs[category]
        return cost.weekly * (1 + self.inflation) ** (year - cost.year)

    def weekly_costs(self, year: int) -> dict[str, float]:
        """Every category's weekly cost at the prices of ``year``."""
        return {category: self.weekly_cost(category, year) for category in PLACEMENT_CATEGORIES}


def default_unit_costs_file() -> Path:
    """The shipped defaults (illustrative: replace with the council's own)."""
    return Path(str(resources.files("carelens.forecast") / "data" / "unit_costs.yaml"))


def default_unit_costs() -> UnitCosts:
    return read_unit_costs(default_unit_costs_file())


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def read_unit_costs(path: str | Path) -> UnitCosts:
    """Read and check a unit-costs file; :class:`ForecastInputError` lists every problem."""
    path = Path(path)
    log = ProblemLog(str(path))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        log.add("", None, None, f"a readable file ({e.strerror})")
        raise ForecastInputError(log.problems) from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        log.add("", None, None, f"a YAML file ({str(e).splitlines()[0][:160]})")
        raise ForecastInputError(log.problems) from None
    if not isinstance(raw, dict):
        log.add("", None, None, "a YAML mapping with inflation, inflation_source and costs")
        raise ForecastInputError(log.problems)
    for key in sorted(set(map(str, raw)) - _TOP_KEYS):
        log.add("", key, None, f"only the keys {', '.join(sorted(_TOP_KEYS))}")
    for key in ("inflation", "inflation_source", "costs"):
        if key not in raw:
            log.add("", key, None, f"a key {key!r}")
    inflation = raw.get("inflation")
    if "inflation" in raw and not (_number(inflation) and -0.5 < inflation < 1):
        log.add("", "inflation", inflation, "an annual rate as a fraction, e.g. 0.03 for 3% (between -0.5 and 1)")
    inflation_source = raw.get("inflation_source")
    if "inflation_source" in raw and not (isinstance(inflation_source, str) and inflation_source.strip()):
        log.add("", "inflation_source", inflation_source, "where the inflation rate comes from (text)")
    currency = raw.get("currency", "GBP")
    if not isinstance(currency, str):
        log.add("", "currency", currency, "a currency code, e.g. GBP")
    costs: dict[str, UnitCost] = {}
    given = raw.get("costs")
    if "costs" in raw and not isinstance(given, dict):
        log.add("", "costs", None, "a mapping from each placement category to its weekly, year and source")
        given = {}
    given = given or {}
    for category in sorted(set(map(str, given)) - set(PLACEMENT_CATEGORIES)):
        log.add(f"costs.{category}", None, category, f"a placement category ({', '.join(PLACEMENT_CATEGORIES)})")
    for category in PLACEMENT_CATEGORIES:
        where = f"costs.{category}"
        entry = given.get(category)
        if entry is None:
            if "costs" in raw:
                log.add(where, None, None, "a weekly cost for every placement category (this one is missing)")
            continue
        if not isinstance(entry, dict):
            log.add(where, None, entry, "a mapping with weekly, year and source")
            continue
        for key in sorted(set(map(str, entry)) - _COST_KEYS):
            log.add(where, key, None, "only the keys weekly, year and source")
        weekly, year, source = entry.get("weekly"), entry.get("year"), entry.get("source")
        ok = True
        if not (_number(weekly) and weekly >= 0):
            log.add(where, "weekly", weekly, "a weekly cost in pounds, 0 or more")
            ok = False
        if not (isinstance(year, int) and not isinstance(year, bool) and FIRST_YEAR <= year <= LAST_YEAR):
            log.add(where, "year", year, f"the year the cost's prices are of ({FIRST_YEAR}–{LAST_YEAR})")
            ok = False
        if not (isinstance(source, str) and source.strip()):
            log.add(where, "source", source, "where the figure comes from (text)")
            ok = False
        if ok:
            costs[category] = UnitCost(float(weekly), year, " ".join(source.split()))
    if log.problems:
        raise ForecastInputError(log.problems)
    return UnitCosts(costs, float(inflation), " ".join(inflation_source.split()), currency, str(path))
