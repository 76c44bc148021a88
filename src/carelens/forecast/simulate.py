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
RUNS_AT_ONCE = 100
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
    (runs, exit, year) in each projection year (year 0: the days after ``start`` up to its first anniversary;
    ``year_starts`` their first days' eves)."""

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
    """``runs`` futures of the children in care from ``rates.as_at``, for ``years`` (or ``days``).

    The runs are simulated :data:`RUNS_AT_ONCE` at a time: each batch's arrays are small enough to be reused
    from one batch to the next (fresh memory is the slowest thing a NumPy program touches), and the biggest
    arrays are the results."""
    if runs < 1:
        raise ValueError(f"runs {runs!r}: expected 1 or more")
    start = rates.as_at
    if days is None:
        whole = int(years)
        end = years_after(start, whole) + dt.timedelta(days=round((years - whole) * YEAR_DAYS))
        days = (end - start).days
    if days < 1:
        raise ValueError(f"{years!r} years: expected a projection of at least a day")
    # the runs' rates come from one generator; everything a child does, from numbers keyed by the child (see
    # _uniforms), so a scenario and its baseline draw alike for every child until the scenario changes its rates
    rng = np.random.default_rng([seed, 0])
    changes = tuple(sorted((c for c in changes if c.start < start + dt.timedelta(days=days + 1)),
                           key=lambda c: c.start))
    phase_days = np.array([0.0] + [max((c.start - start).days, 0) for c in changes])
    hazards = _hazards(rates, runs, changes, parameter_uncertainty, rng)  # phase, run, cell, transition
    year_starts = tuple(years_after(start, y) for y in range(int(np.ceil(days / 365)) + 2)
                        if years_after(start, y) < start + dt.timedelta(days=days))
    year_days = np.array([(y - start).days for y in year_starts], dtype=float)
    n_years = len(year_starts)
    per_run, yearly = _entry_rates(rates, runs, n_years, parameter_uncertainty, rng)
    census = _census(rates)
    populations = {year: population_on(rates.population, year)
                   for year in range(start.year, (start + dt.timedelta(days=days)).year + 1)}
    counts = _count_type(rates, days, changes)
    by_band = np.empty((runs, len(BANDS), days + 1), dtype=counts)
    by_category = np.empty((runs, len(CATEGORIES), days + 1), dtype=counts)
    entries = np.zeros((runs, n_years), dtype=np.int64)
    exits = np.zeros((runs, len(EXITS), n_years), dtype=np.int64)
    for lo in range(0, runs, RUNS_AT_ONCE):
        hi = min(lo + RUNS_AT_ONCE, runs)
        agents = _agents(rates, census, lo, per_run[lo:hi], yearly[lo:hi], days, changes, phase_days, year_days,
                         entries[lo:hi], seed, populations)
        _run(agents, hazards[:, lo:hi], phase_days, days, year_days, seed, by_band[lo:hi], by_category[lo:hi],
             exits[lo:hi])
    return Projection(start, days, runs, seed, by_band, by_category, entries, exits, year_starts, changes)


def _count_type(rates: Rates, days: int, changes) -> type:
    """16-bit counts (half the memory to fill, the slowest part of counting) unless a run could come near 32,767
    children in one series: the children in care now and ten times the entrants the fitted rate expects, with
    every change's largest factor, is a bound no run reaches."""
    window_days = max((rates.as_at - rates.window_start).days + 1, 1)
    factor = max([1.0] + [float(np.max(c.entry)) for c in changes])
    most = rates.in_care.height + 10 * factor * rates.entries.sum() / window_days * days + 1000
    return np.int16 if most < np.iinfo(np.int16).max else np.int32


def _hazards(rates: Rates, runs: int, changes, parameter_uncertainty: bool, rng) -> np.ndarray:
    """Each run's rates (drawn from their posteriors, or their means), in each phase: (phase, run, cell,
    transition)."""
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


def _entry_rates(rates: Rates, runs: int, n_years: int, parameter_uncertainty: bool, rng):
    """Each run's entry rate per child per day by band (runs, band), and its multiplier of each year's (runs,
    year): a gamma with mean 1 and squared coefficient of variation the entry dispersion."""
    if parameter_uncertainty:
        per_run = rng.gamma(np.broadcast_to(rates.entries, (runs, len(BANDS))), 1.0) / np.where(
            rates.population_days > 0, rates.population_days, 1.0)
    else:
        per_run = np.broadcast_to(rates.entry_per_day(), (runs, len(BANDS)))
    if rates.entry_dispersion > 0:
        k = 1.0 / rates.entry_dispersion
        yearly = rng.gamma(k, 1.0 / k, size=(runs, n_years))
    else:
        yearly = np.ones((runs, n_years))
    return per_run, yearly


@dataclass
class _Agents:
    run: np.ndarray  # the run, within the batch
    t: np.ndarray  # the day (continuous) the child's current state began
    age_edges: np.ndarray  # days of the birthdays 1, 5, 10, 16 and 18, (n, 5)
    period_start: np.ndarray  # the day the period of care began (≤ 0 for the children in care at the start)
    category: np.ndarray
    key: np.ndarray  # uint64: the child's own, whatever else happens in the run (see _uniforms)


# The keys of a run's children: the k-th entrant of age a in run r is ((r × 18 + a) << ENTRANT_BITS) + k; the i-th
# child in care at the start is CENSUS_KEYS + r × (children in care) + i
ENTRANT_BITS = 24
CENSUS_KEYS = 1 << 52


def _salt(seed: int, *what: int) -> np.uint64:
    return np.random.SeedSequence([seed, *what]).generate_state(1, np.uint64)[0]


_GOLDEN, _MIX1, _MIX2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _uniforms(keys: np.ndarray, salt: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """Two uniform numbers in (0, 1) for each key, a function of the key and the salt alone (SplitMix64's mixing of
    a Weyl sequence: key × golden ratio + salt). A child's numbers for its k-th step, or its entry, do not depend
    on how many other children there are or what they do: which is what lets a scenario and its baseline be
    compared child by child."""
    x = keys * _GOLDEN
    x += salt
    x ^= x >> np.uint64(30)
    x *= _MIX1
    x ^= x >> np.uint64(27)
    x *= _MIX2
    x ^= x >> np.uint64(31)
    scale = 2.0 ** -32
    return ((x >> np.uint64(32)).astype(np.float64) + 0.5) * scale, ((x & np.uint64(0xFFFFFFFF)).astype(
        np.float64) + 0.5) * scale


def _census(rates: Rates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The children in care on the first day: their birthdays' days (n, 5), period start days and categories."""
    census, start = rates.in_care, rates.as_at
    if census.is_empty():
        return np.zeros((0, 5)), np.zeros(0), np.zeros(0, dtype=np.int64)
    days = census.select(
        *((pl.col("birth_date").dt.offset_by(f"{age}y") - pl.lit(start)).dt.total_days().alias(f"b{age}")
          for age in (*BAND_FIRST_AGES, AGE_OUT)),
        period=(pl.col("period_start") - pl.lit(start)).dt.total_days(),
        category=pl.col("category").replace_strict({c: i for i, c in enumerate(CATEGORIES)}, return_dtype=pl.Int64))
    edges = days.select(pl.exclude("period", "category")).to_numpy().astype(float)
    return edges, days["period"].to_numpy().astype(float), days["category"].to_numpy()


BAND_OF_AGE = np.array([next(i for i, (_, lo, hi) in enumerate(AGE_BANDS) if lo <= a <= hi) for a in range(AGE_OUT)])


def _agents(rates: Rates, census, first_run, per_run, yearly, days, changes, phase_days, year_days, entries,
            seed, populations) -> _Agents:
    """A batch's children: those in care on the first day, in every run, and each run's entrants (``entries`` is
    filled in, by projection year).

    Entrants of each run and single year of age arrive as a Poisson process whose rate is constant within each
    segment of the horizon (projection years, cut where a change starts): the k-th arrives where the sum of k
    unit exponential gaps reaches the process's cumulative rate. The gaps are keyed by (run, age, k), so a
    scenario that changes entries from a day has exactly the baseline's entrants before it."""
    runs = len(per_run)
    c_edges, c_period, c_cat = census
    n0 = len(c_period)
    start = rates.as_at
    cuts = np.array(sorted({0.0, float(days), *(d for d in phase_days if 0 < d < days),
                            *(d for d in year_days if 0 < d < days)}))
    lengths = np.diff(cuts)
    rate = np.empty((runs, AGE_OUT, len(lengths)))  # entrants a day
    for segment, (lo, hi) in enumerate(zip(cuts[:-1], cuts[1:], strict=True)):
        year = int(np.searchsorted(year_days, lo, side="right") - 1)
        phase = int(np.searchsorted(phase_days, lo, side="right") - 1)
        factor = np.ones(len(BANDS))
        for change in changes[:phase]:
            factor = factor * change.entry
        people = populations[(start + dt.timedelta(days=(lo + hi) / 2)).year]  # by age
        rate[:, :, segment] = (per_run[:, BAND_OF_AGE] * factor[BAND_OF_AGE] * people[None, :]
                               * yearly[:, year, None])
    cumulative = np.concatenate([np.zeros((runs, AGE_OUT, 1)), np.cumsum(rate * lengths, axis=2)], axis=2)
    expected = cumulative[:, :, -1]  # runs, age
    # enough gaps for every run and age: the expected number and 8 standard deviations more
    most = int(np.ceil(expected.max() + 8 * np.sqrt(expected.max()) + 20)) if expected.size else 0
    if most >= 1 << ENTRANT_BITS:
        raise ValueError(f"{expected.max():,.0f} entrants of one age in one run: more than the simulation keys")
    pair = (first_run + np.arange(runs))[:, None] * AGE_OUT + np.arange(AGE_OUT)[None, :]  # runs, age
    keys = ((pair.astype(np.uint64)[:, :, None] << np.uint64(ENTRANT_BITS))
            + np.arange(most, dtype=np.uint64)[None, None, :])
    gap, birth_draw = _uniforms(keys.reshape(-1), _salt(seed, 1))
    reached = np.cumsum(-np.log(gap).reshape(runs, AGE_OUT, most), axis=2)
    arrived = reached <= expected[:, :, None]
    r, a, k = np.nonzero(arrived)
    level = reached[r, a, k]
    # which segment each arrival falls in, and where in it
    within = cumulative[r, a]  # arrivals, segments + 1
    segment = np.minimum((level[:, None] > within[:, 1:]).sum(1), len(lengths) - 1)
    e_t = cuts[segment] + (level - within[np.arange(len(level)), segment]) / rate[r, a, segment]
    e_t = np.minimum(e_t, float(days))
    year = np.clip(np.searchsorted(year_days, e_t, side="left") - 1, 0, entries.shape[1] - 1)
    entries += np.bincount(r * entries.shape[1] + year, minlength=entries.size).reshape(entries.shape)
    e_key = keys[r, a, k]
    birth_draw = birth_draw.reshape(runs, AGE_OUT, most)[r, a, k]
    _, category_draw = _uniforms(e_key, _salt(seed, 2))
    # an entrant of age a was born between a and a + 1 years before it entered
    e_birth = e_t - (a + birth_draw) * YEAR_DAYS
    e_edges = e_birth[:, None] + np.array([*BAND_FIRST_AGES, AGE_OUT])[None, :] * YEAR_DAYS
    # the category it enters in, by its band's shares: the first whose cumulative share passes the draw
    band = BAND_OF_AGE[a]
    shares = np.cumsum(rates.entry_category, 1)
    n_cat = len(CATEGORIES)
    table = (np.arange(len(BANDS))[:, None] + shares / shares[:, -1:]).reshape(-1)
    table[n_cat - 1::n_cat] = np.arange(1, len(BANDS) + 1)
    e_cat = np.minimum(np.searchsorted(table, band + category_draw, side="right") - band * n_cat, n_cat - 1)
    census_keys = (np.uint64(CENSUS_KEYS) + (np.uint64(first_run) + np.arange(runs, dtype=np.uint64))[:, None]
                   * np.uint64(max(n0, 1)) + np.arange(n0, dtype=np.uint64)[None, :]).reshape(-1)
    return _Agents(
        run=np.concatenate([np.repeat(np.arange(runs), n0), r]),
        t=np.concatenate([np.zeros(n0 * runs), e_t]),
        age_edges=np.concatenate([np.tile(c_edges, (runs, 1)), e_edges]),
        period_start=np.concatenate([np.tile(c_period, runs), e_t]),
        category=np.concatenate([np.tile(c_cat, runs), e_cat]),
        key=np.concatenate([census_keys, e_key]),
    )


def _run(a: _Agents, hazards, phase_days, days, year_days, seed, by_band, by_category, exits) -> None:
    """Every child of every run, event by event to the horizon: children in care on each day by age band and by
    category, and the exits of each kind in each projection year.

    A child's whole state — phase (which scenario changes are in force), run, age band, category and time-in-care
    band — is one index into the rates (``at``), moved on by a fixed step when one part changes, so a step costs
    a few passes over the children still in care; what changes seldom (the next birthday, the next time-in-care
    band) is kept by child and looked up only for the children who reach it. What the daily counts need is
    recorded only when it changes: a child counts +1 in a band (category) from the day it is in it and -1 from
    the day it is not."""
    n_cat, n_dur, n_band, n_trans = len(CATEGORIES), len(DURATIONS), len(BANDS), len(TRANSITIONS)
    cells = n_band * n_cat * n_dur
    phased = len(phase_days) > 1
    # the last day counted: a child counts on it when it has not left by it, so nothing after it matters
    horizon = float(days)
    duration_edges = np.array(DURATION_FIRST_DAYS, dtype=float)
    next_phase_day = np.append(phase_days[1:], np.inf)
    runs = hazards.shape[1]
    totals = hazards.sum(-1).reshape(-1)
    keep_prob, alias = _alias_tables(hazards.reshape(-1, n_trans), totals)
    edges, pstart = a.age_edges, a.period_start
    t = a.t
    run, cat = a.run.astype(np.int64), a.category.astype(np.int64)
    band = (t[:, None] >= edges[:, :4]).sum(1)
    duration_days = pstart[:, None] + duration_edges[None, :]
    duration = (t[:, None] >= duration_days).sum(1)
    phase = np.searchsorted(phase_days, t, side="right") - 1
    next_birthday = np.take_along_axis(edges, band[:, None], 1)[:, 0]
    next_duration = np.where(duration < n_dur - 1, np.take_along_axis(
        duration_days, np.minimum(duration, n_dur - 2)[:, None], 1)[:, 0], np.inf)
    del duration_days
    age_out = edges[:, 4]
    at = (phase * runs + run) * cells + (band * n_cat + cat) * n_dur + duration
    ids = np.arange(len(t))
    key = a.key
    nxt = np.minimum(next_birthday, next_duration)
    first_day = np.ceil(t).astype(np.int64)
    band_marks = [(run * n_band + band, first_day, 1)]
    cat_marks = [(run * n_cat + cat, first_day, 1)]
    del run, cat, band, duration, phase
    exit_run, exit_kind, exit_day = [], [], []
    eighteen = EXITS.index("eighteen")

    def band_series(at):
        return (at // (n_cat * n_dur)) % (runs * n_band)

    def cat_series(at):
        return ((at // cells) % runs) * n_cat + (at // n_dur) % n_cat

    steps = 0
    while len(t):
        steps += 1
        if steps > MAX_STEPS:  # every step moves every child on to its next event or boundary: this cannot happen
            raise RuntimeError(f"the simulation took more than {MAX_STEPS} steps: a child is not moving on")
        boundary = np.minimum(nxt, horizon)
        if phased:
            boundary = np.minimum(boundary, next_phase_day[at // (runs * cells)])
        total = totals[at]
        # the child's own numbers for its step (every child takes one step each time round, from the first)
        wait_draw, event_draw = _uniforms(key, _salt(seed, 3, steps))
        with np.errstate(divide="ignore", over="ignore"):  # a rate of 0, or one so small the wait overflows: never
            t_event = t - np.log(wait_draw) / total  # a state no one leaves (rate 0) waits forever
        event = t_event < boundary
        t_next = np.where(event, t_event, boundary)
        # which event: in proportion to the rates
        chosen = np.flatnonzero(event)
        # which event, by the alias method: a column drawn uniformly, kept or swapped for its alias
        draw = event_draw[chosen] * n_trans
        column = np.minimum(draw.astype(np.int64), n_trans - 1)
        slot = at[chosen] * n_trans + column
        transition = np.where(draw - column < keep_prob[slot], column, alias[slot])
        moves = transition < n_cat
        moved, left = chosen[moves], chosen[~moves]
        # boundaries reached: the 18th birthday (out of care), another birthday (a new band), a time-in-care band,
        # a scenario's change
        hits = np.flatnonzero(~event)
        hit_ids, hit_t = ids[hits], t_next[hits]
        out = age_out[hit_ids] == hit_t
        aged_out = hits[out]
        gone = np.concatenate([left, aged_out])
        gone_day = np.ceil(t_next[gone]).astype(np.int64)
        exit_run.append((at[gone] // cells) % runs)
        exit_kind += [transition[~moves] - n_cat, np.full(len(aged_out), eighteen)]
        exit_day.append(t_next[gone])
        band_marks.append((band_series(at[gone]), gone_day, -1))
        cat_marks.append((cat_series(at[gone]), gone_day, -1))
        moved_day = np.ceil(t_next[moved]).astype(np.int64)
        cat_marks.append((cat_series(at[moved]), moved_day, -1))
        at[moved] += (transition[moves] - (at[moved] // n_dur) % n_cat) * n_dur
        cat_marks.append((cat_series(at[moved]), moved_day, 1))
        birthday = ~out & (next_birthday[hit_ids] == hit_t)
        b_rows, b_ids = hits[birthday], hit_ids[birthday]
        b_day = np.ceil(hit_t[birthday]).astype(np.int64)
        band_marks.append((band_series(at[b_rows]), b_day, -1))
        at[b_rows] += n_cat * n_dur
        band_marks.append((band_series(at[b_rows]), b_day, 1))
        next_birthday[b_ids] = edges[b_ids, (at[b_rows] // (n_cat * n_dur)) % n_band]
        longer = next_duration[hit_ids] == hit_t
        l_rows, l_ids = hits[longer], hit_ids[longer]
        at[l_rows] += 1
        now = at[l_rows] % n_dur
        next_duration[l_ids] = np.where(now < n_dur - 1, pstart[l_ids] + duration_edges[np.minimum(now, n_dur - 2)],
                                        np.inf)
        if phased:
            moved_on = next_phase_day[at[hits] // (runs * cells)] == hit_t
            at[hits[moved_on]] += runs * cells
        nxt[hits] = np.minimum(next_birthday[hit_ids], next_duration[hit_ids])
        stay = t_next < horizon
        stay[gone] = False
        keep = np.flatnonzero(stay)
        t, at, ids, nxt, key = t_next[keep], at[keep], ids[keep], nxt[keep], key[keep]
    _daily_counts(band_marks, runs * n_band, days, by_band.reshape(-1, days + 1))
    _daily_counts(cat_marks, runs * n_cat, days, by_category.reshape(-1, days + 1))
    er, ek, ed = np.concatenate(exit_run), np.concatenate(exit_kind), np.concatenate(exit_day)
    # year k holds the days after its start up to and including the next year's start
    ey = np.clip(np.searchsorted(year_days, ed, side="left") - 1, 0, exits.shape[2] - 1)
    np.add.at(exits, (er, ek, ey), 1)


def _alias_tables(hazards: np.ndarray, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias tables of each state's events (rows of ``hazards``), built for all states at once: column j
    of a row is kept with probability ``keep[j]`` and is otherwise its ``alias[j]``, so drawing a column uniformly
    and then keeping or swapping it draws each event in proportion to its rate. Each pass pairs every row's
    smallest remaining column (at most the mean) with its largest (at least the mean), which gives up the rest;
    the remaining columns are kept twice over, as candidates for smallest (closed ones at +inf) and for largest
    (closed ones at -inf), so a pass costs two reductions and a few updates of one column per row."""
    rows, k = hazards.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(totals[:, None] > 0, hazards * k / totals[:, None], 1.0).reshape(-1)
    keep = np.ones(rows * k)
    alias = np.tile(np.arange(k), rows)
    smallest, largest = scaled.reshape(rows, k).copy(), scaled.reshape(rows, k).copy()
    flat_smallest, flat_largest = smallest.reshape(-1), largest.reshape(-1)
    first = np.arange(rows) * k  # each row's first column in the flat arrays
    for _ in range(k - 1):
        small = first + smallest.argmin(1)
        large = first + largest.argmax(1)
        given = scaled[small]
        keep[small] = given
        alias[small] = large - first
        flat_smallest[small] = np.inf
        flat_largest[small] = -np.inf
        left = scaled[large] - (1.0 - given)
        scaled[large] = left
        # a column that was its own alias (a row all at the mean) is closed: leave it so
        still = large[np.isfinite(flat_smallest[large])]
        flat_smallest[still] = scaled[still]
        flat_largest[still] = scaled[still]
    return np.minimum(keep, 1.0), alias


def _daily_counts(marks, series: int, days: int, out: np.ndarray) -> None:
    """Children on each day of each series (run × group) from the marks (series, first day, +1 or -1): from a +1
    on a day a child counts on it and after; from a -1, no longer."""
    slots = days + 2  # days 0..days, and one for whatever happens after the horizon
    size = series * slots
    # the +1 marks count in the first half, the -1 marks in the second: one pass of counting
    index = np.concatenate([s * slots + np.minimum(d, days + 1) + (0 if g == 1 else size) for s, d, g in marks])
    counted = np.bincount(index, minlength=2 * size)
    diff = np.subtract(counted[:size], counted[size:], out=counted[:size]).reshape(series, slots)
    out[:] = np.cumsum(diff, axis=1, out=diff)[:, : days + 1]
