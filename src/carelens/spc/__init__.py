"""Statistical process control for indicator series: XmR (individuals) charts and their signals.

:func:`control_limits` gives a series' centre line and limits (or why there are none);
:func:`xmr_signals` the limits and, point by point, which of the three rules each point triggers, with
words for the narrative. The method and the rules: docs/report/spc.md. NumPy only — this package
imports no other part of CareLens.
"""

from carelens.spc.signals import RUN_LENGTH, TREND_LENGTH, Rule, Signals, ordinal, xmr_signals
from carelens.spc.xmr import D2, MINIMUM_POINTS, ControlLimits, control_limits

__all__ = ["D2", "MINIMUM_POINTS", "RUN_LENGTH", "TREND_LENGTH", "ControlLimits", "Rule", "Signals",
           "control_limits", "ordinal", "xmr_signals"]
