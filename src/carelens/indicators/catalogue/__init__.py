"""The indicator catalogue: every measure CareLens reports, declared once (one page each in ``docs/indicators/``).

Each section of the overview has its own module, named for the part of the child's journey it
measures. What sections (and the forecast) share is in modules named for what it is, not for a section:
the episodes in force and periods of care (``care_episodes``), the counts of placements and social
workers in a year (``counts_in_a_year``), the missing episodes (``missing_episodes``) and the steps of
building a custom measure's rows (``custom_rows``); date arithmetic is :mod:`carelens.indicators.dates`.
A section imports from these, never from another section.

An :class:`~carelens.indicators.indicator.Indicator`, declared with keywords, says what it counts (its
measure), in what unit, which way is better, over which windows and breakdowns, with which parameters,
and which DfE/LAIT measure it follows. The docs page of an indicator is generated from its declaration
(``uv run python -m carelens.indicators.docs``).
"""

from __future__ import annotations

from dataclasses import replace

from carelens.indicators.catalogue import (
    care_leavers,
    child_protection,
    continuum,
    early_help,
    front_door,
    looked_after,
    permanence,
    workforce,
)
from carelens.indicators.indicator import Indicator

SECTIONS = (
    ("A", "Continuum of need", continuum),
    ("B", "Front door and assessment", front_door),
    ("C", "Child protection", child_protection),
    ("D", "Children looked after", looked_after),
    ("E", "Permanence", permanence),
    ("F", "Care leavers", care_leavers),
    ("G", "Workforce and caseloads", workforce),
    ("H", "Early help", early_help),
)

CATALOGUE: tuple[Indicator, ...] = tuple(
    replace(ind, group=title) for _, title, module in SECTIONS for ind in module.INDICATORS)

BY_ID = {i.id: i for i in CATALOGUE}
if len(BY_ID) != len(CATALOGUE) or len({i.name for i in CATALOGUE}) != len(CATALOGUE):
    raise RuntimeError("two catalogue indicators share an id or a name")



def indicator(id_or_name: str) -> Indicator:
    for i in CATALOGUE:
        if id_or_name in (i.id, i.name):
            return i
    raise KeyError(f"no indicator {id_or_name!r}; the catalogue has: {', '.join(i.id for i in CATALOGUE)}")
