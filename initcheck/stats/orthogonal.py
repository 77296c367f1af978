"""Checks for (semi-)orthogonal matrices: exact orthogonality and Haar distribution.

A matrix q of shape (rows, cols, ...) is read as (rows, prod(rest)). It is
semi-orthogonal with gain g when its smaller Gram matrix (q qᵀ if rows ≤
cols, else qᵀ q) equals g² I. The Haar (uniform) law on such matrices has
exact marginals used by :func:`haar_test`:

- each row (rows ≤ cols) or column (rows > cols) is uniform on the sphere
  S^(N-1), N = max(rows, cols), so a fixed entry u = q_ij / g has
  ``(u + 1)/2 ~ Beta((N-1)/2, (N-1)/2)``;
- for square n×n, Haar on O(n): E[tr q/g] = 0 and E[(tr q/g)²] = 1 exactly
  (flipping the sign of one row keeps the law and flips one diagonal entry),
  and ``sign(det)`` is ±1 with probability 1/2 each (O(n), not SO(n)).

The classic bug, ``numpy.linalg.qr`` of a Gaussian matrix without the sign
fix of R's diagonal, is not Haar: LAPACK's Householder QR makes
``q11 = -|a11| / ||a_1||`` always negative, and ``det q = (-1)^(n-1)`` always
(n - 1 reflections). With 200 draws of 8×8 each statistic alone rejects
it: the determinant test at p = 2^-199 (every det is -1), the trace test
(mean trace ≈ -1.6 instead of 0, z ≈ -23) and the entry test (KS on q11,
p < 1e-40); tests/stats/test_stats_orthogonal.py measures it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from initcheck.errors import expected
from initcheck.stats._common import fmt, quantile_for_level
from initcheck.stats.result import DEFAULT_LEVEL, TestResult
from initcheck.stats.tails import normal_tails, two_sided

__all__ = ["default_orthogonality_rtol", "haar_test", "orthogonality_test"]

RTOL_FACTOR = _RTOL_FACTOR = (
    10.0  # tolerance = gain² · 10 · eps · sqrt(max(rows, cols)); measured QR errors are ≤ 1.1 of eps·sqrt
)


def _as_matrix(q: Any, name: str) -> np.ndarray:
    arr = np.asarray(q)
    if arr.ndim < 2 or arr.size == 0:
        raise expected(f"{name}.shape", arr.shape, "at least 2 non-empty dimensions (rows, cols, ...)")
    if arr.dtype.kind not in "biuf":
        raise expected(f"{name}.dtype", str(arr.dtype), "a real numeric dtype")
    return arr.reshape(arr.shape[0], -1)


def _check_gain(gain: Any) -> float:
    g = float(gain)
    if not (math.isfinite(g) and g != 0.0):
        raise expected("gain", gain, "a finite non-zero number")
    return abs(g)


def default_orthogonality_rtol(dtype: Any, rows: int, cols: int) -> float:
    """``10 · eps(dtype) · sqrt(max(rows, cols))`` (float64 eps for integer dtypes).

    ``_RTOL_FACTOR`` is public as :data:`RTOL_FACTOR` for callers that know the
    precision but not a numpy dtype.
    """
    dt = np.dtype(dtype)
    eps = float(np.finfo(dt).eps) if dt.kind == "f" else float(np.finfo(np.float64).eps)
    return _RTOL_FACTOR * eps * math.sqrt(max(rows, cols))


def orthogonality_test(q: Any, gain: float = 1.0, *, rtol: float | None = None) -> TestResult:
    """Exact check of H0: the smaller Gram matrix of q equals gain² I within tolerance.

    The Gram matrix is computed in float64; the tolerance on its largest
    entrywise deviation is ``gain² · rtol``, with ``rtol`` by default
    :func:`default_orthogonality_rtol` of q's dtype and shape.

    Returns:
        TestResult with pvalue 0.0 or 1.0, ``estimate`` = ``statistic`` = max
        |G - gain² I| / gain², ``expected`` = 0.0, ``n`` = number of entries.
    """
    g = _check_gain(gain)
    m = _as_matrix(q, "q")
    rows, cols = m.shape
    tol = default_orthogonality_rtol(np.asarray(q).dtype, rows, cols) if rtol is None else float(rtol)
    if not (math.isfinite(tol) and tol > 0):
        raise expected("rtol", rtol, "a positive number")
    a = m.astype(np.float64) / g
    null = f"q q^T = {fmt(g)}^2 I (smaller Gram matrix of the {rows}x{cols} matrix)"
    if not np.all(np.isfinite(a)):
        return TestResult(
            "orthogonal",
            null,
            math.inf,
            0.0,
            a.size,
            math.inf,
            (math.inf, math.inf),
            0.0,
            f"{int(np.count_nonzero(~np.isfinite(a))):,} entries are not finite",
        )
    with np.errstate(over="ignore", invalid="ignore"):  # huge entries: the Gram is inf, and rejected
        gram = a @ a.T if rows <= cols else a.T @ a
        dev = np.abs(gram - np.eye(gram.shape[0]))
    dev[np.isnan(dev)] = math.inf
    worst = float(dev.max())
    i, j = np.unravel_index(int(np.argmax(dev)), dev.shape)
    which = "q q^T" if rows <= cols else "q^T q"
    detail = (
        f"max |{which}/gain^2 - I| = {fmt(worst)} at ({i}, {j}) vs tolerance {fmt(tol)} "
        f"(shape {rows}x{cols}, gain {fmt(g)})"
    )
    return TestResult(
        "orthogonal",
        null,
        worst,
        0.0 if worst > tol else 1.0,
        a.size,
        worst,
        (worst, worst),
        0.0,
        detail,
    )


def _stack(draws: Any) -> np.ndarray:
    if isinstance(draws, np.ndarray):
        arr = draws
    else:
        items = [np.asarray(d) for d in draws]
        if not items or any(d.shape != items[0].shape for d in items):
            raise expected("draws", f"{len(items)} arrays", "a non-empty sequence of arrays of one shape")
        arr = np.stack(items)
    if arr.ndim < 3 or arr.shape[0] < 2:
        raise expected("draws.shape", arr.shape, "(draws >= 2, rows, cols, ...)")
    return arr.reshape(arr.shape[0], arr.shape[1], -1).astype(np.float64)


def haar_test(
    draws: Sequence[Any] | np.ndarray, gain: float = 1.0, *, dtype: Any = None, rtol: float | None = None
) -> list[TestResult]:
    """Test H0: independent draws are Haar-distributed (semi-)orthogonal matrices times gain.

    Args:
        draws: a stack (k, rows, cols, ...) or a sequence of k same-shape
            arrays, k ≥ 2, from independent seeds.
        gain: the claimed gain g.
        dtype: the precision the draws were computed in, which sets the
            orthogonality tolerance (default: the draws' own dtype; a float32
            QR is orthogonal only to ~1e-7).
        rtol: the orthogonality tolerance itself (overrides ``dtype``), e.g.
            for bfloat16, which has no numpy dtype.

    Returns:
        A list of TestResult:

        - ``haar-orthogonal`` (exact): :func:`orthogonality_test` on every
          draw; reports the worst.
        - ``haar-entry`` (N = max(rows, cols) ≥ 2): KS of (u + 1)/2 against
          Beta((N-1)/2, (N-1)/2) across draws for two fixed entries, the
          first and the last of the oriented matrix; Bonferroni over the two.
        - ``haar-trace`` (square, n ≥ 2): z = sum_k tr(q_k/g) / sqrt(k)
          (mean 0, variance 1 exactly; normal by the CLT), two-sided.
        - ``haar-det`` (square): exact two-sided binomial test that
          P(det > 0) = 1/2.
    """
    g = _check_gain(gain)
    first = draws[0] if not isinstance(draws, np.ndarray) and len(draws) else draws
    source = np.dtype(dtype) if dtype is not None else np.asarray(first).dtype
    arr = _stack(draws)
    _, rows, cols = arr.shape
    tol = default_orthogonality_rtol(source, rows, cols) if rtol is None else float(rtol)
    results = [_worst_orthogonality(arr, g, tol)]
    oriented = arr if rows <= cols else np.transpose(arr, (0, 2, 1))
    big = max(rows, cols)
    u = oriented / g
    if big >= 2:
        results.append(_entry_test(u, big))
    if rows == cols:
        if rows >= 2:
            results.append(_trace_test(u))
        results.append(_det_test(u))
    return results


def _worst_orthogonality(arr: np.ndarray, g: float, rtol: float) -> TestResult:
    each = [orthogonality_test(d, g, rtol=rtol) for d in arr]
    worst = max(each, key=lambda r: r.statistic)
    bad = sum(r.pvalue == 0.0 for r in each)
    detail = f"{bad:,} of {len(each):,} draws not orthogonal; worst: {worst.detail}"
    return TestResult(
        "haar-orthogonal",
        f"every draw: {worst.null}",
        worst.statistic,
        worst.pvalue,
        len(each),
        worst.estimate,
        worst.ci,
        0.0,
        detail,
    )


def _entry_test(u: np.ndarray, big: int) -> TestResult:
    half = (big - 1) / 2.0
    law = stats.beta(half, half)
    parts, pvalues, dists = [], [], []
    for label, vals in (("[0, 0]", u[:, 0, 0]), ("[-1, -1]", u[:, -1, -1])):
        res = stats.kstest((vals + 1.0) / 2.0, law.cdf)
        pvalues.append(float(res.pvalue))
        dists.append(float(res.statistic))
        parts.append(f"entry {label}: mean {fmt(vals.mean())}, KS D = {fmt(res.statistic)}, p = {fmt(res.pvalue)}")
    p = two_sided(min(pvalues), min(pvalues))
    null = f"(q_ij/gain + 1)/2 ~ Beta({fmt(half)}, {fmt(half)}) for fixed entries"
    d = max(dists)
    return TestResult("haar-entry", null, d, p, u.shape[0], d, (d, d), 0.0, "; ".join(parts))


def _trace_test(u: np.ndarray) -> TestResult:
    traces = np.trace(u, axis1=1, axis2=2)
    k = traces.size
    z = float(traces.sum() / math.sqrt(k))
    upper, lower = normal_tails(z)
    mean = float(traces.mean())
    half = quantile_for_level(DEFAULT_LEVEL) / math.sqrt(k)  # var(tr) = 1 under H0
    detail = f"mean trace {fmt(mean)} vs 0 (mean square {fmt(np.mean(traces**2))} vs 1; z = {z:.3g}, {k:,} draws)"
    return TestResult(
        "haar-trace",
        "E[tr(q/gain)] = 0 with Var = 1",
        z,
        two_sided(upper, lower),
        k,
        mean,
        (mean - half, mean + half),
        0.0,
        detail,
    )


def _det_test(u: np.ndarray) -> TestResult:
    signs = np.linalg.slogdet(u)[0]
    k = signs.size
    positive = int(np.count_nonzero(signs > 0))
    res = stats.binomtest(positive, k, 0.5)
    frac = positive / k
    ci = res.proportion_ci(confidence_level=DEFAULT_LEVEL, method="wilson")
    detail = f"{positive:,} of {k:,} draws have det > 0 (fraction {frac:.3f} vs 0.5)"
    return TestResult(
        "haar-det",
        "P(det q > 0) = 1/2",
        float(positive),
        float(min(1.0, res.pvalue)),
        k,
        frac,
        (float(ci.low), float(ci.high)),
        0.5,
        detail,
    )
