"""Splitting counted rows into groups: age band, sex, ethnicity, team, worker, and domain attributes.

- **Age band** is the child's age on the counting day (the event date for events, the last day of
  the window for children in a state), in the overview's bands: under 1, 1–4, 5–9, 10–15, 16–17;
  anyone older is "18 and over".
- **Sex** and **ethnicity** come from the child's ``person`` row.
- **Team** and **worker** are the row's own (the team that held the plan, completed the assessment)
  when it names one; otherwise the worker allocated to the child on the counting day
  (from ``allocations``), so that looked-after children and care leavers are split by their worker
  too. A child with nobody allocated is "unallocated".
- A **domain attribute** (category of abuse, legal status, placement type, provision, destination)
  is declared by the indicator's measure and carried on its rows.

Rows with no value for the breakdown are grouped as "unknown" so that the groups always add up to
the total.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.measures import Context, open_on

AGE_BANDS = ((0, 1, "under 1"), (1, 5, "1-4"), (5, 10, "5-9"), (10, 16, "10-15"), (16, 18, "16-17"))


def age_on(day: ir.DateValue, born: ir.DateValue) -> ir.IntegerValue:
    """Completed years of age on ``day``: the year difference, less one if the birthday is still to come."""
    years = day.year() - born.year()
    before_birthday = (day.month() < born.month()) | ((day.month() == born.month()) & (day.day() < born.day()))
    return (years - before_birthday.cast("int32")).cast("int32")


def age_band(age: ir.IntegerValue) -> ir.StringValue:
    return ibis.cases(*[((age >= lo) & (age < hi), label) for lo, hi, label in AGE_BANDS],
                      else_=ibis.cases((age >= 18, "18 and over"), else_="unknown"))


def with_group(rows: ir.Table, breakdown: str, ctx: Context) -> ir.Table:
    """``rows`` with a string column ``group`` holding each row's group for ``breakdown``."""
    if breakdown == "all":
        return rows.mutate(group=ibis.literal("all"))
    if breakdown in ("age_band", "sex", "ethnicity"):
        person = ctx.table("person")
        person = person.select(_p_child=person.child_id, _p_sex=person.sex, _p_born=person.date_of_birth,
                               _p_ethnicity=person.ethnicity)
        joined = rows.left_join(person, rows.child_id == person._p_child)
        if breakdown == "age_band":
            group = age_band(age_on(joined.counting_day, joined._p_born))
        elif breakdown == "sex":
            group = joined._p_sex
        else:
            group = joined._p_ethnicity
        return joined.mutate(group=group.fill_null("unknown")).drop("_p_child", "_p_sex", "_p_born", "_p_ethnicity")
    if breakdown in ("team", "worker"):
        column = f"{breakdown}_id"
        allocated = allocated_on(ctx, rows.select("child_id", "counting_day").distinct())
        joined = rows.left_join(allocated, (rows.child_id == allocated._a_child)
                                & (rows.counting_day == allocated._a_day))
        group = joined[f"_a_{breakdown}"]
        if column in rows.columns:  # the record's own team or worker, when it names one
            group = joined[column].fill_null(group)
        return joined.mutate(group=group.fill_null("unallocated")).drop("_a_child", "_a_day", "_a_team", "_a_worker")
    if breakdown in rows.columns:
        return rows.mutate(group=rows[breakdown].cast("string").fill_null("unknown"))
    raise ValueError(f"breakdown {breakdown!r} is not available for this indicator")


def allocated_on(ctx: Context, days: ir.Table) -> ir.Table:
    """For each (child, day), the team and worker allocated that day (the earliest-started allocation
    when two overlap, so that every backend picks the same one)."""
    a = ctx.table("allocations")
    joined = days.join(a, (days.child_id == a.child_id) & open_on(a.start_date, a.end_date, days.counting_day))
    first = joined.group_by(_a_child=joined.child_id, _a_day=joined.counting_day).aggregate(
        _a_start=joined.start_date.min())
    picked = joined.join(first, (joined.child_id == first._a_child) & (joined.counting_day == first._a_day)
                         & (joined.start_date == first._a_start))
    return picked.group_by("_a_child", "_a_day").aggregate(_a_team=picked.team_id.min(),
                                                           _a_worker=picked.worker_id.min())


def own_or_allocated(t: ir.Table, ctx: Context, day: str, days_before: int = 0) -> ir.Table:
    """``t`` with ``team_id`` and ``worker_id``: the row's own when it has a team, otherwise those of the
    worker allocated to the child ``days_before`` days before ``t[day]`` (1 for an event that closes the case,
    such as leaving care, since the allocation ends that day)."""
    if "team_id" not in t.columns:
        t = t.mutate(team_id=ibis.null("string"), worker_id=ibis.null("string"))
    when = (t[day] - ibis.interval(days=days_before)).cast("date") if days_before else t[day].cast("date")
    t = t.mutate(_oa_day=when)
    a = allocated_on(ctx, t.select(child_id=t.child_id, counting_day=t._oa_day).distinct())
    j = t.left_join(a, (t.child_id == a._a_child) & (t._oa_day == a._a_day))
    own = j.team_id.notnull()
    return j.mutate(team_id=ibis.ifelse(own, j.team_id, j._a_team),
                    worker_id=ibis.ifelse(own, j.worker_id, j._a_worker)).drop("_oa_day", "_a_child", "_a_day",
                                                                               "_a_team", "_a_worker")
