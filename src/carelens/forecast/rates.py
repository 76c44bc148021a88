"""The forecast's rates, estimated from the care histories: how often children enter care, move between placement
categories and leave care (docs/forecast/model.md).

Every rate is **events over days at risk** (occurrences over exposure) in a fitting window of the histories' last
years (three by default), and is per day:

- **Entry**: periods of care that began in the window, by the child's age band at the start, over the child-days
  of the resident population of that band (:mod:`.population`). Which category a child enters in is a share by
  age band.
- **Transitions and exits**: for each state — age band × placement category × time-in-care band — the moves to
  each other category and the exits of each kind (:data:`.states.EXITS`) over the days children spent in that
  state. A spell's days are split at the child's birthdays that change the age band and at the days the time in
  care changes band; its end is an event of the state it was in the day before.

**Reaching 18 is not a rate.** Care ends at the 18th birthday by law, so the simulation ages every child out then;
the days from the 18th birthday on are not at risk, and a period that ended on it is not an event. (The few exits
``eighteen`` before it — adult social care, an age assessment — are events like any other.)

**Small numbers are pooled.** A state seen for a few hundred days would give a rate of 0 or a wild one. Each rate is
shrunk towards the rate of the state it belongs to one level up — a state's towards its age band and category over
all durations, that towards its category over all ages, that towards the whole care population — by adding
``prior_days`` days at the parent's rate (a gamma prior with that weight: the posterior mean is
``(events + prior_days × parent) / (days + prior_days)``). A state seen for many years keeps its own rate; one
barely seen takes its parent's. Entry rates, counted over hundreds of thousands of child-days, are not pooled.

**Uncertainty in the rates** is kept as each rate's gamma posterior (shape = events + prior_days × parent, rate =
days + prior_days), from which each simulation run draws its own rates (:mod:`.simulate`), so the intervals
include how little a rate is known, not only the chance in who moves when. How much entries vary from year to
year beyond that chance (demand comes in waves) is measured too: :attr:`Rates.entry_dispersion`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from carelens.forecast.histories import CareHistories
from carelens.forecast.states import AGE_BANDS, DURATION_BANDS, EXITS, PLACEMENT_CATEGORIES

BANDS = tuple(key for key, _, _ in AGE_BANDS)
CATEGORIES = PLACEMENT_CATEGORIES
DURATIONS = tuple(key for key, _, _ in DURATION_BANDS)
TRANSITIONS: tuple[str, ...] = tuple(f"to_{c}" for c in CATEGORIES) + EXITS
"""What can end a child's stay in a state: a move to each category (the own category's is always 0), or an exit."""
EXIT_INDEX = {kind: len(CATEGORIES) + i for i, kind in enumerate(EXITS)}

BAND_FIRST_AGES = tuple(first for _, first, _ in AGE_BANDS[1:])  # the birthdays that change the band: 1, 5, 10, 16
AGE_OUT = 18  # care ends at the 18th birthday
DURATION_FIRST_DAYS = tuple(first for _, first, _ in DURATION_BANDS[1:])  # 183, 365, 730 days in care

DEFAULT_WINDOW_YEARS = 3
DEFAULT_PRIOR_DAYS = 365.0


@dataclass(frozen=True)
class Rates:
    """The rates of one authority fitted from its histories up to ``as_at`` over ``window_start``–``as_at``.

    Arrays are indexed by :data:`BANDS`, :data:`CATEGORIES`, :data:`DURATIONS` and :data:`TRANSITIONS`:

    - ``events`` (band, category, duration, transition) and ``days`` (band, category, duration): what was counted;
    - ``shape`` and ``rate`` (as ``events``): each transition rate's gamma posterior; its mean
      :meth:`per_day` is the rate per day;
    - ``entries`` and ``population_days`` (band): periods of care begun, and child-days of the resident
      population; ``entry_category`` (band, category): the share entering in each category;
    - ``entry_dispersion``: the variance of entries beyond chance, as the squared coefficient of variation of a
      year's entry rate (0 when entries vary no more than chance);
    - ``in_care``: the children in care on ``as_at`` the projection starts from (child_id, birth_date,
      period_start, category).
    """

    la_code: str
    as_at: dt.date
    window_start: dt.date
    prior_days: float
    events: np.ndarray
    days: np.ndarray
    shape: np.ndarray
    rate: np.ndarray
    entries: np.ndarray
    population_days: np.ndarray
    entry_category: np.ndarray
    entry_dispersion: float
    in_care: pl.DataFrame
    population: pl.DataFrame
    notes: tuple[str, ...] = field(default=())

    def per_day(self) -> np.ndarray:
        """Each transition's rate per day (the posterior mean), (band, category, duration, transition)."""
        return self.shape / self.rate

    def entry_per_day(self) -> np.ndarray:
        """Entries per resident child per day, by age band."""
        return np.divide(self.entries, self.population_days, out=np.zeros(len(BANDS)),
                         where=self.population_days > 0)

    def table(self) -> pl.DataFrame:
        """Every state's rates as rows (band, category, duration, transition, events, days, per_year), for the
        docs and the workbook: per year is per day × 365.25."""
        b, c, d, k = np.indices(self.events.shape).reshape(4, -1)
        per_day = self.per_day().reshape(-1)
        return pl.DataFrame({
            "age_band": [BANDS[i] for i in b], "category": [CATEGORIES[i] for i in c],
            "duration": [DURATIONS[i] for i in d], "transition": [TRANSITIONS[i] for i in k],
            "events": self.events.reshape(-1).astype(np.int64), "days": self.days[b, c, d].astype(np.int64),
            "per_year": per_day * 365.25,
        }).filter(pl.col("transition") != pl.concat_str(pl.lit("to_"), pl.col("category")))


def fit(histories: CareHistories, as_at: dt.date | None = None, window_years: int = DEFAULT_WINDOW_YEARS,
        prior_days: float = DEFAULT_PRIOR_DAYS) -> Rates:
    """The rates of ``histories`` over the ``window_years`` up to ``as_at`` (default: the histories' last day;
    a backtest passes an earlier day, and nothing after it is read)."""
    as_at = histories.last_day if as_at is None else min(as_at, histories.last_day)
    window_start = _years_before(as_at, window_years) + dt.timedelta(days=1)
    spells = _known_on(histories.spells, as_at)
    segments = state_segments(spells, window_start, as_at)
    events, days = _counted(segments)
    shape, rate = _pooled(events, days, prior_days)
    entries, entry_category = _entries(spells, window_start, as_at)
    population_days = _population_days(histories.population, window_start, as_at)
    dispersion = _entry_dispersion(spells, histories.population, window_start, as_at, entries, population_days)
    in_care = children_in_care(spells, as_at)
    notes = list(histories.notes)
    if days.sum() == 0:
        notes.append(f"no child was in care between {window_start} and {as_at}: every rate is 0")
    return Rates(histories.la_code, as_at, window_start, prior_days, events, days, shape, rate, entries,
                 population_days, entry_category, dispersion, in_care, histories.population, tuple(notes))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _known_on(spells: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """The spells as they were known on ``as_at``: begun by then, and an end after it not yet known."""
    s = spells.filter(pl.col("start") <= as_at)
    known = pl.col("end").is_not_null() & (pl.col("end") <= as_at)
    return s.with_columns(end=pl.when(known).then("end"), end_reason=pl.when(known).then("end_reason"))


def _birthdays(birth: pl.Expr, ages) -> list[pl.Expr]:
    return [birth.dt.offset_by(f"{age}y") for age in ages]


def state_segments(spells: pl.DataFrame, window_start: dt.date, last_day: dt.date) -> pl.DataFrame:
    """The days each spell spent in each state within ``window_start``–``last_day`` (inclusive), up to the child's
    18th birthday: one row per stretch in one age band and time-in-care band (band, category, duration as
    indices; ``lo`` and ``hi`` the first day and the day after the last), with ``transition`` (an index into
    :data:`TRANSITIONS`) on the stretch a spell ended with, else null."""
    s = spells.filter(pl.col("birth_date").is_not_null()).with_columns(
        next_category=pl.col("category").shift(-1).over("child_id", "period_start", order_by="start"))
    age_out = pl.col("birth_date").dt.offset_by(f"{AGE_OUT}y")
    after_last = pl.lit(last_day + dt.timedelta(days=1))
    s = s.with_columns(
        lo=pl.max_horizontal("start", pl.lit(window_start)),
        hi=pl.min_horizontal(pl.col("end").fill_null(after_last), after_last, age_out),
        ended=pl.col("end").is_not_null() & (pl.col("end") < age_out) & (pl.col("end") > pl.lit(window_start)),
    ).filter(pl.col("hi") > pl.col("lo")).with_row_index("spell")
    edges = [*_birthdays(pl.col("birth_date"), BAND_FIRST_AGES),
             *(pl.col("period_start") + pl.duration(days=d) for d in DURATION_FIRST_DAYS)]
    cuts = (s.select("spell", "lo", "hi", cut=pl.concat_list(edges)).explode("cut")
            .filter((pl.col("cut") > pl.col("lo")) & (pl.col("cut") < pl.col("hi"))).select("spell", "cut"))
    starts = pl.concat([s.select("spell", cut="lo"), cuts]).unique().sort("spell", "cut")
    seg = starts.with_columns(seg_hi=pl.col("cut").shift(-1).over("spell")).join(s, on="spell")
    seg = seg.with_columns(seg_hi=pl.col("seg_hi").fill_null(pl.col("hi")))
    band = pl.sum_horizontal([(pl.col("cut") >= e).cast(pl.Int8) for e in _birthdays(pl.col("birth_date"),
                                                                                        BAND_FIRST_AGES)])
    duration = pl.sum_horizontal([((pl.col("cut") - pl.col("period_start")).dt.total_days() >= d).cast(pl.Int8)
                                  for d in DURATION_FIRST_DAYS])
    category = pl.col("category").replace_strict({c: i for i, c in enumerate(CATEGORIES)}, return_dtype=pl.Int8)
    moved_to = pl.col("next_category").replace_strict({c: i for i, c in enumerate(CATEGORIES)}, default=None,
                                                      return_dtype=pl.Int8)
    exit_index = pl.col("end_reason").replace_strict(EXIT_INDEX, default=None, return_dtype=pl.Int8)
    last_stretch = pl.col("seg_hi") == pl.col("hi")
    transition = (pl.when(last_stretch & pl.col("ended") & (pl.col("hi") == pl.col("end")))
                  .then(pl.when(pl.col("end_reason") == "moved").then(moved_to).otherwise(exit_index)))
    return seg.select("child_id", band=band, category=category, duration=duration, lo="cut", hi="seg_hi",
                      transition=transition)


def _counted(segments: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    shape = (len(BANDS), len(CATEGORIES), len(DURATIONS))
    days = np.zeros(shape)
    events = np.zeros((*shape, len(TRANSITIONS)))
    t = segments.with_columns(n=(pl.col("hi") - pl.col("lo")).dt.total_days())
    d = t.group_by("band", "category", "duration").agg(pl.col("n").sum())
    np.add.at(days, tuple(d[c].to_numpy() for c in ("band", "category", "duration")), d["n"].to_numpy())
    e = t.filter(pl.col("transition").is_not_null()).group_by("band", "category", "duration", "transition").len()
    np.add.at(events, tuple(e[c].to_numpy() for c in ("band", "category", "duration", "transition")),
              e["len"].to_numpy())
    return events, days


def _pooled(events: np.ndarray, days: np.ndarray, prior_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Each state's gamma posterior (shape, rate), shrunk level by level towards its parent's rate."""
    def rate_of(n, d):
        return np.divide(n, d, out=np.zeros_like(n, dtype=float), where=d > 0)

    # the whole care population: one rate per transition (the moves into each category, from wherever)
    top = rate_of(events.sum((0, 1, 2)), days.sum())
    # each category over all ages and durations, towards the top
    by_category = _shrunk(events.sum((0, 2)), days.sum((0, 2))[..., None], top, prior_days)
    # each age band × category over all durations, towards its category
    by_band = _shrunk(events.sum(2), days.sum(2)[..., None], by_category[None], prior_days)
    shape = events + prior_days * by_band[:, :, None, :]
    rate = np.broadcast_to(days[..., None] + prior_days, shape.shape).copy()
    # with no pooling (prior_days 0) a state never seen has no rate to draw from: none
    unseen = rate == 0
    shape[unseen], rate[unseen] = 0.0, 1.0
    # a child cannot move to the category it is in
    own = np.arange(len(CATEGORIES))
    shape[:, own, :, own] = 0.0
    return shape, rate


def _shrunk(events, days, parent, prior_days):
    """(events + prior_days × parent) / (days + prior_days): the parent's rate where nothing was seen."""
    parent = np.broadcast_to(parent, np.broadcast_shapes(np.shape(events), np.shape(parent)))
    weight = days + prior_days
    return np.divide(events + prior_days * parent, weight, out=parent.copy(), where=weight > 0)


def _periods(spells: pl.DataFrame) -> pl.DataFrame:
    """Each period of care: its child, first day, the child's date of birth and the category it began in."""
    return (spells.sort("start").group_by("child_id", "period_start", maintain_order=True)
            .agg(pl.col("birth_date").first(), pl.col("category").first()))


def _age_band_on(birth: pl.Expr, day: pl.Expr) -> pl.Expr:
    return pl.sum_horizontal([(day >= e).cast(pl.Int8) for e in _birthdays(birth, BAND_FIRST_AGES)])


def _entries(spells: pl.DataFrame, window_start: dt.date, as_at: dt.date) -> tuple[np.ndarray, np.ndarray]:
    p = _periods(spells).filter(pl.col("period_start").is_between(window_start, as_at)
                                & pl.col("birth_date").is_not_null()
                                & (pl.col("period_start") < pl.col("birth_date").dt.offset_by(f"{AGE_OUT}y")))
    p = p.with_columns(band=_age_band_on(pl.col("birth_date"), pl.col("period_start")))
    entries = np.zeros(len(BANDS))
    by_band = p.group_by("band").len()
    entries[by_band["band"].to_numpy()] = by_band["len"].to_numpy()
    counts = np.zeros((len(BANDS), len(CATEGORIES)))
    by_category = p.group_by("band", "category").len()
    index = {c: i for i, c in enumerate(CATEGORIES)}
    for band, category, n in by_category.iter_rows():
        counts[band, index[category]] += n
    # one child's worth of the authority's overall mix, so a band with few entries still has every category
    overall = counts.sum(0) + 1.0 / len(CATEGORIES)
    counts += overall / overall.sum()
    return entries, counts / counts.sum(1, keepdims=True)


def population_on(population: pl.DataFrame, year: int) -> np.ndarray:
    """Resident children by single year of age 0–17 at mid-``year``: the nearest year the population has, aged
    forward one year at a time (each cohort a year older, the babies as many as the year before) when ``year``
    is after its last."""
    years = sorted(set(population["year"].to_list()))
    if not years:
        return np.zeros(AGE_OUT)
    known = min(years, key=lambda y: (abs(y - year), -y)) if year <= years[-1] else years[-1]
    row = population.filter(pl.col("year") == known).sort("age")
    by_age = np.zeros(AGE_OUT)
    by_age[row["age"].to_numpy()] = row["children"].to_numpy()
    for _ in range(year - known):
        by_age = np.concatenate([by_age[:1], by_age[:-1]])
    return by_age


def population_by_band(by_age: np.ndarray) -> np.ndarray:
    return np.array([by_age[first:last + 1].sum() for _, first, last in AGE_BANDS])


def _days_by_year(first: dt.date, last: dt.date) -> dict[int, int]:
    """Days of each calendar year within ``first``–``last`` (inclusive); a day takes that year's mid-year
    population."""
    out = {}
    for year in range(first.year, last.year + 1):
        lo, hi = max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
        out[year] = (hi - lo).days + 1
    return out


def _population_days(population: pl.DataFrame, window_start: dt.date, as_at: dt.date) -> np.ndarray:
    return sum((population_by_band(population_on(population, year)) * days
                for year, days in _days_by_year(window_start, as_at).items()), np.zeros(len(BANDS)))


def _entry_dispersion(spells: pl.DataFrame, population: pl.DataFrame, window_start: dt.date, as_at: dt.date,
                      entries: np.ndarray, population_days: np.ndarray) -> float:
    """How much a year's entries vary beyond chance: from the entries of each quarter of the window against what
    the fitted entry rates expect of it, the variance left after the Poisson variance, relative to the square
    of the expectation (method of moments; 0 when it is no more than chance)."""
    rate = np.divide(entries, population_days, out=np.zeros(len(BANDS)), where=population_days > 0)
    starts = _periods(spells).filter(pl.col("period_start").is_between(window_start, as_at))["period_start"]
    observed, expected = [], []
    lo = window_start
    while lo <= as_at:
        hi = min(_months_after(lo, 3) - dt.timedelta(days=1), as_at)
        observed.append(int(((starts >= lo) & (starts <= hi)).sum()))
        expected.append(float(sum((population_by_band(population_on(population, y)) * rate).sum() * d
                                  for y, d in _days_by_year(lo, hi).items())))
        lo = hi + dt.timedelta(days=1)
    observed, expected = np.array(observed, float), np.array(expected)
    if len(observed) < 4 or expected.sum() == 0:
        return 0.0
    # a quarter's variation of a year's rate: quarters are a quarter of the draws, so the same relative spread
    excess = ((observed - expected) ** 2 - expected).sum() / (expected ** 2).sum()
    return float(max(excess, 0.0))


def _months_after(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def children_in_care(spells: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The children in care on ``day`` and under 18, with the spell they are in (child_id, birth_date,
    period_start, category)."""
    on = spells.filter((pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day))
                       & pl.col("birth_date").is_not_null()
                       & (pl.col("birth_date").dt.offset_by(f"{AGE_OUT}y") > day))
    return on.sort("child_id", "start").unique("child_id", keep="last", maintain_order=True).select(
        "child_id", "birth_date", "period_start", "category")
