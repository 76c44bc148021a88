"""Reading a CIN census file into an XML document and checking it against its year's schema.

Before anything in the census is read, the file must be a regular file of a sensible size, well-formed XML
in the encoding it declares, with no DTD (how XML files attack readers), whose root is the ``Message`` the
DfE schemas declare; then the whole document is validated against the schema of the year its header
names (:func:`validate`), a batch of children at a time.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from lxml import etree

from carelens.ingest import formats
from carelens.ingest.cin_census.problems import Problems, line_of, short

MAX_FILE_BYTES = 1 << 30
"""Files larger than this (1 GiB; a census of 10,000 children is about 10 MB) are not read."""

_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def parse(path: Path, log: Problems):
    """The file parsed into an lxml tree, or None (with the problems in ``log``) when it is not a readable,
    well-formed XML document of a sensible size."""
    problem, size = formats.regular_file_problem(path)
    if problem:  # a FIFO would block, /dev/zero would fill the memory
        log.add(None, None, None, problem)
        return None
    if size > MAX_FILE_BYTES:
        log.add(None, None, f"{size:,} bytes", f"a file of at most {MAX_FILE_BYTES:,} bytes")
        return None
    try:
        data = path.read_bytes()
    except OSError as e:
        log.add(None, None, None, f"a readable file ({e.strerror or e})")
        return None
    if not data.strip():
        log.add(None, None, None, "a CIN census XML file (the file is empty)")
        return None
    if formats.declares_doctype(data):
        log.add(1, "DOCTYPE", None, formats.DOCTYPE_EXPECTED.format(what="CIN census"))
        return None
    try:
        return etree.parse(io.BytesIO(data), _parser())
    except etree.XMLSyntaxError as e:
        _syntax_problem(data, e, log)
        return None


def _syntax_problem(data: bytes, e: etree.XMLSyntaxError, log: Problems) -> None:
    """The problem a parser error means, worded for whoever saves the file: truncated, wrong encoding or
    malformed."""
    message = (e.msg or str(e)).strip()
    message = re.sub(r", line \d+, column \d+$", "", message).strip()
    line = e.lineno or 0
    m = _DECLARED_ENCODING.match(data[:500])
    declared = m[1].decode("ascii", "replace") if m else None
    if "Premature end of data" in message or "EndTag: '</' not found" in message:
        log.add(line, None, None, "a complete XML document: the file ends before every element is "
                     f"closed, so it looks truncated (the parser said: {short(message)})")
    elif "encoding" in message.lower() or "not proper UTF-8" in message:
        value, at = None, line
        if declared is None or declared.replace("-", "").lower() == "utf8":
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as u:
                value = " ".join(f"0x{b:02X}" for b in data[u.start:u.start + 4])
                at = data.count(b"\n", 0, u.start) + 1
        if "Unsupported encoding" in message:
            log.add(at, "encoding", declared, "an encoding the XML reader knows (UTF-8, windows-1252, "
                         "ISO-8859-1, UTF-16)")
        else:
            log.add(at, None, value, f"text in the encoding the XML declaration names "
                         f"({declared or 'none, so UTF-8'}); the bytes here are not valid in it — save the "
                         "file as UTF-8 or declare its real encoding (the parser said: "
                         f"{short(message)})")
    elif line <= 1 and declared is not None and declared.replace("-", "").lower() != "utf8":
        log.add(line, "encoding", declared, "well-formed XML whose declaration names the file's real "
                     f"encoding (the parser said: {short(message)})")
    else:
        log.add(line, None, None, f"well-formed XML (the parser said: {short(message)})")


def root_ok(tree, root, log: Problems) -> bool:
    """Whether the document is a CIN census message: no DTD, a root Message in no namespace."""
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        log.add(1, "DOCTYPE", short(tree.docinfo.doctype, 100),
                     formats.DOCTYPE_EXPECTED.format(what="CIN census"))
        return False
    tag = root.tag if isinstance(root.tag, str) else ""
    qname = etree.QName(root) if tag else None
    if qname is not None and qname.namespace:
        log.add(line_of(root), qname.localname, qname.namespace,
                     "a root element Message in no namespace (the DfE CIN census schemas declare no "
                     "namespace; remove the xmlns declaration)")
        return False
    if tag != "Message":
        log.add(line_of(root), "root element", tag or None,
                     "Message, the root element of a CIN census file (is this a CIN census return?)")
        return False
    return True


VALIDATION_BATCH = 200
"""Children validated against the schema at a time (see :func:`validate`)."""


def validate(schema: etree.XMLSchema, tree) -> tuple[bool, list]:
    """Whether the tree conforms to the schema, and every error (libxml2's log entries, in file order).

    The children are validated a batch at a time, each batch alone under the file's own root and header:
    libxml2 words each error with the element's path, which it finds by counting the element's preceding
    siblings, so among 10,000 children a file with thousands of problems took four times as long as a
    clean one (quadratic in the number of children). In batches the count never exceeds the batch. The
    CIN schemas have no constraint across children (no xs:unique or xs:key), so nothing is lost; an error
    outside the children (the header's) is reported by every batch and listed once.
    """
    children = tree.getroot().find("Children")
    kids = list(children) if children is not None else []
    if len(kids) <= VALIDATION_BATCH:
        valid = schema.validate(tree)
        return valid, list(schema.error_log)
    valid, errors, seen = True, [], set()
    # the elements are moved, not copied: each keeps its source line, which the errors give
    for kid in kids:
        children.remove(kid)
    try:
        for start in range(0, len(kids), VALIDATION_BATCH):
            batch = kids[start:start + VALIDATION_BATCH]
            children.extend(batch)
            if not schema.validate(tree):
                valid = False
                for error in schema.error_log:
                    if (key := (error.line, error.message)) not in seen:
                        seen.add(key)
                        errors.append(error)
            for kid in batch:
                children.remove(kid)
    finally:
        children.extend(kids)
    return valid, errors


def _parser() -> etree.XMLParser:
    # A new parser per file: lxml keeps a parser's error log across documents. No DTDs, no
    # entities, no network: a census file has none, and they are how XML files attack readers.
    return etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, load_dtd=False,
                           remove_comments=True, remove_pis=True)
