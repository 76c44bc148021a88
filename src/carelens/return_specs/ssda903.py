"""The DfE SSDA903 (children looked after) specification: the tables, columns and code lists.

Collection year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y``. The return is a set of CSV
files, one per DfE table, with the column names, column order and code lists of the DfE
specification for that year (``SSDA903_schema_2017.yml`` and its yearly diffs, restated in
:data:`_BASE_SPEC` and :func:`table_spec`). The writer (:mod:`carelens.returns.ssda903`) writes
these columns and checks its output against them; the reader (:mod:`carelens.ingest.ssda903`)
reads a return by them. Both take them from here so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from carelens.collection_years import COLLECTION_YEARS

FIRST_SW_YEAR = 2024
"""The first collection year with a social worker table (``sw_episodes.csv``)."""

# ----------------------------------------------------------------------------- the DfE spec
# The tables of the return: our name -> (DfE table name in the spec, CSV file name). Not every
# year has every table: see :func:`files` and :func:`table_spec`.
FILES: dict[str, tuple[str, str]] = {
    "header": ("header", "header.csv"),
    "episodes": ("episodes", "episodes.csv"),
    "uasc": ("uasc", "uasc.csv"),
    "reviews": ("reviews", "reviews.csv"),
    "oc2": ("oc2", "oc2.csv"),
    "oc3": ("oc3", "oc3.csv"),
    "ad1": ("ad1", "ad1.csv"),
    "placed_adoption": ("placed_adoption", "placed_for_adoption.csv"),
    "prev_perm": ("prev_perm", "previous_permanence.csv"),
    "missing": ("missing", "missing.csv"),
    "social_worker": ("social_worker", "sw_episodes.csv"),
}


@dataclass(frozen=True)
class Col:
    """One column of a DfE table: name, kind, allowed codes (for ``code``), may it be blank."""

    name: str
    kind: str  # id | date | code | int | text
    codes: tuple[str, ...] | None = None
    blank: bool = False


def _codes(s: str) -> tuple[str, ...]:
    return tuple(s.split())


_ETHNIC = _codes(
    "WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH "
    "CHNE OOTH REFU NOBT"
)
_BIN = _codes("0 1")
_SEX_NUMERIC = _codes("1 2")
_SEX_LETTER = _codes("M F U")
_PLACE_2017 = _codes(
    "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1"
)
_PLACE_2025 = _codes(
    "A3 A4 A5 A6 K1 K2 K3 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1"
)
_PLACE_2026 = _PLACE_2025 + _codes("Z11 Z12 Z13 Z14")
_REC_2017 = _codes(
    "X1 E11 E12 E2 E3 E4A E4B E13 E41 E43 E44 E5 E6 E7 E9 E14 E15 E16 E17 E8"
)
_REC_2019 = _codes(
    "X1 E11 E12 E2 E3 E4A E4B E13 E41 E45 E46 E47 E48 E5 E6 E7 E9 E14 E15 E16 E17 E8"
)
_RPC_2017 = _codes("CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE OTHER")
_RPC_2019 = _codes("CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER")
_ACTIV_2017 = _codes("F1 P1 F2 P2 F3 P3 G4 G5 G6 0")
_ACTIV_2022 = _codes("F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0")
_ACCOM = _codes(
    "B1 B2 C1 C2 D1 D2 E1 E2 G1 G2 H1 H2 K1 K2 R1 R2 S1 S2 T1 T2 U1 U2 V1 V2 W1 W2 X1 X2 "
    "Y1 Y2 Z1 Z2 0"
)
_SW_REASON = _codes("MANAGE FCONTA LEFTRL ORGRST TSPROC ABSENC CHCHAN PCCHAN SWDIED OTHERS")

# SSDA903_schema_2017.yml with the 2019 and 2022 diffs applied (REC, REASON_PLACE_CHANGE, ACTIV);
# table_spec() puts back the earlier lists for the years before those diffs.
_BASE_SPEC: dict[str, tuple[Col, ...]] = {
    "header": (
        Col("CHILD", "id"),
        Col("SEX", "code", _SEX_NUMERIC),
        Col("DOB", "date"),
        Col("ETHNIC", "code", _ETHNIC),
        Col("UPN", "text"),
        Col("MOTHER", "code", _BIN, True),
        Col("MC_DOB", "date", blank=True),
    ),
    "episodes": (
        Col("CHILD", "id"),
        Col("DECOM", "date"),
        Col("RNE", "code", _codes("S L P T B U")),
        Col("LS", "code", _codes("C1 C2 D1 E1 V2 V3 V4 L1 L2 L3 J1 J2 J3")),
        Col("CIN", "code", _codes("N1 N2 N3 N4 N5 N6 N7 N8")),
        Col("PLACE", "code", _PLACE_2017),
        Col("PLACE_PROVIDER", "code", _codes("PR0 PR1 PR2 PR3 PR4 PR5"), True),
        Col("DEC", "date", blank=True),
        Col("REC", "code", _REC_2019, True),
        Col("REASON_PLACE_CHANGE", "code", _RPC_2019, True),
        Col("HOME_POST", "text", blank=True),
        Col("PL_POST", "text", blank=True),
        Col("URN", "text", blank=True),
    ),
    "uasc": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("SEX", "code", _SEX_NUMERIC),
        Col("DUC", "date", blank=True),
    ),
    "reviews": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("REVIEW", "date"),
        Col("REVIEW_CODE", "code", _codes("PN0 PN1 PN2 PN3 PN4 PN5 PN6 PN7")),
    ),
    "oc2": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("SDQ_SCORE", "int", blank=True),
        Col("SDQ_REASON", "code", _codes("SDQ1 SDQ2 SDQ3 SDQ4 SDQ5"), True),
        *(
            Col(c, "code", _BIN, True)
            for c in (
                "CONVICTED",
                "HEALTH_CHECK",
                "IMMUNISATIONS",
                "TEETH_CHECK",
                "HEALTH_ASSESSMENT",
                "SUBSTANCE_MISUSE",
                "INTERVENTION_RECEIVED",
                "INTERVENTION_OFFERED",
            )
        ),
    ),
    "oc3": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("IN_TOUCH", "code", _codes("YES NO DIED REFU NREQ RHOM")),
        Col("ACTIV", "code", _ACTIV_2022),
        Col("ACCOM", "code", _ACCOM),
    ),
    "ad1": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("DATE_INT", "date"),
        Col("DATE_MATCH", "date"),
        Col("FOSTER_CARE", "code", _BIN),
        Col("NB_ADOPTR", "int"),
        Col("SEX_ADOPTR", "code", _codes("M1 F1 MM FF MF")),
        Col("LS_ADOPTR", "code", _codes("L0 L11 L12 L2 L3 L4")),
    ),
    "placed_adoption": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("DATE_PLACED", "date"),
        Col("DATE_PLACED_CEASED", "date", blank=True),
        Col("REASON_PLACED_CEASED", "code", _codes("RD1 RD2 RD3 RD4"), True),
    ),
    "prev_perm": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("PREV_PERM", "code", _codes("P1 P2 P3 P4 Z1")),
        Col("LA_PERM", "text", blank=True),
        Col("DATE_PERM", "date", blank=True),
    ),  # DD/MM/YYYY, or ZZ for the parts not known
    "missing": (
        Col("CHILD", "id"),
        Col("DOB", "date"),
        Col("MISSING", "code", _codes("M A")),
        Col("MIS_START", "date"),
        Col("MIS_END", "date", blank=True),
    ),
}


def table_spec(year: int) -> dict[str, tuple[Col, ...]]:
    """The DfE column specification of every table of the return for collection ``year``.

    The 2017 specification with the yearly diffs: 2019 changes the REC codes (E43/E44 out,
    E45-E48 in) and adds the placement change reason CUSTOD; 2022 changes the OC3 activity
    codes (F3/P3 out, F4/P4/F5/P5 in); 2024 adds the social worker table; 2025 changes SEX
    to M/F/U (header and uasc) and the placement types (H5 and P2 out, K3 in); 2026 adds
    Z11-Z14. Only the tables the year has are returned.
    """
    check_year(year)
    spec = {name: list(cols) for name, cols in _BASE_SPEC.items()}
    if year >= FIRST_SW_YEAR:
        spec["social_worker"] = [
            Col("CHILD", "id"),
            Col("DOB", "date"),
            Col("SW_ID", "id"),
            Col("SW_DECOM", "date"),
            Col("SW_DEC", "date", blank=True),
            Col("SW_REASON", "code", _SW_REASON, True),
        ]

    def replace(table: str, col: Col) -> None:
        spec[table] = [col if c.name == col.name else c for c in spec[table]]

    if year < 2019:
        replace("episodes", Col("REC", "code", _REC_2017, True))
        replace("episodes", Col("REASON_PLACE_CHANGE", "code", _RPC_2017, True))
    if year < 2022:
        replace("oc3", Col("ACTIV", "code", _ACTIV_2017))
    if year >= 2025:
        replace("header", Col("SEX", "code", _SEX_LETTER))
        replace("uasc", Col("SEX", "code", _SEX_LETTER))
        replace("episodes", Col("PLACE", "code", _PLACE_2025))
    if year >= 2026:
        replace("episodes", Col("PLACE", "code", _PLACE_2026))
    return {name: tuple(cols) for name, cols in spec.items()}


def files(year: int) -> dict[str, str]:
    """The tables of the return for ``year``: our table name -> CSV file name, in file order.

    Every year has ten files; from 2024 there is also ``sw_episodes.csv``.
    """
    spec = table_spec(year)
    return {t: FILES[t][1] for t in FILES if t in spec}


def columns(year: int) -> dict[str, list[str]]:
    """Column names, in order, of each file of the return for ``year`` (keyed by file name)."""
    spec = table_spec(year)
    return {FILES[t][1]: [c.name for c in spec[t]] for t in FILES if t in spec}


def check_year(year: int) -> None:
    """Raise ``ValueError`` unless CareLens has the specification of collection ``year``."""
    if year not in COLLECTION_YEARS:
        raise ValueError(
            f"SSDA903 collection year {year} is not supported; supported years: "
            f"{', '.join(map(str, COLLECTION_YEARS))}"
        )
