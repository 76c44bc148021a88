"""Who is in the return: the children looked after in the year, and their episodes as at 31 March.

"Looked after in the year" means having a 903 episode that starts on or before 31 March ``Y``
and ends (or is open) on or after 1 April ``Y-1``. Every table but OC3 (care leavers, who may
have left care before the year) draws its children from this cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from carelens.returns.ssda903.codes import SHORT_BREAK
from carelens.returns.ssda903.episodes import episodes_903
from carelens.returns.ssda903.problems import Ssda903DataError
from carelens.returns.ssda903.source import Source


@dataclass(frozen=True)
class Cohort:
    all_episodes: pl.DataFrame  # every 903 episode of the authority, whatever its year
    # the 903 episodes open in the year, read as at 31 March: DEC is the end date when it is on
    # or before 31 March (else blank), and REC and RPC are blank while DEC is
    episodes: pl.DataFrame
    children: list[str]  # looked after at any time in the year, sorted
    not_short: list[str]  # ... with an episode in the year that is not a short break


def cohort(src: Source) -> Cohort:
    """The children looked after in the year. Raises :class:`Ssda903DataError` when an episode
    refers to a child the person table does not hold."""
    eps_all = episodes_903(src)
    eps = eps_all.filter(
        (pl.col("start_date") <= src.end)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= src.start))
    )
    missing_people = sorted(set(eps["child_id"]) - set(src.person))
    if missing_people:
        raise Ssda903DataError(
            "episodes refer to children missing from the person table", missing_people
        )
    children = sorted(set(eps["child_id"]))
    not_short = sorted(set(eps.filter(~pl.col("legal_status").is_in(SHORT_BREAK))["child_id"]))
    # as at 31 March: later ends are not yet known
    eps = eps.with_columns(DEC=pl.when(pl.col("end_date") <= src.end).then(pl.col("end_date")))
    eps = eps.with_columns(
        REC=pl.when(pl.col("DEC").is_not_null()).then(pl.col("REC")),
        RPC=pl.when(pl.col("DEC").is_not_null()).then(pl.col("RPC")),
    )
    return Cohort(all_episodes=eps_all, episodes=eps, children=children, not_short=not_short)


def continuously_looked_after(src: Source, cohort: Cohort) -> set[str]:
    """Children looked after continuously for 12 months at 31 March (the OC2 cohort): in care in
    the year with no episode in it that starts a period of care after 1 April, ends one before
    31 March, or is a short break (the DfE definition, as the validators compute it from the
    episodes)."""
    e = cohort.episodes
    breaks = e.filter(
        ((pl.col("reason_new_episode") == "S") & (pl.col("start_date") > src.start))
        | (pl.col("REC").is_not_null() & (pl.col("REC") != "X1") & (pl.col("DEC") < src.end))
        | pl.col("legal_status").is_in(SHORT_BREAK)
    )
    return set(cohort.children) - set(breaks["child_id"])
