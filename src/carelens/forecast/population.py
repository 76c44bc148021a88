"""The resident children by single year of age the entry rates are per child of (:data:`.states.POPULATION_SCHEMA`).

Three sources, in order of preference:

1. a population projection the user gives (:func:`read_population_projection`: a CSV of year, age, children);
2. the store's ``population`` table for the authority, summed over sex (:func:`store_population`);
3. the ONS mid-year estimate of children aged 0 to 17 in the published figures shipped with CareLens, split
   evenly over the 18 single years of age (:func:`published_population`). The shipped file holds only the 0–17
   total, so the split is an assumption: a flat age profile, one eighteenth at each age, the remainder of the
   rounding going to the youngest ages. Real profiles are not flat (they follow the birth cohorts), so a council
   should give ONS's single-year estimates or projections as a file when it can.

If none is available, :class:`PopulationUnavailable` says what to provide.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carelens.forecast.input_problems import ForecastInputError
from carelens.forecast.states import POPULATION_SCHEMA
from carelens.model.store import Store
from carelens.problems import ProblemLog

AGES = range(18)
FIRST_YEAR, LAST_YEAR = 1990, 2100  # a mid-year outside these is a typing error, not a projection


class PopulationUnavailable(ValueError):
    """No population by age for the authority: the message says what to provide."""


def store_population(store: Store, la_code: str) -> pl.DataFrame:
    """The store's ``population`` rows for the authority, summed over sex, by year and age (empty if none)."""
    t = store.table("population")
    t = t.filter(t.la_code == la_code)
    summed = t.group_by("year", "age").aggregate(children=t.children.sum()).to_polars()
    return summed.cast(POPULATION_SCHEMA).select(list(POPULATION_SCHEMA)).sort("year", "age")


def split_evenly(totals: pl.DataFrame) -> pl.DataFrame:
    """Each year's 0–17 total (``year``, ``children_0_17``) as 18 single years of age of (nearly) equal size:
    the remainder of dividing by 18 goes one child each to the youngest ages, so each year sums to its total."""
    rows = []
    for year, total in totals.select("year", "children_0_17").iter_rows():
        share, remainder = divmod(int(total), len(AGES))
        rows += [(year, age, share + (1 if age < remainder else 0)) for age in AGES]
    return pl.DataFrame(rows, schema=POPULATION_SCHEMA, orient="row")


def published_population(la_code: str, published_file: Path | None = None) -> pl.DataFrame:
    """The ONS 0–17 estimates of the authority in the published figures (the shipped file by default), split
    evenly by age (:func:`split_evenly`); :class:`PopulationUnavailable` when the file or the authority is not
    there."""
    from carelens.published.figures_file import BenchmarkDataError, open_published

    try:
        with open_published(published_file) as published:
            totals = published.population.filter((pl.col("geography") == "la") & (pl.col("area_code") == la_code))
    except BenchmarkDataError as e:
        raise PopulationUnavailable(f"no population for authority {la_code}: the store has no population table "
                                    f"for it and the published figures cannot be read ({e}); {WHAT_TO_PROVIDE}"
                                    ) from None
    if totals.is_empty():
        raise PopulationUnavailable(f"no population for authority {la_code}: the store has no population table "
                                    f"for it and the published ONS estimates have no authority {la_code}; "
                                    f"{WHAT_TO_PROVIDE}")
    return split_evenly(totals.sort("year"))


WHAT_TO_PROVIDE = ("give a population projection file (CSV with columns year, age, children: resident children "
                   "by single year of age 0–17 at each mid-year) or load the authority's population into the store")


def read_population_projection(path: str | Path) -> pl.DataFrame:
    """A user's population projection: a CSV with columns ``year`` (the mid-year), ``age`` (0–17) and
    ``children`` (resident children of that age), any case and order, other columns ignored.

    Every year given must have each age 0–17 exactly once. Raises :class:`ForecastInputError` listing every
    problem (file, row, field, value, what was expected) when the file cannot be used."""
    path = Path(path)
    from carelens.ingest.text_files import read_csv_text

    log = ProblemLog(str(path))
    frame = read_csv_text(path, log)
    if frame is None:
        raise ForecastInputError(log.problems)
    missing = [c for c in ("YEAR", "AGE", "CHILDREN") if c not in frame.columns]
    for column in missing:
        log.add("row 1", column.lower(), None, f"a column named {column.lower()!r} (columns: year, age, children)")
    if missing:
        raise ForecastInputError(log.problems)
    checks = (
        ("YEAR", "year", FIRST_YEAR, LAST_YEAR, f"a mid-year between {FIRST_YEAR} and {LAST_YEAR}"),
        ("AGE", "age", 0, 17, "a whole age in years from 0 to 17"),
        ("CHILDREN", "children", 0, None, "a whole number of children, 0 or more"),
    )
    rows = frame.select("_row", *(pl.col(c).cast(pl.Int64, strict=False).alias(f"_{c}") for c, *_ in checks),
                        *(c for c, *_ in checks))
    good = pl.lit(True)
    for column, name, low, high, expected in checks:
        value = pl.col(f"_{column}")
        ok = value.is_not_null() & (value >= low) & (value <= high if high is not None else pl.lit(True))
        for row, text in rows.filter(~ok).select("_row", column).iter_rows():
            log.add(f"row {row}", name, text, expected)
        good = good & ok
    valid = rows.filter(good).select(year="_YEAR", age="_AGE", children="_CHILDREN", row="_row")
    for (year, age), group in valid.group_by("year", "age", maintain_order=True):
        if group.height > 1:
            for row in group["row"][1:]:
                log.add(f"row {row}", "age", age, f"one row for age {age} in {year} (first on row {group['row'][0]})")
    # an age with no row at all in a year (a row there with a bad value is reported as that row's problem)
    given = rows.filter(pl.col("_YEAR").is_between(FIRST_YEAR, LAST_YEAR)).group_by("_YEAR", maintain_order=True)
    for year, ages in given.agg(pl.col("_AGE")).sort("_YEAR").iter_rows():
        absent = sorted(set(AGES) - set(ages))
        if absent:
            log.add("", "age", ", ".join(map(str, absent)), f"a row for every age 0–17 in {year} (these are missing)")
    if log.problems:
        raise ForecastInputError(log.problems)
    return valid.select(list(POPULATION_SCHEMA)).cast(POPULATION_SCHEMA).sort("year", "age")
