"""The reports app: every dashboard role reads reports, only an analyst generates, edits and publishes, an
administrator is refused everything (403).

The report asked for is a built *draft* for the published audience (its files written by hand, so no build
runs): a councillor sees only published reports for the published audience, so for them its pages and files
answer 404 — as a report that does not exist does — while the other readers get them. tests/web/test_reports.py
checks that a councillor gets the same report once it is published.

POST with no data: generate shows the form again with its errors (200); the editor says the form sent no
paragraphs (400); publish publishes the draft (303, undone after each request).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from carelens.report.document import Paragraph
from carelens.report.narrative.edits import drafts_file
from carelens.web.accounts.roles import Role

from . import Context, only

READERS = (Role.ANALYST, Role.MANAGER, Role.AUDITOR, Role.COUNCILLOR)
DRAFT = "**Children on child protection plans** rose to 62 children at the end of March 2026."


def a_built_draft(ctx: Context) -> dict:
    """A draft report for publication, built as far as the app can tell: its four files in a folder of its own."""
    from carelens.web.background import Status
    from carelens.web.reports.models import MonthlyReport

    folder = Path(tempfile.mkdtemp(prefix="carelens-report-"))
    stem = "890-2026-03-published"
    files = {"pdf": f"{stem}.pdf", "html": f"{stem}.html", "xlsx": f"{stem}.xlsx",
             "narrative": f"{stem}-narrative.yaml"}
    for fmt, name in files.items():
        if fmt == "narrative":
            (folder / name).write_text(drafts_file([Paragraph("cp_plans/C8", DRAFT, fingerprint="80198114b8b0")]))
        else:
            (folder / name).write_bytes(b"a report")
    report = MonthlyReport.objects.create(requested_by=ctx.users["analyst"], la_code="890", as_at="2026-03-31",
                                          audience="published", status=Status.DONE, folder=str(folder),
                                          files=files, store_version="56bf64a2")
    return {"pk": report.pk}


def a_download(ctx: Context) -> dict:
    return {**a_built_draft(ctx), "fmt": "pdf"}


ENTRIES = {
    "reports:index": only(*READERS),
    "reports:generate": only(Role.ANALYST, get=405, post=200),
    "reports:report": only(*READERS, kwargs=a_built_draft).but(Role.COUNCILLOR, get=404, post=405),
    "reports:progress": only(*READERS, htmx=True, kwargs=a_built_draft).but(Role.COUNCILLOR, get=404, post=405),
    "reports:narrative": only(Role.ANALYST, post=400, kwargs=a_built_draft),
    "reports:publish": only(Role.ANALYST, get=405, post=303, kwargs=a_built_draft),
    "reports:download": only(*READERS, kwargs=a_download).but(Role.COUNCILLOR, get=404, post=405),
}
