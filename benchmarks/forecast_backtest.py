"""The forecast's backtest on the synthetic coastal authority and the England profile, against the naive baselines
and the peer (Social Finance's ``cs-demand-model``); writes docs/forecast/accuracy.md.

    uv run --frozen python benchmarks/forecast_backtest.py                  # both authorities, the peer, the doc
    uv run --frozen python benchmarks/forecast_backtest.py --no-peer --runs 200 --out /tmp/accuracy.md
    uv run --frozen python benchmarks/forecast_backtest.py --peer-every 2   # the peer at every other origin
    uv run --frozen python benchmarks/forecast_backtest.py --authority-seeds 2,3,4,5   # and four more draws

Each authority is generated once into ``--work`` (10 years of history to 2026-03-31, seed 1): the coastal
authority (890, profile coastal-high-demand, as the demo makes it) and one of the England profile (201, as
``carelens synth --profile england --la 201`` makes it). For each, the script reads the care histories from the
store, runs :func:`carelens.forecast.backtest.backtest` at its default origins (each quarter end of the last three
years with three years of data before it and six months after), and runs the peer at the same origins on the
SSDA903 returns CareLens writes from the same store, cut at each origin (``known_at``), with the same three-year
reference window as CareLens's fit. The peer takes seconds a projection; ``--peer-every K`` runs it at every
K-th origin only (the document says which). CareLens's backtest is repeated with ``--other-seeds`` other seeds of
its runs, for the range of its 12-month error; ``--authority-seeds`` backtests both profiles generated with other
synthetic seeds too (12 months ahead only), to show whether the two authorities are typical. Every sentence of
the document is written from the figures computed; docs/forecast/backtest.md says how to read them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from peer_demand_model import (  # noqa: E402  (benchmarks is not a package: the script's folder is the path)
    CARELENS_PLACEMENT_GROUP,
    PEER_PACKAGE,
    PEER_VERSION,
    PLACEMENT_GROUPS,
    PeerUnavailable,
    in_carelens_terms,
    run_peer,
)

from carelens.forecast.backtest import (  # noqa: E402
    HORIZONS,
    Backtest,
    backtest,
    coverage_words,
    data_first_day,
    default_origins,
    month_end,
    results_frame,
    summarise,
)
from carelens.forecast.states import PLACEMENT_CATEGORIES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "forecast" / "accuracy.md"
END = dt.date(2026, 3, 31)
YEARS = 10
SEED = 1
SPEED_TARGET_SECONDS = 30  # the target for the full backtest of the coastal authority


@dataclass(frozen=True)
class Authority:
    la_code: str
    name: str
    profile: str


AUTHORITIES = (Authority("890", "Coastal (synthetic)", "coastal-high-demand"),
               Authority("201", "England profile (synthetic)", "england"))
GROUPS = {g: tuple(c for c in PLACEMENT_CATEGORIES if CARELENS_PLACEMENT_GROUP[c] == g) for g in PLACEMENT_GROUPS}
METHOD_NAMES = {"carelens": "CareLens", "carry_forward": "carry-forward", "linear_trend": "linear trend",
                "peer": "the peer"}  # as table headings
IN_A_SENTENCE = {"carelens": "CareLens", "carry_forward": "carry-forward", "linear_trend": "the linear trend",
                 "peer": "the peer"}


def make_store(work: Path, authority: Authority, seed: int = SEED) -> Path:
    """The authority generated into ``work`` (with ``seed``) unless it is there already."""
    from carelens.synth import AuthoritySpec, load_profile, synthesise

    store = work / (f"{authority.profile}-{authority.la_code}.duckdb" if seed == SEED
                    else f"{authority.profile}-{authority.la_code}-seed{seed}.duckdb")
    if not store.exists():
        print(f"Generating {authority.name} (seed {seed}) into {store} ...", flush=True)
        synthesise(store, [AuthoritySpec(authority.la_code, authority.name, load_profile(authority.profile))],
                   years=YEARS, seed=seed, end=END)
    return store


def collection_year(day: dt.date) -> int:
    """The SSDA903 collection year a day falls in (year Y runs from 1 April Y-1 to 31 March Y)."""
    return day.year + 1 if day.month >= 4 else day.year


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass
class PeerRun:
    rows: list[dict]
    origins: list[dt.date]
    seconds: float  # the peer's own time (read, fit, project), summed over its projections
    wall: float  # with its interpreter's start and the staging of returns


@dataclass
class Section:
    """One authority's part of the document: its backtest, the summary of every method's rows (the peer's
    included), and CareLens's 12-month MAPE of the total with each other seed."""

    authority: Authority
    result: Backtest
    rows: pl.DataFrame
    summary: pl.DataFrame
    read_seconds: float
    peer: PeerRun | None
    peer_note: str
    seed_mapes: dict[int, float]  # seed → CareLens's 12-month MAPE of the total (the main seed's included)


def run_peer_backtest(store_path: Path, result: Backtest, origins: list[dt.date], work: Path) -> PeerRun:
    """The peer's forecasts at ``origins`` for the targets CareLens was measured on, as backtest rows (total and
    the placement groups both models share), with the actuals CareLens's rows have."""
    from carelens.model.store import Store
    from carelens.returns.ssda903 import write_ssda903

    window = result.window_years
    first_year = collection_year(_years_before(min(origins), window) + dt.timedelta(days=1))
    years = range(first_year, collection_year(max(origins)) + 1)
    returns = work / f"returns-{result.la_code}"
    folders = {}
    with Store(store_path, read_only=True) as store:
        for year in years:
            # written afresh each time: returns left from another store of the same name would mislead the peer
            folder = returns / f"ssda903_{year}"
            write_ssda903(store, year, folder)
            folders[year] = folder
    actual = {(o, t, s): a for o, t, s, a in result.results.filter(pl.col("method") == "carelens")
              .select("origin", "target", "series", "actual").iter_rows()}
    targets = (result.results.filter(pl.col("method") == "carelens").select("origin", "horizon_months", "target")
               .unique().sort("origin", "horizon_months"))
    rows, seconds = [], 0.0
    started = time.perf_counter()
    for i, origin in enumerate(origins):
        mine = targets.filter(pl.col("origin") == origin)
        reference_start = _years_before(origin, window) + dt.timedelta(days=1)
        chosen = [folders[y] for y in range(collection_year(reference_start), collection_year(origin) + 1)]
        frame, spent = run_peer(chosen, reference_start, origin, origin, mine["target"].max(), known_at=origin)
        seconds += spent
        frame = in_carelens_terms(frame)
        for h, target in mine.select("horizon_months", "target").iter_rows():
            on = frame.filter(pl.col("date") == target)
            if on.is_empty():
                raise PeerUnavailable(f"the peer's projection from {origin} has no {target}")
            by_group = dict(on.group_by("placement_group").agg(pl.col("children").sum()).iter_rows())
            forecasts = {"total": float(on["children"].sum())} | {g: float(by_group.get(g, 0.0)) for g in GROUPS}
            for series, f in forecasts.items():
                rows.append({"origin": origin, "horizon_months": h, "target": target, "series": series,
                             "method": "peer", "forecast": f, "actual": actual[(origin, target, series)]})
        print(f"  peer at {origin} ({i + 1}/{len(origins)}): {spent:.1f} s", flush=True)
    return PeerRun(rows, list(origins), seconds, time.perf_counter() - started)


# --------------------------------------------------------------------------------------------- the document

def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 ** 2:.0f} GB of memory"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def _pct(value, digits=2) -> str:
    return "–" if value is None else f"{value:.{digits}f}%"


def _get(summary: pl.DataFrame, method: str, series: str, horizon: int) -> dict | None:
    found = summary.filter((pl.col("method") == method) & (pl.col("series") == series)
                           & (pl.col("horizon_months") == horizon))
    return found.row(0, named=True) if found.height else None


def _value(summary, method, series, horizon, measure):
    row = _get(summary, method, series, horizon)
    return None if row is None else row[measure]


def _comparison(mine: float, theirs: float, name: str) -> str:
    if mine < theirs:
        return f"lower than {name}'s ({_pct(theirs)})"
    if mine > theirs:
        return f"higher than {name}'s ({_pct(theirs)})"
    return f"the same as {name}'s ({_pct(theirs)})"


def _beats(summary: pl.DataFrame, others: list[str], horizon: int = 12) -> dict[str, bool | None]:
    mine = _value(summary, "carelens", "total", horizon, "mape")
    out = {}
    for method in others:
        theirs = _value(summary, method, "total", horizon, "mape")
        out[method] = None if mine is None or theirs is None else mine < theirs
    return out


def _coverage_sentence(row: dict, level: int, what: str, horizon: int) -> str:
    inside, n = row[f"inside_{level}"], row["forecasts"]
    share = 100 * inside / n
    spread = 100 * (level / 100 * (1 - level / 100) / n) ** 0.5
    return (f"{horizon} months ahead, the {level}% interval held {what} in {inside} of {n} forecasts, "
            f"{share:.0f}%: {coverage_words(inside, n, level)} (over {n} forecasts chance alone spreads the "
            f"share by about ±{spread:.0f} points).")


def _closer(rows: pl.DataFrame, method: str, horizon: int) -> tuple[int, int, int]:
    """In how many of the forecasts of the total ``horizon`` months ahead CareLens was closer to the outcome
    than ``method``, how many ``method`` was closer, and how many ties."""
    error = (pl.col("forecast") - pl.col("actual")).abs()
    both = (rows.filter((pl.col("series") == "total") & (pl.col("horizon_months") == horizon)
                        & pl.col("method").is_in(["carelens", method]))
            .with_columns(error=error).pivot("method", index="origin", values="error").drop_nulls())
    mine, theirs = both["carelens"], both[method]
    return int((mine < theirs).sum()), int((mine > theirs).sum()), int((mine == theirs).sum())


def _seed_sentence(seed_mapes: dict[int, float]) -> str:
    if len(seed_mapes) < 2:
        return ""
    low, high = min(seed_mapes.values()), max(seed_mapes.values())
    listed = ", ".join(str(k) for k in sorted(seed_mapes))
    return (f"Repeated with {len(seed_mapes)} seeds of the simulation runs ({listed}), "
            f"CareLens's 12-month MAPE of the total ranged from {_pct(low)} to {_pct(high)}: a difference "
            "between methods smaller than that is within the chance of the runs.")


def authority_section(section: Section) -> list[str]:
    authority, result, summary = section.authority, section.result, section.summary
    read_seconds, peer, peer_note = section.read_seconds, section.peer, section.peer_note
    methods = ["carelens", "carry_forward", "linear_trend"] + (["peer"] if peer else [])
    horizons = [h for h in HORIZONS if _get(summary, "carelens", "total", h)]
    origins = result.origins
    lines = [f"## {authority.name}, {authority.la_code}", ""]
    in_care = result.results.filter((pl.col("method") == "carry_forward") & (pl.col("series") == "total")
                                    & (pl.col("horizon_months") == horizons[0]))
    lines += [f"Profile `{authority.profile}`, {YEARS} years of history to {END} (seed {SEED}). "
              f"{len(origins)} origins, each quarter end from {origins[0]} to {origins[-1]}; "
              f"{result.runs:,} runs a projection; rates fitted over the {result.window_years} years up to each "
              f"origin. Children in care on the origins: {in_care['forecast'].min():.0f} to "
              f"{in_care['forecast'].max():.0f}. {peer_note}", ""]

    lines += ["### Error of the total", "",
              "Mean absolute percentage error (MAPE) of the children in care, with the number of forecasts "
              "(origins whose outcome is in the data):", ""]
    lines += ["| months ahead | forecasts | " + " | ".join(METHOD_NAMES[m] for m in methods) + " |",
              "|---:|---:|" + "---:|" * len(methods)]
    for h in horizons:
        cells = []
        for m in methods:
            row = _get(summary, m, "total", h)
            cells.append("–" if row is None else _pct(row["mape"]) + ("" if row["forecasts"] == _get(
                summary, "carelens", "total", h)["forecasts"] else f" ({row['forecasts']})"))
        lines.append(f"| {h} | {_get(summary, 'carelens', 'total', h)['forecasts']} | " + " | ".join(cells) + " |")
    lines.append("")
    if 12 in horizons:
        mine = _value(summary, "carelens", "total", 12, "mape")
        parts = [_comparison(mine, _value(summary, m, "total", 12, "mape"), IN_A_SENTENCE[m])
                 for m in methods[1:] if _value(summary, m, "total", 12, "mape") is not None]
        lines.append(f"12 months ahead, CareLens's median missed the total by {_pct(mine)} on average: "
                     + ", ".join(parts) + ".")
        bias = _value(summary, "carelens", "total", 12, "mean_error")
        lines.append(f"Its mean error was {bias:+.1f} children ({'too many' if bias > 0 else 'too few'} "
                     f"on average); carry-forward's {_value(summary, 'carry_forward', 'total', 12, 'mean_error'):+.1f},"
                     f" the linear trend's {_value(summary, 'linear_trend', 'total', 12, 'mean_error'):+.1f}"
                     + (f", the peer's {_value(summary, 'peer', 'total', 12, 'mean_error'):+.1f}"
                        if peer and _get(summary, "peer", "total", 12) else "") + ".")
        counts = []
        for m in methods[1:]:
            better, worse, ties = _closer(section.rows, m, 12)
            if better + worse + ties:
                counts.append(f"{IN_A_SENTENCE[m]} in {worse}" + (f" (and tied in {ties})" if ties else ""))
        n = _get(summary, "carelens", "total", 12)["forecasts"]
        first, *rest = counts
        head, _, tail = first.partition(" in ")
        listed = f"{head} came closer to the outcome than CareLens in {tail}" + "".join(
            (" and " if i == len(rest) - 1 else ", ") + c for i, c in enumerate(rest))
        lines.append(f"Of the {n} forecasts, {listed}.")
        seeds = _seed_sentence(section.seed_mapes)
        if seeds:
            lines.append(seeds)
        lines.append("")

    lines += ["### By placement category", "",
              "Weighted absolute percentage error (WAPE: Σ |forecast − actual| / Σ actual over the eight "
              "categories and the origins, so each category weighs by its size and an empty one cannot divide "
              "by 0):", ""]
    base = ["carelens", "carry_forward", "linear_trend"]
    lines += ["| months ahead | forecasts | " + " | ".join(METHOD_NAMES[m] for m in base) + " |",
              "|---:|---:|" + "---:|" * len(base)]
    for h in horizons:
        n = _get(summary, "carelens", "all_categories", h)["forecasts"]
        lines.append(f"| {h} | {n} | " + " | ".join(_pct(_value(summary, m, "all_categories", h, "wape"), 1)
                                                     for m in base) + " |")
    lines.append("")
    if 12 in horizons:
        lines += ["Each category 12 months ahead (WAPE over the origins; children: the mean outcome):", "",
                  "| category | children | " + " | ".join(METHOD_NAMES[m] for m in base) + " |",
                  "|---|---:|" + "---:|" * len(base)]
        actuals = (result.results.filter((pl.col("method") == "carelens") & (pl.col("horizon_months") == 12))
                   .group_by("series").agg(pl.col("actual").mean()))
        mean_actual = dict(actuals.iter_rows())
        for c in PLACEMENT_CATEGORIES:
            lines.append(f"| {c} | {mean_actual[c]:.0f} | "
                         + " | ".join(_pct(_value(summary, m, c, 12, "wape"), 1) for m in base) + " |")
        lines.append("")
    lines += ["On the two placement groups both models share (fostering: in-house, agency and kinship foster care; "
              "not fostering: the rest), pooled WAPE:", "",
              "| months ahead | forecasts | " + " | ".join(METHOD_NAMES[m] for m in methods) + " |",
              "|---:|---:|" + "---:|" * len(methods)]
    for h in horizons:
        n = _get(summary, "carelens", "all_groups", h)["forecasts"]
        cells = []
        for m in methods:
            row = _get(summary, m, "all_groups", h)
            cells.append("–" if row is None else _pct(row["wape"], 1)
                         + ("" if row["forecasts"] == n else f" ({row['forecasts']})"))
        lines.append(f"| {h} | {n} | " + " | ".join(cells) + " |")
    lines.append("")

    lines += ["### Interval coverage", "",
              "How often CareLens's intervals held what happened (an outcome on an interval's end counts as "
              "inside), against the nominal 50%, 80% and 95%:", "",
              "| months ahead | series | forecasts | 50% | 80% | 95% |", "|---:|---|---:|---:|---:|---:|"]
    for h in horizons:
        for series, label in (("total", "total"), ("all_categories", "each category")):
            row = _get(summary, "carelens", series, h)
            cells = [f"{row[f'inside_{lv}']} ({100 * row[f'coverage_{lv}']:.0f}%)" for lv in (50, 80, 95)]
            lines.append(f"| {h} | {label} | {row['forecasts']} | " + " | ".join(cells) + " |")
    lines.append("")
    for h in horizons:
        lines.append(_coverage_sentence(_get(summary, "carelens", "total", h), 80, "the total", h))
    row = _get(summary, "carelens", "all_categories", 12 if 12 in horizons else horizons[0])
    lines.append(_coverage_sentence(row, 80, "a category's children", 12 if 12 in horizons else horizons[0])
                 + " The categories' forecasts share origins and runs, so they are not independent either.")
    lines.append("")

    s = result.seconds
    met = "within" if s["total"] <= SPEED_TARGET_SECONDS else "over"
    projections = len(result.results.select("origin").unique())
    lines += ["### Time", "",
              f"The backtest took {s['total']:.1f} s ({met} the issue's {SPEED_TARGET_SECONDS} s): fitting "
              f"{s['fit']:.1f} s, projecting {s['project']:.1f} s ({projections} projections of "
              f"{result.runs:,} runs), counting outcomes and baselines {s['outcomes'] + s['baselines']:.1f} s; "
              f"reading the care histories from the store before it took {read_seconds:.1f} s."]
    if peer:
        lines.append(f"The peer took {peer.seconds:.1f} s for its {len(peer.origins)} projections (its own time to "
                     f"read, fit and project; {peer.seconds / len(peer.origins):.1f} s each), "
                     f"{peer.wall:.1f} s with its interpreter's start and the staging of the returns.")
    lines.append("")
    return lines


def seeds_section(others: list[tuple[Authority, int, pl.DataFrame]], methods: list[str]) -> list[str]:
    """The 12-month error of the total of every method on the same profiles generated with other seeds: whether
    the authorities above are typical."""
    lines = ["## The same profiles, other synthetic authorities", "",
             "The authorities above are one draw each of their profile (generated with seed 1). The same backtest "
             "on the profiles generated with other seeds, 12 months ahead, MAPE of the total:", "",
             "| authority | generated with seed | forecasts | " + " | ".join(METHOD_NAMES[m] for m in methods)
             + " | lowest |",
             "|---|---:|---:|" + "---:|" * len(methods) + "---|"]
    lowest: dict[str, int] = {}
    for authority, seed, summary in others:
        values = {m: _value(summary, m, "total", 12, "mape") for m in methods}
        known = {m: v for m, v in values.items() if v is not None}
        best = min(known, key=known.get)
        lowest[best] = lowest.get(best, 0) + 1
        n = _get(summary, "carelens", "total", 12)["forecasts"]
        lines.append(f"| {authority.name} | {seed} | {n} | " + " | ".join(_pct(values[m]) for m in methods)
                     + f" | {METHOD_NAMES[best]} |")
    lines.append("")
    told = [f"{IN_A_SENTENCE[m]}'s in {lowest[m]}" for m in methods if lowest.get(m)]
    lines.append(f"Of these {len(others)}, the lowest 12-month error was " + ", ".join(told[:-1])
                 + (" and " if len(told) > 1 else "") + told[-1] + ".")
    lines.append("")
    return lines


def document(sections: list[Section], command: str,
             other_draws: list[tuple[Authority, int, pl.DataFrame]] | None = None) -> str:
    from carelens.model.metadata import carelens_version

    today = dt.date.today()
    lines = ["# Forecast accuracy: the backtest", "",
             f"Generated by `{command}` on {today} with CareLens {carelens_version()}, on {_machine()}. "
             "Do not edit by hand: run the command again. [backtest.md](backtest.md) says how the backtest "
             "works and how to read these figures; [peer.md](peer.md) describes the peer.", ""]
    lines += ["## Summary", "",
              "12 months ahead, MAPE of the total (the issue asks CareLens to beat both naive baselines and the "
              "peer on it, for both authorities), with the range of CareLens's over other seeds of its simulation "
              "runs:", "",
              "| authority | CareLens | CareLens, other run seeds | carry-forward | linear trend | the peer | "
              "CareLens lowest |", "|---|---:|---:|---:|---:|---:|---|"]
    verdicts = []
    for section in sections:
        summary, peer = section.summary, section.peer
        others = ["carry_forward", "linear_trend"] + (["peer"] if peer else [])
        beats = _beats(summary, others)
        seeds = section.seed_mapes
        cells = [_pct(_value(summary, "carelens", "total", 12, "mape")),
                 f"{_pct(min(seeds.values()))} to {_pct(max(seeds.values()))}" if len(seeds) > 1 else "–"]
        cells += [_pct(_value(summary, m, "total", 12, "mape")) for m in ("carry_forward", "linear_trend")]
        cells.append(_pct(_value(summary, "peer", "total", 12, "mape")) if peer else "not run")
        lost = [m for m, b in beats.items() if b is False]
        verdict = ("yes" if all(beats.values()) else
                   "no: not below " + ", ".join(IN_A_SENTENCE[m] for m in lost) if lost else "–")
        verdicts.append((section, beats, lost))
        lines.append(f"| {section.authority.name} | " + " | ".join(cells) + f" | {verdict} |")
    lines.append("")
    missed = [(sec, lost) for sec, _, lost in verdicts if lost]
    if missed:
        parts = []
        for sec, lost in missed:
            seeds = sec.seed_mapes
            for m in lost:
                theirs = _value(sec.summary, m, "total", 12, "mape")
                where = ""
                if len(seeds) > 1:
                    low, high = min(seeds.values()), max(seeds.values())
                    where = (f", within the {_pct(low)} to {_pct(high)} CareLens gave with other run seeds"
                             if low <= theirs else
                             f", below even the lowest CareLens gave with other run seeds, {_pct(low)}")
                parts.append(f"for {sec.authority.name}, CareLens's 12-month error "
                             f"({_pct(_value(sec.summary, 'carelens', 'total', 12, 'mape'))}) was not below "
                             f"{IN_A_SENTENCE[m]}'s, {_pct(theirs)}{where}")
        lines.append("The requirement is not met: " + "; ".join(parts) + ".")
    elif all(all(beats.values()) and "peer" in beats for _, beats, _ in verdicts):
        lines.append("The requirement is met: CareLens's 12-month error of the total was below both naive "
                     "baselines' and the peer's for both authorities.")
    else:
        lines.append("CareLens's 12-month error was below both naive baselines' where measured; the peer was not "
                     "run for every authority, so the requirement is not shown.")
    lines.append("")
    if other_draws:
        methods = ["carelens", "carry_forward", "linear_trend"] + (["peer"] if sections[0].peer else [])
        lines += seeds_section(other_draws, methods)
    for section in sections:
        lines += authority_section(section)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "carelens-forecast-backtest")
    parser.add_argument("--runs", type=int, default=1000, help="runs of each CareLens projection (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-peer", action="store_true", help="leave the peer out")
    parser.add_argument("--peer-every", type=int, default=1, help="run the peer at every K-th origin (default 1)")
    parser.add_argument("--out", type=Path, default=DOC, help=f"the document to write (default {DOC})")
    parser.add_argument("--csv", type=Path, help="also write every forecast of both authorities to this CSV")
    parser.add_argument("--other-seeds", type=int, default=4,
                        help="repeat CareLens's backtest with this many other seeds for the range of its error "
                             "(default 4; 0 for none)")
    parser.add_argument("--authority-seeds", type=lambda v: [int(x) for x in v.split(",") if x],
                        default=[], help="also backtest both profiles generated with these synthetic seeds "
                                         "(e.g. 2,3,4,5), with the peer unless --no-peer")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    command = "uv run --frozen python benchmarks/forecast_backtest.py" + "".join(
        f" {a}" for a in sys.argv[1:])

    from carelens.forecast.histories import care_histories
    from carelens.model.store import Store

    sections, frames = [], []
    for authority in AUTHORITIES:
        path = make_store(args.work, authority)
        t0 = time.perf_counter()
        with Store(path, read_only=True) as store:
            histories = care_histories(store, authority.la_code)
            first_day = data_first_day(store, authority.la_code)
        read_seconds = time.perf_counter() - t0
        result = backtest(histories, first_day=first_day, runs=args.runs, seed=args.seed, groups=GROUPS)
        print(f"{authority.name}: histories read in {read_seconds:.1f} s; backtest of {len(result.origins)} "
              f"origins ({result.origins[0]} to {result.origins[-1]}) in {result.seconds['total']:.1f} s "
              f"(fit {result.seconds['fit']:.1f} s, project {result.seconds['project']:.1f} s)", flush=True)
        peer, note = None, "The peer was not run."
        rows = result.results
        if not args.no_peer:
            chosen = list(result.origins[::args.peer_every])
            try:
                peer = run_peer_backtest(path, result, chosen, args.work)
            except PeerUnavailable as e:
                print(f"forecast_backtest: the peer could not run: {e}", file=sys.stderr)
                note = f"The peer could not run here: {str(e).splitlines()[0]}"
            else:
                rows = pl.concat([rows, results_frame(peer.rows, authority.la_code, GROUPS)])
                which = ("at every origin" if len(chosen) == len(result.origins)
                         else f"at {len(chosen)} of the origins (every {args.peer_every}: "
                              + ", ".join(str(o) for o in chosen) + ")")
                note = (f"The peer ({PEER_PACKAGE} {PEER_VERSION}) ran {which}, on the SSDA903 returns CareLens "
                        f"writes from the store, cut at the origin, with the same {result.window_years}-year "
                        "reference window.")
        summary = summarise(rows)
        frames.append(rows)
        seed_mapes = {args.seed: _value(summary, "carelens", "total", 12, "mape")}
        with_12 = [o for o in result.origins if month_end(o, 12) <= histories.last_day]
        for k in range(1, args.other_seeds + 1):
            # seeds 100 apart: each origin's projection takes the seed + its index, so these never coincide;
            # (the origins with a 12-month outcome are the first ones, so each keeps its index)
            other = backtest(histories, first_day=first_day, origins=with_12, runs=args.runs,
                             seed=args.seed + 100 * k, horizons=(12,))
            seed_mapes[args.seed + 100 * k] = _value(other.summary, "carelens", "total", 12, "mape")
        print("  CareLens's 12-month MAPE by seed: "
              + ", ".join(f"{k}: {v:.2f}%" for k, v in seed_mapes.items() if v is not None), flush=True)
        sections.append(Section(authority, result, rows, summary, read_seconds, peer, note, seed_mapes))
        with pl.Config(tbl_rows=40, tbl_cols=12, tbl_width_chars=160):
            print(summary.filter(pl.col("series").is_in(["total", "all_categories", "all_groups"]))
                  .select("method", "series", "horizon_months", "forecasts", "mape", "wape", "mean_error",
                          "coverage_50", "coverage_80", "coverage_95"))
    other_draws = []
    for seed in args.authority_seeds:
        for authority in AUTHORITIES:
            path = make_store(args.work, authority, seed)
            with Store(path, read_only=True) as store:
                histories = care_histories(store, authority.la_code)
                first_day = data_first_day(store, authority.la_code)
            result = backtest(histories, first_day=first_day, runs=args.runs, seed=args.seed, horizons=(12,),
                              groups=GROUPS, origins=[o for o in default_origins(first_day, histories.last_day)
                                       if month_end(o, 12) <= histories.last_day])
            rows = result.results
            if not args.no_peer:
                peer = run_peer_backtest(path, result, list(result.origins), args.work / f"seed{seed}")
                rows = pl.concat([rows, results_frame(peer.rows, authority.la_code, GROUPS)])
            summary = summarise(rows)
            other_draws.append((authority, seed, summary))
            print(f"{authority.name}, seed {seed}: 12-month MAPE " + ", ".join(
                f"{m} {v:.2f}%" for m, v in summary.filter(pl.col("series") == "total")
                .select("method", "mape").iter_rows()), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(document(sections, command, other_draws), encoding="utf-8")
    print(f"written {args.out}")
    if args.csv:
        pl.concat(frames).write_csv(args.csv)
        print(f"written {args.csv}")


if __name__ == "__main__":
    main()
