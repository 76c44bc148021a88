"""What an indicator's unit means for a chart: the axis title, how a value is written, and its bounds.

Indicator results name their unit either by kind (``rate``, ``percent`` …, as the catalogue does) or by
the label the results carry (``per 10,000``, ``%`` …); both are understood here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    kind: str
    decimals: int  # places a value is written to
    floor: float | None  # the lowest value the measure can take: where a lower control limit stops
    ceiling: float | None
    suffix: str = ""

    def axis_title(self, counting_unit: str | None = None) -> str:
        """The value axis's title, e.g. "Children per 10,000", "Percent", "Contacts per week"."""
        things = (counting_unit or "").strip()
        named = things[:1].upper() + things[1:]
        if self.kind == "rate":
            return f"{named} per 10,000" if named == "Children" or not named else f"{named} per 10,000 children"
        if self.kind == "percent":
            return f"Percent of {things}" if things else "Percent"
        if self.kind == "per_week":
            return f"{named or 'Number'} per week"
        if self.kind in ("count", "events", "workers"):
            return named or "Number"
        if self.kind == "representation":
            return "Representation ratio"
        return self.kind.capitalize()  # mean, median: of the amount the indicator averages

    def written(self, value: float | None, decimals: int | None = None) -> str:
        """A value as the chart's text writes it: thousands separated, to the unit's places, e.g. 1,012; 43.2%."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "no value"
        places = self.decimals if decimals is None else decimals
        return f"{value:,.{places}f}{self.suffix}"

    def axis_format(self, decimals: int | None = None) -> str:
        """A d3 format for the value axis and tooltips."""
        places = self.decimals if decimals is None else decimals
        return f",.{places}f"


UNITS = {
    "rate": Unit("rate", 1, 0.0, None),
    "percent": Unit("percent", 1, 0.0, 100.0, "%"),
    "count": Unit("count", 0, 0.0, None),
    "events": Unit("events", 0, 0.0, None),
    "workers": Unit("workers", 0, 0.0, None),
    "per_week": Unit("per_week", 1, 0.0, None),
    "mean": Unit("mean", 1, None, None),
    "median": Unit("median", 1, None, None),
    "representation": Unit("representation", 2, 0.0, None),
}
# the labels the indicator results carry in their unit column
LABELS = {"per 10,000": "rate", "%": "percent", "per week": "per_week", "ratio": "representation"}


def unit(name: str) -> Unit:
    """The unit named by kind or by results label."""
    kind = LABELS.get(name, name)
    if kind not in UNITS:
        raise ValueError(f"unit {name!r}: expected one of {', '.join([*UNITS, *LABELS])}")
    return UNITS[kind]
