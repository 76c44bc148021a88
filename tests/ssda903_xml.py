"""An SSDA903 return's CSV files written as one SSDA903 XML file, for the tests of the readers that take XML."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def to_xml(ret: Path) -> str:
    """The return as SSDA903 XML (EXPSSDA903 > CHILD > HEADER (+ groups), EPISODE), one element per line."""
    t = {f.stem: pl.read_csv(f, infer_schema=False) for f in ret.iterdir()}
    lines = ["<?xml version='1.0' encoding='utf-8'?>", "<EXPSSDA903>"]

    def leaves(row: dict, skip=("CHILD", "DOB")) -> str:
        return "".join(f"<{k}>{v}</{k}>" if v is not None else f"<{k} />" for k, v in row.items() if k not in skip)

    groups = {"reviews": "AREVIEW", "missing": "AMISSING", "oc2": "OC2", "previous_permanence": "PERMANENCE",
              "placed_for_adoption": "AD_PLACED", "sw_episodes": "SW_EPISODE"}
    by_child = {name: {k[0]: g for k, g in f.group_by("CHILD")} for name, f in t.items()}
    uasc = {r["CHILD"]: r for r in t["uasc"].iter_rows(named=True)}
    for h in t["header"].iter_rows(named=True):
        c = h["CHILD"]
        lines.append("<CHILD>")
        head = {"CHILDID": c, **{k: v for k, v in h.items() if k != "CHILD"}}
        head["UASC"] = "1" if c in uasc else None
        if c in uasc:
            head["DUC"] = uasc[c]["DUC"]
        for name in ("oc3", "ad1"):
            if c in by_child[name]:
                head.update({k: v for k, v in by_child[name][c].row(0, named=True).items() if k not in ("CHILD", "DOB")})
        lines.append(f"<HEADER>{leaves(head, skip=())}")
        for name, tag in groups.items():
            for r in by_child[name].get(c, pl.DataFrame()).iter_rows(named=True):
                lines.append(f"<{tag}>{leaves(r)}</{tag}>")
        lines.append("</HEADER>")
        for r in by_child["episodes"].get(c, pl.DataFrame()).iter_rows(named=True):
            r = {("PL" if k == "PLACE" else k): v for k, v in r.items()}
            lines.append(f"<EPISODE>{leaves(r)}</EPISODE>")
        lines.append("</CHILD>")
    lines.append("</EXPSSDA903>")
    return "\n".join(lines) + "\n"
