"""A. Continuum of need: open cases by level and representation (report §5.2).

Every child open to the service on a day is counted once, at the highest level of need they are
open at that day: **looked after** (a period of care) > **child protection plan** > **child in need**
(an open referral, that is a child-in-need episode, including children still under assessment) >
**early help** (an open early help episode). A looked-after child on a CP plan and with an open
referral is one looked-after child; a child open to early help whose referral is still open is a
child in need.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carelens.indicators.indicator import OPEN_ON_THE_DAY, STOCK_WINDOWS, Indicator
from carelens.indicators.measures import Context, Custom, Stock, open_on

# The levels of the continuum, lowest first: (rank, label, table, start column, end column).
LEVELS = (
    (1, "early help", "early_help_episodes", "start_date", "end_date"),
    (2, "child in need", "referrals", "referral_date", "closure_date"),
    (3, "child protection plan", "cp_plans", "start_date", "end_date"),
    (4, "looked after", "periods_of_care", "start_date", "end_date"),
)
SOCIAL_CARE = ("child in need", "child protection plan", "looked after")
HIGHER_END = ("child protection plan", "looked after")
ALL_LEVELS = tuple(label for _, label, *_ in LEVELS)


def open_intervals(ctx: Context, lowest: int = 1) -> ir.Table:
    """Every stretch of time a child was open at a level ranked ``lowest`` or higher: ``child_id``, ``start``,
    ``end``, ``rank``."""
    parts = []
    for rank, _, name, start, end in LEVELS:
        if rank >= lowest:
            t = ctx.table(name)
            parts.append(t.select(child_id=t.child_id, start=t[start].cast("date"), end=t[end].cast("date"),
                                  rank=ibis.literal(rank, "int32")))
    return ibis.union(*parts, distinct=False)


def level_label(rank: ir.IntegerValue) -> ir.StringValue:
    return ibis.cases(*[(rank == r, label) for r, label, *_ in LEVELS], else_="unknown")


def open_cases(ctx: Context, windows: ir.Table, lowest: int = 1) -> ir.Table:
    """One row per window and child open on the window's last day at a level ranked ``lowest`` or higher,
    with the child's highest ``rank`` and ``level``.

    Leaving the lower levels out before choosing each child's highest level changes nothing for the
    children kept, since a child's highest level is at or above any level they are open at.
    """
    t = open_intervals(ctx, lowest)
    joined = t.join(windows, open_on(t.start, t.end, windows.window_end))
    top = joined.group_by("period_id", "child_id", "window_end").aggregate(rank=joined.rank.max())
    return top.select(period_id=top.period_id, child_id=top.child_id, counting_day=top.window_end, rank=top.rank,
                      level=level_label(top.rank))


def _rank(label: str) -> int:
    return next(r for r, name, *_ in LEVELS if name == label)


def _rows(levels: tuple[str, ...], numerator: tuple[str, ...] = ()):
    """Custom rows: the open children whose highest level is one of ``levels`` (contiguous from the lowest
    of them up, or a single level); in the numerator when their level is one of ``numerator``.

    The lower levels are left out before the highest level is chosen rather than filtered out after,
    so that the query planner (PostgreSQL's especially) sees rows it can estimate.
    """
    ranks = sorted(_rank(label) for label in levels)
    lowest, highest = ranks[0], ranks[-1]
    if ranks != list(range(lowest, highest + 1)):
        raise ValueError(f"levels must be contiguous: {levels}")
    hit_ranks = [_rank(label) for label in numerator]

    def rows(ctx: Context, windows: ir.Table) -> ir.Table:
        t = open_cases(ctx, windows, lowest)
        if highest < len(LEVELS):
            t = t.filter(t["rank"] <= highest)
        hit = t["rank"].isin(hit_ranks) if numerator else ibis.literal(True)
        return t.select("period_id", "child_id", "counting_day", numerator=hit,
                        amount=ibis.null("float64"), level=t.level)

    return rows


def _open_on_day(levels: tuple[str, ...], numerator: tuple[str, ...] = ()):
    """The same children as ``_rows``, as signed sets for counting on many days at once: those whose
    highest level lies from ``lo`` to ``hi`` are those open at ``lo`` or above less those open above ``hi``."""
    ranks = sorted(_rank(label) for label in levels)
    hit_ranks = sorted(_rank(label) for label in numerator) or ranks

    def between(ctx: Context, lo: int, hi: int) -> list[tuple[int, ir.Table]]:
        terms = [(1, open_intervals(ctx, lo))]
        return terms + [(-1, open_intervals(ctx, hi + 1))] if hi < len(LEVELS) else terms

    def on_day(ctx: Context):
        return between(ctx, ranks[0], ranks[-1]), between(ctx, hit_ranks[0], hit_ranks[-1])

    if hit_ranks != list(range(hit_ranks[0], hit_ranks[-1] + 1)):
        raise ValueError(f"numerator levels must be contiguous: {numerator}")
    return on_day


SOURCES = tuple(t for _, _, t, *_ in LEVELS)
HOW = ("Each child open on the last day of the period is found in every table of the continuum "
       "(`periods_of_care`, `cp_plans`, `referrals` from referral to closure, `early_help_episodes`): a row "
       "counts when it started on or before that day and had not ended by it. The child is counted once, at "
       "the highest of their open levels (looked after > child protection plan > child in need > early help).")


def _representation(id_: str, name: str, title: str, levels: tuple[str, ...], who: str) -> Indicator:
    return Indicator(
        id=id_, name=name, title=title,
        definition=f"{who} on the last day of the period (each child once, at their highest level of need), by sex "
                   "and by age band, against the population of children aged 0–17: the group's share of these "
                   "children divided by its share of the 0–17 population. Above 1 the group is over-represented, "
                   "below 1 under-represented.",
        measure=Custom(_rows(levels), HOW, sources=SOURCES, on_day=_open_on_day(levels), on_last_day=True),
        counting_unit="children", unit="representation", polarity="neutral", windows=STOCK_WINDOWS,
        breakdowns=("age_band", "sex"), reference="report §5.2.4–5.2.5",
        computation="Children aged 18 or over, and children whose sex is unknown, count in the shares of the "
                    "groups that have a population but have no population share themselves (no ratio).",
        history=OPEN_ON_THE_DAY)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="A1", name="open_cases_by_level", title="Open cases by level of need",
        definition="Children open to children's services on the last day of the period, each counted once at the "
                   "highest level they are open at: looked after, child protection plan, child in need (an open "
                   "referral, including children under assessment) or early help. Break down by `level` for the "
                   "continuum.",
        measure=Custom(_rows(ALL_LEVELS), HOW, sources=SOURCES, on_day=_open_on_day(ALL_LEVELS),
                       on_last_day=True),
        counting_unit="children", unit="count", polarity="neutral",
        windows=STOCK_WINDOWS, breakdowns=("level", "age_band", "sex", "ethnicity", "team", "worker"),
        reference="report §5.2.2",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="A1a", name="open_cases_at_cp_or_looked_after", title="Open social care cases at CP or looked-after level",
        definition="Of the children open to children's social care on the last day of the period (child in need, child "
                   "protection plan or looked after; early help is not social care and is left out, as in the "
                   "comparison with similar authorities and England, where about a third of children in need are on a "
                   "plan or looked after), the percentage whose highest level is a child protection plan or being "
                   "looked after.",
        measure=Custom(_rows(SOCIAL_CARE, HIGHER_END), HOW, sources=SOURCES,
                       on_day=_open_on_day(SOCIAL_CARE, HIGHER_END), on_last_day=True),
        counting_unit="children", unit="percent", polarity="neutral", windows=STOCK_WINDOWS,
        reference="report §5.2.2 (49%)",
        history=OPEN_ON_THE_DAY),
    Indicator(
        id="A1b", name="children_in_need", title="Children in need",
        definition="Children in need on the last day of the period: children with a child-in-need episode (a referral) "
                   "open that day — started on or before it and not closed by it — whatever else is in place, so "
                   "children on a child protection plan or looked after are included, as in the CIN census. A child is "
                   "counted once. Rate per 10,000 children aged 0–17.",
        measure=Stock("referrals", "referral_date", "closure_date"), counting_unit="children", unit="rate",
        polarity="neutral", dfe_measure="171",
        dfe_short="CIN", dfe_comparable=True,
        reference="LAIT CIN rate; report §5.2",
        history=OPEN_ON_THE_DAY),
    _representation("A2", "open_cases_representation", "Representation of open cases by sex and age",
                    ALL_LEVELS, "Children open to children's services at any level"),
    _representation("A2a", "early_help_representation", "Representation in early help by sex and age",
                    ("early help",), "Children open to early help only"),
    _representation("A2b", "child_in_need_representation", "Representation of children in need by sex and age",
                    ("child in need",), "Children in need (open referral, including under assessment) who are "
                    "neither on a child protection plan nor looked after"),
    _representation("A2c", "cp_plan_representation", "Representation on child protection plans by sex and age",
                    ("child protection plan",), "Children on a child protection plan who are not looked after"),
    _representation("A2d", "looked_after_representation", "Representation of children looked after by sex and "
                    "age", ("looked after",), "Children looked after"),
)
