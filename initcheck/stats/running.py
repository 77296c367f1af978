"""Streaming moments about a known center, so large draws need not be held at once."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from initcheck.errors import expected
from initcheck.stats._common import as_sample

__all__ = ["RunningMoments"]


class RunningMoments:
    """Accumulate n and the sums of (x-c), (x-c)², (x-c)³, (x-c)⁴ over batches.

    ``c`` is a fixed center, ideally the claimed law's mean (then the sums
    need no re-centering and lose no precision). Non-finite values are
    counted separately and left out of the sums; ``min``/``max`` are over
    the finite values.

    Example: suppose a sampler's draw is too big for memory; feed it in
    batches and hand the accumulator to :func:`variance_test`:

    >>> import numpy as np
    >>> rm = RunningMoments(center=0.0)
    >>> for seed in range(3):
    ...     _ = rm.update(np.random.default_rng(seed).normal(size=1000))
    >>> rm.n, rm.nonfinite
    (3000, 0)
    """

    __slots__ = ("_sums", "center", "max", "min", "n", "nonfinite")

    def __init__(self, center: float = 0.0) -> None:
        c = float(center)
        if not math.isfinite(c):
            raise expected("center", center, "a finite number")
        self.center = c
        self.n = 0
        self.nonfinite = 0
        self.min = math.inf
        self.max = -math.inf
        self._sums = [0.0, 0.0, 0.0, 0.0]

    @classmethod
    def of(cls, x: Any, center: float = 0.0) -> RunningMoments:
        """An accumulator holding all of ``x``."""
        return cls(center).update(x)

    def update(self, x: Any) -> RunningMoments:
        """Add a batch (any array-like; flattened, computed in float64). Returns self."""
        flat = as_sample(x, "x", min_size=0)
        finite = np.isfinite(flat)
        good = flat[finite] if not finite.all() else flat
        self.nonfinite += int(flat.size - good.size)
        if good.size == 0:
            return self
        with np.errstate(over="ignore", invalid="ignore"):  # |x| > 1e77: sums become inf
            d = good - self.center
            d2 = d * d
            self._sums[0] += float(np.sum(d))
            self._sums[1] += float(np.sum(d2))
            self._sums[2] += float(np.sum(d2 * d))
            self._sums[3] += float(np.sum(d2 * d2))
        self.n += int(good.size)
        self.min = min(self.min, float(good.min()))
        self.max = max(self.max, float(good.max()))
        return self

    def with_extremes(self, low: float, high: float) -> RunningMoments:
        """A copy of this accumulator whose min and max are ``low`` and ``high``.

        For the tests that read only n and the extremes (:func:`bound_reach_test`,
        :func:`extremes_test`) when the extremes to test are not the raw ones: e.g. a
        rounded sample's extreme within one rounding step of a bound counts as reaching it.

        >>> rm = RunningMoments.of([0.1, 0.5, 0.9])
        >>> snapped = rm.with_extremes(0.0, 1.0)
        >>> snapped.n, snapped.min, snapped.max, rm.max
        (3, 0.0, 1.0, 0.9)
        """
        copy = RunningMoments(self.center).merge(self)
        copy.min, copy.max = float(low), float(high)
        return copy

    def less(self, second: float, fourth: float) -> RunningMoments:
        """A copy whose mean square and mean fourth power about the center are lower by
        ``second`` and ``fourth`` (what rounding added, say: see
        :func:`initcheck.precision.rounding_excess`); n, the sum and the extremes are kept.

        >>> RunningMoments.of([-1.0, 1.0]).less(0.5, 0.25).moment_about(0.0, 2)
        0.5
        """
        copy = RunningMoments(self.center).merge(self)
        copy._sums[1] -= float(second) * self.n
        copy._sums[3] -= float(fourth) * self.n
        return copy

    def merge(self, other: RunningMoments) -> RunningMoments:
        """Add another accumulator with the same center. Returns self."""
        if other.center != self.center:
            raise expected("other.center", other.center, f"the same center as self ({self.center})")
        self.n += other.n
        self.nonfinite += other.nonfinite
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        self._sums = [a + b for a, b in zip(self._sums, other._sums)]
        return self

    @property
    def sums(self) -> tuple[float, float, float, float]:
        """Sums of (x-c)^k for k = 1..4 over the finite values."""
        return (self._sums[0], self._sums[1], self._sums[2], self._sums[3])

    def mean(self) -> float:
        """Sample mean of the finite values."""
        return self.center + self._sums[0] / self.n if self.n else math.nan

    def moment_about(self, mu: float, k: int) -> float:
        """``mean((x - mu)^k)`` for k in 1..4, by binomial expansion about the center."""
        if k not in (1, 2, 3, 4):
            raise expected("k", k, "1, 2, 3 or 4")
        if not self.n:
            return math.nan
        delta = self.center - float(mu)  # x - mu = (x - c) + delta
        raw = [1.0] + [s / self.n for s in self._sums]
        if delta == 0.0:
            return float(raw[k])
        return float(sum(math.comb(k, j) * raw[j] * delta ** (k - j) for j in range(k + 1)))

    def sample_variance(self) -> float:
        """Unbiased variance about the sample mean (n - 1 in the denominator)."""
        if self.n < 2:
            return math.nan
        m1 = self._sums[0] / self.n
        return max(self._sums[1] / self.n - m1 * m1, 0.0) * self.n / (self.n - 1)

    def __repr__(self) -> str:
        return f"RunningMoments(center={self.center}, n={self.n}, nonfinite={self.nonfinite})"
