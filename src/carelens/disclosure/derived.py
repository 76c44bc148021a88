"""Figures computed from counts — rates, percentages, ratios, averages — and when they must be hidden.

A percentage of a published total gives its count back (count = percentage × total / 100), and a
rate per 10,000 does the same with the population, which ONS publishes. So a figure computed from
any suppressed count is suppressed with it, and so is a figure computed from such a figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from carelens.disclosure.cells import Key


def dependent(suppressed: Iterable[Key], sources: Mapping[Key, Iterable[Key]]) -> frozenset[Key]:
    """The derived figures to suppress: those whose ``sources`` (the keys of the counts, or of other
    derived figures, each is computed from) include a suppressed one.

    ``sources`` maps each derived figure's key to what it is computed from, e.g.
    ``{("cp_rate", "2026-03"): [("cp", TOTAL), "population 0-17"]}``. A source that is not a
    suppressed cell (a published count, or a figure from outside the report such as the population)
    does not hide the derived figure.
    """
    hidden = set(suppressed)
    needs = {key: set(keys) for key, keys in sources.items()}
    found: set[Key] = set()
    changed = True
    while changed:  # a chain (a ratio of two rates) is followed to its end
        changed = False
        for key, keys in needs.items():
            if key not in found and keys & (hidden | found):
                found.add(key)
                changed = True
    return frozenset(found)
