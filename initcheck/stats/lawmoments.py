"""Central moments of a claimed law, from the law itself (never from data).

The moment tests need the standardized central moments
``rho_k = E[((X - mu) / sigma)^k]`` of the claimed law up to k = 12, and must
know when one is infinite (Student-t with nu <= k has no k-th moment).
Closed forms are used for the normal and uniform laws; any other frozen
``scipy.stats`` law is integrated numerically with ``law.expect``.

Finiteness of a moment of an unbounded law is judged from the law's tail:
the local tail exponent ``a = log(sf(x1)/sf(x2)) / log(x2/x1)`` between the
quantiles with tail mass 1e-10 and 1e-14 (distances from the mean). The k-th
moment is taken as finite when ``a > k + 0.5``; for power tails (Student-t:
a ≈ nu) this is the textbook condition with a margin, and light tails
(normal, logistic, Laplace) have a ≫ 12. (``law.moment`` cannot be asked:
SciPy returns a finite number for the divergent 8th moment of t(5).)
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np
from scipy import special

from initcheck.errors import expected

__all__ = [
    "finite_moment_order",
    "has_moment",
    "is_symmetric",
    "kurtosis",
    "require_moments",
    "standardized_moments",
]

_TAIL_MASSES = (1e-10, 1e-14)  # where the tail exponent is measured
_TAIL_MARGIN = 0.5  # the k-th moment is finite when the tail exponent exceeds k + this


def _family(law: Any) -> str:
    return str(getattr(getattr(law, "dist", None), "name", ""))


def finite_moment_order(law: Any) -> float:
    """Sup of the k with E|X - mu|^k finite (``inf`` for bounded or light-tailed laws).

    For an unbounded side it is the measured tail exponent (see module docs).
    """
    if _family(law) in ("norm", "uniform", "truncnorm"):
        return math.inf
    low, high = (float(v) for v in law.support())
    center = float(law.median())
    order = math.inf
    for side, bound in (("upper", high), ("lower", low)):
        if math.isfinite(bound):
            continue
        order = min(order, _tail_exponent(law, side, center))
    return order


def _tail_exponent(law: Any, side: str, center: float) -> float:
    m1, m2 = _TAIL_MASSES
    if side == "upper":
        x1, x2 = float(law.isf(m1)), float(law.isf(m2))
        s1, s2 = float(law.sf(x1)), float(law.sf(x2))
    else:
        x1, x2 = float(law.ppf(m1)), float(law.ppf(m2))
        s1, s2 = float(law.cdf(x1)), float(law.cdf(x2))
    d1, d2 = abs(x1 - center), abs(x2 - center)
    if not all(math.isfinite(v) for v in (d1, d2, s1, s2)) or d2 <= d1 or s2 <= 0 or s1 <= s2:
        return 0.0
    return math.log(s1 / s2) / math.log(d2 / d1)


def has_moment(law: Any, k: int) -> bool:
    """Whether the law has a finite k-th (absolute central) moment."""
    return finite_moment_order(law) > k + _TAIL_MARGIN


def require_moments(law: Any, k: int, why: str) -> None:
    """Raise UsageError unless the law has a finite k-th moment."""
    if not has_moment(law, k):
        from initcheck.stats._common import law_label

        raise expected("law", law_label(law), f"a law with a finite {k}th moment for {why}")


def standardized_moments(law: Any, kmax: int) -> np.ndarray:
    """``rho[k] = E[((X - mu)/sigma)^k]`` for k = 0..kmax; ``nan`` where not finite.

    ``rho[0] = 1``, ``rho[1] = 0`` and ``rho[2] = 1`` by construction.
    """
    rho = np.full(kmax + 1, np.nan)
    family = _family(law)
    if family == "norm":
        for k in range(kmax + 1):
            rho[k] = 0.0 if k % 2 else float(special.factorial2(k - 1)) if k else 1.0
        return rho
    if family == "uniform":  # standardized U(-sqrt 3, sqrt 3)
        for k in range(kmax + 1):
            rho[k] = 0.0 if k % 2 else 3.0 ** (k / 2) / (k + 1)
        return rho
    key = _standard_key(law)
    if key is not None:  # loc and scale do not change standardized moments: integrate once per family
        return _integrated(*key, kmax).copy()
    return _integrate(law, kmax)


def _standard_key(law: Any) -> tuple[str, tuple[float, ...]] | None:
    """(family, shape parameters) of a frozen scipy law, or None if they cannot be read."""
    try:
        shapes, _, _ = law.dist._parse_args(*law.args, **law.kwds)
        return _family(law), tuple(float(v) for v in shapes)
    except (AttributeError, TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=128)
def _integrated(name: str, shapes: tuple[float, ...], kmax: int) -> np.ndarray:
    from scipy import stats

    return _integrate(getattr(stats, name)(*shapes), kmax)


def _integrate(law: Any, kmax: int) -> np.ndarray:
    rho = np.full(kmax + 1, np.nan)
    order = finite_moment_order(law)
    mu, sigma = float(law.mean()), math.sqrt(float(law.var()))
    rho[0], rho[1], rho[2] = 1.0, 0.0, 1.0
    for k in range(3, kmax + 1):
        if not order > k + _TAIL_MARGIN:
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rho[k] = float(law.expect(lambda t, k=k: ((t - mu) / sigma) ** k))
    return rho


def is_symmetric(law: Any, center: float) -> bool:
    """Whether the law is symmetric about ``center`` (checked at five quantiles, to 1e-9)."""
    key = _standard_key(law)
    if key is not None and center == float(law.mean()):  # about its mean: a property of the family
        return _symmetric_family(*key)
    return _symmetric(law, center)


@functools.lru_cache(maxsize=128)
def _symmetric_family(name: str, shapes: tuple[float, ...]) -> bool:
    from scipy import stats

    law = getattr(stats, name)(*shapes)
    return _symmetric(law, float(law.mean()))


def _symmetric(law: Any, center: float) -> bool:
    for p in (0.01, 0.1, 0.25, 0.4, 0.49):
        x = float(law.ppf(p))
        if not abs(float(law.sf(2.0 * center - x)) - p) <= 1e-9 * max(1.0, p):
            return False
    return True


def kurtosis(law: Any) -> float:
    """Non-excess kurtosis ``E[(X-mu)^4] / sigma^4`` (3 for a normal law; inf if undefined)."""
    if not finite_moment_order(law) > 4 + _TAIL_MARGIN:
        return math.inf
    excess = float(np.asarray(law.stats(moments="k")))
    if math.isfinite(excess):
        return 3.0 + excess
    return float(standardized_moments(law, 4)[4])
