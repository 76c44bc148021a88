"""Writes one page per indicator under ``docs/indicators/`` from the catalogue's declarations.

    uv run python -m carelens.indicators.docs        # rewrite docs/indicators/
"""

from __future__ import annotations

from pathlib import Path

from carelens.indicators.catalogue import CATALOGUE, SECTIONS
from carelens.indicators.indicator import Indicator
from carelens.indicators.indicator import UNITS
from carelens.indicators.measures import Custom, Flow, Stock

DOCS = Path(__file__).resolve().parents[3] / "docs" / "indicators"

WINDOWS = {"week": "ISO week (Monday–Sunday)", "4_weeks": "4 weeks ending on a Sunday", "month": "calendar month",
           "rolling_3": "rolling 3 months", "rolling_6": "rolling 6 months", "rolling_12": "rolling 12 months",
           "financial_year": "financial year (April–March)", "year_to_date": "financial year to date",
           "as_at": "a single day"}
BREAKDOWNS = {"age_band": "age band (under 1, 1–4, 5–9, 10–15, 16–17; age on the counting day)",
              "sex": "sex", "ethnicity": "ethnicity (DfE code)",
              "team": "team (the record's own, else the team allocated on the counting day)",
              "worker": "worker (the record's own, else the worker allocated on the counting day)"}


def _source(m) -> str:
    return f"`{m.source}`" if isinstance(m.source, str) else "the indicator's source (derived from the store; see its declaration)"


def how_computed(ind: Indicator) -> str:
    m = ind.measure
    parts = []
    if isinstance(m, Stock) and m.during:
        parts.append(f"Rows of {_source(m)} in the state at any time in the period: `{m.start}` on or before its "
                     f"last day and `{m.end}` empty or on or after its first day.")
    elif isinstance(m, Stock):
        parts.append(f"Rows of {_source(m)} whose `{m.start}` is on or before the last day of the period and "
                     f"whose `{m.end}` is empty or after it.")
    elif isinstance(m, Flow):
        parts.append(f"Rows of {_source(m)} whose `{m.date}` falls in the period (both ends included).")
    elif isinstance(m, Custom):
        parts.append(m.how)
    if isinstance(m, Flow | Stock) and m.where is not None:
        parts.append("Only rows meeting the indicator's condition (see the definition) are counted.")
    if ind.counting_unit == "children":
        parts.append("A child is counted once, in the numerator if any of their rows is.")
    unit = {
        "rate": "Value: count × 10,000 / children aged 0–17" + ("." if ind.is_stock else
                                                                " × 365 / days in the period (annualised)."),
        "count": "Value: the count.",
        "per_week": "Value: count × 7 / days in the period.",
        "percent": "Denominator: the counted rows. Numerator: those meeting the indicator's outcome. "
                   "Value: numerator / denominator × 100.",
        "mean": "Value: the mean of the amount over the counted rows; numerator: rows with an amount.",
        "median": "Value: the median of the amount over the counted rows; numerator: rows with an amount.",
        "representation": "Value, per group: the group's share of the counted children / the group's share "
                          "of children aged 0–17. Above 1 means over-represented.",
    }[ind.unit]
    parts.append(unit)
    if ind.computation:
        parts.append(ind.computation)
    return " ".join(parts)


def history_needed(ind: Indicator) -> str:
    """What the page says about the history the indicator needs before its window (decision 009)."""
    h = ind.history
    if not h.months:
        return h.reason
    before = "the day counted" if "as_at" in ind.series else "the window"
    return (f"{h.months} months before {before}: {h.reason}. A store whose sources do not reach that far back "
            "flags the value `history_short`")


def page(ind: Indicator) -> str:
    dfe = "none (local definition)"
    if ind.dfe_measure:
        dfe = f"LAIT measure {ind.dfe_measure}" + (f" (`{ind.dfe_short}`)" if ind.dfe_short else "")
        dfe += ("; our financial-year value should equal the published one" if ind.dfe_comparable
                else "; not directly comparable with our financial-year value")
        dfe += f". {ind.dfe_note}" if ind.dfe_note else ""
    polarity = {"low": "lower is better", "high": "higher is better", "neutral": "context (no better direction)"}
    params = "\n".join(f"| `{p.name}` | {p.default} | {p.description} |" for p in ind.parameters)
    params = ("## Parameters\n\n| parameter | default | meaning |\n|---|---|---|\n" + params + "\n\n") if params else ""
    breakdowns = "\n".join(f"- {BREAKDOWNS.get(b, f'`{b}`')}" for b in ind.all_breakdowns if b != "all")
    return f"""# {ind.id} — {ind.title}

Generated from `src/carelens/indicators/catalogue/`; do not edit by hand.

{ind.definition}

| | |
|---|---|
| name | `{ind.name}` |
| section | {ind.group} |
| counts | {ind.counting_unit} |
| unit | {UNITS[ind.unit]} |
| polarity | {polarity[ind.polarity]} |
| DfE equivalent | {dfe} |
| windows | {", ".join(WINDOWS[w] for w in ind.series)} |
| need | {ind.reference or "the catalogue ([indicators](README.md))"} |
| history needed | {history_needed(ind)} |

## How it is computed

{how_computed(ind)}

Only rows of the authority asked for (`la_code`) are counted. Rates use the latest mid-year population
estimate on or before the end of the period (mid-2024 for the year ending 31 March 2025). The
children behind any value are listed by `carelens.indicators.engine.counted_rows`.

{params}## Breakdowns

{breakdowns}
"""


def _dfe_cell(ind: Indicator) -> str:
    if not ind.dfe_measure:
        return ""
    return f"{ind.dfe_measure} `{ind.dfe_short}`" if ind.dfe_short else ind.dfe_measure


def index() -> str:
    lines = ["# Indicators", "", "Generated from the catalogue (`src/carelens/indicators/catalogue/`); one page per "
             "indicator. Engine and conventions: [engine.md](engine.md).", "",
             "C17, the ratio table of report §5.5.3 (six of these rates against the statistical neighbours' "
             "median), is a comparison rather than a measure of the store: `carelens benchmark --ratio-table` "
             "([benchmark comparisons](../benchmark-comparisons.md)).", ""]
    for letter, title, _ in SECTIONS:
        lines += [f"## {letter}. {title}", "", "| id | indicator | counts | unit | DfE |", "|---|---|---|---|---|"]
        for ind in CATALOGUE:
            if ind.group == title:
                lines.append(f"| [{ind.id}]({ind.id}.md) | {ind.title} | {ind.counting_unit} | {ind.unit} | "
                             f"{_dfe_cell(ind)} |")
        lines.append("")
    return "\n".join(lines)


def pages() -> dict[str, str]:
    return {"README.md": index(), **{f"{ind.id}.md": page(ind) for ind in CATALOGUE}}


if __name__ == "__main__":  # pragma: no cover
    DOCS.mkdir(parents=True, exist_ok=True)
    for stale in DOCS.glob("*.md"):
        if stale.name not in pages() and stale.name != "engine.md":
            stale.unlink()
    for name, text in pages().items():
        (DOCS / name).write_text(text, encoding="utf-8")
