"""Writes ``docs/data-model.md`` from the store declaration, so the reference never drifts from the code.

    uv run python -m carelens.model.data_model_doc > docs/data-model.md
"""

from __future__ import annotations

from carelens.model.metadata import METADATA_TABLES
from carelens.model.tables import TABLES

INTRO = """# The child-journey store

Generated from `src/carelens/model/tables.py` and `src/carelens/model/metadata.py` by `python -m carelens.model.data_model_doc`; a test
checks it is up to date. Do not edit by hand.

The store is one DuckDB file (or any database Ibis can reach) holding the tables below. It follows
a child from contact → referral → assessment → strategy discussion → s47 enquiry → ICPC → CP plan /
CIN plan → looked after (episodes, legal statuses, placements, reviews, visits, health, missing
episodes) → adoption / special guardianship / return home → care leaver, with early help, and the
workers, teams and allocations that hold the cases.

- **Types**: `string`, `date`, `boolean`, `int32`, `int64`, `float64`. *Required* columns are never empty.
- **SSD item**: the Standard Safeguarding Dataset item reference of the same field, where there is one.
- **Codes**: the code list (see [code lists](code-lists.md)) the values come from, valid for the
  collection year in which the event happened.
- Every table carries `la_code` (the DfE 3-digit authority number), so one store can pool authorities.
- Dates that have not happened yet (an open plan's end) are empty.

Beside them, [what the store says about itself](#what-the-store-says-about-itself): its schema
version, its versions, what was loaded into it, its authorities and the days each table covers
([decision 017](decisions/017-store-versions-and-readers-during-a-load.md)). Tables are made and
changed only by the numbered migrations in `src/carelens/model/migrations/`.
"""

METADATA_INTRO = """
# What the store says about itself

Every write that changes a store's data (a load, a synthetic authority, a migration) records a new
version, with what it loaded; the authorities and coverage are recomputed from the data then held.
A cache of figures computed from a version is keyed by its `version_id`.
"""


def _table(t) -> list[str]:
    out = [f"\n## `{t.name}`\n\n{t.description}\n"]
    meta = [f"Primary key: `{', '.join(t.primary_key)}`."]
    if t.ssd_table:
        meta.append(f"SSD table: `{t.ssd_table}`.")
    if t.no_overlap:
        meta.append(f"A child's rows never overlap in time (`{t.no_overlap[0]}` to `{t.no_overlap[1]}`).")
    out.append(" ".join(meta) + "\n")
    out.append("| column | type | required | meaning | SSD item | codes |")
    out.append("|---|---|---|---|---|---|")
    for c in t.columns:
        out.append(f"| `{c.name}` | {c.dtype} | {'yes' if not c.nullable else ''} | {c.description} | "
                   f"{c.item_ref or ''} | {c.code_list or ''} |")
    return out


def markdown() -> str:
    out = [INTRO]
    out.append("## Tables\n")
    for t in TABLES:
        out.append(f"- [`{t.name}`](#{t.name.replace('_', '_')}) — {t.description}")
    for t in TABLES:
        out += _table(t)
    out.append(METADATA_INTRO)
    for t in METADATA_TABLES:
        out.append(f"- [`{t.name}`](#{t.name}) — {t.description}")
    for t in METADATA_TABLES:
        out += _table(t)
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
