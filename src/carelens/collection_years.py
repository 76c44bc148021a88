"""The collection years CareLens reads and writes, declared once for every package.

Collection year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y``: 2025 is the 2024/25 return.
The SSDA903 and CIN census readers and writers, and the command line, all support the same
years, because CareLens ships the DfE specification (SSDA903) and schema (CIN census) of
each; adding a year means adding its specification and schema, then extending this range.
"""

from __future__ import annotations

COLLECTION_YEARS: tuple[int, ...] = tuple(range(2017, 2027))
"""Every supported collection year: 2017 (the 2016/17 return) to 2026 (2025/26)."""


def year_label(year: int) -> str:
    """The return's own name for collection ``year``: 2025 -> ``"2024/25"``."""
    return f"{year - 1}/{str(year)[2:]}"
