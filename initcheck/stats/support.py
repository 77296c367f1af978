"""Checks on where the values lie: support, reach of the bounds, extremes, constants.

- :func:`support_test` (exact): every value inside [low, high].
- :func:`constant_test` (exact): every value equals the constant.
- :func:`bound_reach_test`: a bounded law's sample gets as close to its
  bounds as it should. P(max x <= m) = F(m)^n is exact, so a sampler that
  claims U(-a, a) but draws U(-0.9a, 0.9a) is caught with a few hundred
  draws (p <= 0.95^n), where a variance test (variance off by 19%) needs
  thousands and a 2%-narrower one hundreds of thousands.
- :func:`extremes_test`: the largest |x - mu| follows its exact law
  P(max <= t) = G(t)^n with G(t) = P(|X - mu| <= t). Catches rare outliers
  and a truncated law claimed as untruncated.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize

from initcheck.errors import expected
from initcheck.stats._common import (
    as_sample,
    check_law,
    check_level,
    fmt,
    law_label,
    nonfinite_result,
)
from initcheck.stats.lawmoments import is_symmetric
from initcheck.stats.result import DEFAULT_LEVEL, TestResult
from initcheck.stats.running import RunningMoments
from initcheck.stats.tails import two_sided

__all__ = ["bound_reach_test", "constant_test", "extremes_test", "support_test"]

_SIDES = ("both", "high", "low")


def support_test(x: Any, low: float, high: float) -> TestResult:
    """Exact check of H0: every value is finite and in [low, high] (bounds may be ±inf).

    Returns:
        TestResult with pvalue 0.0 (some value outside or not finite) or 1.0;
        ``statistic`` = number of offending values, ``estimate`` = the
        largest excursion beyond the interval (0.0 if none; inf for
        non-finite values), ``expected`` = 0.0.
    """
    lo, hi = float(low), float(high)
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise expected("(low, high)", (low, high), "low <= high, not NaN")
    flat = as_sample(x)
    finite = np.isfinite(flat)
    with np.errstate(invalid="ignore"):
        excursion = np.maximum(lo - flat, flat - hi)
    excursion[~finite] = math.inf
    outside = excursion > 0
    count = int(np.count_nonzero(outside))
    null = f"every value in [{fmt(lo)}, {fmt(hi)}]"
    if not count:
        return TestResult(
            "support",
            null,
            0.0,
            1.0,
            flat.size,
            0.0,
            (0.0, 0.0),
            0.0,
            f"all {flat.size:,} values in [{fmt(lo)}, {fmt(hi)}] (min {fmt(flat.min())}, "
            f"max {fmt(flat.max())})",
        )
    worst_i = int(np.argmax(excursion))
    worst = float(excursion[worst_i])
    detail = (
        f"{count:,} of {flat.size:,} values outside [{fmt(lo)}, {fmt(hi)}]; "
        f"worst {fmt(flat[worst_i])} at flat index {worst_i:,}"
    )
    return TestResult(
        "support", null, float(count), 0.0, flat.size, worst, (worst, worst), 0.0, detail
    )


def constant_test(x: Any, value: float) -> TestResult:
    """Exact check of H0: every entry equals ``value`` exactly.

    Returns:
        TestResult with pvalue 0.0 or 1.0, ``statistic`` = number of entries
        that differ, ``estimate`` = the largest |x - value| (inf for NaN).
    """
    v = float(value)
    if not math.isfinite(v):
        raise expected("value", value, "a finite number")
    flat = as_sample(x)
    with np.errstate(invalid="ignore"):
        dev = np.abs(flat - v)
    dev[np.isnan(dev)] = math.inf
    differ = int(np.count_nonzero(dev != 0))
    worst = float(dev.max())
    null = f"every entry == {fmt(v)}"
    if not differ:
        return TestResult(
            "constant",
            null,
            0.0,
            1.0,
            flat.size,
            0.0,
            (0.0, 0.0),
            0.0,
            f"all {flat.size:,} entries equal {fmt(v)}",
        )
    i = int(np.argmax(dev))
    detail = (
        f"{differ:,} of {flat.size:,} entries differ from {fmt(v)}; worst {fmt(flat[i])} "
        f"(|deviation| {fmt(worst)}) at flat index {i:,}"
    )
    return TestResult(
        "constant", null, float(differ), 0.0, flat.size, worst, (worst, worst), 0.0, detail
    )


def bound_reach_test(
    x: Any, law: Any, *, side: str = "both", level: float = DEFAULT_LEVEL
) -> TestResult:
    """Test H0: the sample reaches the bounds of a bounded law as iid draws would.

    ``x`` may be a :class:`RunningMoments` (only n, min and max are used).

    For the high end the p-value is ``P(max <= observed max) = F(max)^n``
    (exact; small when the sample stops short of the bound), for the low end
    ``(1 - F(min))^n``. One-sided (sample too narrow); with ``side="both"``
    the two ends are combined by Bonferroni, ``p = min(1, 2 min(p_high, p_low))``.
    Values beyond a bound give that end p = 1: they are :func:`support_test`'s
    business.

    Args:
        x: the sample.
        law: frozen law with finite support [low, high].
        side: ``"both"``, ``"high"`` or ``"low"``.
        level: confidence level of ``ci``.

    Returns:
        TestResult whose ``estimate`` is the reach of the more suspicious end,
        ``(max - mid) / (high - mid)`` (or the same for the low end), with
        ``mid`` the middle of the support; ``expected`` = 1.0; ``ci`` is for
        the scale r of a sampler that draws the law shrunk by r about mid:
        from the observed reach up to the r at which the observed extreme
        has probability ``1 - level``.

    Raises:
        UsageError: unbounded law, bad ``side``, or empty sample.
    """
    level = check_level(level)
    check_law(law, needs=("cdf", "ppf", "support"))
    if side not in _SIDES:
        raise expected("side", side, "one of 'both', 'high', 'low'")
    low, high = (float(b) for b in law.support())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise expected("law", law_label(law), "a law with finite support for bound_reach_test")
    n, n_bad, x_min, x_max = _extent(x)
    null = f"the sample of {law_label(law)} reaches [{fmt(low)}, {fmt(high)}] as iid draws do"
    if n_bad:
        return nonfinite_result("bound-reach", null, n_bad, n, expect=1.0)
    mid, half = (low + high) / 2.0, (high - low) / 2.0
    q = (1.0 - level) ** (
        1.0 / n
    )  # F(extreme) quantile where the observed extreme has prob 1-level
    ends = {}
    if side in ("both", "high"):
        m = x_max
        p = math.exp(n * math.log(float(law.cdf(m)))) if float(law.cdf(m)) > 0 else 0.0
        reach = (m - mid) / half
        r_up = (m - mid) / (float(law.ppf(q)) - mid) if float(law.ppf(q)) > mid else math.inf
        ends["high"] = (min(p, 1.0), reach, r_up, m)
    if side in ("both", "low"):
        m = x_min
        s = float(law.sf(m))
        p = math.exp(n * math.log(s)) if s > 0 else 0.0
        reach = (mid - m) / half
        r_up = (
            (mid - m) / (mid - float(law.ppf(1.0 - q)))
            if float(law.ppf(1.0 - q)) < mid
            else math.inf
        )
        ends["low"] = (min(p, 1.0), reach, r_up, m)
    worst = min(ends, key=lambda k: ends[k][0])
    p_worst, reach, r_up, _ = ends[worst]
    pvalue = two_sided(p_worst, p_worst) if len(ends) == 2 else p_worst
    parts = [
        f"{k} end: extreme {fmt(v[3])} (reach {v[1]:.4f}, P = {fmt(v[0])})" for k, v in ends.items()
    ]
    detail = f"bounds [{fmt(low)}, {fmt(high)}]; " + "; ".join(parts) + f" (n = {n:,})"
    return TestResult(
        "bound-reach", null, reach, pvalue, n, reach, (reach, max(reach, r_up)), 1.0, detail
    )


def extremes_test(x: Any, law: Any) -> TestResult:
    """Test H0: T = max |x - mu| follows its exact law under iid draws of ``law``.

    ``x`` may be a :class:`RunningMoments` (only n, min and max are used).

    ``P(T <= t) = G(t)^n`` with ``G(t) = F(mu + t) - F(mu - t)`` and mu the
    law's mean (for a bounded law, values beyond its support make p = 0).
    Two-sided: too large (an outlier; a bounded law claimed, heavier tails
    drawn) or too small (a truncated law claimed as untruncated).

    Returns:
        TestResult with ``estimate`` = ``statistic`` = T, ``expected`` = the
        median of T under H0, degenerate ``ci``; ``detail`` names T in units
        of the law's standard deviation and the central 1 - 1e-6 range of T.

    Raises:
        UsageError: empty sample, or a law without finite mean and variance.
    """
    check_law(law, needs=("cdf", "sf", "mean", "var"))
    mu, var = float(law.mean()), float(law.var())
    if not (math.isfinite(mu) and math.isfinite(var) and var > 0):
        raise expected("law", law_label(law), "a law with finite mean and positive finite variance")
    n, n_bad, x_min, x_max = _extent(x)
    null = f"max |x - {fmt(mu)}| distributed as for {n:,} iid draws of {law_label(law)}"
    if n_bad:
        return nonfinite_result("extremes", null, n_bad, n, estimate=math.inf)
    t = max(abs(x_max - mu), abs(x_min - mu))
    log_g = _log_g(law, mu, t)
    lower = math.exp(n * log_g)  # P(T <= t)
    upper = -math.expm1(n * log_g)  # P(T >= t), equal to 1 - P(T <= t) for a continuous law
    sym = is_symmetric(law, mu)
    median = _quantile_of_max(law, mu, n, 0.5, sym)
    lo_r, hi_r = (
        _quantile_of_max(law, mu, n, 5e-7, sym),
        _quantile_of_max(law, mu, n, 1 - 5e-7, sym),
    )
    sd = math.sqrt(var)
    detail = (
        f"max |x - mu| = {fmt(t)} ({t / sd:.3g} sd) vs median {fmt(median)} under "
        f"{law_label(law)}; central 1 - 1e-6 range [{fmt(lo_r)}, {fmt(hi_r)}] (n = {n:,})"
    )
    return TestResult("extremes", null, t, two_sided(upper, lower), n, t, (t, t), median, detail)


def _extent(x: Any) -> tuple[int, int, float, float]:
    """(n, non-finite count, min, max) of an array or a :class:`RunningMoments`.

    The extreme-value tests need only these, so a verdict can stream its draws.
    """
    if isinstance(x, RunningMoments):
        if x.n + x.nonfinite == 0:
            raise expected("x.size", 0, "at least 1 value")
        return x.n + x.nonfinite, x.nonfinite, x.min, x.max
    flat = as_sample(x)
    finite = flat[np.isfinite(flat)]
    n_bad = int(flat.size - finite.size)
    if finite.size == 0:
        return flat.size, n_bad, math.nan, math.nan
    return flat.size, n_bad, float(finite.min()), float(finite.max())


def _tail_mass(law: Any, mu: float, t: float) -> float:
    """P(|X - mu| > t), computed from both tails for precision."""
    return float(law.sf(mu + t)) + float(law.cdf(mu - t))


def _log_g(law: Any, mu: float, t: float) -> float:
    """log P(|X - mu| <= t)."""
    tail = _tail_mass(law, mu, t)
    if tail >= 1.0:
        return -math.inf
    return math.log1p(-tail)


def _quantile_of_max(law: Any, mu: float, n: int, prob: float, symmetric: bool) -> float:
    """The t with P(T <= t) = prob, i.e. tail mass 1 - prob^(1/n) (closed form if symmetric)."""
    target = -math.expm1(math.log(prob) / n)
    if symmetric:
        return float(law.isf(target / 2.0)) - mu
    hi = math.sqrt(float(law.var()))
    while _tail_mass(law, mu, hi) > target and hi < 1e300:
        hi *= 2.0
    if _tail_mass(law, mu, hi) > target:
        return math.inf
    return float(
        optimize.brentq(
            lambda s: _tail_mass(law, mu, s) - target, 0.0, hi, xtol=1e-14 * hi, rtol=1e-12
        )
    )
