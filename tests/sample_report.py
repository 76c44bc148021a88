"""A small report made by hand, for the format writers' tests: every kind of block, a suppressed cell,
an edited and a stale paragraph, and a chart, without needing a store."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from carelens.charts import Chart
from carelens.report.document import (
    Column,
    Definition,
    Figure,
    Kind,
    Mark,
    Number,
    Paragraph,
    Report,
    Section,
    Table,
)


def sample_chart(key: str = "C8-trend") -> Chart:
    data = pl.DataFrame({"month": [dt.date(2025, m, 28) for m in range(1, 13)],
                         "value": [250.0, 262, 270, 281, 290, 300, 312, 330, 351, 380, 402, 429]})
    spec = (alt.Chart(alt.Data(values=data.with_columns(pl.col("month").cast(pl.String)).to_dicts()),
                      title="Children on child protection plans")
            .mark_line(point=True, color="#1d70b8")
            .encode(x=alt.X("month:T", title="Month end"), y=alt.Y("value:Q", title="Children"))
            .properties(width=480, height=220).to_dict())
    return Chart(key, "Children on child protection plans", spec,
                 data.rename({"month": "Month end", "value": "Children"}),
                 "Line chart of children on child protection plans each month from January to December "
                 "2025: 250 in January rising to 429 in December.")


def sample_report(audience: str = "internal") -> Report:
    summary = Section("", "summary", "What changed this month", (
        Paragraph("summary/C8", "**Children on child protection plans** rose from 402 to 429.",
                  (Number(402, "C8 month 2025-11 numerator"), Number(429, "C8 month 2025-12 numerator")), "ab12"),
    ))
    cp = Section("4", "cp_plans", "Child protection plans", (
        Paragraph("cp_plans/C8", "**Children subject to a child protection plan** rose from 257 in July 2024 "
                  "to 429 at month end (149 per 10,000), more than double the similar-authority median (70).",
                  (Number(257, "x"), Number(429, "y"), Number(149, "z"), Number(70, "w")), "cd34"),
        Figure(sample_chart(), "Children on child protection plans, last 12 months"),
        Table("ratio_table", "Rates per 10,000 children against the statistical neighbours' median",
              (Column("row", "Per 10,000 children"), Column("la", "Coastal", Kind.RATE),
               Column("sn", "Neighbour median", Kind.RATE), Column("ratio", "Ratio", Kind.RATIO)),
              (("Referrals", 1012.0, 552.0, 1.83), ("Section 47 enquiries", 410.0, 205.0, 2.0),
               ("Initial child protection conferences", 190.0, 96.0, 1.98),
               ("Child protection plans in force", 149.0, 70.0, 2.13)),
              ("Source: CareLens computed from the store; DfE Children in need 2017-18.",)),
        Paragraph("cp_plans/C14", "Edited by the analyst: plans over two years remain few.", (), "ef56",
                  edited=True, stale=True),
    ))
    teams = Section("9", "workforce", "Caseloads and workforce", (
        Table("caseloads_by_team", "Average caseload by team",
              (Column("team", "Team"), Column("workers", "Social workers", Kind.COUNT),
               Column("caseload", "Average caseload", Kind.DECIMAL), Column("share", "Agency", Kind.PERCENT)),
              (("Assessment 1", 8, 24.6, 25.0), ("Safeguarding 2", Mark.SUPPRESSED, None, Mark.SUPPRESSED),
               ("All teams", 31, 22.1, 19.4))),
    ))
    return Report(
        authority="Coastal (synthetic)", la_code="890", as_at=dt.date(2026, 3, 31), audience=audience,
        summary=summary, sections=(cp, teams),
        definitions=(Definition("C8", "Children on child protection plans",
                                "Children subject to a child protection plan on the day, per 10,000 children.",
                                "rate"),),
        notes=("Counts below 5 are suppressed ([c]), with further cells suppressed so that none can be "
               "worked out from totals.",) if audience == "published" else (),
        store_version="v-sample", carelens_version="0.2.0", generated=dt.datetime(2026, 4, 2, 9, 30),
        suppression_threshold=5 if audience == "published" else None)
