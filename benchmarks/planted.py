"""Samplers for the benchmarks: reference initializers and planted errors, picklable for worker processes.

A planted error is a correct reference sampler changed by exactly the
verdict's tolerance: its variance times 1 ± 0.02, or its mean shifted by 0.02
claimed standard deviations (the claimed law's, for the shape drawn); or one
of the other error classes of the efficiency table: a wrong family at the
claimed variance (:class:`SameVariance`), a truncated normal cut narrower
(:class:`Recut`), a small fraction of values multiplied by a factor
(:class:`Contaminated`), and the orthogonal matrices' errors
(:class:`RmsShifted`, :class:`GaussianMatrix`, :class:`QRWithoutSignFix`).
Samplers that draw their own values use ``numpy.random.default_rng((seed, salt))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from initcheck import init
from initcheck.laws import parse_law, target_law

__all__ = [
    "Contaminated",
    "GaussianMatrix",
    "MeanShifted",
    "QRWithoutSignFix",
    "Recut",
    "Reference",
    "RmsShifted",
    "SameVariance",
    "VarianceScaled",
]


@cache
def _build(factory: str, args: tuple[Any, ...]) -> init.Initializer:
    return getattr(init, factory)(*args)


@dataclass(frozen=True)
class Reference:
    """``getattr(initcheck.init, factory)(*args)``, built on first use (so it pickles)."""

    factory: str
    args: tuple[Any, ...] = ()

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        return _build(self.factory, self.args)(shape, seed)

    def __str__(self) -> str:
        return f"init.{self.factory}({', '.join(map(repr, self.args))})"


@dataclass(frozen=True)
class VarianceScaled:
    """``base`` with its variance multiplied by ``factor`` (values times sqrt(factor))."""

    base: Reference
    factor: float

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        return self.base(shape, seed) * math.sqrt(self.factor)

    def __str__(self) -> str:
        return f"{self.base}, variance × {self.factor:g}"


@cache
def _claimed_std(claim: str, shape: tuple[int, ...]) -> float:
    return float(target_law(parse_law(claim), shape, "torch").law.std())


@dataclass(frozen=True)
class MeanShifted:
    """``base`` plus ``shift`` standard deviations of the law ``claim`` promises for the shape."""

    base: Reference
    claim: str
    shift: float

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        return self.base(shape, seed) + self.shift * _claimed_std(self.claim, tuple(shape))

    def __str__(self) -> str:
        return f"{self.base}, mean + {self.shift:g} σ"


def _rng(seed: int, salt: int) -> np.random.Generator:
    return np.random.default_rng((int(seed), salt))


def _truncated(rng: np.random.Generator, size: int, cut: float) -> np.ndarray:
    """``size`` standard normals conditioned on |x| ≤ cut (rejection)."""
    out = np.empty(0)
    while out.size < size:
        x = rng.normal(size=int((size - out.size) * 1.1) + 16)
        out = np.concatenate([out, x[np.abs(x) <= cut]])
    return out[:size]


@cache
def _truncated_sd(cut: float) -> float:
    from scipy import stats

    return float(stats.truncnorm(-cut, cut).std())


@dataclass(frozen=True)
class SameVariance:
    """Another family at the variance ``claim`` promises for the shape: ``normal``, ``uniform``,
    or ``truncated`` (a normal cut at ±2 of its own sd, rescaled)."""

    claim: str
    family: str

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        sd = _claimed_std(self.claim, tuple(shape))
        rng, size = _rng(seed, 1), math.prod(shape)
        if self.family == "normal":
            x = rng.normal(size=size)
        elif self.family == "uniform":
            x = rng.uniform(-math.sqrt(3), math.sqrt(3), size=size)
        else:
            x = _truncated(rng, size, 2.0) / _truncated_sd(2.0)
        return (sd * x).reshape(shape)

    def __str__(self) -> str:
        return f"{self.family} at the variance of {self.claim}"


@dataclass(frozen=True)
class Recut:
    """A truncated normal with ``claim``'s parent sd (``claim`` cuts at ±2 parent sds) cut at ±``cut``."""

    claim: str
    cut: float

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        parent = _claimed_std(self.claim, tuple(shape)) / _truncated_sd(2.0)
        return (parent * _truncated(_rng(seed, 2), math.prod(shape), self.cut)).reshape(shape)

    def __str__(self) -> str:
        return f"{self.claim} cut at ±{self.cut:g} parent sd"


@dataclass(frozen=True)
class Contaminated:
    """``base`` with each value, with probability ``rate``, multiplied by ``factor``."""

    base: Reference
    rate: float
    factor: float

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        x = np.array(self.base(shape, seed), dtype=np.float64)
        hit = _rng(seed, 3).random(x.shape) < self.rate
        x[hit] *= self.factor
        return x

    def __str__(self) -> str:
        return f"{self.base}, {self.rate:g} of values × {self.factor:g}"


@dataclass(frozen=True)
class RmsShifted:
    """``base`` plus ``shift`` times the draw's root mean square (an orthogonal matrix's entry sd)."""

    base: Reference
    shift: float

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        x = self.base(shape, seed)
        return x + self.shift * float(np.sqrt(np.mean(np.square(x))))

    def __str__(self) -> str:
        return f"{self.base}, + {self.shift:g} rms"


def _matrix(shape: tuple[int, ...]) -> tuple[int, int]:
    return shape[0], math.prod(shape[1:])  # the torch layout


@dataclass(frozen=True)
class GaussianMatrix:
    """iid normal entries with the variance of a Haar orthogonal matrix's (1 / the longer side)."""

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        rows, cols = _matrix(tuple(shape))
        return _rng(seed, 4).normal(0.0, 1.0 / math.sqrt(max(rows, cols)), size=shape)

    def __str__(self) -> str:
        return "Gaussian matrix"


@dataclass(frozen=True)
class QRWithoutSignFix:
    """The Q of a Gaussian matrix's QR decomposition without the signs of R's diagonal: not Haar."""

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        rows, cols = _matrix(tuple(shape))
        q, _ = np.linalg.qr(_rng(seed, 5).normal(size=(max(rows, cols), min(rows, cols))))
        return (q.T if rows < cols else q).reshape(shape)

    def __str__(self) -> str:
        return "QR without the sign fix"
