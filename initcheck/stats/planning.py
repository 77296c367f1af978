"""Sample sizes: how many draws a test needs to see an effect with a given power.

Every planner returns the smallest n whose power (computed by the matching
``power_*`` function, whose docstring has the formula) reaches ``power``
at false-alarm level ``alpha``. Notation: Phi is the standard normal cdf,
z_p its upper p-quantile, c = z_{alpha/2} for a two-sided test (z_alpha
one-sided), z_beta = z_{1 - power}.

Example: suppose a verdict must see a 2% variance error at alpha = 1e-6 with
power 0.999 for a normal law:

>>> plan_variance_n(0.02, 1e-6)
323504
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats

from initcheck.errors import expected
from initcheck.stats._common import check_probability

__all__ = [
    "plan_bound_n",
    "plan_ks_n",
    "plan_mean_n",
    "plan_variance_n",
    "power_bound",
    "power_ks",
    "power_mean",
    "power_variance",
]

_SIDES = ("both", "high", "low")


def _crit(alpha: float, two_sided: bool) -> float:
    return float(stats.norm.isf(alpha / 2.0 if two_sided else alpha))


def _smallest(power_at: Callable[[int], float], target: float, start: int) -> int:
    """Smallest n >= 1 with power_at(n) >= target (power increasing in n), from a guess."""
    hi = max(1, start)
    while power_at(hi) < target:
        hi *= 2
    lo = 0  # power_at(0) is taken as below target
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if power_at(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise expected("n", n, "a positive int")
    return int(n)


def power_variance(
    n: int, rel_effect: float, alpha: float, *, kurtosis: float = 3.0, two_sided: bool = True
) -> float:
    """Power of the kurtosis-aware variance z-test against a relative variance error.

    If the sampler's variance is sigma²(1 + d), the statistic
    ``z = (s2 - sigma²) / (sigma² sqrt((kappa - 1)/n))`` is approximately
    normal with mean ``d sqrt(n/(kappa - 1))`` and sd ``1 + d`` (the sampled
    law is the claimed one rescaled, so it has the same kurtosis). Hence
    ``power = Phi((d sqrt(n/(kappa-1)) - c)/(1+d)) + Phi((-d sqrt(n/(kappa-1)) - c)/(1+d))``
    (one-sided: only the term in the direction of d, with c = z_alpha).
    """
    n = _check_n(n)
    d = _check_rel(rel_effect)
    kappa = _check_kurtosis(kurtosis)
    alpha = check_probability(alpha, "alpha")
    c = _crit(alpha, two_sided)
    shift = d * math.sqrt(n / (kappa - 1.0))
    up = float(stats.norm.sf((c - shift) / (1.0 + d)))
    down = float(stats.norm.cdf((-c - shift) / (1.0 + d)))
    if two_sided:
        return min(1.0, up + down)
    return up if d > 0 else down


def plan_variance_n(
    rel_effect: float,
    alpha: float,
    power: float = 0.999,
    kurtosis: float = 3.0,
    two_sided: bool = True,
) -> int:
    """Smallest n with :func:`power_variance` ≥ ``power``.

    Two-sided: the worse of d = +|rel_effect| and -|rel_effect| (it is +|d|,
    whose statistic is more spread). Closed form up to the negligible far
    tail: ``n ≈ (kappa - 1) ((c + (1 + d) z_beta) / d)²``; e.g. d = 0.02,
    alpha = 1e-6, power 0.999, normal: n = 323,504.
    """
    d = _check_rel(rel_effect)
    kappa = _check_kurtosis(kurtosis)
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    zb = float(stats.norm.isf(1.0 - power))
    c = _crit(alpha, two_sided)
    effects = (abs(d), -abs(d)) if two_sided else (d,)
    plans = []
    for e in effects:
        guess = math.ceil((kappa - 1.0) * ((c + (1.0 + e) * zb) / e) ** 2)
        plans.append(
            _smallest(
                lambda n, e=e: power_variance(n, e, alpha, kurtosis=kappa, two_sided=two_sided),
                power,
                guess,
            )
        )
    return max(plans)


def power_mean(n: int, effect_in_std: float, alpha: float, *, two_sided: bool = True) -> float:
    """Power of the mean z-test against a shift of ``effect_in_std`` claimed sds.

    ``power = Phi(d sqrt(n) - c) + Phi(-d sqrt(n) - c)`` (one-sided: the first
    term with |d| and c = z_alpha).
    """
    n = _check_n(n)
    d = abs(_check_effect(effect_in_std, "effect_in_std"))
    alpha = check_probability(alpha, "alpha")
    c = _crit(alpha, two_sided)
    up = float(stats.norm.sf(c - d * math.sqrt(n)))
    return min(1.0, up + float(stats.norm.cdf(-c - d * math.sqrt(n)))) if two_sided else up


def plan_mean_n(
    effect_in_std: float, alpha: float, power: float = 0.999, two_sided: bool = True
) -> int:
    """Smallest n with :func:`power_mean` ≥ ``power``; ≈ ((c + z_beta) / d)²."""
    d = abs(_check_effect(effect_in_std, "effect_in_std"))
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    guess = math.ceil(((_crit(alpha, two_sided) + float(stats.norm.isf(1.0 - power))) / d) ** 2)
    return _smallest(lambda n: power_mean(n, d, alpha, two_sided=two_sided), power, guess)


def power_bound(n: int, rel_shrink: float, alpha: float, *, side: str = "both") -> float:
    """Exact power of :func:`bound_reach_test` when U(-a, a) is claimed and
    U(-(1-r)a, (1-r)a) is drawn (r = ``rel_shrink``).

    The high end rejects when ``F0(max)^n <= c'`` (c' = alpha/2 for
    ``side="both"``, Bonferroni; alpha for one end), i.e. when
    ``max <= t = a(2 q - 1)`` with ``q = c'^(1/n)``. Under the shrunk law
    ``G = P(X <= t) = clip((t/((1-r)a) + 1)/2, 0, 1)``, so one end has power
    ``G^n`` and both ends ``2 G^n - max(2G - 1, 0)^n``. The power is exactly
    1 once ``n >= log(c') / log(1 - r/2)`` (then t ≥ (1-r)a).
    """
    n = _check_n(n)
    r = _check_shrink(rel_shrink)
    alpha = check_probability(alpha, "alpha")
    if side not in _SIDES:
        raise expected("side", side, "one of 'both', 'high', 'low'")
    c = alpha / 2.0 if side == "both" else alpha
    q = math.exp(math.log(c) / n)
    g = min(1.0, max(0.0, ((2.0 * q - 1.0) / (1.0 - r) + 1.0) / 2.0))
    if side != "both":
        return g**n
    return min(1.0, 2.0 * g**n - max(2.0 * g - 1.0, 0.0) ** n)


def plan_bound_n(rel_shrink: float, alpha: float, power: float = 0.999, side: str = "both") -> int:
    """Smallest n with :func:`power_bound` ≥ ``power`` (never above ceil(log c'/log(1 - r/2))).

    E.g. r = 0.1 (U(-0.9a, 0.9a) drawn, U(-a, a) claimed), alpha = 1e-6:
    a few hundred draws.
    """
    r = _check_shrink(rel_shrink)
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    c = alpha / 2.0 if side == "both" else alpha
    sure = math.ceil(math.log(c) / math.log1p(-r / 2.0))
    return _smallest(lambda n: power_bound(n, r, alpha, side=side), power, sure)


def power_ks(n: int, d: float, alpha: float) -> float:
    """Conservative normal approximation to the power of the KS test at sup distance d.

    The test rejects when sqrt(n) D > k_alpha (k_alpha the upper alpha point of
    the Kolmogorov law). At the point t* of largest distance,
    ``F_n(t*) - F0(t*)`` has mean d and sd ≤ 1/(2 sqrt(n)), and D ≥ it, so
    ``power ≥ Phi(2 (d sqrt(n) - k_alpha))``.
    """
    n = _check_n(n)
    d = _check_distance(d)
    alpha = check_probability(alpha, "alpha")
    k = float(stats.kstwobign.isf(alpha))
    return float(stats.norm.cdf(2.0 * (d * math.sqrt(n) - k)))


def plan_ks_n(d: float, alpha: float, power: float = 0.999) -> int:
    """Smallest n with :func:`power_ks` ≥ ``power``: ``ceil(((k_alpha + z_beta/2)/d)²)``."""
    d = _check_distance(d)
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    k = float(stats.kstwobign.isf(alpha))
    guess = math.ceil(((k + float(stats.norm.isf(1.0 - power)) / 2.0) / d) ** 2)
    return _smallest(lambda n: power_ks(n, d, alpha), power, guess)


def _check_effect(value: float, name: str) -> float:
    v = float(value)
    if not (math.isfinite(v) and v != 0.0):
        raise expected(name, value, "a finite non-zero number")
    return v


def _check_rel(value: float) -> float:
    v = _check_effect(value, "rel_effect")
    if v <= -1.0:
        raise expected("rel_effect", value, "a relative variance error > -1 and != 0")
    return v


def _check_kurtosis(value: float) -> float:
    v = float(value)
    if not (math.isfinite(v) and v > 1.0):
        raise expected("kurtosis", value, "a finite non-excess kurtosis > 1 (3 for a normal law)")
    return v


def _check_shrink(value: float) -> float:
    v = float(value)
    if not 0.0 < v < 1.0:
        raise expected("rel_shrink", value, "a relative shrink of the support in (0, 1)")
    return v


def _check_distance(value: float) -> float:
    v = float(value)
    if not 0.0 < v <= 1.0:
        raise expected("d", value, "a sup distance between cdfs in (0, 1]")
    return v
