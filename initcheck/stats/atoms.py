"""Repeated values (atoms) in a sample of a continuous law, judged at the sample's precision.

Under H0 the values are iid draws of a continuous law rounded to nearest at a
floating-point format with ``p`` significand bits: a value near t lands in a
cell of width ``ulp(t)`` (``numpy.spacing``), and two draws coincide with
probability ``p2 = sum_cells P(cell)² ≈ ∫ f(t)² ulp(t) dt``. The number of
coincident pairs, ``sum_values c (c - 1) / 2`` over the values' counts c,
then has mean ``C(n,2) p2`` and variance
``C(n,2)(p2 - p2²) + 6 C(n,3)(p3 - p2²)`` with ``p3 ≈ ∫ f³ ulp² dt``. Its
upper tail is Poisson when that variance equals the mean (few coincidences),
else negative binomial with the same mean and variance (many coincidences,
e.g. float16, where pairs cluster on the same cells).

``slack_bits`` (default 4) makes the null grid 2^slack_bits times coarser
than the format's. Real samplers are not all "continuous, then rounded":
a float32 uniform built from 24 random bits scaled to (-a, a) has a grid that
is coarser than float32 near zero, and Box–Muller in float32 inherits it.
Cells of the coarse grid are unions of whole cells of the fine one, so the
pair count of a correct sampler is pointwise no larger than on the coarse
grid: with slack the test stays valid (conservative) and still sees gross
atoms — values piled on a few points, a coarse grid (say 2^-6), values stuck
at a bound — which make orders of magnitude more pairs.

bfloat16 is not a numpy dtype: pass ``precision_bits=8`` (significand bits
including the implicit one; its exponent range is float32's, the default
``min_exponent=-126``), or an array whose dtype is named ``bfloat16``
(ml_dtypes).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from initcheck.errors import expected
from initcheck.stats._common import as_sample, check_law, fmt, law_label, nonfinite_result
from initcheck.stats.result import TestResult

__all__ = ["DEFAULT_SLACK_BITS", "atoms_test", "coincidence_moments"]

DEFAULT_SLACK_BITS = 4  # null grid 16x coarser than the format's: covers fixed-point samplers
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(40)
_TAIL = 1e-16  # the law is integrated between its 1e-16 and 1 - 1e-16 quantiles
_MIN_EXPONENT = {11: -14, 24: -126, 53: -1022}  # float16, float32, float64; else bfloat16's -126


def _format(
    x_dtype: Any, dtype: Any, precision_bits: int | None, min_exponent: int | None
) -> tuple[int, int, str]:
    """(fraction bits, min normal exponent, label) of the format the values were rounded to."""
    if precision_bits is not None:
        if dtype is not None:
            raise expected("precision_bits", precision_bits, "None when dtype is given")
        if (
            isinstance(precision_bits, bool)
            or not isinstance(precision_bits, (int, np.integer))
            or not 2 <= precision_bits <= 64
        ):
            raise expected("precision_bits", precision_bits, "an int in [2, 64] (8 for bfloat16)")
        emin = (
            _MIN_EXPONENT.get(int(precision_bits), -126)
            if min_exponent is None
            else int(min_exponent)
        )
        return int(precision_bits) - 1, emin, f"{int(precision_bits)}-bit significand"
    if dtype is None:
        if getattr(x_dtype, "name", "") == "bfloat16":
            return 7, -126 if min_exponent is None else int(min_exponent), "bfloat16"
        dtype = x_dtype if np.issubdtype(x_dtype, np.floating) else np.float64
    try:
        info = np.finfo(dtype)
    except (TypeError, ValueError) as err:
        raise expected(
            "dtype", dtype, "a numpy floating dtype (use precision_bits for bfloat16)"
        ) from err
    emin = int(info.minexp) if min_exponent is None else int(min_exponent)
    return int(info.nmant), emin, np.dtype(dtype).name


def coincidence_moments(law: Any, frac_bits: int, min_exponent: int) -> tuple[float, float]:
    """``(p2, p3) ≈ (∫ f² ulp, ∫ f³ ulp²)`` for a grid with ``ulp(t) = 2^(e - frac_bits)``,
    e = max(floor(log2 |t|), min_exponent), by 40-point Gauss–Legendre per binade; for grids
    of at most 10 fraction bits (float16, bfloat16, float8) exactly, ``(sum P², sum P³)`` over
    the cells the law's values round to."""
    low, high = (float(b) for b in law.support())
    low = max(low, float(law.ppf(_TAIL)))
    high = min(high, float(law.isf(_TAIL)))
    top = max(abs(low), abs(high))
    if not top > 0:
        return 0.0, 0.0
    if frac_bits <= 10:
        from initcheck.precision import Precision, grid

        g = grid(Precision("grid", frac_bits + 1, min_exponent, 2.0 * top))
        g = np.concatenate([-g[:0:-1], g])
        mass = np.diff(np.asarray(law.cdf(np.concatenate([[-np.inf], (g[1:] + g[:-1]) / 2.0, [np.inf]]))))
        return float(np.sum(mass**2)), float(np.sum(mass**3))
    e_top = math.frexp(top)[1]  # top < 2^e_top
    exps = np.arange(min_exponent, e_top + 1)
    starts = np.ldexp(1.0, exps[:-1])
    ends = np.ldexp(1.0, exps[1:])
    ulps = np.ldexp(1.0, exps[:-1] - frac_bits)
    a = np.concatenate([[-(2.0**min_exponent)], starts, -ends])
    b = np.concatenate([[2.0**min_exponent], ends, -starts])
    h = np.concatenate([[2.0 ** (min_exponent - frac_bits)], ulps, ulps])
    a, b = np.maximum(a, low), np.minimum(b, high)
    keep = b > a
    a, b, h = a[keep], b[keep], h[keep]
    mid, half = (a + b) / 2.0, (b - a) / 2.0
    t = mid[:, None] + half[:, None] * _GL_NODES[None, :]
    f = np.asarray(law.pdf(t), dtype=np.float64)
    w = half[:, None] * _GL_WEIGHTS[None, :]
    p2 = float(np.sum(w * f**2 * h[:, None]))
    p3 = float(np.sum(w * f**3 * (h**2)[:, None]))
    return p2, p3


def atoms_test(
    x: Any,
    law: Any,
    dtype: Any = None,
    *,
    precision_bits: int | None = None,
    min_exponent: int | None = None,
    slack_bits: int = DEFAULT_SLACK_BITS,
) -> TestResult:
    """Test H0: repeated values are no more frequent than for ``law`` rounded to the format.

    Args:
        x: the sample (its values as stored; any float dtype).
        law: the claimed continuous law (frozen, with ``pdf``).
        dtype: the format the values were drawn in (default: ``x``'s dtype
            if floating, else float64).
        precision_bits: instead of ``dtype``, the significand bits
            (including the implicit bit): 8 for bfloat16, 11 for float16.
        min_exponent: smallest normal exponent (default: the dtype's; with
            ``precision_bits``, float16's -14 for 11 bits, float64's -1022
            for 53, else -126 as for float32 and bfloat16).
        slack_bits: the null grid is 2^slack_bits times coarser (see module docs).

    Returns:
        TestResult with ``statistic`` = ``estimate`` = observed coincident
        pairs, ``expected`` = their mean under H0, degenerate ``ci``;
        ``detail`` names the most repeated value. Non-finite values reject.

    Raises:
        UsageError: bad format arguments, a law without a density, empty sample.
    """
    check_law(law, needs=("pdf", "ppf", "isf", "support"))
    x_dtype = getattr(x, "dtype", np.dtype(np.float64))
    frac_bits, emin, label = _format(x_dtype, dtype, precision_bits, min_exponent)
    if (
        isinstance(slack_bits, bool)
        or not isinstance(slack_bits, (int, np.integer))
        or not 0 <= slack_bits <= frac_bits
    ):
        raise expected("slack_bits", slack_bits, f"an int in [0, {frac_bits}]")
    flat = as_sample(x)
    n = flat.size
    grid = f"{label} less {int(slack_bits)} bits" if slack_bits else label
    null = f"coincident values as for {law_label(law)} rounded to {grid}"
    n_bad = int(n - np.count_nonzero(np.isfinite(flat)))
    if n_bad:
        return nonfinite_result("atoms", null, n_bad, n, estimate=math.inf)
    values, counts = np.unique(flat, return_counts=True)
    c = counts.astype(np.float64)
    observed = int(np.sum(counts.astype(np.int64) * (counts.astype(np.int64) - 1) // 2))
    p2, p3 = coincidence_moments(law, frac_bits - int(slack_bits), emin)
    pairs, triples = n * (n - 1) / 2.0, n * (n - 1) * (n - 2) / 6.0
    mean = pairs * p2
    var = pairs * (p2 - p2 * p2) + 6.0 * triples * max(p3 - p2 * p2, 0.0)
    pvalue = _upper_tail(observed, mean, var)
    top = int(np.argmax(c))
    detail = (
        f"{observed:,} coincident pairs vs {fmt(mean)} expected for {law_label(law)} rounded to "
        f"{grid}; most repeated value {fmt(values[top])} (x{int(counts[top]):,}), "
        f"{values.size:,} distinct of {n:,}"
    )
    return TestResult(
        "atoms",
        null,
        float(observed),
        pvalue,
        n,
        float(observed),
        (float(observed), float(observed)),
        mean,
        detail,
    )


def _upper_tail(observed: int, mean: float, var: float) -> float:
    """P(pairs >= observed): Poisson, or negative binomial when over-dispersed."""
    if observed <= 0:
        return 1.0
    if not mean > 0:
        return 0.0
    if var <= mean * (1.0 + 1e-9):
        return float(stats.poisson.sf(observed - 1, mean))
    p = mean / var
    r = mean * p / (1.0 - p)
    return float(min(1.0, stats.nbinom.sf(observed - 1, r, p)))
