"""The ingest of a load, on its background thread: the same atomic ingest as ``carelens ingest``.

:func:`run_load` reads and checks every source, reporting each to the load's progress, then (unless the load
only checks) merges them all into the store's next version and publishes it whole (decision 017): readers — the
app's own pages included — go on reading the version before until it is published. Problems found are every
one saved on the load (:class:`~.models.LoadProblem`) and nothing is stored; :func:`failure_in_words` says
why a load failed in words an analyst can act on.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from carelens.ingest import IngestError, Problem, ingest
from carelens.model.store import Store
from carelens.model.store_file import StoreError
from carelens.web.background import Progress
from carelens.web.loads.models import KIND_NAMES, Load, LoadProblem
from carelens.web.loads.uploads import LOOSE, upload_folder
from carelens.web.store import store_path


def source_count(sources: list[Path]) -> int:
    """How many sources ingest reports (its ``on_source``) for these paths: the CSV files of the upload's folder
    are one return, as ingest reads them."""
    loose_csv = [p for p in sources if p.is_file() and p.parent.name == LOOSE and _is_csv(p)]
    return len(sources) - len(loose_csv) + (1 if loose_csv else 0)


def _is_csv(path: Path) -> bool:
    from carelens.ingest import formats

    return formats.identify(path).kind in (formats.CSV, formats.EMPTY)


def _version(path: Path) -> int | None:
    if not path.exists():
        return None
    try:
        with Store(path, read_only=True) as store:
            return store.version.version
    except StoreError:
        return None


def run_load(load: Load, progress: Progress, sources: list[Path]) -> None:
    """Ingest ``sources`` (the load's saved upload) into the app's store, recording each step and the outcome
    on ``load``. Raises what ingest raises (IngestError, StoreError), after saving the problems."""
    store = store_path()
    root = upload_folder(load.pk)
    expected = source_count(sources)
    progress.total(expected + (0 if load.check_only else 2))
    before = _version(store)
    Load.objects.filter(pk=load.pk).update(store_version_before=before)
    log: list[str] = []

    def say(what: str, done: int | None = None) -> None:
        log.append(what)
        Load.objects.filter(pk=load.pk).update(steps_log=log)
        progress.step(what, done=done)

    say("Reading and checking the files", done=0)
    read = 0

    def on_source(path: Path, kind: str) -> None:
        nonlocal read
        read += 1
        what = _relative(path, root)
        what = "the uploaded CSV files" if what == LOOSE else what
        say(f"Read and checked {what} ({KIND_NAMES.get(kind, kind)})", done=read)
        if read == expected and not load.check_only:
            say("Merging into the store", done=read)

    try:
        report = ingest(store, sources, la_code=load.la_code or None, year=load.collection_year,
                        check=load.check_only, on_source=on_source, hold_back=load.hold_back)
    except IngestError as e:
        _save_problems(load, root, e.problems, held_back=False)
        say(f"Found {len(e.problems):,} problem{'s' if len(e.problems) != 1 else ''}: nothing was stored", done=read)
        raise
    held = [p for _, h in report.held_back for p in h.problems]
    _save_problems(load, root, held, held_back=True)
    outcome = {"sources": len(report.extracts), "children": report.children, "rows": report.rows,
               "tables": report.tables, "warnings": [in_web_words(w) for w in report.warnings],
               "notes": [_without_root(n, root) for n in report.notes],
               "held_back_children": len(report.held_back)}
    if load.check_only:
        Load.objects.filter(pk=load.pk).update(**outcome)
        say("Checked: nothing was stored (check only)", done=expected)
        return
    say("Merged into the store", done=expected + 1)
    after = _version(store)
    Load.objects.filter(pk=load.pk).update(store_version=after, **outcome)
    say(f"Published version {after} of the store", done=expected + 2)


def _save_problems(load: Load, root: Path, problems: list[Problem], *, held_back: bool) -> None:
    rows = [LoadProblem(load=load, position=n, file=_relative(Path(p.file), root) if p.file else "",
                        location=p.location or "", field=p.field or "", value=p.value,
                        expected=in_web_words(p.expected), child=p.child or "", held_back=held_back)
            for n, p in enumerate(problems)]
    LoadProblem.objects.bulk_create(rows, batch_size=500)
    Load.objects.filter(pk=load.pk).update(problem_count=len(rows))


def _relative(path: Path, root: Path) -> str:
    """A path as the analyst knows it: within the upload (``upload/episodes.csv``), never the server's folders."""
    try:
        return str(Path(path).resolve().relative_to(root.resolve())) or "(the upload)"
    except ValueError:
        return Path(path).name


def _without_root(text: str, root: Path) -> str:
    return in_web_words(text.replace(str(root.resolve()) + "/", "").replace(str(root) + "/", ""))


def in_web_words(text: str) -> str:
    """What ingest says for the command line (``--la``, ``--year``) in the words of the upload form."""
    return (text.replace("--la: ", "the Authority option: ").replace("--la ", "Authority ")
            .replace("--year", "the Collection year option"))


def failure_in_words(e: Exception) -> str | None:
    """Why a load failed, for the analyst; None for the unexpected (logged with its traceback)."""
    if isinstance(e, IngestError):
        n = len(e.problems)
        return f"{n:,} problem{'s' if n != 1 else ''} found in the files: nothing was stored"
    if isinstance(e, StoreError):
        return (f"The store could not be written, so nothing was stored: {e}. If another load is running, "
                "wait for it to finish and start this one again.")
    if isinstance(e, ImproperlyConfigured):
        return f"CareLens has no store to load into ({e})"
    if isinstance(e, OSError):
        return f"A file could not be read or written ({e.strerror or e}): nothing was stored"
    return None
