"""Stitching returns into one continuous history per child.

Each yearly return is the authority's statement of everything in its scope during
that year. Merging an :class:`~carelens.ingest.extract.Extract` for collection
year *Y* therefore:

1. replaces the stored rows that the return is authoritative for: rows with the
   same identity (identities are built from the child and the start date, see
   :mod:`carelens.ingest.identity`), and rows from year *Y* or earlier that fall in
   the return's period but that the return no longer reports (a newer year
   corrects an older one, including deletions);
2. never lets an older return overwrite a row that a newer one supplied, whatever
   order files are loaded in;
3. merges people field by field (a later return's non-empty value wins);
4. re-derives periods of care, placements and legal statuses from the stitched
   903 episodes of every child the return touched, so an episode that was open
   in one year's return and closed in the next becomes one continuous period;
5. records the children a return was loaded without (``ingest --hold-back``) in
   ``held_back_children``, replacing what an earlier load of the same return
   recorded, and leaves their stored rows exactly as they were: a held-back child's
   rows are neither replaced nor removed as "no longer reported" (decision 010).

Loading the same file twice changes nothing. All extracts in one call are merged
in one transaction: a failure leaves the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from carelens.ingest.extract import Extract
from carelens.model.store import Store, conform
from carelens.model.tables import TABLES_BY_NAME

# SQL deciding whether a stored row lies in a return's period ($start .. $end)
_OVERLAP = "{start} <= $end AND ({end} IS NULL OR {end} >= $start)"
_DURING = "{date} BETWEEN $start AND $end"
IN_PERIOD = {
    "referrals": _OVERLAP.format(start="referral_date", end="closure_date"),
    "assessments": _OVERLAP.format(start="start_date", end="authorised_date"),
    # the census gives no end date for an enquiry: it is the return's if it started in the year
    "s47_enquiries": _DURING.format(date="start_date"),
    "initial_cp_conferences": _DURING.format(date="conference_date"),
    "cp_plans": _OVERLAP.format(start="start_date", end="end_date"),
    "cp_reviews": _DURING.format(date="review_date"),
    "cin_plans": _OVERLAP.format(start="start_date", end="end_date"),
    "looked_after_episodes": _OVERLAP.format(start="start_date", end="end_date"),
    "looked_after_reviews": _DURING.format(date="review_date"),
    "missing_episodes": _OVERLAP.format(start="start_date", end="end_date"),
    "annual_outcomes": "year_ending = $end",
    "allocations": _OVERLAP.format(start="start_date", end="end_date"),
    "contacts": _DURING.format(date="contact_date"),
    "early_help_episodes": _OVERLAP.format(start="start_date", end="end_date"),
}
# returns that speak only for the children they list (the 903 social worker module covers children
# looked after on 31 March): a row is stale only if its child is in the incoming rows
COVERS_LISTED_CHILDREN = {"allocations"}
# rows that only exist under a parent row: removed when their parent is
DEPENDENTS = {
    "assessment_factors": ("assessment_id", "assessments"),
    "cp_reviews": ("cp_plan_id", "cp_plans"),
    "cp_visits": ("cp_plan_id", "cp_plans"),
    "cin_visits": ("cin_plan_id", "cin_plans"),
}
# records that belong to a period of care, and the date that places them in one: the first period
# that had not ended by then (returns may show only the later part of a period that began earlier)
IN_A_PERIOD = {
    "looked_after_reviews": "review_date",
    "looked_after_visits": "visit_date",
    "missing_episodes": "start_date",
    "permanence": "coalesce(adoption_decision_date, order_date, placement_order_date)",
}
# derived from 903 episodes after stitching, never merged directly
DERIVED_FROM_EPISODES = ("periods_of_care", "placements", "legal_statuses")
# merged field by field rather than replaced
PEOPLE = ("person",)
# a return is authoritative for these facts about the children it lists
PER_CHILD = {"disabilities": "cin_census"}


@dataclass
class MergeSummary:
    extracts: int
    rows_in: int
    children: int
    tables: dict[str, int]  # rows in the store afterwards, per table touched


def merge_extracts(store: Store, extracts: Iterable[Extract], held_at: str | None = None) -> MergeSummary:
    """Merge extracts into the store in one transaction, oldest collection year first.

    A list is put in order here; an iterator (e.g. one reading files one at a time, to keep
    memory small) must already yield them oldest first. ``held_at`` (an ISO 8601 UTC time,
    default now) is when the children held back from these extracts are recorded as held back.
    """
    held_at = held_at or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    ordered = sorted(extracts, key=order_of_merging) if isinstance(extracts, Sequence) else extracts
    touched: set[str] = set()
    children: set[str] = set()
    merged = rows_in = 0
    with store.transaction() as con:
        for extract in ordered:
            merged += 1
            rows_in += extract.rows()
            year = extract.collection_year or 0
            con.execute("CREATE OR REPLACE TEMP TABLE _held AS SELECT unnest($1::VARCHAR[]) AS child_id",
                        [[h.child_id for h in extract.held_back]])
            if _record_held_back(con, extract, held_at):
                touched.add("held_back_children")
            for name, frame in extract.frames.items():
                if name in DERIVED_FROM_EPISODES or not len(frame):
                    continue
                frame = _complete(name, frame, extract)
                touched.add(name)
                if name in PEOPLE:
                    _merge_people(con, frame, year)
                elif name in PER_CHILD:
                    _replace_for_children(con, name, frame, year)
                else:
                    _merge_table(con, name, frame, extract, year)
            person = extract.frames.get("person")
            if person is not None:
                children |= set(person["child_id"].to_list())
            episodes = extract.frames.get("looked_after_episodes")
            if episodes is not None and len(episodes):
                _rederive_care(con, extract.la_code, episodes["child_id"].unique().to_list())
                touched |= set(DERIVED_FROM_EPISODES)
        con.execute("DROP TABLE IF EXISTS _held")
        for child_table, (key, parent) in DEPENDENTS.items():
            con.execute(f'DELETE FROM "{child_table}" c WHERE NOT EXISTS '
                        f'(SELECT 1 FROM "{parent}" p WHERE p.{key} = c.{key})')
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in sorted(touched)}
    return MergeSummary(extracts=merged, rows_in=rows_in, children=len(children), tables=counts)


def order_of_merging(extract: Extract) -> tuple:
    """Older returns first, so a newer one always has the last word."""
    return (extract.collection_year or 0, extract.kind)


def _complete(name: str, frame: pl.DataFrame, extract: Extract) -> pl.DataFrame:
    """The frame with every store column, its authority and its provenance year filled in."""
    extra = {}
    if "la_code" not in frame.columns:
        extra["la_code"] = pl.lit(extract.la_code)
    if "source_year" not in frame.columns and extract.collection_year:
        extra["source_year"] = pl.lit(extract.collection_year, pl.Int32)
    return conform(name, frame.with_columns(**extra) if extra else frame)


def _key(name: str) -> list[str]:
    return list(TABLES_BY_NAME[name].primary_key)


def _merge_table(con, name: str, frame: pl.DataFrame, extract: Extract, year: int) -> None:
    def same_key(a: str, b: str) -> str:
        return " AND ".join(f"{a}.{k} = {b}.{k}" for k in _key(name))

    params = {"year": year, "la": extract.la_code}
    con.register("_incoming", frame.to_arrow())
    try:
        # an older return never overwrites what a newer one said
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _kept AS SELECT * FROM _incoming i
                        WHERE NOT EXISTS (SELECT 1 FROM "{name}" s WHERE {same_key('s', 'i')}
                                          AND coalesce(s.source_year, 0) > $year)""", {"year": year})
        # rows the return no longer reports, from its own year or earlier, are gone
        period = IN_PERIOD.get(name)
        if period and extract.period_start and extract.period_end:
            stale = f"({period})"
            if name in COVERS_LISTED_CHILDREN:
                # an allocation from an earlier return that this one no longer lists ended before the
                # period; the return cannot say when, so it is closed on the last day it can have lasted
                con.execute(f"""UPDATE "{name}" SET end_date = $start - INTERVAL 1 DAY
                                WHERE la_code = $la AND coalesce(source_year, 0) < $year
                                  AND child_id IN (SELECT child_id FROM _incoming)
                                  AND start_date < $start AND (end_date IS NULL OR end_date >= $start)
                                  AND NOT EXISTS (SELECT 1 FROM _kept k WHERE {same_key('k', f'"{name}"')})""",
                            {"year": year, "la": extract.la_code, "start": extract.period_start})
                stale += " AND child_id IN (SELECT child_id FROM _incoming)"
            # DuckDB refuses parameters a statement does not use
            params |= {k: v for k, v in (("start", extract.period_start), ("end", extract.period_end))
                       if f"${k}" in period}
        elif extract.collection_year:
            stale = "source_year = $year"
        else:
            # an extract with no collection year (Annex A, SSD) replaces what the same file gave before
            stale = "source_file IN (SELECT DISTINCT source_file FROM _incoming)"
        if extract.held_back:
            # the return was loaded without these children: it says nothing about them, so nothing of theirs is
            # stale; rows of no child (workers) that it no longer lists may still be a held-back child's, and stay
            stale = (f"({stale}) AND child_id NOT IN (SELECT child_id FROM _held)"
                     if "child_id" in TABLES_BY_NAME[name].column_names else "FALSE")
        delete = f"""DELETE FROM "{name}" WHERE la_code = $la AND coalesce(source_year, 0) <= $year
                     AND (EXISTS (SELECT 1 FROM _kept k WHERE {same_key('k', f'"{name}"')}) OR {stale})"""
        con.execute(delete, {k: v for k, v in params.items() if f"${k}" in delete})
        con.execute(f'INSERT INTO "{name}" SELECT * FROM _kept')
        con.execute("DROP TABLE _kept")
    finally:
        con.unregister("_incoming")


def _record_held_back(con, extract: Extract, held_at: str) -> bool:
    """The return's record of held-back children replaced by this load's: a child loaded in full this time is
    no longer held back. Whether the table changed."""
    if extract.collection_year is None and not extract.held_back:
        return False  # (an extract that is not a yearly return is never loaded with children held back)
    same_return = {"la": extract.la_code, "kind": extract.kind, "year": extract.collection_year}
    before = con.execute("""SELECT count(*) FROM held_back_children WHERE la_code = $la AND source_kind = $kind
                            AND source_year IS NOT DISTINCT FROM $year""", same_return).fetchone()[0]
    con.execute("""DELETE FROM held_back_children WHERE la_code = $la AND source_kind = $kind
                   AND source_year IS NOT DISTINCT FROM $year""", same_return)
    if not extract.held_back:
        return bool(before)
    first = [h.problems[0] if h.problems else None for h in extract.held_back]
    rows = pl.DataFrame({
        "la_code": extract.la_code, "child_id": [h.child_id for h in extract.held_back],
        "source_kind": extract.kind, "problem_count": [h.problem_count for h in extract.held_back],
        "first_problem": [str(p) if p else "(beyond the problems listed for the file)" for p in first],
        "held_at": held_at,
        "source_file": [p.file if p else (extract.files[0] if extract.files else "") for p in first],
        "source_year": extract.collection_year,
        "source_row": [_line_number(p.location) if p else None for p in first]})
    con.register("_held_rows", conform("held_back_children", rows).to_arrow())
    try:
        con.execute("INSERT INTO held_back_children SELECT * FROM _held_rows")
    finally:
        con.unregister("_held_rows")
    return True


def _line_number(location: str) -> int | None:
    """12 from "row 12" or "line 12"."""
    last = location.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else None


def _replace_for_children(con, name: str, frame: pl.DataFrame, year: int) -> None:
    con.register("_incoming", frame.to_arrow())
    try:
        con.execute(f"""DELETE FROM "{name}" WHERE child_id IN (SELECT child_id FROM _incoming)
                        AND coalesce(source_year, 0) <= $year""", {"year": year})
        con.execute(f"""INSERT INTO "{name}" SELECT * FROM _incoming i WHERE NOT EXISTS
                        (SELECT 1 FROM "{name}" s WHERE s.child_id = i.child_id)""")
    finally:
        con.unregister("_incoming")


def _merge_people(con, frame: pl.DataFrame, year: int) -> None:
    """Field by field: a value from a newer (or the same) year replaces an older one; gaps are filled."""
    columns = TABLES_BY_NAME["person"].column_names
    con.register("_incoming", frame.unique("child_id", keep="last").to_arrow())
    try:
        def pick(c):
            if c in ("child_id",):
                return "i.child_id"
            if c == "uasc":
                # a return lists only the year's unaccompanied asylum-seeking children: once said, it stays
                return "coalesce(i.uasc, FALSE) OR coalesce(s.uasc, FALSE) AS uasc"
            newer = "coalesce(i.source_year, 0) >= coalesce(s.source_year, 0)"
            return (f"CASE WHEN s.child_id IS NULL THEN i.{c} WHEN {newer} THEN coalesce(i.{c}, s.{c}) "
                    f"ELSE coalesce(s.{c}, i.{c}) END AS {c}")
        merged = ", ".join(pick(c) for c in columns)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _people AS SELECT {merged}
                        FROM _incoming i LEFT JOIN person s USING (child_id)""")
        con.execute("DELETE FROM person WHERE child_id IN (SELECT child_id FROM _people)")
        con.execute(f"INSERT INTO person SELECT {', '.join(columns)} FROM _people")
        con.execute("DROP TABLE _people")
    finally:
        con.unregister("_incoming")


def _rederive_care(con, la_code: str, child_ids: list[str]) -> None:
    """Periods of care, placements and legal statuses again from each child's stitched episodes."""
    from carelens.ingest.looked_after_history import derive_from_episodes

    con.execute("CREATE OR REPLACE TEMP TABLE _children AS SELECT unnest($1::VARCHAR[]) AS child_id", [child_ids])
    episodes = pl.from_arrow(con.sql("""SELECT * FROM looked_after_episodes
                                        WHERE child_id IN (SELECT child_id FROM _children)
                                        ORDER BY child_id, start_date""").to_arrow_table())
    derived = derive_from_episodes(conform("looked_after_episodes", episodes))
    for name in (*DERIVED_FROM_EPISODES, "looked_after_episodes"):
        if name not in derived:
            continue
        con.execute(f'DELETE FROM "{name}" WHERE child_id IN (SELECT child_id FROM _children)')
        con.register("_derived", conform(name, derived[name]).to_arrow())
        con.execute(f'INSERT INTO "{name}" SELECT * FROM _derived')
        con.unregister("_derived")
    # a period's identity is its start: once years are stitched, a period seen in a later return (which
    # began before that return's earliest episode) is the earlier, longer one
    for name, date in IN_A_PERIOD.items():
        con.execute(f"""UPDATE "{name}" SET period_id = coalesce((
                            SELECT p.period_id FROM periods_of_care p
                            WHERE p.child_id = "{name}".child_id AND (p.end_date IS NULL OR p.end_date >= {date})
                            ORDER BY p.start_date LIMIT 1), period_id)
                        WHERE child_id IN (SELECT child_id FROM _children)""")
    con.execute("DROP TABLE _children")

