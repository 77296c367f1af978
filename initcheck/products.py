"""Products of random matrices, on the log scale, and their closed forms.

The chapter multiplies a 4×4 N(0, 1) matrix by 100 more and watches the product
explode. Entries reach 1e21 and beyond, and for more factors or wider matrices
they overflow even float64, so :func:`log_product` rescales after every factor
and carries the scale in a separate log: the product is ``exp(log_scale) * M``.

Closed forms (n×n factors with iid N(0, σ²) entries):

* For any fixed nonzero vector x, ``‖G x‖² / ‖x‖² ~ σ² χ²_n``, independently of
  x's direction. So for a row or column of a product of k factors,
  ``ln ‖·‖² = Σ ln(σ² χ²_n)`` is a sum of k iid terms with

  - mean ``ln σ² + ln 2 + ψ(n/2)`` (ψ the digamma function),
  - variance ``ψ'(n/2)`` (the trigamma function).

  This gives the growth rate of the log-norm per factor,
  ``λ₁ = ½ (ln σ² + ln 2 + ψ(n/2))`` (the top Lyapunov exponent), and the
  exact mean and variance of the log row norm after k factors.
* ``E[‖G x‖²] = n σ² ‖x‖²``: at ``n σ² = 1`` the expected squared norm is kept
  exactly, through any number of factors, yet ``λ₁ < 0`` (Jensen's inequality):
  the typical norm shrinks like ``exp(k λ₁)``, with ``λ₁ ≈ -1/(2n)`` for large n.
* The whole Lyapunov spectrum is ``λ_i = ½ (ln σ² + ln 2 + ψ((n - i + 1)/2))``,
  so the condition number of the product grows like ``exp(k (λ₁ - λ_n))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from .errors import expected

__all__ = [
    "LogProduct",
    "log_norm_moments",
    "log_product",
    "lyapunov_exponent",
    "lyapunov_spectrum",
]

LN10 = math.log(10.0)


@dataclass(frozen=True)
class LogProduct:
    """Independent repeats of a random matrix product, kept on the log scale.

    The product of repeat r is ``exp(log_scale[r]) * mantissa[r]`` with
    ``max|mantissa[r]| = 1``.

    Attributes:
        mantissa: shape ``(repeats, n, n)``.
        log_scale: shape ``(repeats,)``, natural log.
        factors: how many matrices were multiplied (the first one included).
        std: the entries' standard deviation.
    """

    mantissa: np.ndarray
    log_scale: np.ndarray
    factors: int
    std: float

    @property
    def width(self) -> int:
        return int(self.mantissa.shape[-1])

    def log10_abs_entries(self) -> np.ndarray:
        """log10 |entry| of every entry, shape ``(repeats, n, n)`` (-inf for exact zeros)."""
        with np.errstate(divide="ignore"):
            return np.log10(np.abs(self.mantissa)) + self.log_scale[:, None, None] / LN10

    def log10_norm(self) -> np.ndarray:
        """log10 of the Frobenius norm of each product, shape ``(repeats,)``."""
        return np.log10(np.linalg.norm(self.mantissa, axis=(1, 2))) + self.log_scale / LN10

    def ln_row_norms(self) -> np.ndarray:
        """Natural log of the norm of every row, shape ``(repeats, n)``."""
        return np.log(np.linalg.norm(self.mantissa, axis=2)) + self.log_scale[:, None]


def log_product(
    width: int, factors: int, repeats: int, *, seed: int, std: float = 1.0, batch: int = 4096
) -> LogProduct:
    """Multiply ``factors`` iid N(0, std²) ``width×width`` matrices, ``repeats`` times.

    The book's experiment is ``log_product(4, 101, ...)``: a first matrix times
    100 more. Computed in float64, rescaled after every factor so nothing
    overflows; the repeats are independent and drawn from one seeded generator.

    Args:
        width: n, the side of each matrix.
        factors: how many matrices in each product (≥ 1).
        repeats: how many independent products.
        seed: seed of the generator.
        std: standard deviation of each entry.
        batch: how many repeats to draw at once (bounds memory).

    Raises:
        UsageError: a non-positive width, factors, repeats or std.
    """
    for name, v in (("width", width), ("factors", factors), ("repeats", repeats)):
        if not isinstance(v, int) or v < 1:
            raise expected(name, v, "a positive integer")
    if not std > 0:
        raise expected("std", std, "a positive number")
    rng = np.random.default_rng(seed)
    mantissas, scales = [], []
    for start in range(0, repeats, batch):
        r = min(batch, repeats - start)
        m = rng.normal(0.0, std, size=(r, width, width))
        log_scale = np.zeros(r)
        for _ in range(factors):
            s = np.abs(m).max(axis=(1, 2))
            m /= s[:, None, None]
            log_scale += np.log(s)
            if _ < factors - 1:
                m = m @ rng.normal(0.0, std, size=(r, width, width))
        mantissas.append(m)
        scales.append(log_scale)
    return LogProduct(np.concatenate(mantissas), np.concatenate(scales), factors, float(std))


def log_norm_moments(width: int, factors: int, std: float = 1.0) -> tuple[float, float]:
    """Exact mean and variance of ``ln ‖row‖`` of a product of ``factors`` matrices.

    ``ln ‖row‖ = ½ Σ_k ln(σ² χ²_n)``: mean ``k/2 (ln σ² + ln 2 + ψ(n/2))``,
    variance ``k/4 ψ'(n/2)``.

    >>> m, v = log_norm_moments(4, 101)
    >>> round(m / LN10, 2), round(math.sqrt(v) / LN10, 2)  # in decades
    (24.47, 1.75)
    """
    half = width / 2.0
    mean = factors / 2.0 * (math.log(std**2) + math.log(2.0) + float(special.digamma(half)))
    var = factors / 4.0 * float(special.polygamma(1, half))
    return mean, var


def lyapunov_exponent(width: int, std: float = 1.0) -> float:
    """Growth rate per factor of the log-norm, ``λ₁ = ½ (ln σ² + ln 2 + ψ(n/2))``.

    >>> round(lyapunov_exponent(4), 4)
    0.558
    >>> round(lyapunov_exponent(256, std=1 / 16), 5)  # n·σ² = 1: shrinks
    -0.00196
    """
    return log_norm_moments(width, 1, std)[0]


def lyapunov_spectrum(width: int, std: float = 1.0) -> np.ndarray:
    """All Lyapunov exponents ``λ_i = ½ (ln σ² + ln 2 + ψ((n - i + 1)/2))``, i = 1..n."""
    k = np.arange(width, 0, -1) / 2.0
    return 0.5 * (math.log(std**2) + math.log(2.0) + special.digamma(k))
