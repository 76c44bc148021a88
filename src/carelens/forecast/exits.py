"""How a period of care ended (:data:`~carelens.forecast.states.EXITS`), from the 903 reason episode ceased (REC).

Two rules, in order:

1. A period that ends on or after the child's 18th birthday ended by reaching 18 (``eighteen``), whatever REC
   says: care ends at 18 by law, and E4A, E5, E6 or E8 recorded then name where the young person went, not why
   they left. (The simulation ages every child out at 18; counting these as returns home or independent living
   would double-count them.)
2. Otherwise the REC decides, by :data:`REASONS`, which lists every code of the ``reason_episode_ceased`` code
   list (a test checks it): adoption (E11, E12), a special guardianship order (E43–E48), home — a return to
   parents or relatives, or a residence or child arrangements order (E4A, E4B, E13, E41) — and, for the few who
   leave before 18 in a way that belongs to adulthood (adult social care E7, staying with carers at 18 or over
   E17, an age assessment finding them 18 or over E15), ``eighteen``; everything else is ``other``. X1 (a new
   episode the same day) does not end a period. A REC missing or not in the code list counts as ``other``.
"""

from __future__ import annotations

import polars as pl

from carelens.forecast.states import EXITS

CONTINUES = "(care continues)"
"""X1: the episode ended and another began the same day: not a way of leaving care."""

# (903 REC, exit, why)
REASONS: tuple[tuple[str, str, str], ...] = (
    ("X1", CONTINUES, "a new episode began the same day"),
    ("E11", "adoption", "adopted: application unopposed"),
    ("E12", "adoption", "adopted: consent dispensed with by the court"),
    ("E2", "other", "died"),
    ("E3", "other", "care taken over by another local authority"),
    ("E4A", "home", "returned home to parents or relatives, as part of the care plan"),
    ("E4B", "home", "returned home to parents or relatives, not as part of the care plan"),
    ("E13", "home", "left care to live with parents or relatives without parental responsibility"),
    ("E41", "home", "residence order or child arrangements order granted (to live with a family member, "
                    "usually)"),
    ("E43", "sgo", "special guardianship order to former foster carers (to 2018)"),
    ("E44", "sgo", "special guardianship order to other carers (to 2018)"),
    ("E45", "sgo", "special guardianship order to former foster carers who are relatives or friends"),
    ("E46", "sgo", "special guardianship order to former foster carers who are not relatives or friends"),
    ("E47", "sgo", "special guardianship order to other carers who are relatives or friends"),
    ("E48", "sgo", "special guardianship order to other carers who are not relatives or friends"),
    ("E5", "other", "moved to independent living with formal support (before 18: an early move on)"),
    ("E6", "other", "moved to independent living without formal support (before 18)"),
    ("E7", "eighteen", "transferred to residential care funded by adult social care"),
    ("E9", "other", "sentenced to custody"),
    ("E14", "other", "accommodation on remand ended"),
    ("E15", "eighteen", "age assessment found the young person to be 18 or over"),
    ("E16", "other", "moved abroad"),
    ("E17", "eighteen", "aged 18 or over and stayed with the current carers (staying put)"),
    ("E8", "other", "ceased for any other reason"),
)
UNKNOWN_REASON_EXIT = "other"
"""The exit of a period that ended with no REC, or one no code list has."""

for _code, _exit, _ in REASONS:
    if _exit not in (*EXITS, CONTINUES):
        raise ValueError(f"REC {_code}: exit {_exit!r} is not one of the exits")


def exit_kind(reason: pl.Expr, end: pl.Expr, birth_date: pl.Expr) -> pl.Expr:
    """The exit of a period of care that ended on ``end`` with REC ``reason``, for a child born on ``birth_date``
    (the two rules of this module), as a Polars expression."""
    by_reason = {code: kind for code, kind, _ in REASONS if kind != CONTINUES}
    eighteenth = birth_date.dt.offset_by("18y")
    return (pl.when(end >= eighteenth).then(pl.lit("eighteen"))
            .otherwise(reason.replace_strict(by_reason, default=UNKNOWN_REASON_EXIT, return_dtype=pl.String)))


def markdown() -> str:
    """The table of ``docs/forecast/states.md``: each REC's exit."""
    lines = ["| 903 REC | Exit (before the 18th birthday) | Why |", "|---|---|---|"]
    lines += [f"| {code} | `{kind}` | {why} |" if kind in EXITS else f"| {code} | {kind} | {why} |"
              for code, kind, why in REASONS]
    lines.append(f"| (none, or not a code) | `{UNKNOWN_REASON_EXIT}` | counted in the histories' notes |")
    return "\n".join(lines) + "\n"
