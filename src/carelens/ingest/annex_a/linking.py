"""Annex A records linked across lists, with the identifiers and links the lists do not give.

Annex A gives each list on its own: nothing says which referral an assessment came from or which
conference a plan followed. Their dates imply it, and :func:`link` makes the links: List 3 and
List 6 rows of a child and date are one referral; a contact becomes the referral of the child that
day; assessments, s47 enquiries and CP plans go under the child's latest referral on or before
their start; a conference under its enquiry, a plan under the conference on its start date; and a
looked-after row (List 8) becomes its period of care, episode, placement, legal status, reviews,
visits and health checks. A record that cannot be linked is not stored, and counted in the notes.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carelens.ingest.annex_a.cells import Reading
from carelens.ingest.annex_a.people import Person
from carelens.ingest.annex_a.store_frames import store_frame, with_id
from carelens.ingest.identity import deduplicated, natural_id
from carelens.model.store import polars_schema

NOT_RECORDED = "NOT_RECORDED"  # contact_outcome of a contact whose outcome Annex A does not give


def link(ctx: Reading, rec: dict[str, list[dict]], people: dict[str, Person]) -> dict[str, pl.DataFrame]:
    """Identifiers, and the links between records that Annex A does not give but their dates imply."""
    prov = ["la_code", "source_file", "source_year", "source_row"]
    out = _referrals_and_contacts(ctx, rec, prov)
    referrals = out["referrals"]

    eh = with_id(store_frame("early_help_episodes", rec["early_help"], ["child_id", "start_date", "team_id"]),
                  "early_help_id", "Y", "start_date")
    out["early_help_episodes"] = eh

    assessments = with_id(store_frame("assessments", rec["assessments"], [
        "child_id", "start_date", "authorised_date", "child_seen", "outcome_nfa", "team_id", "worker_id"]),
        "assessment_id", "A", "start_date")
    assessments = _drop_note(ctx, _under_referral(referrals, assessments, "start_date"), "referral_id",
                             "List 4: assessment with no referral of the child on or before its start in Lists "
                             "3 or 6; not stored")
    out["assessments"] = assessments.select("assessment_id", "child_id", "referral_id", "start_date",
                                            "authorised_date", "child_seen", "outcome_nfa", "team_id",
                                            "worker_id", *prov).sort("assessment_id")

    s47 = with_id(store_frame("s47_enquiries", rec["s47"], ["child_id", "start_date", "outcome", "icpc_not_required",
                                                        "team_id", "worker_id"]), "s47_id", "S", "start_date")
    s47 = _drop_note(ctx, _under_referral(referrals, s47, "start_date"), "referral_id",
                     "List 5: s47 enquiry with no referral of the child on or before its start in Lists 3 or 6; "
                     "not stored")
    out["s47_enquiries"] = s47.select("s47_id", "child_id", "referral_id", "start_date", "outcome",
                                      "icpc_not_required", "team_id", "worker_id", *prov).sort("s47_id")

    out.update(_child_protection(ctx, rec, referrals, s47, prov))
    out.update(_looked_after(ctx, rec, prov))
    out["care_leaver_contacts"] = _care_leavers(ctx, rec, people, prov)
    return out


def _referrals_and_contacts(ctx: Reading, rec: dict[str, list[dict]], prov: list[str]) -> dict[str, pl.DataFrame]:
    """Referrals (Lists 3 and 6 together) and contacts (List 1), each contact linked to the referral it
    became."""
    # referrals: List 3 and List 6 rows of the same child and date are one referral (CIN episode)
    r3 = with_id(store_frame("referrals", rec["referrals3"], ["child_id", "referral_date", "source", "referral_nfa",
                                                          "team_id", "worker_id"]), "referral_id", "R",
                  "referral_date")
    r6 = with_id(store_frame("referrals", rec["referrals6"], ["child_id", "referral_date", "primary_need",
                                                          "closure_date", "closure_reason", "team_id",
                                                          "worker_id"]), "referral_id", "R", "referral_date")
    referrals = r3.join(r6, on="referral_id", how="full", coalesce=True, suffix="_6")
    referrals = referrals.with_columns(
        pl.coalesce("child_id", "child_id_6").alias("child_id"),
        pl.coalesce("referral_date", "referral_date_6").alias("referral_date"),
        # a referral known only from List 6: source not known (CIN code 10); NFA when closed the day it came in
        pl.coalesce("source", pl.lit("10")).alias("source"),
        pl.coalesce("referral_nfa", (pl.col("closure_date") == pl.col("referral_date_6")).fill_null(False))
        .alias("referral_nfa"),
        pl.coalesce("team_id", "team_id_6").alias("team_id"),
        pl.coalesce("worker_id", "worker_id_6").alias("worker_id"),
        *[pl.coalesce(c, f"{c}_6").alias(c) for c in prov])
    n_only6 = referrals.filter(~pl.col("referral_id").is_in(r3["referral_id"].implode())).height
    if n_only6:
        ctx.notes["List 6: CIN episode with no List 3 referral; stored with referral source 10 (unknown)"] += n_only6
    referrals = referrals.select("referral_id", "child_id", "referral_date", "source", "primary_need",
                                 "referral_nfa", "closure_date", "closure_reason", "team_id", "worker_id", *prov)

    # contacts: a referral of the same child on the contact date is what the contact became
    contacts = with_id(store_frame("contacts", rec["contacts"], ["child_id", "contact_date", "source"]),
                        "contact_id", "K", "contact_date")
    same_day = referrals.select("child_id", pl.col("referral_date").alias("contact_date"), "referral_id") \
        .unique(["child_id", "contact_date"], keep="first")
    # Annex A does not record what followed a contact: one that did not become a referral that day is
    # stored as NOT_RECORDED, so the front door's contacts are all counted (B1) and only those known to
    # have become referrals convert (B3)
    contacts = contacts.join(same_day, on=["child_id", "contact_date"], how="left") \
        .with_columns(pl.when(pl.col("referral_id").is_not_null()).then(pl.lit("REFERRAL"))
                      .otherwise(pl.lit(NOT_RECORDED)).alias("outcome"))
    n_unknown = contacts.filter(pl.col("outcome") == NOT_RECORDED).height
    if n_unknown:
        ctx.notes["List 1: contact with no referral of the child on the same day; stored with outcome "
                  "NOT_RECORDED (Annex A does not record a contact's outcome)"] += n_unknown
    first_contact = contacts.filter(pl.col("referral_id").is_not_null()).sort("contact_id") \
        .unique("referral_id", keep="first").select("referral_id", "contact_id")
    referrals = referrals.join(first_contact, on="referral_id", how="left")
    contacts = contacts.select("contact_id", "child_id", "contact_date", "source", "outcome", "referral_id", *prov)
    return {"contacts": contacts.sort("contact_id"), "referrals": referrals.sort("referral_id")}


def _drop_note(ctx: Reading, frame: pl.DataFrame, column: str, text: str) -> pl.DataFrame:
    """``frame`` without its rows that have no ``column``, counted in a note."""
    missing = frame.filter(pl.col(column).is_null()).height
    if missing:
        ctx.notes[text] += missing
    return frame.filter(pl.col(column).is_not_null())


def _under_referral(referrals: pl.DataFrame, frame: pl.DataFrame, date_col: str) -> pl.DataFrame:
    """The child's latest referral on or before the date."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, pl.Utf8).alias("referral_id"))
    refs = referrals.select("child_id", pl.col("referral_date").alias(date_col), "referral_id") \
        .sort("child_id", date_col)
    return frame.sort("child_id", date_col).join_asof(refs, on=date_col, by="child_id", strategy="backward",
                                                        check_sortedness=False)


def _child_protection(ctx: Reading, rec: dict[str, list[dict]], referrals: pl.DataFrame, s47: pl.DataFrame,
                      prov: list[str]) -> dict[str, pl.DataFrame]:
    """Initial conferences (List 5) under their s47 enquiry, CP plans (List 7) under their conference and
    referral, and the plans' reviews and visits."""
    out: dict[str, pl.DataFrame] = {}
    cp_schema = polars_schema("cp_plans")
    cp = with_id(store_frame("cp_plans", rec["cp_plans"], ["child_id", "start_date", "end_date", "initial_category",
                                                       "latest_category", "team_id", "worker_id"]),
                  "cp_plan_id", "C", "start_date")

    icpc_rows = [{k: v for k, v in r.items()} for r in rec["icpc"]]
    icpc = pl.DataFrame(icpc_rows, schema={
        "child_id": pl.Utf8, "la_code": pl.Utf8, "source_file": pl.Utf8, "source_year": pl.Int32,
        "source_row": pl.Int64, "s47_start": pl.Date, "conference_date": pl.Date, "transfer_in": pl.Boolean,
        "outcome_cp_plan": pl.Boolean, "team_id": pl.Utf8, "worker_id": pl.Utf8}, orient="row") \
        if icpc_rows else pl.DataFrame(schema={
            "child_id": pl.Utf8, "la_code": pl.Utf8, "source_file": pl.Utf8, "source_year": pl.Int32,
            "source_row": pl.Int64, "s47_start": pl.Date, "conference_date": pl.Date,
            "transfer_in": pl.Boolean, "outcome_cp_plan": pl.Boolean, "team_id": pl.Utf8, "worker_id": pl.Utf8})
    icpc = icpc.with_columns(deduplicated(natural_id("I", "child_id", "conference_date")).alias("icpc_id"),
                             natural_id("S", "child_id", "s47_start").alias("s47_id"))
    icpc = icpc.join(s47.select("s47_id", "referral_id"), on="s47_id", how="left")
    plan_days = cp.select("child_id", pl.col("start_date").alias("conference_date"),
                          pl.lit(True).alias("_plan")).unique(["child_id", "conference_date"])
    icpc = icpc.join(plan_days, on=["child_id", "conference_date"], how="left") \
        .with_columns(pl.coalesce("outcome_cp_plan", "_plan").alias("outcome_cp_plan"))
    icpc = _drop_note(ctx, icpc, "referral_id",
                      "List 5: ICPC of an s47 enquiry that could not be stored; not stored")
    icpc = _drop_note(ctx, icpc, "outcome_cp_plan",
                      "List 5: ICPC whose outcome is unknown and no List 7 plan starts on its date; not stored")
    out["initial_cp_conferences"] = icpc.select(
        "icpc_id", "child_id", "referral_id", "s47_id", "conference_date", "transfer_in", "outcome_cp_plan",
        "team_id", "worker_id", *prov).sort("icpc_id")

    conf = icpc.filter(pl.col("outcome_cp_plan")).select(
        "child_id", pl.col("conference_date").alias("start_date"), "icpc_id").unique(["child_id", "start_date"])
    cp = cp.join(conf, on=["child_id", "start_date"], how="left")
    cp = _drop_note(ctx, _under_referral(referrals, cp, "start_date"), "referral_id",
                    "List 7: CP plan with no referral of the child on or before its start in Lists 3 or 6; "
                    "not stored")
    out["cp_plans"] = cp.select("cp_plan_id", "child_id", "referral_id", "icpc_id", "start_date", "end_date",
                                "initial_category", "latest_category", "team_id", "worker_id", *prov) \
        .cast({c: cp_schema[c] for c in ("icpc_id",)}).sort("cp_plan_id")

    def cp_children(name: str, id_col: str, kind: str, date_col: str, cols: list[str]) -> pl.DataFrame:
        schema = {**polars_schema(name), "plan_start": pl.Date}
        keep = ["child_id", "plan_start", date_col, *cols, *prov]
        frame = pl.DataFrame(rec[name], schema={c: schema[c] for c in keep}, orient="row") if rec[name] \
            else pl.DataFrame(schema={c: schema[c] for c in keep})
        frame = frame.with_columns(natural_id("C", "child_id", "plan_start").alias("cp_plan_id"),
                                   natural_id(kind, "child_id", date_col).alias(id_col))
        frame = frame.filter(pl.col("cp_plan_id").is_in(out["cp_plans"]["cp_plan_id"].implode()))
        return frame.select(id_col, "child_id", "cp_plan_id", date_col, *cols, *prov)

    out["cp_reviews"] = cp_children("cp_reviews", "cp_review_id", "CR", "review_date", [])
    out["cp_visits"] = cp_children("cp_visits", "cp_visit_id", "CV", "visit_date", ["child_seen", "child_seen_alone"])
    return out


def _looked_after(ctx: Reading, rec: dict, prov: list[str]) -> dict[str, pl.DataFrame]:
    out = {}
    l8 = rec["l8"]
    periods, episodes, placements, legal, reviews, visits, checks = [], [], [], [], [], [], []
    for r in l8:
        base = {k: r[k] for k in ("child_id", *prov)}
        period_start = r["start"]
        es = r["episode_start"]
        if es == period_start:
            rne = "S"
        elif r["legal_start"] == r["placement_start"]:
            rne = "B"
        elif es == r["placement_start"]:
            rne = "P"
        else:
            rne = "L"
        periods.append({**base, "start_date": period_start, "end_date": r["ceased"], "reason_ceased": r["reason"]})
        episodes.append({**base, "period_start": period_start, "start_date": es, "reason_new_episode": rne,
                         "legal_status": r["legal"], "cin_category": r["need"],
                         "placement_start": r["placement_start"], "placement_type": r["ptype"],
                         "placement_provider": r["provider"], "end_date": r["ceased"], "reason_ceased": r["reason"],
                         "placement_postcode": r["postcode"], "urn": r["urn"]})
        placements.append({**base, "period_start": period_start, "start_date": r["placement_start"],
                           "end_date": r["ceased"], "placement_type": r["ptype"], "provider": r["provider"],
                           "postcode": r["postcode"], "urn": r["urn"], "inside_la": r["inside"]})
        legal.append({**base, "period_start": period_start, "legal_status": r["legal"],
                      "start_date": r["legal_start"], "end_date": r["ceased"]})
        if r["review"]:
            reviews.append({**base, "period_start": period_start, "review_date": r["review"]})
        if r["visit"]:
            visits.append({**base, "period_start": period_start, "visit_date": r["visit"]})
        for kind, key, check in (("HA", "health", "HEALTH_ASSESSMENT"), ("HD", "dental", "DENTAL")):
            if r[key]:
                checks.append({**base, "kind": kind, "check_type": check, "check_date": r[key]})

    def frame(name: str, rows: list[dict], cols: list[str], extra: dict | None = None) -> pl.DataFrame:
        schema = {**polars_schema(name), "period_start": pl.Date, "placement_start": pl.Date, "kind": pl.Utf8,
                  **(extra or {})}
        keep = ["child_id", *cols, *prov]
        return pl.DataFrame(rows, schema={c: schema[c] for c in keep}, orient="row") if rows else \
            pl.DataFrame(schema={c: schema[c] for c in keep})

    def period_of(f: pl.DataFrame) -> pl.DataFrame:
        return f.with_columns(natural_id("P", "child_id", "period_start").alias("period_id")).drop("period_start")

    pf = frame("periods_of_care", periods, ["start_date", "end_date", "reason_ceased"])
    p10 = frame("periods_of_care", rec["periods10"], ["start_date"])
    pf = pl.concat([pf, p10], how="diagonal_relaxed").unique(["child_id", "start_date"], keep="first",
                                                             maintain_order=True)
    out["periods_of_care"] = with_id(pf, "period_id", "P", "start_date").select(
        "period_id", "child_id", "start_date", "end_date", "reason_ceased", *prov)
    ep = frame("looked_after_episodes", episodes, [
        "period_start", "start_date", "reason_new_episode", "legal_status", "cin_category", "placement_start",
        "placement_type", "placement_provider", "end_date", "reason_ceased", "placement_postcode", "urn"])
    ep = period_of(ep).with_columns(natural_id("PL", "child_id", "placement_start").alias("placement_id"))
    out["looked_after_episodes"] = with_id(ep, "episode_id", "E", "start_date").select(
        "episode_id", "child_id", "period_id", "start_date", "reason_new_episode", "legal_status", "cin_category",
        "placement_id", "placement_type", "placement_provider", "end_date", "reason_ceased", "placement_postcode",
        "urn", *prov)
    pl_f = period_of(frame("placements", placements, ["period_start", "start_date", "end_date", "placement_type",
                                                      "provider", "postcode", "urn", "inside_la"]))
    out["placements"] = with_id(pl_f, "placement_id", "PL", "start_date").select(
        "placement_id", "child_id", "period_id", "start_date", "end_date", "placement_type", "provider", "postcode",
        "urn", "inside_la", *prov)
    lg = period_of(frame("legal_statuses", legal, ["period_start", "legal_status", "start_date", "end_date"]))
    out["legal_statuses"] = with_id(lg, "legal_status_id", "LS", "start_date").select(
        "legal_status_id", "child_id", "period_id", "legal_status", "start_date", "end_date", *prov)
    rv = period_of(frame("looked_after_reviews", reviews, ["period_start", "review_date"]))
    out["looked_after_reviews"] = with_id(rv, "review_id", "RV", "review_date").select(
        "review_id", "child_id", "period_id", "review_date", *prov)
    vs = period_of(frame("looked_after_visits", visits, ["period_start", "visit_date"]))
    out["looked_after_visits"] = with_id(vs, "visit_id", "VS", "visit_date").select(
        "visit_id", "child_id", "period_id", "visit_date", *prov)
    hc = frame("health_checks", checks, ["kind", "check_type", "check_date"])
    hc = hc.with_columns(pl.concat_str([pl.col("child_id"), pl.lit("/"), pl.col("kind"),
                                        pl.col("check_date").dt.strftime("%Y-%m-%d")]).alias("health_check_id"))
    out["health_checks"] = hc.select("health_check_id", "child_id", "check_type", "check_date", *prov)

    pm_rows = rec["permanence"]
    pm = frame("permanence", pm_rows, [
        "entered", "adoption_decision_date", "placement_order_date", "matched_date", "placed_for_adoption_date",
        "decision_reversed_date", "decision_reversed_reason", "order_type", "order_date"], {"entered": pl.Date})
    pm = pm.with_columns(natural_id("P", "child_id", "entered").alias("period_id")).drop("entered")
    out["permanence"] = with_id(pm, "permanence_id", "AD", "adoption_decision_date").select(
        "permanence_id", "child_id", "period_id", "adoption_decision_date", "placement_order_date", "matched_date",
        "placed_for_adoption_date", "decision_reversed_date", "decision_reversed_reason", "order_type",
        "order_date", *prov)
    return out


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _care_leavers(ctx: Reading, rec: dict, people: dict[str, Person], prov: list[str]) -> pl.DataFrame:
    rows = []
    for r in rec["care_leavers"]:
        p = people[r["child_id"]]
        dob = next(iter(p.dob), None)
        on = r["contact_date"] or ctx.period_end
        age = _age(dob, on) if (dob and on) else p.age
        if age is None or not 17 <= age <= 21:
            ctx.notes["List 9: care leaver whose age at the latest contact (or the period end) is not 17–21, or "
                      "not known; no birthday contact row stored"] += 1
            continue
        rows.append({**r, "birthday_age": age})
    cols = ["child_id", "birthday_age", "contact_date", "in_touch", "activity", "accommodation", "eligibility"]
    frame = store_frame("care_leaver_contacts", rows, cols)
    return frame.unique(["child_id", "birthday_age"], keep="first", maintain_order=True)

