"""Seed contract: correct samplers pass; ignored, non-deterministic and leaky seeds are caught.

The test takes draws, not a sampler: :func:`draws_of` takes them here as the verdict's drawing
layer does (one per seed, then the first seed again).
"""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from initcheck import _deprecations
from initcheck.errors import UsageError
from initcheck.stats import seed_dependence_test
from tests.stats._budget import ALPHA, P_EXACT

SHAPE = (64, 32)


def good(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 0.1, shape).astype(np.float32)


def draws_of(sampler, shape: tuple[int, ...], seeds: list[int]) -> tuple[list, object, list[int]]:
    """(one draw per seed, the first seed's again, the seeds): the test's arguments."""
    return [sampler(shape, s) for s in seeds], sampler(shape, seeds[0]), seeds


def by_check(sampler, base: int) -> dict:
    results = seed_dependence_test(*draws_of(sampler, SHAPE, [base, base + 1, base + 2]))
    return {r.check: r for r in results}


@pytest.mark.false_alarm(
    P_EXACT, per="example", reason="seed-corr (pearsonr, exact for normal draws)"
)
@given(seed=st.integers(0, 2**32 - 3))
@settings(max_examples=10, deadline=None, database=None)
def test_correct_sampler_passes(seed: int) -> None:
    res = by_check(good, seed)
    assert res["seed-repeat"].pvalue == 1.0 and res["seed-distinct"].pvalue == 1.0  # exact
    assert res["seed-corr"].pvalue > P_EXACT  # pearsonr is exact for normal draws; Bonferroni: 1e-8


@given(seed=st.integers(0, 2**32 - 3))
@settings(max_examples=5, deadline=None, database=None)
def test_sampler_ignoring_its_seed_caught(seed: int) -> None:
    def ignores(shape: tuple[int, ...], _seed: int) -> np.ndarray:
        return good(shape, 12345)

    res = by_check(ignores, seed)
    assert res["seed-repeat"].pvalue == 1.0  # it is deterministic ...
    assert (
        res["seed-distinct"].pvalue == 0.0 and res["seed-distinct"].statistic == 3
    )  # ... but seedless


@given(seed=st.integers(0, 2**32 - 3))
@settings(max_examples=5, deadline=None, database=None)
def test_non_deterministic_sampler_caught(seed: int) -> None:
    calls = []

    def counts_calls(shape: tuple[int, ...], s: int) -> np.ndarray:
        calls.append(s)  # stands for hidden state: global RNG, fresh entropy, a counter
        return np.random.default_rng([s, len(calls)]).normal(size=shape)

    res = by_check(counts_calls, seed)
    assert (
        res["seed-repeat"].pvalue == 0.0
        and "2,048 of 2,048 entries differ" in res["seed-repeat"].detail
    )


@pytest.mark.false_alarm(0, reason="r ~ 0.99: never misses")
@given(seed=st.integers(0, 2**32 - 3))
@settings(max_examples=5, deadline=None, database=None)
def test_seed_that_only_perturbs_a_shared_draw_caught(seed: int) -> None:
    def leaky(shape: tuple[int, ...], s: int) -> np.ndarray:
        return good(shape, 7) + 0.1 * good(shape, s)

    res = by_check(leaky, seed)
    assert res["seed-distinct"].pvalue == 1.0  # the draws differ ...
    assert (
        res["seed-corr"].rejects(ALPHA) and res["seed-corr"].estimate > 0.9
    )  # r ~ 0.99: never misses


def test_wrong_shape_and_bad_arguments() -> None:
    def shapeless(shape: tuple[int, ...], s: int) -> np.ndarray:
        return good((s % 3 + 1, 4), s)

    res = {r.check: r for r in seed_dependence_test(*draws_of(shapeless, (2, 4), [0, 1]))}
    assert (
        res["seed-corr"].pvalue == 0.0
    )  # draws of different sizes cannot be independent draws of one shape
    with pytest.raises(UsageError, match=r"seeds=\[1, 1\]"):
        seed_dependence_test(*draws_of(good, SHAPE, [1, 1]))
    with pytest.raises(UsageError, match=r"draws='str': expected one array per seed \(2\)"):
        seed_dependence_test("not callable", good(SHAPE, 1), [1, 2])
    with pytest.raises(UsageError, match=r"draws='list': expected one array per seed \(3\)"):
        seed_dependence_test([good(SHAPE, 1)] * 2, good(SHAPE, 1), [1, 2, 3])


def test_the_old_callable_form_still_works_with_one_notice(monkeypatch) -> None:
    # exact checks (p = 0 or 1) and a deterministic sampler: the two forms agree exactly
    monkeypatch.setattr(_deprecations, "_warned", set())
    seeds = [5, 6, 7]
    with pytest.warns(DeprecationWarning, match=r"seed_dependence_test\(sampler, shape, seeds\) is "
                      r"deprecated .* use seed_dependence_test\(draws, again, seeds\)"):
        old = seed_dependence_test(good, SHAPE, seeds)
    assert old == seed_dependence_test(*draws_of(good, SHAPE, seeds))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seed_dependence_test(good, SHAPE, seeds)  # once per process
