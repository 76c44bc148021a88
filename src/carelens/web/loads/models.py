"""A data load from the browser: what was uploaded, the options, how it went and every problem found.

A :class:`Load` is background work (:class:`~carelens.web.background.Work`): the upload is saved and recorded in
the request, and the ingest — the same atomic one as ``carelens ingest`` — runs on a thread
(:mod:`carelens.web.loads.running`). Its rows are the history of loads: who loaded what, when, and what it did
to the store.
"""

from __future__ import annotations

from django.db import models

from carelens.web.background import Status, Work

# what each kind of source is called on the pages (carelens.ingest.source_kind's names)
KIND_NAMES = {
    "ssda903": "SSDA903 return",
    "cin_census": "CIN census",
    "annex_a": "Annex A workbook",
    "ssd": "Standard Safeguarding Dataset",
    "": "Not recognised",
}


class Load(Work):
    """One upload and its ingest into the store (or its check, with ``check_only``)."""

    # the options, as the analyst gave them
    collection_year = models.PositiveIntegerField(null=True, blank=True)  # every SSDA903 return's, when given
    la_code = models.CharField(max_length=3, blank=True)  # the authority, for sources that do not say
    check_only = models.BooleanField(default=False)  # read and check, store nothing
    hold_back = models.BooleanField(default=False)  # load SSDA903 returns without the children with problems

    # the outcome
    store_version_before = models.PositiveIntegerField(null=True, blank=True)
    store_version = models.PositiveIntegerField(null=True, blank=True)  # the version this load published
    sources = models.PositiveIntegerField(default=0)  # returns and extracts read
    children = models.PositiveIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    tables = models.JSONField(default=dict, blank=True)  # rows of each store table after the merge
    warnings = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    held_back_children = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    steps_log = models.JSONField(default=list, blank=True)  # each step done, in words, in order

    class Meta(Work.Meta):
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"load {self.pk}"

    @property
    def kinds(self) -> list[str]:
        """What the upload held, in words, each kind once."""
        return sorted({KIND_NAMES.get(f.kind, f.kind) for f in self.files.all()})

    @property
    def tag(self) -> dict[str, str]:
        """The status as a GOV.UK tag: its words and colour (a check that passed is "Checked", not "Loaded")."""
        status = self.shown_status()
        if status is Status.DONE:
            return {"label": "Checked" if self.check_only else "Loaded", "colour": "green"}
        if status is Status.FAILED:
            return {"label": "Problems found" if self.problem_count else "Failed", "colour": "red"}
        return {"label": status.label, "colour": {Status.RUNNING: "blue", Status.QUEUED: "grey",
                                                  Status.INTERRUPTED: "orange"}.get(status, "grey")}

    @property
    def stored(self) -> bool:
        return self.shown_status() is Status.DONE and not self.check_only


class LoadFile(models.Model):
    """One file of an upload (a file unzipped from an uploaded zip file is one too)."""

    load = models.ForeignKey(Load, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)  # as the browser named it (shown, never used as a path)
    saved_as = models.CharField(max_length=500)  # where it is, relative to the load's upload folder
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, blank=True)  # source_kind's name; "" not recognised

    class Meta:
        ordering = ["pk"]

    @property
    def renamed(self) -> bool:
        """Saved under another name than the browser's (made safe, or a second file of one name)."""
        return self.saved_as.rsplit("/", 1)[-1] != self.name

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


class LoadProblem(models.Model):
    """One problem found in the files, as ingest reported it: nothing was stored (or, held back, its child)."""

    load = models.ForeignKey(Load, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveIntegerField()  # the order ingest reported them in
    file = models.CharField(max_length=500)  # relative to the upload: the name the analyst knows
    location = models.CharField(max_length=200, blank=True)  # "row 12", "line 340", "" for the whole file
    field = models.CharField(max_length=200, blank=True)
    value = models.TextField(null=True, blank=True)  # None: no value (a missing file); "" an empty one
    expected = models.TextField()
    child = models.CharField(max_length=100, blank=True)
    held_back = models.BooleanField(default=False)  # a problem of a child held back (the load went on)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["load", "position"])]
