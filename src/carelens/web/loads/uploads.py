"""An upload saved to the load's own folder, and the sources in it that ingest is to read.

The files go to ``settings.DATA / "uploads" / <load id>/``, under names CareLens makes from the browser's (its
last part only, a few safe characters): a file name from the browser is never a path (no ``../``, no folder,
no device name). How they are laid out decides what ingest reads them as (:func:`carelens.ingest.source_kind`
tells each by its content):

- ``upload/``: every uploaded file but the SSD tables, each handed to ingest on its own — the SSDA903 CSV files
  among them, being from one folder, are read together as one return (as ``carelens ingest folder/*.csv``
  does); an SSDA903 or CIN census XML file or an Annex A workbook is a source of its own.
- ``ssd/``: the Standard Safeguarding Dataset tables (``ssd_*.csv`` / ``.parquet``), one source: that dataset
  is a folder of tables.
- ``zip-N/``: what an uploaded zip file (not an Excel workbook, which is a zip file too) holds, its folders as
  they were (their names sanitised: an SSDA903 folder named ``ssda903_2024-25`` still says its year); files at
  the top of the zip go into a folder named after it. Each folder holding files is one source.

The size of the whole upload is limited (``settings.UPLOAD_LIMIT``): :class:`UploadLimit` stops reading the
request at the limit, and a zip file may not unzip to more than the limit either.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from carelens.ingest import formats

LOOSE, SSD = "upload", "ssd"
MAX_ZIP_MEMBERS = 2000  # an SSD extract is a few dozen tables; a few years of returns a few hundred files
MAX_DEPTH = 4  # folders within folders in a zip file
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}


class UploadRefused(Exception):
    """An upload that is not saved, with the words to show the analyst."""


def upload_folder(load_id: int) -> Path:
    return Path(settings.DATA) / "uploads" / str(load_id)


def in_megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def safe_name(name: str) -> str:
    """A file name made from ``name`` that is only a name: its last part (after any / or \\), a few characters
    (letters, digits, . _ - and spaces), no leading dot, not a device name, at most 120 characters."""
    last = re.split(r"[/\\]", name or "")[-1]
    cleaned = _UNSAFE.sub("_", last).strip(" .")
    cleaned = cleaned.lstrip(".-") or "file"
    if cleaned.split(".")[0].lower() in _RESERVED:
        cleaned = f"_{cleaned}"
    if len(cleaned) > 120:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = f"{stem[:100]}.{suffix[:15]}" if dot and len(suffix) <= 15 else cleaned[:120]
    return cleaned


def _free_name(folder: Path, name: str) -> Path:
    """``folder / name``, or ``name-2`` … when a file of that name is there already (two uploads of one name)."""
    path = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    return path


@dataclass(frozen=True)
class SavedFile:
    name: str  # as the browser (or the zip file) named it
    path: Path
    size: int
    sha256: str


@dataclass
class SavedUpload:
    """The files saved and the sources ingest is to read: files, and folders each read as one."""

    root: Path
    files: list[SavedFile]
    sources: list[Path]


def is_ssd_table(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("ssd_") and lowered.endswith((".csv", ".parquet"))


def save_upload(root: Path, uploaded: list) -> SavedUpload:
    """Save ``uploaded`` (Django's uploaded files) under ``root`` as the module says; UploadRefused if a zip
    file in it is not one to unzip. Each file's size and SHA-256 are taken as it is written."""
    root.mkdir(parents=True, exist_ok=True)
    files: list[SavedFile] = []
    sources: list[Path] = []
    ssd_folder = root / SSD
    for n, upload in enumerate(uploaded, start=1):
        name = safe_name(upload.name)
        folder = ssd_folder if is_ssd_table(name) else root / LOOSE
        folder.mkdir(exist_ok=True)
        saved = _write(_free_name(folder, name), upload.name, upload.chunks())
        if formats.identify(saved.path).kind != formats.WORKBOOK and zipfile.is_zipfile(saved.path):
            unzipped, folders = _unzip(saved.path, root / f"zip-{n}", Path(name).stem)
            saved.path.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()  # (it held only the zip file)
            files += unzipped
            sources += folders
        elif folder == ssd_folder:
            files.append(saved)
        else:
            files.append(saved)
            sources.append(saved.path)
    if ssd_folder.exists():
        sources.append(ssd_folder)
    if not sources:  # (a zip file of nothing but folders, or a Mac's leftovers): nothing to load
        raise UploadRefused("The upload holds no files to load: a zip file must hold the returns' files")
    return SavedUpload(root=root, files=files, sources=sources)


def _write(path: Path, name: str, chunks) -> SavedFile:
    digest, size = hashlib.sha256(), 0
    with path.open("xb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return SavedFile(name=name, path=path, size=size, sha256=digest.hexdigest())


def _unzip(archive: Path, into: Path, stem: str) -> tuple[list[SavedFile], list[Path]]:
    """Unzip ``archive`` into ``into`` (a member's path made of safe names; folders, links and hidden files
    left out): the files and the folders holding them. UploadRefused for a zip file that would unzip to more
    than the upload limit, holds too many files, or is encrypted or damaged."""
    limit = settings.UPLOAD_LIMIT
    try:
        with zipfile.ZipFile(archive) as z:
            members = [m for m in z.infolist() if _wanted(m)]
            if len(members) > MAX_ZIP_MEMBERS:
                raise UploadRefused(f"{archive.name} holds {len(members):,} files: a zip file may hold at most "
                                    f"{MAX_ZIP_MEMBERS:,}")
            if sum(m.file_size for m in members) > limit:
                raise UploadRefused(f"{archive.name} would unzip to more than {in_megabytes(limit)}, the most "
                                    "CareLens takes in one load")
            if any(m.flag_bits & 0x1 for m in members):
                raise UploadRefused(f"{archive.name} is encrypted: zip the files again without a password")
            files, folders, total = [], [], 0
            for m in members:
                parts = [safe_name(p) for p in re.split(r"[/\\]", m.filename) if p not in ("", ".", "..")]
                folder = into.joinpath(*parts[:-1][-MAX_DEPTH:]) if len(parts) > 1 else into / safe_name(stem)
                folder.mkdir(parents=True, exist_ok=True)
                with z.open(m) as member:
                    saved = _write(_free_name(folder, parts[-1]), m.filename, _capped(member, limit - total,
                                                                                      archive.name))
                total += saved.size
                files.append(saved)
                if folder not in folders:
                    folders.append(folder)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
        shutil.rmtree(into, ignore_errors=True)
        raise UploadRefused(f"{archive.name} is a zip file that cannot be unzipped ({e})") from None
    except UploadRefused:
        shutil.rmtree(into, ignore_errors=True)
        raise
    return files, folders


def _wanted(member: zipfile.ZipInfo) -> bool:
    """A regular file that is not a system's leftover (a Mac's __MACOSX folder, a hidden file, Thumbs.db)."""
    if member.is_dir() or stat.S_ISLNK(member.external_attr >> 16):
        return False
    parts = [p for p in re.split(r"[/\\]", member.filename) if p not in ("", ".", "..")]  # (as _unzip names it)
    return bool(parts) and not any(p.startswith(".") or p == "__MACOSX" for p in parts) \
        and parts[-1].lower() not in ("thumbs.db", "desktop.ini")


def _capped(stream, allowed: int, name: str):
    """The member's bytes, refused past ``allowed`` (a zip file may say less than it holds)."""
    read = 0
    while chunk := stream.read(1 << 20):
        read += len(chunk)
        if read > allowed:
            raise UploadRefused(f"{name} unzips to more than {in_megabytes(settings.UPLOAD_LIMIT)}, the most "
                                "CareLens takes in one load")
        yield chunk


class UploadLimit(FileUploadHandler):
    """Stops reading an upload once it is larger than ``settings.UPLOAD_LIMIT`` (the rest is read and thrown
    away, so the browser is answered with the page saying so) and marks the request ``upload_too_large``."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        request.upload_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # the form's own fields are a few hundred bytes: a body this much larger is refused before any file
        if content_length and content_length > settings.UPLOAD_LIMIT + 64 * 1024:
            self.request.upload_too_large = True

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.request.upload_too_large or self.received > settings.UPLOAD_LIMIT:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
