"""From draws of one shape to a description: which kind of law, its scale with intervals.

:func:`~initcheck.identification.core.describe_draws` never calls a sampler: it is given the arrays (one per seed)
and decides, in this order, with these thresholds:

1. **constant**: every value of every draw is the same number (exact).
2. **fixed**: at least two draws and all of them identical, but not constant (exact):
   loaded or deterministic weights, which no random law of the grammar explains.
3. **orthogonal**: the matrix the shape is seen as (:func:`initcheck.fans.matrix_shape`)
   has a smaller Gram matrix equal to ``g² I`` within float tolerance
   (``initcheck.stats.orthogonal.default_orthogonality_rtol``) in every draw, with one gain
   ``g`` (exact up to rounding; iid draws miss it by about ``1/sqrt(cols)``).
4. **an iid family** among normal, uniform and truncated normal (symmetric cut at
   ``±c`` parent sds), each fitted to the pooled values (mean, sd, bound) and tested by
   Kolmogorov-Smirnov at ``ALPHA_FAMILY``. With fitted parameters the KS null law is
   stochastically smaller than the tabled one, so the tabled p-value is conservative: the
   true family is rejected with probability at most ``ALPHA_FAMILY``. The normal is also
   tested on its largest value: ``P(max |x - m| / s <= r)`` for ``n`` normal values is
   ``(1 - 2 Phi(-r))^n``, so a sample whose tails are cut short (a truncated or uniform
   law) or too long is rejected at ``ALPHA_FAMILY`` each way. The ratio ``r = max|x - m|/s``
   also fits the cut: a normal cut at ``±c`` has ``r = c / sd(c)``, increasing from
   ``sqrt(3)`` (the uniform limit) to infinity, so ``c`` is solved from ``r``.
   The chosen family is the first of normal, uniform, truncated normal that is not
   rejected (the one-parameter laws before the two-parameter one); none of them: ``none``.

The scale: the mean with its interval ``m ± z s / sqrt(n)`` and the sd with its interval
from the variance's closed-form spread (chi-square for a normal; ``s² (1 ± z sqrt((κ - 1)/n))``
with the family's kurtosis ``κ`` otherwise), at level ``1 - ALPHA_INTERVAL``. Each
description also states the smallest relative variance error its ``n`` values detect at
power 0.999 (:func:`initcheck.stats.power_variance`, at ``ALPHA_FAMILY``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from ..errors import expected
from ..fans import matrix_shape
from ..precision import as_floats
from ..stats import power_variance
from ..stats.orthogonal import default_orthogonality_rtol

__all__ = [
    "ALPHA_FAMILY",
    "ALPHA_INTERVAL",
    "POWER",
    "FamilyFit",
    "DrawSummary",
    "ShapeDescription",
    "describe_draws",
    "detectable_error",
    "truncated_kurtosis",
    "truncated_ratio",
]

ALPHA_FAMILY = 1e-6  # false rejection of the true family, per test (KS, each tail of the max)
ALPHA_INTERVAL = 1e-6  # every interval is at level 1 - ALPHA_INTERVAL (two-sided)
POWER = 0.999  # the power at which the detectable variance error is stated
MAX_CUT = 6.0  # a cut beyond 6 parent sds (mass 2e-9 outside) is no truncation to speak of
KINDS = ("constant", "fixed", "orthogonal", "normal", "uniform", "truncated_normal", "none")


def _z() -> float:
    return float(stats.norm.isf(ALPHA_INTERVAL / 2))


def _tn_moments(c: float) -> tuple[float, float]:
    """Second and fourth moments of N(0, 1) cut to [-c, c] (``I_k = -2 c^(k-1) φ(c) + (k-1) I_(k-2)``)."""
    mass = float(special.erf(c / math.sqrt(2)))
    phi = float(stats.norm.pdf(c))
    i2 = mass - 2 * c * phi
    i4 = -2 * c**3 * phi + 3 * i2
    return i2 / mass, i4 / mass


def truncated_ratio(c: float) -> float:
    """``c / sd``: the largest |value| of N(0, 1) cut at ±c over its sd (√3 as c → 0).

    >>> f"{truncated_ratio(2.0):.4f}"
    '2.2737'
    """
    return c / math.sqrt(_tn_moments(c)[0])


def truncated_kurtosis(c: float) -> float:
    """The (non-excess) kurtosis of N(0, 1) cut at ±c: 1.8 as c → 0, 3 as c → ∞.

    >>> f"{truncated_kurtosis(2.0):.4f}"
    '2.3655'
    """
    m2, m4 = _tn_moments(c)
    return m4 / m2**2


def _cut_from_ratio(r: float) -> float | None:
    """The cut ``c`` with ``truncated_ratio(c) = r``; None when r is at the uniform limit or beyond MAX_CUT."""
    if r <= truncated_ratio(1e-3) or r >= truncated_ratio(MAX_CUT):
        return None
    return float(optimize.brentq(lambda c: truncated_ratio(c) - r, 1e-3, MAX_CUT, xtol=1e-12))


@dataclass(frozen=True)
class FamilyFit:
    """One candidate family fitted to the pooled values and tested.

    Attributes:
        family: ``normal``, ``uniform`` or ``truncated_normal``.
        statistic: the KS distance to the fitted law.
        pvalue: the smallest p-value of its tests (KS, and for the normal the max test).
        rejected: whether ``pvalue < ALPHA_FAMILY``.
        detail: the fitted parameters and the tests, in words.
    """

    family: str
    statistic: float
    pvalue: float
    rejected: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"family": self.family, "statistic": self.statistic, "pvalue": self.pvalue,
                "rejected": self.rejected, "detail": self.detail}


@dataclass(frozen=True)
class ShapeDescription:
    """What the draws of one shape look like.

    Attributes:
        shape: the shape drawn.
        draws: arrays drawn (one per seed).
        n: values in all.
        kind: one of ``constant``, ``fixed``, ``orthogonal``, ``normal``, ``uniform``,
            ``truncated_normal``, ``none``.
        mean: the sample mean.
        mean_interval: its interval at level ``1 - ALPHA_INTERVAL``.
        std: the sample sd (for ``orthogonal`` the gain over ``sqrt(cols)``, for the others as drawn).
        std_interval: its interval (None where it is exact: constant, fixed, orthogonal).
        kurtosis: the sample's non-excess kurtosis (None for a constant).
        ratio: ``max |x - mean| / sd`` (None for a constant).
        value: the constant (``constant``).
        gain: the orthogonal gain (``orthogonal``).
        cut: the truncated normal's cut in parent sds (``truncated_normal``), with ``cut_interval``.
        cut_interval: the cut's interval, from the sd's.
        fits: every iid family tried (empty for constant, fixed, orthogonal).
        detectable: the smallest relative variance error these values detect at power 0.999
            (None where the draws are exact).
        reason: how the kind was decided, in one sentence.
    """

    shape: tuple[int, ...]
    draws: int
    n: int
    kind: str
    mean: float
    mean_interval: tuple[float, float]
    std: float
    std_interval: tuple[float, float] | None
    kurtosis: float | None
    ratio: float | None
    reason: str
    value: float | None = None
    gain: float | None = None
    cut: float | None = None
    cut_interval: tuple[float, float] | None = None
    fits: tuple[FamilyFit, ...] = field(default=())
    detectable: float | None = None

    @property
    def family_kurtosis(self) -> float:
        """The kurtosis of the chosen family (the sample's for ``none``)."""
        if self.kind == "uniform":
            return 1.8
        if self.kind == "truncated_normal" and self.cut is not None:
            return truncated_kurtosis(self.cut)
        if self.kind == "none" and self.kurtosis is not None:
            return max(self.kurtosis, 1.0 + 1e-9)
        return 3.0

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "shape": list(self.shape), "draws": self.draws, "n": self.n, "kind": self.kind,
            "mean": self.mean, "mean_interval": list(self.mean_interval), "std": self.std,
            "std_interval": None if self.std_interval is None else list(self.std_interval),
            "kurtosis": self.kurtosis, "ratio": self.ratio, "value": self.value, "gain": self.gain,
            "cut": self.cut, "cut_interval": None if self.cut_interval is None else list(self.cut_interval),
            "detectable": self.detectable, "reason": self.reason, "fits": [f.to_dict() for f in self.fits],
        }


def detectable_error(n: int, kurtosis: float) -> float:
    """The smallest relative variance error ``d > 0`` that ``n`` values detect at power 0.999
    (:func:`initcheck.stats.power_variance` at ``ALPHA_FAMILY``, two-sided).

    >>> f"{detectable_error(323_504, 3.0):.4f}"
    '0.0200'
    """
    if power_variance(n, 10.0, ALPHA_FAMILY, kurtosis=kurtosis) < POWER:
        return math.inf
    return float(optimize.brentq(
        lambda d: power_variance(n, d, ALPHA_FAMILY, kurtosis=kurtosis) - POWER, 1e-9, 10.0, xtol=1e-10))


def _ks(x: np.ndarray, law: Any) -> tuple[float, float]:
    r = stats.ks_1samp(x, law.cdf, method="asymp")
    return float(r.statistic), float(r.pvalue)


def _fits(x: np.ndarray, n: int, m: float, s: float, r: float) -> tuple[FamilyFit, ...]:
    """The families fitted to ``n`` values of mean ``m``, sd ``s`` and ``max |x - m| / s = r``,
    their KS tests on the sample ``x``."""
    fits = []
    # normal: KS, and the largest |value| (too short or too long tails)
    d, p = _ks(x, stats.norm(m, s))
    tail = 2 * float(stats.norm.sf(r))
    log_short = n * math.log1p(-tail)  # log P(max <= r) for n normal values
    p_short = math.exp(log_short)
    p_long = -math.expm1(log_short)
    p_normal = min(p, p_short, p_long)
    fits.append(FamilyFit("normal", d, p_normal, p_normal < ALPHA_FAMILY,
                          f"N({m:.6g}, {s:.6g}²): KS D = {d:.4g} (p = {p:.3g}); largest |x - m| = {r:.3f} sd "
                          f"(p = {p_short:.3g} that n normal values reach no further, {p_long:.3g} further)"))
    # uniform: bound from the largest |value|
    b = r * s * (1 + 1 / n)
    d, p = _ks(x, stats.uniform(m - b, 2 * b))
    fits.append(FamilyFit("uniform", d, p, p < ALPHA_FAMILY,
                          f"U({m - b:.6g}, {m + b:.6g}) (max/sd {r:.4f}; √3 = 1.7321): KS D = {d:.4g} (p = {p:.3g})"))
    # truncated normal: the cut from the ratio
    c = _cut_from_ratio(r)
    if c is None:
        fits.append(FamilyFit("truncated_normal", math.nan, 0.0, True,
                              f"max/sd = {r:.4f} is no cut normal's (√3 < ratio < {truncated_ratio(MAX_CUT):.3f} "
                              f"for a cut in (0, {MAX_CUT:g}) sds)"))
    else:
        parent = r * s / c
        d, p = _ks(x, stats.truncnorm(-c, c, loc=m, scale=parent))
        fits.append(FamilyFit("truncated_normal", d, p, p < ALPHA_FAMILY,
                              f"N({m:.6g}, {parent:.6g}²) cut at ±{c:.4f} parent sds: KS D = {d:.4g} (p = {p:.3g})"))
    return tuple(fits)


def _std_interval(s: float, n: int, kind: str, kurtosis: float) -> tuple[float, float]:
    if kind == "normal":
        lo = s * math.sqrt((n - 1) / float(stats.chi2.isf(ALPHA_INTERVAL / 2, n - 1)))
        hi = s * math.sqrt((n - 1) / float(stats.chi2.ppf(ALPHA_INTERVAL / 2, n - 1)))
        return lo, hi
    half = _z() * math.sqrt((kurtosis - 1) / n)
    return s / math.sqrt(1 + half), s / math.sqrt(max(1 - half, 1e-12))


CHUNK = 1 << 22  # values processed at once: temporaries stay ~32 MB whatever the parameter's size
FINGERPRINT = 4096  # positions compared between draws (with the exact sums) to tell identical draws


class DrawSummary:
    """What :func:`describe_draws` needs of draws, gathered one draw at a time, in bounded memory.

    Exact over every value: the count, the first value and whether all equal it (constant),
    the centred power sums of order 1 and 2 (mean, sd), the extremes (``max |x - m|``),
    whether each draw equals the first (its exact sums and its values at ``FINGERPRINT``
    positions: random draws agree there with probability 0), and whether each draw is
    (semi-)orthogonal times one gain (its vectors' norms first, the Gram matrix only if they
    are equal). The family tests and the kurtosis use a sample of at most ``capacity`` values
    (every value when they fit; None: keep all): each draw gives the values at evenly spaced
    positions from a random start (under iid draws any positions fixed in advance are a random
    sample), and the pooled sample is thinned at random positions back to the capacity.

    >>> import numpy as np
    >>> s = DrawSummary((64, 64), capacity=1000, seed=0)
    >>> rng = np.random.default_rng(1)
    >>> for _ in range(3): s.add(rng.normal(0, 0.02, (64, 64)))
    >>> d = s.describe()
    >>> d.kind, d.n, f"{d.std:.3f}"
    ('normal', 12288, '0.020')
    """

    def __init__(self, shape: Sequence[int], layout: str = "torch", *, capacity: int | None = None,
                 seed: int = 0) -> None:
        self.shape = tuple(int(d) for d in shape)
        self.layout = layout
        self.capacity = capacity
        self.rng = np.random.default_rng([seed, 0x1D5])
        self.draws = 0
        self.n = 0
        self.first: float | None = None
        self.constant = True
        self.shift = 0.0
        self.sums = np.zeros(2)
        self.last: tuple[int, float, float] = (0, 0.0, 0.0)  # the last draw's n, Σ(x - shift), Σ(x - shift)²
        self.low, self.high = math.inf, -math.inf
        self.identical = True  # every draw equals the first (so far)
        self.finite = True  # no NaN or infinite value so far
        self._print: tuple[float, float, np.ndarray] | None = None
        self._positions: np.ndarray | None = None
        self.gains: list[float] | None = [] if self._may_be_orthogonal() else None
        self.dtype: Any = None
        self._sample: list[np.ndarray] = []
        self._kept = 0

    def _may_be_orthogonal(self) -> bool:
        if len(self.shape) < 2:
            return False
        return min(matrix_shape(self.shape, self.layout)) >= 2

    def add(self, a: Any) -> None:
        """Take one draw (an array of the summary's shape).

        Raises:
            UsageError: a draw of another shape or with no values.
        """
        raw = np.asarray(a)
        if raw.shape != self.shape:
            raise expected("draws", raw.shape, f"arrays of one shape {self.shape}")
        if raw.size == 0:
            raise expected("draws", self.shape, "arrays with at least one value")
        with np.errstate(all="ignore"):  # uninitialized memory: huge values, signalling NaNs
            self._add(raw)

    def _add(self, raw: np.ndarray) -> None:
        self.dtype = raw.dtype
        flat = as_floats(raw).reshape(-1)
        if self.first is None:
            self.first = float(flat[0])
            self.shift = float(np.mean(flat[: min(flat.size, CHUNK)], dtype=np.float64))
            if not math.isfinite(self.shift):
                self.shift = 0.0
        if self.first is not None and not math.isfinite(self.first):
            self.constant = False  # NaN equals nothing, not even itself
        sums = np.zeros(2)
        low, high, constant = math.inf, -math.inf, self.constant
        for i in range(0, flat.size, CHUNK):
            x = flat[i:i + CHUNK]
            if constant:
                constant = bool(np.all(x == self.first))
            lo, hi = float(x.min()), float(x.max())  # NaN if any value is NaN
            if not (math.isfinite(lo) and math.isfinite(hi)):
                self.finite = False
            low, high = min(low, lo), max(high, hi)
            with np.errstate(invalid="ignore", over="ignore"):
                d = x.astype(np.float64) - self.shift if self.shift else x.astype(np.float64, copy=False)
                sums += (d.sum(), np.dot(d, d))
        self.last = (flat.size, float(sums[0]), float(sums[1]))
        self.constant = constant
        self.low, self.high = min(self.low, low), max(self.high, high)
        self.sums += sums
        self.n += flat.size
        self.draws += 1
        self._fingerprint(flat, sums)
        if self.gains is not None:
            self._orthogonal(flat)
        self._keep(flat)

    def _fingerprint(self, flat: np.ndarray, sums: np.ndarray) -> None:
        if self._positions is None:
            k = min(flat.size, FINGERPRINT)
            self._positions = np.sort(self.rng.choice(flat.size, k, replace=False)) if flat.size <= 1 << 20 \
                else np.arange(k) * (flat.size // k) + int(self.rng.integers(flat.size // k))
        values = flat[self._positions].astype(np.float64)
        mark = (float(sums[0]), float(sums[1]), values)
        if self._print is None:
            self._print = mark
        elif self.identical:
            s0, s1, v = self._print
            self.identical = s0 == mark[0] and s1 == mark[1] and bool(np.array_equal(v, values))

    def _orthogonal(self, flat: np.ndarray) -> None:
        assert self.gains is not None
        rows, cols = matrix_shape(self.shape, self.layout)
        m = flat.reshape(rows, cols)
        vectors = m if rows <= cols else m.T  # the smaller set of vectors: orthogonal ones, each of norm g
        tol = default_orthogonality_rtol(self.dtype, rows, cols)
        norms = np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64)
        g2 = float(norms.mean())
        if not g2 > 0 or float(np.max(np.abs(norms / g2 - 1))) > tol:
            self.gains = None
            return
        v = vectors.astype(np.float64, copy=False)
        gram = v @ v.T
        if float(np.max(np.abs(gram / g2 - np.eye(gram.shape[0])))) > tol:
            self.gains = None
            return
        self.gains.append(math.sqrt(g2))

    def _keep(self, flat: np.ndarray) -> None:
        cap = self.capacity
        if cap is None or flat.size <= cap:
            part = flat.astype(np.float64)
        else:
            step = flat.size // cap
            part = flat[int(self.rng.integers(step)):: step][:cap].astype(np.float64)
        self._sample.append(part)
        self._kept += part.size
        if cap is not None and self._kept > cap:  # thin the whole sample uniformly back to the capacity
            pooled = np.concatenate(self._sample)
            self._sample = [pooled[self.rng.choice(pooled.size, cap, replace=False)]]
            self._kept = cap

    @property
    def sample(self) -> np.ndarray:
        """The values the family tests run on."""
        return np.concatenate(self._sample) if self._sample else np.zeros(0)

    def _moments(self) -> tuple[float, float, float]:
        n = self.n
        s1, s2 = (float(v) / n for v in self.sums)
        m = self.shift + s1
        var = max(s2 - s1 * s1, 0.0)
        x = self.sample
        with np.errstate(invalid="ignore", over="ignore"):
            kurt = float(np.mean(((x - m) ** 2) ** 2) / var**2) if var > 0 and x.size else math.nan
        return m, math.sqrt(var), kurt

    def describe(self) -> ShapeDescription:
        """The description of every draw taken (:func:`describe_draws`'s decisions).

        Raises:
            UsageError: no draw was taken.
        """
        if self.draws == 0 or self.first is None:
            raise expected("draws", [], "at least one array")
        dims, n, k, first = self.shape, self.n, self.draws, self.first
        if self.constant:
            return ShapeDescription(dims, k, n, "constant", first, (first, first), 0.0, None, None, None,
                                    f"all {n:,} values of {k} draw(s) are exactly {first:.10g}", value=first)
        m, s, kurt = self._moments()
        if not (self.finite and math.isfinite(m) and math.isfinite(s)):
            return ShapeDescription(dims, k, n, "none", m, (m, m), s, None, None, None,
                                    "the values are not all finite (NaN or infinite: uninitialized memory?)")
        r = max(self.high - m, m - self.low) / s if s > 0 else math.inf
        z = _z()
        mean_interval = (m - z * s / math.sqrt(n), m + z * s / math.sqrt(n))
        common: dict[str, Any] = dict(shape=dims, draws=k, n=n, mean=m, mean_interval=mean_interval, std=s,
                                      kurtosis=kurt, ratio=r)
        if k >= 2 and self.identical:
            return ShapeDescription(kind="fixed", std_interval=None,
                                    reason=f"all {k} draws (different seeds) are identical: the values do not "
                                    "depend on the seed (loaded or deterministic)", **common)
        if self.gains:
            g = float(np.mean(self.gains))
            tol = default_orthogonality_rtol(self.dtype, *matrix_shape(dims, self.layout))
            if max(abs(x / g - 1) for x in self.gains) <= tol:
                rows, cols = matrix_shape(dims, self.layout)
                return ShapeDescription(kind="orthogonal", std_interval=None, gain=g,
                                        reason=f"every draw, seen as {rows}x{cols}, is orthogonal times {g:.10g} "
                                        "within float tolerance", **common)
        return _family(self.sample, n, m, s, kurt, r, self.high - m, m - self.low, common)


def _family(x: np.ndarray, n: int, m: float, s: float, kurt: float, r: float, up: float, down: float,
            common: dict[str, Any]) -> ShapeDescription:
    """The iid family of the values (tested on the sample ``x``; moments and extremes of all ``n``)."""
    fits = _fits(x, n, m, s, r)
    chosen = next((f for f in fits if not f.rejected), None)
    kind = "none" if chosen is None else chosen.family
    cut = cut_interval = None
    if kind == "truncated_normal":
        cut = _cut_from_ratio(r)
    kappa = {"normal": 3.0, "uniform": 1.8}.get(kind, truncated_kurtosis(cut) if cut else max(kurt, 1 + 1e-9))
    std_interval = _std_interval(s, n, kind, kappa)
    if cut is not None:
        big = max(up, down)
        ends = [_cut_from_ratio(big / t) for t in std_interval]
        cut_interval = (min(e or 0.0 for e in ends), max(e or MAX_CUT for e in ends))
    if chosen is None:
        reason = "none of normal, uniform, truncated normal fits (each rejected at p < " \
                 f"{ALPHA_FAMILY:g}): kurtosis {kurt:.3f}, max/sd {r:.3f}"
    else:
        others = "; ".join(f"{f.family} p = {f.pvalue:.3g}" for f in fits if f is not chosen)
        reason = f"{kind} (p = {chosen.pvalue:.3g}) fits, kurtosis {kurt:.3f}, max/sd {r:.3f}; {others}"
    return ShapeDescription(kind=kind, std_interval=std_interval, cut=cut, cut_interval=cut_interval, fits=fits,
                            detectable=detectable_error(n, kappa), reason=reason, **common)


def describe_draws(
    draws: Sequence[Any], shape: Sequence[int] | None = None, layout: str = "torch"
) -> ShapeDescription:
    """Describe the draws of one shape (one array per seed): the module docstring's decisions.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> d = describe_draws([rng.uniform(-0.1, 0.1, (256, 256)) for _ in range(2)])
    >>> d.kind, f"{d.std * 3 ** 0.5:.3f}"
    ('uniform', '0.100')

    Args:
        draws: the arrays, all of one shape (at least one; two or more to tell ``fixed``).
        shape: their shape (default: the first array's).
        layout: how the shape is seen as a matrix for the orthogonal decision.

    Raises:
        UsageError: no draws, or draws of different shapes.
    """
    if len(draws) == 0:
        raise expected("draws", draws, "at least one array")
    dims = tuple(shape) if shape is not None else np.shape(draws[0])
    summary = DrawSummary(dims, layout)
    for a in draws:
        summary.add(a)
    return summary.describe()
