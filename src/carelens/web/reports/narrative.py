"""The narrative editor's side of a report: its drafted paragraphs with their headings, the analyst's edits
checked the way the report engine checks an edits file, and whether the report may be published.

The drafts are the last build's ``…-narrative.yaml`` (what ``carelens report`` writes for an analyst to copy
from), read with the engine's own :func:`~carelens.report.narrative.edits.read_edits`; the checks are the
engine's :func:`~carelens.report.narrative.edits.apply_edits` and
:func:`~carelens.report.narrative.edits.check_for_publication`, so the web refuses what the CLI refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from carelens.report.document import Paragraph
from carelens.report.narrative.edits import (
    Edit,
    EditsError,
    apply_edits,
    check_for_publication,
    read_edits,
)
from carelens.report.sections import SECTIONS
from carelens.web.reports.building import edits_of, is_building
from carelens.web.reports.models import Audience, MonthlyReport, NarrativeEdit

# the sections' headings, as the report shows them ("summary" is the report's "what changed this month")
SECTION_TITLES = {"summary": "What changed this month", **{s.key: f"{s.number}. {s.title}" for s in SECTIONS}}
THRESHOLD = 5  # the report's default: a published report shows no count from 1 to 4 (ReportOptions)
LONGEST = 5_000  # characters in one paragraph: far more than a drafted one, a bound on what a form may post


@dataclass(frozen=True)
class EditorParagraph:
    """One paragraph as the editor shows it: its draft, and the analyst's text in force if any."""

    key: str
    section: str  # the section's heading
    heading: str  # the measure's name (the draft's bold opening), else its key
    draft: Paragraph
    edit: NarrativeEdit | None

    @property
    def text(self) -> str:
        """What the textarea holds: the analyst's text, else the draft."""
        return self.edit.text if self.edit else self.draft.text

    @property
    def stale(self) -> bool:
        """Edited against a draft whose figures have since changed."""
        return bool(self.edit and self.edit.drafted_from and self.edit.drafted_from != self.draft.fingerprint)

    @property
    def field(self) -> str:
        return f"text-{self.key}"

    @property
    def fingerprint_field(self) -> str:
        return f"drafted-from-{self.key}"

    @property
    def element_id(self) -> str:
        return "paragraph-" + self.key.replace("/", "-").lower()


def drafts(report: MonthlyReport) -> list[Paragraph]:
    """The report's paragraphs as its last build drafted them, in the report's order (none before a build)."""
    path = report.path_of("narrative")
    if path is None:
        return []
    return [Paragraph(e.key, e.text, fingerprint=e.drafted_from or "") for e in read_edits(path).values()]


def editor_paragraphs(report: MonthlyReport) -> list[EditorParagraph]:
    edits = report.current_edits()
    return [EditorParagraph(p.key, SECTION_TITLES.get(p.key.split("/")[0], p.key.split("/")[0]), _heading(p), p,
                            edits.get(p.key)) for p in drafts(report)]


def _heading(p: Paragraph) -> str:
    runs = p.runs()
    if runs and runs[0][1]:
        return runs[0][0].strip()
    return p.key


def _threshold(report: MonthlyReport) -> int:
    # an internal report states every count: no count is below a threshold of 1
    return THRESHOLD if report.audience == Audience.PUBLISHED else 1


@dataclass(frozen=True)
class Saved:
    changed: list[str]  # the keys whose text was saved (or put back to the draft)
    errors: dict[str, str]  # key -> why its text was refused; nothing is saved when there is one


def save_edits(report: MonthlyReport, posted: Mapping[str, str], user) -> Saved:
    """Save the analyst's text for each paragraph the form sent: a text equal to the draft (or empty) puts the
    draft back. Each text is checked as the report engine checks an edits file — against the draft the analyst
    was shown (``drafted-from-<key>``: a draft rebuilt meanwhile makes the text stale) and, for the published
    audience, for a count below the threshold. One refused text saves nothing, so the form comes back whole."""
    paragraphs = {p.key: p for p in editor_paragraphs(report)}
    errors: dict[str, str] = {}
    wanted: dict[str, tuple[str, str]] = {}
    for key, p in paragraphs.items():
        if p.field not in posted:
            continue
        text = " ".join(posted[p.field].split())  # one paragraph, as read_edits makes it
        shown_from = posted.get(p.fingerprint_field, "")
        if len(text) > LONGEST:
            errors[key] = f"{p.heading}: the text is longer than {LONGEST:,} characters"
            continue
        if text in ("", " ".join(p.draft.text.split())):
            if p.edit is not None:
                wanted[key] = ("", p.draft.fingerprint)
            continue
        if p.edit is not None and text == p.edit.text and shown_from == p.edit.drafted_from:
            continue  # unchanged
        if shown_from != p.draft.fingerprint:
            errors[key] = (f"{p.heading}: the draft changed while you were editing (the report was built again "
                           "from new figures): check your text against the new draft and save it again")
            continue
        try:
            laid = apply_edits([p.draft], {key: Edit(key, text, shown_from)})
            check_for_publication(laid, _threshold(report))
        except EditsError as e:
            errors[key] = f"{p.heading}: the text {_said(str(e), key)}"
            continue
        wanted[key] = (text, shown_from)
    if errors:
        return Saved([], errors)
    with transaction.atomic():
        for key, (text, drafted_from) in wanted.items():
            NarrativeEdit.objects.create(report=report, key=key, text=text, drafted_from=drafted_from,
                                         edited_by=user)
    return Saved(list(wanted), {})


def _said(message: str, key: str) -> str:
    """The engine's message about one paragraph, without the file and key it names (the page shows the heading)."""
    return message.removeprefix("narrative edits: ").removeprefix(f"{key} ")


def publication_problem(report: MonthlyReport) -> str | None:
    """Why the report may not be published yet, or None: it must be built, with every edit in its files, none
    stale, and (published audience) none stating a count below the threshold."""
    if report.is_published:
        return "it is already published"
    if is_building(report):
        return "it is still being built: wait until it is done"
    if report.shown_status() != "done" or report.path_of("narrative") is None:
        return "it has not been built: generate it again"
    if report.edits_left_out:
        return "its last build left your edits out: check them in the narrative editor and save them again"
    missing = [fmt for fmt in report.files if report.path_of(fmt) is None]
    if missing:
        return f"its {', '.join(missing)} file is missing: generate it again"
    try:
        laid = apply_edits(drafts(report), edits_of(report))
        check_for_publication(laid, _threshold(report))
    except EditsError as e:
        return _plainly_named(str(e))
    return None


def _plainly_named(message: str) -> str:
    text = message.removeprefix("narrative edits: ")
    key = text.split(" ", 1)[0]
    section, _, measure = key.partition("/")
    if section in SECTION_TITLES and measure:
        text = f"the paragraph {measure} of “{SECTION_TITLES[section]}” " + text.split(" ", 1)[1]
    return text.replace(" (the run's -narrative.yaml)", " (the narrative editor shows it)")
