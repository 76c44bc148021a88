"""What an indicator is: a measure, with everything a reader needs to trust and reuse it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from carelens.indicators.measures import Custom, Flow, Measure, Stock

class Unit(StrEnum):
    """The unit a value is in (see :data:`UNITS`). Members are their strings: ``Unit.RATE == "rate"``."""

    RATE = "rate"
    COUNT = "count"
    PER_WEEK = "per_week"
    PERCENT = "percent"
    MEAN = "mean"
    MEDIAN = "median"
    REPRESENTATION = "representation"


class Polarity(StrEnum):
    """Which way is better: lower, higher, or neither (context, not a target)."""

    LOW = "low"
    HIGH = "high"
    NEUTRAL = "neutral"


class CountingUnit(StrEnum):
    """What one counted row is."""

    CHILDREN = "children"
    EVENTS = "events"
    EPISODES = "episodes"
    WORKERS = "workers"


# The units a value can be in, and what its numerator and denominator then are.
UNITS = {
    Unit.RATE: "count, and rate per 10,000 children aged 0–17 (annualised for flows)",
    Unit.COUNT: "count",
    Unit.PER_WEEK: "count per week (count × 7 / days in the window)",
    Unit.PERCENT: "percent (numerator / denominator × 100)",
    Unit.MEAN: "mean of the amount over the counted rows",
    Unit.MEDIAN: "median of the amount over the counted rows",
    Unit.REPRESENTATION: "share of the counted children in a group / that group's share of children aged 0–17",
}
COUNTING_UNITS = tuple(CountingUnit)
POLARITIES = tuple(Polarity)
PERSON_BREAKDOWNS = ("age_band", "sex", "ethnicity")
CASE_BREAKDOWNS = ("team", "worker")
STOCK_WINDOWS = ("week", "month", "financial_year", "as_at")
FLOW_WINDOWS = ("week", "4_weeks", "month", "rolling_3", "rolling_6", "rolling_12", "financial_year",
                "year_to_date")
SHARE_WINDOWS = ("month", "rolling_3", "rolling_6", "rolling_12", "financial_year", "year_to_date")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    description: str


# A child's lifetime: the look-back of an indicator that needs everything known about a child ("ever had a
# plan before"). Finite, so that a store holding 18 years of returns is enough; decision 009.
LIFETIME_MONTHS = 216


@dataclass(frozen=True)
class History:
    """How much of the past an indicator reads before the day it starts counting on.

    ``months`` calendar months before the window's first day, or before its last day when the indicator
    counts on the last day (a stock, "as at"). A value computed on a store whose sources do not reach that
    far back is flagged ``history_short`` (decision 009).
    """

    months: int
    reason: str  # what in that past the figure depends on, as the indicator's page says it

    def __post_init__(self):
        if not isinstance(self.months, int) or not 0 <= self.months <= LIFETIME_MONTHS:
            raise ValueError(f"History(months={self.months!r}): expected whole months from 0 to {LIFETIME_MONTHS}")
        if not self.reason.strip():
            raise ValueError(f"History(months={self.months}): say why in reason=")


# The two reasons most indicators need no history before their window.
OWN_WINDOW = History(0, "none: it counts the window's own events, each with the dates the return gives it")
OPEN_ON_THE_DAY = History(0, "none: it counts what is open on the day, and each return lists everything open in "
                             "its year with its start date")


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """One catalogue indicator, declared with keywords only. ``counting_unit``, ``unit`` and ``polarity``
    may be given as the enums' members or their strings; either way they are held as members, and a value
    that is none of them fails at declaration, naming the indicator."""

    id: str  # catalogue id, e.g. "C8"
    name: str  # domain name, e.g. "children_on_cp_plans"
    title: str
    definition: str  # plain English, as a council analyst would write it
    measure: Measure
    counting_unit: CountingUnit
    unit: Unit
    polarity: Polarity
    dfe_measure: str | None = None  # LAIT measure code, where DfE publishes the measure
    dfe_short: str | None = None  # LAIT Measure_short: the code alone is ambiguous (290, 287, 3 … name several)
    dfe_comparable: bool = False  # our financial-year value should equal the published one (same definition)
    dfe_note: str = ""  # why it may not, or what differs from the DfE measure
    windows: tuple[str, ...] | None = None  # default: by shape and unit (see .series)
    breakdowns: tuple[str, ...] = PERSON_BREAKDOWNS + CASE_BREAKDOWNS
    parameters: tuple[Parameter, ...] = ()
    reference: str = ""  # where the need comes from, e.g. "report §5.4.1"
    computation: str = ""  # how it is computed, when the shape alone does not say it well
    group: str = field(default="", compare=False)  # catalogue section, set by the catalogue
    # required: every declaration says how much history it needs (a default would let a new indicator
    # claim none without anyone deciding it); None only so that the error below can name the indicator
    history: History | None = None

    def __post_init__(self):
        for name, kind in (("counting_unit", CountingUnit), ("unit", Unit), ("polarity", Polarity)):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, kind(value))  # frozen: set once, here
            except ValueError:
                raise ValueError(f"indicator {self.id} ({self.name}): {name}={value!r} is not one of "
                                 f"{', '.join(m.value for m in kind)}") from None
        if not isinstance(self.measure, Flow | Stock | Custom):
            raise TypeError(f"indicator {self.id} ({self.name}): measure={self.measure!r} is not a Flow, Stock "
                            "or Custom")
        if not isinstance(self.history, History):
            raise TypeError(f"indicator {self.id} ({self.name}) declares no history: add "
                            "history=History(months=..., reason=\"...\") to its declaration, the months of data it "
                            "needs before its window (0 when the window's own data is enough; see decision 009)")

    @property
    def is_rate(self) -> bool:
        return self.unit == Unit.RATE

    @property
    def is_stock(self) -> bool:
        return isinstance(self.measure, Stock) and not self.measure.during

    @property
    def series(self) -> tuple[str, ...]:
        """The windows this indicator is reported over."""
        if self.windows is not None:
            return self.windows
        if self.is_stock:
            return STOCK_WINDOWS
        if self.unit in (Unit.PERCENT, Unit.MEAN, Unit.MEDIAN, Unit.REPRESENTATION):
            return SHARE_WINDOWS
        return FLOW_WINDOWS

    @property
    def domain_breakdowns(self) -> tuple[str, ...]:
        m = self.measure
        return tuple(m.attributes) if isinstance(m, Flow | Stock) else ()

    @property
    def all_breakdowns(self) -> tuple[str, ...]:
        return ("all", *self.breakdowns, *(b for b in self.domain_breakdowns if b not in self.breakdowns))

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}
