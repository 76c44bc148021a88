"""The reports app (docs/web/reports.md): a report generated for the small store on a thread, downloaded in each
format, its narrative edited in the browser's form and built again with the edit, published, and then — only then
— seen and downloaded by a councillor; edits refused (stale, a small count for publication, a frozen report) with
the paragraph and why; a councillor's 404 for any report that is not published for publication."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import yaml
from django.db import OperationalError
from django.urls import reverse

from carelens.model.store import Store
from carelens.report.document import Paragraph
from carelens.report.narrative.edits import drafts_file
from carelens.web.background import Status
from carelens.web.reports.building import months_covered
from carelens.web.reports.models import MonthlyReport, NarrativeEdit, Publication

CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "narrative": "application/yaml; charset=utf-8"}
# what each file begins with: a PDF's header, a zip (the workbook), an HTML document, the drafts' comment
OPENS_WITH = {"pdf": b"%PDF-", "xlsx": b"PK\x03\x04", "html": b"<!DOCTYPE html>", "narrative": b"# The drafted"}
EDITED = "Plans held steady this month, and the service expects them to fall in the spring."


def finished(pk: int, timeout: float = 240) -> MonthlyReport:
    """The report once its build's thread has recorded how it ended. (The tests' database is SQLite in memory,
    shared between threads, where a read can meet the table locked by the thread's write: it is asked again.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            report = MonthlyReport.objects.get(pk=pk)
        except OperationalError as e:
            if "locked" not in str(e):
                raise
            continue
        if report.shown_status() in (Status.DONE, Status.FAILED, Status.INTERRUPTED):
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {pk} still building after {timeout} s")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture()
def data_folder(settings, tmp_path):
    """The app's data folder (where reports are written) in the test's own folder, never the working directory."""
    settings.DATA = tmp_path / "data"
    return settings.DATA


def a_report(user, tmp_path: Path, *, audience: str = "published", publication: str = Publication.DRAFT,
             text: str = "**Children on child protection plans** rose to 62 children at the end of March 2026.",
             fingerprint: str = "80198114b8b0") -> MonthlyReport:
    """A report as a finished build leaves it (its files written here by hand, so no build runs): one paragraph,
    cp_plans/C8, drafted from ``fingerprint``."""
    folder = tmp_path / f"report-{audience}-{publication}-{MonthlyReport.objects.count()}"
    folder.mkdir()
    stem = f"890-2026-03-{audience}"
    files = {"pdf": f"{stem}.pdf", "html": f"{stem}.html", "xlsx": f"{stem}.xlsx",
             "narrative": f"{stem}-narrative.yaml"}
    for fmt, name in files.items():
        content = drafts_file([Paragraph("cp_plans/C8", text, fingerprint=fingerprint)]) if fmt == "narrative" \
            else "a report"
        (folder / name).write_text(content)
    return MonthlyReport.objects.create(requested_by=user, la_code="890", as_at=dt.date(2026, 3, 31), audience=audience,
                                        status=Status.DONE, folder=str(folder), files=files, publication=publication)


# --- generate, download, edit, publish: the whole flow on the small store -------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_report_generated_edited_and_published_is_then_what_a_councillor_downloads(client_as, users, data_folder,
                                                                                      small_store_path):
    analyst = client_as("analyst")
    page = analyst.get(reverse("reports:index")).content.decode()
    assert '<option value="2026-03-31" selected>March 2026</option>' in page  # the latest complete month
    answer = analyst.post(reverse("reports:generate"), {"as_at": "2026-03-31", "audience": "published"})
    assert answer.status_code == 303
    report = MonthlyReport.objects.get()
    assert answer["Location"] == f"/reports/{report.pk}/"
    started = time.monotonic()
    report = finished(report.pk)
    took = time.monotonic() - started
    assert report.shown_status() == Status.DONE, report.failure
    with Store(small_store_path, read_only=True) as store:
        assert report.store_version == store.version.version_id
    assert Path(report.folder) == data_folder / "reports" / str(report.pk)
    assert sorted(p.name for p in Path(report.folder).iterdir()) == [
        "890-2026-03-published-narrative.yaml", "890-2026-03-published.html", "890-2026-03-published.pdf",
        "890-2026-03-published.xlsx"]
    assert took < 120, f"a report took {took:.0f} s to build"

    # each download: its type, an attachment named as the CLI names it, and the file itself
    for fmt, content_type in CONTENT_TYPES.items():
        got = analyst.get(reverse("reports:download", args=[report.pk, fmt]))
        assert got.status_code == 200, fmt
        assert got["Content-Type"] == content_type
        name = report.files[fmt]
        assert got["Content-Disposition"] == f'attachment; filename="{name}"'
        assert body(got).startswith(OPENS_WITH[fmt]), fmt

    # a councillor sees nothing of a draft: not listed, and its pages and files are not found
    councillor = client_as("councillor")
    assert f"/reports/{report.pk}/" not in councillor.get(reverse("reports:index")).content.decode()
    assert councillor.get(reverse("reports:report", args=[report.pk])).status_code == 404
    assert councillor.get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 404

    # the editor shows every drafted paragraph; one is rewritten and saved against the draft it was shown
    analyst = client_as("analyst")
    editor = analyst.get(reverse("reports:narrative", args=[report.pk])).content.decode()
    drafted = yaml.safe_load((Path(report.folder) / report.files["narrative"]).read_text())
    assert editor.count("<textarea") == sum(len(m) for m in drafted.values())
    assert "Children subject to a child protection plan" in editor or "child protection plan" in editor
    fingerprint = drafted["cp_plans"]["C8"]["drafted_from"]
    saved = analyst.post(reverse("reports:narrative", args=[report.pk]),
                         {"text-cp_plans/C8": EDITED, "drafted-from-cp_plans/C8": fingerprint})
    assert saved.status_code == 303 and saved["Location"] == f"/reports/{report.pk}/"
    report = finished(report.pk)
    edit = NarrativeEdit.objects.get()
    assert (edit.key, edit.text, edit.drafted_from, edit.edited_by) == ("cp_plans/C8", EDITED, fingerprint,
                                                                       users["analyst"])
    assert report.shown_status() == Status.DONE, report.failure
    html = body(analyst.get(reverse("reports:download", args=[report.pk, "html"]))).decode()
    assert EDITED in html
    assert "rose to" not in html.split(EDITED)[0][-200:]  # the edit stands where the draft's paragraph was

    # published: frozen, and the councillor's to read and download
    assert analyst.post(reverse("reports:publish", args=[report.pk])).status_code == 303
    report.refresh_from_db()
    assert (report.publication, report.published_by) == (Publication.PUBLISHED, users["analyst"])
    refused = analyst.post(reverse("reports:narrative", args=[report.pk]),
                           {"text-cp_plans/C8": "Another text.", "drafted-from-cp_plans/C8": fingerprint})
    assert refused.status_code == 409 and "frozen" in refused.content.decode()
    assert NarrativeEdit.objects.count() == 1

    councillor = client_as("councillor")
    assert f"/reports/{report.pk}/" in councillor.get(reverse("reports:index")).content.decode()
    assert councillor.get(reverse("reports:report", args=[report.pk])).status_code == 200
    pdf = councillor.get(reverse("reports:download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and body(pdf).startswith(b"%PDF-")
    assert councillor.get(reverse("reports:narrative", args=[report.pk])).status_code == 403

    # the month made again: a new draft that starts from the published report's edit
    analyst = client_as("analyst")
    again = analyst.post(reverse("reports:generate"), {"as_at": "2026-03-31", "audience": "published"})
    newer = finished(int(again["Location"].strip("/").split("/")[-1]))
    assert newer.pk != report.pk and newer.publication == Publication.DRAFT
    assert {k: e.text for k, e in newer.current_edits().items()} == {"cp_plans/C8": EDITED}
    assert EDITED in body(analyst.get(reverse("reports:download", args=[newer.pk, "html"]))).decode()


# --- edits refused, with the paragraph and why ---------------------------------------------------------------------

@pytest.mark.django_db
def test_an_edit_stating_a_small_count_is_refused_for_publication(client_as, users, tmp_path):
    report = a_report(users["analyst"], tmp_path)
    answer = client_as("analyst").post(reverse("reports:narrative", args=[report.pk]), {
        "text-cp_plans/C8": "Only 3 children came off a plan.", "drafted-from-cp_plans/C8": "80198114b8b0"})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "govuk-error-summary" in page and 'href="#paragraph-cp_plans-c8"' in page
    assert ("Children on child protection plans: the text states 3, a count below the publication threshold (5): "
            "write &quot;fewer than 5&quot; or leave the number out") in page
    assert "Only 3 children came off a plan.</textarea>" in page  # what was typed comes back to be corrected
    assert NarrativeEdit.objects.count() == 0


@pytest.mark.django_db
def test_the_same_count_is_an_internal_reports_to_state(client_as, users, tmp_path, data_folder):
    report = a_report(users["analyst"], tmp_path, audience="internal")
    from carelens.web.reports.narrative import save_edits

    saved = save_edits(report, {"text-cp_plans/C8": "Only 3 children came off a plan.",
                                "drafted-from-cp_plans/C8": "80198114b8b0"}, users["analyst"])
    assert (saved.changed, saved.errors) == (["cp_plans/C8"], {})


@pytest.mark.django_db
def test_an_edit_against_a_draft_that_has_since_changed_is_refused(client_as, users, tmp_path):
    report = a_report(users["analyst"], tmp_path)
    answer = client_as("analyst").post(reverse("reports:narrative", args=[report.pk]), {
        "text-cp_plans/C8": "Plans rose again.", "drafted-from-cp_plans/C8": "0123456789ab"})
    assert answer.status_code == 200
    assert "the draft changed while you were editing" in answer.content.decode()
    assert NarrativeEdit.objects.count() == 0


@pytest.mark.django_db
def test_the_draft_put_back_removes_the_edit_and_keeps_its_history(client_as, users, tmp_path):
    from carelens.web.reports.narrative import save_edits

    draft = "**Children on child protection plans** rose to 62 children at the end of March 2026."
    report = a_report(users["analyst"], tmp_path, text=draft)
    assert save_edits(report, {"text-cp_plans/C8": "Plans   rose.\n", "drafted-from-cp_plans/C8": "80198114b8b0"},
                      users["analyst"]).changed == ["cp_plans/C8"]
    assert report.current_edits()["cp_plans/C8"].text == "Plans rose."  # one paragraph, spaces as one
    same = save_edits(report, {"text-cp_plans/C8": "Plans rose.", "drafted-from-cp_plans/C8": "80198114b8b0"},
                      users["analyst"])
    assert same.changed == []  # unchanged: nothing saved, nothing to build
    assert save_edits(report, {"text-cp_plans/C8": draft, "drafted-from-cp_plans/C8": "80198114b8b0"},
                      users["analyst"]).changed == ["cp_plans/C8"]
    assert report.current_edits() == {}
    assert list(report.edits.values_list("text", flat=True)) == ["Plans rose.", ""]


@pytest.mark.django_db
def test_a_report_whose_edit_has_gone_stale_cannot_be_published(client_as, users, tmp_path):
    report = a_report(users["analyst"], tmp_path)
    NarrativeEdit.objects.create(report=report, key="cp_plans/C8", text="Plans rose.", drafted_from="0123456789ab",
                                 edited_by=users["analyst"])
    analyst = client_as("analyst")
    page = analyst.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Publish report</button>" not in page
    answer = analyst.post(reverse("reports:publish", args=[report.pk]))
    assert answer.status_code == 409
    assert ("The report cannot be published: the paragraph C8 of “4. Child protection plans” was written against "
            "figures that have since changed") in answer.content.decode()
    report.refresh_from_db()
    assert report.publication == Publication.DRAFT


def test_the_months_offered_run_back_from_the_latest_complete_month(small_store):
    months = months_covered(small_store, "890")
    assert months[:3] == [dt.date(2026, 3, 31), dt.date(2026, 2, 28), dt.date(2026, 1, 31)]
    assert len(months) == 36 and months[-1] == dt.date(2023, 4, 30)


@pytest.mark.django_db
def test_a_month_the_store_does_not_hold_is_refused(client_as):
    answer = client_as("analyst").post(reverse("reports:generate"), {"as_at": "2031-01-31", "audience": "internal"})
    assert answer.status_code == 200
    assert "Choose a month the store holds" in answer.content.decode()
    assert MonthlyReport.objects.count() == 0


# --- who sees which report -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_councillor_gets_404_for_every_report_not_published_for_publication(client_as, users, tmp_path):
    analyst = users["analyst"]
    internal_published = a_report(analyst, tmp_path, audience="internal", publication=Publication.PUBLISHED)
    draft = a_report(analyst, tmp_path, audience="published")
    published = a_report(analyst, tmp_path, audience="published", publication=Publication.PUBLISHED)
    councillor = client_as("councillor")
    listed = councillor.get(reverse("reports:index")).content.decode()
    assert f'href="/reports/{published.pk}/"' in listed
    for hidden in (internal_published, draft):
        assert f'href="/reports/{hidden.pk}/"' not in listed
        for name, kwargs in (("reports:report", {}), ("reports:progress", {}), ("reports:download", {"fmt": "pdf"}),
                             ("reports:download", {"fmt": "narrative"})):
            assert councillor.get(reverse(name, kwargs={"pk": hidden.pk, **kwargs})).status_code == 404, name
    assert councillor.get(reverse("reports:report", args=[99999])).status_code == 404
    assert councillor.get(reverse("reports:download", args=[published.pk, "pdf"])).status_code == 200
    # a manager and an auditor read every report, and may not generate, edit or publish one
    for role in ("manager", "auditor"):
        reader = client_as(role)
        listed = reader.get(reverse("reports:index")).content.decode()
        assert all(f'href="/reports/{r.pk}/"' in listed for r in (internal_published, draft, published))
        assert "Generate report" not in listed
        assert reader.post(reverse("reports:publish", args=[draft.pk])).status_code == 403


@pytest.mark.django_db
def test_an_unknown_format_is_not_found(client_as, users, tmp_path):
    report = a_report(users["analyst"], tmp_path)
    assert client_as("analyst").get(reverse("reports:download", args=[report.pk, "docx"])).status_code == 404


@pytest.mark.django_db
def test_a_report_for_publication_with_a_stale_edit_is_built_from_its_drafts_and_says_so(users, data_folder):
    """build_report refuses a stale edit for publication; the app builds the drafts instead, so the analyst has
    this month's drafts to check the edit against, and keeps the edit for them to save again."""
    from carelens.report.narrative.edits import Edit
    from carelens.web.background import Progress
    from carelens.web.reports.building import build
    from carelens.web.reports.narrative import publication_problem

    report = MonthlyReport.objects.create(requested_by=users["analyst"], la_code="890", as_at=dt.date(2026, 3, 31),
                                          audience="published", status=Status.DONE)
    NarrativeEdit.objects.create(report=report, key="cp_plans/C8", text="Plans rose.", drafted_from="000000000000",
                                 edited_by=users["analyst"])
    build(report, Progress(report), {"cp_plans/C8": Edit("cp_plans/C8", "Plans rose.", "000000000000")})
    report.refresh_from_db()
    assert report.edits_left_out == ("The report was built without your edits: cp_plans/C8 was written against "
                                     "figures that have since changed; check it against this month's draft (the "
                                     "narrative editor shows it) before publishing it")
    assert "Plans rose." not in report.path_of("html").read_text(encoding="utf-8")
    assert publication_problem(report).startswith("its last build left your edits out")
