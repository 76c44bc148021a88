"""The SSDA903 (children looked after) return: one authority's CSV files for one collection year.

Collection year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y``. The return is a
set of CSV files, one per DfE table, with the column names, column order and code
lists of the DfE specification for that year (``SSDA903_schema_2017.yml`` and its
yearly diffs, restated in :mod:`carelens.return_specs.ssda903`):

==========================  ===================================================
file                        rows
==========================  ===================================================
``header.csv``              every child looked after at any time in the year,
                            plus care leavers in the OC3 cohort
``episodes.csv``            every episode open at any time in the year
``uasc.csv``                looked-after children who were UASC during the year
``reviews.csv``             statutory reviews held in the year while looked after
``oc2.csv``                 children looked after continuously for 12 months
``oc3.csv``                 care leavers with a 17th-21st birthday in the year
``ad1.csv``                 children adopted in the year
``placed_for_adoption.csv`` adoption decisions in force during the year
``previous_permanence.csv`` children who started a period of care in the year
``missing.csv``             missing / away-without-authorisation spells in the year
``sw_episodes.csv``         social worker episodes during the year of children
                            looked after on 31 March (2024 onwards only)
==========================  ===================================================

Every collection year from 2017 (the 2016/17 return) to 2026 is supported. Before 2024
there is no social worker table, so ten files are written instead of eleven. Where the
store holds a code that the year's list spells differently (the store keeps the newest
code, or the code that was valid when the event happened), it is recoded to the year's
code when the year's code has the same meaning or is the broader code it was split
from (:func:`year_recoding`); a code that cannot be recoded is a specification error.

The store is read *as at 31 March Y*: an episode, missing spell, allocation or
adoption-decision reversal that ended after that date is written as still open.
Who goes in each file and how every column is derived is described in
``docs/returns/ssda903.md``; the rules follow the DfE guidance as checked by the
sector's reference validator (Data to Insight's ``lac_validator``).

All files are written into a temporary directory next to ``out_dir`` and moved
into place only when every file has been written, so a failed run never leaves a
half-written return behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carelens.collection_years import COLLECTION_YEARS
from carelens.model import code_lists
from carelens.model.store import Store, conform
from carelens.return_specs.ssda903 import FILES, check_year, columns, files, table_spec

# the specification stays part of the writer's API (callers ask the writer which files it writes)
__all__ = ["FILES", "SUPPORTED_YEARS", "Ssda903DataError", "Ssda903Summary", "build_ssda903",
           "columns", "files", "table_spec", "write_ssda903", "year_recoding"]

SUPPORTED_YEARS = COLLECTION_YEARS
"""Collection years the writer supports: every collection year (:mod:`carelens.collection_years`)."""

# ------------------------------------------------------------------------ derivation constants
_SHORT_BREAK = ("V3", "V4")  # legal statuses of short-break (respite) care
_TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
_Z_OTHER = ("Z11", "Z12", "Z13", "Z14")
# placement types that never have a placement provider
_NO_PROVIDER = _TEMPORARY + ("Z1",) + _Z_OTHER
# placement types for which no Ofsted URN is recorded (rules 218/222/242)
_NO_URN = ("P1", "P2", "P3", "R1", "R2", "R5") + _TEMPORARY + ("Z1",) + _Z_OTHER
# H5 (semi-independent living) was not Ofsted-registered until 28 October 2023: no URN in the
# returns before 2023/24 (rule 222 up to 2022/23)
_FIRST_H5_URN_YEAR = 2024
_ADOPTED = ("E11", "E12")
_REVERSAL_REASONS = ("RD1", "RD2", "RD3", "RD4")
_FIRST_CONTACT = "FCONTA"
_SW_GAP_DAYS = (
    7  # a new worker within 7 days of the last one is a change of worker, not a first contact
)
_UNKNOWN_DATE = "ZZ/ZZ/ZZZZ"  # DfE convention for an unknown previous-permanence order date


def year_recoding(year: int) -> dict[str, dict[str, str]]:
    """Store code -> code of the ``year`` list, by 903 column, for codes the year spells differently.

    Only recodings that keep the meaning are made: the same thing under another code, or a
    newer, finer code written as the broader code it was split from. A code with no such
    equivalent in the year (P2 from 2025, E43/E44 from 2019, F3/P3 from 2022, SEX U before
    2025) is left as it is, and the specification check reports it.

    * PLACE: from 28 October 2023 supported accommodation is Ofsted-registered; the returns
      up to 2023/24 call it H5, from 2024/25 it is K3 (the same placement, so the episode is
      not split). The 2025/26 sub-codes Z11-Z14 of 'other placement' are Z1 before 2026.
    * REC (before 2019): special guardianship to former foster carers, E45 (relatives or
      friends) and E46 (others), was E43; to other carers, E47 and E48, was E44.
    * REASON_PLACE_CHANGE (before 2019): CUSTOD (child admitted to custody) was OTHER.
    * ACTIV (before 2022): apprenticeships (F4/P4) and other training or employment
      (F5/P5) were F3/P3 (full- or part-time training or employment).
    """
    check_year(year)
    z_other = {z: "Z1" for z in _Z_OTHER}
    out: dict[str, dict[str, str]] = {}
    if year <= 2024:
        out["PLACE"] = {"K3": "H5", **z_other}
    elif year == 2025:
        out["PLACE"] = {"H5": "K3", **z_other}
    else:
        out["PLACE"] = {"H5": "K3"}
    if year < 2019:
        out["REC"] = {"E45": "E43", "E46": "E43", "E47": "E44", "E48": "E44"}
        out["REASON_PLACE_CHANGE"] = {"CUSTOD": "OTHER"}
    if year < 2022:
        out["ACTIV"] = {"F4": "F3", "F5": "F3", "P4": "P3", "P5": "P3"}
    return out


# --------------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class Ssda903Summary:
    """What :func:`write_ssda903` wrote."""

    year: int
    la_code: str
    out_dir: Path
    collection_start: dt.date
    collection_end: dt.date
    rows: dict[str, int]  # CSV file name -> data rows written
    children: int  # rows of header.csv
    excluded: dict[str, int]  # records of the store left out by an inclusion rule, by reason
    warnings: tuple[
        str, ...
    ]  # gaps the DfE validation would query (the files are still valid to the spec)
    problems: tuple[str, ...]  # values that break the spec (only when written with strict=False)


class Ssda903DataError(ValueError):
    """The store holds data that cannot be written as a valid SSDA903 return."""

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()):
        self.problems = tuple(problems)
        if self.problems:
            shown = "\n  ".join(self.problems[:20])
            more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
            message = f"{message}:\n  {shown}{more}"
        super().__init__(message)


collection_period = code_lists.collection_period  # first and last day of a collection year


def build_ssda903(
    store: Store, year: int, la_code: str | None = None, *, strict: bool = True
) -> tuple[dict[str, pl.DataFrame], Ssda903Summary]:
    """Build the tables of the return in memory (all columns strings, spec order), without writing.

    Returns the frames keyed by CSV file name and a summary whose ``out_dir`` is empty.
    Raises :class:`Ssda903DataError` for data that breaks the spec (with ``strict``), and
    always for sex ``U`` before 2025, which the return cannot express.
    """
    check_year(year)
    la = store.authority(la_code)
    builder = _Builder(store, year, la)
    frames = builder.build()
    problems = _spec_problems(year, frames)
    if problems and strict:
        raise Ssda903DataError(
            f"the {year} SSDA903 return for {la} would not meet the DfE specification", problems
        )
    start, end = collection_period(year)
    out = {FILES[t][1]: f for t, f in frames.items()}
    summary = Ssda903Summary(
        year=year,
        la_code=la,
        out_dir=Path(),
        collection_start=start,
        collection_end=end,
        rows={name: f.height for name, f in out.items()},
        children=frames["header"].height,
        excluded=dict(sorted(builder.excluded.items())),
        warnings=tuple(builder.warnings),
        problems=tuple(problems),
    )
    return out, summary


def write_ssda903(
    store: Store, year: int, out_dir: str | Path, la_code: str | None = None, *, strict: bool = True
) -> Ssda903Summary:
    """Write one authority's SSDA903 return for collection ``year`` as CSV files in ``out_dir``.

    ``la_code`` selects the authority when the store holds several; when ``None`` the
    store's ``person`` table must hold exactly one. The files are written to a temporary
    directory beside ``out_dir`` and moved into place only once all of them succeed.
    With ``strict`` (the default) a value that breaks the year's DfE specification (an
    invalid code, a blank mandatory field) raises :class:`Ssda903DataError` and nothing
    is written; with ``strict=False`` it is written as found and listed in
    ``summary.problems``.
    """
    frames, summary = build_ssda903(store, year, la_code, strict=strict)
    out_dir = Path(out_dir)
    _write_atomically(frames, out_dir)
    return dataclasses.replace(summary, out_dir=out_dir)


# ----------------------------------------------------------------------------- implementation
def _add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February in a non-leap year: the day before 1 March
        return dt.date(d.year + n, 2, 28)


def _fmt(d: dt.date | None) -> str | None:
    return None if d is None else d.strftime("%d/%m/%Y")


def _flag(b: bool | None) -> str | None:
    return None if b is None else ("1" if b else "0")


def _postcode(column: str) -> pl.Expr:
    """Upper case, single spaces, blank as null."""
    p = pl.col(column).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(p == "").then(None).otherwise(p).alias(column)


class _Builder:
    """Derives every table of the return for one authority and year."""

    def __init__(self, store: Store, year: int, la: str):
        self.year, self.la = year, la
        self.start, self.end = collection_period(year)
        self.spec = table_spec(year)
        self.recode = year_recoding(year)
        self.no_urn = _NO_URN + (("H5",) if year < _FIRST_H5_URN_YEAR else ())
        self.excluded: Counter[str] = Counter()
        self.warnings: list[str] = []
        self.t = {
            name: self._load(store, name)
            for name in (
                "person",
                "periods_of_care",
                "looked_after_episodes",
                "placements",
                "looked_after_reviews",
                "annual_outcomes",
                "missing_episodes",
                "permanence",
                "previous_permanence",
                "care_leaver_contacts",
                "allocations",
            )
        }
        self.person = {r["child_id"]: r for r in self.t["person"].iter_rows(named=True)}
        # SW_ID is the worker's Social Work England registration number where the store has it
        workers = self._load(store, "workers")
        self.sw_id = {w: reg or w for w, reg in zip(workers["worker_id"].to_list(),
                                                     workers["swe_registration"].to_list())}
        # workers the store knows are not registered social workers (e.g. early help practitioners)
        self.not_social_workers = [w for w, reg in zip(workers["worker_id"].to_list(),
                                                       workers["swe_registration"].to_list())
                                   if reg is None and not w.upper().startswith(("SW", "XX"))]

    def _load(self, store: Store, name: str) -> pl.DataFrame:
        t = store.table(name)
        return conform(name, t.filter(t.la_code == self.la).to_polars())

    def _frame(self, rows: list[dict], table: str) -> pl.DataFrame:
        return _frame(rows, [c.name for c in self.spec[table]])

    def _dob(self, child: str) -> dt.date:
        return self.person[child]["date_of_birth"]

    def _exclude(self, reason: str, n: int = 1) -> None:
        if n:
            self.excluded[reason] += n

    # ------------------------------------------------------------------ build everything
    def build(self) -> dict[str, pl.DataFrame]:
        eps_all = self._episodes_all()
        self.eps_all = eps_all
        eps = eps_all.filter(
            (pl.col("start_date") <= self.end)
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= self.start))
        )
        missing_people = sorted(set(eps["child_id"]) - set(self.person))
        if missing_people:
            raise Ssda903DataError(
                "episodes refer to children missing from the person table", missing_people
            )
        self.cohort = sorted(set(eps["child_id"]))  # looked after at any time in the year
        self.not_short = sorted(
            set(eps.filter(~pl.col("legal_status").is_in(_SHORT_BREAK))["child_id"])
        )
        # as at 31 March: later ends are not yet known
        eps = eps.with_columns(DEC=pl.when(pl.col("end_date") <= self.end).then(pl.col("end_date")))
        eps = eps.with_columns(
            REC=pl.when(pl.col("DEC").is_not_null()).then(pl.col("REC")),
            RPC=pl.when(pl.col("DEC").is_not_null()).then(pl.col("RPC")),
        )
        self.eps = eps
        uasc = self._uasc()
        self.uasc_children = set(uasc["CHILD"])
        episodes = self._episodes(eps)
        oc3, oc3_children = self._oc3()
        frames = {
            "header": self._header(sorted(set(self.cohort) | oc3_children)),
            "episodes": episodes,
            "uasc": uasc,
            "reviews": self._reviews(),
            "oc2": self._oc2(),
            "oc3": oc3,
            "ad1": self._ad1(),
            "placed_adoption": self._placed_adoption(),
            "prev_perm": self._prev_perm(),
            "missing": self._missing(),
        }
        if "social_worker" in self.spec:  # 2024 onwards
            frames["social_worker"] = self._social_worker()
        return {
            name: frame.select([pl.col(c.name).cast(pl.Utf8) for c in self.spec[name]])
            for name, frame in frames.items()
        }

    # ------------------------------------------------------------------ episodes
    def _episodes_all(self) -> pl.DataFrame:
        """Every episode of the authority, as 903 episodes: recoded for the year, fields filled from
        the placement where the episode lacks them, and consecutive episodes that differ in neither
        legal status nor placement merged (a 903 episode starts only when one of them changes)."""
        eps = self.t["looked_after_episodes"]
        pls = self.t["placements"].select(
            "placement_id",
            pl.col("postcode").alias("pl_postcode"),
            pl.col("urn").alias("pl_urn"),
            pl.col("provider").alias("pl_provider"),
            pl.col("change_reason").alias("pl_change_reason"),
        )
        per = self.t["person"].select(
            "child_id", pl.col("home_postcode").alias("person_home_postcode")
        )
        periods = self.t["periods_of_care"].select(
            "period_id", pl.col("reason_ceased").alias("period_reason_ceased")
        )
        eps = (
            eps.join(pls, on="placement_id", how="left")
            .join(per, on="child_id", how="left")
            .join(periods, on="period_id", how="left")
            .sort(["child_id", "start_date", "episode_id"])
        )
        place = pl.col("placement_type").replace(self.recode["PLACE"])
        short = pl.col("legal_status").is_in(_SHORT_BREAK)
        eps = eps.with_columns(PLACE=place).with_columns(
            PROVIDER=pl.when(pl.col("PLACE").is_in(_NO_PROVIDER))
            .then(None)
            .otherwise(pl.coalesce("placement_provider", "pl_provider")),
            URN=pl.when(short | pl.col("PLACE").is_in(self.no_urn))
            .then(None)
            .otherwise(pl.coalesce("urn", "pl_urn")),
            PL_POST=pl.when(short)
            .then(None)
            .otherwise(pl.coalesce("placement_postcode", "pl_postcode")),
            HOME_POST=pl.when(short)
            .then(None)
            .otherwise(pl.coalesce("home_postcode", "person_home_postcode")),
        )
        eps = eps.with_columns(_postcode("PL_POST"), _postcode("HOME_POST"))
        nxt = lambda c: pl.col(c).shift(-1).over("period_id")
        eps = eps.with_columns(next_start=nxt("start_date"), next_placement=nxt("placement_id"))
        eps = eps.with_columns(
            # X1 when the next episode of the period follows on; the period's reason at its end
            REC=pl.coalesce(
                "reason_ceased",
                pl.when(
                    pl.col("next_start").is_not_null()
                    & (pl.col("next_start") == pl.col("end_date"))
                ).then(pl.lit("X1")),
                pl.when(pl.col("next_start").is_null() & pl.col("end_date").is_not_null()).then(
                    pl.col("period_reason_ceased")
                ),
            ),
            RPC=pl.coalesce(
                "reason_place_change",
                pl.when(
                    pl.col("next_placement").is_not_null()
                    & (pl.col("next_placement") != pl.col("placement_id"))
                ).then(pl.col("pl_change_reason")),
            ),
        )
        # codes the year's lists spell differently (SGO reasons and CUSTOD before 2019)
        eps = eps.with_columns(
            REC=pl.col("REC").replace(self.recode.get("REC", {})),
            RPC=pl.col("RPC").replace(self.recode.get("REASON_PLACE_CHANGE", {})),
        )
        # merge episodes that continue the previous one unchanged
        key = ["legal_status", "cin_category", "PLACE", "PROVIDER", "PL_POST", "URN", "HOME_POST"]
        prev = lambda c: pl.col(c).shift(1).over("period_id")
        same = pl.all_horizontal([prev(c).eq_missing(pl.col(c)) for c in key])
        cont = (
            prev("end_date").is_not_null()
            & (prev("end_date") == pl.col("start_date"))
            & (prev("REC").is_null() | (prev("REC") == "X1"))
            & same
        )
        eps = eps.with_columns(cont=cont.fill_null(False))
        in_year = (pl.col("start_date") <= self.end) & (
            pl.col("end_date").is_null() | (pl.col("end_date") >= self.start)
        )
        merged = eps.filter(pl.col("cont") & in_year).height
        self._exclude(
            "episodes merged into the previous one (no change of legal status or placement)", merged
        )
        eps = eps.with_columns(group=(~pl.col("cont")).cast(pl.Int32).cum_sum())
        eps = (
            eps.group_by("group", maintain_order=True)
            .agg(
                pl.col("child_id").first(),
                pl.col("period_id").first(),
                pl.col("episode_id").first(),
                pl.col("start_date").first(),
                pl.col("reason_new_episode").first(),
                *(pl.col(c).first() for c in key),
                pl.col("placement_id").last(),
                pl.col("end_date").last(),
                pl.col("REC").last(),
                pl.col("RPC").last(),
            )
            .drop("group")
        )
        eps = eps.with_columns(
            next_rne=nxt("reason_new_episode"),
            next_place=nxt("PLACE"),
            next_start=nxt("start_date"),
        )
        # a reason for placement change belongs on an episode that ends with a move to a new,
        # non-temporary placement, and never on a temporary placement or the one before it
        moves = (pl.col("REC") == "X1") & pl.col("next_rne").is_in(["P", "B", "T", "U"])
        temporary = pl.col("PLACE").is_in(_TEMPORARY) | pl.col("next_place").is_in(_TEMPORARY)
        eps = eps.with_columns(RPC=pl.when(moves & ~temporary.fill_null(False)).then(pl.col("RPC")))
        return eps

    def _episodes(self, eps: pl.DataFrame) -> pl.DataFrame:
        uasc = list(self.uasc_children)
        return eps.sort(["child_id", "start_date"]).select(
            pl.col("child_id").alias("CHILD"),
            pl.col("start_date").dt.strftime("%d/%m/%Y").alias("DECOM"),
            pl.col("reason_new_episode").alias("RNE"),
            pl.col("legal_status").alias("LS"),
            pl.col("cin_category").alias("CIN"),
            pl.col("PLACE"),
            pl.col("PROVIDER").alias("PLACE_PROVIDER"),
            pl.col("DEC").dt.strftime("%d/%m/%Y"),
            pl.col("REC"),
            pl.col("RPC").alias("REASON_PLACE_CHANGE"),
            # no home postcode (hence no distance) for unaccompanied asylum-seeking children
            pl.when(pl.col("child_id").is_in(uasc))
            .then(None)
            .otherwise(pl.col("HOME_POST"))
            .alias("HOME_POST"),
            pl.col("PL_POST"),
            pl.col("URN"),
        )

    # ------------------------------------------------------------------ header and UASC
    def _sex(self, child: str) -> str:
        sex = self.person[child]["sex"]
        if self.year >= 2025:
            return sex
        if sex == "U":
            raise Ssda903DataError(
                f"child {child} has sex U (unknown), which the {self.year} SSDA903 return "
                "cannot record (SEX is 1 male or 2 female until 2024; U is allowed from 2025)"
            )
        return {"M": "1", "F": "2"}.get(sex, sex)

    def _header(self, children: list[str]) -> pl.DataFrame:
        # the date mother status is recorded at: 31 March, or when she ceased to be looked after
        ref_dates = {
            child: (None if n_open else last_dec)
            for child, n_open, last_dec in self.eps.filter(
                ~pl.col("legal_status").is_in(_SHORT_BREAK)
            )
            .group_by("child_id")
            .agg(pl.col("DEC").null_count().alias("open"), pl.col("DEC").max().alias("last"))
            .iter_rows()
        }
        rows = []
        for child in children:
            p = self.person[child]
            mother, mc_dob = None, None
            if p["sex"] == "F" and child in ref_dates:
                ref = ref_dates[child] or self.end
                born = p["mother_child_date_of_birth"]
                is_mother = bool(p["is_mother"]) and (born is None or born <= ref)
                mother = "1" if is_mother else "0"
                if is_mother:
                    mc_dob = _fmt(born)
                    if born is None:
                        self.warnings.append(
                            f"header: child {child} is a mother but her child's date of "
                            "birth is not recorded (MC_DOB)"
                        )
            rows.append(
                {
                    "CHILD": child,
                    "SEX": self._sex(child),
                    "DOB": _fmt(p["date_of_birth"]),
                    "ETHNIC": p["ethnicity"],
                    "UPN": p["upn"] or p["upn_unknown"],
                    "MOTHER": mother,
                    "MC_DOB": mc_dob,
                }
            )
        return self._frame(rows, "header")

    def _uasc(self) -> pl.DataFrame:
        rows = []
        for child in self.cohort:
            p = self.person[child]
            duc = p["uasc_ceased_date"]
            if not p["uasc"] or (duc is not None and duc < self.start):
                continue
            rows.append(
                {
                    "CHILD": child,
                    "DOB": _fmt(p["date_of_birth"]),
                    "SEX": self._sex(child),
                    "DUC": _fmt(duc) if duc is not None and duc <= self.end else None,
                }
            )
        return self._frame(rows, "uasc")

    # ------------------------------------------------------------------ reviews, missing
    def _in_a_period(self, child_col: str, date_col: str, frame: pl.DataFrame) -> pl.Series:
        periods = (
            self.eps_all.group_by("child_id", "period_id")
            .agg(
                pl.col("start_date").min().alias("p_start"),
                pl.col("end_date").max().alias("p_end"),
                (pl.col("end_date").null_count() > 0).alias("open"),
            )
            .with_columns(p_end=pl.when(pl.col("open")).then(None).otherwise(pl.col("p_end")))
        )
        j = frame.with_row_index("_i").join(
            periods, left_on=child_col, right_on="child_id", how="left"
        )
        inside = j.with_columns(
            inside=(pl.col(date_col) >= pl.col("p_start"))
            & (pl.col("p_end").is_null() | (pl.col(date_col) <= pl.col("p_end")))
        )
        ok = set(inside.filter(pl.col("inside").fill_null(False))["_i"])
        return pl.Series([i in ok for i in range(frame.height)])

    def _reviews(self) -> pl.DataFrame:
        rv = self.t["looked_after_reviews"].filter(
            pl.col("child_id").is_in(self.not_short)
            & pl.col("review_date").is_between(self.start, self.end)
        )
        inside = (
            self._in_a_period("child_id", "review_date", rv)
            if rv.height
            else pl.Series([], dtype=pl.Boolean)
        )
        self._exclude("reviews held in the year but outside a period of care", int((~inside).sum()))
        rv = rv.filter(inside).sort(["child_id", "review_date"])
        return self._frame(
            [
                {
                    "CHILD": r["child_id"],
                    "DOB": _fmt(self._dob(r["child_id"])),
                    "REVIEW": _fmt(r["review_date"]),
                    "REVIEW_CODE": r["participation"],
                }
                for r in rv.iter_rows(named=True)
            ],
            "reviews",
        )

    def _missing(self) -> pl.DataFrame:
        ms = (
            self.t["missing_episodes"]
            .filter(
                pl.col("child_id").is_in(self.cohort)
                & (pl.col("start_date") <= self.end)
                & (pl.col("end_date").is_null() | (pl.col("end_date") >= self.start))
            )
            .sort(["child_id", "start_date"])
        )
        return self._frame(
            [
                {
                    "CHILD": r["child_id"],
                    "DOB": _fmt(self._dob(r["child_id"])),
                    "MISSING": r["missing_type"],
                    "MIS_START": _fmt(r["start_date"]),
                    "MIS_END": _fmt(r["end_date"])
                    if r["end_date"] and r["end_date"] <= self.end
                    else None,
                }
                for r in ms.iter_rows(named=True)
            ],
            "missing",
        )

    # ------------------------------------------------------------------ OC2
    def _continuously_looked_after(self) -> set[str]:
        """Children looked after continuously for 12 months at 31 March: in care in the year with
        no episode in it that starts a period of care after 1 April, ends one before 31 March, or is
        a short break (the DfE definition, as the validators compute it from the episodes)."""
        e = self.eps
        breaks = e.filter(
            ((pl.col("reason_new_episode") == "S") & (pl.col("start_date") > self.start))
            | (pl.col("REC").is_not_null() & (pl.col("REC") != "X1") & (pl.col("DEC") < self.end))
            | pl.col("legal_status").is_in(_SHORT_BREAK)
        )
        return set(self.cohort) - set(breaks["child_id"])

    def _oc2(self) -> pl.DataFrame:
        cla = self._continuously_looked_after()
        out = self.t["annual_outcomes"].filter(pl.col("year_ending") == self.end)
        self._exclude(
            "annual outcomes of children not looked after continuously for 12 months",
            out.filter(~pl.col("child_id").is_in(list(cla))).height,
        )
        out = {r["child_id"]: r for r in out.iter_rows(named=True) if r["child_id"] in cla}
        rows = []
        for child in sorted(cla):
            r = out.get(child)
            if r is None:
                self.warnings.append(
                    f"oc2: child {child} was looked after continuously for 12 months at "
                    f"{self.end:%d/%m/%Y} but has no annual outcomes for that year"
                )
                continue
            dob = self._dob(child)
            # SDQ for children aged 4 to 16 (rules 188/189); convictions from 10 (542);
            # health promotion (development checks) under 5 only (546)
            sdq_age = _add_years(dob, 4) <= self.end and _add_years(dob, 17) >= self.start
            score = r["sdq_score"] if sdq_age else None
            reason = r["sdq_reason"] if sdq_age and score is None else None
            misuse = r["substance_misuse"]
            received = r["intervention_received"] if misuse else None
            offered = r["intervention_offered"] if misuse and received is False else None
            rows.append(
                {
                    "CHILD": child,
                    "DOB": _fmt(dob),
                    "SDQ_SCORE": None if score is None else str(score),
                    "SDQ_REASON": reason,
                    "CONVICTED": _flag(r["convicted"]) if _add_years(dob, 10) <= self.end else None,
                    "HEALTH_CHECK": _flag(r["health_check_up_to_date"])
                    if _add_years(dob, 5) > self.end
                    else None,
                    "IMMUNISATIONS": _flag(r["immunisations_up_to_date"]),
                    "TEETH_CHECK": _flag(r["teeth_checked"]),
                    "HEALTH_ASSESSMENT": _flag(r["health_assessment_up_to_date"]),
                    "SUBSTANCE_MISUSE": _flag(misuse),
                    "INTERVENTION_RECEIVED": _flag(received),
                    "INTERVENTION_OFFERED": _flag(offered),
                }
            )
        return self._frame(rows, "oc2")

    # ------------------------------------------------------------------ OC3
    def _oc3(self) -> tuple[pl.DataFrame, set[str]]:
        by_child = {c: g for (c,), g in self.eps_all.group_by("child_id")}
        in_oc2 = self._continuously_looked_after()
        rows = []
        for r in self.t["care_leaver_contacts"].sort("child_id").iter_rows(named=True):
            child, age = r["child_id"], r["birthday_age"]
            p = self.person.get(child)
            if p is None or age not in (17, 18, 19, 20, 21):
                continue
            dob = p["date_of_birth"]
            birthday = _add_years(dob, age)
            if not self.start <= birthday <= self.end:
                continue  # information about another year's birthday
            eps = by_child.get(child)
            if eps is None:
                if r["eligibility"] in ("RELEVANT", "FORMER_RELEVANT"):
                    # the store holds no care history (e.g. it was loaded from returns that start
                    # later), but the recorded eligibility says the young person qualifies
                    rows.append(self._oc3_row(r, dob))
                    continue
                self._exclude("oc3: no record of the young person being looked after")
                continue
            eps = eps.sort("start_date")
            last_rec = eps["REC"][-1] if eps["end_date"][-1] is not None else None
            if last_rec in _ADOPTED or last_rec in ("E2", "E3"):
                self._exclude(
                    "oc3: last period of care ended in adoption, death or transfer to another "
                    "authority"
                )
                continue
            # looked after on the birthday when DECOM <= birthday < DEC: care that ended on the birthday
            # itself (e.g. E5 on the 18th) makes a care leaver, whose OC3 information is due (DfE)
            if (
                age in (17, 18)
                and eps.filter(
                    (pl.col("start_date") <= birthday)
                    & (pl.col("end_date").is_null() | (pl.col("end_date") > birthday))
                ).height
            ):
                self._exclude("oc3: still looked after on the 17th or 18th birthday")
                continue
            if child in in_oc2:
                # care that ended on 31 March, the birthday, after 12 months: the child is in OC2, and
                # a child cannot have both (rules 187, 215)
                self._exclude("oc3: looked after continuously for 12 months at 31 March (in oc2)")
                continue
            # a recorded eligibility is the authority's statement; episodes are checked only without one
            # (a store loaded from returns may not hold the earlier care that made the young person eligible)
            recorded = r["eligibility"] in ("RELEVANT", "FORMER_RELEVANT")
            if not recorded and not self._qualifies_as_care_leaver(eps, dob):
                self._exclude(
                    "oc3: not looked after for 13 weeks from age 14 including time after 16"
                )
                continue
            rows.append(self._oc3_row(r, dob))
        frame = self._frame(rows, "oc3")
        return frame, set(frame["CHILD"]) if frame.height else set()

    def _oc3_row(self, r: dict, dob: dt.date) -> dict:
        in_touch, activ, accom = r["in_touch"], r["activity"], r["accommodation"]
        if in_touch in ("DIED", "RHOM"):
            activ, accom = "0", "0"  # rule 344
        elif in_touch != "YES":
            activ, accom = activ or "0", accom or "0"  # not known when not in touch
        activ = self.recode.get("ACTIV", {}).get(activ, activ)  # F3/P3 before 2022
        return {"CHILD": r["child_id"], "DOB": _fmt(dob), "IN_TOUCH": in_touch, "ACTIV": activ, "ACCOM": accom}

    def _qualifies_as_care_leaver(self, eps: pl.DataFrame, dob: dt.date) -> bool:
        """Looked after (not on short breaks) for at least 13 weeks since the 14th birthday,
        some of it after the 16th."""
        d14, d16 = _add_years(dob, 14), _add_years(dob, 16)
        total14 = total16 = 0
        for r in eps.filter(~pl.col("legal_status").is_in(_SHORT_BREAK)).iter_rows(named=True):
            end = min(r["end_date"] or self.end, self.end)
            total14 += max(0, (end - max(r["start_date"], d14)).days)
            total16 += max(0, (end - max(r["start_date"], d16)).days)
        return total14 >= 91 and total16 >= 1

    # ------------------------------------------------------------------ adoption
    def _permanence_for(self, child: str, period: str) -> dict | None:
        rows = self.t["permanence"].filter(
            (pl.col("child_id") == child) & (pl.col("period_id") == period)
        )
        if rows.height == 0:
            return None
        rows = rows.sort(
            [pl.col("order_type") == "ADOPTION", "adoption_decision_date"], nulls_last=False
        )
        return rows.row(rows.height - 1, named=True)

    def _ad1(self) -> pl.DataFrame:
        adopted = self.eps.filter(pl.col("DEC").is_not_null() & pl.col("REC").is_in(_ADOPTED)).sort(
            "child_id"
        )
        rows = []
        for e in adopted.iter_rows(named=True):
            child = e["child_id"]
            pm = self._permanence_for(child, e["period_id"]) or {}
            if not pm:
                self.warnings.append(
                    f"ad1: child {child} was adopted in the year but the store has no "
                    "permanence record for that period of care"
                )
            nb = pm.get("number_of_adopters")
            rows.append(
                {
                    "CHILD": child,
                    "DOB": _fmt(self._dob(child)),
                    "DATE_INT": _fmt(pm.get("adoption_decision_date")),
                    "DATE_MATCH": _fmt(pm.get("matched_date")),
                    "FOSTER_CARE": _flag(pm.get("adopted_by_foster_carer")),
                    "NB_ADOPTR": None if nb is None else str(nb),
                    "SEX_ADOPTR": pm.get("adopter_sex"),
                    "LS_ADOPTR": pm.get("adopter_legal_status"),
                }
            )
        return self._frame(rows, "ad1")

    def _placed_adoption(self) -> pl.DataFrame:
        periods = list(set(self.eps["period_id"]))
        pm = (
            self.t["permanence"]
            .filter(
                pl.col("child_id").is_in(self.cohort)
                & pl.col("period_id").is_in(periods)
                & pl.col("adoption_decision_date").is_not_null()
                & (pl.col("adoption_decision_date") <= self.end)
                & (
                    pl.col("decision_reversed_date").is_null()
                    | (pl.col("decision_reversed_date") >= self.start)
                )
            )
            .sort(["child_id", "adoption_decision_date"])
        )
        rows = []
        for r in pm.iter_rows(named=True):
            rev, why = r["decision_reversed_date"], r["decision_reversed_reason"]
            # an adoption ends the decision without reversing it: the ceased items stay blank
            # (rule 558)
            ceased = rev is not None and rev <= self.end and why not in _ADOPTED
            rows.append(
                {
                    "CHILD": r["child_id"],
                    "DOB": _fmt(self._dob(r["child_id"])),
                    "DATE_PLACED": _fmt(r["adoption_decision_date"]),
                    "DATE_PLACED_CEASED": _fmt(rev) if ceased else None,
                    "REASON_PLACED_CEASED": why if ceased else None,
                }
            )
        return self._frame(rows, "placed_adoption")

    # ------------------------------------------------------------------ previous permanence
    def _prev_perm(self) -> pl.DataFrame:
        starts = (
            self.eps.filter(
                (pl.col("reason_new_episode") == "S") & (pl.col("start_date") >= self.start)
            )
            .sort("start_date")
            .group_by("child_id", maintain_order=True)
            .agg(pl.col("period_id").last())
            .sort("child_id")
        )
        pp = {
            (r["child_id"], r["period_id"]): r
            for r in self.t["previous_permanence"].iter_rows(named=True)
        }
        rows = []
        for child, period in starts.iter_rows():
            r = pp.get((child, period))
            if r is None:
                self.warnings.append(
                    f"previous_permanence: child {child} started a period of care in the year "
                    "but the store has no previous permanence record for it"
                )
                continue
            option = r["option"]
            known = option != "Z1"  # Z1: no previous permanence option, so no order details
            rows.append(
                {
                    "CHILD": child,
                    "DOB": _fmt(self._dob(child)),
                    "PREV_PERM": option,
                    "LA_PERM": r["order_la"] if known else None,
                    "DATE_PERM": (_fmt(r["order_date"]) or _UNKNOWN_DATE) if known else None,
                }
            )
        return self._frame(rows, "prev_perm")

    # ------------------------------------------------------------------ social workers
    def _social_worker(self) -> pl.DataFrame:
        # children looked after on 31 March (not on a short break), with every allocation that was
        # open at some time in the year, including any before they came into care
        at_31_march = sorted(
            set(
                self.eps.filter(
                    pl.col("DEC").is_null() & ~pl.col("legal_status").is_in(_SHORT_BREAK)
                )["child_id"]
            )
        )
        al = (
            self.t["allocations"]
            .filter(pl.col("child_id").is_in(at_31_march))
            # the module is about social workers: practitioners without an SWE registration are left out
            .filter(~pl.col("worker_id").is_in(self.not_social_workers))
            .sort(["child_id", "start_date", "allocation_id"])
        )
        al = al.with_columns(
            prev_end=pl.col("end_date").shift(1).over("child_id"),
            prev_reason=pl.col("change_reason").shift(1).over("child_id"),
        )
        al = al.filter(
            (pl.col("start_date") <= self.end)
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= self.start))
        )
        rows = []
        for r in al.iter_rows(named=True):
            # SW_REASON says why this worker took over: the reason the previous allocation ended,
            # or first contact when there was no allocation in the week before
            follows = (
                r["prev_end"] is not None and (r["start_date"] - r["prev_end"]).days <= _SW_GAP_DAYS
            )
            reason = r["start_reason"] or (r["prev_reason"] if follows else _FIRST_CONTACT)
            if reason is None:
                self.warnings.append(
                    f"sw_episodes: child {r['child_id']}'s social worker changed on "
                    f"{r['start_date']:%d/%m/%Y} but the store has no reason for the change"
                )
            end = r["end_date"]
            rows.append(
                {
                    "CHILD": r["child_id"],
                    "DOB": _fmt(self._dob(r["child_id"])),
                    "SW_ID": self.sw_id.get(r["worker_id"], r["worker_id"]),
                    "SW_DECOM": _fmt(r["start_date"]),
                    "SW_DEC": _fmt(end) if end is not None and end <= self.end else None,
                    "SW_REASON": reason,
                }
            )
        return self._frame(rows, "social_worker")


def _frame(rows: list[dict], columns: list[str]) -> pl.DataFrame:
    """A table of the return: every column a string, in spec order."""
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in columns})


_ALNUM = re.compile(r"^[A-Za-z0-9]+$")


def _spec_problems(year: int, frames: dict[str, pl.DataFrame]) -> list[str]:
    """Values that break the year's DfE specification: codes outside the list, blanks where a
    value is required, dates or numbers that do not parse, identifiers that are not alphanumeric."""
    problems = []
    for table, cols in table_spec(year).items():
        frame = frames[table]
        file = FILES[table][1]
        for col in cols:
            for child, value in zip(frame["CHILD"].to_list(), frame[col.name].to_list()):
                why = None
                if value is None or value == "":
                    why = None if col.blank else "is blank but required"
                elif col.kind == "code" and value not in col.codes:
                    why = f"{value!r} is not a valid code in {year}"
                elif col.kind == "id" and not _ALNUM.match(value):
                    why = f"{value!r} is not alphanumeric"
                elif col.kind == "int" and not value.isdigit():
                    why = f"{value!r} is not a whole number"
                if why:
                    problems.append(f"{file} {col.name} for child {child}: {why}")
    return problems


def _write_atomically(frames: dict[str, pl.DataFrame], out_dir: Path) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        for name, frame in frames.items():
            frame.write_csv(tmp / name, null_value="")
        if not out_dir.exists():
            os.replace(tmp, out_dir)
            return
        for name in frames:
            os.replace(tmp / name, out_dir / name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
