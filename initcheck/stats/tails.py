"""Tail probabilities of approximately normal statistics.

Moment statistics (sample mean, variance, fourth moment) are sums of iid
terms whose third cumulant is known from the law. Their tails are computed
from a Pearson type III law (a shifted gamma) with the statistic's exact mean,
variance and skewness: it is exact for the sample variance of a normal law
(``n s2 / sigma^2 ~ chi2_n``) and removes the leading (1/sqrt(n)) error of the
plain normal approximation otherwise. With zero skewness it is the normal law.
"""

from __future__ import annotations

import math

from scipy import stats

from initcheck.errors import expected

__all__ = ["normal_tails", "pearson3_tails", "two_sided"]

_SKEW_NORMAL = 1e-8  # below this skewness the gamma is numerically the normal law


def two_sided(upper: float, lower: float) -> float:
    """Two-sided p-value from the two one-sided ones: ``min(1, 2 min(upper, lower))``."""
    return float(min(1.0, 2.0 * min(upper, lower)))


def normal_tails(z: float) -> tuple[float, float]:
    """``(P(Z >= z), P(Z <= z))`` for a standard normal Z."""
    return float(stats.norm.sf(z)), float(stats.norm.cdf(z))


def pearson3_tails(x: float, mean: float, sd: float, skew: float) -> tuple[float, float]:
    """``(P(X >= x), P(X <= x))`` for X Pearson III with the given mean, sd and skewness.

    X = loc + Gamma(k, theta) with k = 4/skew², theta = sd·skew/2 and
    loc = mean - k·theta (mirrored for negative skew). Beyond the gamma's
    finite end the near tail is 0 and the far tail is 1.
    """
    if not sd > 0.0:
        raise expected("sd", sd, "a positive standard deviation")
    if not math.isfinite(skew) or abs(skew) < _SKEW_NORMAL:
        return normal_tails((x - mean) / sd)
    shape = 4.0 / (skew * skew)
    theta = sd * abs(skew) / 2.0
    if skew > 0:
        y = (x - mean) / theta + shape
        return float(stats.gamma.sf(y, shape)), float(stats.gamma.cdf(y, shape))
    y = (mean - x) / theta + shape
    return float(stats.gamma.cdf(y, shape)), float(stats.gamma.sf(y, shape))
