"""Per-layer estimates with intervals, from per-trial measurements.

Each quantity is measured once per independent initialization (trial), so
its mean over trials has a Student-t interval
(:func:`initcheck.claims.measure.t_interval`). Ratios between layers (to the
reference layer, or to the neighbouring layer: the per-layer factor) are
taken within each trial first, then averaged: for a linear network, and for
ReLU with symmetric weights, the expectation of the within-trial ratio is
exactly the product of the mean-field factors, at any width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..claims.measure import t_interval

__all__ = ["Estimate", "estimate", "ratio_estimate"]


@dataclass(frozen=True)
class Estimate:
    """A mean over trials with its interval.

    Attributes:
        value: the mean over trials (``inf`` if a trial overflowed, ``nan`` if undefined).
        low: the interval's lower end (``nan`` when some trial is not finite).
        high: the interval's upper end.
    """

    value: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval (False without one)."""
        return bool(self.low <= x <= self.high)

    def to_dict(self) -> dict[str, object]:
        """``{"value": ..., "ci": [low, high]}``."""
        return {"value": self.value, "ci": [self.low, self.high]}

    def __str__(self) -> str:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return f"{self.value:.4g}"
        return f"{self.value:.4g} [{self.low:.4g}, {self.high:.4g}]"


def estimate(values: np.ndarray, alpha: float, *, nonnegative: bool = True) -> Estimate:
    """Mean of per-trial ``values`` with its two-sided (1 − alpha) t interval.

    For a non-negative quantity (a mean square, a ratio of them) the interval
    is cut at 0, which keeps its coverage.

    >>> e = estimate(np.array([1.0, 2.0, 3.0]), 0.05, nonnegative=False)
    >>> e.value, round(e.low, 3), round(e.high, 3)
    (2.0, -0.484, 4.484)
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    with np.errstate(all="ignore"):
        mean = float(np.mean(v))
    if not np.all(np.isfinite(v)):
        return Estimate(mean, math.nan, math.nan)
    if np.all(v == v[0]):
        return Estimate(float(v[0]), float(v[0]), float(v[0]))
    _, lo, hi = t_interval(v, alpha)
    return Estimate(mean, max(lo, 0.0) if nonnegative else lo, hi)


def ratio_estimate(numerator: np.ndarray, denominator: np.ndarray, alpha: float) -> Estimate:
    """:func:`estimate` of the within-trial ratio ``numerator / denominator`` (0/0 is nan)."""
    with np.errstate(all="ignore"):
        ratio = np.asarray(numerator, dtype=np.float64) / np.asarray(denominator, dtype=np.float64)
    return estimate(ratio, alpha)
