"""Samplers for the benchmarks: reference initializers and planted errors, picklable for worker processes.

A planted error is a correct reference sampler changed by exactly the
verdict's tolerance: its variance times 1 ± 0.02, or its mean shifted by 0.02
claimed standard deviations (the claimed law's, for the shape drawn).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from initcheck import init
from initcheck.laws import parse_law, target_law

__all__ = ["MeanShifted", "Reference", "VarianceScaled"]


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
