"""The stochastic projection of the children in care: many runs of the fitted multi-state process, day by day,
vectorised with NumPy over every child of every run at once (docs/forecast/model.md).

Each run starts from the children in care on the fitted day (:attr:`.rates.Rates.in_care`) and adds the children
who enter care: each projection year, by single year of age, a Poisson number of them with mean entry rate ×
resident children (aged forward, :func:`.rates.population_on`) × days, arriving on uniformly random days, each in
a category drawn from the entry shares of its age band.

A child's stay in a state (age band × category × time in care) ends after an exponential time at the state's total
rate (the sum of its move and exit rates), unless the state ends first: a birthday changes the band, the time in
care changes band, a scenario's change starts, or the horizon comes. So the simulation goes **event by event, not
day by day**: each step draws every child's next event at once, and a child needs a step only for each move, exit
or change of band — a few dozen steps for five years, whatever the number of days. Which event it was is drawn in
proportion to the rates. A child reaching 18 leaves care that day.

Each run draws its own rates from their gamma posteriors (parameter uncertainty), and its own multiplier of each
year's entry rate (the year-to-year variation of demand, :attr:`.rates.Rates.entry_dispersion`), so the intervals
carry how little the rates are known as well as chance.

Counting is by day, as the store counts: a child is in care on a day when it entered on or before it and had not
left by it. Day 0 is the fitted day, on which every run holds exactly the children in care then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from carelens.forecast.rates import (
    AGE_OUT,
    BAND_FIRST_AGES,
    BANDS,
    CATEGORIES,
    DURATION_FIRST_DAYS,
    DURATIONS,
    TRANSITIONS,
    Rates,
    population_on,
)
from carelens.forecast.states import AGE_BANDS, EXITS

YEAR_DAYS = 365.25
QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
"""The median and the 50%, 80% and 95% intervals' ends."""
MAX_STEPS = 100_000
INTERVALS = {50: (0.25, 0.75), 80: (0.1, 0.9), 95: (0.025, 0.975)}


@dataclass(frozen=True)
class RateChange:
    """From ``start`` on, the rates multiplied: ``entry`` (band) the entry rates, ``transitions`` (band, category,
    transition) the move and exit rates. Changes compound: two from the same day multiply."""

    start: dt.date
    entry: np.ndarray
    transitions: np.ndarray
    name: str = ""

    @classmethod
    def none(cls, start: dt.date, name: str = "") -> RateChange:
        return cls(start, np.ones(len(BANDS)), np.ones((len(BANDS), len(CATEGORIES), len(TRANSITIONS))), name)


@dataclass(frozen=True)
class Projection:
    """``runs`` simulated futures from ``start`` (day 0) to ``start + days``: children in care on each day of each
    run by age band (runs, band, day) and by category (runs, category, day); entries (runs, year) and exits
    (runs, exit, year) in each projection year (year 0 = the first 365 or 366 days after ``start``)."""

    start: dt.date
    days: int
    runs: int
    seed: int
    by_band: np.ndarray
    by_category: np.ndarray
    entries: np.ndarray
    exits: np.ndarray
    year_starts: tuple[dt.date, ...]
    changes: tuple[RateChange, ...] = field(default=())

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=d) for d in range(self.days + 1)]

    def total(self) -> np.ndarray:
        """Children in care, (runs, day)."""
        return self.by_category.sum(1)

    def series(self) -> dict[str, np.ndarray]:
        """Every series, (runs, day): ``total``, each age band (``age_<band>``) and each category."""
        out = {"total": self.total()}
        out |= {f"age_{band}": self.by_band[:, i] for i, band in enumerate(BANDS)}
        out |= {category: self.by_category[:, i] for i, category in enumerate(CATEGORIES)}
        return out

    def summary(self, days: list[int] | None = None, series: tuple[str, ...] | None = None) -> pl.DataFrame:
        """The median and the 50/80/95% intervals of every series (or those named) on ``days`` (default: every
        month end's day from ``start``, and the last day): date, series, median, lower_50 … upper_95."""
        days = month_ends(self.start, self.days) if days is None else days
        all_series = self.series()
        names = list(all_series) if series is None else list(series)
        stacked = np.stack([all_series[n][:, days] for n in names], axis=1)  # runs, series, days
        q = np.quantile(stacked, QUANTILES, axis=0, method="inverted_cdf")  # quantile, series, days
        dates = [self.start + dt.timedelta(days=d) for d in days]
        columns = {"date": dates * len(names), "series": np.repeat(names, len(days)).tolist()}
        labels = ["lower_95", "lower_80", "lower_50", "median", "upper_50", "upper_80", "upper_95"]
        for label, values in zip(labels, q, strict=True):
            columns[label] = values.reshape(-1)
        return pl.DataFrame(columns).with_columns(pl.col(labels).cast(pl.Int64))


def month_ends(start: dt.date, days: int) -> list[int]:
    """The days from ``start`` of each month end after it up to ``start + days``, and the last day."""
    out, day = [], start
    end = start + dt.timedelta(days=days)
    while True:
        nxt = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if nxt > end:
            break
        if nxt > start:
            out.append((nxt - start).days)
        day = nxt + dt.timedelta(days=1)
    if not out or out[-1] != days:
        out.append(days)
    return out


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def project(rates: Rates, years: float = 5, runs: int = 1000, seed: int = 0, changes: tuple[RateChange, ...] = (),
            parameter_uncertainty: bool = True, days: int | None = None) -> Projection:
    """``runs`` futures of the children in care from ``rates.as_at``, for ``years`` (or ``days``)."""
    if runs < 1:
        raise ValueError(f"runs {runs!r}: expected 1 or more")
    start = rates.as_at
    if days is None:
        whole = int(years)
        end = years_after(start, whole) + dt.timedelta(days=round((years - whole) * YEAR_DAYS))
        days = (end - start).days
    if days < 1:
        raise ValueError(f"{years!r} years: expected a projection of at least a day")
    rng = np.random.default_rng(seed)
    changes = tuple(sorted((c for c in changes if c.start < start + dt.timedelta(days=days + 1)),
                           key=lambda c: c.start))
    phase_days = np.array([0.0] + [max((c.start - start).days, 0) for c in changes])
    hazards = _hazards(rates, runs, changes, parameter_uncertainty, rng)  # phase, run, cell, transition
    totals = hazards.sum(-1)
    cumulative = np.cumsum(hazards, -1)
    year_starts = tuple(years_after(start, y) for y in range(int(np.ceil(days / 365)) + 2)
                        if years_after(start, y) <= start + dt.timedelta(days=days + 1))
    year_days = np.array([(y - start).days for y in year_starts] + [np.inf])
    agents, entries = _agents(rates, runs, days, changes, phase_days, year_starts, parameter_uncertainty, rng)
    n_years = len(year_starts)
    by_band, by_category, exits = _run(agents, hazards, totals, cumulative, phase_days, days, runs, year_days,
                                       n_years, rng)
    return Projection(start, days, runs, seed, by_band, by_category, entries[:, :n_years], exits, year_starts,
                      changes)


def _hazards(rates: Rates, runs: int, changes, parameter_uncertainty: bool, rng) -> np.ndarray:
    shape, rate = rates.shape, rates.rate
    if parameter_uncertainty:
        drawn = rng.gamma(np.broadcast_to(shape, (runs, *shape.shape)), 1.0 / rate)
    else:
        drawn = np.broadcast_to(shape / rate, (runs, *shape.shape))
    phases = [np.asarray(drawn, dtype=float)]
    factor = np.ones((len(BANDS), len(CATEGORIES), len(TRANSITIONS)))
    for change in changes:
        factor = factor * change.transitions
        phases.append(phases[0] * factor[None, :, :, None, :])
    cells = len(BANDS) * len(CATEGORIES) * len(DURATIONS)
    return np.stack(phases).reshape(len(phases), runs, cells, len(TRANSITIONS))


@dataclass
class _Agents:
    run: np.ndarray  # int32
    t: np.ndarray  # the day (continuous) the child's current state began
    age_edges: np.ndarray  # days of the birthdays 1, 5, 10, 16 and 18, (n, 5)
    period_start: np.ndarray  # the day the period of care began (≤ 0 for the children in care at the start)
    category: np.ndarray  # int8


def _birthday_days(birth: pl.Series, start: dt.date) -> np.ndarray:
    frame = pl.DataFrame({"b": birth})
    cols = [(pl.col("b").dt.offset_by(f"{age}y") - pl.lit(start)).dt.total_days().alias(str(age))
            for age in (*BAND_FIRST_AGES, AGE_OUT)]
    return frame.select(cols).to_numpy().astype(float)


def _agents(rates: Rates, runs: int, days: int, changes, phase_days, year_starts, parameter_uncertainty, rng):
    start = rates.as_at
    census = rates.in_care
    n0 = census.height
    cat_index = {c: i for i, c in enumerate(CATEGORIES)}
    c_edges = _birthday_days(census["birth_date"], start)
    c_period = np.asarray((census.select((pl.col("period_start") - pl.lit(start)).dt.total_days())
                           .to_series().to_numpy()), dtype=float) if n0 else np.zeros(0)
    c_cat = np.array([cat_index[c] for c in census["category"]], dtype=np.int8)
    run0 = np.repeat(np.arange(runs, dtype=np.int32), n0)
    # entrants: segments of the horizon (projection years, cut where a change starts), by single year of age
    base = rates.entry_per_day()
    if parameter_uncertainty:
        per_run = rng.gamma(np.broadcast_to(rates.entries, (runs, len(BANDS))), 1.0) / np.where(
            rates.population_days > 0, rates.population_days, 1.0)
    else:
        per_run = np.broadcast_to(base, (runs, len(BANDS)))
    n_years = len(year_starts) + 1
    if rates.entry_dispersion > 0:
        k = 1.0 / rates.entry_dispersion
        yearly = rng.gamma(k, 1.0 / k, size=(runs, n_years))
    else:
        yearly = np.ones((runs, n_years))
    band_of_age = np.array([next(i for i, (_, lo, hi) in enumerate(AGE_BANDS) if lo <= a <= hi)
                            for a in range(AGE_OUT)])
    year_days = [(y - start).days for y in year_starts]
    # children entering after the last day counted are not needed
    cuts = sorted({0.0, float(days), *(d for d in phase_days if 0 < d < days), *(d for d in year_days if 0 < d < days)})
    e_run, e_t, e_age = [], [], []
    entries = np.zeros((runs, n_years), dtype=np.int64)
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        year = int(np.searchsorted(year_days, lo, side="right") - 1)
        phase = int(np.searchsorted(phase_days, lo, side="right") - 1)
        factor = np.ones(len(BANDS))
        for change in changes[:phase]:
            factor = factor * change.entry
        mid = start + dt.timedelta(days=(lo + hi) / 2)
        people = population_on(rates.population, mid.year)  # by age
        mean = (per_run[:, band_of_age] * factor[band_of_age] * people[None, :] * (hi - lo)
                * yearly[:, year, None])  # runs, age
        n = rng.poisson(mean)
        entries[:, year] += n.sum(1)
        flat = n.reshape(-1)
        e_run.append(np.repeat(np.repeat(np.arange(runs, dtype=np.int32), AGE_OUT), flat))
        e_age.append(np.repeat(np.tile(np.arange(AGE_OUT), runs), flat))
        e_t.append(lo + rng.random(int(flat.sum())) * (hi - lo))
    e_run, e_t, e_age = np.concatenate(e_run), np.concatenate(e_t), np.concatenate(e_age)
    # an entrant of age a was born between a and a + 1 years before it entered
    e_birth = e_t - (e_age + rng.random(len(e_t))) * YEAR_DAYS
    e_edges = e_birth[:, None] + np.array([*BAND_FIRST_AGES, AGE_OUT])[None, :] * YEAR_DAYS
    shares = np.cumsum(rates.entry_category, 1)[band_of_age[e_age]]
    e_cat = (rng.random(len(e_t))[:, None] > shares[:, :-1]).sum(1).astype(np.int8)
    agents = _Agents(
        run=np.concatenate([run0, e_run]),
        t=np.concatenate([np.zeros(n0 * runs), e_t]),
        age_edges=np.concatenate([np.tile(c_edges, (runs, 1)), e_edges]),
        period_start=np.concatenate([np.tile(c_period, runs), e_t]),
        category=np.concatenate([np.tile(c_cat, runs), e_cat]),
    )
    return agents, entries


def _run(a: _Agents, hazards, totals, cumulative, phase_days, days, runs, year_days, n_years, rng):
    """Every child of every run, event by event to the horizon: children in care on each day by age band and by
    category, and the exits of each kind in each projection year.

    Each child's band, time-in-care band and phase (which scenario changes are in force) are kept and moved on
    only when the child reaches the next one, so a step costs a few passes over the children still in care.
    What the daily counts need is recorded only when it changes: a child counts +1 in a band (category) from the
    day it is in it and -1 from the day it is not."""
    n_cat, n_dur, n_band, n_trans = len(CATEGORIES), len(DURATIONS), len(BANDS), len(TRANSITIONS)
    cells = n_band * n_cat * n_dur
    # the last day counted: a child counts on it when it has not left by it, so nothing after it matters
    horizon = float(days)
    duration_edges = np.array(DURATION_FIRST_DAYS, dtype=float)
    next_phase_day = np.append(phase_days[1:], np.inf)
    totals = totals.reshape(-1)
    cumulative = cumulative.reshape(-1, n_trans)
    run, t, cat = a.run.astype(np.int64), a.t, a.category.astype(np.int64)
    band = (t[:, None] >= a.age_edges[:, :4]).sum(1)
    duration_days = a.period_start[:, None] + duration_edges[None, :]
    duration = (t[:, None] >= duration_days).sum(1)
    phase = np.searchsorted(phase_days, t, side="right") - 1
    next_birthday = np.take_along_axis(a.age_edges, band[:, None], 1)[:, 0]
    age_out = a.age_edges[:, 4].copy()
    next_duration = np.where(duration < n_dur - 1, np.take_along_axis(
        duration_days, np.minimum(duration, n_dur - 2)[:, None], 1)[:, 0], np.inf)
    pstart = a.period_start
    # each child's age edges are needed again only for its next birthday: keep them by child, and a child's id
    ids = np.arange(len(t))
    edges = a.age_edges
    first_day = np.ceil(t).astype(np.int64)
    band_marks = [((run * n_band + band), first_day, 1)]
    cat_marks = [((run * n_cat + cat), first_day, 1)]
    exit_run, exit_kind, exit_day = [], [], []
    steps = 0
    while len(t):
        steps += 1
        if steps > MAX_STEPS:  # every step moves every child on to its next event or boundary: this cannot happen
            raise RuntimeError(f"the simulation took more than {MAX_STEPS} steps: a child is not moving on")
        boundary = np.minimum(np.minimum(next_birthday, next_duration), np.minimum(next_phase_day[phase], horizon))
        at = (phase * runs + run) * cells + (band * n_cat + cat) * n_dur + duration
        total = totals[at]
        wait = rng.standard_exponential(len(t))
        with np.errstate(divide="ignore"):
            t_event = t + wait / total  # a state no one leaves (rate 0) waits forever
        event = t_event < boundary
        t_next = np.where(event, t_event, boundary)
        day = np.ceil(t_next).astype(np.int64)
        # which event: in proportion to the rates
        chosen = np.flatnonzero(event)
        u = rng.random(len(chosen)) * total[chosen]
        transition = np.minimum((u[:, None] >= cumulative[at[chosen]]).sum(1), n_trans - 1)
        moves = transition < n_cat
        moved, left = chosen[moves], chosen[~moves]
        aged_out = np.flatnonzero(~event & (t_next == age_out))
        gone = np.concatenate([left, aged_out])
        exit_run += [run[gone]]
        exit_kind += [transition[~moves] - n_cat, np.full(len(aged_out), EXITS.index("eighteen"))]
        exit_day += [t_next[gone]]
        band_marks.append((run[gone] * n_band + band[gone], day[gone], -1))
        cat_marks.append((run[gone] * n_cat + cat[gone], day[gone], -1))
        cat_marks.append((run[moved] * n_cat + cat[moved], day[moved], -1))
        cat[moved] = transition[moves]
        cat_marks.append((run[moved] * n_cat + cat[moved], day[moved], 1))
        # boundaries reached: a birthday (a new band), a time-in-care band, a scenario's change
        birthday = np.flatnonzero(~event & (t_next == next_birthday) & (t_next < age_out))
        band_marks.append((run[birthday] * n_band + band[birthday], day[birthday], -1))
        band[birthday] += 1
        band_marks.append((run[birthday] * n_band + band[birthday], day[birthday], 1))
        next_birthday[birthday] = edges[ids[birthday], band[birthday]]
        longer = np.flatnonzero(~event & (t_next == next_duration))
        duration[longer] += 1
        next_duration[longer] = np.where(duration[longer] < n_dur - 1, pstart[ids[longer]] + duration_edges[
            np.minimum(duration[longer], n_dur - 2)], np.inf)
        phase += ~event & (t_next == next_phase_day[phase])
        stay = t_next < horizon
        stay[gone] = False
        keep = np.flatnonzero(stay)
        run, t, cat, band, duration, phase = run[keep], t_next[keep], cat[keep], band[keep], duration[keep], phase[keep]
        next_birthday, next_duration, age_out, ids = next_birthday[keep], next_duration[keep], age_out[keep], ids[keep]
    by_band = _daily_counts(band_marks, runs * n_band, days).reshape(runs, n_band, days + 1)
    by_category = _daily_counts(cat_marks, runs * n_cat, days).reshape(runs, n_cat, days + 1)
    exits = np.zeros((runs, len(EXITS), n_years), dtype=np.int64)
    er, ek, ed = np.concatenate(exit_run), np.concatenate(exit_kind), np.concatenate(exit_day)
    ey = np.minimum(np.searchsorted(year_days, ed, side="right") - 1, n_years - 1)
    np.add.at(exits, (er, ek, ey), 1)
    return by_band, by_category, exits


def _daily_counts(marks, series: int, days: int) -> np.ndarray:
    """Children on each day of each series (run × group) from the marks (series, first day, +1 or -1): from a +1
    on a day a child counts on it and after; from a -1, no longer."""
    slots = days + 2  # days 0..days, and one for whatever happens after the horizon
    diff = np.zeros(series * slots, dtype=np.int64)
    for sign in (1, -1):
        index = np.concatenate([s * slots + np.minimum(d, days + 1) for s, d, g in marks if g == sign])
        diff += sign * np.bincount(index, minlength=series * slots)
    return np.cumsum(diff.reshape(series, slots), axis=1, dtype=np.int32)[:, : days + 1]
