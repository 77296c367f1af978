"""Support, constant, bound-reach and extreme-value checks.

Most assertions here are exact (deterministic given the planted error); the
statistical ones use exact p-values: F(max)^n and G(T)^n are uniform under H0.
"""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from scipy import stats

from initcheck.errors import UsageError
from initcheck.stats import (
    bound_reach_test,
    constant_test,
    extremes_test,
    plan_bound_n,
    plan_ks_n,
    power_bound,
    support_test,
)
from tests.stats._budget import ALPHA, MISS, P_EXACT

seeds = st.integers(0, 2**32 - 1)
BOUND_N = plan_bound_n(0.1, ALPHA, power=1 - MISS)  # U(-0.9a, 0.9a) vs U(-a, a): 283 draws


def test_bound_plan_is_a_few_hundred_and_sure() -> None:
    assert 100 <= BOUND_N <= 1000
    assert power_bound(BOUND_N, 0.1, ALPHA) == 1.0  # from here on a shrunk sample is always caught
    assert power_bound(BOUND_N - 1, 0.1, ALPHA) < 1 - MISS


@pytest.mark.false_alarm(P_EXACT, per="example", reason="bound reach (exact)")
@given(seed=seeds, a=st.floats(1e-3, 10.0))
@settings(max_examples=20, deadline=None, database=None)
def test_correct_uniform_reaches_its_bounds(seed: int, a: float) -> None:
    law = stats.uniform(-a, 2 * a)
    x = np.random.default_rng(seed).uniform(-a, a, BOUND_N)
    assert support_test(x, -a, a).pvalue == 1.0  # exact: numpy's uniform stays in [-a, a)
    res = bound_reach_test(x, law, level=1 - 1e-8)
    assert res.pvalue > P_EXACT  # each end's p is exactly U(0,1); Bonferroni -> rate <= 1e-8


@pytest.mark.false_alarm(
    P_EXACT, per="example", reason="rejection has power 1; the interval misses 0.9"
)
@given(seed=seeds, a=st.floats(1e-3, 10.0))
@settings(max_examples=20, deadline=None, database=None)
def test_shrunk_uniform_caught_with_a_few_hundred_draws(seed: int, a: float) -> None:
    law = stats.uniform(-a, 2 * a)
    x = np.random.default_rng(seed).uniform(-0.9 * a, 0.9 * a, BOUND_N)
    res = bound_reach_test(x, law, level=1 - 1e-8)
    assert res.rejects(ALPHA), res.detail  # power exactly 1 at this n: never misses
    assert res.ci[0] <= 0.9 <= res.ci[1]  # the shrink factor is covered: rate <= 1e-8
    assert support_test(x, -a, a).pvalue == 1.0  # the support test cannot see it


@pytest.mark.false_alarm(
    P_EXACT, per="example", reason="high end power 1; low end not flagged (exact)"
)
@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_one_sided_shrink_is_located(seed: int) -> None:
    law = stats.uniform(-1.0, 2.0)
    x = np.random.default_rng(seed).uniform(-1.0, 0.9, BOUND_N)
    assert bound_reach_test(x, law, side="high").rejects(ALPHA)  # 0.95^283 < 1e-6: never misses
    assert bound_reach_test(x, law, side="low").pvalue > P_EXACT  # low end correct: exact, 1e-8


@pytest.mark.false_alarm(P_EXACT, per="example", reason="bound reach (exact)")
@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_truncated_normal_reaches_its_bounds(seed: int) -> None:
    law = stats.truncnorm(-2.0, 2.0, loc=0.0, scale=0.1)
    x = law.rvs(2000, random_state=np.random.default_rng(seed))
    assert support_test(x, -0.2, 0.2).pvalue == 1.0
    assert bound_reach_test(x, law).pvalue > P_EXACT  # exact -> 1e-8


@pytest.mark.false_alarm(P_EXACT, per="example", reason="extremes (exact)")
@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_correct_normal_extremes_not_flagged(seed: int) -> None:
    x = np.random.default_rng(seed).normal(1.0, 0.05, 100_000)
    res = extremes_test(x, stats.norm(1.0, 0.05))
    assert res.pvalue > P_EXACT  # G(T)^n is exactly U(0,1) -> rate 1e-8


@pytest.mark.false_alarm(0, reason="max |x| >= 10 has probability 1e5 * 1.5e-23 under H0")
@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_single_outlier_times_ten_caught(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, 100_000)
    i = int(rng.choice(np.flatnonzero(np.abs(x) > 1.0)))
    x[i] *= 10.0  # one value in 10^5, now beyond 10 sd
    res = extremes_test(x, stats.norm(0.0, 1.0))
    # P(max |x| >= 10) <= 1e5 * 1.5e-23 under H0: rejected whatever the draw
    assert res.rejects(ALPHA) and res.statistic >= 10.0, res.detail


@pytest.mark.false_alarm(0, reason="p <= 2 * 0.9545^1000 whatever the draw")
@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_truncated_normal_claimed_normal_caught(seed: int) -> None:
    x = stats.truncnorm(-2.0, 2.0).rvs(1000, random_state=np.random.default_rng(seed))
    law = stats.norm(0.0, 1.0)
    res = extremes_test(x, law)
    # max |x| <= 2 always: p <= 2 * 0.9545^1000 ~ 1e-20 whatever the draw
    assert res.rejects(ALPHA) and res.statistic <= 2.0


def test_extremes_beat_edf_tests_on_truncation() -> None:
    """A ±2 sd truncation moves the cdf by only Phi(-2) = 0.023: KS would need ~50x more draws."""
    d = float(stats.norm.cdf(-2.0))  # sup |F_trunc - Phi|, at the bounds
    assert plan_ks_n(d, ALPHA, power=1 - MISS) > 50 * 1000


@pytest.mark.false_alarm(6e-21, per="example", reason="all 1000 draws inside [-2, 2]: 0.9545^1000")
@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_normal_claimed_truncated_normal_caught(seed: int) -> None:
    x = np.random.default_rng(seed).normal(0.0, 1.0, 1000)
    law = stats.truncnorm(-2.0, 2.0)
    # some |x| > 2 unless all 1000 fall inside: miss 0.9545^1000 ~ 6e-21
    assert support_test(x, -2.0, 2.0).rejects(ALPHA)
    assert extremes_test(x, law).rejects(ALPHA)  # T beyond the support has probability 0


def test_support_names_count_and_worst_value() -> None:
    x = np.linspace(-1.0, 1.0, 101)
    x[[3, 50]] = [1.5, -3.0]
    res = support_test(x, -1.0, 1.0)
    assert res.pvalue == 0.0 and res.statistic == 2.0 and res.estimate == 2.0
    assert "2 of 101 values outside" in res.detail and "worst -3" in res.detail
    assert support_test([0.0, np.nan], -1, 1).estimate == math.inf
    with pytest.raises(UsageError, match=r"\(low, high\)=\(1, 0\)"):
        support_test(x, 1, 0)


def test_constant_names_count_and_worst_deviation() -> None:
    assert constant_test(np.zeros((3, 4)), 0.0).pvalue == 1.0
    x = np.ones(10)
    x[[2, 6]] = [1.0 + 1e-12, 0.5]
    res = constant_test(x, 1.0)
    assert res.pvalue == 0.0 and res.statistic == 2.0 and res.estimate == 0.5
    assert "2 of 10 entries differ" in res.detail
    assert constant_test([0.0, np.nan], 0.0).estimate == math.inf
    with pytest.raises(UsageError, match="value=nan"):
        constant_test(x, math.nan)


def test_bound_reach_refuses_unbounded_laws() -> None:
    with pytest.raises(UsageError, match=r"law='N\(0, 1²\)'.*finite support"):
        bound_reach_test([0.0, 1.0], stats.norm())
    with pytest.raises(UsageError, match="side='middle'"):
        bound_reach_test([0.5], stats.uniform(), side="middle")
