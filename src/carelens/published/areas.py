"""Geography codes: England, the nine English regions (and London's inner and outer halves), and
authorities by their 3-digit DfE number.

Figures name England and regions by ONS code so LAIT (which numbers them 970, 980–990) and
explore-education-statistics files (which give E12… codes) agree.
"""

from __future__ import annotations

ENGLAND = "E92000001"

# ONS codes of the regions, with the names DfE files use for them (lower-cased to match loosely).
REGION_CODES: dict[str, str] = {
    "north east": "E12000001",
    "north west": "E12000002",
    "yorkshire and the humber": "E12000003",
    "east midlands": "E12000004",
    "west midlands": "E12000005",
    "east of england": "E12000006",
    "london": "E12000007",
    "south east": "E12000008",
    "south west": "E12000009",
    # ONS's statistical areas for the two halves of London (LAIT reports them as regions)
    "inner london": "E13000001",
    "london (inner)": "E13000001",
    "outer london": "E13000002",
    "london (outer)": "E13000002",
}

REGION_NAMES: dict[str, str] = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
    "E13000001": "Inner London", "E13000002": "Outer London",
}

# LAIT's 'LA Number' for England and regional rows.
LAIT_ENGLAND_NUMBER = 970
LAIT_REGION_NUMBERS: dict[int, str] = {
    980: "E12000001", 981: "E12000002", 982: "E12000003", 983: "E12000004", 984: "E12000005",
    985: "E12000006", 986: "E12000007", 987: "E13000001", 988: "E13000002", 989: "E12000008",
    990: "E12000009",
}


def region_code(name: str | None) -> str | None:
    """ONS code of a region named as DfE names it ('Yorkshire and the Humber', 'London (Inner)')."""
    if name is None:
        return None
    return REGION_CODES.get(" ".join(name.split()).lower())


def la_code(number) -> str | None:
    """The 3-digit authority number as text ('890'), from '890', 890 or 890.0; None if not one."""
    if number is None:
        return None
    text = str(number).strip()
    text = text.removesuffix(".0")
    return text.zfill(3) if text.isdigit() and 1 <= len(text) <= 3 else None
