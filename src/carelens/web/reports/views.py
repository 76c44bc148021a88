"""The reports' pages (docs/web/reports.md): the list with the form to generate one, a report's page with its
progress and downloads, the narrative editor, publishing, and the downloads.

Who may do what, on the server: analysts generate, edit and publish; managers and auditors read every report; a
councillor sees only published reports for the published audience — any other report's id is answered 404, as a
report that does not exist is, so ids cannot be probed; an administrator is refused (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carelens.web.accounts.access import has_role, role_required
from carelens.web.accounts.roles import Role
from carelens.web.reports.building import is_building, months_covered, start_build
from carelens.web.reports.forms import GenerateForm
from carelens.web.reports.models import FORMATS, MonthlyReport, NarrativeEdit, Publication
from carelens.web.reports.narrative import editor_paragraphs, publication_problem, save_edits
from carelens.web.store import authority, reading

READERS = (Role.ANALYST, Role.MANAGER, Role.AUDITOR, Role.COUNCILLOR)
readers_only = role_required(*READERS)
analysts_only = role_required(Role.ANALYST)
NOT_FOUND = "No report with this id that you may see"  # one answer for "none" and "not yours"

CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "narrative": "application/yaml; charset=utf-8"}
AUDIENCE_HINTS = {"internal": "Every figure, team caseloads included: for managers and the improvement board",
                  "published": "Counts below 5 are not shown: for councillors and the public; published, "
                               "councillors see it"}
FORMAT_NAMES = {"pdf": "PDF", "html": "HTML", "xlsx": "Excel", "narrative": "Drafted narrative (YAML)"}


def _visible(request: HttpRequest, pk: int) -> MonthlyReport:
    return get_object_or_404(MonthlyReport.objects.visible_to(request.user), pk=pk)


def _generate_form(data=None) -> GenerateForm:
    with reading() as store:
        months = months_covered(store, authority(store))
    return GenerateForm(data, months=months)


def _index(request: HttpRequest, form: GenerateForm | None, status: int = 200) -> HttpResponse:
    reports = MonthlyReport.objects.visible_to(request.user).select_related("requested_by", "published_by")
    analyst = has_role(request.user, Role.ANALYST)
    if analyst and form is None:
        form = _generate_form()
    return render(request, "reports/index.html", {
        "reports": [(r, _downloads(r)) for r in reports], "form": form if analyst else None,
        "councillor": has_role(request.user, Role.COUNCILLOR), "audience_hints": AUDIENCE_HINTS}, status=status)


@readers_only
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every report the user may see, newest month first; for an analyst, the form to generate one."""
    return _index(request, None)


@analysts_only
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    """Record a new report, start building it, and show its page (303). A month or audience not given (or not
    offered) shows the list again with the form's errors."""
    form = _generate_form(request.POST)
    if not form.is_valid():
        return _index(request, form)
    with reading() as store:
        la_code = authority(store)
    with transaction.atomic():
        report = MonthlyReport.objects.create(requested_by=request.user, la_code=la_code,
                                              as_at=form.cleaned_data["as_at"],
                                              audience=form.cleaned_data["audience"])
        carried = _carry_edits(report)
    start_build(report)
    if carried:
        messages.info(request, f"{carried} edited paragraph{'s' if carried != 1 else ''} carried over from the "
                               f"last report for {report.month}: check them once it is built.")
    return _see_other(reverse("reports:report", args=[report.pk]))


def _see_other(url: str) -> HttpResponse:
    """303 See Other: after a POST, the browser GETs the page it is sent to."""
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


def _carry_edits(report: MonthlyReport) -> int:
    """A report made again for the same month and audience starts from the last one's edits (each still
    checked against its draft's fingerprint, so one whose figures changed is flagged stale)."""
    earlier = (MonthlyReport.objects.filter(la_code=report.la_code, as_at=report.as_at, audience=report.audience)
               .exclude(pk=report.pk).order_by("-requested_at", "-pk").first())
    if earlier is None:
        return 0
    edits = earlier.current_edits().values()
    NarrativeEdit.objects.bulk_create(NarrativeEdit(report=report, key=e.key, text=e.text,
                                                    drafted_from=e.drafted_from, edited_by=e.edited_by,
                                                    edited_at=e.edited_at) for e in edits)
    return len(edits)


def _downloads(report: MonthlyReport) -> list[dict]:
    return [{"format": fmt, "name": FORMAT_NAMES[fmt], "url": reverse("reports:download", args=[report.pk, fmt])}
            for fmt in FORMATS if report.path_of(fmt) is not None]


def _report_context(request: HttpRequest, report: MonthlyReport) -> dict:
    analyst = has_role(request.user, Role.ANALYST)
    return {"report": report, "downloads": _downloads(report), "building": is_building(report),
            "analyst": analyst, "edited": len(report.current_edits()) if analyst else 0,
            "publish_problem": publication_problem(report) if analyst and not report.is_published else None}


@never_cache
@readers_only
@require_safe
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A report: what it is, how far its build has gone (or why it failed), its downloads, and for an analyst
    the way to edit its narrative and publish it."""
    found = _visible(request, pk)
    return render(request, "reports/report.html", _report_context(request, found))


@never_cache
@readers_only
@require_safe
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The build's progress (an htmx fragment, asked for every 2 seconds while it runs). Once the build has
    finished, htmx is told to load the whole page again (HX-Refresh) to show the downloads."""
    found = _visible(request, pk)
    response = render(request, "reports/_progress.html", {"report": found, "building": is_building(found)})
    if not is_building(found) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@never_cache
@analysts_only
@require_http_methods(["GET", "HEAD", "POST"])
def narrative(request: HttpRequest, pk: int) -> HttpResponse:
    """The narrative editor: each drafted paragraph with its heading and a text box holding the analyst's text.
    Saving checks every text (a stale one, or for publication one that states a small count, is refused with
    the paragraph and why), keeps it and builds the report again. A published report is frozen: the page shows
    its text and refuses a save (409); to change it, generate the month again."""
    found = get_object_or_404(MonthlyReport, pk=pk)
    paragraphs = editor_paragraphs(found)
    building = is_building(found)
    context = {"report": found, "paragraphs": paragraphs, "sections": _by_section(paragraphs, {}, {}),
               "building": building}
    if request.method != "POST":
        return render(request, "reports/narrative.html", context)
    if found.is_published:
        context["page_error"] = ("This report is published, so its narrative is frozen. Generate the report for "
                                 f"{found.month} again to make a new draft from its edits.")
        return render(request, "reports/narrative.html", context, status=409)
    if building:
        context["page_error"] = "The report is being built: wait until it is done, then save your edits."
        return render(request, "reports/narrative.html", context, status=409)
    if not any(p.field in request.POST for p in paragraphs):
        context["page_error"] = "The form sent no paragraphs: change a paragraph’s text, then save."
        return render(request, "reports/narrative.html", context, status=400)
    saved = save_edits(found, request.POST, request.user)
    if saved.errors:
        posted = {p.key: request.POST[p.field] for p in paragraphs if p.field in request.POST}
        context.update(errors=saved.errors, sections=_by_section(paragraphs, saved.errors, posted))
        return render(request, "reports/narrative.html", context)
    if not saved.changed:
        messages.info(request, "Nothing had changed: the report was not built again.")
        return _see_other(reverse("reports:narrative", args=[found.pk]))
    start_build(found)
    messages.success(request, f"Saved {len(saved.changed)} paragraph{'s' if len(saved.changed) != 1 else ''}; "
                              "the report is being built again with your text.")
    return _see_other(reverse("reports:report", args=[found.pk]))


def _by_section(paragraphs, errors: dict[str, str], posted: dict[str, str]) -> list[tuple[str, list[dict]]]:
    """The editor's rows by section heading: each paragraph, why its text was refused, and the text to show
    (what the analyst sent, when the form comes back with errors)."""
    sections: dict[str, list[dict]] = {}
    for p in paragraphs:
        sections.setdefault(p.section, []).append({"p": p, "error": errors.get(p.key),
                                                   "text": posted.get(p.key, p.text)})
    return list(sections.items())


@analysts_only
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the report published (and so frozen; for the published audience, what councillors see) — only when
    it is built with every edit in its files, none stale, and none stating a count below the threshold."""
    with transaction.atomic():
        found = get_object_or_404(MonthlyReport.objects.select_for_update(), pk=pk)
        problem = publication_problem(found)
        if problem is None:
            found.publication, found.published_by, found.published_at = (Publication.PUBLISHED, request.user,
                                                                         timezone.now())
            found.save(update_fields=["publication", "published_by", "published_at"])
    if problem is not None:
        context = _report_context(request, found)
        context["publish_error"] = f"The report cannot be published: {problem}."
        return render(request, "reports/report.html", context, status=409)
    messages.success(request, f"The report for {found.month} is published.")
    return _see_other(reverse("reports:report", args=[found.pk]))


@never_cache
@readers_only
@require_safe
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One of the report's files, as an attachment named as ``carelens report`` names it."""
    found = _visible(request, pk)
    if fmt not in FORMATS:
        raise Http404("no such format: expected pdf, html, xlsx or narrative")
    path = found.path_of(fmt)
    if path is None:
        raise Http404("this report has no such file yet")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                            content_type=CONTENT_TYPES[fmt])
    return response
