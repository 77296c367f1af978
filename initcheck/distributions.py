"""Zero-mean laws with a given standard deviation, for weights and inputs.

The chapter's variance argument needs only that weights and inputs have zero
mean and finite variance ("this doesn't mean that the distribution has to be
Gaussian"). These are the laws the claims and tests draw from to show it:
different shapes (kurtosis from 1 to 6), same mean and variance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import expected

__all__ = ["ZERO_MEAN_LAWS", "ZeroMeanLaw", "zero_mean_law"]

STUDENT_DF = 6.0  # degrees of freedom of the scaled Student-t: 4th moment finite (needs df > 4)


@dataclass(frozen=True)
class ZeroMeanLaw:
    """A zero-mean law scaled to a standard deviation.

    Attributes:
        name: ``normal``, ``uniform``, ``rademacher`` or ``student_t``.
        kurtosis: E[x⁴]/σ⁴ (non-excess).
        unit: ``unit(rng, size)`` draws from the law with std 1.
    """

    name: str
    kurtosis: float
    unit: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]

    def draw(self, rng: np.random.Generator, size: tuple[int, ...], std: float) -> np.ndarray:
        """``size`` iid draws with mean 0 and standard deviation ``std``."""
        return std * self.unit(rng, size)


def _t(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    return rng.standard_t(STUDENT_DF, size=size) / math.sqrt(STUDENT_DF / (STUDENT_DF - 2))


ZERO_MEAN_LAWS: dict[str, ZeroMeanLaw] = {
    "normal": ZeroMeanLaw("normal", 3.0, lambda rng, size: rng.standard_normal(size)),
    "uniform": ZeroMeanLaw("uniform", 1.8, lambda rng, size: rng.uniform(-math.sqrt(3), math.sqrt(3), size)),
    "rademacher": ZeroMeanLaw("rademacher", 1.0, lambda rng, size: rng.choice((-1.0, 1.0), size=size)),
    # t_ν has kurtosis 3 + 6/(ν - 4)
    "student_t": ZeroMeanLaw("student_t", 3.0 + 6.0 / (STUDENT_DF - 4.0), _t),
}


def zero_mean_law(name: str) -> ZeroMeanLaw:
    """The law called ``name``, or a UsageError listing the names."""
    try:
        return ZERO_MEAN_LAWS[name]
    except KeyError:
        raise expected("law", name, f"one of {', '.join(ZERO_MEAN_LAWS)}") from None
