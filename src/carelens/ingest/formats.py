"""What a file is, from what it holds: its first 4 KB, never its name, never the whole file.

Councils rename files, save XML as ``.txt``, drop a workbook into the folder of a return and
keep returns of several kinds in one folder. Every reader is therefore handed files by
:func:`identify`, which looks at content only:

* **XML** by its root element (and namespace): ``Message`` is a CIN census, ``EXPSSDA903`` (or a
  root whose first element is ``CHILD``) an SSDA903 return. The prolog is read with a small
  scanner over the first 4 KB, so no entity is ever expanded and no DTD loaded to find it; a
  DOCTYPE is noted, and every XML reader refuses it (:data:`DOCTYPE_EXPECTED`).
* **A workbook** by the zip signature ``PK\\x03\\x04`` and a ``xl/workbook.xml`` member, whose sheet
  names are read from it. A zip file that would unzip to more than :data:`MAX_WORKBOOK_INFLATED` is
  not a workbook a council wrote (a zip bomb), and is refused from its directory, before anything is
  unzipped. The legacy ``.xls`` (OLE2) signature and OpenDocument spreadsheets are recognised too.
* **A CSV file** is whatever else is text: its header line is handed back for the readers that
  recognise tables by their columns.

Only regular files are read: a FIFO would block the reader for ever, and ``/dev/zero`` (behind a
symlink named ``episodes.csv``) would fill the memory. Those, and files that cannot be opened,
are named as such.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

HEAD_BYTES = 4096
"""How much of a file is read to tell what it is."""
MAX_WORKBOOK_PART = 16 << 20
"""Largest ``xl/workbook.xml`` read for its sheet names (a real one is a few KB)."""
MAX_WORKBOOK_INFLATED = 200 << 20
"""Largest workbook, unzipped, that is read (an Annex A workbook is a few MB): a zip bomb declares
gigabytes, which the workbook reader would inflate into memory."""

DOCTYPE_EXPECTED = ("no DOCTYPE declaration ({what} files have none, and CareLens does not read DTDs or "
                    "entities, so a value that used one would be lost)")
"""What every XML reader says of a DOCTYPE; ``{what}`` is the kind of file it reads."""

# kinds
CIN_CENSUS_XML = "cin_census_xml"
SSDA903_XML = "ssda903_xml"
OTHER_XML = "other_xml"  # well-formed enough to have a root, but of no kind CareLens reads
WORKBOOK = "workbook"  # an Excel workbook (sheets listed in ``sheets``)
CSV = "csv"  # text that is not XML
EMPTY = "empty"  # no bytes, or white space only
UNREADABLE = "unreadable"  # cannot or must not be read: ``expected`` says why


@dataclass(frozen=True)
class Identified:
    """What one file holds, as far as its first bytes tell."""

    path: Path
    kind: str
    expected: str | None = None  # for UNREADABLE: what the file should have been, as a problem's "expected"
    root: str | None = None  # XML: the root element's local name, as written
    namespace: str | None = None  # XML: the root element's namespace, if any
    doctype: bool = False  # XML: a DOCTYPE declaration in the prolog
    sheets: tuple[str, ...] = field(default=())  # workbook: its sheet names
    header: str | None = None  # CSV: the first line (decoded as UTF-8 or Windows-1252, at most 4 KB)
    encoding: str | None = None  # text: "utf-16" when the bytes are UTF-16 (a CSV reader refuses it)
    size: int = 0

    @property
    def is_xml(self) -> bool:
        return self.kind in (CIN_CENSUS_XML, SSDA903_XML, OTHER_XML)


def describe_mode(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def regular_file_problem(path: Path) -> tuple[str | None, int]:
    """(None, size) for a regular file (symlinks followed), else (the problem's "expected", 0).

    Checked on the file's status before it is opened: opening a FIFO blocks until a writer comes.
    """
    try:
        st = os.stat(path)  # follows symlinks: /dev/zero behind episodes.csv is a device
    except OSError as e:
        return f"a readable file ({e.strerror or e})", 0
    if not stat.S_ISREG(st.st_mode):
        target = os.path.realpath(path)
        shown = f" {target}" if target != os.path.abspath(path) else ""
        return (f"a regular file (this is {describe_mode(st.st_mode)}{shown}, which CareLens does not read)",
                0)
    return None, st.st_size


def read_head(path: Path, limit: int = HEAD_BYTES) -> bytes:
    """The first ``limit`` bytes of a regular file (raises OSError)."""
    with open(path, "rb") as f:
        return f.read(limit)


def identify(path: str | Path) -> Identified:
    """What ``path`` holds, from its first 4 KB (and, for a zip file, its list of members)."""
    path = Path(path)
    problem, size = regular_file_problem(path)
    if problem:
        return Identified(path, UNREADABLE, problem)
    try:
        head = read_head(path)
    except OSError as e:
        return Identified(path, UNREADABLE, f"a readable file ({e.strerror or e})")
    if not head.strip():
        if size <= len(head):
            return Identified(path, EMPTY, size=size)
        return Identified(path, CSV, header="", size=size)  # 4 KB of blank lines, then text: the CSV reader says
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip(path, size)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: a legacy .xls workbook
        return Identified(path, WORKBOOK, size=size)
    text, encoding = _text(head)
    if text is None:
        return Identified(path, UNREADABLE, "text or XML (this file holds binary data)", size=size)
    if text.lstrip().startswith("<"):
        return _xml(path, text, size)
    first = text.splitlines()[0] if text.splitlines() else ""
    return Identified(path, CSV, header=first, encoding=encoding, size=size)


def declares_doctype(head: bytes) -> bool:
    """Whether XML whose first bytes are ``head`` declares a DOCTYPE before its root element.

    Asked before parsing: libxml2 refuses an entity bomb with its own words ("Maximum entity
    amplification factor exceeded"), which would hide that the DOCTYPE is the problem.
    """
    text, _ = _text(head[:HEAD_BYTES])
    return bool(text) and text.lstrip().startswith("<") and _xml(Path(), text, 0).doctype


def _text(head: bytes) -> tuple[str | None, str | None]:
    """The first bytes as text, and "utf-16" when they are UTF-16 (by a byte-order mark, or XML's "<" as
    UTF-16), or (None, None) for binary data. A character cut at the 4 KB boundary does not matter."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[2:].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", errors="replace"), "utf-16"
    if b"\x00" in head:
        if head.startswith((b"<\x00", b"\x00<")):
            return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="replace"), "utf-16"
        return None, None
    return head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace"), None


# the XML prolog, item by item: declaration and processing instructions, comments, DOCTYPE, white space
_PI = re.compile(r"<\?.*?\?>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_START = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_XMLNS = re.compile(r"""\bxmlns(?::([\w.\-]+))?\s*=\s*["']([^"']*)["']""")
_CHILD = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")


def _xml(path: Path, text: str, size: int) -> Identified:
    """An XML file by its root element (and, when the root is unknown, its first child element)."""
    at, doctype = 0, False
    text = text.lstrip()
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if text.startswith("<?", at):
            m = _PI.match(text, at)
        elif text.startswith("<!--", at):
            m = _COMMENT.match(text, at)
        elif _DOCTYPE.match(text, at):
            doctype = True
            end = _doctype_end(text, at)
            if end is None:  # an internal subset longer than 4 KB: the root is beyond what is read
                return Identified(path, OTHER_XML, doctype=True, size=size)
            at = end
            continue
        else:
            break
        if m is None:
            return Identified(path, OTHER_XML, doctype=doctype, size=size)
        at = m.end()
    m = _START.match(text, at)
    if m is None:
        return Identified(path, OTHER_XML, doctype=doctype, size=size)
    qname, attributes = m[1], m[2]
    prefix, _, local = qname.rpartition(":")
    spaces = {p or "": uri for p, uri in _XMLNS.findall(attributes)}
    namespace = spaces.get(prefix) or None
    kind = OTHER_XML
    if local.lower() == "message":
        kind = CIN_CENSUS_XML
    elif local.upper() == "EXPSSDA903":
        kind = SSDA903_XML
    else:
        rest = _COMMENT.sub("", text[m.end():])
        child = _CHILD.search(rest)
        if child and child[1].rpartition(":")[2].upper() == "CHILD":
            kind = SSDA903_XML
    return Identified(path, kind, root=local, namespace=namespace, doctype=doctype, size=size)


def _doctype_end(text: str, at: int) -> int | None:
    """Where a DOCTYPE declaration that starts at ``at`` ends (after its internal subset), or None."""
    depth, quote = 0, None
    for i in range(at + 2, len(text)):
        c = text[i]
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == ">" and depth <= 0:
            return i + 1
    return None


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname\s*=\s*\"([^\"]*)\"")


def _zip(path: Path, size: int) -> Identified:
    """A zip file: an Excel workbook when it holds ``xl/workbook.xml`` (its sheet names listed), else not."""
    not_workbook = "a readable Excel workbook"
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
            names = {i.filename.lower(): i for i in members}
            inflated = sum(i.file_size for i in members)
            part = names.get("xl/workbook.xml") or names.get("xl/workbook.bin")
            if inflated > MAX_WORKBOOK_INFLATED:
                return Identified(path, UNREADABLE, f"{not_workbook} of at most {MAX_WORKBOOK_INFLATED:,} "
                                  f"bytes unzipped (this one would be {inflated:,})", size=size)
            if part is None and "content.xml" in names and "mimetype" in names:
                return Identified(path, WORKBOOK, size=size)  # an OpenDocument spreadsheet (.ods)
            if part is None:
                return Identified(path, UNREADABLE, f"{not_workbook} (this is a zip file without a workbook in "
                                  "it)", size=size)
            if part.filename.lower().endswith(".bin"):  # .xlsb: binary sheet list
                return Identified(path, WORKBOOK, size=size)
            if part.file_size > MAX_WORKBOOK_PART:
                return Identified(path, UNREADABLE, f"{not_workbook} (its workbook part would be "
                                  f"{part.file_size:,} bytes)", size=size)
            with z.open(part) as f:
                data = f.read(MAX_WORKBOOK_PART + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError, zlib.error):
        # (the zip library's own words would only puzzle: "Bad magic number for central directory")
        return Identified(path, UNREADABLE, f"{not_workbook} (this one is damaged or incomplete)", size=size)
    import html

    sheets = tuple(html.unescape(n.decode("utf-8", "replace")) for n in _SHEET.findall(data))
    return Identified(path, WORKBOOK, sheets=sheets, size=size)


def kind_in_words(found: Identified) -> str:
    """What a file was found to be, for a problem saying it is not what was expected there."""
    if found.kind == CIN_CENSUS_XML:
        return "a CIN census XML file"
    if found.kind == SSDA903_XML:
        return "an SSDA903 XML file"
    if found.kind == OTHER_XML:
        return f"an XML file with root element {found.root}" if found.root else "an XML file"
    if found.kind == WORKBOOK:
        return "an Excel workbook"
    if found.kind == EMPTY:
        return "an empty file"
    if found.kind == CSV:
        return "a CSV (text) file"
    return "a file CareLens cannot read"
