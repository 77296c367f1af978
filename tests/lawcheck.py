"""One assertion for the tests: a sample follows a fully specified law.

``assert_follows`` runs the mean, kurtosis-aware variance and Anderson–Darling
tests (and, for a bounded law, support and bound reach), Bonferroni at
``alpha``: for a correct sampler it fails with probability at most ``alpha``.
It collects every rejection and raises one message with the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from initcheck.stats import ad_test, bound_reach_test, mean_test, support_test, variance_test

ALPHA_PER_EXAMPLE = 1e-6  # false-alarm rate of one assert_follows call (one Hypothesis example)
DRAWS = 100_000  # scalar values drawn per assertion


def draw_many(sampler: Callable[[tuple[int, ...], int], Any], shape: tuple[int, ...], seed: int,
              draws: int = DRAWS) -> np.ndarray:
    """Independent draws (seeds seed, seed+1, ...) of ``shape`` until ``draws`` values, flattened."""
    per = math.prod(shape)
    reps = max(1, -(-draws // per))
    return np.concatenate([np.asarray(sampler(shape, seed + r), dtype=np.float64).ravel() for r in range(reps)])


def assert_follows(x: np.ndarray, law: Any, alpha: float = ALPHA_PER_EXAMPLE) -> None:
    """Raise AssertionError naming every test that rejects ``law`` for sample ``x``."""
    tests = [mean_test(x, law), variance_test(x, law), ad_test(x, law)]
    low, high = (float(v) for v in law.support())
    if math.isfinite(low) and math.isfinite(high):
        tests += [support_test(x, low, high), bound_reach_test(x, law)]
    failed = [str(t) for t in tests if t.rejects(alpha / len(tests))]
    assert not failed, "sample does not follow the law:\n" + "\n".join(failed)
