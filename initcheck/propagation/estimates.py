"""Per-layer estimates with intervals, from per-trial measurements.

Each quantity is measured once per independent initialization (trial), so
its mean over trials has a Student-t interval
(:func:`initcheck.stats.intervals.t_interval`). Ratios between layers (to the
reference layer, or to the neighbouring layer: the per-layer factor) are
taken within each trial, then summarized two ways:

* the **mean** over trials, ``E[r]``: for a linear network, and for ReLU with
  symmetric weights, it is exactly the product of the mean-field factors at
  any width, so it is what the theory is compared with;
* the **typical** value ``exp E[ln r]`` (the geometric mean over trials), with
  a t interval on the log scale. A ratio across many layers is a product of
  many random factors: its logarithm is close to normal, so this interval is
  well calibrated, while the mean of a heavy-tailed product is dominated by
  rare networks. The typical value is what one network, drawn your way, does;
  it falls below the mean by the finite-width drift (:mod:`.drift`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..stats.intervals import t_interval

__all__ = ["Estimate", "estimate", "ratio_estimate"]


@dataclass(frozen=True)
class Estimate:
    """A mean over trials with its interval, and for ratios the typical value with its own.

    Attributes:
        value: the mean over trials (``inf`` if a trial overflowed, ``nan`` if undefined).
        low: the interval's lower end (``nan`` when some trial is not finite).
        high: the interval's upper end.
        typical: ``exp(mean of ln r)`` over trials (``nan`` where not computed; 0
            or ``inf`` when a trial's ratio is 0 or infinite).
        typical_low: the typical value's interval, lower end.
        typical_high: upper end.
    """

    value: float
    low: float
    high: float
    typical: float = math.nan
    typical_low: float = math.nan
    typical_high: float = math.nan

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval of the mean (False without one)."""
        return bool(self.low <= x <= self.high)

    def typical_contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval of the typical value."""
        return bool(self.typical_low <= x <= self.typical_high)

    def to_dict(self) -> dict[str, Any]:
        """``{"value", "ci"}``, plus ``{"typical", "typical_ci"}`` for a ratio."""
        out: dict[str, Any] = {"value": self.value, "ci": [self.low, self.high]}
        if not math.isnan(self.typical):
            out["typical"] = self.typical
            out["typical_ci"] = [self.typical_low, self.typical_high]
        return out

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
    """The within-trial ratio ``numerator / denominator``: its mean and its typical value.

    0/0 is nan. The typical value is ``exp`` of the mean of ``ln r`` and of its
    t interval's ends; if a trial's ratio is 0 (or infinite), so is the
    typical value, with no interval.

    >>> e = ratio_estimate(np.array([1.0, 4.0]), np.array([1.0, 1.0]), 0.05)
    >>> e.value, e.typical
    (2.5, 2.0)
    """
    with np.errstate(all="ignore"):
        ratio = np.asarray(numerator, dtype=np.float64) / np.asarray(denominator, dtype=np.float64)
        logs = np.log(ratio)
    mean = estimate(ratio, alpha)
    if np.any(np.isnan(logs)):
        return mean
    log_est = estimate(logs, alpha, nonnegative=False)
    with np.errstate(all="ignore"):
        typical = float(np.exp(log_est.value))
        lo, hi = float(np.exp(log_est.low)), float(np.exp(log_est.high))
    return Estimate(mean.value, mean.low, mean.high, typical, lo, hi)
