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

__all__ = ["adjacent_seed_test", "seed_dependence_test"]

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


# -- adjacent seeds: s and s + 1, as models seed their layers (base + i) ------------------------

ADJACENT_LAGS = 4  # seed-adjacent-corr correlates at the lags -4..4 (9 correlations, Bonferroni)
SHIFT_SMALL_LAGS = 64  # seed-shift compares every value at the lags -64..64 ...
SHIFT_LIGHT = 16  # ... and, at every lag, the values that occur at most 16 times in the other draw
SHIFT_RUN_CAP = 64  # seed-shift's p-value is bounded at a run of at most 64 values


def adjacent_seed_test(draw: Any, next_draw: Any, seed: int) -> list[TestResult]:
    """Check the seed contract at adjacent seeds: the draws of ``seed`` and ``seed + 1``.

    Models seed their layers as ``base + i``, so a sampler whose adjacent seeds give
    the same draw, a shifted copy of it (a counter-based stream that ``seed + 1``
    starts a block later) or a correlated one breaks the models built on it, even
    where random seeds look independent. Suppose ``a`` and ``b`` were drawn with
    seeds 6 and 7: ``adjacent_seed_test(a, b, 6)``. Three results:

    - ``seed-adjacent`` (exact): the two draws are not identical (same shape,
      same values).
    - ``seed-shift``: the longest run of equal values at one lag, ``seed + 1``'s
      value ``i + k`` equal to ``seed``'s value ``i`` for ``i`` in a run, over
      every lag ``k``. Under independent iid draws, given the first draw and the
      values of the second (whose order is then uniformly random), a run of
      ``L`` at a given start and lag has probability at most
      ``∏_t min(1, m_t / (n - t))`` (``m_t``: the number of times the first draw's
      ``t``-th value of the run occurs in the second); the p-value is the union
      bound of that over starts and lags, at ``min(L, 64)`` (valid: never
      below the null's tail probability). Every value is compared at the lags
      ``-64..64``, and at all other lags those that occur at most 16 times in
      the other draw (so that atoms or a coarse dtype cannot make it quadratic).
    - ``seed-adjacent-corr``: the Pearson correlations of the two flattened draws
      at the lags ``-4..4`` (``seed + 1``'s value ``i + k`` against ``seed``'s value
      ``i``); scipy's ``pearsonr`` p-value (Student's t with ``n - |k| - 2``
      degrees of freedom: exact for independent normal draws, the normal limit
      sqrt(n) r ~ N(0, 1) otherwise), Bonferroni over the 9 lags.

    Args:
        draw: the draw of ``seed`` (array-like).
        next_draw: the draw of ``seed + 1``.
        seed: a non-negative int.

    Returns:
        ``[seed-adjacent, seed-shift, seed-adjacent-corr]`` TestResults.

    Raises:
        UsageError: a bad seed.
    """
    s = validate.seed(seed, "seed")
    a, b = np.asarray(draw), np.asarray(next_draw)
    x = a.astype(np.float64).reshape(-1)
    y = b.astype(np.float64).reshape(-1)
    same = _same(a, b)
    if x.size != y.size or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        detail = (f"draws of seeds {s} and {s + 1} have sizes {x.size:,} and {y.size:,} or "
                  f"non-finite values: cannot be compared")
        return [_adjacent(s, same, x, y)] + [
            TestResult(check, null, math.inf, 0.0, 0, math.nan, (math.nan, math.nan), 0.0, detail)
            for check, null in (("seed-shift", _SHIFT_NULL), ("seed-adjacent-corr", _ADJ_CORR_NULL))]
    return [_adjacent(s, same, x, y), _shift(x, y, s), _adjacent_corr(x, y, s)]


_SHIFT_NULL = "the draw of seed s + 1 is not a shifted copy of seed s's"
_ADJ_CORR_NULL = "the draws of seeds s and s + 1 are uncorrelated at lags -4..4"


def _adjacent(seed: int, same: bool, x: np.ndarray, y: np.ndarray) -> TestResult:
    null = "the draws of seeds s and s + 1 differ"
    if not same:
        return TestResult("seed-adjacent", null, 0.0, 1.0, 2, 0.0, (0.0, 0.0), 0.0,
                          f"seeds {seed} and {seed + 1} gave different draws")
    return TestResult("seed-adjacent", null, 1.0, 0.0, 2, 1.0, (1.0, 1.0), 0.0,
                      f"seeds {seed} and {seed + 1} gave identical draws ({x.size:,} values): "
                      f"the sampler ignores the seed's low bit")


def _longest_true_run(eq: np.ndarray) -> tuple[int, int]:
    """(length, start) of the longest run of True in ``eq`` ((0, 0) if none)."""
    if not eq.any():
        return 0, 0
    edges = np.diff(np.concatenate(([0], eq.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    return int(ends[k] - starts[k]), int(starts[k])


def _runs_at_small_lags(x: np.ndarray, y: np.ndarray, lags: int) -> tuple[int, int, int]:
    """(length, lag, start in x) of the longest run of equal values at the lags -lags..lags."""
    n, best = x.size, (0, 0, 0)
    for k in range(-lags, lags + 1):
        eq = x[:n - k] == y[k:] if k >= 0 else x[-k:] == y[:n + k]
        length, start = _longest_true_run(eq)
        if length > best[0]:
            best = (length, k, start if k >= 0 else start - k)
    return best


def _runs_at_all_lags(x: np.ndarray, y: np.ndarray, light: np.ndarray, lo: np.ndarray,
                      order: np.ndarray, counts: np.ndarray) -> tuple[int, int, int]:
    """(length, lag, start in x) of the longest run of equal values of x that are light (occur
    at most SHIFT_LIGHT times in y), at any lag: every matching pair (i, j), sorted by lag then i."""
    n = x.size
    i_light = np.flatnonzero(light)
    if i_light.size == 0:
        return 0, 0, 0
    cnt = counts[i_light]
    i_rep = np.repeat(i_light, cnt)
    first = np.repeat(np.cumsum(cnt) - cnt, cnt)
    j = order[np.repeat(lo[i_light], cnt) + np.arange(i_rep.size) - first]
    lag = j - i_rep
    key = np.sort((lag + n) * (n + 1) + i_rep)  # (lag, i) in order; n + 1 keeps lags apart
    breaks = np.flatnonzero(np.diff(key) != 1)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks + 1, [key.size]))
    k = int(np.argmax(ends - starts))
    head = int(key[starts[k]])
    return int(ends[k] - starts[k]), head // (n + 1) - n, head % (n + 1)


def _log_window_bound(counts: np.ndarray, n: int, length: int) -> float:
    """log Σ_j ∏_{t<length} min(1, counts[j + t] / (n - t)) over the starts j (−inf if 0)."""
    starts = n - length + 1
    acc = np.zeros(starts)
    with np.errstate(divide="ignore"):
        for t in range(length):
            acc += np.minimum(0.0, np.log(counts[t:t + starts]) - math.log(n - t))
    top = float(np.max(acc))
    if top == -math.inf:
        return -math.inf
    return top + math.log(float(np.sum(np.exp(acc - top))))


def _shift(x: np.ndarray, y: np.ndarray, seed: int) -> TestResult:
    n = x.size
    order = np.argsort(y, kind="stable")
    ys = y[order]
    lo = np.searchsorted(ys, x, "left")
    counts = np.searchsorted(ys, x, "right") - lo  # how often each value of x occurs in y
    light = (counts > 0) & (counts <= SHIFT_LIGHT)
    small = min(SHIFT_SMALL_LAGS, n - 1)
    run, lag, start = max(_runs_at_small_lags(x, y, small),
                          _runs_at_all_lags(x, y, light, lo, order, counts))
    if run == 0:
        p = 1.0
    else:
        length = min(run, SHIFT_RUN_CAP)
        log_b = np.logaddexp(
            math.log(2 * small + 1) + _log_window_bound(counts.astype(np.float64), n, length),
            math.log(2 * n - 1) + _log_window_bound(np.where(light, counts, 0).astype(np.float64),
                                                    n, length))
        p = min(1.0, math.exp(log_b)) if log_b < 0 else 1.0
    where = (f" at lag {lag} (value i + {lag} of seed {seed + 1}'s draw equals value i of seed "
             f"{seed}'s, from i = {start:,})".replace("+ -", "- ") if run else "")
    detail = (f"longest run of equal values between the draws of seeds {seed} and {seed + 1}: "
              f"{run:,} of {n:,}{where}")
    return TestResult("seed-shift", _SHIFT_NULL, float(run), p, n, float(run),
                      (float(run), float(run)), 0.0, detail)


def _pearson(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Pearson's r and its two-sided p-value, ``t = r sqrt((n - 2) / (1 - r²))`` on n − 2 degrees of
    freedom (exact for independent normal samples; what ``scipy.stats.pearsonr`` computes, without
    its overhead on long samples)."""
    da, db = a - a.mean(), b - b.mean()
    r = float(np.dot(da, db) / math.sqrt(float(np.dot(da, da)) * float(np.dot(db, db))))
    r = max(-1.0, min(1.0, r))
    df = a.size - 2
    if abs(r) == 1.0:
        return r, 0.0
    t = r * math.sqrt(df / (1.0 - r * r))
    return r, float(min(1.0, 2.0 * stats.t.sf(abs(t), df)))


def _adjacent_corr(x: np.ndarray, y: np.ndarray, seed: int) -> TestResult:
    n = x.size
    worst_p, worst_r, worst_lag, tested = 1.0, 0.0, 0, 0
    for k in range(-ADJACENT_LAGS, ADJACENT_LAGS + 1):
        a, b = (x[:n - k], y[k:]) if k >= 0 else (x[-k:], y[:n + k])
        if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
            continue
        r, pvalue = _pearson(a, b)
        tested += 1
        if pvalue < worst_p or tested == 1:
            worst_p, worst_r, worst_lag = pvalue, r, k
    if tested == 0:
        return TestResult("seed-adjacent-corr", _ADJ_CORR_NULL, 0.0, 1.0, n, 0.0, (0.0, 0.0), 0.0,
                          f"not applicable: {n} entries per draw, or a constant draw")
    p = min(1.0, worst_p * tested)
    z = worst_r * math.sqrt(n - abs(worst_lag))
    detail = (f"largest |correlation| between the draws of seeds {seed} and {seed + 1} "
              f"{fmt(worst_r)} at lag {worst_lag} (sqrt(n) r = {z:.3g}, n = {n:,}, {tested} lags)")
    return TestResult("seed-adjacent-corr", _ADJ_CORR_NULL, z, p, n, worst_r, (worst_r, worst_r),
                      0.0, detail)
