"""A monthly report made in the web app, and the analyst's edits to its drafted narrative (docs/web/reports.md).

A :class:`MonthlyReport` is one month end for one audience, built on a thread (:mod:`carelens.web.background`)
by the same code ``carelens report`` runs, into a folder of its own. Its *work* status (queued … done, failed) is
:class:`~carelens.web.background.Work`'s; its *document* status is :class:`Publication`: a draft the analyst may
edit, or published — frozen, and (for the published audience) what councillors see.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from carelens.web.accounts.access import has_role
from carelens.web.accounts.roles import SUPPRESSED, Role
from carelens.web.background import Work


class Audience(models.TextChoices):
    INTERNAL = "internal", "Internal"  # every figure, team caseloads included
    PUBLISHED = "published", "For publication"  # small numbers suppressed: for councillors and the public


class Publication(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# the files a build writes, by the name a download asks for them with
FORMATS = ("pdf", "html", "xlsx", "narrative")


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportQuerySet:
        """The reports ``user`` may see: a councillor only published reports for the published audience; every
        other dashboard role all of them; anyone else none (their views refuse them before asking)."""
        if has_role(user, *SUPPRESSED):
            return self.filter(publication=Publication.PUBLISHED, audience=Audience.PUBLISHED)
        if has_role(user, Role.ANALYST, Role.MANAGER, Role.AUDITOR):
            return self
        return self.none()


class MonthlyReport(Work):
    """The monthly report for one month end and audience: where its files are and whether it is published."""

    la_code = models.CharField(max_length=20)
    as_at = models.DateField()  # the month end reported on
    audience = models.CharField(max_length=12, choices=Audience.choices)
    store_version = models.CharField(max_length=64, blank=True)  # the store version the files were built from
    folder = models.CharField(max_length=500, blank=True)  # settings.DATA / "reports" / <id>, set when made
    files = models.JSONField(default=dict, blank=True)  # {"pdf": "890-2026-03-internal.pdf", …, "narrative": …}
    # why the last build left the analyst's edits out (a published report's edit gone stale): shown, and publishing
    # waits until the edits are checked again
    edits_left_out = models.TextField(blank=True)
    publication = models.CharField(max_length=12, choices=Publication.choices, default=Publication.DRAFT)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta(Work.Meta):
        ordering = ["-as_at", "-requested_at"]

    def __str__(self) -> str:
        return f"{self.la_code} {self.as_at:%B %Y} ({self.audience}, {self.publication})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.folder:  # the id names the folder, so it is known only once the row is saved
            self.folder = str(Path(settings.DATA) / "reports" / str(self.pk))
            type(self).objects.filter(pk=self.pk).update(folder=self.folder)

    @property
    def month(self) -> str:
        return self.as_at.strftime("%B %Y")

    @property
    def is_published(self) -> bool:
        return self.publication == Publication.PUBLISHED

    def path_of(self, fmt: str) -> Path | None:
        """The file of ``fmt`` (pdf, html, xlsx, narrative) the last build wrote, if it is there."""
        name = self.files.get(fmt)
        if not name or not self.folder:
            return None
        path = Path(self.folder) / name
        return path if path.is_file() else None

    def current_edits(self) -> dict[str, NarrativeEdit]:
        """The analyst's text in force for each paragraph: the latest save of its key, unless that save put the
        draft back (an empty text)."""
        latest: dict[str, NarrativeEdit] = {}
        for edit in self.edits.order_by("edited_at", "pk"):
            latest[edit.key] = edit
        return {key: e for key, e in latest.items() if e.text}


class NarrativeEdit(models.Model):
    """One save of the analyst's text for one paragraph. Each save is a new row, so the history stays: who wrote
    what, when, against which draft (``drafted_from``, the draft's fingerprint — an edit whose draft has since
    changed is stale). An empty text puts the draft back."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="edits")
    key = models.CharField(max_length=100)  # "<section>/<measure>", as an edits file keys it
    text = models.TextField(blank=True)
    drafted_from = models.CharField(max_length=64, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["edited_at", "pk"]
        indexes = [models.Index(fields=["report", "key"])]

    def __str__(self) -> str:
        return f"{self.key} by {self.edited_by_id} at {self.edited_at:%Y-%m-%d %H:%M}"
