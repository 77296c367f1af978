"""Seed contract of a sampler: same seed, same draw; different seeds, independent draws.

A sampler is ``sampler(shape, seed) -> array-like``. :func:`seed_dependence_test`
takes its draws, one for each of ``len(seeds)`` distinct seeds and the first
seed's drawn again (the caller draws them: in a verdict, :mod:`initcheck.drawing`),
and returns three results:

- ``seed-repeat`` (exact): the first seed, drawn twice, gives bitwise-equal
  arrays (same shape and dtype; NaN equal to NaN). Catches samplers that
  read global or fresh entropy.
- ``seed-distinct`` (exact): draws for different seeds are not all equal.
  Catches samplers that ignore their seed. (Not for constant laws.)
- ``seed-corr``: the Pearson correlation of the flattened draws of every pair
  of seeds; under independence sqrt(n) r ≈ N(0, 1) (scipy's ``pearsonr``
  p-value, exact for normal draws), Bonferroni over the pairs. Catches a seed
  that only perturbs a shared draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import stats

from initcheck import validate
from initcheck._deprecations import warn_renamed
from initcheck.errors import expected
from initcheck.stats._common import fmt
from initcheck.stats.result import TestResult

__all__ = ["seed_dependence_test"]

Sampler = Callable[[tuple[int, ...], int], Any]


def seed_dependence_test(draws: Any, again: Any, seeds: Sequence[int]) -> list[TestResult]:
    """Check the seed contract from a sampler's ``draws`` with distinct ``seeds``.

    Suppose a sampler drew ``a``, ``b`` and ``c`` with seeds 1, 2 and 3, and ``a2``
    with seed 1 again; then ``seed_dependence_test([a, b, c], a2, [1, 2, 3])``.

    Args:
        draws: one array-like per seed, in the order of ``seeds`` (at least 2 entries
            each for ``seed-corr``).
        again: the first seed's draw, drawn a second time.
        seeds: at least 2 distinct non-negative ints, the seeds of ``draws``.

    Returns:
        ``[seed-repeat, seed-distinct, seed-corr]`` TestResults (see module docs).

    Raises:
        UsageError: fewer than 2 seeds, repeated seeds, or not one draw per seed.

    The old form ``seed_dependence_test(sampler, shape, seeds)``, which called the
    sampler itself, still works for one release, with a DeprecationWarning.
    """
    if callable(draws):
        warn_renamed("seed_dependence_test(sampler, shape, seeds)",
                     "seed_dependence_test(draws, again, seeds) with the draws taken by the caller")
        draws, again = _deprecated_draws(draws, again, seeds)
    seed_list = _seeds(seeds)
    if isinstance(draws, (str, bytes)) or not isinstance(draws, Sequence) \
            or len(draws) != len(seed_list):
        raise expected("draws", type(draws).__name__, f"one array per seed ({len(seed_list)})")
    arrays = [np.asarray(d) for d in draws]
    return [
        _repeat(arrays[0], np.asarray(again), seed_list[0]),
        _distinct(arrays, seed_list),
        _corr(arrays, seed_list),
    ]


def _seeds(seeds: Sequence[int]) -> list[int]:
    seed_list = [validate.seed(s, "seeds") for s in seeds]
    if len(seed_list) < 2 or len(set(seed_list)) != len(seed_list):
        raise expected("seeds", list(seeds), "at least 2 distinct seeds")
    return seed_list


def _deprecated_draws(sampler: Sampler, shape: Any, seeds: Sequence[int]) -> tuple[list[Any], Any]:
    """The old form's draws: the sampler called here, its exceptions propagating (until 0.3)."""
    shp = tuple(int(s) for s in shape)
    if any(s < 0 for s in shp):
        raise expected("shape", tuple(shape), "non-negative dimensions")
    seed_list = _seeds(seeds)
    return [np.asarray(sampler(shp, s)) for s in seed_list], np.asarray(sampler(shp, seed_list[0]))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _repeat(first: np.ndarray, again: np.ndarray, seed: int) -> TestResult:
    null = f"two draws with seed {seed} are identical"
    if _same(first, again):
        return TestResult(
            "seed-repeat",
            null,
            0.0,
            1.0,
            2,
            0.0,
            (0.0, 0.0),
            0.0,
            f"seed {seed} drawn twice gave identical arrays of shape {first.shape}",
        )
    if first.shape != again.shape or first.dtype != again.dtype:
        diff, what = (
            math.inf,
            f"shape/dtype {first.shape}/{first.dtype} then {again.shape}/{again.dtype}",
        )
    else:
        equal = first == again
        if first.dtype.kind in "fc":
            equal |= np.isnan(first) & np.isnan(again)
        neq = ~equal
        diff, what = (
            float(np.count_nonzero(neq)),
            f"{int(np.count_nonzero(neq)):,} of {first.size:,} entries differ",
        )
    return TestResult(
        "seed-repeat",
        null,
        diff,
        0.0,
        2,
        diff,
        (diff, diff),
        0.0,
        f"seed {seed} drawn twice gave different arrays: {what}",
    )


def _distinct(draws: list[np.ndarray], seeds: list[int]) -> TestResult:
    null = "draws with different seeds differ"
    equal_pairs = [
        (seeds[i], seeds[j])
        for i in range(len(draws))
        for j in range(i + 1, len(draws))
        if _same(draws[i], draws[j])
    ]
    n_pairs = len(draws) * (len(draws) - 1) // 2
    if not equal_pairs:
        return TestResult(
            "seed-distinct",
            null,
            0.0,
            1.0,
            n_pairs,
            0.0,
            (0.0, 0.0),
            0.0,
            f"all {len(draws)} seeds gave different draws",
        )
    a, b = equal_pairs[0]
    detail = (
        f"{len(equal_pairs)} of {n_pairs} seed pairs gave identical draws (e.g. seeds {a} and {b})"
    )
    k = float(len(equal_pairs))
    return TestResult("seed-distinct", null, k, 0.0, n_pairs, k, (k, k), 0.0, detail)


def _corr(draws: list[np.ndarray], seeds: list[int]) -> TestResult:
    null = "draws with different seeds uncorrelated"
    flats = [d.astype(np.float64).reshape(-1) for d in draws]
    sizes = {f.size for f in flats}
    if len(sizes) != 1 or any(not np.all(np.isfinite(f)) for f in flats):
        return TestResult(
            "seed-corr",
            null,
            math.inf,
            0.0,
            0,
            math.nan,
            (math.nan, math.nan),
            0.0,
            f"draws have sizes {sorted(sizes)} or non-finite values: cannot correlate",
        )
    n = sizes.pop()
    if n < 3 or any(np.ptp(f) == 0 for f in flats):
        return TestResult(
            "seed-corr",
            null,
            0.0,
            1.0,
            n,
            0.0,
            (0.0, 0.0),
            0.0,
            f"not applicable: {n} entries per draw, or a constant draw",
        )
    worst_p, worst_r, worst_pair = 1.0, 0.0, (seeds[0], seeds[1])
    n_pairs = 0
    for i in range(len(flats)):
        for j in range(i + 1, len(flats)):
            res = stats.pearsonr(flats[i], flats[j])
            n_pairs += 1
            if float(res.pvalue) <= worst_p:
                worst_p, worst_r, worst_pair = (
                    float(res.pvalue),
                    float(res.statistic),
                    (seeds[i], seeds[j]),
                )
    p = min(1.0, worst_p * n_pairs)
    z = worst_r * math.sqrt(n)
    detail = (
        f"largest |correlation| between draws {fmt(worst_r)} (seeds {worst_pair[0]} and {worst_pair[1]}, "
        f"sqrt(n) r = {z:.3g}, n = {n:,}, {n_pairs} pairs)"
    )
    return TestResult("seed-corr", null, z, p, n, worst_r, (worst_r, worst_r), 0.0, detail)
