"""LAIT, the DfE Local Authority Interactive Tool: its data dictionary (one row per measure) and its
long table of figures (one row per measure, year and area).

Only the children's social care topics and their context are kept; school attainment and the like
are left out to keep the shipped file small.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carelens.published.areas import ENGLAND, LAIT_ENGLAND_NUMBER, LAIT_REGION_NUMBERS, REGION_NAMES
from carelens.published.figures_text import figure_columns
from carelens.published.problems import ProblemLog, missing_columns, report_rows
from carelens.published.years import normalise_lait_year

# In order of preference: a measure listed under two topics is filed under the first kept one.
KEPT_TOPICS = (
    "Children in Need",
    "Child Protection",
    "Children Looked After",
    "Adoption",
    "Children's Services Workforce",
    "Children's Service Finance",
    "Youth Offending",
    "Health and Wellbeing",
    "Economic Factors",
    "Contextual\\Other",
)

DICTIONARY_COLUMNS = ("Measure_code", "Topic", "Measure", "Chart_title", "Measure_short", "Polarity",
                      "y_axis_name", "Description", "Year_Type", "No_Quartile")
FIGURE_COLUMNS = ("Short Desc", "Years", "LA and Regions", "Values", "LA Number", "Region")
_POLARITY = {"high": "high", "low": "low"}  # '-' and NA mean neither is better
_ABSENT = {"", "NA", "N/A"}


def _text(value: str | None) -> str | None:
    return None if value is None or value.strip() in _ABSENT else value.strip()


def read_dictionary(path: Path, log: ProblemLog) -> tuple[pl.DataFrame, set[str]]:
    """(the kept measures in the contract's ``measures`` columns, every measure's short name)."""
    table = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    table = table.rename({name: name.lstrip("\ufeff").strip() for name in table.columns})
    if not missing_columns(log, table.columns, DICTIONARY_COLUMNS):
        return pl.DataFrame(schema=MEASURE_SCHEMA), set()
    measures: dict[str, dict] = {}
    every_short: set[str] = set()
    for index, row in enumerate(table.iter_rows(named=True), start=2):
        short = _text(row["Measure_short"])
        if short is None:
            log.add(f"row {index}", "Measure_short", row["Measure_short"], "the measure's short name")
            continue
        every_short.add(short)
        polarity = (_text(row["Polarity"]) or "-").lower()
        if polarity not in ("high", "low", "-"):
            log.add(f"row {index}", "Polarity", row["Polarity"], "High, Low or -")
        topic = _text(row["Topic"])
        if topic not in KEPT_TOPICS:
            continue
        earlier = measures.get(short)
        if earlier is not None and KEPT_TOPICS.index(earlier["topic"]) <= KEPT_TOPICS.index(topic):
            continue
        measures[short] = {
            "measure_id": short, "source": "LAIT", "lait_code": _text(row["Measure_code"]),
            "name": _text(row["Measure"]), "title": _text(row["Chart_title"]), "topic": topic,
            "polarity": _POLARITY.get(polarity, "neutral"), "unit": _text(row["y_axis_name"]),
            # the dictionary marks with 'N' the measures LAIT does not put in quartile bands
            "quartiles": (_text(row["No_Quartile"]) or "").upper() != "N",
            "year_type": _text(row["Year_Type"]), "description": _text(row["Description"]),
        }
    return pl.DataFrame(list(measures.values()), schema=MEASURE_SCHEMA), every_short


MEASURE_SCHEMA = {
    "measure_id": pl.String, "source": pl.String, "lait_code": pl.String, "name": pl.String,
    "title": pl.String, "topic": pl.String, "polarity": pl.String, "unit": pl.String,
    "quartiles": pl.Boolean, "year_type": pl.String, "description": pl.String,
}
FIGURE_SCHEMA = {
    "measure_id": pl.String, "year": pl.String, "published_year": pl.String, "year_ending": pl.Int32,
    "geography": pl.String, "area_code": pl.String, "area_name": pl.String, "value": pl.Float64,
    "status": pl.String,
}


def _read_figures_table(path: Path) -> pl.DataFrame:
    if path.suffix.lower() == ".parquet":
        table = pl.read_parquet(path)
    else:
        table = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        table = table.rename({name: name.lstrip("\ufeff").strip() for name in table.columns})
    return table


def read_figures(path: Path, measures: pl.DataFrame, dictionary_shorts: set[str], log: ProblemLog) -> tuple[pl.DataFrame, pl.DataFrame, set[str]]:
    """(figures of the kept measures, authorities seen, measures not in the dictionary) of the LAIT long table.

    Authorities seen: la_code, name, lait_region, with the latest year each name was used.
    """
    table = _read_figures_table(path)
    if not missing_columns(log, table.columns, FIGURE_COLUMNS):
        return pl.DataFrame(schema=FIGURE_SCHEMA), pl.DataFrame(), set()
    # 'row' counts as a spreadsheet does, header first; for Parquet, row 1 is the first row of data
    first = 1 if path.suffix.lower() == ".parquet" else 2
    table = table.with_row_index("row", offset=first).with_columns(
        pl.col(name).cast(pl.String) for name in FIGURE_COLUMNS)

    number = pl.col("LA Number").str.strip_chars().cast(pl.Float64, strict=False)
    table = table.with_columns(number=number)
    bad_number = table.filter(pl.col("number").is_null() | (pl.col("number") != pl.col("number").round(0))
                              | (pl.col("number") < 1) | (pl.col("number") > 999))
    report_rows(log, bad_number, "LA Number",
                "a whole number: an authority's 3-digit code, 970 (England) or 980–990 (a region)")

    unknown = set(table["Short Desc"].unique().drop_nulls().to_list()) - dictionary_shorts
    table = table.join(measures.select("measure_id", "year_type"), left_on="Short Desc",
                       right_on="measure_id", how="inner")

    value, status, unreadable = figure_columns(pl.col("Values"))
    table = table.with_columns(value=value, status=status, unreadable=unreadable)
    report_rows(log, table.filter("unreadable"), "Values",
                "a number or a suppression mark (-, x, c, z, low, u)")

    table = table.filter(pl.col("number").is_not_null()).with_columns(pl.col("number").cast(pl.Int32))
    pairs = table.select("Years", "year_type").unique().rows()
    normalised = [normalise_lait_year(label or "", year_type) for label, year_type in pairs]
    years = pl.DataFrame({"Years": [p[0] for p in pairs], "year_type": [p[1] for p in pairs],
                          "year": [n[0] for n in normalised], "year_ending": [n[1] for n in normalised]},
                         schema={"Years": pl.String, "year_type": pl.String, "year": pl.String,
                                 "year_ending": pl.Int32})
    table = table.join(years, on=["Years", "year_type"], how="left", nulls_equal=True)

    region_numbers = pl.DataFrame({"number": list(LAIT_REGION_NUMBERS),
                                   "region_code": list(LAIT_REGION_NUMBERS.values())},
                                  schema={"number": pl.Int32, "region_code": pl.String})
    table = table.join(region_numbers, on="number", how="left")
    geography = (pl.when(pl.col("number") == LAIT_ENGLAND_NUMBER).then(pl.lit("england"))
                 .when(pl.col("region_code").is_not_null()).then(pl.lit("region"))
                 .otherwise(pl.lit("la")))
    area_code = (pl.when(pl.col("number") == LAIT_ENGLAND_NUMBER).then(pl.lit(ENGLAND))
                 .when(pl.col("region_code").is_not_null()).then(pl.col("region_code"))
                 .otherwise(pl.col("number").cast(pl.String).str.zfill(3)))
    region_name = pl.col("region_code").replace_strict(REGION_NAMES, default=None)
    area_name = (pl.when(pl.col("number") == LAIT_ENGLAND_NUMBER).then(pl.lit("England"))
                 .when(pl.col("region_code").is_not_null()).then(region_name)
                 .otherwise(pl.col("LA and Regions").str.strip_chars()))
    table = table.with_columns(geography=geography, area_code=area_code, area_name=area_name)
    figures = table.select(
        pl.col("Short Desc").alias("measure_id"), "year", pl.col("Years").alias("published_year"),
        "year_ending", "geography", "area_code", "area_name", "value", "status",
    ).filter(pl.col("status").is_not_null()).cast(FIGURE_SCHEMA)

    authorities = (table.filter(pl.col("geography") == "la")
                   .group_by(pl.col("area_code").alias("la_code"))
                   .agg(pl.col("area_name").sort_by("year_ending").last().alias("name"),
                        pl.col("Region").sort_by("year_ending").last().alias("lait_region")))
    authorities = authorities.with_columns(
        pl.when(pl.col("lait_region").str.strip_chars().is_in(list(_ABSENT))).then(None)
        .otherwise(pl.col("lait_region").str.strip_chars()).alias("lait_region"))
    return figures, authorities, unknown
