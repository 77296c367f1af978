"""Sample-size planners: smallest-n property, monotonicity, and agreement with simulation."""

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
    ks_test,
    mean_test,
    plan_bound_n,
    plan_ks_n,
    plan_mean_n,
    plan_variance_n,
    power_bound,
    power_ks,
    power_mean,
    power_variance,
    variance_test,
)
from tests.stats._budget import CALIBRATION_P

seeds = st.integers(0, 2**32 - 1)
alphas = st.floats(1e-9, 0.1)
powers = st.floats(0.5, 1 - 1e-9)
SIM_RATE = 1e-7  # each simulated power check fails with probability <= 1e-7 if the planner is right


def max_misses(reps: int, miss_rate: float) -> int:
    """The smallest k with P(Binomial(reps, miss_rate) > k) <= SIM_RATE: asserting
    misses <= k then fails with probability <= SIM_RATE when the miss rate is right."""
    k = 0
    while stats.binom.sf(k, reps, miss_rate) > SIM_RATE:
        k += 1
    return k


@given(rel=st.floats(0.005, 0.5), alpha=alphas, power=powers, kurt=st.floats(1.2, 12.0))
@settings(max_examples=100, deadline=None, database=None)
def test_variance_plan_is_the_smallest_n(
    rel: float, alpha: float, power: float, kurt: float
) -> None:
    n = plan_variance_n(rel, alpha, power, kurtosis=kurt)
    for d in (rel, -rel):
        assert power_variance(n, d, alpha, kurtosis=kurt) >= power
    assert (
        n == 1 or min(power_variance(n - 1, d, alpha, kurtosis=kurt) for d in (rel, -rel)) < power
    )
    # the closed form (kappa - 1)((c + (1 + d) z_beta)/d)^2 ignores the far tail only
    c, zb = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    closed = (kurt - 1) * ((c + (1 + rel) * zb) / rel) ** 2
    assert n <= math.ceil(closed) and (closed - n <= 0.01 * closed or zb < 0.5)


@given(rel=st.floats(0.005, 0.5), alpha=alphas, power=powers)
@settings(max_examples=25, deadline=None, database=None)
def test_plans_grow_with_demands(rel: float, alpha: float, power: float) -> None:
    n = plan_variance_n(rel, alpha, power)
    assert plan_variance_n(rel / 2, alpha, power) >= n
    assert plan_variance_n(rel, alpha / 10, power) >= n
    assert (
        plan_variance_n(rel, alpha, power, kurtosis=1.8)
        <= n
        <= plan_variance_n(rel, alpha, power, kurtosis=9)
    )
    m = plan_mean_n(rel, alpha, power)
    assert power_mean(m, rel, alpha) >= power and (m == 1 or power_mean(m - 1, rel, alpha) < power)
    assert plan_mean_n(rel / 2, alpha, power) >= m


@given(
    shrink=st.floats(0.001, 0.9), alpha=alphas, power=powers, side=st.sampled_from(["both", "high"])
)
@settings(max_examples=100, deadline=None, database=None)
def test_bound_plan_is_the_smallest_n_and_sure_from_the_log_bound(
    shrink, alpha, power, side
) -> None:
    n = plan_bound_n(shrink, alpha, power, side=side)
    assert power_bound(n, shrink, alpha, side=side) >= power
    assert n == 1 or power_bound(n - 1, shrink, alpha, side=side) < power
    c = alpha / 2 if side == "both" else alpha
    sure = math.ceil(math.log(c) / math.log1p(-shrink / 2))
    assert n <= sure and power_bound(sure, shrink, alpha, side=side) == 1.0


@given(d=st.floats(0.005, 0.5), alpha=alphas, power=powers)
@settings(max_examples=50, deadline=None, database=None)
def test_ks_plan(d: float, alpha: float, power: float) -> None:
    n = plan_ks_n(d, alpha, power)
    assert power_ks(n, d, alpha) >= power and (n == 1 or power_ks(n - 1, d, alpha) < power)


@pytest.mark.false_alarm(
    SIM_RATE, per="example", reason="misses <= k with P(Binom(300, 0.001) > k) <= 1e-7"
)
@given(seed=seeds, law=st.sampled_from(["normal", "uniform"]))
@settings(max_examples=2, deadline=None, database=None)
def test_variance_planner_power_holds_in_simulation(seed: int, law: str) -> None:
    rel, alpha, power, reps = 0.2, 0.01, 0.999, 300
    frozen, kurt = (
        (stats.norm(0, 1), 3.0)
        if law == "normal"
        else (stats.uniform(-math.sqrt(3), 2 * math.sqrt(3)), 1.8)
    )
    n = plan_variance_n(rel, alpha, power, kurtosis=kurt)
    rng = np.random.default_rng(seed)
    scale = math.sqrt(1 + rel)
    misses = sum(
        not variance_test(scale * frozen.rvs(n, random_state=rng), frozen).rejects(alpha)
        for _ in range(reps)
    )
    # planned power 0.999; simulated (1e5 reps) 0.9992 normal, 0.9990 uniform at these n:
    # P(misses > k) <= 1e-7
    assert misses <= max_misses(reps, 1 - power), misses


@pytest.mark.false_alarm(SIM_RATE, per="example", reason="misses <= k, exact power")
@given(seed=seeds)
@settings(max_examples=2, deadline=None, database=None)
def test_mean_planner_power_holds_in_simulation(seed: int) -> None:
    effect, alpha, power, reps = 0.2, 0.01, 0.999, 300
    n = plan_mean_n(effect, alpha, power)
    rng = np.random.default_rng(seed)
    misses = sum(
        not mean_test(rng.normal(effect, 1.0, n), stats.norm()).rejects(alpha) for _ in range(reps)
    )
    assert misses <= max_misses(reps, 1 - power), (
        misses
    )  # exact power for normal data: rate <= 1e-7


@pytest.mark.false_alarm(
    CALIBRATION_P, per="example", reason="binomial test against the exact power"
)
@given(seed=seeds)
@settings(max_examples=2, deadline=None, database=None)
def test_bound_power_formula_matches_simulation(seed: int) -> None:
    shrink, alpha, reps = 0.1, 0.01, 400
    n = next(k for k in range(1, 500) if power_bound(k, shrink, alpha) >= 0.5)  # mid-power
    expected = power_bound(n, shrink, alpha)
    rng = np.random.default_rng(seed)
    law = stats.uniform(-1.0, 2.0)
    hits = sum(bound_reach_test(rng.uniform(-0.9, 0.9, n), law).rejects(alpha) for _ in range(reps))
    # the formula is exact: a two-sided binomial test at 1e-6 -> rate <= 1e-6
    assert stats.binomtest(hits, reps, expected).pvalue > CALIBRATION_P, (hits, expected)


@pytest.mark.false_alarm(
    SIM_RATE, per="example", reason="misses <= k (the planner is conservative)"
)
@given(seed=seeds)
@settings(max_examples=1, deadline=None, database=None)
def test_ks_planner_is_conservative_in_simulation(seed: int) -> None:
    alpha, power, reps = 0.01, 0.99, 200
    d = 2 * stats.norm.cdf(0.1) - 1  # a shift by 0.2 sd
    n = plan_ks_n(d, alpha, power)
    rng = np.random.default_rng(seed)
    misses = sum(
        not ks_test(rng.normal(0.2, 1.0, n), stats.norm()).rejects(alpha) for _ in range(reps)
    )
    assert misses <= max_misses(reps, 1 - power), misses  # true power >= planned: rate <= 1e-7


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: plan_variance_n(0.0, 0.01), "rel_effect=0.0"),
        (lambda: plan_variance_n(-1.5, 0.01), "rel_effect=-1.5"),
        (lambda: plan_variance_n(0.1, 1.0), "alpha=1.0"),
        (lambda: plan_variance_n(0.1, 0.01, kurtosis=1.0), "kurtosis=1.0"),
        (lambda: plan_mean_n(0.1, 0.01, power=1.0), "power=1.0"),
        (lambda: plan_bound_n(1.0, 0.01), "rel_shrink=1.0"),
        (lambda: plan_ks_n(0.0, 0.01), "d=0.0"),
        (lambda: power_mean(0, 0.1, 0.01), "n=0"),
    ],
)
def test_bad_arguments_name_the_value(call, name: str) -> None:
    with pytest.raises(UsageError, match=f"^{name}: expected"):
        call()
