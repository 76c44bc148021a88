"""The codes the 903 derivation turns on, and the recoding of store codes for a collection year.

The store keeps each code as it was recorded (the code valid when the event happened, or the
newest one); :func:`year_recoding` says which of them a year's code lists spell differently.
"""

from __future__ import annotations

from carelens.return_specs.ssda903 import check_year

SHORT_BREAK = ("V3", "V4")  # legal statuses of short-break (respite) care
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")  # temporary placements
Z_OTHER = ("Z11", "Z12", "Z13", "Z14")  # the 2025/26 sub-codes of 'other placement' (Z1)
ADOPTED = ("E11", "E12")  # reasons an episode ceased that are an adoption


def year_recoding(year: int) -> dict[str, dict[str, str]]:
    """Store code -> code of the ``year`` list, by 903 column, for the codes the year spells
    differently.

    Only recodings that keep the meaning are made: the same thing under another code, or a
    newer, finer code written as the broader code it was split from. A code with no such
    equivalent in the year (P2 from 2025, E43/E44 from 2019, F3/P3 from 2022, SEX U before
    2025) is left as it is, and the specification check reports it.

    * PLACE: from 28 October 2023 supported accommodation is Ofsted-registered; the returns
      up to 2023/24 call it H5, from 2024/25 it is K3 (the same placement, so the episode is
      not split). The 2025/26 sub-codes Z11-Z14 of 'other placement' are Z1 before 2026.
    * REC (before 2019): special guardianship to former foster carers, E45 (relatives or
      friends) and E46 (others), was E43; to other carers, E47 and E48, was E44.
    * REASON_PLACE_CHANGE (before 2019): CUSTOD (child admitted to custody) was OTHER.
    * ACTIV (before 2022): apprenticeships (F4/P4) and other training or employment
      (F5/P5) were F3/P3 (full- or part-time training or employment).
    """
    check_year(year)
    z_other = {z: "Z1" for z in Z_OTHER}
    out: dict[str, dict[str, str]] = {}
    if year <= 2024:
        out["PLACE"] = {"K3": "H5", **z_other}
    elif year == 2025:
        out["PLACE"] = {"H5": "K3", **z_other}
    else:
        out["PLACE"] = {"H5": "K3"}
    if year < 2019:
        out["REC"] = {"E45": "E43", "E46": "E43", "E47": "E44", "E48": "E44"}
        out["REASON_PLACE_CHANGE"] = {"CUSTOD": "OTHER"}
    if year < 2022:
        out["ACTIV"] = {"F4": "F3", "F5": "F3", "P4": "P3", "P5": "P3"}
    return out
