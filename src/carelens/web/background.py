"""Work the web app does after answering the request that asked for it: a data load, a monthly report.

A load of several returns or a report of an authority takes seconds to minutes — longer than a request should
wait. The view records the work (a row of a model derived from :class:`Work`), starts it on a thread of its own
in the same process (:func:`start`) and answers at once with a page that asks for its progress. The thread
reports each step to the row (:class:`Progress`), and its outcome.

Why a thread and not a task queue: the app must run with no server to install (issue 16), the work is rare (a
few loads and reports a month), and what it writes is safe to lose halfway — a load publishes its new store
version only when it has all of it (decision 017), a report is written to a folder of its own. A worker process
that stops mid-way (a restart, a crash) leaves its row ``running`` with that process's id: :meth:`Work.shown_status`
reads it as ``interrupted`` once the process has gone, and the analyst starts the work again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections, models
from django.utils import timezone

log = logging.getLogger(__name__)


class Status(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Interrupted"


FINISHED = frozenset({Status.DONE, Status.FAILED, Status.INTERRUPTED})


class Work(models.Model):
    """What every piece of background work records: who asked, when, how far it has gone and how it ended."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)  # what it is doing now, in words
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)  # why it failed, in words a user can act on
    process = models.PositiveIntegerField(null=True, blank=True)  # the id of the process running it

    class Meta:
        abstract = True
        ordering = ["-requested_at"]

    def shown_status(self) -> Status:
        """The status to show: ``running`` work whose process has gone was interrupted (see the module)."""
        status = Status(self.status)
        if status in (Status.RUNNING, Status.QUEUED) and self.process and not _alive(self.process):
            return Status.INTERRUPTED
        return status

    @property
    def finished(self) -> bool:
        return self.shown_status() in FINISHED

    @property
    def percent_done(self) -> int:
        if self.shown_status() is Status.DONE:
            return 100
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0


class Progress:
    """Handed to the work: it says each step, and the row is updated for the progress page to read."""

    def __init__(self, work: Work):
        self._work = work

    def total(self, steps: int) -> None:
        self._save(steps_total=steps)

    def step(self, what: str, done: int | None = None) -> None:
        self._save(step=what[:200], steps_done=self._work.steps_done + 1 if done is None else done)

    def record(self, **fields) -> None:
        """Save more of the work's row from the thread (what the work made: a report's files …)."""
        self._save(**fields)

    def _save(self, **fields) -> None:
        for name, value in fields.items():
            setattr(self._work, name, value)
        _update(type(self._work), self._work.pk, **fields)


LOCKED_FOR = 10.0  # seconds a write of the row waits for a locked database before giving up


def _update(model: type[Work], pk, **fields) -> None:
    """Update the work's row, waiting while SQLite says the database (or, in a shared-cache database, the table)
    is locked by a request writing at the same moment: SQLite's busy timeout does not cover a locked table, and a
    step's progress or the work's outcome must not be lost to a moment's contention."""
    deadline = time.monotonic() + LOCKED_FOR
    while True:
        try:
            model.objects.filter(pk=pk).update(**fields)
            return
        except OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start(work: Work, run: Callable[[Work, Progress], None], *, failure: Callable[[Exception], str | None]
          ) -> threading.Thread:
    """Run ``run(work, progress)`` on a thread of its own and record how it ends on ``work``'s row.

    ``failure`` turns an exception into the words to show (a bad file, a store in use); an exception it gives
    None for is unexpected: it is logged with its traceback and the user is told the work failed unexpectedly.
    The thread is returned for a caller that must wait for it (a test).
    """
    model = type(work)
    model.objects.filter(pk=work.pk).update(process=os.getpid())
    work.process = os.getpid()

    def running() -> None:
        close_old_connections()
        try:
            now = timezone.now()
            _update(model, work.pk, status=Status.RUNNING, started_at=now)
            work.status, work.started_at = Status.RUNNING, now
            try:
                run(work, Progress(work))
            except Exception as e:  # noqa: BLE001 - whatever went wrong is recorded on the row, never lost
                said = failure(e)
                if said is None:
                    log.error("background work %s %s failed:\n%s", model.__name__, work.pk, traceback.format_exc())
                    said = f"it stopped unexpectedly ({type(e).__name__}); the details are in the server's log"
                _update(model, work.pk, status=Status.FAILED, failure=said, finished_at=timezone.now())
            else:
                _update(model, work.pk, status=Status.DONE, finished_at=timezone.now())
        finally:
            connections.close_all()

    thread = threading.Thread(target=running, name=f"{model.__name__}-{work.pk}", daemon=True)
    thread.start()
    return thread


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
