"""Which placement category (:data:`~carelens.forecast.states.PLACEMENT_CATEGORIES`) each SSDA903 placement is in.

The category comes from the 903 placement type (PLACE) and, for foster care with carers who are not relatives or
friends (U4–U6), from the provider (PLACE_PROVIDER): a foster placement with the council's own carers (PR1) is
in-house; one bought from outside the council — an independent or voluntary fostering agency (PR4, PR5), another
council (PR2) or another public body (PR3) — is agency. Foster care with relatives or friends (U1–U3) is kinship
whoever provides it.

A temporary placement (T0–T4: hospital, holiday, respite while the carers are on holiday, seven days or less) is
not a move: the child keeps the category of the placement before it, to which they normally return. Only a
period of care that begins with one has nothing to keep, and is "other" until the first usual placement.

The mapping is data: :data:`PLACEMENT_TYPES` lists every code of the ``placement_type`` code list, and
:data:`FOSTER_PROVIDERS` every code of ``placement_provider`` (a test checks both against the code lists);
``docs/forecast/states.md`` holds the tables :func:`markdown` prints.
"""

from __future__ import annotations

import polars as pl

from carelens.forecast.states import PLACEMENT_CATEGORIES

KEEP_PREVIOUS = "(the category before)"
"""What a temporary placement's category is: the one the child was in before it."""

PROVIDER_DECIDES = "(by provider)"
"""The category of U4–U6: in-house or agency, from the provider (:data:`FOSTER_PROVIDERS`)."""

# (903 PLACE, category, why) — every code of the placement_type code list, 2017 to 2026
PLACEMENT_TYPES: tuple[tuple[str, str, str], ...] = (
    ("A3", "adoption_placement", "placed for adoption with consent, with the current foster carers"),
    ("A4", "adoption_placement", "placed for adoption with consent, not with the current foster carers"),
    ("A5", "adoption_placement", "placed for adoption under a placement order, with the current foster carers"),
    ("A6", "adoption_placement", "placed for adoption under a placement order, not with the current foster carers"),
    ("H5", "supported_independent", "semi-independent living not subject to children's homes regulations (to 2024)"),
    ("K1", "residential", "secure children's home"),
    ("K2", "residential", "children's home subject to the Children's Homes Regulations"),
    ("K3", "supported_independent", "supported accommodation registered with Ofsted (from 2025; replaces H5)"),
    ("P1", "placed_with_parents", "placed with parents or others with parental responsibility"),
    ("P2", "supported_independent", "independent living, with or without formal support (to 2024)"),
    ("P3", "supported_independent", "residential employment (DfE counts it with independent living)"),
    ("R1", "residential", "residential care home"),
    ("R2", "other", "NHS or health establishment giving medical or nursing care"),
    ("R3", "residential", "family centre or mother and baby unit"),
    ("R5", "other", "young offender institution (custody)"),
    ("S1", "residential", "residential school"),
    ("T0", KEEP_PREVIOUS, "temporary move of a kind T1–T4"),
    ("T1", KEEP_PREVIOUS, "temporary period in hospital"),
    ("T2", KEEP_PREVIOUS, "temporary absence on holiday"),
    ("T3", KEEP_PREVIOUS, "temporary accommodation while the usual foster carers are on holiday"),
    ("T4", KEEP_PREVIOUS, "temporary accommodation of seven days or less"),
    ("U1", "kinship", "foster placement with relatives or friends: long-term fostering"),
    ("U2", "kinship", "foster placement with relatives or friends who are approved adopters (fostering for "
                      "adoption, concurrent planning)"),
    ("U3", "kinship", "foster placement with relatives or friends: not long-term or fostering for adoption"),
    ("U4", PROVIDER_DECIDES, "foster placement with other carers: long-term fostering"),
    ("U5", PROVIDER_DECIDES, "foster placement with other carers who are approved adopters"),
    ("U6", PROVIDER_DECIDES, "foster placement with other carers: not long-term or fostering for adoption"),
    ("Z1", "other", "other placement (listed on a schedule with the return)"),
    ("Z11", "other", "other placement: DfE sub-category Z11 (from 2026)"),
    ("Z12", "other", "other placement: DfE sub-category Z12 (from 2026)"),
    ("Z13", "other", "other placement: DfE sub-category Z13 (from 2026)"),
    ("Z14", "other", "other placement: DfE sub-category Z14 (from 2026)"),
)

# (903 PLACE_PROVIDER, category of a U4–U6 foster placement, why) — every code of placement_provider
FOSTER_PROVIDERS: tuple[tuple[str, str, str], ...] = (
    ("PR0", "foster_in_house", "parent provider on a foster placement is a recording error; counted as in-house"),
    ("PR1", "foster_in_house", "the council's own foster carers"),
    ("PR2", "foster_agency", "another council's carers: bought in, as from an agency"),
    ("PR3", "foster_agency", "another public body's provision: bought in"),
    ("PR4", "foster_agency", "an independent (private) fostering agency"),
    ("PR5", "foster_agency", "a voluntary or third-sector fostering agency"),
)
MISSING_PROVIDER_CATEGORY = "foster_in_house"
"""A U4–U6 placement with no provider recorded: counted as in-house (the council's own carers are the usual
case, and the histories say how many were counted so)."""

for _code, _category, _ in PLACEMENT_TYPES + FOSTER_PROVIDERS:
    if _category not in (*PLACEMENT_CATEGORIES, KEEP_PREVIOUS, PROVIDER_DECIDES):
        raise ValueError(f"placement code {_code}: category {_category!r} is not one of the placement categories")

MAPPING_SCHEMA = {"placement_type": pl.String, "provider": pl.String, "category": pl.String}


def mapping() -> pl.DataFrame:
    """Every (placement type, provider) → category, one row each, to join to episodes.

    ``provider`` is null where the provider does not matter (and, for U4–U6, where it was not recorded);
    ``category`` is null for a temporary placement, whose category is the one before it."""
    rows = []
    for place, category, _ in PLACEMENT_TYPES:
        if category == PROVIDER_DECIDES:
            rows += [(place, provider, by_provider) for provider, by_provider, _ in FOSTER_PROVIDERS]
            rows.append((place, None, MISSING_PROVIDER_CATEGORY))
        else:
            rows.append((place, None, None if category == KEEP_PREVIOUS else category))
    return pl.DataFrame(rows, schema=MAPPING_SCHEMA, orient="row")


def categorise(episodes: pl.DataFrame) -> pl.DataFrame:
    """``episodes`` (``placement_type``, ``placement_provider``) with ``category`` added: null for a temporary
    placement (the caller carries the category before it forward) and ``"unknown"`` for a type no code list
    has, and ``provider_missing`` true for a U4–U6 placement counted as in-house for want of a provider."""
    table = mapping()
    by_provider = table.filter(pl.col("provider").is_not_null())
    by_type = table.filter(pl.col("provider").is_null()).rename({"category": "_type_category"}).drop("provider")
    out = episodes.join(by_provider.rename({"provider": "placement_provider", "category": "_provider_category"}),
                        on=["placement_type", "placement_provider"], how="left")
    out = out.join(by_type, on="placement_type", how="left")
    known = pl.col("placement_type").is_in([p for p, _, _ in PLACEMENT_TYPES])
    decided_by_provider = pl.col("placement_type").is_in([p for p, c, _ in PLACEMENT_TYPES if c == PROVIDER_DECIDES])
    return out.with_columns(
        category=pl.when(~known).then(pl.lit("unknown"))
        .otherwise(pl.coalesce("_provider_category", "_type_category")),
        provider_missing=decided_by_provider & pl.col("_provider_category").is_null(),
    ).drop("_provider_category", "_type_category")


def markdown() -> str:
    """The tables of ``docs/forecast/states.md``: each placement type's category, and each provider's for U4–U6."""
    lines = ["| 903 PLACE | Category | Why |", "|---|---|---|"]
    lines += [f"| {code} | `{category}` | {why} |" if category in PLACEMENT_CATEGORIES else
              f"| {code} | {category} | {why} |" for code, category, why in PLACEMENT_TYPES]
    lines += ["", "| 903 PLACE_PROVIDER (U4–U6 only) | Category | Why |", "|---|---|---|"]
    lines += [f"| {code} | `{category}` | {why} |" for code, category, why in FOSTER_PROVIDERS]
    lines.append(f"| (none recorded) | `{MISSING_PROVIDER_CATEGORY}` | counted as the council's own carers, and "
                 "counted in the histories' notes |")
    return "\n".join(lines) + "\n"
