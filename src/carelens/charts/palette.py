"""The colours charts are drawn in: the GOV.UK palette, and the WCAG contrast check they must pass.

WCAG 2.2 success criterion 1.4.11 (non-text contrast) asks that the graphical objects needed to read a
chart — its lines, bars and marks — have a contrast ratio of at least 3:1 against the colours next to
them; here that is the white background. Text (1.4.3) needs 4.5:1. Several GOV.UK colours (yellow,
orange, light pink, mid grey) are lighter than 3:1 allows, so charts use only the colours named below,
each checked by :func:`contrast_ratio` in the tests, and never distinguish two series by colour alone:
a different dash or shape goes with each colour.
"""

from __future__ import annotations

# the GOV.UK Frontend colour palette (hex), all of it, so the reasons for leaving colours out are visible
GOVUK = {
    "blue": "#1d70b8", "dark-blue": "#003078", "red": "#d4351c", "green": "#00703c", "purple": "#4c2c92",
    "bright-purple": "#912b88", "pink": "#d53880", "light-purple": "#6f72af", "brown": "#b58840",
    "turquoise": "#28a197", "light-green": "#85994b", "orange": "#f47738", "yellow": "#ffdd00",
    "light-pink": "#f499be", "black": "#0b0c0c", "dark-grey": "#505a5f", "mid-grey": "#b1b4b6",
    "light-grey": "#f3f2f1", "white": "#ffffff",
}

BACKGROUND = GOVUK["white"]
TEXT = GOVUK["black"]  # titles, axis labels and titles, legend text, value labels
SECONDARY_TEXT = GOVUK["dark-grey"]  # subtitles; axis lines and ticks
SERIES = GOVUK["blue"]  # the measure itself: a trend's line and points, a breakdown's bars
SIGNAL = GOVUK["red"]  # a point that signals special-cause variation (drawn as a diamond, too)
CENTRE_LINE = GOVUK["dark-grey"]  # the SPC average
CONTROL_LIMIT = GOVUK["dark-grey"]  # the SPC limits (dashed differently from the average)
COMPARISON = GOVUK["dark-grey"]  # what a measure is set against: the population in a representation chart
# benchmark lines, in the order they are given (neighbour median, region, England …)
BENCHMARKS = (GOVUK["bright-purple"], GOVUK["green"], GOVUK["brown"], GOVUK["dark-blue"])

# a forecast: the actual history before it, the median line, and the intervals as nested bands (fan.py). The bands'
# fills are tints of blue, lighter than 3:1 on purpose — a band dark enough to pass would hide the lines over it —
# so what 1.4.11 asks of them is carried by their edges, drawn in dark blue (at least 5.9:1 against every tint and
# the white); the fills only help the eye group the edges. Widest interval first.
ACTUAL = GOVUK["black"]
MEDIAN = GOVUK["dark-blue"]
BAND_EDGE = GOVUK["dark-blue"]
BAND_SHARES = {95: 0.15, 80: 0.3, 50: 0.5}  # how much of the blue each interval's tint holds
# baseline and scenarios compared: each its median line and its interval's edges in its own colour (and dash). The
# intervals overlap, so each is a see-through wash of its colour; faint enough that every line keeps 3:1 where all
# four washes lie on each other (3.35 for the green; brown, 3.2 on white, would not, so purple is the fourth)
SCENARIOS = (GOVUK["dark-blue"], GOVUK["bright-purple"], GOVUK["green"], GOVUK["purple"])
SCENARIO_BAND_OPACITY = 0.1

MINIMUM_GRAPHICS_CONTRAST = 3.0  # WCAG 2.2 SC 1.4.11
MINIMUM_TEXT_CONTRAST = 4.5  # WCAG 2.2 SC 1.4.3


def _channel(value: int) -> float:
    """An sRGB channel (0–255) made linear, as WCAG's relative luminance defines it."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` or ``#rgb`` colour: 0 for black, 1 for white."""
    hex_ = colour.strip().lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    if len(hex_) != 6:
        raise ValueError(f"colour {colour!r}: expected #rrggbb or #rgb")
    r, g, b = (int(hex_[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def tint(colour: str, share: float) -> str:
    """``colour`` mixed with white: ``share`` of the colour (1 is the colour, 0 white), as ``#rrggbb``."""
    hex_ = colour.strip().lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    channels = (int(hex_[i:i + 2], 16) for i in (0, 2, 4))
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in channels)


def contrast_ratio(foreground: str, background: str = BACKGROUND) -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05) of two colours, the lighter over the darker: 1 to 21."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


# each interval's fill: #ddeaf4 (95%), #bbd4ea (80%), #8eb8dc (50%)
BAND_TINTS = {level: tint(SERIES, share) for level, share in BAND_SHARES.items()}
