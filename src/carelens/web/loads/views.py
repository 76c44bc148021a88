"""The data loads pages (docs/web/loads.md), for analysts only: the upload form with the history of loads, a
load's page (its progress, outcome and problems), its progress as an htmx fragment and its problems as CSV.

Each has an entry in the permission matrix (tests/web/matrix/loads.py).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST, require_safe

from carelens.ingest import IngestError, source_kind
from carelens.web import background
from carelens.web.accounts.access import role_required
from carelens.web.accounts.access_log import record_access
from carelens.web.accounts.models import AccessLogEntry
from carelens.web.accounts.roles import Role
from carelens.web.children.exports import FORMULA_STARTS
from carelens.web.loads.forms import LoadForm
from carelens.web.loads.models import Load, LoadFile
from carelens.web.loads.running import failure_in_words, run_load
from carelens.web.loads.uploads import (
    LOOSE,
    UploadLimit,
    UploadRefused,
    in_megabytes,
    save_upload,
    upload_folder,
)

HISTORY_PAGE = 25
PROBLEMS_PAGE = 100


def _page(request: HttpRequest, items, size: int):
    try:
        return Paginator(items, size, allow_empty_first_page=True).page(request.GET.get("page") or 1)
    except InvalidPage:  # not a number, or past the last page
        raise Http404("no such page") from None


def _index(request: HttpRequest, form: LoadForm, status: int = 200, refused: str = "") -> HttpResponse:
    loads = Load.objects.select_related("requested_by").prefetch_related(
        Prefetch("files", queryset=LoadFile.objects.only("load_id", "kind")))
    return render(request, "loads/index.html", {
        "form": form, "page": _page(request, loads, HISTORY_PAGE), "refused": refused,
        "limit": in_megabytes(settings.UPLOAD_LIMIT)}, status=status)


@never_cache
@role_required(Role.ANALYST)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The upload form and, under it, every load so far, latest first."""
    return _index(request, LoadForm())


@role_required(Role.ANALYST)
@require_POST
@csrf_exempt  # only so that the upload's size is limited as it is read: _start is CSRF-protected
def start(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(0, UploadLimit(request))
    return _start(request)


@csrf_protect
def _start(request: HttpRequest) -> HttpResponse:
    """Save the upload, record the load and start its ingest; on to the load's page (303)."""
    request.FILES  # noqa: B018 - the upload is read here (through UploadLimit), before the flag is looked at
    if getattr(request, "upload_too_large", False):
        return _index(request, LoadForm(), status=413,
                      refused=f"The files are larger than {in_megabytes(settings.UPLOAD_LIMIT)}, the most CareLens "
                              "takes in one load: load them in parts (a return or two at a time)")
    form = LoadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form)
    options = form.cleaned_data
    load = Load.objects.create(requested_by=request.user, collection_year=options["collection_year"],
                               la_code=options["la_code"], check_only=options["check_only"],
                               hold_back=options["hold_back"])
    root = upload_folder(load.pk)
    try:
        saved = save_upload(root, options["files"])
    except UploadRefused as e:
        shutil.rmtree(root, ignore_errors=True)
        load.delete()
        return _index(request, LoadForm(request.POST), refused=str(e))
    LoadFile.objects.bulk_create([
        LoadFile(load=load, name=f.name[:255], saved_as=str(f.path.relative_to(root)), size=f.size, sha256=f.sha256,
                 kind=kind) for f, kind in _kinds(saved.files, saved.sources)])
    sources = saved.sources
    background.start(load, lambda work, progress: run_load(work, progress, sources), failure=failure_in_words)
    # 303 See Other: the browser asks for the load's page with GET (a refresh does not upload again)
    response = HttpResponse(status=303)
    response["Location"] = reverse("loads:load", kwargs={"pk": load.pk})
    return response


def _kinds(files, sources: list[Path]):
    """Each file with what it holds (source_kind: a file of the upload's folder on its own, another by the folder
    it is read with); "" for a file CareLens does not read (its problem is the load's)."""
    by_folder: dict[Path, str] = {}

    def kind_of(path: Path) -> str:
        try:
            return source_kind(path)
        except IngestError:
            return ""

    for f in files:
        if f.path.parent.name == LOOSE and f.path in sources:
            yield f, kind_of(f.path)
        else:
            folder = f.path.parent
            if folder not in by_folder:
                by_folder[folder] = kind_of(folder)
            yield f, by_folder[folder]


def _load_context(request: HttpRequest, load: Load) -> dict:
    return {"load": load, "status": load.shown_status(), "finished": load.finished}


@never_cache
@role_required(Role.ANALYST)
@require_GET
def load_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One load: its files and options, its progress while it runs, then its outcome and every problem found."""
    load = get_object_or_404(Load.objects.select_related("requested_by"), pk=pk)
    page = _page(request, load.problems.all(), PROBLEMS_PAGE)
    shown = [p.child for p in page.object_list if p.child]
    if shown:  # the problems of a child are child-level data: who saw them is recorded
        record_access(request, AccessLogEntry.Action.CHILD_LIST, shown, la_code=load.la_code,
                      list_description=f"problems of data load {load.pk}", filters={"page": page.number})
    return render(request, "loads/load.html", {
        **_load_context(request, load), "files": load.files.all(), "page": page,
        "tables": sorted(load.tables.items())})


@never_cache
@role_required(Role.ANALYST)
@require_safe
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The load's progress, for htmx to swap in every 2 seconds; once it has finished, the whole page is asked
    for again (HX-Refresh), to show the outcome and the problems."""
    load = get_object_or_404(Load, pk=pk)
    response = render(request, "loads/includes/progress.html", _load_context(request, load))
    if load.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@never_cache
@role_required(Role.ANALYST)
@require_GET
def problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of the load as CSV (UTF-8 with a byte-order mark, for Excel; a value a spreadsheet would run
    as a formula starts with an apostrophe)."""
    load = get_object_or_404(Load, pk=pk)
    problems = list(load.problems.all())
    record_access(request, AccessLogEntry.Action.EXPORT, [p.child for p in problems if p.child],
                  la_code=load.la_code, list_description=f"problems of data load {load.pk}",
                  filters={"format": "csv"})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "where", "field", "value", "expected", "child", "held_back"])
    for p in problems:
        writer.writerow([_guarded(v) for v in (p.file, p.location, p.field, p.value, p.expected, p.child)]
                        + ["yes" if p.held_back else "no"])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="load-{load.pk}-problems.csv"'
    return response


def _guarded(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value

