"""The precision a sample was drawn in, and undoing its rounding for shape tests.

A correct bfloat16, float16 or float8 initializer rounds every value to a
coarse grid. EDF tests, support bounds and coincidence counts notice; so do
the moment tests at float8, where rounding adds ~0.1–2% to the variance. The
verdict therefore knows each sample's format as a :class:`Precision`: its
significand bits and its smallest normal exponent. Below ``2**min_exponent``
values are subnormal and the rounding cell is absolute (``2**(min_exponent -
bits + 1)``), not relative: an init with std 0.02 in float8_e4m3fn is largely
subnormal.

The format is read from the array's dtype (numpy's, or ml_dtypes' by name:
``bfloat16``, ``float8_e4m3fn``, ...), and for float32 arrays from their
values, since frameworks hand back bfloat16 and float8 tensors as float32:
bfloat16 when every value has 16 zero low bits, the float8 families when
every value fits 4 (e4m3) or 3 (e5m2) significand bits and the family's
exponent grid (a continuous float32 value has 16 zero low bits with
probability 2^-16: for a draw of many values the rule does not misfire).

For EDF tests on samples coarser than float64, :func:`dequantize` spreads each
value uniformly over its rounding cell (seeded), which restores a continuous
sample with the claimed law up to a density change across one cell. Float32
samples are spread too: a correct float32 uniform lands exactly on its bound
about once in 2^24 values, where an EDF test would see an impossible value.
For moment tests, :func:`rounding_excess` is what rounding adds to the 2nd and 4th
moments, exactly, from the claimed law and the format's grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import expected

__all__ = [
    "EXACT_BITS",
    "FORMATS",
    "Precision",
    "as_floats",
    "dequantize",
    "grid",
    "precision_bits",
    "precision_of",
    "rounding_excess",
    "untestable",
    "widen",
]

_SPREAD_KEY = 0x5D9EAD  # mixed into dequantize's seed
EXACT_BITS = 53  # float64 values are taken as exact; coarser ones are spread over their cells


@dataclass(frozen=True)
class Precision:
    """A floating-point format, as far as rounding to it matters.

    Attributes:
        name: the format's name (numpy's or ml_dtypes' dtype name).
        bits: significand bits, the implicit one included (24 for float32, 4 for float8_e4m3fn).
        min_exponent: the smallest normal exponent: values below ``2**min_exponent`` in
            magnitude are subnormal, on the absolute grid ``2**(min_exponent - bits + 1)``.
        max: the largest finite value.
    """

    name: str
    bits: int
    min_exponent: int
    max: float

    @property
    def exact(self) -> bool:
        """Whether values in this format are taken as exact (float64)."""
        return self.bits >= EXACT_BITS

    def cell(self, values: np.ndarray) -> np.ndarray:
        """The width of each value's rounding cell (float64): the spacing of the format's grid
        at ``|value|``, ``2**(e - bits + 1)`` with ``e = max(floor(log2 |value|), min_exponent)``."""
        v = np.asarray(values, dtype=np.float64)
        _, exp = np.frexp(v)  # |v| in [2^(exp-1), 2^exp); exp = 0 for zero
        e = np.where(v == 0, self.min_exponent, np.maximum(exp - 1, self.min_exponent))
        return np.ldexp(1.0, e - self.bits + 1)

    def cell_below(self, values: np.ndarray) -> np.ndarray:
        """The grid step below each ``|value|`` (float64): :meth:`cell`, but half of it at a
        power of two above the smallest normal, where the grid gets finer. A value ``g`` is
        what everything in ``[|g| - cell_below/2, |g| + cell/2]`` rounds to (mirrored for
        negative values)."""
        v = np.abs(np.asarray(values, dtype=np.float64))
        h = self.cell(v)
        mant, exp = np.frexp(v)
        edge = (mant == 0.5) & (exp - 1 > self.min_exponent)
        return np.where(edge, h / 2, h)


def _fmt(name: str, bits: int, min_exponent: int, top: float) -> tuple[str, Precision]:
    return name, Precision(name, bits, min_exponent, top)


#: the formats a draw may come in (ml_dtypes' are known by name, since it is not imported here)
FORMATS: dict[str, Precision] = dict([
    _fmt("float64", 53, -1022, float(np.finfo(np.float64).max)),
    _fmt("float32", 24, -126, float(np.finfo(np.float32).max)),
    _fmt("float16", 11, -14, 65504.0),
    _fmt("bfloat16", 8, -126, 3.3895313892515355e38),
    _fmt("float8_e4m3fn", 4, -6, 448.0),
    _fmt("float8_e4m3", 4, -6, 240.0),
    _fmt("float8_e4m3fnuz", 4, -7, 240.0),
    _fmt("float8_e4m3b11fnuz", 4, -10, 30.0),
    _fmt("float8_e5m2", 3, -14, 57344.0),
    _fmt("float8_e5m2fnuz", 3, -15, 57344.0),
    _fmt("float8_e3m4", 5, -2, 15.5),
    _fmt("float8_e5m3fnu", 4, -14, 114688.0),
])

#: formats a draw may not come in, and why: no law of an initializer can be tested at them
_UNTESTABLE = {
    "float8_e8m0fnu": "holds only positive powers of two (no sign, no significand bits): a scale format, "
    "no law of an initializer can be tested at it",
    "float4_e2m1fn": "has 8 magnitudes (2 significand bits, from 0.5 to 6): a block-scaled (MX) format, "
    "too coarse to test a law at",
    "float6_e2m3fn": "has 4 significand bits over 4 binades (0.125 to 7.5): a block-scaled (MX) format, "
    "too coarse to test a law at",
    "float6_e3m2fn": "has 3 significand bits over 8 binades (0.0625 to 28): a block-scaled (MX) format, "
    "too coarse to test a law at",
}

# float32 values that fit a coarser format, tried coarsest first: (significand bits, formats of that
# width from the largest smallest-normal exponent down); bfloat16 is the fallback at <= 8 bits
_FAMILIES = (
    (3, ("float8_e5m2", "float8_e5m2fnuz")),
    (4, ("float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz")),
)


def untestable(dtype: np.dtype) -> str | None:
    """Why a draw of ``dtype`` cannot be tested (one clause), or None if it can."""
    return _UNTESTABLE.get(np.dtype(dtype).name)


def as_floats(arr: np.ndarray) -> np.ndarray:
    """``arr`` as a numpy float array: ml_dtypes' formats (bfloat16, float8) become float32,
    which holds each of them exactly; numpy's own floats come back as they are."""
    if arr.dtype.name in FORMATS and arr.dtype.name not in ("float16", "float32", "float64"):
        return arr.astype(np.float32)
    return arr


def _float32_format(arr: np.ndarray) -> Precision:
    """The coarsest format every value of a float32 array fits (float32 if none is coarser)."""
    u = arr.reshape(-1).view(np.uint32)
    if np.any(u & np.uint32(0xFFFF)):
        return FORMATS["float32"]
    finite = np.isfinite(arr.reshape(-1))
    u = u[finite & (u & np.uint32(0x7FFFFFFF) != 0)]  # the nonzero finite values
    if u.size == 0:
        return FORMATS["bfloat16"]
    top = float(np.max(np.abs(u.view(np.float32))))
    if not np.any((u >> np.uint32(23)) & np.uint32(0xFF) == 0):  # no float32 subnormals
        sig = ((u & np.uint32(0x7FFFFF)) | np.uint32(0x800000)).astype(np.int64)
        low = np.frexp((sig & -sig).astype(np.float64))[1] - 1  # trailing zero bits of the significand
        width = 24 - int(low.min())  # significand bits the values need
        # the finest grid step among the values: 2^(exponent - 23 + trailing zeros)
        finest = int(np.min(((u >> np.uint32(23)) & np.uint32(0xFF)).astype(np.int64) - 150 + low))
        for bits, names in _FAMILIES:
            if width > bits:
                continue
            for name in names:
                p = FORMATS[name]
                if p.min_exponent - p.bits + 1 <= finest and top <= p.max:
                    return p
    return FORMATS["bfloat16"]


def precision_of(arr: np.ndarray) -> Precision:
    """The format the values of ``arr`` were rounded to.

    >>> precision_of(np.ones(3, dtype=np.float16)).name
    'float16'
    >>> precision_of(np.array([1.5, -0.25, 0.3], dtype=np.float32)).name
    'float32'
    >>> x = np.array([1.5, -0.25, 0.3125], dtype=np.float32)  # 3 significand bits
    >>> precision_of(x).name
    'float8_e5m2'
    """
    name = arr.dtype.name
    if name == "float32" and arr.size:
        return _float32_format(arr)
    return FORMATS.get(name, FORMATS["float64"])


def precision_bits(arr: np.ndarray) -> int:
    """Significand bits (with the implicit bit) of the values in ``arr``: ``precision_of(arr).bits``.

    >>> precision_bits(np.ones(3, dtype=np.float16))
    11
    >>> precision_bits(np.array([1.0078125, -0.25], dtype=np.float32))  # 1 + 2^-7: bfloat16
    8
    """
    return precision_of(arr).bits


def _precision(p: Precision | int) -> Precision:
    """A :class:`Precision`, or significand bits with float32's exponent range (float64's at 53)."""
    if isinstance(p, Precision):
        return p
    bits = int(p)
    return Precision(f"{bits}-bit", bits, -1022 if bits >= EXACT_BITS else -126, float(np.finfo(np.float64).max))


def widen(low: float, high: float, precision: Precision | int) -> tuple[float, float]:
    """[low, high] widened by one rounding step at ``precision`` on each side (a
    :class:`Precision`, or significand bits): relative to the bound, or the subnormal grid
    step if that is larger."""
    p = _precision(precision)
    step = 2.0 ** (1 - p.bits)
    tiny = 2.0 ** (p.min_exponent - p.bits + 1) if not p.exact else 0.0
    return low - max(abs(low) * step, tiny if low else 0.0), high + max(abs(high) * step, tiny if high else 0.0)


def dequantize(
    x: np.ndarray, precision: Precision | int, seed: int, low: float = -math.inf, high: float = math.inf
) -> np.ndarray:
    """Spread each value uniformly over its rounding cell at ``precision`` (float64 result).

    A value's cell is what rounds to it: relative to the value for normal values (halved
    below a power of two, where the grid gets finer), the absolute subnormal step below
    ``2**min_exponent``. A cell that straddles the law's support ``[low, high]`` is cut to
    it (the values that round there came from inside); a cell wholly outside is kept, so
    a value outside stays outside. ``precision`` is a :class:`Precision` or significand
    bits (with float32's exponent range). Float64 values come back unchanged.
    """
    p = _precision(precision)
    v = np.asarray(x, dtype=np.float64)
    if p.exact:
        return v
    above, below = p.cell(v), p.cell_below(v)
    neg = v < 0
    lo = np.where(neg, v - above / 2, v - below / 2)  # away from zero the cell is `above` wide
    hi = np.where(neg, v + below / 2, v + above / 2)
    cut_lo, cut_hi = np.maximum(lo, low), np.minimum(hi, high)
    inside = cut_lo < cut_hi
    lo, hi = np.where(inside, cut_lo, lo), np.where(inside, cut_hi, hi)
    # the spread's stream is keyed apart from ``seed``'s own: a sampler drawing from
    # default_rng(seed) would otherwise put its values and their spreads in lockstep
    rng = np.random.default_rng([int(seed), _SPREAD_KEY])
    return lo + (hi - lo) * rng.random(v.shape)


def grid(precision: Precision) -> np.ndarray:
    """Every non-negative finite value of the format, ascending (float64; float16 and coarser)."""
    p = precision
    if p.bits > 11:
        raise expected("precision", p.name, "a format of at most 11 significand bits (float16, bfloat16, float8)")
    half = 2 ** (p.bits - 1)
    sub = np.arange(half, dtype=np.float64) * 2.0 ** (p.min_exponent - p.bits + 1)  # 0 and the subnormals
    top = math.frexp(p.max)[1] - 1
    mant = 1.0 + np.arange(half, dtype=np.float64) / half
    normal = (mant[None, :] * np.ldexp(1.0, np.arange(p.min_exponent, top + 1))[:, None]).reshape(-1)
    return np.concatenate([sub, normal[normal <= p.max]])


def rounding_excess(law: Any, precision: Precision, center: float | None = None) -> tuple[float, float]:
    """What rounding to ``precision`` adds to the 2nd and 4th moments of ``law`` about ``center``.

    ``(E[(R - c)**2] - E[(X - c)**2], E[(R - c)**4] - E[(X - c)**4])`` for X ~ ``law``
    (a frozen scipy law with a cdf and finite 4th moment), R = X rounded to nearest in the
    format (subnormals included) and c = ``center`` (default: the law's mean). Exact: the
    rounded law's masses are the law's cdf between the midpoints of the format's grid.
    A sample's mean square and mean fourth power about c, less these, estimate the
    unrounded law's: that is how the moment tests are made exact at bfloat16 and float8.
    Zero for formats finer than float16 (the excess is then below 2^-46 relative).

    Sheppard's h²/12 per value (h the cell of each value) is not this: on a floating-point
    grid the cells halve at every power of two, and values just above one round down to it,
    which lowers the variance by about as much as Sheppard's term raises it (a normal law
    rounded to float8_e4m3fn loses 0.07% of its variance, to float8_e5m2 0.3%).

    >>> from scipy import stats
    >>> d2, d4 = rounding_excess(stats.norm(0, 1), FORMATS["float8_e5m2"])
    >>> bool(-0.004 < d2 < -0.002)
    True
    """
    from .stats.lawmoments import standardized_moments

    c = float(law.mean()) if center is None else float(center)
    if precision.bits > 11:
        return 0.0, 0.0
    g = grid(precision)
    g = np.concatenate([-g[:0:-1], g])  # both signs, zero once
    if precision.name.endswith("fnu"):  # unsigned formats: no negative values
        g = g[g >= 0]
    edges = np.concatenate([[-np.inf], (g[1:] + g[:-1]) / 2.0, [np.inf]])
    mass = np.diff(np.asarray(law.cdf(edges), dtype=np.float64))
    mu, var = float(law.mean()), float(law.var())
    d = mu - c
    rho = standardized_moments(law, 4)
    m3 = float(rho[3]) * var**1.5 if np.isfinite(rho[3]) else 0.0
    exact2 = var + d * d
    exact4 = float(rho[4]) * var * var + 4.0 * m3 * d + 6.0 * var * d * d + d**4
    r = g - c
    return float(np.sum(mass * r * r)) - exact2, float(np.sum(mass * r**4)) - exact4
