"""Interval estimates from independent trials: Student-t intervals of a mean, binomial intervals.

The tests against a law elsewhere in :mod:`initcheck.stats` take samples of the
law; what is here estimates a quantity from independent trials (one number per
trial) when no closed-form variance is available. The chapter's claims, the
propagation reports and the benchmarks all use these.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["clopper_pearson", "t_interval"]


def t_interval(values: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Mean of iid ``values`` with its two-sided (1 - alpha) Student-t interval.

    Returns:
        (mean, low, high).
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    mean = float(v.mean())
    half = float(stats.t.isf(alpha / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return mean, mean - half, mean + half


def clopper_pearson(successes: int, n: int, alpha: float) -> tuple[float, float]:
    """Exact two-sided (1 - alpha) interval for a binomial proportion."""
    lo = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, n - successes + 1))
    hi = 1.0 if successes == n else float(stats.beta.isf(alpha / 2, successes + 1, n - successes))
    return lo, hi
