"""One child's journey: every event the store holds for the child, in date order on one timeline.

A child's record is spread over two dozen tables (contacts, referrals, plans, episodes, placements …). To
read it as a practitioner or an auditor does — what happened, when, and what followed — each dated column
of each table becomes an *event*: the date, a readable name ("Child protection plan started"), the details
that matter with their codes said in words, and where the row came from (its file, collection year and row),
so that anything surprising can be traced back to the return or extract it was loaded from.

The events are declared below, a line each (:data:`EVENTS`): adding a table to the timeline is adding its
lines. Rows without a date of their own (disabilities, assessment factors) are not events; the summary
(:func:`child_summary`) gives the disabilities.

:func:`open_scope` says which teams, and so which service areas, a child is open to on a day — what a
manager's access to a child's record is decided by (the web app's ``children/scope.py``).

Everything here reads the store's tables through :class:`~carelens.model.store.Store`: no web framework.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis
import polars as pl

from carelens.model import code_lists
from carelens.model.store import Store
from carelens.model.tables import PROVENANCE_COLUMNS, table


@dataclass(frozen=True)
class On:
    """One kind of event: the rows of ``table`` with a date in ``date``, named ``event``, with ``details``
    (columns) said after it. A boolean column is said as yes/no, a coded one in words from its code list,
    ``team_id`` by the team's name."""

    table: str
    date: str
    event: str
    details: tuple[str, ...] = ()


# In the order a journey usually runs, so that events on the same day read in that order (a contact before
# the referral it became, a conference before the plan it made).
EVENTS: tuple[On, ...] = (
    On("person", "date_of_birth", "Born", ("sex",)),
    On("early_help_episodes", "start_date", "Early help episode started", ("reason", "team_id")),
    On("early_help_episodes", "end_date", "Early help episode ended", ("end_reason",)),
    On("contacts", "contact_date", "Contact", ("source", "outcome")),
    On("referrals", "referral_date", "Referral", ("source", "primary_need", "referral_nfa", "team_id")),
    On("allocations", "start_date", "Worker allocated", ("worker_id", "team_id", "start_reason")),
    On("assessments", "start_date", "Assessment started", ("team_id", "worker_id")),
    On("strategy_discussions", "discussion_date", "Strategy discussion", ("outcome_s47", "team_id")),
    On("s47_enquiries", "start_date", "Section 47 enquiry started", ("team_id",)),
    On("s47_enquiries", "end_date", "Section 47 enquiry concluded", ("outcome", "icpc_not_required")),
    On("assessments", "authorised_date", "Assessment authorised", ("child_seen", "outcome_nfa")),
    On("initial_cp_conferences", "conference_date", "Initial child protection conference",
       ("transfer_in", "outcome_cp_plan", "team_id")),
    On("cp_plans", "start_date", "Child protection plan started", ("initial_category", "team_id")),
    On("cp_reviews", "review_date", "Child protection review", ("plan_continues",)),
    On("cp_visits", "visit_date", "Child protection visit", ("child_seen", "child_seen_alone")),
    On("cin_plans", "start_date", "Child in need plan started", ("team_id",)),
    On("cin_visits", "visit_date", "Child in need visit", ("child_seen", "child_seen_alone")),
    On("periods_of_care", "start_date", "Started to be looked after", ()),
    On("looked_after_episodes", "start_date", "Looked-after episode started",
       ("reason_new_episode", "legal_status", "placement_type")),
    On("legal_statuses", "start_date", "Legal status began", ("legal_status",)),
    On("placements", "start_date", "Placement started", ("placement_type", "provider", "distance_miles")),
    On("looked_after_reviews", "review_date", "Looked-after review", ("participation",)),
    On("looked_after_visits", "visit_date", "Looked-after visit", ("child_seen", "child_seen_alone")),
    On("health_checks", "check_date", "Health check", ("check_type",)),
    On("missing_episodes", "start_date", "Missing episode started", ("missing_type",)),
    On("missing_episodes", "end_date", "Missing episode ended",
       ("return_interview_offered", "return_interview_accepted")),
    On("permanence", "adoption_decision_date", "Decision that the child should be placed for adoption", ()),
    On("permanence", "placement_order_date", "Placement order made", ()),
    On("permanence", "matched_date", "Matched with prospective adopters", ()),
    On("permanence", "placed_for_adoption_date", "Placed for adoption", ()),
    On("permanence", "decision_reversed_date", "Adoption decision reversed", ("decision_reversed_reason",)),
    On("permanence", "order_date", "Permanence order made", ("order_type", "adopted_by_foster_carer")),
    On("previous_permanence", "order_date", "Previous permanence order", ("option", "order_la")),
    On("annual_outcomes", "year_ending", "Annual outcomes recorded", ("sdq_score", "convicted")),
    On("placements", "end_date", "Placement ended", ("change_reason",)),
    On("legal_statuses", "end_date", "Legal status ended", ("legal_status",)),
    On("looked_after_episodes", "end_date", "Looked-after episode ended", ("reason_ceased",)),
    On("periods_of_care", "end_date", "Ceased to be looked after", ("reason_ceased",)),
    On("cin_plans", "end_date", "Child in need plan ended", ()),
    On("cp_plans", "end_date", "Child protection plan ended", ("latest_category", "end_reason")),
    On("allocations", "end_date", "Allocation ended", ("worker_id", "change_reason")),
    On("referrals", "closure_date", "Child in need episode closed", ("closure_reason",)),
    On("care_leaver_contacts", "contact_date", "Care leaver contact",
       ("birthday_age", "in_touch", "activity", "accommodation", "eligibility")),
    On("person", "uasc_ceased_date", "Ceased to be an unaccompanied asylum-seeking child", ()),
    On("person", "date_of_death", "Died", ()),
)

JOURNEY_SCHEMA = {"date": pl.Date, "event": pl.String, "detail": pl.String, "table": pl.String,
                  "source_file": pl.String, "source_year": pl.Int32, "source_row": pl.Int64}

# The tables whose rows hold a child open to a team, each with the days it is open (end empty: still open).
# A one-day event (a strategy discussion, a conference) holds the child open to its team on that day.
OPEN_TO_TEAM: tuple[tuple[str, str, str | None], ...] = (
    ("early_help_episodes", "start_date", "end_date"),
    ("referrals", "referral_date", "closure_date"),
    ("assessments", "start_date", "authorised_date"),
    ("strategy_discussions", "discussion_date", None),
    ("s47_enquiries", "start_date", "end_date"),
    ("initial_cp_conferences", "conference_date", None),
    ("cp_plans", "start_date", "end_date"),
    ("cin_plans", "start_date", "end_date"),
    ("allocations", "start_date", "end_date"),
)


def _child_rows(store: Store, name: str, la_code: str, person_id: str) -> pl.DataFrame:
    t = store.table(name)
    return t.filter((t.la_code == la_code) & (t.child_id == person_id)).to_polars()


def _said(value, column: str, list_name: str | None, year: int | None, teams: dict[str, str]) -> str:
    """One detail's value in words: a code by its label, a boolean as yes/no, a team by its name."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column == "team_id":
        return teams.get(value, value)
    if isinstance(value, float):
        return f"{value:g}"
    if list_name is None:
        return str(value)
    try:
        entry = code_lists.code_list(list_name).entry(str(value))
    except KeyError:
        return str(value)  # a code the list does not know is shown as it was recorded
    label = entry.label_in(year if year in code_lists.YEARS else entry.last_year)
    # local lists' codes are words already (REFERRAL, STEP_DOWN_CIN): the label alone; DfE codes (N1, C2) are
    # what analysts search by, so they stay beside the words
    return label if code_lists.code_list(list_name).is_local else f"{label} ({value})"


def _detail(row: dict, on: On, day: dt.date, teams: dict[str, str]) -> str:
    declared = table(on.table)
    year = row.get("source_year") or code_lists.collection_year(day)
    said = []
    for column in on.details:
        value = row.get(column)
        if value is None:
            continue
        name = "Team" if column == "team_id" else "Worker" if column == "worker_id" else \
            column.replace("_", " ").capitalize()
        said.append(f"{name}: {_said(value, column, declared.column(column).code_list, year, teams)}")
    return "; ".join(said)


def child_journey(store: Store, la_code: str, person_id: str) -> pl.DataFrame:
    """Every event the store holds for the child, oldest first (:data:`JOURNEY_SCHEMA`): ``date``, ``event``,
    ``detail``, the ``table`` it is from and the row's ``source_file``, ``source_year`` and ``source_row``.

    Events on the same day are in the order :data:`EVENTS` declares (the order a journey usually runs), then
    in the order of their source rows. A child the store does not hold has no events (an empty frame)."""
    teams = dict(store.teams(la_code).select("team_id", "name").iter_rows())
    rows = []
    by_table: dict[str, pl.DataFrame] = {}
    for order, on in enumerate(EVENTS):
        if on.table not in by_table:
            by_table[on.table] = _child_rows(store, on.table, la_code, person_id)
        for row in by_table[on.table].iter_rows(named=True):
            day = row[on.date]
            if day is None:
                continue
            rows.append({"date": day, "event": on.event, "detail": _detail(row, on, day, teams), "table": on.table,
                         **{c: row[c] for c in PROVENANCE_COLUMNS}, "_order": order})
    if not rows:
        return pl.DataFrame(schema=JOURNEY_SCHEMA)
    frame = pl.DataFrame(rows, schema={**JOURNEY_SCHEMA, "_order": pl.Int32})
    return frame.sort("date", "_order", "source_row", nulls_last=True, maintain_order=True).drop("_order")


# ------------------------------------------------------------------------------------------------ summary

AGE_BANDS = ((0, 1, "under 1"), (1, 5, "1-4"), (5, 10, "5-9"), (10, 16, "10-15"), (16, 18, "16-17"))


def age_on(day: dt.date, born: dt.date) -> int:
    """Completed years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int) -> str:
    """The overview's age bands (as the indicators' age-band breakdown has them); 18 and over beyond."""
    if age < 0:
        return "unborn"
    return next((label for lo, hi, label in AGE_BANDS if lo <= age < hi), "18 and over")


@dataclass(frozen=True)
class ChildSummary:
    """Who the child is and where they are on ``day``: what a journey page says first."""

    la_code: str
    person_id: str
    day: dt.date
    sex: str
    date_of_birth: dt.date
    age: int
    age_band: str
    ethnicity: str
    disabilities: tuple[str, ...]
    uasc: bool
    status: tuple[str, ...]  # what the child is open to on the day, e.g. ("Child protection plan",); () none
    date_of_death: dt.date | None = None

    @property
    def status_text(self) -> str:
        return ", ".join(self.status) if self.status else "Not open to children's services on this day"


# what a child is, on a day, when a row of the table covers the day (start, end; end empty: still open)
STATUSES: tuple[tuple[str, str, str | None, str], ...] = (
    ("periods_of_care", "start_date", "end_date", "Looked after"),
    ("cp_plans", "start_date", "end_date", "Child protection plan"),
    ("cin_plans", "start_date", "end_date", "Child in need plan"),
    ("referrals", "referral_date", "closure_date", "Open child in need episode"),
    ("early_help_episodes", "start_date", "end_date", "Early help"),
)


def _label(list_name: str, code: str, day: dt.date) -> str:
    return _said(code, "", list_name, code_lists.collection_year(day), {})


def latest_data_day(store: Store, la_code: str) -> dt.date | None:
    """The latest day the authority's data records anything at the front door (a contact or referral): the day
    "today" means for a store whose data ends before today."""
    found = []
    for name, column in (("contacts", "contact_date"), ("referrals", "referral_date")):
        t = store.table(name)
        day = t.filter(t.la_code == la_code)[column].max().execute()
        if day is not None:
            found.append(day.date() if isinstance(day, dt.datetime) else day)
    return max(found) if found else None


def _open_on(t: ibis.Table, start: str, end: str | None, day: dt.date):
    if end is None:
        return t[start] == day
    return (t[start] <= day) & (t[end].isnull() | (t[end] >= day))


def child_summary(store: Store, la_code: str, person_id: str, day: dt.date | None = None) -> ChildSummary | None:
    """The child's sex, age and age band on ``day`` (default: :func:`latest_data_day`), ethnicity, disabilities
    and status on that day; None when the store holds no such child."""
    person = _child_rows(store, "person", la_code, person_id)
    if person.is_empty():
        return None
    p = person.row(0, named=True)
    day = day or latest_data_day(store, la_code) or dt.date.today()
    status = []
    for name, start, end, said in STATUSES:
        t = store.table(name)
        found = t.filter((t.la_code == la_code) & (t.child_id == person_id) & _open_on(t, start, end, day))
        if found.count().execute():
            status.append(said)
    if p["date_of_death"] is not None and p["date_of_death"] <= day:
        status = ["Died"]
    age = age_on(day, p["date_of_birth"])
    leaver = _child_rows(store, "care_leaver_contacts", la_code, person_id)
    # a care leaver is owed support up to 25 (Children and Social Work Act 2017): until then, one the authority
    # keeps in touch with is still its care leaver
    if not status and age <= 25 and not leaver.filter(pl.col("contact_date") <= day).is_empty():
        status.append("Care leaver")
    disabilities = _child_rows(store, "disabilities", la_code, person_id).get_column("disability").to_list()
    return ChildSummary(
        la_code=la_code, person_id=person_id, day=day, sex=_label("sex", p["sex"], day),
        date_of_birth=p["date_of_birth"], age=age, age_band=age_band(age),
        ethnicity=_label("ethnicity", p["ethnicity"], day),
        disabilities=tuple(_label("disability", d, day) for d in sorted(disabilities)), uasc=bool(p["uasc"]),
        status=tuple(status), date_of_death=p["date_of_death"])


# ------------------------------------------------------------------------------------------------- scope

@dataclass(frozen=True)
class OpenScope:
    """The teams a child is open to on a day, and those teams' service areas (the teams table's ``service``)."""

    teams: frozenset[str]
    services: frozenset[str]


OPEN_TEAMS_SCHEMA = {"child_id": pl.String, "team_id": pl.String, "service": pl.String}


def open_teams(store: Store, la_code: str, child_ids: Iterable[str] | None, day: dt.date) -> pl.DataFrame:
    """For each child (None: every child), each team it is open to on ``day`` with the team's service area:
    ``child_id``, ``team_id``, ``service`` (empty when the team is not in the teams table), one row each.

    A child is open to a team on a day when a row of :data:`OPEN_TO_TEAM` names the team and covers the day,
    its first and last day included."""
    ids: Sequence[str] | None = None if child_ids is None else sorted(set(child_ids))
    if ids is not None and not ids:
        return pl.DataFrame(schema=OPEN_TEAMS_SCHEMA)
    parts = []
    for name, start, end in OPEN_TO_TEAM:
        t = store.table(name)
        cond = (t.la_code == la_code) & t.team_id.notnull() & _open_on(t, start, end, day)
        if ids is not None:
            cond = cond & t.child_id.isin(ids)
        # cast: team_id is required in some tables and optional in others, and a union wants one type
        parts.append(t.filter(cond).select(child_id=t.child_id.cast("string"), team_id=t.team_id.cast("string")))
    teams = store.table("teams")
    teams = teams.filter(teams.la_code == la_code).select("team_id", "service")
    joined = ibis.union(*parts, distinct=True).left_join(teams, "team_id").select("child_id", "team_id", "service")
    return joined.to_polars().cast(OPEN_TEAMS_SCHEMA).sort("child_id", "team_id")


def open_scope(store: Store, la_code: str, person_id: str, day: dt.date) -> OpenScope:
    """The teams and service areas the child is open to on ``day`` (:func:`open_teams`)."""
    rows = open_teams(store, la_code, [person_id], day)
    return OpenScope(frozenset(rows.get_column("team_id").to_list()),
                     frozenset(s for s in rows.get_column("service").to_list() if s))


# -------------------------------------------------------------------------------------------- key dates

KEY_DATES_SCHEMA = {"child_id": pl.String, "date_of_birth": pl.Date, "age": pl.Int32,
                    "latest_referral": pl.Date, "cp_plan_start": pl.Date, "care_start": pl.Date}


def key_dates(store: Store, la_code: str, child_ids: Iterable[str], day: dt.date) -> pl.DataFrame:
    """The dates a list of children shows beside each child, as on ``day``: date of birth and age, the latest
    referral on or before the day, and the start of the CP plan and the period of care open on the day (empty
    when none is). One row per child the store holds, in id order (:data:`KEY_DATES_SCHEMA`)."""
    ids = sorted({c for c in child_ids if c is not None})
    if not ids:
        return pl.DataFrame(schema=KEY_DATES_SCHEMA)

    def of(name: str):
        t = store.table(name)
        return t, (t.la_code == la_code) & t.child_id.isin(ids)

    p, cond = of("person")
    out = p.filter(cond).select("child_id", "date_of_birth").to_polars()
    r, cond = of("referrals")
    latest = r.filter(cond & (r.referral_date <= day)).group_by("child_id").aggregate(
        latest_referral=r.referral_date.max()).to_polars()
    found = {"latest_referral": latest}
    for column, name in (("cp_plan_start", "cp_plans"), ("care_start", "periods_of_care")):
        t, cond = of(name)
        found[column] = t.filter(cond & _open_on(t, "start_date", "end_date", day)).group_by("child_id").aggregate(
            **{column: t.start_date.max()}).to_polars()
    for column, frame in found.items():
        out = out.join(frame.cast({"child_id": pl.String, column: pl.Date}), on="child_id", how="left")
    ages = [age_on(day, born) for born in out.get_column("date_of_birth").to_list()]
    out = out.with_columns(age=pl.Series(ages, dtype=pl.Int32))
    return out.select(list(KEY_DATES_SCHEMA)).cast(KEY_DATES_SCHEMA).sort("child_id")
