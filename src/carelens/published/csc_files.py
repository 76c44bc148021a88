"""The children's social care statistics files behind DfE's CSC outcomes and enablers dashboard:
children in need, child protection, children looked after, care leavers, adoption and workforce.

Each file becomes measures named '<file stem>/<column>', or '<file stem>/<breakdown>/<column>' when
the file splits a figure by breakdown (e.g. 'la_care_leavers_activity/17 to 18 years/Total/
care_leaver_percent'). The stem drops the year span, so the 2013-to-2026 download of a file gives
the same measure names as the 2013-to-2025 one.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from carelens.published.ees import is_geography_column, read_tidy, with_areas
from carelens.published.figures_text import (
    DURATION_PATTERN,
    NUMBER_PATTERN,
    SUPPRESSION_MARKS,
    figure_columns,
)
from carelens.published.lait import FIGURE_SCHEMA, MEASURE_SCHEMA
from carelens.published.problems import ProblemLog, report_rows
from carelens.published.years import normalise_ees_year

_YEAR_SPAN = re.compile(r"_\d{4}_to_\d{4}$")
_TOPICS = (  # by the start of the file stem
    (("b1_", "c1_", "c3_"), "Children in Need"),
    (("d3_", "d5_"), "Child Protection"),
    (("cla_", "la_cla_", "la_care_leavers", "national_cla"), "Children Looked After"),
    (("csww",), "Children's Services Workforce"),
)
AUTHORITY_SCHEMA = {"la_code": pl.String, "gss_code": pl.String, "name": pl.String, "region_code": pl.String,
                    "region_name": pl.String, "year_ending": pl.Int32}


def measure_stem(path: Path) -> str:
    """The file's name without extension and year span: 'b1_children_in_need'."""
    return _YEAR_SPAN.sub("", path.stem)


def _topic(stem: str) -> str | None:
    return next((topic for starts, topic in _TOPICS if stem.startswith(starts)), None)


def _unit(column: str, durations: bool) -> str:
    name = column.lower()
    if durations:
        return "months"
    if "per_10000" in name or "per_10k" in name:
        return "rate per 10,000"
    if "percent" in name or name.endswith(("_rate", "_rate_fte", "_rate_headcount")) or "rate_" in name:
        return "percent"
    return "number"


def _is_figure_column(values: pl.Series) -> bool:
    """A column of figures: at least half its filled cells are numbers, durations or marks.

    A few unreadable cells in such a column are problems; a column of mostly words is a breakdown.
    """
    text = values.drop_nulls().str.strip_chars()
    text = text.filter(text != "")
    if text.len() == 0:
        return True
    readable = (text.str.contains(NUMBER_PATTERN) | text.str.contains(DURATION_PATTERN)
                | text.str.to_lowercase().is_in(list(SUPPRESSION_MARKS)))
    return readable.sum() * 2 >= text.len()


def read_csc_file(path: Path, log: ProblemLog) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(measures, figures, authorities seen) of one statistics file."""
    empty = (pl.DataFrame(schema=MEASURE_SCHEMA), pl.DataFrame(schema=FIGURE_SCHEMA),
             pl.DataFrame(schema=AUTHORITY_SCHEMA))
    table = read_tidy(path)
    table = with_areas(table, log)
    if table is None:
        return empty
    stem = measure_stem(path)
    other = [c for c in table.columns
             if not is_geography_column(c) and c not in ("row", "geography", "area_code", "area_name")]
    figure_names = [c for c in other if _is_figure_column(table[c])]
    breakdowns = [c for c in other if c not in figure_names]
    # a breakdown with one value throughout (b1's category 'Children in Need') names the file, not a split
    varying = [c for c in breakdowns if table[c].n_unique() > 1]
    constant_title = "; ".join(str(table[c].drop_nulls().first()) for c in breakdowns if c not in varying)

    # CIN census and SSDA903 reporting years end on 31 March; the workforce census is in September
    ends_in_march = not stem.startswith("csww")
    pairs = table.select("time_period", "time_identifier").unique().rows()
    years = pl.DataFrame(
        [(period, identifier, *normalise_ees_year(period or "", ends_in_march and (identifier or "").lower()
                                                   in ("reporting year", "financial year")))
         for period, identifier in pairs],
        schema={"time_period": pl.String, "time_identifier": pl.String, "year": pl.String,
                "year_ending": pl.Int32}, orient="row")
    table = table.join(years, on=["time_period", "time_identifier"], how="left", nulls_equal=True)

    split = pl.concat_str([pl.col(c).fill_null("").str.strip_chars() for c in varying], separator="/") \
        if varying else pl.lit("")
    long = (table.with_columns(split=split)
            .unpivot(index=["row", "year", "time_period", "year_ending", "geography", "area_code", "area_name",
                            "split"], on=figure_names, variable_name="column", value_name="text"))
    value, status, unreadable = figure_columns(pl.col("text"))
    long = long.with_columns(value=value, status=status, unreadable=unreadable)
    for column in figure_names:
        report_rows(log, long.filter(pl.col("unreadable") & (pl.col("column") == column))
                    .rename({"text": column}), column,
                    "a number or a suppression mark (x, c, z, low, k, u, :)")
    long = long.with_columns(measure_id=pl.concat_str(
        [pl.lit(stem), pl.when(pl.col("split") != "").then(pl.col("split") + "/").otherwise(pl.lit("")),
         pl.col("column")], separator="/").str.replace("//", "/", literal=True))

    duplicated = long.filter(pl.struct("measure_id", "year", "area_code").is_duplicated())
    report_rows(log, duplicated.unique(["measure_id", "year", "area_code"]).rename({"measure_id": "breakdown"}),
                "breakdown", "one row per year, area and breakdown")

    durations = set(long.filter(pl.col("text").str.strip_chars().str.contains(DURATION_PATTERN))
                    ["measure_id"].unique().to_list())
    measure_rows = long.select("measure_id", "split", "column").unique().sort("measure_id")
    measures = pl.DataFrame([{
        "measure_id": measure_id, "source": stem, "lait_code": None,
        "name": f"{column.replace('_', ' ')}" + (f" ({split})" if split else ""),
        "title": constant_title or None, "topic": _topic(stem), "polarity": "neutral",
        "unit": _unit(column, measure_id in durations), "quartiles": True,
        "year_type": "Reporting year ending 31 March" if ends_in_march else "Census at 30 September",
        "description": None,
    } for measure_id, split, column in measure_rows.iter_rows()], schema=MEASURE_SCHEMA)

    figures = long.filter(pl.col("status").is_not_null() & pl.col("area_code").is_not_null()).select(
        "measure_id", "year", pl.col("time_period").alias("published_year"), "year_ending", "geography",
        "area_code", "area_name", "value", "status").cast(FIGURE_SCHEMA)
    authorities = (table.filter(pl.col("geography") == "la")
                   .select(pl.col("area_code").alias("la_code"), pl.col("new_la_code").alias("gss_code"),
                           pl.col("la_name").alias("name"), "region_code", "region_name", "year_ending")
                   .cast(AUTHORITY_SCHEMA))
    return measures, figures, authorities
