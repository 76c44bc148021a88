"""The children's pages: the list of children behind an indicator value (with its CSV and Excel downloads) and a
child's journey.

Every one of them: signed-in analysts, managers and auditors only (:func:`~.scope.child_level_required`, checked
before anything else, the method included: GET only); the
children each may see decided on the server (:class:`~.scope.ChildScope`); each view or download recorded in
the access log before it is sent (:func:`~carelens.web.accounts.access_log.record_access`); never cached by
the browser or a proxy.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from carelens.model.journey import child_journey, child_summary, latest_data_day
from carelens.web.accounts.access_log import record_access
from carelens.web.accounts.models import AccessLogEntry
from carelens.web.children import exports
from carelens.web.children.lists import ChildList, ListQuery, children_in_scope
from carelens.web.children.scope import ChildScope, child_level_required
from carelens.web.store import authority, reading

PAGE_SIZE = 200
NOT_YOURS = "No child with this id that you may see"  # one answer for "no such child" and "not in your scope"


def _child_list(request: HttpRequest, indicator_id: str) -> tuple[str, ChildList]:
    with reading() as store:
        la = authority(store)
        query = ListQuery.from_request(store, la, indicator_id, request.GET)
        return la, children_in_scope(store, la, query, ChildScope(request.user))


@never_cache
@child_level_required
@require_GET
def child_list(request: HttpRequest, indicator_id: str) -> HttpResponse:
    """The children behind one value, a page of them at a time, each with key dates and a link to the journey."""
    la, found = _child_list(request, indicator_id)
    ids = found.child_ids
    pages = Paginator(ids, PAGE_SIZE, allow_empty_first_page=True)
    try:
        page = pages.page(request.GET.get("page") or 1)
    except InvalidPage:  # not a number, or past the last page
        raise Http404("no such page of this list") from None
    shown = set(page.object_list)
    rows = found.rows.filter(found.rows["child_id"].is_in(sorted(shown)))
    query = found.query
    record_access(request, AccessLogEntry.Action.CHILD_LIST, shown, la_code=la,
                  list_description=query.description(),
                  filters={**query.filters(), "page": page.number, "left_out": found.left_out})
    journey_query = f"?as_at={query.as_at.isoformat()}"
    table = [{**r, "journey": reverse("children:journey", args=[la, r["child_id"]]) + journey_query}
             for r in rows.iter_rows(named=True)]
    base = reverse("children:list", args=[query.indicator.id])
    return render(request, "children/list.html", {
        "query": query, "found": found, "rows": table, "page": page, "pages": pages,
        "children": len(ids), "row_count": found.rows.height, "scope": ChildScope(request.user).describe(),
        "show_amount": found.rows.get_column("amount").is_not_null().any() if "amount" in found.rows.columns
        else False,
        "show_group": query.breakdown != "all", "show_numerator": query.part == "denominator",
        "page_url": f"{base}?{query.query_string()}&page=",
        "csv_url": reverse("children:list-csv", args=[query.indicator.id]) + "?" + query.query_string(),
        "xlsx_url": reverse("children:list-xlsx", args=[query.indicator.id]) + "?" + query.query_string(),
    })


def _download(request: HttpRequest, indicator_id: str, kind: str) -> HttpResponse:
    la, found = _child_list(request, indicator_id)
    query = found.query
    record_access(request, AccessLogEntry.Action.EXPORT, found.child_ids, la_code=la,
                  list_description=query.description(),
                  filters={**query.filters(), "format": kind, "left_out": found.left_out})
    if kind == "csv":
        body, content_type = exports.list_csv(found), "text/csv; charset=utf-8"
    else:
        body = exports.list_xlsx(found, downloaded_by=request.user.get_username(), at=timezone.now())
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{query.file_stem()}.{kind}"'
    return response


@never_cache
@child_level_required
@require_GET
def child_list_csv(request: HttpRequest, indicator_id: str) -> HttpResponse:
    """Every row of the list, as CSV."""
    return _download(request, indicator_id, "csv")


@never_cache
@child_level_required
@require_GET
def child_list_xlsx(request: HttpRequest, indicator_id: str) -> HttpResponse:
    """Every row of the list, as an Excel workbook."""
    return _download(request, indicator_id, "xlsx")


@never_cache
@child_level_required
@require_GET
def journey(request: HttpRequest, la_code: str, person_id: str) -> HttpResponse:
    """A child's journey: who they are and where they are on the day, then every event in date order.

    ``as_at`` (optional, from a list's link): the day the summary describes and a manager's scope is judged on;
    otherwise the latest day the data records."""
    raw = request.GET.get("as_at") or ""
    try:
        asked = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise BadRequest(f"as_at {raw!r} is not a date: expected YYYY-MM-DD") from None
    scope = ChildScope(request.user)
    with reading() as store:
        la = authority(store)
        if la_code != la:
            raise Http404(NOT_YOURS)
        day = asked or latest_data_day(store, la) or timezone.localdate()
        # the same 404 for a child who is not there and one who is not the user's: ids cannot be probed
        if not scope.allows(store, la, person_id, day):
            raise Http404(NOT_YOURS)
        summary = child_summary(store, la, person_id, day)
        if summary is None:
            raise Http404(NOT_YOURS)
        events = child_journey(store, la, person_id)
    record_access(request, AccessLogEntry.Action.JOURNEY, [person_id], la_code=la,
                  list_description=f"journey of {person_id}", filters={"as_at": day.isoformat()})
    return render(request, "children/journey.html", {
        "summary": summary, "events": list(events.iter_rows(named=True)), "la": la, "scope": scope.describe()})
