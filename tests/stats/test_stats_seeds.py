"""Seed contract: correct samplers pass; ignored, non-deterministic and leaky seeds are caught.

The test takes draws, not a sampler: :func:`draws_of` takes them here as the verdict's drawing
layer does (one per seed, then the first seed again).
"""

from __future__ import annotations

import math
import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from initcheck import _deprecations
from initcheck.errors import UsageError
from initcheck.stats import adjacent_seed_test, seed_dependence_test
from tests.stats._budget import ALPHA, P_APPROX, P_EXACT, RATE_APPROX

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


# -- adjacent seeds: s and s + 1 ------------------------------------------------------------------

N_ADJ = 4096  # values per adjacent draw in these tests


def adjacent(sampler, seed: int, n: int = N_ADJ) -> dict:
    """The adjacent-seed results of ``sampler`` at ``seed`` and ``seed + 1``, by check."""
    return {r.check: r for r in adjacent_seed_test(sampler((n,), seed), sampler((n,), seed + 1), seed)}


def draw16(shape: tuple[int, ...], seed: int) -> np.ndarray:  # a coarse dtype: many equal values
    return np.random.default_rng(seed).normal(0.0, 0.1, shape).astype(np.float16)


def draw_uniform(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape)


@pytest.mark.false_alarm(
    P_EXACT + RATE_APPROX, per="example", assertions=3,
    reason="per dtype: seed-shift (union bound, exact), seed-adjacent-corr (t; approx for uniform)")
@given(seed=st.integers(0, 2**32 - 2))
@settings(max_examples=10, deadline=None, database=None)
def test_correct_adjacent_draws_pass(seed: int) -> None:
    for sampler in (good, draw16, draw_uniform):
        res = adjacent(sampler, seed)
        assert res["seed-adjacent"].pvalue == 1.0  # exact: distinct draws
        # seed-shift: a valid p-value (a union bound on the run's tail, given the values);
        # seed-adjacent-corr: t test, exact for normal draws, the CLT's otherwise (n = 4,096)
        assert res["seed-shift"].pvalue > P_EXACT and res["seed-adjacent-corr"].pvalue > P_APPROX


@pytest.mark.false_alarm(0, reason="exact: identical draws; a full-length run of equal values")
@given(seed=st.integers(0, 2**31))
@settings(max_examples=5, deadline=None, database=None)
def test_identical_adjacent_draws_are_caught(seed: int) -> None:
    def halves(shape: tuple[int, ...], s: int) -> np.ndarray:
        return good(shape, s // 2)

    res = adjacent(halves, 2 * seed)  # 2s and 2s + 1: the same draw
    assert res["seed-adjacent"].pvalue == 0.0
    assert res["seed-shift"].statistic == N_ADJ and res["seed-shift"].pvalue < ALPHA
    assert "at lag 0" in res["seed-shift"].detail


@pytest.mark.false_alarm(0, reason="det.: a run of >= 8 distinct float64 values, p < 1e-20")
@given(seed=st.integers(0, 2**32 - 2), lag=st.integers(-(N_ADJ - 8), N_ADJ - 8),
       dtype=st.sampled_from([np.float64, np.float16]))
@settings(max_examples=10, deadline=None, database=None)
def test_a_shifted_copy_is_caught_at_any_lag(seed: int, lag: int, dtype) -> None:
    # the stream of seed + 1 starts |lag| values later (or earlier) than seed's
    stream = np.random.default_rng(seed).normal(size=2 * N_ADJ).astype(dtype)
    x = stream[N_ADJ // 2:][:N_ADJ] if lag >= 0 else stream[:N_ADJ]
    y = stream[N_ADJ // 2 - lag:][:N_ADJ] if lag >= 0 else stream[-lag:][:N_ADJ]
    res = {r.check: r for r in adjacent_seed_test(x, y, seed)}
    # y[i + lag] = x[i] wherever both exist: a run of N_ADJ - |lag| (more if values repeat)
    assert res["seed-shift"].statistic >= N_ADJ - abs(lag) and res["seed-shift"].pvalue < ALPHA
    assert (lag == 0) == (res["seed-adjacent"].pvalue == 0.0)


@pytest.mark.false_alarm(0, reason="det.: a copied run of 12 distinct float64 values, p < 1e-30")
@given(seed=st.integers(0, 2**32 - 2), start=st.integers(0, N_ADJ - 12),
       to=st.integers(0, N_ADJ - 12))
@settings(max_examples=10, deadline=None, database=None)
def test_a_copied_run_of_values_is_caught(seed: int, start: int, to: int) -> None:
    x, y = good((N_ADJ,), seed).astype(np.float64), good((N_ADJ,), seed + 1).astype(np.float64)
    y[to:to + 12] = x[start:start + 12]  # 12 values of one draw reappear in the other
    res = {r.check: r for r in adjacent_seed_test(x, y, seed)}
    assert res["seed-shift"].statistic >= 12 and res["seed-shift"].pvalue < ALPHA
    assert f"at lag {to - start} " in res["seed-shift"].detail
    # closed form: values all distinct, so the bound is (lags) x (starts whose values all
    # occur in y) x 1 / (n (n - 1) ... (n - 11)); 2·64 + 1 small lags, 2n - 1 in all
    n = N_ADJ
    assert res["seed-shift"].pvalue == pytest.approx(
        (2 * 64 + 1 + 2 * n - 1) * 1 / math.perm(n, 12), rel=1e-9)


@pytest.mark.false_alarm(0, reason="exact arithmetic: the bound's closed form")
def test_the_shift_bound_is_its_closed_form() -> None:
    # 24 distinct values; seed + 1's draw is seed's shifted one place, with one new value:
    # one start (value 1 on) has all 23 values in y: bound (47 + 47) / (24! / 1!)
    x = np.arange(1.0, 25.0)
    y = np.concatenate([x[1:], [100.0]])
    res = {r.check: r for r in adjacent_seed_test(x, y, 6)}
    assert res["seed-shift"].statistic == 23 and "at lag -1" in res["seed-shift"].detail
    assert res["seed-shift"].pvalue == pytest.approx((2 * 23 + 1 + 2 * 24 - 1) / math.factorial(24),
                                                     rel=1e-9)
    # one shared value: a run of 1, whose bound exceeds 1: p = 1
    lone = {r.check: r for r in adjacent_seed_test(x, np.full(24, 5.0) + np.arange(24) * 100, 6)}
    assert lone["seed-shift"].statistic == 1 and lone["seed-shift"].pvalue == 1.0


@pytest.mark.false_alarm(
    1e-12, per="example",
    reason="planted r = 0.3 at a lag of 2: sqrt(n) r = 19 sd vs the 5.3 sd of p = 1e-6 / 9; miss < 1e-12")
@given(seed=st.integers(0, 2**32 - 2), lag=st.sampled_from([-2, 0, 2]))
@settings(max_examples=5, deadline=None, database=None)
def test_correlated_adjacent_draws_are_caught(seed: int, lag: int) -> None:
    x = good((N_ADJ + 8,), seed).astype(np.float64) / 0.1
    e = good((N_ADJ + 8,), seed + 1).astype(np.float64) / 0.1
    rho = 0.3
    y = rho * np.roll(x, lag) + math.sqrt(1 - rho**2) * e  # y[i + lag] correlates with x[i]
    res = {r.check: r for r in adjacent_seed_test(x[4:-4], y[4:-4], seed)}
    assert res["seed-adjacent-corr"].rejects(ALPHA) and res["seed-adjacent-corr"].estimate > 0.2
    assert f"at lag {lag} " in res["seed-adjacent-corr"].detail
    assert res["seed-shift"].pvalue == 1.0  # no equal values


def test_adjacent_draws_of_different_sizes_cannot_be_independent_draws_of_one_shape() -> None:
    res = {r.check: r for r in adjacent_seed_test(good((8, 4), 1), good((4, 4), 2), 1)}
    assert [res[c].pvalue for c in ("seed-adjacent", "seed-shift", "seed-adjacent-corr")] == [
        1.0, 0.0, 0.0]
    with pytest.raises(UsageError, match=r"seed=-1"):
        adjacent_seed_test(good((4,), 1), good((4,), 2), -1)


@pytest.mark.false_alarm(0, reason="exact: two computations of one formula")
@given(n=st.integers(5, 5000), rho=st.floats(-0.9, 0.9), seed=st.integers(0, 2**32 - 1))
def test_the_adjacent_correlation_is_scipys_pearson_test(n: int, rho: float, seed: int) -> None:
    from scipy import stats as sps

    from initcheck.stats.seeds import _pearson

    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rho * a + math.sqrt(1 - rho * rho) * rng.normal(size=n)
    r, p = _pearson(a, b)
    ref = sps.pearsonr(a, b)
    assert r == pytest.approx(float(ref.statistic), abs=1e-12)
    assert p == pytest.approx(float(ref.pvalue), rel=1e-6, abs=1e-300)
