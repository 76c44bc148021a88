"""Free text as councils write it, turned into the DfE codes of a store code list.

    from carelens.ingest.coded_text import Coding, lookup, texts, ethnicity_code
    SEX = Coding("sex", texts(("Male", "M"), ("Female", "F")), use_codes=False)
    lookup(SEX, "a) Male", 2025)            # ("M", "exact")
    ethnicity_code("White - British")      # "WBRI"

Two readers take coded columns as text rather than as codes: the Annex A workbook
(:mod:`carelens.ingest.annex_a`, whose template writes "a) Male", "d) Emotional Abuse",
"N4 - Family in acute stress") and the Standard Safeguarding Dataset
(:mod:`carelens.ingest.ssd`, whose systems write "Neglect", "Former Relevant"). Both
compare texts the same way (:func:`text_key`: case, accents, punctuation and the
template's "a)" letter ignored), map them through a :class:`Coding` (exact texts, the
older template's group texts, a code written in the value, the code list's own labels),
check the code is valid in the record's collection year, and read ethnicity the same way
(:func:`ethnicity_code`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from carelens.model import code_lists


def text_key(value: str) -> str:
    """How template texts are compared: case, accents, punctuation and the "a)" letter ignored."""
    s = unicodedata.normalize("NFKC", value).replace("’", "'").replace("‘", "'")
    s = s.strip().lower()
    s = re.sub(r"^[a-z]{1,2}\d?\)\s*", "", s)  # the template's "a) ", "p1) ", "zz) "
    s = s.replace("'", "").replace("&", " and ").replace("+", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def strip_letter(value: str) -> str:
    """The value without the template's "a) " letter."""
    return re.sub(r"^\s*[A-Za-z]{1,2}\d?\)\s*", "", value)


def leading_code(value: str, codes: set[str]) -> str | None:
    """A code of the list at the start of the value ("N4 - …", "J1: …") or in brackets ("… [WBRI]")."""
    s = strip_letter(unicodedata.normalize("NFKC", value)).strip()
    m = re.match(r"[\(\[]?\s*([A-Za-z0-9]+)\s*(?:[\)\]:\-–.,]|\s|$)", s)
    if m and m.group(1).upper() in codes:
        return m.group(1).upper()
    for inner in re.findall(r"[\[\(]\s*([A-Za-z0-9]+)\s*[\]\)]", s):
        if inner.upper() in codes:
            return inner.upper()
    return None


_ALL_CODES: dict[str, set[str]] = {}


def codes_of(list_name: str) -> set[str]:
    """Every code a code list has had."""
    if list_name not in _ALL_CODES:
        _ALL_CODES[list_name] = {e.code for e in code_lists.code_list(list_name).entries}
    return _ALL_CODES[list_name]


def labels_of(list_name: str) -> dict[str, str]:
    """Every label a code list has had, as a text key, → its code."""
    out = {}
    for e in code_lists.code_list(list_name).entries:
        for label in (e.label, *(lbl for _, lbl in e.earlier_labels)):
            out.setdefault(text_key(label), e.code)
    return out


def clamp_year(year: int) -> int:
    """The year, within the years the code lists cover."""
    return min(max(year, code_lists.FIRST_YEAR), code_lists.LAST_YEAR)


NOT_GIVEN = ""  # a text that says "no value" (e.g. "i) Not Stated" closure reason)
SKIP_ROW = "-"  # a text that says the row is out of scope (e.g. care leaver "d) Exclude")


def texts(*pairs: tuple[str, str | tuple[str, ...]],
          written: dict[str, str] | None = None) -> dict[str, str | tuple[str, ...]]:
    """A table of texts → codes, keyed by :func:`text_key`.

    ``written``, when given, records each text as first written there (text key → text), for
    :meth:`Coding.expected` to show the texts as the tables write them rather than as keys.
    """
    if written is not None:
        for k, _ in pairs:
            written.setdefault(text_key(k), k)
    return {text_key(k): v for k, v in pairs}


@dataclass(frozen=True)
class Coding:
    """How one column's texts become codes of a store code list.

    ``text`` maps exact meanings; ``group`` maps the older Annex A template's group values to
    the group's catch-all code (stored, and counted in the notes as approximations). A tuple
    of codes means "the first one valid in the record's collection year". ``written`` gives
    the texts as written (see :func:`texts`) for :meth:`expected`.
    """

    code_list: str | None
    text: dict[str, str | tuple[str, ...]]
    group: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    use_codes: bool = True  # accept a code of the list written in the value
    use_labels: bool = True  # accept the code list's own labels
    written: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def expected(self) -> str:
        """What a value must be, in a problem's words: the first twelve texts, as written."""
        shown = [self.written.get(k, k) for k in [*self.text, *self.group] if k][:12]
        what = f"a {self.code_list} code or " if self.code_list and self.use_codes else ""
        return f"{what}one of the Annex A values ({', '.join(shown)}{', …' if len(shown) >= 12 else ''})"


def lookup(coding: Coding, value: str, year: int) -> tuple[str | None, str]:
    """(code, how) with how one of exact, group, none (a "no value" text), skip, unknown, invalid_year."""
    key = text_key(value)
    hit, how = None, "unknown"
    if key in coding.text:
        hit, how = coding.text[key], "exact"
    elif key in coding.group:
        hit, how = coding.group[key], "group"
    elif coding.code_list and coding.use_codes and (code := leading_code(value, codes_of(coding.code_list))):
        hit, how = code, "exact"
    elif coding.code_list and coding.use_labels and key in labels_of(coding.code_list):
        hit, how = labels_of(coding.code_list)[key], "exact"
    if hit is None:
        return None, how
    if hit == NOT_GIVEN:
        return None, "none"
    if hit == SKIP_ROW:
        return None, "skip"
    candidates = hit if isinstance(hit, tuple) else (hit,)
    if coding.code_list is None:
        return candidates[0], how
    cl = code_lists.code_list(coding.code_list)
    for c in candidates:
        if cl.is_valid(c, clamp_year(year)):
            return c, how
    return candidates[0], "invalid_year"


# ----------------------------------------------------------------------------- ethnicity

# DfE main ethnicity codes by group. A text is matched as "<group word> <member>" or, where
# the member alone is unambiguous, as the member alone ("White - British", "British",
# "Mixed: White and Asian", "Asian or Asian British - Indian"). A bare group ("White",
# "Mixed", "Asian") names no single code and is a problem.
_ETHNIC_GROUPS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "white": (("white",), {
        "british": "WBRI", "english": "WBRI", "scottish": "WBRI", "welsh": "WBRI", "northern irish": "WBRI",
        "english welsh scottish northern irish british": "WBRI", "irish": "WIRI",
        "traveller of irish heritage": "WIRT", "irish traveller": "WIRT", "gypsy roma": "WROM",
        "gypsy romany": "WROM", "gypsy": "WROM", "roma": "WROM", "gypsy or roma": "WROM",
        "any other white background": "WOTH", "other white background": "WOTH", "other": "WOTH",
        "any other": "WOTH", "any other background": "WOTH",
    }),
    "mixed": (("mixed", "mixed multiple ethnic groups", "mixed multiple", "mixed dual heritage", "dual heritage"), {
        "white and black caribbean": "MWBC", "white and black african": "MWBA", "white and asian": "MWAS",
        "any other mixed background": "MOTH", "other mixed background": "MOTH", "other": "MOTH",
        "any other": "MOTH", "any other background": "MOTH",
        "any other mixed multiple ethnic background": "MOTH",
    }),
    "asian": (("asian", "asian or asian british", "asian british"), {
        "indian": "AIND", "pakistani": "APKN", "bangladeshi": "ABAN", "any other asian background": "AOTH",
        "other asian background": "AOTH", "other": "AOTH", "any other": "AOTH", "any other background": "AOTH",
    }),
    "black": (("black", "black or black british", "black british", "black african caribbean or black british"), {
        "caribbean": "BCRB", "african": "BAFR", "any other black background": "BOTH",
        "other black background": "BOTH", "other": "BOTH", "any other": "BOTH", "any other background": "BOTH",
    }),
    "other": (("other ethnic group", "other ethnic groups", "chinese or other ethnic group"), {
        "chinese": "CHNE", "any other ethnic group": "OOTH", "any other group": "OOTH", "arab": "OOTH",
        "any other ethnic background": "OOTH", "other": "OOTH", "any other": "OOTH",
    }),
}
# members that name one code without their group word
_ETHNIC_ALONE = {
    "british", "english", "scottish", "welsh", "irish", "traveller of irish heritage", "gypsy roma",
    "gypsy romany", "gypsy", "roma", "any other white background", "white and black caribbean",
    "white and black african", "white and asian", "any other mixed background", "indian", "pakistani",
    "bangladeshi", "any other asian background", "caribbean", "african", "any other black background",
    "chinese", "any other ethnic group", "arab",
}
_ETHNIC_NOT_STATED = {
    "refused": "REFU", "refu": "REFU", "refused to provide": "REFU", "declined": "REFU",
    "declined to say": "REFU", "prefer not to say": "REFU", "information not yet obtained": "NOBT",
    "not yet obtained": "NOBT", "information not obtained": "NOBT", "not obtained": "NOBT",
    "not known": "NOBT", "unknown": "NOBT", "not stated": "NOBT", "not recorded": "NOBT",
    "information not yet available": "NOBT",
}
ETHNICITY_TEXT: dict[str, str] = dict(_ETHNIC_NOT_STATED)
for _prefixes, _members in _ETHNIC_GROUPS.values():
    for _member, _code in _members.items():
        for _prefix in _prefixes:
            ETHNICITY_TEXT.setdefault(f"{_prefix} {_member}", _code)
        if _member in _ETHNIC_ALONE:
            ETHNICITY_TEXT.setdefault(_member, _code)
ETHNICITY_TEXT["white other"] = "WOTH"
for _entry in code_lists.code_list("ethnicity").entries:
    ETHNICITY_TEXT.setdefault(text_key(_entry.label), _entry.code)
ETHNICITY_SYNONYMS = {"CNHE": "CHNE"}  # the SSD specification's spelling of CHNE


def ethnicity_code(value: str) -> str | None:
    """The DfE ethnicity code a text names ("WBRI", "a) WBRI", "White - British", "WBRI - White British")."""
    codes = codes_of("ethnicity")
    s = unicodedata.normalize("NFKC", value)
    for token in re.findall(r"[A-Za-z]+", strip_letter(s)):
        up = ETHNICITY_SYNONYMS.get(token.upper(), token.upper())
        if up in codes and (up != "BOTH" or token == "BOTH"):  # "both" is also an English word
            return up
    return ETHNICITY_TEXT.get(text_key(s))

