"""The analyst's edits to the drafted narrative: a YAML file keyed by section and measure, laid over the drafts.

Every run writes the drafts it made as ``LA-YYYY-MM-AUDIENCE-narrative.yaml`` beside the report, each with the
fingerprint of the numbers it was drafted from. The analyst copies the paragraphs to change into an edits file, rewrites
their text, and passes it back with ``--narrative FILE``::

    cp_plans:
      C8:
        text: >
          **Children subject to a child protection plan** rose again, to 429 …
        drafted_from: 3f9a1c2e4b7d     # the fingerprint the draft had; keep it

An edit replaces its draft in every later report — until the numbers change: when a later draft's
fingerprint differs from ``drafted_from``, the edit is still used but marked *stale* (the report flags it,
internally, for the analyst to check it against the new figures). An edit for a paragraph the report does
not have is an error that names it and the keys there are, not silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from carelens.report.document import Paragraph


class EditsError(ValueError):
    """An edits file that cannot be used, said in one line with the file and what was expected."""


@dataclass(frozen=True)
class Edit:
    key: str  # "<section>/<measure>"
    text: str
    drafted_from: str | None  # the fingerprint of the draft it replaces


def read_edits(path: Path) -> dict[str, Edit]:
    """The edits in ``path`` by paragraph key."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise EditsError(f"{path}: cannot read the narrative edits file ({e.strerror})") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise EditsError(f"{path}: not valid YAML{where}: expected sections of measures, each with a text") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise EditsError(f"{path}: expected a mapping of report sections (e.g. cp_plans:), found "
                         f"{type(loaded).__name__}")
    edits = {}
    for section, measures in loaded.items():
        if not isinstance(measures, dict):
            raise EditsError(f"{path}: section {section!r}: expected a mapping of measures (e.g. C8:)")
        for measure, entry in measures.items():
            key = f"{section}/{measure}"
            if isinstance(entry, str):
                entry = {"text": entry}
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not entry["text"].strip():
                raise EditsError(f"{path}: {key}: expected a text (and drafted_from, the draft's fingerprint)")
            drafted_from = entry.get("drafted_from")
            edits[key] = Edit(key, " ".join(entry["text"].split()),
                              None if drafted_from is None else str(drafted_from))
    return edits


def apply_edits(paragraphs: Iterable[Paragraph], edits: dict[str, Edit], path: Path | None = None
                ) -> list[Paragraph]:
    """The paragraphs with each edit in place of its draft, marked edited, and stale when the draft's numbers
    are not those the edit was written against. An edit for no paragraph is an :class:`EditsError`."""
    paragraphs = list(paragraphs)
    keys = {p.key for p in paragraphs}
    unknown = sorted(set(edits) - keys)
    if unknown:
        raise EditsError(f"{path or 'narrative edits'}: no paragraph {', '.join(unknown)} in this report; its "
                         f"paragraphs are {', '.join(sorted(keys))}")
    out = []
    for p in paragraphs:
        edit = edits.get(p.key)
        if edit is None:
            out.append(p)
        else:
            stale = edit.drafted_from is not None and edit.drafted_from != p.fingerprint
            out.append(replace(p, text=edit.text, edited=True, stale=stale))
    return out


def drafts_file(paragraphs: Iterable[Paragraph]) -> str:
    """The drafts as an edits file: what ``…-narrative.yaml`` holds, to copy from."""
    by_section: dict[str, dict[str, dict]] = {}
    for p in paragraphs:
        section, measure = p.key.split("/", 1)
        by_section.setdefault(section, {})[measure] = {"text": p.text, "drafted_from": p.fingerprint}
    header = ("# The drafted narrative of this report. To change a paragraph, copy it (with its section)\n"
              "# into an edits file, rewrite its text and pass the file back: carelens report --narrative FILE.\n"
              "# Keep drafted_from: when the figures change, the edit is flagged for you to check.\n")
    return header + yaml.safe_dump(by_section, sort_keys=False, allow_unicode=True, width=100)


def check_for_publication(paragraphs: Iterable[Paragraph], threshold: int, path: Path | None = None) -> None:
    """A published report takes an edit only when it was written against the figures it now sits beside and
    states no count below the threshold (an analyst's sentence is not seen by disclosure control): otherwise
    :class:`EditsError`, naming the paragraph."""
    import re

    where = path or "narrative edits"
    for p in paragraphs:
        if not p.edited:
            continue
        if p.stale:
            raise EditsError(f"{where}: {p.key} was written against figures that have since changed; check it "
                             "against this month's draft (the run's -narrative.yaml) before publishing it")
        for token in re.findall(r"(?<![\d.,])\d+(?![\d.,]*\d)", p.plain()):
            if 0 < int(token) < threshold:
                raise EditsError(f"{where}: {p.key} states {token}, a count below the publication threshold "
                                 f"({threshold}): write \"fewer than {threshold}\" or leave the number out")
