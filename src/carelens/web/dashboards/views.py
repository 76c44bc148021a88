"""The dashboards: the overview, an area page per section of the monthly report, and an indicator page.

Who may see them: every role but the administrator (whose pages are users and the access log); a councillor sees
the published figures, small numbers suppressed, and no link to a child list. Child lists are the children app's.
"""

from __future__ import annotations

import io

import polars as pl
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from carelens.indicators.api import SelectionError, definition
from carelens.published.comparison import quartile_band
from carelens.report.disclosure_control import small_points
from carelens.report.document import written
from carelens.report.narrative.paragraphs import value_kind
from carelens.report.sections import SECTIONS
from carelens.web.accounts.access import has_role, role_required
from carelens.web.accounts.roles import SUPPRESSED, Role
from carelens.web.dashboards import content
from carelens.web.dashboards.disclosure import THRESHOLD, suppressed_groups

DASHBOARD_ROLES = (Role.ANALYST, Role.MANAGER, Role.AUDITOR, Role.COUNCILLOR)
dashboards_only = role_required(*DASHBOARD_ROLES)


def _audience(request: HttpRequest) -> str:
    return "published" if request.user.role in SUPPRESSED else "internal"


def overview(request: HttpRequest) -> HttpResponse:
    """What changed this month, and the way into each area. An administrator, whose pages are the users and
    the access log, is taken there."""
    if has_role(request.user, Role.ADMINISTRATOR):
        return redirect("accounts:users")
    return _overview(request)


@dashboards_only
@require_safe
def _overview(request: HttpRequest) -> HttpResponse:
    report = content.document(_audience(request)).report
    return render(request, "dashboards/overview.html", {
        "report": report, "summary": report.summary, "areas": report.sections, "continuum": _continuum(report),
        "suppressed": _audience(request) == "published"})


CONTINUUM_TABLE = "A1-level"
"""The report's table of open cases by level of need (section 1): the continuum of need the overview opens with."""


def _continuum(report):
    """The section and its table of open cases by level of need, as the report (and the audience) has it; None
    when the store has none to show."""
    for section in report.sections:
        for table in section.tables():
            if table.key == CONTINUUM_TABLE:
                return {"section": section, "table": table}
    return None


@dashboards_only
@require_safe
def area(request: HttpRequest, key: str) -> HttpResponse:
    """One section of the report: its measures with their sentences and trend charts, and its tables."""
    if key not in {s.key for s in SECTIONS}:
        raise Http404("no such area")
    built = content.document(_audience(request))
    section = next(s for s in built.report.sections if s.key == key)
    return render(request, "dashboards/area.html", {"report": built.report, "section": section,
                                                    "areas": built.report.sections})


def _page(request: HttpRequest, indicator_id: str):
    try:
        ind = definition(indicator_id)
    except SelectionError:
        raise Http404("no such indicator") from None
    page = content.indicator_page(ind.id)
    return page.la_code, page


@dashboards_only
@require_safe
def indicator(request: HttpRequest, indicator_id: str) -> HttpResponse:
    """An indicator: its definition, trend with control limits, every window, breakdowns and benchmarks."""
    la, page = _page(request, indicator_id)
    ind = page.indicator
    windows = page.windows()
    kind = request.GET.get("window") or ("month" if "month" in windows else windows[0] if windows else "month")
    if kind not in windows:
        raise Http404("no such window for this indicator")
    suppressed = _audience(request) == "published"

    def rows():
        values = page.values(kind)
        if suppressed:
            values = small_points(values, THRESHOLD)
        return [(r["period"], r["period_end"], written(r["value"], value_kind(ind)) if r["value"] is not None
                 else "[c]" if suppressed and r["numerator"] is None else "[x]", r["numerator"], r["denominator"])
                for r in values.iter_rows(named=True)]

    # computed only when the page's cached fragment is missing (the template's {% cache %}, decision 020)
    return render(request, "dashboards/indicator.html", {
        "indicator": ind, "page": page, "window": kind, "windows": [(k, content.WINDOWS[k]) for k in windows],
        "rows": SimpleLazyObject(rows), "trend": SimpleLazyObject(lambda: _trend(page, suppressed)),
        "breakdowns": [b for b in ind.all_breakdowns if b != "all"],
        "benchmark": page.benchmark, "quartile_now": _quartile_now(page, suppressed), "suppressed": suppressed,
        "la": la, "drill": _drills(request, ind)})


def _quartile_now(page: content.IndicatorPage, suppressed: bool) -> str | None:
    """This month's value placed among all authorities' published figures (the benchmark's quartile cuts): A (the
    best quarter) to D, or Q1 to Q4 for a measure without a better direction. None without cuts, or for a
    councillor when the month's value is of few children."""
    b = page.benchmark
    if b is None or b.quartile_cuts is None:
        return None
    latest = page.values("month" if "month" in page.windows() else page.windows()[0]).filter(
        pl.col("period_end") == page.as_at)
    if suppressed:
        latest = small_points(latest, THRESHOLD)
    value = latest["value"].item() if latest.height else None
    return quartile_band(value, b.quartile_cuts, b.polarity, b.quartiles)


def _drills(request: HttpRequest, ind) -> bool:
    """Whether the page links each value's numerator and denominator to the children behind it: for the roles
    that may see child-level data (the list then shows each only the children in their scope), and for an
    indicator that counts children, not workers."""
    return has_role(request.user, Role.ANALYST, Role.MANAGER, Role.AUDITOR) and ind.counting_unit.value != "workers"


def _trend(page: content.IndicatorPage, suppressed: bool):
    """The indicator's trend: the report's own (:func:`carelens.report.charts.trend_of`)."""
    from carelens.report.charts import trend_of
    from carelens.report.narrative.paragraphs import trend_window

    counted = next((m.counted for s in SECTIONS for m in s.measures if m.indicator == page.indicator.id), None)
    return trend_of(page.indicator, page.values(trend_window(page.indicator)), page.benchmark,
                    THRESHOLD if suppressed else None, counted)


@dashboards_only
@require_safe
def indicator_breakdown(request: HttpRequest, indicator_id: str, by: str) -> HttpResponse:
    """The indicator's groups by one breakdown (an htmx fragment, or a page of its own without JavaScript)."""
    la, page = _page(request, indicator_id)
    kind = request.GET.get("window") or ("as_at" if "as_at" in page.windows() else "month")
    try:
        groups = content.breakdown(page.indicator.id, by, page.as_at, kind)
    except LookupError:
        raise Http404("no such breakdown") from None
    total = page.values(kind).filter(pl.col("period_end") == page.as_at)
    total_n = total["numerator"].item() if total.height else None
    hidden = suppressed_groups(groups, total_n) if _audience(request) == "published" else set()
    kind_of_value = value_kind(page.indicator)
    rows = [(r["group"], "[c]" if r["group"] in hidden else r["numerator"],
             "[c]" if r["group"] in hidden else written(r["value"], kind_of_value) if r["value"] is not None else "[x]",
             r["group"] not in hidden and has_role(request.user, Role.ANALYST, Role.MANAGER, Role.AUDITOR),
             r["period"])
            for r in groups.iter_rows(named=True)]
    template = "dashboards/_breakdown.html" if request.headers.get("HX-Request") else "dashboards/breakdown.html"
    return render(request, template, {"indicator": page.indicator, "by": by, "rows": rows, "window": kind,
                                      "as_at": page.as_at, "page": page})


@dashboards_only
@require_safe
def indicator_download(request: HttpRequest, indicator_id: str, fmt: str) -> HttpResponse:
    """The indicator's values in every window of the last 24 months, as CSV or Excel (aggregate figures only)."""
    la, page = _page(request, indicator_id)
    values = page.series
    if _audience(request) == "published":
        values = small_points(values, THRESHOLD)
    table = values.select("period_kind", "period", "period_start", "period_end", "value", "unit", "numerator",
                          "denominator").sort("period_kind", "period_end")
    name = f"{la}-{page.indicator.id}-{page.as_at:%Y-%m}"
    if fmt == "csv":
        response = HttpResponse(table.write_csv(), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        table.write_excel(buffer, worksheet=page.indicator.id, autofit=True)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
