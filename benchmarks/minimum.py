"""The fewest draws any single test needs: closed forms, and what sequential designs use.

Every function answers one question: how many iid values must a test of the
claimed law see to reject it with probability ``power`` when a given error is
present, at false-alarm level ``alpha``? Tests are fixed-sample unless the
name says sequential. Notation: ``G0``/``G1`` are the cdfs of |x - mu| under
the claimed and the drawn law; ``beta = 1 - power``.

- :func:`chi2_variance_n`: the exact chi-square test of a normal's variance
  (known mean): ``T = sum x²/sigma0² ~ chi2_n``, two-sided at alpha/2 each
  tail; power under sigma² = (1 + d) sigma0² is ``P(chi2_n outside
  [q_lo, q_hi]/(1 + d))``, computed exactly with ``scipy.stats.chi2``.
- :func:`z_mean_n`: the z-test of a mean with known sd, ``n = ((z_{alpha/2} +
  z_beta)/delta)²`` (exact for a normal law, CLT otherwise).
- :func:`narrow_max_n`: the drawn law lives inside |x| ≤ t* where the claimed
  one does not. The test rejects when ``max|x| ≤ t_alpha``, ``G0(t_alpha)^n =
  alpha`` (exact); power ``G1(t_alpha)^n``. For U(-0.97a, 0.97a) claimed
  U(-a, a): ``alpha / 0.97^n ≥ power``, n = 454 at alpha = 1e-6.
- :func:`outside_n`: the drawn law puts mass p beyond the claimed support;
  the support check is exact (no false alarm), so ``1 - (1 - p)^n ≥ power``,
  ``n = ln(beta) / ln(1 - p)``, whatever alpha.
- :func:`outlier_max_n`: a fraction p of values multiplied by f under a
  claimed normal; reject when ``max|x| ≥ t``, ``G0(t)^n = 1 - alpha``.
- :func:`kurtosis_n`: the kurtosis test, from the delta-method variance of
  ``k = m4/m2²`` (known mean): ``Var k ≈ (rho8 - 4 kappa rho6 + 4 kappa³ -
  kappa²)/n`` (24/n for a normal law); an asymptotic approximation.
- :func:`sign_n`: all k draws have the same sign of det (or of one entry)
  where Haar gives ±1 with probability 1/2: two-sided binomial, ``2·2^-k ≤ alpha``.
- :func:`sprt_asn`: Wald's sequential probability ratio test, its expected
  sample numbers under H0 and H1 from Wald's approximations (overshoot
  ignored): ``E1 N = ((1-beta) ln A + beta ln B) / E1[z]``, ``E0 N = (alpha ln A
  + (1-alpha) ln B) / E0[z]`` with ``A = (1-beta)/alpha``, ``B = beta/(1-alpha)``
  and z the log likelihood ratio of one value.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import integrate, stats

__all__ = [
    "ALPHA",
    "POWER",
    "abs_cdf",
    "chi2_variance_n",
    "chi2_variance_power",
    "kl_divergence",
    "kurtosis_n",
    "narrow_max_n",
    "narrow_max_power",
    "outlier_max_n",
    "outlier_max_power",
    "outside_n",
    "outside_power",
    "sign_n",
    "smallest_n",
    "sprt_asn",
    "sprt_normal_mean",
    "sprt_normal_variance",
    "standardized_moments",
    "two_ends_n",
    "two_ends_power",
    "z_mean_n",
]

ALPHA = 1e-6  # the verdict's default family-wise alpha: the minimum is for one test at this alpha
POWER = 0.999  # the power the verdict plans for


def smallest_n(power_at: Callable[[int], float], target: float, start: int = 1) -> int:
    """Smallest n ≥ 1 with power_at(n) ≥ target, power increasing in n."""
    hi = max(1, start)
    while power_at(hi) < target:
        hi *= 2
    lo = max(0, hi // 2 if hi > start else 0)
    while lo > 0 and power_at(lo) >= target:
        lo //= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if power_at(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def chi2_variance_power(n: int, d: float, alpha: float = ALPHA) -> float:
    """Power of the exact two-sided chi-square test of a normal's variance (known mean) at sigma² (1 + d)."""
    lo, hi = stats.chi2.ppf(alpha / 2, n), stats.chi2.isf(alpha / 2, n)
    return float(stats.chi2.sf(hi / (1 + d), n) + stats.chi2.cdf(lo / (1 + d), n))


def chi2_variance_n(d: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Smallest n with :func:`chi2_variance_power` ≥ power."""

    def power_at(n: int) -> float:
        return chi2_variance_power(n, d, alpha)

    guess = 2 * ((stats.norm.isf(alpha / 2) + stats.norm.isf(1 - power) * (1 + d)) / d) ** 2
    return smallest_n(power_at, power, int(guess * 0.9))


def z_mean_n(delta: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Two-sided z-test, known sd, a shift of ``delta`` sds: ``ceil(((z_{alpha/2} + z_beta)/delta)²)``."""
    c = stats.norm.isf(alpha / 2)

    def power_at(n: int) -> float:
        s = delta * math.sqrt(n)
        return float(stats.norm.sf(c - s) + stats.norm.cdf(-c - s))

    guess = ((c + stats.norm.isf(1 - power)) / delta) ** 2
    return smallest_n(power_at, power, int(guess * 0.99))


def narrow_max_power(
    n: int, g0: Callable[[float], float], g0_inv: Callable[[float], float], g1: Callable[[float], float],
    alpha: float = ALPHA,
) -> float:
    """Reject when max|x - mu| ≤ t with G0(t)^n = alpha; power G1(t)^n (exact for iid draws)."""
    t = g0_inv(math.exp(math.log(alpha) / n))
    return float(g1(t)) ** n


def narrow_max_n(
    g0: Callable[[float], float], g0_inv: Callable[[float], float], g1: Callable[[float], float],
    alpha: float = ALPHA, power: float = POWER,
) -> int:
    """Smallest n with :func:`narrow_max_power` ≥ power."""
    return smallest_n(lambda n: narrow_max_power(n, g0, g0_inv, g1, alpha), power)


def two_ends_n(law0, law1, alpha: float = ALPHA, power: float = POWER) -> int:
    """The bound-reach test on both ends of a symmetric bounded law, Bonferroni over the two.

    An end rejects when its extreme stops short: ``F0(max)^n ≤ alpha/2`` (or
    the mirror for min), i.e. max ≤ t with ``F0(t) = (alpha/2)^(1/n)``.
    Power ``P1(max ≤ t or min ≥ -t) = 2 F1(t)^n - (2 F1(t) - 1)^n`` (exact).
    """
    return smallest_n(lambda n: two_ends_power(n, law0, law1, alpha), power)


def two_ends_power(n: int, law0, law1, alpha: float = ALPHA) -> float:
    """Power of :func:`two_ends_n`'s test with n values."""
    mu = float(law0.mean())
    t = float(law0.ppf(math.exp(math.log(alpha / 2) / n))) - mu
    f1 = float(law1.cdf(mu + t))
    return 2 * f1**n - max(2 * f1 - 1, 0.0) ** n


def outside_power(n: int, p_out: float) -> float:
    """Exact support check: 1 - (1 - p_out)^n."""
    return -math.expm1(n * math.log1p(-p_out))


def outside_n(p_out: float, power: float = POWER) -> int:
    """Exact support check: smallest n with 1 - (1 - p_out)^n ≥ power."""
    return math.ceil(math.log(1 - power) / math.log1p(-p_out))


def outlier_max_power(n: int, p: float, factor: float, alpha: float = ALPHA) -> float:
    """Normal claimed, a fraction p of values times ``factor``: reject when max|x| ≥ t, G0(t)^n = 1 - alpha."""
    tail0 = -math.expm1(math.log1p(-alpha) / n)  # P0(|x| > t)
    t = stats.norm.isf(tail0 / 2)
    log_g1 = math.log1p(-((1 - p) * tail0 + p * 2 * stats.norm.sf(t / factor)))
    return -math.expm1(n * log_g1)


def outlier_max_n(p: float, factor: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Smallest n with :func:`outlier_max_power` ≥ power."""
    return smallest_n(lambda n: outlier_max_power(n, p, factor, alpha), power)


def standardized_moments(law, orders=(4, 6, 8)) -> dict[int, float]:
    """E[((x - mu)/sigma)^k] of a frozen scipy law, by quadrature."""
    mu, sd = float(law.mean()), float(law.std())
    return {k: float(law.expect(lambda x, k=k: ((x - mu) / sd) ** k)) for k in orders}


def _kurtosis_var(rho: dict[int, float]) -> float:
    k = rho[4]
    return rho[8] - 4 * k * rho[6] + 4 * k**3 - k * k


def kurtosis_n(claimed, drawn, alpha: float = ALPHA, power: float = POWER) -> int:
    """Two-sided kurtosis test, normal approximation with the delta-method variance under each law."""
    r0, r1 = standardized_moments(claimed), standardized_moments(drawn)
    c, zb = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    gap = abs(r1[4] - r0[4])
    return math.ceil(((c * math.sqrt(_kurtosis_var(r0)) + zb * math.sqrt(_kurtosis_var(r1))) / gap) ** 2)


def sign_n(alpha: float = ALPHA) -> int:
    """Draws whose signs (of det, or of one entry) all agree: two-sided binomial p = 2·2^-k ≤ alpha."""
    return math.ceil(math.log2(2 / alpha))


def sprt_asn(e0: float, e1: float, alpha: float = ALPHA, power: float = POWER) -> tuple[float, float]:
    """Wald's expected sample numbers (under H0, under H1) from the mean log LR per value e0 < 0 < e1."""
    beta = 1 - power
    a, b = math.log((1 - beta) / alpha), math.log(beta / (1 - alpha))
    n0 = (alpha * a + (1 - alpha) * b) / e0 if e0 < 0 else math.inf
    n1 = ((1 - beta) * a + beta * b) / e1
    return n0, n1


def sprt_normal_variance(d: float, alpha: float = ALPHA, power: float = POWER) -> tuple[float, float]:
    """Two one-sided SPRTs (sigma² × (1 ± |d|) vs sigma²), alpha/2 each; (E0 N, E1 N) for an error d.

    z = -ln(r)/2 + (x²/sigma0²)(1 - 1/r)/2, so E0 z = (-ln r + 1 - 1/r)/2 and
    E1 z = (-ln r + r - 1)/2. Under H1 the SPRT on the side of the error
    decides; under H0 both must accept, so E0 N is at least the larger of the
    two sides' (that larger value is returned).
    """
    out = {}
    for r in (1 + abs(d), 1 - abs(d)):
        e0 = (-math.log(r) + 1 - 1 / r) / 2
        e1 = (-math.log(r) + r - 1) / 2
        out[r] = sprt_asn(e0, e1, alpha / 2, power)
    n0 = max(v[0] for v in out.values())
    return n0, out[1 + d][1]


def sprt_normal_mean(delta: float, alpha: float = ALPHA, power: float = POWER) -> tuple[float, float]:
    """Two one-sided SPRTs for a shift of ±delta sds (known sd): E1 z = delta²/2 = -E0 z."""
    return sprt_asn(-delta * delta / 2, delta * delta / 2, alpha / 2, power)


def kl_divergence(f1, f0, low: float, high: float) -> float:
    """KL(f1 || f0) = ∫ f1 ln(f1/f0) over [low, high] (f1's support), by quadrature."""

    def integrand(x: float) -> float:
        p1 = f1.pdf(x)
        return 0.0 if p1 <= 0 else p1 * (f1.logpdf(x) - f0.logpdf(x))

    return float(integrate.quad(integrand, low, high, limit=200)[0])


def abs_cdf(law) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """(G, G^-1) of |x - mu| for a symmetric frozen law."""
    mu = float(law.mean())
    return (lambda t: float(np.clip(2 * law.cdf(mu + t) - 1, 0, 1)),
            lambda u: float(law.ppf((1 + u) / 2) - mu))
