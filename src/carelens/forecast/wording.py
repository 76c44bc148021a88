"""How the forecast's figures are written for people: money in pounds (£29.85m, £412k), signed differences with
a true minus sign — the command's tables and the web app's say them alike."""

from __future__ import annotations


def money(value: float) -> str:
    """Pounds, to the nearest £10,000 as millions from £1m, to the nearest £1,000 from £1,000; a minus sign for a
    saving."""
    sign = "−" if value < -0.5 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}£{value / 1e6:,.2f}m"
    if value >= 1e3:
        return f"{sign}£{value / 1e3:,.0f}k"
    return f"{sign}£{value:,.0f}"


def number(value: float, decimals: int = 0, signed: bool = False) -> str:
    """A figure with thousands separators; ``signed``: with + or − (and never "−0")."""
    value = round(value, decimals) + 0.0  # no "−0.0"
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    return text.replace("-", "−")
