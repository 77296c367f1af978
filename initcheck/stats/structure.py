"""Tests that the entries of a weight array are iid across positions and units.

A weight array w is read as (units, rest) = (shape[0], prod(shape[1:])); a
1-D array is one unit. Every entry is standardized by the *claimed* law,
``z = (w - mu) / sigma`` (not by the sample), so under H0 the z are iid
with mean 0, variance 1 and the law's kurtosis kappa. A mean or scale error
of the sampler can therefore also show here; :mod:`moments` names it.

:func:`structure_tests` returns one :class:`TestResult` per sub-check that
applies to the shape:

- ``serial-corr`` (C order), ``serial-corr-rows`` (along axis 1),
  ``serial-corr-cols`` (along axis 0): S = sum over neighbour pairs of
  z_a z_b; two-sided. Catches tiled, sorted, smoothed or repeated-stream
  draws. For a law symmetric about its mean the statistic is self-normalized,
  ``S / sqrt(sum (z_a z_b)²)``: the neighbour pairs form paths, so given the
  |z| the signs of the products are iid ±1 and S is a Rademacher sum with
  fixed weights. The normal p-value is then within a factor 2e³/9 ≈ 4.5 of
  exact however few or heavy-tailed the entries (Pinelis 1994); in practice
  within 1.5 at the 1e-3 point for a 4×8 array. For an asymmetric law,
  ``S / sqrt(pairs)`` (distinct pairs' products are uncorrelated with
  variance 1) with the CLT.
- ``duplicate-rows`` / ``duplicate-cols`` (exact): two bitwise-identical rows
  (columns) of length ≥ 4 reject. (Length 4 keeps float16 samplers safe:
  P(two rows coincide) ≈ p2^4 ≈ 1e-16 per pair.)
- ``sorted-rows`` / ``sorted-cols``: sum over lines of (#ascents -
  #descents); for iid continuous values each line of length L contributes
  mean 0 and variance (L + 1)/3 (Eulerian numbers; ties only shrink it);
  normal, two-sided.
- ``unit-corr``: T = sum_{i<j} cols r_ij² with r_ij = mean_k z_ik z_jk,
  E[T] = M = C(units, 2) and Var[T] = M (2 + (kappa² - 3)/cols) +
  6 C(units, 3) (kappa - 1)/cols (rows sharing a unit are correlated);
  gamma with that mean and variance, two-sided (too small: rows more
  orthogonal than chance).
- ``row-scale`` / ``col-scale``: v_i = mean_k z_ik² per row (column),
  X = sum_i (v_i - 1)² cols / (kappa - 1), a sum of iid terms with
  E = 1 and variance and third cumulant from the central moments m_k of
  y = z² - 1 (m2 = kappa - 1, m_k from the law's rho up to 2k):
  E[ybar⁴] = (m4 + 3(L-1) m2²)/L³ and E[ybar⁶] = (m6 + 15(L-1) m4 m2 +
  10(L-1) m3² + 15(L-1)(L-2) m2³)/L⁵ for lines of length L. Upper tail:
  Pearson III with that mean, variance and skewness (a gamma when the law
  lacks a 12th moment); lower tail: the gamma with that mean and variance
  (its lower end 0 is X's; the Pearson III end would be above 0 and give
  false alarms). Two-sided; measured within 1.4x of nominal at 1e-3 down to
  4×8 arrays. Catches "first half of the rows scaled differently" and
  per-row normalization.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from initcheck.errors import expected
from initcheck.stats._common import check_law, fmt, law_label, quantile_for_level
from initcheck.stats.lawmoments import (
    has_moment,
    is_symmetric,
    kurtosis,
    require_moments,
    standardized_moments,
)
from initcheck.stats.result import DEFAULT_LEVEL, TestResult
from initcheck.stats.tails import normal_tails, pearson3_tails, two_sided

__all__ = ["MIN_DUPLICATE_LENGTH", "structure_tests"]

MIN_DUPLICATE_LENGTH = 4  # rows this short may coincide by chance at float16
_HUGE = 1e100  # |z| beyond this many claimed sds: products would overflow; reject as non-finite


def structure_tests(w: Any, law: Any) -> list[TestResult]:
    """Run every structure sub-check that applies to w's shape (see the module docs).

    Args:
        w: weights, shape (units, ...) (1-D: a single unit).
        law: the claimed frozen law (finite 4th moment).

    Returns:
        list of TestResult, one per applicable sub-check, in a fixed order.

    Raises:
        UsageError: empty w, non-numeric w, or a law without a finite 4th moment.
    """
    check_law(law)
    mu, var = float(law.mean()), float(law.var())
    if not (math.isfinite(mu) and math.isfinite(var) and var > 0):
        raise expected("law", law_label(law), "a law with finite mean and positive finite variance")
    require_moments(law, 4, "structure_tests")
    arr = np.asarray(w)
    if arr.size == 0 or arr.dtype.kind not in "biuf":
        raise expected(
            "w", f"array of shape {arr.shape} and dtype {arr.dtype}", "a non-empty real array"
        )
    raw = arr.reshape(1, -1) if arr.ndim <= 1 else arr.reshape(arr.shape[0], -1)
    units, cols = raw.shape
    z = (raw.astype(np.float64) - mu) / math.sqrt(var)
    if not np.all(np.abs(z) <= _HUGE):
        bad = int(np.count_nonzero(~(np.abs(z) <= _HUGE)))
        return [
            TestResult(
                "structure",
                "entries iid",
                math.inf,
                0.0,
                z.size,
                math.inf,
                (math.inf, math.inf),
                None,
                f"{bad:,} of {z.size:,} values are not finite or beyond 1e100 sd",
            )
        ]
    kappa = kurtosis(law)
    out = []
    sym = is_symmetric(law, mu)
    if z.size >= 2:
        out.append(_serial("serial-corr", "C order", z.reshape(-1)[:-1], z.reshape(-1)[1:], sym))
    if cols >= 2 and units >= 2:
        out.append(_serial("serial-corr-rows", "along rows", z[:, :-1], z[:, 1:], sym))
    if units >= 2 and cols >= 2:
        out.append(_serial("serial-corr-cols", "along columns", z[:-1, :], z[1:, :], sym))
    if units >= 2 and cols >= MIN_DUPLICATE_LENGTH:
        out.append(_duplicates("duplicate-rows", "rows", raw))
    if cols >= 2 and units >= MIN_DUPLICATE_LENGTH:
        out.append(_duplicates("duplicate-cols", "columns", raw.T))
    if cols >= 2:
        out.append(_sorted("sorted-rows", "rows", z))
    if units >= 2:
        out.append(_sorted("sorted-cols", "columns", z.T))
    if units >= 2:
        out.append(_unit_corr(z, kappa))
    rho = standardized_moments(law, 12) if has_moment(law, 8) else None
    if units >= 2 and cols >= 2:  # one line, or lines of one entry: the moment tests' job
        out.append(_scale("row-scale", "rows", z, kappa, rho))
        out.append(_scale("col-scale", "columns", z.T, kappa, rho))
    return out


def _serial(check: str, where: str, a: np.ndarray, b: np.ndarray, symmetric: bool) -> TestResult:
    pairs = a.size
    prod = a * b
    s = float(np.sum(prod))
    norm2 = float(np.sum(prod * prod)) if symmetric else float(pairs)
    z = s / math.sqrt(norm2) if norm2 > 0 else 0.0
    r = s / pairs
    half = quantile_for_level(DEFAULT_LEVEL) / math.sqrt(pairs)  # Var(r) = 1/pairs under H0
    upper, lower = normal_tails(z)
    detail = f"lag-1 correlation {where} {fmt(r)} vs 0 (z = {z:.3g}, {pairs:,} pairs)"
    return TestResult(
        check,
        f"neighbours {where} uncorrelated",
        z,
        two_sided(upper, lower),
        pairs,
        r,
        (r - half, r + half),
        0.0,
        detail,
    )


def _duplicates(check: str, what: str, lines: np.ndarray) -> TestResult:
    contiguous = np.ascontiguousarray(lines)
    _, first, counts = np.unique(contiguous, axis=0, return_index=True, return_counts=True)
    dup = int(np.sum(counts - 1))
    null = f"no two {what} identical"
    if not dup:
        return TestResult(
            check,
            null,
            0.0,
            1.0,
            lines.shape[0],
            0.0,
            (0.0, 0.0),
            0.0,
            f"all {lines.shape[0]:,} {what} distinct",
        )
    i = int(first[int(np.argmax(counts))])
    detail = (
        f"{dup:,} of {lines.shape[0]:,} {what} repeat an earlier one; {what[:-1]} {i} occurs "
        f"{int(counts.max()):,} times"
    )
    return TestResult(
        check,
        null,
        float(dup),
        0.0,
        lines.shape[0],
        float(dup),
        (float(dup), float(dup)),
        0.0,
        detail,
    )


def _sorted(check: str, what: str, lines: np.ndarray) -> TestResult:
    steps = np.sign(np.diff(lines, axis=1))
    per_line = steps.sum(axis=1)
    s = float(per_line.sum())
    length = lines.shape[1]
    var = lines.shape[0] * (length + 1) / 3.0
    z = s / math.sqrt(var)
    upper, lower = normal_tails(z)
    frac = float(np.mean(steps > 0))
    detail = (
        f"{fmt(100 * frac)}% of steps along {what} go up vs 50% "
        f"(z = {z:.3g}, {lines.shape[0]:,} {what} of length {length:,})"
    )
    return TestResult(
        check,
        f"{what} in random order",
        z,
        two_sided(upper, lower),
        int(steps.size),
        frac,
        (frac, frac),
        0.5,
        detail,
    )


def _gamma_two_sided(x: float, mean: float, var: float) -> float:
    sd = math.sqrt(var)
    upper, lower = pearson3_tails(x, mean, sd, 2.0 * sd / mean)
    return two_sided(upper, lower)


def _unit_corr(z: np.ndarray, kappa: float) -> TestResult:
    units, cols = z.shape
    small = z @ z.T if units <= cols else z.T @ z
    frob2 = float(np.sum(small * small))
    diag2 = float(np.sum(np.sum(z * z, axis=1) ** 2))
    t = (frob2 - diag2) / 2.0 / cols
    m = units * (units - 1) / 2.0
    triples = units * (units - 1) * (units - 2) / 6.0
    var = m * (2.0 + (kappa * kappa - 3.0) / cols) + 6.0 * triples * (kappa - 1.0) / cols
    p = _gamma_two_sided(t, m, var)
    mean_r2 = t / m / cols
    detail = (
        f"mean squared correlation between units {fmt(mean_r2)} vs {fmt(1.0 / cols)} "
        f"(sum cols*r^2 = {fmt(t)} vs {fmt(m)}, z = {(t - m) / math.sqrt(var):.3g}, {units:,} units)"
    )
    return TestResult(
        "unit-corr",
        "units uncorrelated",
        (t - m) / math.sqrt(var),
        p,
        int(m),
        mean_r2,
        (mean_r2, mean_r2),
        1.0 / cols,
        detail,
    )


def _scale(
    check: str, what: str, lines: np.ndarray, kappa: float, rho: np.ndarray | None
) -> TestResult:
    count, length = lines.shape
    v = np.mean(lines * lines, axis=1)
    x = float(np.sum((v - 1.0) ** 2) * length / (kappa - 1.0))
    var_t, k3_t = _scale_term_cumulants(rho, kappa, length)
    var = count * var_t
    sd = math.sqrt(var)
    gamma_skew = 2.0 * sd / count  # a gamma: lower end 0, like X itself
    upper = pearson3_tails(
        x, float(count), sd, count * k3_t / sd**3 if math.isfinite(k3_t) else gamma_skew
    )[0]
    lower = pearson3_tails(x, float(count), sd, gamma_skew)[1]
    p = two_sided(upper, lower)
    lo, hi = int(np.argmin(v)), int(np.argmax(v))
    detail = (
        f"mean squares of {what} (in claimed variances) range {fmt(v[lo])} ({what[:-1]} {lo}) to "
        f"{fmt(v[hi])} ({what[:-1]} {hi}); chi2-like {fmt(x)} vs {count:,} "
        f"(z = {(x - count) / math.sqrt(var):.3g})"
    )
    return TestResult(
        check,
        f"every {what[:-1]} has the claimed variance",
        (x - count) / math.sqrt(var),
        p,
        count,
        x,
        (x, x),
        float(count),
        detail,
    )


def _scale_term_cumulants(rho: np.ndarray | None, kappa: float, length: int) -> tuple[float, float]:
    """Variance and third cumulant of t = (ybar)² L / m2, ybar the mean of L iid y = z² - 1.

    Variance 2 and an unknown third cumulant (nan) when the law lacks the moments.
    """
    if rho is None or not np.isfinite(rho[8]):
        return 2.0, math.nan
    ell = float(length)

    def m(k: int) -> float:  # E[(z² - 1)^k]
        return float(sum(math.comb(k, j) * rho[2 * j] * (-1.0) ** (k - j) for j in range(k + 1)))

    m2 = kappa - 1.0
    e4 = (m(4) + 3.0 * (ell - 1.0) * m2 * m2) / ell**3
    et2 = ell * ell * e4 / (m2 * m2)
    if len(rho) <= 12 or not np.isfinite(rho[12]):
        return et2 - 1.0, math.nan
    e6 = (
        m(6)
        + 15.0 * (ell - 1.0) * m(4) * m2
        + 10.0 * (ell - 1.0) * m(3) ** 2
        + 15.0 * (ell - 1.0) * (ell - 2.0) * m2**3
    ) / ell**5
    et3 = ell**3 * e6 / m2**3
    return et2 - 1.0, et3 - 3.0 * et2 + 2.0
