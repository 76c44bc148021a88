"""The census's code lists by year: which codes are valid, and what to say about one that is not."""

from __future__ import annotations

from functools import cache

from carelens.model import code_lists

FIRST_SEX_YEAR = 2025  # GenderCurrent (1, 2, 0, 9) until 2024; Sex (M, F, U) from 2025
GENDER_CURRENT = {"1": "M", "2": "F", "0": "U", "9": "U"}  # 0 not recorded or unborn, 9 indeterminate


@cache
def valid_codes(list_name: str, year: int) -> frozenset[str]:
    return frozenset(code_lists.codes(list_name, year))


@cache
def code_expectation(list_name: str, code: str, year: int) -> str:
    valid = list(code_lists.codes(list_name, year))
    shown = ", ".join(valid[:60]) + (", …" if len(valid) > 60 else "")
    return f"a code valid in {year} ({list_name}: {shown}){code_years(list_name, code, year)}"


def code_years(list_name: str, code: str, year: int) -> str:
    """"; 5D is valid only from 2023" when ``code`` belongs to the list in other years, else ""."""
    try:
        entry = code_lists.code_list(list_name).entry(code)
    except KeyError:
        return ""
    if entry.valid_from > year:
        return f"; {code} is valid only from {entry.valid_from}"
    if entry.last_year < year:
        return f"; {code} was last valid in {entry.last_year}"
    return ""
