"""What the forecast's model is made of: the states a child in care is in, and the tables its estimation reads.

Everything in the forecast names these, so a category or a band is spelt one way only."""

from __future__ import annotations

import polars as pl

# Age bands of the issue (and of DfE's children-looked-after statistics), by completed years of age
AGE_BANDS: tuple[tuple[str, int, int], ...] = (  # (key, first age, last age)
    ("under_1", 0, 0),
    ("1_4", 1, 4),
    ("5_9", 5, 9),
    ("10_15", 10, 15),
    ("16_17", 16, 17),
)

# Placement categories a child in care is in (from the 903 placement type and provider: states.md says which)
PLACEMENT_CATEGORIES: tuple[str, ...] = (
    "foster_in_house",  # foster care with the council's own carers (not kinship)
    "foster_agency",  # foster care through an independent or voluntary agency
    "kinship",  # foster care with a relative or friend (connected person)
    "placed_with_parents",  # placed with parents or a person with parental responsibility
    "residential",  # children's homes, secure units, residential schools and other residential care
    "supported_independent",  # supported accommodation and independent living
    "adoption_placement",  # placed for adoption
    "other",  # anything else (hospital, custody, absent, unknown)
)

# Ways of leaving care, from the 903 reason an episode ended (REC) when it ends the period of care
EXITS: tuple[str, ...] = (
    "adoption",
    "sgo",  # special guardianship order
    "home",  # returned home to parents or relatives (reunification), or a child arrangements order
    "eighteen",  # ceased on reaching 18 (or moved to adult services)
    "other",  # anything else: transfer, death, sentence, left for other reasons
)

# How a spell in one category ends ("moved": into another category within the same period of care)
END_REASONS: tuple[str, ...] = ("moved", *EXITS)

# Time in care bands (days since the period of care began) the transition and exit rates depend on
DURATION_BANDS: tuple[tuple[str, int, int | None], ...] = (  # (key, first day, last day or None)
    ("under_6_months", 0, 182),
    ("6_to_12_months", 183, 364),
    ("1_to_2_years", 365, 729),
    ("2_years_or_more", 730, None),
)

# One row per spell of a child in one placement category within one period of care. A child's spells are
# contiguous within a period: a spell ending "moved" is followed the next day (or the same day) by another.
SPELLS_SCHEMA: dict[str, pl.DataType] = {
    "child_id": pl.String,
    "birth_date": pl.Date,
    "period_start": pl.Date,  # the day the period of care began
    "start": pl.Date,  # the day this spell began
    "end": pl.Date,  # the day it ended; null while it goes on (at the data's last day)
    "category": pl.String,  # one of PLACEMENT_CATEGORIES
    "end_reason": pl.String,  # one of END_REASONS; null while it goes on
}

# Resident children by single year of age at each mid-year (30 June)
POPULATION_SCHEMA: dict[str, pl.DataType] = {"year": pl.Int32, "age": pl.Int32, "children": pl.Int64}


def age_band(age: int) -> str:
    """The band of a completed age 0–17."""
    for key, first, last in AGE_BANDS:
        if first <= age <= last:
            return key
    raise ValueError(f"age {age}: a child in care is aged 0 to 17")
