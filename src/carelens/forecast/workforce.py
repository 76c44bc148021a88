"""The social workers a projected number of children in care needs, and the caseloads the service runs at now.

**FTE** (full-time equivalent) counts staff by the hours they work: one full-time social worker is 1.0, two
working half-time are 1.0 between them. A **target caseload** is children per FTE of case-holding social worker.

:func:`fte_needed` turns children in care (any array: a projection's runs × days) into FTE:

- ``in_post`` = children ÷ target caseload: the case-holding social workers who must be at work to hold every
  child at the target;
- ``agency`` = ``agency_share`` × ``in_post`` and ``employed`` = the rest: the share of those at work who are
  agency workers (DfE's agency rate is the same ratio), which a budget prices differently;
- ``establishment`` = ``in_post`` ÷ (1 − ``vacancy_rate``): the funded posts needed when that share of posts
  stands empty, and ``vacant`` = ``establishment`` − ``in_post``.

The vacancy rate here is the share of posts **nobody** fills. DfE's published vacancy rate counts a post
covered by an agency worker as vacant; used here together with the agency share, it would count the same gap
twice, so give the vacancy rate net of agency cover (or an agency share of 0 with DfE's rate).

:func:`children_in_care_caseloads` gives the caseloads the children in care teams run at now, through the
indicators API (G1 caseloads and G3 agency workers, by team, on one day). :func:`projected_fte` states the FTE a
projection needs at its start and each year end with intervals, and :func:`fte_difference` what a scenario
changes in it, run by run against the baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from carelens.forecast.intervals import summarised
from carelens.forecast.simulate import Projection, years_after
from carelens.indicators.api import Period, Selection, SelectionError, figures, latest_month_end
from carelens.model.store import Store

CHILDREN_IN_CARE_SERVICES = ("CHILDREN_IN_CARE",)
"""The team services whose caseloads are the children in care's (``teams.service``)."""

DEFAULT_TARGET_CASELOAD = 15.0
"""Children per FTE when neither the user nor the store says: a CareLens placeholder, not a published figure (a
council sets its own target; the forecast takes the caseload its children in care teams hold now when it can)."""
FTE_MEASURES = ("in_post", "employed", "agency", "establishment", "vacant")


@dataclass(frozen=True)
class FteNeeded:
    """FTE of case-holding social workers, each of the shape of the children given."""

    in_post: np.ndarray
    employed: np.ndarray
    agency: np.ndarray
    establishment: np.ndarray
    vacant: np.ndarray


def fte_needed(children_in_care, target_caseload: float, vacancy_rate: float = 0.0,
               agency_share: float = 0.0) -> FteNeeded:
    """The social-worker FTE that ``children_in_care`` need at ``target_caseload`` children per FTE, with
    ``vacancy_rate`` of funded posts empty and ``agency_share`` of those in post agency workers (fractions)."""
    if not target_caseload > 0:
        raise ValueError(f"target caseload {target_caseload!r}: expected children per FTE, more than 0")
    if not 0 <= vacancy_rate < 1:
        raise ValueError(f"vacancy rate {vacancy_rate!r}: expected a fraction from 0 to under 1 (e.g. 0.15)")
    if not 0 <= agency_share <= 1:
        raise ValueError(f"agency share {agency_share!r}: expected a fraction from 0 to 1 (e.g. 0.2)")
    children = np.asarray(children_in_care, dtype=float)
    in_post = children / target_caseload
    agency = in_post * agency_share
    establishment = in_post / (1 - vacancy_rate)
    return FteNeeded(in_post, in_post - agency, agency, establishment, establishment - in_post)


@dataclass(frozen=True)
class Caseloads:
    """The children in care teams' caseloads on ``as_at``: ``teams`` (team_id, name, case_holders, cases,
    mean_caseload, social_workers, agency_workers) and, over all of them, the children per case-holding
    social worker and the agency share (None when no worker holds a case / is in post)."""

    as_at: dt.date
    teams: pl.DataFrame
    children_per_social_worker: float | None
    agency_share: float | None


def children_in_care_caseloads(store: Store, la_code: str | None = None, as_at: dt.date | None = None,
                               services: tuple[str, ...] = CHILDREN_IN_CARE_SERVICES) -> Caseloads:
    """The current caseloads of the authority's teams of ``services`` (by default its children in care
    teams) on ``as_at`` (default: the latest complete month end), from the G indicators.

    A team's cases are its case-holding social workers (G1's numerator) times their mean caseload (G1), so the
    children per social worker over the teams is their cases over their case-holders, counted by head (the
    catalogue counts workers, not FTE). Social workers in post and agency workers are G3's denominator and
    numerator."""
    la_code = store.authority(la_code)
    as_at = as_at or latest_month_end(store, la_code)
    day = Period.as_at(as_at)
    got = figures(store, Selection(as_at=as_at, indicators=("G1", "G3"), breakdowns=("team",), authorities=la_code,
                                   windows=(day,))).values
    got = got.filter((pl.col("breakdown") == "team") & (pl.col("period_end") == as_at))
    caseloads = got.filter(pl.col("indicator") == "G1").select(
        team_id="group", case_holders="numerator", mean_caseload="value",
        cases=(pl.col("value") * pl.col("numerator")).round(0).cast(pl.Int64))
    agency = got.filter(pl.col("indicator") == "G3").select(team_id="group", social_workers="denominator",
                                                            agency_workers="numerator")
    teams = store.teams(la_code).filter(pl.col("service").is_in(services)).select("team_id", "name")
    teams = (teams.join(caseloads, on="team_id", how="left").join(agency, on="team_id", how="left")
             .with_columns(pl.col("case_holders", "cases", "social_workers", "agency_workers").fill_null(0))
             .select("team_id", "name", "case_holders", "cases", "mean_caseload", "social_workers", "agency_workers")
             .sort("team_id"))
    holders, cases = teams["case_holders"].sum(), teams["cases"].sum()
    in_post, agency_workers = teams["social_workers"].sum(), teams["agency_workers"].sum()
    return Caseloads(as_at, teams, cases / holders if holders else None,
                     agency_workers / in_post if in_post else None)


@dataclass(frozen=True)
class Staffing:
    """What the FTE is worked out with: ``target_caseload`` children per FTE, ``vacancy_rate`` and
    ``agency_share`` (fractions), and where each came from (``sources``: the option, the store or a default)."""

    target_caseload: float
    vacancy_rate: float = 0.0
    agency_share: float = 0.0
    sources: tuple[str, ...] = ()


def year_end_days(projection: Projection) -> list[int]:
    """Day 0 and the day of each anniversary of the start within the projection (its year ends)."""
    out, year = [0], 1
    while (day := (years_after(projection.start, year) - projection.start).days) <= projection.days:
        out.append(day)
        year += 1
    return out


def _fte_by_run(projection: Projection, staffing: Staffing, days: list[int]) -> dict[str, np.ndarray]:
    children = projection.total()[:, days]
    need = fte_needed(children, staffing.target_caseload, staffing.vacancy_rate, staffing.agency_share)
    return {"children": children.astype(float), **{m: getattr(need, m) for m in FTE_MEASURES}}


def _fte_frame(projection: Projection, days: list[int], measures: dict[str, np.ndarray]) -> pl.DataFrame:
    dates = [projection.start + dt.timedelta(days=d) for d in days]
    rows = []
    for measure, values in measures.items():
        s = summarised(values)
        rows += [{"date": day, "measure": measure, **{k: float(v[i]) for k, v in s.items()}}
                 for i, day in enumerate(dates)]
    return pl.DataFrame(rows)


def projected_fte(projection: Projection, staffing: Staffing) -> pl.DataFrame:
    """The children in care and the FTE they need (:func:`fte_needed`, each run's own) at the start and each year
    end: date, measure (children, in_post, employed, agency, establishment, vacant), mean, lower_95 … upper_95."""
    days = year_end_days(projection)
    return _fte_frame(projection, days, _fte_by_run(projection, staffing, days))


def fte_difference(scenario: Projection, baseline: Projection, staffing: Staffing) -> pl.DataFrame:
    """What a scenario changes in the children and the FTE at each year end, each run against the baseline's
    run of the same number (as :func:`projected_fte`)."""
    days = year_end_days(baseline)
    ours, theirs = _fte_by_run(scenario, staffing, days), _fte_by_run(baseline, staffing, days)
    return _fte_frame(baseline, days, {m: ours[m] - theirs[m] for m in ours})


def staffing_for(s: Store, la_code: str, day: dt.date, target_caseload: float | None = None,
                 vacancy_rate: float | None = None, agency_share: float | None = None) -> Staffing:
    """The staffing inputs: each one given (the command's options), else what the store's caseloads say on
    ``day``, else a default; ``sources`` says which, in words (the command names its options).
    """

    sources = []
    now = None
    if target_caseload is None or agency_share is None:
        try:
            now = children_in_care_caseloads(s, la_code, as_at=day)
        except (SelectionError, ValueError) as e:
            sources.append(f"the caseloads now could not be read from the store ({e})")
    if target_caseload is None:
        if now is not None and now.children_per_social_worker:
            target_caseload = now.children_per_social_worker
            sources.append(f"target caseload: the children in care teams' {target_caseload:.1f} children per "
                           f"case-holding social worker on {now.as_at} (G1, by head)")
        else:
            target_caseload = DEFAULT_TARGET_CASELOAD
            sources.append(f"target caseload: {DEFAULT_TARGET_CASELOAD:g}, a CareLens placeholder (no caseloads in "
                           "the store); give the council's own with --target-caseload")
    else:
        sources.append(f"target caseload: {target_caseload:g} (--target-caseload)")
    if agency_share is None:
        if now is not None and now.agency_share is not None:
            agency_share = now.agency_share
            sources.append(f"agency share: {agency_share:.1%} of the children in care teams' social workers on "
                           f"{now.as_at} (G3, by head)")
        else:
            agency_share = 0.0
            sources.append("agency share: 0 (none in the store); give it with --agency-share")
    else:
        sources.append(f"agency share: {agency_share:.1%} (--agency-share)")
    if vacancy_rate is None:
        vacancy_rate = 0.0
        sources.append("vacancy rate: 0 (the store holds no establishment); give it with --vacancy-rate")
    else:
        sources.append(f"vacancy rate: {vacancy_rate:.1%} (--vacancy-rate)")
    return Staffing(float(target_caseload), float(vacancy_rate), float(agency_share), tuple(sources))
