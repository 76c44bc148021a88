"""Each Annex A list's rows as records: one reader per list, checking each row's values and dates.

A list's reader (:data:`LIST_READERS`) takes one row at a time: it notes the child
(:func:`~carelens.ingest.annex_a.people.note_person`), reads its cells
(:func:`~carelens.ingest.annex_a.cells.cell_value`), checks its dates are in order, and keeps
the row as a record (a dict) of the kind it is, when it has what the store needs. The records
are linked and turned into store frames by :mod:`carelens.ingest.annex_a.linking`.
"""

from __future__ import annotations

from carelens.ingest.annex_a.cells import Reading, as_bool, cell_value, check_order, source_of, year_of
from carelens.ingest.annex_a.people import Person, note_person
from carelens.ingest.annex_a.workbook import ListRows
from carelens.ingest.coded_text import SKIP_ROW, clamp_year
from carelens.model import code_lists


def _base(ctx: Reading, lst: ListRows, row: int, child: str) -> dict:
    """A record's child and provenance."""
    return {"child_id": child, "la_code": ctx.la_code, "source_file": source_of(ctx, lst), "source_year": None,
            "source_row": row}


def _read_contacts(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                   rec: dict[str, list[dict]]) -> None:
    """List 1 (contacts): a contact per row."""
    d = cell_value(ctx, lst, row, values, "contact_date")
    y = year_of(d, ctx)
    child = note_person(ctx, lst, row, values, people, y)
    source = cell_value(ctx, lst, row, values, "source", y)
    if child and d and source:
        rec["contacts"].append({**_base(ctx, lst, row, child), "contact_date": d, "source": source})


def _read_early_help(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                     rec: dict[str, list[dict]]) -> None:
    """List 2 (early help): an early help episode per row."""
    d = cell_value(ctx, lst, row, values, "start")
    child = note_person(ctx, lst, row, values, people, year_of(d, ctx))
    done = cell_value(ctx, lst, row, values, "completed")
    check_order(ctx, lst, row, "start", d, "completed", done)
    if child and d:
        rec["early_help"].append({**_base(ctx, lst, row, child), "start_date": d,
                                  "team_id": cell_value(ctx, lst, row, values, "organisation")})


def _read_referrals(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                    rec: dict[str, list[dict]]) -> None:
    """List 3 (referrals): a referral per row."""
    d = cell_value(ctx, lst, row, values, "referral_date")
    y = year_of(d, ctx)
    child = note_person(ctx, lst, row, values, people, y)
    source = cell_value(ctx, lst, row, values, "source", y)
    nfa = cell_value(ctx, lst, row, values, "nfa")
    if child and d and source and nfa:
        rec["referrals3"].append({**_base(ctx, lst, row, child), "referral_date": d, "source": source,
                                  "referral_nfa": nfa == "Y",
                                  "team_id": cell_value(ctx, lst, row, values, "team"),
                                  "worker_id": cell_value(ctx, lst, row, values, "worker")})


def _read_assessments(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                      rec: dict[str, list[dict]]) -> None:
    """List 4 (assessments): a children and families assessment per row."""
    d = cell_value(ctx, lst, row, values, "start")
    child = note_person(ctx, lst, row, values, people, year_of(d, ctx))
    auth = cell_value(ctx, lst, row, values, "authorised")
    ok = check_order(ctx, lst, row, "start", d, "authorised", auth)
    support = cell_value(ctx, lst, row, values, "support")
    if child and d and ok:
        rec["assessments"].append({
            **_base(ctx, lst, row, child), "start_date": d, "authorised_date": auth,
            "child_seen": as_bool(cell_value(ctx, lst, row, values, "seen")),
            "outcome_nfa": None if support is None else support == "N",
            "team_id": cell_value(ctx, lst, row, values, "team"),
            "worker_id": cell_value(ctx, lst, row, values, "worker")})


def _read_section_47_enquiries(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                               rec: dict[str, list[dict]]) -> None:
    """List 5 (section 47 enquiries): an enquiry per row, and its initial child protection conference when held."""
    d = cell_value(ctx, lst, row, values, "start")
    child = note_person(ctx, lst, row, values, people, year_of(d, ctx))
    icpc = cell_value(ctx, lst, row, values, "icpc_date")
    ok = check_order(ctx, lst, row, "start", d, "icpc_date", icpc)
    unnecessary = cell_value(ctx, lst, row, values, "icpc_unnecessary")
    plan = cell_value(ctx, lst, row, values, "icpc_plan")
    if child and d and ok:
        outcome = "ICPC" if (icpc is not None or unnecessary == "N") else None
        base = _base(ctx, lst, row, child)
        team, worker = cell_value(ctx, lst, row, values, "team"), cell_value(ctx, lst, row, values, "worker")
        rec["s47"].append({**base, "start_date": d, "outcome": outcome,
                           "icpc_not_required": None if unnecessary is None else unnecessary == "Y",
                           "team_id": team, "worker_id": worker})
        if icpc is not None:
            rec["icpc"].append({**base, "s47_start": d, "conference_date": icpc, "transfer_in": False,
                                "outcome_cp_plan": as_bool(plan), "team_id": team, "worker_id": worker})


def _read_children_in_need(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                           rec: dict[str, list[dict]]) -> None:
    """List 6 (children in need): a child-in-need episode per row, stored as the referral it started with."""
    d = cell_value(ctx, lst, row, values, "start")
    y = year_of(d, ctx)
    child = note_person(ctx, lst, row, values, people, y)
    need = cell_value(ctx, lst, row, values, "need", y)
    closed = cell_value(ctx, lst, row, values, "closure_date")
    ok = check_order(ctx, lst, row, "start", d, "closure_date", closed)
    reason = cell_value(ctx, lst, row, values, "closure_reason", year_of(closed or d, ctx))
    if child and d is None:
        ctx.notes["List 6: row without a CIN Start Date (no referral can be stored for it)"] += 1
    if child and d and ok:
        rec["referrals6"].append({**_base(ctx, lst, row, child), "referral_date": d, "primary_need": need,
                                  "closure_date": closed, "closure_reason": reason,
                                  "team_id": cell_value(ctx, lst, row, values, "team"),
                                  "worker_id": cell_value(ctx, lst, row, values, "worker")})


def _read_child_protection_plans(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                                 rec: dict[str, list[dict]]) -> None:
    """List 7 (child protection plans): a plan per row, with its latest review and visit."""
    d = cell_value(ctx, lst, row, values, "start")
    y = year_of(d, ctx)
    child = note_person(ctx, lst, row, values, people, y)
    initial = cell_value(ctx, lst, row, values, "initial", y)
    latest = cell_value(ctx, lst, row, values, "latest", y)
    end = cell_value(ctx, lst, row, values, "end")
    visit = cell_value(ctx, lst, row, values, "visit")
    review = cell_value(ctx, lst, row, values, "review")
    ok = check_order(ctx, lst, row, "start", d, "end", end)
    ok = check_order(ctx, lst, row, "start", d, "visit", visit) and ok
    ok = check_order(ctx, lst, row, "start", d, "review", review) and ok
    seen_alone = as_bool(cell_value(ctx, lst, row, values, "seen_alone"))
    if child and d and initial and latest and ok:
        base = _base(ctx, lst, row, child)
        rec["cp_plans"].append({**base, "start_date": d, "end_date": end, "initial_category": initial,
                                "latest_category": latest, "team_id": cell_value(ctx, lst, row, values, "team"),
                                "worker_id": cell_value(ctx, lst, row, values, "worker")})
        if review is not None:
            rec["cp_reviews"].append({**base, "plan_start": d, "review_date": review})
        if visit is not None:
            rec["cp_visits"].append({**base, "plan_start": d, "visit_date": visit,
                                     "child_seen": True if seen_alone else None,
                                     "child_seen_alone": seen_alone})


def _read_looked_after_episodes(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                                rec: dict[str, list[dict]]) -> None:
    """List 8 (children looked after): a period of care's episode per row."""
    start = cell_value(ctx, lst, row, values, "start")
    child = note_person(ctx, lst, row, values, people, year_of(start, ctx))
    legal_start = cell_value(ctx, lst, row, values, "legal_start")
    placement_start = cell_value(ctx, lst, row, values, "placement_start")
    episode_start = max((d for d in (start, legal_start, placement_start) if d), default=None)
    y = year_of(episode_start, ctx)
    need = cell_value(ctx, lst, row, values, "need", year_of(start, ctx))
    legal = cell_value(ctx, lst, row, values, "legal_status", year_of(legal_start, ctx))
    ptype = cell_value(ctx, lst, row, values, "placement_type", year_of(placement_start, ctx))
    provider = cell_value(ctx, lst, row, values, "provider", year_of(placement_start, ctx))
    ceased = cell_value(ctx, lst, row, values, "ceased")
    reason = cell_value(ctx, lst, row, values, "reason_ceased", year_of(ceased, ctx))
    ok = True
    for key, d in (("legal_start", legal_start), ("placement_start", placement_start)):
        ok = check_order(ctx, lst, row, key, d, "ceased", ceased) and ok
    ok = check_order(ctx, lst, row, "start", start, "ceased", ceased) and ok
    dates = {k: cell_value(ctx, lst, row, values, k) for k in ("review", "visit", "health", "dental")}
    for k, d in dates.items():
        ok = check_order(ctx, lst, row, "start", start, k, d) and ok
    if child and start and legal_start and placement_start and need and legal and ptype and ok:
        rec["l8"].append({
            **_base(ctx, lst, row, child), "start": start, "legal_start": legal_start,
            "placement_start": placement_start, "episode_start": episode_start, "need": need, "legal": legal,
            "ptype": ptype, "provider": provider, "ceased": ceased, "reason": reason,
            "postcode": cell_value(ctx, lst, row, values, "postcode"), "urn": cell_value(ctx, lst, row, values, "urn"),
            "inside": as_bool(cell_value(ctx, lst, row, values, "location")), "year": y, **dates})


def _read_care_leavers(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                       rec: dict[str, list[dict]]) -> None:
    """List 9 (care leavers): a care leaver's contact per row."""
    contact = cell_value(ctx, lst, row, values, "contact")
    y = year_of(contact, ctx)
    child = note_person(ctx, lst, row, values, people, y)
    touch = cell_value(ctx, lst, row, values, "in_touch", y)
    eligibility = cell_value(ctx, lst, row, values, "eligibility", y)
    letter = cell_value(ctx, lst, row, values, "accommodation")
    suitable = cell_value(ctx, lst, row, values, "suitability")
    activity = cell_value(ctx, lst, row, values, "activity", y)
    accommodation = None
    if letter and letter != SKIP_ROW:
        if len(letter) == 2:
            accommodation = letter
        elif suitable:
            accommodation = f"{letter}{suitable}"
        else:
            ctx.notes["List 9: accommodation type without a suitability; accommodation left empty"] += 1
        if accommodation and not code_lists.is_valid("care_leaver_accommodation", accommodation,
                                                     clamp_year(y)):
            ctx.log.add(f"sheet {lst.sheet} row {row}", "Type of Accommodation", values.get("accommodation"),
                        "an accommodation type (B, C, D, E, G, H, K, R, S, T, U, V, W, X, Y, Z) or an "
                        "SSDA903 ACCOM code")
            accommodation = None
    if touch == SKIP_ROW:
        ctx.notes["List 9: care leaver whose contact is not recorded or excluded (no contact row stored)"] += 1
    elif child and touch:
        rec["care_leavers"].append({**_base(ctx, lst, row, child), "contact_date": contact, "in_touch": touch,
                                    "activity": activity, "accommodation": accommodation,
                                    "eligibility": eligibility})


def _read_adoptions(ctx: Reading, lst: ListRows, row: int, values: dict, people: dict[str, Person],
                    rec: dict[str, list[dict]]) -> None:
    """List 10 (adoption): a child's adoption decision and its steps per row."""
    entered = cell_value(ctx, lst, row, values, "entered")
    child = note_person(ctx, lst, row, values, people, year_of(entered, ctx))
    decision = cell_value(ctx, lst, row, values, "decision")
    dates = {k: cell_value(ctx, lst, row, values, k)
             for k in ("placement_order", "matched", "placed", "adoption_order", "reversed")}
    reversed_reason = cell_value(ctx, lst, row, values, "reversed_reason", year_of(dates["reversed"], ctx))
    ok = check_order(ctx, lst, row, "entered", entered, "decision", decision)
    for k in ("matched", "placed", "adoption_order", "reversed"):
        ok = check_order(ctx, lst, row, "decision", decision, k, dates[k]) and ok
    if child and entered and decision and ok:
        base = _base(ctx, lst, row, child)
        rec["periods10"].append({**base, "start_date": entered})
        rec["permanence"].append({
            **base, "entered": entered, "adoption_decision_date": decision,
            "placement_order_date": dates["placement_order"], "matched_date": dates["matched"],
            "placed_for_adoption_date": dates["placed"], "decision_reversed_date": dates["reversed"],
            "decision_reversed_reason": reversed_reason,
            "order_type": "ADOPTION" if dates["adoption_order"] else None, "order_date": dates["adoption_order"]})


LIST_READERS = (
    (_read_contacts, 1),
    (_read_early_help, 2),
    (_read_referrals, 3),
    (_read_assessments, 4),
    (_read_section_47_enquiries, 5),
    (_read_children_in_need, 6),
    (_read_child_protection_plans, 7),
    (_read_looked_after_episodes, 8),
    (_read_care_leavers, 9),
    (_read_adoptions, 10),
)
"""The reader of each Annex A list's rows into records, in list order: the people noted from the rows
(:func:`note_person`) and the order of the problems found depend on it."""


def read_records(ctx: Reading, lists: dict[int, ListRows], people: dict[str, Person]) -> dict[str, list[dict]]:
    """Every list's rows as records (record kind → dicts), the people noted in ``people``."""
    rec: dict[str, list[dict]] = {k: [] for k in (
        "contacts", "early_help", "referrals3", "referrals6", "assessments", "s47", "icpc", "cp_plans",
        "cp_reviews", "cp_visits", "l8", "care_leavers", "permanence", "periods10")}

    def rows_of(number: int):
        lst = lists.get(number)
        if lst is None:
            return
        for row, values in lst.rows:
            yield lst, row, values

    for read, number in LIST_READERS:
        for lst, row, values in rows_of(number):
            read(ctx, lst, row, values, people, rec)
    return rec

