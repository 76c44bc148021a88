"""Building a monthly report's files on a thread: the same ``build_report`` and ``write_report`` as
``carelens report``, with the analyst's saved edits laid over the drafts (``ReportOptions.edits``).

A build reads the store's current version, so a report built again after a load states the new figures (and an
edit written against the old ones is stale). Its files replace the last build's one by one, each renamed into
place, so a download during a build gets a whole file.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from carelens.indicators.api import SelectionError, latest_month_end
from carelens.model.store import Store
from carelens.model.store_file import StoreError
from carelens.report.build import FORMATS, ReportOptions, build_report, write_report
from carelens.report.narrative.edits import Edit, EditsError
from carelens.web.background import FINISHED, Progress, Status, start
from carelens.web.reports.models import MonthlyReport
from carelens.web.store import authority, reading

# the build's stages, as build_report and write_report say them (the first word of each step)
STAGES = ("figures", "tables", "narrative", "charts", *FORMATS)
MONTHS_OFFERED = 36  # the month ends the generate form offers, newest first


def months_covered(store: Store, la_code: str) -> list[dt.date]:
    """The month ends a report can be made for, newest first: from the latest complete month back to the first
    month end the store's referrals and contacts cover, at most :data:`MONTHS_OFFERED` of them."""
    latest = latest_month_end(store, la_code)
    coverage = store.coverage([la_code])
    front_door = coverage.filter(coverage["table"].is_in(["referrals", "contacts"]))
    first = front_door["first_day"].min() if not front_door.is_empty() else latest
    months = []
    day = latest
    while day >= first and len(months) < MONTHS_OFFERED:
        months.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return months


def edits_of(report: MonthlyReport) -> dict[str, Edit]:
    """The report's edits in force, as the report engine takes them."""
    return {key: Edit(key, e.text, e.drafted_from or None) for key, e in report.current_edits().items()}


def is_building(report: MonthlyReport) -> bool:
    return report.shown_status() not in FINISHED


def build(report: MonthlyReport, progress: Progress, edits: dict[str, Edit]) -> None:
    """Build the report's files into its folder from the store's current version, with ``edits`` laid over the
    drafts (run on the work's thread, which touches the database only through ``progress``)."""
    progress.total(len(STAGES))
    done: set[str] = set()

    def step(what: str) -> None:
        stage = what.split(":", 1)[0]
        if stage not in done:
            done.add(stage)
            progress.step(what, done=len(done) - 1)

    left_out = ""
    with reading() as store:
        la_code = authority(store)
        options = ReportOptions(audience=report.audience, edits=edits or None)
        try:
            built = build_report(store, la_code, report.as_at, options, step=step)
        except EditsError as e:
            if not edits:
                raise
            # a published report refuses an edit gone stale (or stating a small count): build it from the drafts,
            # so the analyst sees this month's drafts to check the edits against, and say why
            left_out = f"The report was built without your edits: {_plainly(str(e))}"
            built = build_report(store, la_code, report.as_at, ReportOptions(audience=report.audience), step=step)
    paths = write_report(built, Path(report.folder), FORMATS, step=step)
    files = {fmt: p.name for fmt, p in zip((*FORMATS, "narrative"), paths, strict=True)}
    progress.record(la_code=la_code, store_version=built.report.store_version, files=files, edits_left_out=left_out)
    progress.step("written", done=len(STAGES))


def failure(e: Exception) -> str | None:
    """What to tell the analyst when a build fails in a way they can act on; None: unexpected (logged)."""
    if isinstance(e, (EditsError, SelectionError, StoreError)):
        return _plainly(str(e))
    return None


def _plainly(message: str) -> str:
    """An engine message as the web app says it: it has no edits file, and its editor shows the drafts."""
    return (message.removeprefix("narrative edits: ")
            .replace(" (the run's -narrative.yaml)", " (the narrative editor shows it)"))


def start_build(report: MonthlyReport) -> threading.Thread:
    """Queue the report's (re)build and start it: its row says queued again until the thread picks it up."""
    MonthlyReport.objects.filter(pk=report.pk).update(
        status=Status.QUEUED, step="", steps_done=0, steps_total=len(STAGES), failure="", started_at=None,
        finished_at=None)
    report.refresh_from_db()
    edits = edits_of(report)  # read here, so the thread has nothing to read from the database
    return start(report, lambda work, progress: build(work, progress, edits), failure=failure)
