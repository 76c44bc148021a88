"""A forecast as a fan chart, and forecasts of the same series compared (a baseline against scenarios).

Both take plain frames — a forecast's summary (``date``, ``series``, ``median`` and the ends of its 50%, 80% and 95%
intervals, ``lower_50`` … ``upper_95``, one row per date and series, as a projection's summary gives them) and the
actual history (``date``, ``value``) — so the monthly report and the web app draw the same chart from the same
figures, and the chart package knows nothing of how a forecast is made.

- :func:`fan_chart`: the actual history as a black line up to the forecast's start, then the median forecast as a
  dark-blue line over its 95%, 80% and 50% intervals, nested bands in deepening tints of blue, each band's edges
  drawn in dark blue with its own dash (the tints alone are too light to read against white: see
  :mod:`carelens.charts.palette`). The forecast is joined to the last actual value before it, which is where
  every simulated future starts.
- :func:`scenario_chart`: each forecast's median line and its 80% interval (a see-through wash of its colour with
  edges in its colour and dash), the first forecast given being the baseline; the text alternative says each
  one's difference from the baseline at the last date they share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import altair as alt
import polars as pl

from carelens.charts.chart import Chart
from carelens.charts.palette import (
    ACTUAL,
    BAND_EDGE,
    BAND_TINTS,
    MEDIAN,
    SCENARIO_BAND_OPACITY,
    SCENARIOS,
    SECONDARY_TEXT,
)
from carelens.charts.style import HEIGHT, WIDTH, finished_spec
from carelens.charts.units import Unit, unit
from carelens.charts.words import listed, period_name

LEVELS = (95, 80, 50)  # the intervals, widest first: the order the bands are drawn in
QUANTILE_COLUMNS = ("median", *(f"{side}_{level}" for level in LEVELS for side in ("lower", "upper")))
BAND_DASHES = {95: [1, 3], 80: [4, 3], 50: [1, 0]}  # an interval's edges: dotted, dashed, solid
SCENARIO_DASHES = ([1, 0], [8, 4], [8, 3, 2, 3], [2, 2])
JOIN_DAYS = 31  # the forecast is joined to an actual value at most this long before its first date
X_TITLE = "Month end"  # the table's date column


def _interval_name(level: int) -> str:
    return f"{level}% interval"


def _forecast_rows(summary: pl.DataFrame, series: str | None, what: str) -> pl.DataFrame:
    """One series of a summary frame, by date, checked: every column there, one row a date, lower ≤ median ≤ upper."""
    missing = {"date", *QUANTILE_COLUMNS} - set(summary.columns)
    if missing:
        raise ValueError(f"{what} needs columns date, median and lower_/upper_ 50, 80 and 95; missing "
                         f"{', '.join(sorted(missing))}")
    if "series" in summary.columns:
        names = summary["series"].unique(maintain_order=True).to_list()
        if series is None and len(names) > 1:
            raise ValueError(f"{what} holds several series ({', '.join(map(str, names[:5]))}…): name one")
        if series is not None:
            if series not in names:
                raise ValueError(f"{what} has no series {series!r}: it has {', '.join(map(str, names))}")
            summary = summary.filter(pl.col("series") == series)
    if summary.is_empty():
        raise ValueError(f"{what} has no rows")
    rows = summary.select("date", *QUANTILE_COLUMNS).sort("date")
    if rows["date"].null_count():
        raise ValueError(f"{what} has a row with no date")
    if rows["date"].n_unique() != rows.height:
        raise ValueError(f"{what} has two rows for {rows.filter(rows['date'].is_duplicated())['date'][0]}")
    for r in rows.iter_rows(named=True):
        ends = [r[f"lower_{level}"] for level in LEVELS] + [r["median"]] + \
               [r[f"upper_{level}"] for level in reversed(LEVELS)]
        if any(v is None for v in ends):
            raise ValueError(f"{what}: {r['date']} has no value for a quantile")
        if any(a > b for a, b in zip(ends, ends[1:])):
            raise ValueError(f"{what}: on {r['date']} the intervals are not nested around the median "
                             "(expected lower_95 ≤ lower_80 ≤ lower_50 ≤ median ≤ upper_50 ≤ upper_80 ≤ upper_95)")
    return rows


def _history_rows(history: pl.DataFrame | None) -> list[tuple[dt.date, float]]:
    if history is None:
        return []
    missing = {"date", "value"} - set(history.columns)
    if missing:
        raise ValueError(f"the history needs columns date and value; missing {', '.join(sorted(missing))}")
    rows = [(r["date"], float(r["value"])) for r in history.select("date", "value").sort("date").iter_rows(named=True)
            if r["date"] is not None and r["value"] is not None]
    if len({d for d, _ in rows}) != len(rows):
        raise ValueError("the history has two values for one date")
    return rows


def _join_point(history: list[tuple[dt.date, float]], first: dt.date) -> tuple[dt.date, float] | None:
    """The last actual value before the forecast's first date, if close enough to join the forecast to."""
    before = [(d, v) for d, v in history if d < first]
    if before and (first - before[-1][0]).days <= JOIN_DAYS:
        return before[-1]
    return None


def _x(dates: Sequence[dt.date]) -> alt.X:
    years = (max(dates) - min(dates)).days / 365.25
    step = 1 if years <= 8 else 2
    return alt.X("date:T", timeUnit="utcyearmonth", title="Month",
                 axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount={"interval": "year", "step": step}))


def _month(day: dt.date) -> str:
    return period_name(day, "month")


def _yearly(dates: list[dt.date]) -> list[int]:
    """The indices of the dates a whole number of years before the last one (and the last), oldest first: what a
    text alternative reads out of a long forecast."""
    last = dates[-1]
    return [i for i, d in enumerate(dates) if d.month == last.month and (last.year - d.year) <= 10]


def fan_chart(summary: pl.DataFrame, *, key: str, title: str, series: str | None = None,
              history: pl.DataFrame | None = None, unit_name: str = "count", counting_unit: str = "children",
              value_title: str | None = None, subtitle: str | None = None, zero: bool = True) -> Chart:
    """One forecast series as a fan chart: the median and its 50%, 80% and 95% intervals, after the actual history.

    ``summary`` has ``date``, ``median`` and ``lower_50`` … ``upper_95`` (and ``series``: pick one with ``series``
    when it holds several). ``history`` (``date``, ``value``) is drawn as the actual line, and the forecast is
    joined to its last value before the forecast's first date (within a month); history after that is drawn over
    the fan (a backtest's outcome). ``unit_name`` is how values are written (:mod:`carelens.charts.units`);
    the value axis starts at zero unless ``zero`` is False, so an interval's width reads against the level."""
    u = unit(unit_name)
    rows = _forecast_rows(summary, series, "a fan chart's summary")
    actual = _history_rows(history)
    dates = rows["date"].to_list()
    join = _join_point(actual, dates[0])
    y_title = value_title or u.axis_title(counting_unit)
    actual_title = "Actual"

    # the table: a row per date of the history or the forecast, the forecast's columns empty before it starts
    table_columns = {"median": "Median forecast"}
    for level in LEVELS[::-1]:
        table_columns |= {f"lower_{level}": f"{_interval_name(level)}, lower",
                          f"upper_{level}": f"{_interval_name(level)}, upper"}
    forecast_table = rows.rename(table_columns).rename({"date": X_TITLE}).with_columns(
        pl.col(list(table_columns.values())).cast(pl.Float64))
    history_table = pl.DataFrame({X_TITLE: [d for d, _ in actual], actual_title: [v for _, v in actual]},
                                 schema={X_TITLE: pl.Date, actual_title: pl.Float64})
    data = history_table.join(forecast_table, on=X_TITLE, how="full", coalesce=True).sort(X_TITLE).select(
        X_TITLE, actual_title, *table_columns.values())

    # the drawing: the bands and the median start at the joined actual value, where every future starts
    drawn = [{"date": d.isoformat(), **{c: float(r[c]) for c in QUANTILE_COLUMNS}}
             for d, r in zip(dates, rows.iter_rows(named=True))]
    if join is not None:
        drawn.insert(0, {"date": join[0].isoformat(), **{c: join[1] for c in QUANTILE_COLUMNS}})
    x = _x([d for d, _ in actual] + dates)
    y_scale = alt.Scale(zero=zero)
    band_names = [_interval_name(level) for level in LEVELS]
    tooltip_date = alt.Tooltip("date:T", timeUnit="utcyearmonth", title=X_TITLE, format="%B %Y")
    legend = alt.Legend(symbolType="square", symbolSize=180, symbolStrokeWidth=1.2, symbolStrokeColor=BAND_EDGE)
    band_fill = alt.Fill("band:N", title=None, sort=band_names, legend=legend,
                         scale=alt.Scale(domain=band_names, range=[BAND_TINTS[level] for level in LEVELS]))
    band_dash = alt.StrokeDash("band:N", title=None, sort=band_names, legend=legend,
                               scale=alt.Scale(domain=band_names, range=[BAND_DASHES[lv] for lv in LEVELS]))
    band_tooltip = [tooltip_date, alt.Tooltip("band:N", title="Interval"),
                    alt.Tooltip("lower:Q", title="From", format=",.0f"),
                    alt.Tooltip("upper:Q", title="To", format=",.0f")]
    # a layer per interval, widest first, so each narrower band is drawn over the wider (one legend: same scales)
    bands = [alt.Chart(alt.InlineData(values=[
        {"date": p["date"], "band": _interval_name(level), "lower": p[f"lower_{level}"], "upper": p[f"upper_{level}"]}
        for p in drawn])).mark_area(opacity=1).encode(
        x=x, y=alt.Y("lower:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=",~f")), y2="upper:Q",
        fill=band_fill, tooltip=band_tooltip) for level in LEVELS]
    # each band's edges: the tints are too light to be read against white or each other, so the edges carry the
    # intervals (dark blue, a dash per interval: dotted 95%, dashed 80%, solid 50%)
    edge_rows = [{"date": p["date"], "band": _interval_name(level), "edge": f"{level}-{side}",
                  "value": p[f"{side}_{level}"]} for level in LEVELS for side in ("lower", "upper") for p in drawn]
    edges = alt.Chart(alt.InlineData(values=edge_rows)).mark_line(color=BAND_EDGE, strokeWidth=1).encode(
        x=x, y=alt.Y("value:Q", scale=y_scale), detail="edge:N", strokeDash=band_dash)
    bands.append(edges)
    line_names = [actual_title, "Median forecast"] if actual else ["Median forecast"]
    line_rows = [{"date": d.isoformat(), "line": actual_title, "value": v} for d, v in actual]
    line_rows += [{"date": p["date"], "line": "Median forecast", "value": p["median"]} for p in drawn]
    lines = alt.Chart(alt.InlineData(values=line_rows)).mark_line(strokeWidth=2.5).encode(
        x=x, y=alt.Y("value:Q", scale=y_scale),
        color=alt.Color("line:N", title=None, sort=line_names,
                        scale=alt.Scale(domain=line_names, range=[ACTUAL, MEDIAN][-len(line_names):])),
        tooltip=[tooltip_date, alt.Tooltip("line:N", title="Line"),
                 alt.Tooltip("value:Q", title=y_title, format=",.0f")])
    layers = [*bands, lines]
    if join is not None:
        start = alt.Chart(alt.InlineData(values=[{"date": join[0].isoformat(), "what": "Forecast starts"}])).mark_rule(
            color=SECONDARY_TEXT, strokeDash=[2, 2], strokeWidth=1).encode(
            x=x, tooltip=[alt.Tooltip("what:N", title="Line"),
                          alt.Tooltip("date:T", timeUnit="utcyearmonthdate", title="On", format="%-d %B %Y")])
        layers.insert(len(bands), start)

    alt_text = _fan_text(title, y_title, u, rows, actual, join)
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    spec = finished_spec(chart, title=title, subtitle=subtitle, alt_text=alt_text)
    return Chart(key, title, spec, data, alt_text)


def _interval(u: Unit, r: dict, level: int) -> str:
    return f"{u.written(r[f'lower_{level}'])} to {u.written(r[f'upper_{level}'])}"


def _fan_text(title: str, value_title: str, u: Unit, rows: pl.DataFrame, actual: list[tuple[dt.date, float]],
              join: tuple[dt.date, float] | None) -> str:
    dates = rows["date"].to_list()
    parts = [f"Fan chart: {title}. {value_title}"]
    if actual:
        parts[0] += (f": actual from {_month(actual[0][0])} to {_month(actual[-1][0])}, and the forecast from "
                     f"{_month(dates[0])} to {_month(dates[-1])}")
    else:
        parts[0] += f": the forecast from {_month(dates[0])} to {_month(dates[-1])}"
    parts[0] += ", its median with 50%, 80% and 95% intervals."
    if join is not None:
        parts.append(f"The last actual value before the forecast was {u.written(join[1])} in {_month(join[0])}.")
    records = rows.to_dicts()
    picked = _yearly(dates)
    for i in picked[:-1]:
        r = records[i]
        parts.append(f"{_month(r['date'])}: median {u.written(r['median'])} (80% interval {_interval(u, r, 80)}).")
    last = records[picked[-1]]
    parts.append(f"{_month(last['date'])}: median {u.written(last['median'])}; 50% interval {_interval(u, last, 50)}; "
                 f"80% interval {_interval(u, last, 80)}; 95% interval {_interval(u, last, 95)}.")
    after = [(d, v) for d, v in actual if d >= dates[0]]
    if after:
        parts.append(f"Actual values are drawn over the forecast from {_month(after[0][0])} to "
                     f"{_month(after[-1][0])}.")
    return " ".join(parts)


def scenario_chart(forecasts: Sequence[tuple[str, pl.DataFrame]], *, key: str, title: str, series: str | None = None,
                   history: pl.DataFrame | None = None, level: int = 80, unit_name: str = "count",
                   counting_unit: str = "children", value_title: str | None = None, subtitle: str | None = None,
                   zero: bool = False) -> Chart:
    """Forecasts of one series compared: each one's median line and its ``level``% interval (80 by default), the
    first of ``forecasts`` — (name, summary frame) pairs — the baseline. ``history`` (``date``, ``value``) is drawn
    as the actual line before them. The value axis does not start at zero unless ``zero``: the chart is about the
    differences. The text alternative gives each forecast at the last date all share, and its difference from the
    baseline."""
    if not forecasts:
        raise ValueError("a scenario chart needs at least one forecast")
    if len(forecasts) > len(SCENARIOS):
        raise ValueError(f"at most {len(SCENARIOS)} forecasts can be told apart on one chart")
    if level not in LEVELS:
        raise ValueError(f"interval {level!r}: expected one of {', '.join(map(str, LEVELS))}")
    names = [name for name, _ in forecasts]
    if len(set(names)) != len(names) or any(not str(n).strip() for n in names):
        raise ValueError("each forecast needs a name of its own")
    u = unit(unit_name)
    frames = {name: _forecast_rows(frame, series, f"forecast {name!r}") for name, frame in forecasts}
    actual = _history_rows(history)
    shared = set.intersection(*(set(f["date"].to_list()) for f in frames.values()))
    if not shared:
        raise ValueError("the forecasts have no date in common to compare them on")
    last = max(shared)
    baseline = names[0]
    y_title = value_title or u.axis_title(counting_unit)
    lo, hi = f"lower_{level}", f"upper_{level}"

    table = pl.DataFrame({X_TITLE: [d for d, _ in actual], "Actual": [v for _, v in actual]},
                         schema={X_TITLE: pl.Date, "Actual": pl.Float64})
    base_median = frames[baseline].select("date", pl.col("median").alias("_base"))
    for name in names:
        f = frames[name].select(pl.col("date").alias(X_TITLE),
                                pl.col("median").cast(pl.Float64).alias(f"{name}: median"),
                                pl.col(lo).cast(pl.Float64).alias(f"{name}: {level}% interval, lower"),
                                pl.col(hi).cast(pl.Float64).alias(f"{name}: {level}% interval, upper"))
        if name != baseline:
            diff = frames[name].join(base_median, on="date", how="left").select(
                pl.col("date").alias(X_TITLE),
                (pl.col("median") - pl.col("_base")).cast(pl.Float64).alias(f"{name}: difference from {baseline}"),
                (100 * (pl.col("median") - pl.col("_base")) / pl.col("_base")).cast(pl.Float64).alias(
                    f"{name}: difference from {baseline} (%)"))
            f = f.join(diff, on=X_TITLE, how="left")
        table = table.join(f, on=X_TITLE, how="full", coalesce=True)
    data = table.sort(X_TITLE)
    if not actual:
        data = data.drop("Actual")

    colours = dict(zip(names, SCENARIOS))
    dashes = dict(zip(names, SCENARIO_DASHES))
    all_dates = [d for d, _ in actual] + [d for f in frames.values() for d in f["date"].to_list()]
    x = _x(all_dates)
    y_scale = alt.Scale(zero=zero)
    band_rows, line_rows = [], []
    for name in names:
        drawn = [{"date": r["date"], "lower": float(r[lo]), "upper": float(r[hi]), "median": float(r["median"])}
                 for r in frames[name].iter_rows(named=True)]
        join = _join_point(actual, drawn[0]["date"])
        if join is not None:
            drawn.insert(0, {"date": join[0], "lower": join[1], "upper": join[1], "median": join[1]})
        band_rows += [{"date": p["date"].isoformat(), "name": name, "lower": p["lower"], "upper": p["upper"]}
                      for p in drawn]
        line_rows += [{"date": p["date"].isoformat(), "line": name, "value": p["median"]} for p in drawn]
    line_names = list(names)
    if actual:
        line_rows = [{"date": d.isoformat(), "line": "Actual", "value": v} for d, v in actual] + line_rows
        line_names = ["Actual", *names]
    line_colours = ([ACTUAL] if actual else []) + [colours[n] for n in names]
    line_dashes = ([[1, 0]] if actual else []) + [dashes[n] for n in names]
    tooltip_date = alt.Tooltip("date:T", timeUnit="utcyearmonth", title=X_TITLE, format="%B %Y")
    bands = alt.Chart(alt.InlineData(values=band_rows)).mark_area(fillOpacity=SCENARIO_BAND_OPACITY).encode(
        x=x, y=alt.Y("lower:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=",~f")), y2="upper:Q",
        fill=alt.Fill("name:N", legend=None, scale=alt.Scale(domain=names, range=[colours[n] for n in names])),
        tooltip=[tooltip_date, alt.Tooltip("name:N", title="Forecast"),
                 alt.Tooltip("lower:Q", title=f"{level}% interval from", format=",.0f"),
                 alt.Tooltip("upper:Q", title="to", format=",.0f")])
    legend_title = None  # the subtitle says what the thick and thin lines are
    line_colour = alt.Color("line:N", title=legend_title, sort=line_names,
                            scale=alt.Scale(domain=line_names, range=line_colours))
    line_dash = alt.StrokeDash("line:N", title=legend_title, sort=line_names,
                               scale=alt.Scale(domain=line_names, range=line_dashes))
    lines = alt.Chart(alt.InlineData(values=line_rows)).mark_line(strokeWidth=2.5).encode(
        x=x, y=alt.Y("value:Q", scale=y_scale), color=line_colour, strokeDash=line_dash,
        tooltip=[tooltip_date, alt.Tooltip("line:N", title="Line"),
                 alt.Tooltip("value:Q", title=y_title, format=",.0f")])
    # the washes are faint (they overlap); the interval is read from its edges, in the forecast's colour and dash
    # (the lines' own scales, so the legend is one: a forecast's median and its interval's edges)
    edge_rows = [{"date": r["date"], "line": r["name"], "edge": f"{r['name']}|{side}", "value": r[side]}
                 for side in ("lower", "upper") for r in band_rows]
    edges = alt.Chart(alt.InlineData(values=edge_rows)).mark_line(strokeWidth=1).encode(
        x=x, y=alt.Y("value:Q", scale=y_scale), detail="edge:N", color=line_colour, strokeDash=line_dash)

    alt_text = _scenario_text(title, y_title, u, names, frames, actual, last, level)
    if subtitle is None:
        subtitle = f"Each forecast's median (thick line) and {level}% interval (shaded, between its thin lines)."
    chart = alt.layer(bands, edges, lines).properties(
        width=WIDTH, height=HEIGHT)
    spec = finished_spec(chart, title=title, subtitle=subtitle, alt_text=alt_text)
    return Chart(key, title, spec, data, alt_text)


COUNTED_KINDS = ("count", "events", "workers")


def _scenario_text(title: str, value_title: str, u: Unit, names: list[str], frames: dict[str, pl.DataFrame],
                   actual: list[tuple[dt.date, float]], last: dt.date, level: int) -> str:
    first = min(f["date"].min() for f in frames.values())
    end = max(f["date"].max() for f in frames.values())
    baseline = names[0]
    parts = [f"Line chart: {title}. {value_title}, forecast from {_month(first)} to {_month(end)}: the median and "
             f"{level}% interval of {listed(names)}" + (", the first the baseline" if len(names) > 1 else "") + "."]
    if actual:
        parts.append(f"Actual values are drawn from {_month(actual[0][0])} to {_month(actual[-1][0])}.")
    at = {name: f.filter(pl.col("date") == last).row(0, named=True) for name, f in frames.items()}
    base = at[baseline]
    said = [f"{baseline} {u.written(base['median'])} ({level}% interval {_interval(u, base, level)})"]
    more, fewer = ("more", "fewer") if u.kind in COUNTED_KINDS else ("higher", "lower")
    for name in names[1:]:
        r = at[name]
        difference = r["median"] - base["median"]
        text = f"{name} {u.written(r['median'])} ({_interval(u, r, level)})"
        if u.written(abs(difference)) == u.written(0):
            text += f", the same as {baseline}"
        else:
            text += f", {u.written(abs(difference))} {more if difference > 0 else fewer} than {baseline}"
            if base["median"]:
                text += f" ({abs(100 * difference / base['median']):.1f}%)"
        said.append(text)
    parts.append(f"In {_month(last)}: " + "; ".join(said) + ".")
    return " ".join(parts)
