"""The data loads pages (docs/web/loads.md): an SSDA903 return uploaded in the browser is loaded into a copy of
the small store by the same atomic ingest as ``carelens ingest``, on a background thread; a return with problems
is refused whole with every problem listed; what is not a return, a file name that is a path, an upload too large
and a store in use are each answered in words, never with a traceback."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carelens.ingest import ingest
from carelens.model.store import Store
from carelens.model.store_writer import writer_lock
from carelens.returns.ssda903 import write_ssda903
from carelens.web.background import Status
from carelens.web.loads.models import Load, LoadProblem
from carelens.web.loads.uploads import safe_name

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.fixture(scope="module")
def return_folder(small_store_path, tmp_path_factory) -> Path:
    """The small store's 2024/25 SSDA903 return, as its CSV files."""
    folder = tmp_path_factory.mktemp("return") / "ssda903_2024-25"
    with Store(small_store_path, read_only=True) as store:
        write_ssda903(store, 2025, folder)
    return folder


@pytest.fixture()
def store(settings, small_store_path, tmp_path) -> Path:
    """A copy of the small store for the loads to write into, and a data folder of the test's own."""
    copy = tmp_path / "store" / "carelens.duckdb"
    copy.parent.mkdir()
    shutil.copy(small_store_path, copy)
    settings.STORE = str(copy)
    settings.DATA = tmp_path / "data"
    return copy


def version(path: Path) -> int:
    with Store(path, read_only=True) as s:
        return s.version.version


def files_of(folder: Path, change=None) -> list[SimpleUploadedFile]:
    """The return's files as the browser sends them; ``change(name, text)`` may alter one's text."""
    uploads = []
    for f in sorted(folder.iterdir()):
        text = f.read_text(encoding="utf-8")
        if change:
            text = change(f.name, text)
        uploads.append(SimpleUploadedFile(f.name, text.encode(), content_type="text/csv"))
    return uploads


def upload(client, files, **options):
    return client.post(reverse("loads:start"), {"files": files, **options})


def finished(response) -> Load:
    """The load the response redirected to, once its thread has finished."""
    assert response.status_code == 303, response.content[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    for thread in threading.enumerate():
        if thread.name == f"Load-{pk}":
            thread.join(timeout=60)
    load = Load.objects.get(pk=pk)
    assert load.finished, load.status
    return load


def bad_date(name: str, text: str) -> str:
    """The first episode's DECOM (09/01/2023 in this return) made 31/13/2024: a month that does not exist."""
    if name != "episodes.csv":
        return text
    lines = text.splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    column = header.index("DECOM")
    assert first[column] == "09/01/2023" and first[0] == "8900000003"
    first[column] = "31/13/2024"
    lines[1] = ",".join(first)
    return "\n".join(lines) + "\n"


@pytest.mark.django_db(transaction=True)
def test_a_good_return_is_loaded_as_the_stores_next_version(client_as, store, return_folder):
    assert version(store) == 1
    client = client_as("analyst")
    load = finished(upload(client, files_of(return_folder)))
    assert load.shown_status() is Status.DONE, load.failure
    # the children: every CHILD of the return's header table (294, counted from the CSV file itself)
    with (return_folder / "header.csv").open(encoding="utf-8") as f:
        children = {row["CHILD"] for row in csv.DictReader(f)}
    assert load.children == len(children) == 294
    assert load.rows == ingest(store, sorted(return_folder.iterdir()), check=True).rows
    assert (load.store_version_before, load.store_version) == (1, 2)
    assert version(store) == 2
    assert load.sources == 1 and load.problem_count == 0
    assert load.tables["person"] > 0 and load.tables["looked_after_episodes"] > 0
    assert "upload: ad1.csv is empty (no rows)" in load.notes  # the return's empty tables, said as ingest says
    assert load.steps_log == ["Reading and checking the files", "Read and checked the uploaded CSV files (SSDA903 "
                              "return)", "Merging into the store", "Merged into the store",
                              "Published version 2 of the store"]
    assert load.percent_done == 100
    # each file as uploaded: its name, size and SHA-256, read as a table of an SSDA903 return
    files = {f.name: f for f in load.files.all()}
    assert sorted(files) == sorted(p.name for p in return_folder.iterdir())
    episodes = (return_folder / "episodes.csv").read_bytes()
    assert files["episodes.csv"].size == len(episodes)
    assert files["episodes.csv"].sha256 == hashlib.sha256(episodes).hexdigest()
    assert files["episodes.csv"].saved_as == "upload/episodes.csv"
    assert {f.kind for f in files.values()} == {"ssda903"}
    assert (Path(store.parent.parent) / "data" / "uploads" / str(load.pk) / "upload" / "episodes.csv").read_bytes() \
        == episodes

    page = client.get(reverse("loads:load", args=[load.pk]))
    text = page.content.decode()
    assert "Loaded into version 2 of the store" in text and "govuk-error-summary" not in text
    assert "hx-get" not in text  # finished: nothing polls
    # the history: who, when, what, rows, the version
    history = client.get(reverse("loads:index")).content.decode()
    row = history.split(f'id="load-{load.pk}"')[1].split("</tr>")[0]
    assert "analyst" in row and "SSDA903 return" in row and "Loaded" in row
    assert f"{load.rows:,}" in row and ">294<" in row and ">2<" in row
    assert load.requested_at.astimezone().strftime("%Y") in row


@pytest.mark.django_db(transaction=True)
def test_a_return_with_a_bad_date_is_refused_whole_with_the_problem_shown(client_as, store, return_folder):
    client = client_as("analyst")
    load = finished(upload(client, files_of(return_folder, bad_date)))
    assert load.shown_status() is Status.FAILED
    assert load.failure == "1 problem found in the files: nothing was stored"
    assert version(store) == 1  # nothing stored
    assert load.store_version is None
    assert load.steps_log[-1] == "Found 1 problem: nothing was stored"
    [problem] = LoadProblem.objects.filter(load=load)
    # hand-checked: the first data row of episodes.csv is its row 2, and 31/13/2024 has no 13th month
    assert (problem.file, problem.location, problem.field, problem.value, problem.expected, problem.child) == (
        "upload/episodes.csv", "row 2", "DECOM", "31/13/2024", "a real date written DD/MM/YYYY", "8900000003")

    page = client.get(reverse("loads:load", args=[load.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "govuk-error-summary" in text and "Problems found: nothing was stored" in text
    table = text.split('id="problems-table"')[1].split("</table>")[0]
    for shown in ("upload/episodes.csv", "row 2", "DECOM", "31/13/2024", "a real date written DD/MM/YYYY",
                  "8900000003"):
        assert shown in table

    download = client.get(reverse("loads:problems-csv", args=[load.pk]))
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows == [["file", "where", "field", "value", "expected", "child", "held_back"],
                    ["upload/episodes.csv", "row 2", "DECOM", "31/13/2024", "a real date written DD/MM/YYYY",
                     "8900000003", "no"]]


@pytest.mark.django_db(transaction=True)
def test_every_problem_is_kept_and_shown_a_page_at_a_time(client_as, store, return_folder):
    def every_date_bad(name: str, text: str) -> str:
        if name != "episodes.csv":
            return text
        lines = text.splitlines()
        column = lines[0].split(",").index("DECOM")
        rows = [line.split(",") for line in lines[1:]]
        for r in rows:
            r[column] = "someday"
        return "\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n"

    client = client_as("analyst")
    load = finished(upload(client, files_of(return_folder, every_date_bad)))
    episodes = len((return_folder / "episodes.csv").read_text().splitlines()) - 1  # 403 episodes
    decom = LoadProblem.objects.filter(load=load, field="DECOM", value="someday")
    assert decom.count() == episodes == 403
    assert load.problem_count == LoadProblem.objects.filter(load=load).count() >= episodes
    assert version(store) == 1
    first = client.get(reverse("loads:load", args=[load.pk])).content.decode()
    assert f"page 1 of {-(-load.problem_count // 100)}" in first and 'rel="next"' in first
    last = client.get(reverse("loads:load", args=[load.pk]), {"page": -(-load.problem_count // 100)})
    assert last.status_code == 200 and 'rel="prev"' in last.content.decode()
    assert client.get(reverse("loads:load", args=[load.pk]), {"page": 999}).status_code == 404
    download = client.get(reverse("loads:problems-csv", args=[load.pk])).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(download)))) == load.problem_count + 1


@pytest.mark.django_db(transaction=True)
def test_a_file_that_is_no_return_is_named_as_such(client_as, store):
    client = client_as("analyst")
    load = finished(upload(client, [SimpleUploadedFile("photo.png", PNG, content_type="image/png")]))
    assert load.shown_status() is Status.FAILED
    [problem] = load.problems.all()
    assert (problem.file, problem.location, problem.expected) == (
        "upload/photo.png", "", "text or XML (this file holds binary data)")
    assert [f.kind_name for f in load.files.all()] == ["Not recognised"]
    assert version(store) == 1
    text = client.get(reverse("loads:load", args=[load.pk])).content.decode()
    assert "text or XML (this file holds binary data)" in text and "the whole file" in text

    # text that is no table of a return: its first row is said to be the columns of none
    load = finished(upload(client, [SimpleUploadedFile("notes.txt", b"hello world\nrandom text\n")]))
    [problem] = load.problems.all()
    assert (problem.file, problem.location, problem.value) == ("upload/notes.txt", "row 1", "HELLO WORLD")
    assert problem.expected.startswith("the columns of an SSDA903 table")


def test_a_browsers_file_name_is_only_ever_a_name():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\windows\\system32\\evil.csv") == "evil.csv"
    assert safe_name("/absolute/header.csv") == "header.csv"
    assert safe_name("..") == "file" and safe_name("") == "file" and safe_name("...") == "file"
    assert safe_name(".htaccess") == "htaccess"
    assert safe_name("CON.csv") == "_CON.csv"
    assert safe_name("épisodes <2025>|*.csv") == "_pisodes _2025_.csv"
    assert safe_name("a" * 300 + ".csv") == "a" * 100 + ".csv"


@pytest.mark.django_db(transaction=True)
def test_a_path_in_a_file_name_or_a_zip_member_stays_in_the_loads_folder(client_as, store, settings, tmp_path):
    client = client_as("analyst")
    name = "../../../" + "escaped.csv"
    load = finished(upload(client, [SimpleUploadedFile(name, b"hello\n")]))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../zip-escaped.csv", "hello\n")
        z.writestr("/etc/zip-absolute.csv", "hello\n")
    archive.seek(0)
    zipped = finished(upload(client, [SimpleUploadedFile("bundle.zip", archive.read())]))
    everything = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
                        and ("escaped" in p.name or "absolute" in p.name))
    # a member at the top of the zip file goes in a folder named after it; ".." and "/" are no part of a path
    assert everything == [f"data/uploads/{load.pk}/upload/escaped.csv",
                          f"data/uploads/{zipped.pk}/zip-1/bundle/zip-escaped.csv",
                          f"data/uploads/{zipped.pk}/zip-1/etc/zip-absolute.csv"]
    assert [f.saved_as for f in load.files.all()] == ["upload/escaped.csv"]
    assert version(store) == 1


@pytest.mark.django_db(transaction=True)
def test_a_zip_file_of_a_return_folder_is_read_as_that_return(client_as, store, return_folder):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(return_folder.iterdir()):
            z.write(f, f"ssda903_2024-25/{f.name}")
        z.writestr("__MACOSX/ssda903_2024-25/._header.csv", "junk")
    client = client_as("analyst")
    load = finished(upload(client, [SimpleUploadedFile("returns.zip", archive.getvalue())], check_only="on"))
    assert load.shown_status() is Status.DONE, [str(p.expected) for p in load.problems.all()]
    assert load.check_only and load.children == 294 and load.store_version is None
    assert version(store) == 1  # only checked
    assert sorted(f.saved_as for f in load.files.all()) == sorted(
        f"zip-1/ssda903_2024-25/{f.name}" for f in return_folder.iterdir())
    assert load.steps_log[-1] == "Checked: nothing was stored (check only)"
    assert "Checked: no problems found" in client.get(reverse("loads:load", args=[load.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_upload_over_the_limit_is_refused_and_not_kept(client_as, store, settings):
    settings.UPLOAD_LIMIT = 1024 * 1024  # 1 MB
    client = client_as("analyst")
    response = upload(client, [SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024))])
    assert response.status_code == 413
    text = response.content.decode()
    assert "govuk-error-summary" in text and "The files are larger than 1 MB" in text
    assert Load.objects.count() == 0
    assert not (Path(settings.DATA) / "uploads").exists()


@pytest.mark.django_db(transaction=True)
def test_a_store_in_use_by_another_load_is_said_in_words(client_as, store, return_folder):
    client = client_as("analyst")
    with writer_lock(store):  # another load holds the store's writer lock
        load = finished(upload(client, files_of(return_folder)))
    assert load.shown_status() is Status.FAILED
    assert load.failure.startswith("The store could not be written, so nothing was stored: ")
    assert f"store in use by process {os.getpid()}" in load.failure
    assert version(store) == 1
    text = client.get(reverse("loads:load", args=[load.pk])).content.decode()
    assert "store in use by process" in text and "Traceback" not in text


@pytest.mark.django_db
def test_a_post_without_files_shows_the_form_again_with_the_error(client_as, store):
    response = client_as("analyst").post(reverse("loads:start"), {"collection_year": "twenty", "la_code": "89"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert '<a href="#id_files">Choose the files to load</a>' in text
    assert "Enter the collection year as 4 digits, for example 2025" in text
    assert "Enter the authority as its 3-digit DfE number, for example 890" in text
    assert Load.objects.count() == 0


@pytest.mark.django_db
def test_the_progress_of_a_running_load_is_asked_for_again_and_a_finished_one_refreshes_the_page(client_as, users,
                                                                                               store):
    running = Load.objects.create(requested_by=users["analyst"], status=Status.RUNNING, process=os.getpid(),
                                  steps_total=4, steps_done=1, step="Read and checked the uploaded CSV files",
                                  steps_log=["Reading and checking the files"])
    client = client_as("analyst")
    page = client.get(reverse("loads:load", args=[running.pk])).content.decode()
    assert f'hx-get="{reverse("loads:progress", args=[running.pk])}"' in page and 'hx-trigger="every 2s"' in page
    assert 'id="check-progress"' in page  # without JavaScript: a link that asks for the page again
    fragment = client.get(reverse("loads:progress", args=[running.pk]), HTTP_HX_REQUEST="true")
    assert 'value="25"' in fragment.content.decode() and "HX-Refresh" not in fragment
    assert "25% done: Read and checked the uploaded CSV files" in fragment.content.decode()

    Load.objects.filter(pk=running.pk).update(status=Status.DONE, steps_done=4)
    fragment = client.get(reverse("loads:progress", args=[running.pk]), HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"

    # a load whose process has gone (a restart) is shown interrupted
    gone = Load.objects.create(requested_by=users["analyst"], status=Status.RUNNING, process=2 ** 22 + 12345)
    text = client.get(reverse("loads:load", args=[gone.pk])).content.decode()
    assert "This load was interrupted" in text and "hx-get" not in text


@pytest.mark.django_db(transaction=True)
def test_holding_back_loads_the_return_without_the_child_with_a_problem(client_as, store, return_folder):
    client = client_as("analyst")
    load = finished(upload(client, files_of(return_folder, bad_date), hold_back="on"))
    assert load.shown_status() is Status.DONE, load.failure
    assert load.held_back_children == 1 and load.store_version == 2 and version(store) == 2
    assert load.children == 293  # the return's 294 but the one held back
    [problem] = load.problems.all()
    assert (problem.child, problem.field, problem.value, problem.held_back) == ("8900000003", "DECOM", "31/13/2024",
                                                                                True)
    text = client.get(reverse("loads:load", args=[load.pk])).content.decode()
    assert "Problems of the children held back" in text and "Children held back" in text
    with Store(store, read_only=True) as s:
        assert s.sql("select count(*) from held_back_children where child_id = '8900000003'") == [(1,)]


@pytest.mark.django_db
def test_more_files_than_django_takes_is_a_bad_request(client_as, store):
    files = [SimpleUploadedFile(f"t{n}.csv", b"a\n") for n in range(101)]
    assert upload(client_as("analyst"), files).status_code == 400
    assert Load.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_zip_file_with_nothing_to_load_is_refused(client_as, store, settings):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("__MACOSX/._header.csv", "junk")
        z.writestr("folder/", "")
    response = upload(client_as("analyst"), [SimpleUploadedFile("empty.zip", archive.getvalue())])
    assert response.status_code == 200
    assert "The upload holds no files to load" in response.content.decode()
    assert Load.objects.count() == 0 and not any((Path(settings.DATA) / "uploads").iterdir())
    assert version(store) == 1
