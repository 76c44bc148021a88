"""Many authorities at once: a region, or all of England, each with its own size and demand.

Each English authority's synthetic twin has the authority's own ONS population
of children and a profile scaled from the base profile by the authority's own
published 2024/25 rates relative to England (referrals, CP plans starting,
children looked after) — from ``data/authorities.csv``, built by
``scripts/build_synthetic_authorities.py`` from DfE/ONS statistics (OGL v3.0).
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

import polars as pl

from carelens.synth.authority import AuthoritySpec
from carelens.synth.profiles import Profile, load_profile


def english_authorities() -> pl.DataFrame:
    """Every English authority: la_code, ons_code, name, region, children and published-rate ratios."""
    path = resources.files("carelens.synth") / "data" / "authorities.csv"
    with resources.as_file(path) as p:
        return pl.read_csv(p, schema_overrides={"la_code": pl.Utf8})


def authority_profile(base: Profile, referrals_ratio: float, cp_starts_ratio: float, cla_ratio: float,
                      children: int) -> Profile:
    """The base profile adjusted to an authority's own published demand."""
    def clip(x, lo=0.4, hi=2.5):
        return max(lo, min(hi, x))

    rates = dict(base.rates)
    rates["contacts_per_10k"] = base.rates["contacts_per_10k"] * clip(referrals_ratio)
    # child protection and care intensity relative to the referrals that feed them
    cp_factor = clip(cp_starts_ratio / clip(referrals_ratio), 0.5, 1.8)
    rates["strategy_discussion"] = min(0.9, base.rates["strategy_discussion"] * cp_factor)
    care_factor = clip(cla_ratio / clip(referrals_ratio), 0.4, 2.5)
    for key in ("direct_to_care", "cp_to_care", "cin_plan_to_care"):
        rates[key] = min(0.6, base.rates[key] * care_factor)
    return replace(base, rates=rates, children=int(children))


def england_specs(profile: str | Profile = "england", region: str | None = None,
                  la_codes: list[str] | None = None, scale: float = 1.0) -> list[AuthoritySpec]:
    """Specs for every English authority (or one region, or a list of authorities)."""
    base = load_profile(profile) if isinstance(profile, str) else profile
    las = english_authorities()
    if region:
        las = las.filter(pl.col("region").str.to_lowercase() == region.lower())
        if not len(las):
            raise ValueError(f"no authorities in region {region!r}")
    if la_codes:
        las = las.filter(pl.col("la_code").is_in(la_codes))
    specs = []
    for row in las.iter_rows(named=True):
        children = max(500, int(row["children"] * scale))
        prof = authority_profile(base, row["referrals_ratio"], row["cp_starts_ratio"], row["cla_ratio"], children)
        specs.append(AuthoritySpec(la_code=row["la_code"], name=row["name"], profile=prof, children=children))
    return specs
