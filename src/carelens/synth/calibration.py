"""Measuring a generated authority's headline figures, to check it against its profile.

These are deliberately simple, direct counts over the canonical tables (the
indicator engine has the official definitions); they answer one question:
does the synthetic authority look like the one its profile describes?
"""

from __future__ import annotations

import datetime as dt

import polars as pl

HEADLINES = {
    "referrals_per_10k": "Referrals received in the year, per 10,000 children",
    "rereferral_pct": "Referrals within 12 months of a previous referral, %",
    "referral_nfa_pct": "Referrals closed with no further action, %",
    "s47_per_10k": "Section 47 enquiries started in the year, per 10,000",
    "icpc_per_10k": "Initial child protection conferences in the year, per 10,000",
    "cp_starts_per_10k": "Child protection plans starting in the year, per 10,000",
    "cp_plans_per_10k": "Children on a child protection plan at 31 March, per 10,000",
    "icpc_to_cp_pct": "ICPCs resulting in a child protection plan, %",
    "cin_per_10k": "Children in need (open referral) at 31 March, per 10,000",
    "cla_per_10k": "Children looked after at 31 March, per 10,000",
    "cla_starts_per_10k": "Children starting to be looked after in the year, per 10,000",
    "subsequent_cp_pct": "CP plans starting in the year that are a second or subsequent plan, %",
}


def measure_headlines(frames: dict[str, pl.DataFrame], year_ending: int) -> dict[str, float]:
    """The headline figures for the financial year ending 31 March ``year_ending``."""
    start, end = dt.date(year_ending - 1, 4, 1), dt.date(year_ending, 3, 31)
    pop = frames["population"].filter(pl.col("year") == year_ending - 1)["children"].sum()
    per10k = 10_000 / pop

    def in_year(name, col):
        return frames[name].filter(pl.col(col).is_between(start, end))

    def open_at(name, s, e):
        return frames[name].filter((pl.col(s) <= end) & (pl.col(e).is_null() | (pl.col(e) > end)))

    refs = frames["referrals"]
    year_refs = in_year("referrals", "referral_date")
    prev = refs.select("child_id", pl.col("referral_date").alias("prev_date"))
    rerefs = (year_refs.select("referral_id", "child_id", "referral_date").join(prev, on="child_id")
              .filter((pl.col("prev_date") < pl.col("referral_date"))
                      & (pl.col("prev_date") >= pl.col("referral_date").dt.offset_by("-12mo")))
              ["referral_id"].n_unique())
    icpcs = in_year("initial_cp_conferences", "conference_date")
    cp_all = frames["cp_plans"].sort("start_date")
    cp_year = cp_all.with_columns(previous=pl.int_range(pl.len()).over("child_id")).filter(
        pl.col("start_date").is_between(start, end))
    cla_starts = in_year("periods_of_care", "start_date")["child_id"].n_unique()
    return {
        "referrals_per_10k": len(year_refs) * per10k,
        "rereferral_pct": 100 * rerefs / max(len(year_refs), 1),
        "referral_nfa_pct": 100 * year_refs["referral_nfa"].sum() / max(len(year_refs), 1),
        "s47_per_10k": len(in_year("s47_enquiries", "start_date")) * per10k,
        "icpc_per_10k": len(icpcs) * per10k,
        "cp_starts_per_10k": len(cp_year) * per10k,
        "cp_plans_per_10k": open_at("cp_plans", "start_date", "end_date")["child_id"].n_unique() * per10k,
        "icpc_to_cp_pct": 100 * icpcs["outcome_cp_plan"].sum() / max(len(icpcs), 1),
        "cin_per_10k": open_at("referrals", "referral_date", "closure_date")["child_id"].n_unique() * per10k,
        "cla_per_10k": open_at("periods_of_care", "start_date", "end_date")["child_id"].n_unique() * per10k,
        "cla_starts_per_10k": cla_starts * per10k,
        "subsequent_cp_pct": 100 * (cp_year["previous"] > 0).sum() / max(len(cp_year), 1),
    }
