"""Each child's time in care, from the child-journey store, as the spells the forecast's rates are estimated from.

A **spell** is a stretch of one period of care in one placement category
(:mod:`carelens.forecast.placement_categories`). The 903 episodes of a period are taken in order; consecutive
episodes in the same category make one spell, so a change of legal status, or a move between two placements of
the same category, is not a move. A spell ends ``moved`` when the next episode is in another category, or with
the way the period ended (:mod:`carelens.forecast.exits`) when it is the period's last; a spell still going on
at the histories' last day has no end.

Days are counted as the store counts them: a child is in care on a day when a spell started on or before it and
has not ended by it (a spell ending on a day no longer counts on it), and a move ends one spell and starts the
next on the same day, as 903 episodes do.

``as_at`` cuts the histories at a past day, as if the data ended there (the backtest refits that way): episodes
starting after it are left out, and anything that ended after it is still going on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from carelens.forecast import placement_categories
from carelens.forecast.exits import exit_kind
from carelens.forecast.population import published_population, store_population
from carelens.forecast.states import POPULATION_SCHEMA, SPELLS_SCHEMA
from carelens.model.store import Store


@dataclass(frozen=True)
class CareHistories:
    """The spells of every child in care (:data:`SPELLS_SCHEMA`) and the resident population by age
    (:data:`POPULATION_SCHEMA`) of one authority, up to ``last_day``; ``notes`` say what in the data was read
    with an assumption (and how many rows), ``population_source`` where the population came from."""

    la_code: str
    spells: pl.DataFrame
    population: pl.DataFrame
    last_day: dt.date
    population_source: str
    notes: tuple[str, ...] = field(default=())


def care_histories(store: Store, la_code: str | None = None, as_at: dt.date | None = None,
                   population: pl.DataFrame | None = None) -> CareHistories:
    """The authority's care histories from the store, up to ``as_at`` (default: the data's last day).

    ``population`` (in :data:`POPULATION_SCHEMA`, e.g. from
    :func:`~carelens.forecast.population.read_population_projection`) is used instead of the store's or the
    published one when given. Raises :class:`~carelens.forecast.population.PopulationUnavailable` when there
    is no population to be had, saying what to provide."""
    la_code = store.authority(la_code)
    notes: list[str] = []
    data_last_day = _data_last_day(store, la_code)
    last_day = data_last_day if as_at is None else min(as_at, data_last_day)
    if as_at is not None and as_at > data_last_day:
        notes.append(f"as_at {as_at} is after the data's last day {data_last_day}: the histories end there")
    episodes = _episodes(store, la_code, last_day)
    spells = spells_from_episodes(episodes, last_day, notes)
    if population is not None:
        population = population.select(list(POPULATION_SCHEMA)).cast(POPULATION_SCHEMA)
        source = "given"
    else:
        population = store_population(store, la_code)
        source = "store"
        if population.is_empty():
            population = published_population(la_code)
            source = "published ONS 0–17 estimate, split evenly by age"
    return CareHistories(la_code, spells, population, last_day, source, tuple(notes))


def _data_last_day(store: Store, la_code: str) -> dt.date:
    """The last day the authority's looked-after data covers: its sources' coverage of the episodes (what the
    returns loaded span), else the latest episode start or end."""
    coverage = store.coverage([la_code]).filter(pl.col("table") == "looked_after_episodes")
    if not coverage.is_empty():
        return coverage["last_day"].max()
    t = store.table("looked_after_episodes")
    t = t.filter(t.la_code == la_code)
    days = t.aggregate(start=t.start_date.max(), end=t.end_date.max()).to_polars().row(0)
    found = [d for d in days if d is not None]
    if not found:
        raise ValueError(f"authority {la_code} has no looked-after episodes in the store: nothing to forecast from")
    return max(found)


def _episodes(store: Store, la_code: str, last_day: dt.date) -> pl.DataFrame:
    """The authority's episodes that began by ``last_day``, with the child's date of birth and the start of
    the period of care they belong to."""
    e = store.table("looked_after_episodes")
    e = e.filter((e.la_code == la_code) & (e.start_date <= last_day))
    p = store.table("person")
    p = p.filter(p.la_code == la_code).select(_p_child="child_id", birth_date="date_of_birth")
    c = store.table("periods_of_care")
    c = c.filter(c.la_code == la_code).select(_c_period="period_id", _c_start="start_date",
                                              _c_reason="reason_ceased")
    joined = e.left_join(p, e.child_id == p._p_child).left_join(c, e.period_id == c._c_period)
    return joined.select("child_id", "birth_date", "period_id", "start_date", "end_date", "placement_type",
                         "placement_provider", "reason_ceased", period_start="_c_start",
                         period_reason="_c_reason").to_polars()


EPISODES_SCHEMA = {"child_id": pl.String, "birth_date": pl.Date, "period_id": pl.String, "start_date": pl.Date,
                   "end_date": pl.Date, "placement_type": pl.String, "placement_provider": pl.String,
                   "reason_ceased": pl.String, "period_start": pl.Date, "period_reason": pl.String}


def spells_from_episodes(episodes: pl.DataFrame, last_day: dt.date, notes: list[str] | None = None) -> pl.DataFrame:
    """Spells (:data:`SPELLS_SCHEMA`) from 903 episodes (:data:`EPISODES_SCHEMA`) known up to ``last_day``.

    Assumptions are counted in ``notes``: episodes of no days (begun and ended the same day), temporary
    placements at the start of a period, foster placements with no provider, unknown codes, and gaps between
    a period's episodes (which the spells keep: the child is not in care on those days)."""
    notes = notes if notes is not None else []
    e = episodes.cast(EPISODES_SCHEMA).filter(pl.col("start_date") <= last_day)
    known_end = pl.col("end_date").is_not_null() & (pl.col("end_date") <= last_day)
    e = e.with_columns(end_date=pl.when(known_end).then("end_date"),
                       reason_ceased=pl.when(known_end).then("reason_ceased"))
    e = e.sort("child_id", "period_id", "start_date", pl.col("end_date").fill_null(dt.date.max))
    # how each period ended: its last episode's REC (else the period's own)
    periods = e.group_by("child_id", "period_id", maintain_order=True).agg(
        rec=pl.coalesce(pl.col("reason_ceased").last(), pl.col("period_reason").last()),
    )
    instant = (pl.col("end_date") == pl.col("start_date"))
    _count(notes, e.filter(instant).height, "episode(s) of no days (begun and ended the same day) left out")
    e = e.filter(~instant.fill_null(False))
    e = placement_categories.categorise(e)
    _count(notes, e.filter("provider_missing").height,
           "foster placement(s) with other carers (U4–U6) had no known provider: counted as in-house")
    unknown = e.filter(pl.col("category") == "unknown")
    _count(notes, unknown.height, "episode(s) had a placement type no code list has "
           f"({', '.join(sorted(set(unknown['placement_type'].drop_nulls())))[:80]}): counted as other")
    e = e.with_columns(category=pl.when(pl.col("category") == "unknown").then(pl.lit("other"))
                       .otherwise("category"))
    # a temporary placement keeps the category before it; one that begins a period has none to keep
    starts_temporary = e.group_by("child_id", "period_id").agg(pl.col("category").first().is_null().alias("t"))
    _count(notes, starts_temporary.filter("t").height,
           "period(s) of care began in a temporary placement (T0–T4): other until the first usual placement")
    e = e.with_columns(pl.col("category").forward_fill().over("child_id", "period_id").fill_null("other"))
    gaps = e.with_columns(prev_end=pl.col("end_date").shift().over("child_id", "period_id")).filter(
        pl.col("prev_end").is_not_null() & (pl.col("start_date") > pl.col("prev_end")))
    _count(notes, gaps.height, "gap(s) between consecutive episodes of a period (the child is out of care then)")
    # consecutive episodes in one category make one spell
    new_spell = pl.col("category") != pl.col("category").shift().over("child_id", "period_id")
    e = e.with_columns(spell=new_spell.fill_null(True).cast(pl.Int32).cum_sum().over("child_id", "period_id"))
    spells = e.group_by("child_id", "period_id", "spell", maintain_order=True).agg(
        pl.col("birth_date").first(),
        pl.col("period_start").first(),
        pl.col("start_date").first().alias("start"),
        pl.when(pl.col("end_date").is_null().any()).then(None).otherwise(pl.col("end_date").max()).alias("end"),
        pl.col("category").first(),
    )
    spells = spells.join(periods, on=["child_id", "period_id"], how="left")
    last_of_period = pl.col("spell") == pl.col("spell").max().over("child_id", "period_id")
    no_rec = spells.filter(last_of_period & pl.col("end").is_not_null() & pl.col("rec").is_null())
    _count(notes, no_rec.height, "period(s) of care ended with no reason recorded: counted as other")
    continues = spells.filter(last_of_period & pl.col("end").is_not_null() & (pl.col("rec") == "X1"))
    _count(notes, continues.height, "period(s) of care whose last episode ended X1 (a new episode the same day) "
           "with no later episode: counted as leaving care (other)")
    spells = spells.with_columns(
        period_start=pl.min_horizontal("period_start", pl.col("start").min().over("child_id", "period_id")),
        end_reason=pl.when(pl.col("end").is_null()).then(None)
        .when(~last_of_period).then(pl.lit("moved"))
        .otherwise(exit_kind(pl.col("rec"), pl.col("end"), pl.col("birth_date"))),
    )
    missing_birth = spells.filter(pl.col("birth_date").is_null())
    _count(notes, missing_birth.select("child_id").n_unique(), "child(ren) in care not in the person table "
           "(no date of birth)")
    return spells.select(list(SPELLS_SCHEMA)).cast(SPELLS_SCHEMA).sort("child_id", "start")


def _count(notes: list[str], n: int, what: str) -> None:
    if n:
        notes.append(f"{n:,} {what}")


def children_in_care_on(spells: pl.DataFrame, day: dt.date) -> int:
    """Children in care on ``day`` by the spells: started on or before it and not ended by it."""
    on = spells.filter((pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day)))
    return on.select("child_id").n_unique()
