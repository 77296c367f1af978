"""The precision a sample was drawn in, and undoing its rounding for shape tests.

A correct float16 or bfloat16 initializer rounds every value to a coarse grid.
Moment tests barely notice (the rounding adds ~ulp²/12 of variance), but EDF
tests, support bounds and coincidence counts do. The verdict therefore knows
each sample's significand precision (bfloat16 arrives as float32 whose low 16
bits are all zero) and, for EDF tests on samples coarser than float32, spreads
each value uniformly over its rounding cell (seeded), which restores a
continuous sample with the claimed law up to a density change across one cell.
Float32 samples are spread too: a correct float32 uniform lands exactly on its
bound about once in 2^24 values, where an EDF test would see an impossible value.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dequantize", "precision_bits", "widen"]

_BITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}
EXACT_BITS = 53  # float64 values are taken as exact; coarser ones are spread over their cells


def precision_bits(arr: np.ndarray) -> int:
    """Significand bits (with the implicit bit) of the values in ``arr``.

    >>> precision_bits(np.ones(3, dtype=np.float16))
    11
    >>> precision_bits(np.array([1.5, -0.25], dtype=np.float32))  # bfloat16-representable
    8
    """
    bits = _BITS.get(arr.dtype, 53)
    if arr.dtype == np.float32 and arr.size and not np.any(arr.view(np.uint32) & np.uint32(0xFFFF)):
        return 8
    return bits


def widen(low: float, high: float, bits: int) -> tuple[float, float]:
    """[low, high] widened by one rounding step at ``bits`` of precision on each side."""
    step = 2.0 ** (1 - bits)
    return low - abs(low) * step, high + abs(high) * step


def dequantize(x: np.ndarray, bits: int, seed: int) -> np.ndarray:
    """Spread each value uniformly over its rounding cell at ``bits`` (float64 result).

    Float64 values come back unchanged.
    """
    v = np.asarray(x, dtype=np.float64)
    if bits >= EXACT_BITS:
        return v
    _, exp = np.frexp(v)
    ulp = np.ldexp(1.0, exp - bits)
    return v + ulp * (np.random.default_rng(seed).random(v.shape) - 0.5)
