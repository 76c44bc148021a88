"""Year labels: DfE writes the same year many ways; figures are stored under one normalised label.

'2017-18' is a financial or reporting year (1 April 2017 to 31 March 2018); '2018' is a calendar
year, an academic year ending in 2018 or a census in 2018; a span such as '2014-16' is kept as
printed. ``year_ending`` is the calendar year in which the period ends, so figures of different
sources line up (LAIT's CIN '2018', the CIN census file's time_period 2018 and '2017-18' all end
in March 2018).
"""

from __future__ import annotations

import re

# LAIT suffixes: (OT) outturn, (Rev) revised, (Final), (prov) provisional. The published label keeps
# them; the normalised label does not, and LAIT never has two versions of one year for a measure.
_SUFFIX = re.compile(r"\s*\((?:OT|Rev|Final|prov|provisional|revised)\)\s*$", re.IGNORECASE)
_SINGLE = re.compile(r"^(\d{4})$")
_SPLIT = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2})$")
_SIX_DIGITS = re.compile(r"^(\d{4})(\d{2})$")  # explore-education-statistics: 201718
_LAIT_SPAN = re.compile(r"^\d{4}/\d{2}-(\d{2})/(\d{2})$")  # '2013/14-15/16': three financial years

# LAIT year types whose single-year label names the March in which the year ends.
_YEARS_ENDING_IN_MARCH = {"financial year", "annual"}


def _financial(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def normalise_lait_year(label: str, year_type: str | None) -> tuple[str, int | None]:
    """(normalised label, year ending) of a LAIT 'Years' value for a measure of this Year_Type."""
    text = _SUFFIX.sub("", label.strip())
    if m := _SINGLE.match(text):
        year = int(m.group(1))
        if year < 1900:  # LAIT writes '0' where a measure has no year
            return text, None
        if (year_type or "").strip().lower() in _YEARS_ENDING_IN_MARCH:
            return _financial(year - 1), year
        return text, year
    if m := _SPLIT.match(text):
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 == end:
            return _financial(start), start + 1
        # a span of calendar years such as '2014-16'
        ending = start - start % 100 + end + (100 if end < start % 100 else 0)
        return f"{start}-{end:02d}", ending
    if m := _LAIT_SPAN.match(text):
        return text, 2000 + int(m.group(2))
    return text, None


def normalise_ees_year(time_period: str, reporting_year_ends_in_march: bool) -> tuple[str, int | None]:
    """(normalised label, year ending) of an explore-education-statistics time_period.

    A four-digit 'Reporting year' of the CIN census or SSDA903 ends on 31 March (2018 = 2017-18);
    the workforce census is taken on 30 September, so its 2018 stays 2018.
    """
    text = time_period.strip()
    if m := _SINGLE.match(text):
        year = int(m.group(1))
        return (_financial(year - 1), year) if reporting_year_ends_in_march else (text, year)
    if m := _SIX_DIGITS.match(text):
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 == end:
            return _financial(start), start + 1
    return text, None
