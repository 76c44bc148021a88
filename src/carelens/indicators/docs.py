"""Writes one page per indicator under ``docs/indicators/`` from the catalogue's declarations.

    uv run python -m carelens.indicators.docs        # rewrite docs/indicators/
"""

from __future__ import annotations

from pathlib import Path

from carelens.indicators.catalogue import CATALOGUE, Indicator
from carelens.indicators.measures import Conversion, Flow, Stock

DOCS = Path(__file__).resolve().parents[3] / "docs" / "indicators"


def how_computed(ind: Indicator) -> str:
    m = ind.measure
    if isinstance(m, Stock):
        return (f"Count the distinct children with a `{m.table}` row whose `{m.start}` is on or before the last day "
                f"of the period and whose `{m.end}` is empty or after it. Rate: count × 10,000 / children aged 0–17.")
    if isinstance(m, Flow):
        what = "distinct children with" if m.distinct_children else "rows of"
        return (f"Count the {what} `{m.table}` whose `{m.date}` falls in the period (both ends included). Rate: "
                f"count × 365 / days in the period × 10,000 / children aged 0–17.")
    if isinstance(m, Conversion):
        return (f"Denominator: rows of `{m.table}` whose `{m.date}` falls in the period. Numerator: those of them "
                f"where `{m.outcome}` is true. Value: numerator / denominator × 100.")
    raise TypeError(m)


def page(ind: Indicator) -> str:
    dfe = f"LAIT measure {ind.dfe_measure}" if ind.dfe_measure else "none (local definition)"
    polarity = {"low": "lower is better", "high": "higher is better", "neutral": "context (no better direction)"}
    return f"""# {ind.id} — {ind.title}

Generated from `src/carelens/indicators/catalogue.py`; do not edit by hand.

{ind.definition}

| | |
|---|---|
| name | `{ind.name}` |
| counts | {ind.counting_unit} |
| unit | {"count, and rate per 10,000 children aged 0–17" if ind.is_rate else "percent"} |
| polarity | {polarity[ind.polarity]} |
| DfE equivalent | {dfe} |

## How it is computed

{how_computed(ind)}

Only rows of the authority asked for (`la_code`) are counted. The population is the latest mid-year
estimate on or before the end of the period (mid-2024 for the year ending 31 March 2025).
The children behind the figure are listed by `carelens.indicators.engine.counted_rows`.

## Breakdowns

By age band (under 1, 1–4, 5–9, 10–15, 16–17; age on the counting day, which is the event date for
events and the last day of the period for children in a state) and by sex, with
`carelens.indicators.engine.evaluate_by`. A rate per 10,000 uses the children of that group.
"""


def index() -> str:
    lines = ["# Indicators", "", "Generated from the catalogue; one page per indicator.", "",
             "| id | indicator | counts | unit | DfE |", "|---|---|---|---|---|"]
    for ind in CATALOGUE:
        lines.append(f"| [{ind.id}]({ind.id}.md) | {ind.title} | {ind.counting_unit} | "
                     f"{'per 10,000' if ind.is_rate else '%'} | {ind.dfe_measure or ''} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    return {"README.md": index(), **{f"{ind.id}.md": page(ind) for ind in CATALOGUE}}


if __name__ == "__main__":  # pragma: no cover
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (DOCS / name).write_text(text, encoding="utf-8")
