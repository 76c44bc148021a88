"""G. Workforce and caseloads: caseloads, open and unallocated cases, agency staff, starters and leavers
(report §5.11–5.12).

Choices made where the catalogue (``docs/indicators/README.md``, section G) leaves room, each also on the indicator's page:

- **A case** is an open allocation of a child to a worker (``allocations``: started on or before the day,
  not ended by it). A worker's **caseload** is the number of children allocated to them on the day; a
  **case-holding worker** has at least one. Caseloads are counted in workers (one row per worker, no
  child). A worker's team is the one their allocations record (``allocations.team_id``, the worker's team
  at the time, so that a past caseload stays with the team that held it), else their own
  (``workers.team_id``, their team now).
- **Who is a social worker**: by default only workers with a Social Work England registration, as in
  DfE's children and family social work workforce census (LAIT 287); the parameter
  ``social_workers_only`` set to false counts every worker (early help practitioners, personal
  advisers).
- **Open cases (G2)** are children open to children's social care, as section A counts them: an open
  child-in-need episode (a referral not yet closed, which holds assessments and CIN plans), an open child
  protection plan or an open period of care.
  Early help is section H. A case is **unallocated** when no worker is allocated to the child that day.
  Care leavers are not counted: the store records their contacts, not when their case is open.
- **Workers in post** on a day: started on or before it and not left before it (``workers.end_date`` is
  the last day in post).
- **Not available**: vacancies and the vacancy rate need the establishment (funded posts), which the
  store does not hold. DfE's FTE-based rates (average caseload per FTE, FTE agency rate, FTE starters and
  leavers, turnover) are ratios of sums, which the engine's units do not express; the headcount rates are
  given instead.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.breakdowns import allocated_on
from carelens.indicators.indicator import (
    OPEN_ON_THE_DAY,
    OWN_WINDOW,
    PERSON_BREAKDOWNS,
    STOCK_WINDOWS,
    Indicator,
    Parameter,
)
from carelens.indicators.measures import Context, Custom, Flow, Stock, not_ended, open_on, shared
from carelens.indicators.sweep import in_both, steps, stretches

FLOW_WINDOWS = ("month", "rolling_3", "rolling_6", "rolling_12", "financial_year", "year_to_date")
WORKER_BREAKDOWNS = ("team", "worker")

SOCIAL_WORKERS_ONLY = Parameter(
    "social_workers_only", True, "Count only registered social workers (a Social Work England registration), as "
    "DfE's workforce census does; false counts every worker.")
BANDS = Parameter("band_edges", (10, 15, 20, 25, 30), "Lower edges of the caseload bands after the first (1–9, "
                  "10–14, 15–19, 20–24, 25–29, 30 and over).")


def _counted_workers(w: ir.Table, ctx: Context) -> ir.Table:
    return w.filter(w.swe_registration.notnull()) if ctx.param("social_workers_only") else w


def _band(cases: ir.IntegerValue, edges) -> ir.StringValue:
    edges = sorted(int(e) for e in edges)
    lows = [1, *edges]
    branches = [((cases >= lo) & (cases < hi), f"{lo}-{hi - 1}") for lo, hi in zip(lows, edges)]
    return ibis.cases(*branches, (cases >= edges[-1], f"{edges[-1]}+"), else_="0")


def _allocations(ctx: Context) -> ir.Table:
    a = ctx.table("allocations")
    return a.select("worker_id", "team_id", "child_id", start=a.start_date, end=a.end_date)


@shared()
def caseload_steps(ctx: Context) -> ir.Table:
    """Each worker's caseload as a step function (:func:`~carelens.indicators.sweep.steps`): ``worker_id``,
    ``start``, ``end``, ``count`` (children allocated from ``start`` to the day before ``end``)."""
    return steps(_allocations(ctx), ("worker_id",))


@shared()
def caseloads(ctx: Context, windows: ir.Table) -> ir.Table:
    """Per window and worker with a case on the window's last day: ``cases`` (children allocated),
    ``team_id`` (the team the allocations record, else the worker's own), and the worker's ``role`` and
    ``swe_registration`` (empty when the worker is not in ``workers``).

    A worker's caseload changes only when an allocation starts or ends, so it is read from each worker's
    caseload steps (a few per worker), not by joining every allocation to every day: the same counts from
    tens of times fewer rows. The team is the first (in sort order) of the teams the worker holds an
    allocation in that day, from the stretches in which they hold one in each team."""
    load = caseload_steps(ctx)
    per = load.join(windows, open_on(load.start, load.end, windows.window_end))
    per = per.select("period_id", "window_end", "worker_id", cases=per["count"])
    teams = stretches(_allocations(ctx), ("worker_id", "team_id"))
    held = teams.join(windows, open_on(teams.start, teams.end, windows.window_end))
    held = held.group_by(_t_period=held.period_id, _t_worker=held.worker_id).aggregate(_alloc_team=held.team_id.min())
    per = per.join(held, (per.period_id == held._t_period) & (per.worker_id == held._t_worker))
    w = ctx.table("workers")
    w = w.select(_w_id=w.worker_id, _w_team=w.team_id, role=w.role, swe_registration=w.swe_registration)
    per = per.left_join(w, per.worker_id == w._w_id)
    return per.mutate(team_id=ibis.coalesce(per._alloc_team, per._w_team)).drop(
        "_w_id", "_w_team", "_alloc_team", "_t_period", "_t_worker")


def _caseload_rows(bands: bool):
    """Custom rows: one per counted case-holding worker, the caseload as the amount (and its band)."""

    def rows(ctx: Context, windows: ir.Table) -> ir.Table:
        c = _counted_workers(caseloads(ctx, windows), ctx)
        band = {"caseload_band": _band(c.cases, ctx.param("band_edges"))} if bands else {}
        return c.select("period_id", child_id=ibis.null("string"), worker_id=c.worker_id, team_id=c.team_id,
                        counting_day=c.window_end.cast("date"), numerator=ibis.literal(True),
                        amount=c.cases.cast("float64"), **band)

    return rows


def _caseloads_on_day(ctx: Context) -> ir.Table:
    """The same caseloads as ``_caseload_rows``, for counting on many days at once: each counted worker's
    caseload steps (:func:`caseload_steps`), the caseload as the amount."""
    load = caseload_steps(ctx)
    if ctx.param("social_workers_only"):
        counted = _counted_workers(ctx.table("workers"), ctx)
        counted = counted.select(_w_id=counted.worker_id)
        load = load.semi_join(counted, load.worker_id == counted._w_id)
    return load.select("worker_id", start=load.start, end=load.end, amount=load["count"])


def _in_post(ctx: Context, windows: ir.Table) -> ir.Table:
    w = _counted_workers(ctx.table("workers"), ctx)
    return w.join(windows, (w.start_date <= windows.window_end) & (not_ended(w.end_date) >= windows.window_end))


def _caseholder_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    w = _in_post(ctx, windows)
    c = caseloads(ctx, windows).select(_c_period="period_id", _c_worker="worker_id", _c_cases="cases",
                                       _c_team="team_id")
    j = w.left_join(c, (w.period_id == c._c_period) & (w.worker_id == c._c_worker))
    cases = j._c_cases.fill_null(0)
    return j.select("period_id", child_id=ibis.null("string"), worker_id=j.worker_id,
                    team_id=ibis.coalesce(j._c_team, j.team_id),
                    counting_day=j.window_end.cast("date"), numerator=cases > 0, amount=cases.cast("float64"))


def _caseholders_on_day(ctx: Context):
    """The same workers as ``_caseholder_rows``, for counting on many days at once: those in post, and of them
    those in post while allocated a child. The sweep counts distinct ``child_id``: here, the worker."""
    w = workers(ctx)
    in_post = w.select("worker_id", child_id=w.worker_id, start=w.start_date, end=w.left)
    a = ctx.table("allocations")
    allocated = a.select(child_id=a.worker_id, start=a.start_date, end=a.end_date)
    holding = in_both(in_post, allocated)
    return [(1, in_post)], [(1, holding.mutate(worker_id=holding.child_id))]


# ------------------------------------------------------------------------------------ open cases
OPEN_CASES = (("child in need episode", "referrals", "referral_date", "closure_date"),
              ("child protection plan", "cp_plans", "start_date", "end_date"),
              ("looked after", "periods_of_care", "start_date", "end_date"))


@shared()
def open_cases(ctx: Context) -> ir.Table:
    """Spells in which a child is open to children's social care, with ``case_type``: child-in-need episodes
    (referral to closure), child protection plans and periods of care (as section A counts them)."""
    parts = []
    for case_type, name, start, end in OPEN_CASES:
        t = ctx.table(name)
        parts.append(t.select(child_id=t.child_id, start_date=t[start].cast("date"), end_date=t[end].cast("date"),
                              case_type=ibis.literal(case_type)))
    return ibis.union(*parts, distinct=False)


def _unallocated_rows(ctx: Context, windows: ir.Table) -> ir.Table:
    o = open_cases(ctx)
    j = o.join(windows, open_on(o.start_date, o.end_date, windows.window_end))
    j = j.select("period_id", "child_id", counting_day=j.window_end.cast("date"))
    allocated = allocated_on(ctx, j.select("child_id", "counting_day").distinct())
    j = j.left_join(allocated, (j.child_id == allocated._a_child) & (j.counting_day == allocated._a_day))
    return j.select("period_id", "child_id", "counting_day", numerator=j._a_child.isnull(),
                    amount=ibis.null("float64"))


def _unallocated_on_day(ctx: Context):
    """The same children as ``_unallocated_rows``, for counting on many days at once: the open children
    less those open and allocated."""
    o = open_cases(ctx)
    o = o.select("child_id", start=o.start_date, end=o.end_date)
    a = ctx.table("allocations")
    a = a.select("child_id", start=a.start_date, end=a.end_date)
    return [(1, o)], [(1, o), (-1, in_both(o, a))]


# ---------------------------------------------------------------------------------------- workers
def workers(ctx: Context) -> ir.Table:
    """Workers counted (see ``social_workers_only``) with ``left`` (the day after their last day in post)
    and no child."""
    w = _counted_workers(ctx.table("workers"), ctx)
    return w.mutate(child_id=ibis.null("string"), left=(w.end_date + ibis.interval(days=1)).cast("date"))


def _employment(t: ir.Table, ctx: Context) -> ir.StringValue:
    return ibis.ifelse(t.agency, "agency", "employed")


CASE_HOW = ("A case is a child allocated to the worker on the day (`allocations` started on or before it and not "
            "ended by it; a child allocated twice to the same worker counts once). The worker's team is the one "
            "their allocations record (their team at the time), else their own (`workers.team_id`).")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="G1", name="mean_caseload", title="Average caseload per case-holding social worker",
        definition="The mean number of children allocated to each case-holding social worker (one or more cases) at "
                   "the end of the period, by the worker's team. Local: DfE's average (LAIT 287) divides all cases by "
                   "the FTE of case-holding social workers.",
        measure=Custom(_caseload_rows(False), "One row per case-holding worker on the last day of the period (not a child), "
               "with their caseload as the amount. " + CASE_HOW, ("allocations", "workers"),
               amounts_on_day=_caseloads_on_day, on_last_day=True),
        counting_unit="workers", unit="mean", polarity="low", windows=STOCK_WINDOWS, breakdowns=WORKER_BREAKDOWNS,
        parameters=(SOCIAL_WORKERS_ONLY,), reference="report §5.11.4 (Assessment around 25)",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="G1a", name="median_caseload", title="Median caseload per case-holding social worker",
        definition="The median number of children allocated to each case-holding social worker at the end of the "
                   "period, by the worker's team.",
        measure=Custom(_caseload_rows(False), "One row per case-holding worker on the last day of the period, with their "
               "caseload as the amount. " + CASE_HOW, ("allocations", "workers"), amounts_on_day=_caseloads_on_day,
               on_last_day=True),
        counting_unit="workers", unit="median", polarity="low", windows=STOCK_WINDOWS, breakdowns=WORKER_BREAKDOWNS,
        parameters=(SOCIAL_WORKERS_ONLY,), reference="report §5.11.4 (median 24)",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="G1b", name="caseholders_by_caseload_band", title="Case-holding social workers by caseload",
        definition="Case-holding social workers at the end of the period, by the size of their caseload (bands 1–9, "
                   "10–14, 15–19, 20–24, 25–29, 30 and over): the distribution of caseloads.",
        measure=Custom(_caseload_rows(True), "One row per case-holding worker on the last day of the period, in the band of "
               "their caseload. " + CASE_HOW, ("allocations", "workers"), amounts_on_day=_caseloads_on_day,
               on_last_day=True),
        counting_unit="workers", unit="count", polarity="neutral", windows=STOCK_WINDOWS,
        breakdowns=WORKER_BREAKDOWNS + ("caseload_band",),
        parameters=(SOCIAL_WORKERS_ONLY, BANDS), reference="report §5.11",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="G1c", name="social_workers_holding_cases", title="Social workers holding cases",
        definition="Of the social workers in post at the end of the period, the percentage holding one or more cases "
                   "(DfE: \"social workers who are caseholders\", counted by headcount).",
        measure=Custom(_caseholder_rows, "One row per worker in post on the last day of the period (`workers`: started "
               "on or before it, `end_date` empty or on or after it); in the numerator with a case that day. "
               + CASE_HOW, ("allocations", "workers"), on_day=_caseholders_on_day, on_last_day=True),
        counting_unit="workers", unit="percent", polarity="high", dfe_measure="287",
        dfe_short="Social_Work_Caseholders_%",
        dfe_note='DfE counts at 30 September (workforce census), so compare our value on 30 September, not at 31 March.',
        windows=STOCK_WINDOWS, breakdowns=WORKER_BREAKDOWNS,
        parameters=(SOCIAL_WORKERS_ONLY,), reference="report §5.11",
        computation="LAIT 287 holds several workforce measures under one code; this one is "
        "Social_Work_Caseholders_%.",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="G2", name="children_open_to_social_care", title="Children open to children's social care",
        definition="Children open to children's social care at the end of the period: an open child-in-need episode "
                   "(referral not yet closed, including children under assessment and on child in need plans), an open "
                   "child protection plan or an open period of care (early help is section H). By team, each child is "
                   "in the team of the worker allocated that day, or \"unallocated\".",
        measure=Stock(open_cases), counting_unit="children", unit="count", polarity="neutral",
        breakdowns=PERSON_BREAKDOWNS + WORKER_BREAKDOWNS, reference="report §5.11.1, §5.11.4",
        computation="A child open in several ways (an episode, a plan and a period of care) counts once. Levels "
        "of need are section A (A1).",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="G2a", name="unallocated_open_cases", title="Open cases not allocated to a worker",
        definition="Of the children open to children's social care at the end of the period (G2), the percentage with "
                   "no worker allocated that day; the numerator is the number of unallocated cases.",
        measure=Custom(_unallocated_rows, "Each child open to children's social care on the last day of the period (an "
               "open `referrals` episode, `cp_plans` plan or `periods_of_care` period), in the numerator when no "
               "`allocations` row is open for them that day.", ("referrals", "cp_plans", "periods_of_care",
                                                                 "allocations"),
               on_day=_unallocated_on_day, on_last_day=True),
        counting_unit="children", unit="percent", polarity="low", windows=STOCK_WINDOWS, breakdowns=PERSON_BREAKDOWNS,
        reference="report §5.11",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="G3", name="agency_social_workers", title="Agency social workers",
        definition="Of the social workers in post at the end of the period, the percentage who are agency (not "
                   "employed) workers, by headcount (DfE publishes the rate by headcount and by FTE).",
        measure=Stock(workers, "start_date", "left", numerator="agency"), counting_unit="workers", unit="percent",
        polarity="low", dfe_measure="287", dfe_short="Work_Force_Agecy_Rate",
        dfe_note='DfE counts at 30 September and by full-time equivalent; ours is by headcount.',
        windows=STOCK_WINDOWS, breakdowns=WORKER_BREAKDOWNS, parameters=(SOCIAL_WORKERS_ONLY,),
        reference="report §5.12.1",
        computation="In post: `start_date` on or before the day and `end_date` (the last day in post) empty or "
        "on or after it. LAIT 287 holds several workforce measures under one code; this one is "
        "Work_Force_Agecy_Rate. Vacancies cannot be given: the store does not hold the establishment.",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="G3a", name="social_workers_starting", title="Social workers starting",
        definition="Social workers who started in post in the period (headcount), employed or agency.",
        measure=Flow(workers, "start_date", attributes={"employment": _employment}), counting_unit="workers",
        unit="count", polarity="neutral",
        windows=FLOW_WINDOWS, breakdowns=WORKER_BREAKDOWNS, parameters=(SOCIAL_WORKERS_ONLY,),
        reference="report §5.12.1", computation="DfE counts starters in FTE (LAIT 287); this is headcount.",
        history=OWN_WINDOW),
    Indicator(
        id="G3b", name="social_workers_leaving", title="Social workers leaving",
        definition="Social workers who left their post in the period (headcount; counted on their last day), employed "
                   "or agency.",
        measure=Flow(workers, "end_date", attributes={"employment": _employment}), counting_unit="workers",
        unit="count", polarity="neutral",
        windows=FLOW_WINDOWS, breakdowns=WORKER_BREAKDOWNS, parameters=(SOCIAL_WORKERS_ONLY,),
        reference="report §5.12.2", computation="DfE counts leavers in FTE (LAIT 287); this is headcount.",
        history=OWN_WINDOW),
)
