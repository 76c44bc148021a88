"""The median and the 50/80/95% intervals of a quantity over the runs of a projection, the way every forecast
output states them.

Quantiles are taken as :meth:`.simulate.Projection.summary` takes them (``np.quantile(..., method=
"inverted_cdf")``: each end is a value one of the runs had, not an interpolation between two), so a spend or an
FTE interval sits beside the children's on the same footing. The mean is given too: means add up across budget
lines and years (a service's budget is the sum of its lines' expected costs), medians do not.
"""

from __future__ import annotations

import numpy as np

from carelens.forecast.simulate import QUANTILES

QUANTILE_LABELS: tuple[str, ...] = ("lower_95", "lower_80", "lower_50", "median", "upper_50", "upper_80", "upper_95")
"""The columns of :data:`.simulate.QUANTILES`, in its order."""
SUMMARY_COLUMNS: tuple[str, ...] = ("mean", *QUANTILE_LABELS)


def summarised(values: np.ndarray) -> dict[str, np.ndarray]:
    """The mean and the quantiles of ``values`` (runs, …) over its first axis: each of the shape of the rest."""
    values = np.asarray(values, dtype=float)
    q = np.quantile(values, QUANTILES, axis=0, method="inverted_cdf")
    return {"mean": values.mean(0), **dict(zip(QUANTILE_LABELS, q, strict=True))}
