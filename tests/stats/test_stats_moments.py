"""Moment tests: correct samples pass, planted moment errors are caught, streaming matches.

Rates (see _budget.py and FALSE_ALARMS.md): every "not flagged" assertion is
p > 1e-8; every "caught" assertion is a rejection at 1e-6 with n planned for
power 1 - 1e-8.
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
    RunningMoments,
    kurtosis_test,
    mean_test,
    plan_ks_n,
    plan_mean_n,
    plan_variance_n,
    variance_test,
)
from tests.stats._budget import ALPHA, MISS, P_APPROX, P_EXACT, RATE_APPROX

seeds = st.integers(0, 2**32 - 1)
N_SHAPE = 20_000  # enough for the kurtosis test's Pearson III tail (accurate from n ~ 1000)


def _sd_uniform_law(sd: float) -> stats.rv_continuous:
    a = sd * math.sqrt(3.0)
    return stats.uniform(-a, 2 * a)


@pytest.mark.false_alarm(
    2 * P_EXACT + 2 * RATE_APPROX,
    per="example",
    reason="mean, variance (exact); interval, kurtosis (approx)",
)
@given(seed=seeds, log_sd=st.floats(-6, 2))
@settings(max_examples=10, deadline=None, database=None)
def test_correct_normal_not_flagged(seed: int, log_sd: float) -> None:
    sd = math.exp(log_sd)
    law = stats.norm(0.0, sd)
    x = np.random.default_rng(seed).normal(0.0, sd, N_SHAPE)
    # mean: exact z-test for normal data -> false alarm 1e-8 per example
    assert mean_test(x, law).pvalue > P_EXACT
    # variance: exact chi-square (Pearson III with the chi2 skewness) -> 1e-8
    res = variance_test(x, law, level=1 - 1e-8)
    assert res.pvalue > P_EXACT
    # its 1 - 1e-8 interval (normal approximation) covers sd^2 -> rate <= 1e-7
    assert res.ci[0] <= sd**2 <= res.ci[1]
    # kurtosis: Pearson III approximation at n = 20,000 -> rate <= 1e-7
    assert kurtosis_test(x, law).pvalue > P_APPROX


@pytest.mark.false_alarm(
    3 * RATE_APPROX,
    per="example",
    assertions=2,
    reason="per law: mean, variance, kurtosis (approx)",
)
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_correct_uniform_and_truncated_normal_not_flagged(seed: int) -> None:
    rng = np.random.default_rng(seed)
    laws = [stats.uniform(-0.3, 0.6), stats.truncnorm(-2.0, 2.0, loc=0.1, scale=0.5)]
    for law in laws:
        x = law.rvs(N_SHAPE, random_state=rng)
        # three approximate p-values per law (CLT / Pearson III) -> rate <= 3e-7 per law
        assert mean_test(x, law).pvalue > P_APPROX
        assert variance_test(x, law).pvalue > P_APPROX
        assert kurtosis_test(x, law).pvalue > P_APPROX


@pytest.mark.false_alarm(MISS, per="example", reason="miss at the planned power 1 - 1e-8")
@given(seed=seeds, sign=st.sampled_from([-1.0, 1.0]))
@settings(max_examples=5, deadline=None, database=None)
def test_two_percent_variance_error_caught_at_planned_n(seed: int, sign: float) -> None:
    rel = sign * 0.02
    n = plan_variance_n(0.02, ALPHA, power=1 - MISS)  # both signs; ~600k draws
    x = np.random.default_rng(seed).normal(0.0, math.sqrt(1.0 + rel), n)
    res = variance_test(x, stats.norm(0.0, 1.0))
    # planned power 1 - 1e-8 at alpha 1e-6 -> miss rate <= 1e-8 per example
    assert res.rejects(ALPHA), res.detail
    assert np.sign(res.statistic) == sign  # in the planted direction (wrong-way rejection: < 1e-20)


@pytest.mark.false_alarm(MISS, per="example", reason="miss at the planned power 1 - 1e-8")
@given(seed=seeds, sign=st.sampled_from([-1.0, 1.0]))
@settings(max_examples=5, deadline=None, database=None)
def test_mean_shift_of_two_hundredths_sd_caught_at_planned_n(seed: int, sign: float) -> None:
    n = plan_mean_n(0.02, ALPHA, power=1 - MISS)
    x = np.random.default_rng(seed).normal(sign * 0.02 * 3.0, 3.0, n)
    res = mean_test(x, stats.norm(0.0, 3.0))
    assert res.rejects(ALPHA), res.detail  # planned: miss rate <= 1e-8 per example
    assert np.sign(res.statistic) == sign


def _sup_distance(a: stats.rv_continuous, b: stats.rv_continuous) -> float:
    """sup |F_a - F_b|, from the laws (a fine grid; the laws are smooth)."""
    t = np.linspace(-8.0, 8.0, 400_001)
    return float(np.max(np.abs(a.cdf(t) - b.cdf(t))))


@pytest.mark.false_alarm(
    P_EXACT + 2 * MISS, per="example", reason="variance not flagged; KS, AD miss (kurtosis < 1e-12)"
)
@given(seed=seeds)
@settings(max_examples=3, deadline=None, database=None)
def test_uniform_with_the_right_variance_claimed_normal(seed: int) -> None:
    """Right variance, wrong family: the variance test must pass, kurtosis and KS must not."""
    from initcheck.stats import ad_test, ks_test

    law, truth = stats.norm(0.0, 1.0), _sd_uniform_law(1.0)
    n = max(N_SHAPE, plan_ks_n(_sup_distance(law, truth), ALPHA, power=1 - MISS))
    x = truth.rvs(n, random_state=np.random.default_rng(seed))
    # variance is right; a uniform's s2 is less spread than the normal law's -> rate < 1e-8
    assert variance_test(x, law).pvalue > P_EXACT
    # kurtosis 1.8 vs 3: z ~ -40 at n = 20,000 -> miss rate < 1e-12
    kt = kurtosis_test(x, law)
    assert kt.rejects(ALPHA) and kt.estimate < 2.0, kt.detail
    # KS at its planned n (power 1 - 1e-8) -> miss <= 1e-8; AD is more powerful still
    assert ks_test(x, law).rejects(ALPHA)
    assert ad_test(x, law).rejects(ALPHA)


@pytest.mark.false_alarm(
    2 * MISS, per="example", reason="KS and AD miss at the planned n (kurtosis < 1e-12)"
)
@given(seed=seeds)
@settings(max_examples=3, deadline=None, database=None)
def test_student_t5_claimed_normal(seed: int) -> None:
    from initcheck.stats import ad_test, ks_test

    law = stats.norm(0.0, 1.0)
    truth = stats.t(5, scale=math.sqrt(3.0 / 5.0))  # unit variance
    n = max(N_SHAPE, plan_ks_n(_sup_distance(law, truth), ALPHA, power=1 - MISS))
    x = truth.rvs(n, random_state=np.random.default_rng(seed))
    # kurtosis 9 vs 3; k_hat < 3.2 (needed to miss) never happens: its minimum over
    # 2000 simulated samples of 20,000 was 5.46 -> miss rate < 1e-12
    assert kurtosis_test(x, law).rejects(ALPHA)
    assert ks_test(x, law).rejects(ALPHA)  # planned n -> miss <= 1e-8
    assert ad_test(x, law).rejects(ALPHA)  # more tail-sensitive than KS -> miss <= 1e-8


@given(seed=seeds, center=st.floats(-2.0, 2.0), parts=st.integers(1, 7))
@settings(max_examples=20, deadline=None, database=None)
def test_running_moments_match_one_pass(seed: int, center: float, parts: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.3, 1.5, 1000)
    rm = RunningMoments(center)
    for chunk in np.array_split(x, parts):
        rm.update(chunk)
    assert rm.n == x.size and rm.nonfinite == 0
    assert (rm.min, rm.max) == (x.min(), x.max())
    for k in (1, 2, 3, 4):
        direct = float(np.mean((x - 0.3) ** k))
        assert rm.moment_about(0.3, k) == pytest.approx(direct, rel=1e-9, abs=1e-12)
    assert rm.sample_variance() == pytest.approx(float(np.var(x, ddof=1)), rel=1e-9)
    law = stats.norm(0.3, 1.5)
    for test in (mean_test, variance_test, kurtosis_test):
        assert test(rm, law).pvalue == pytest.approx(test(x, law).pvalue, rel=1e-6, abs=1e-12)


def test_running_moments_merge_and_nonfinite() -> None:
    a = RunningMoments(0.0).update([1.0, 2.0, np.nan])
    b = RunningMoments(0.0).update([np.inf, 3.0])
    a.merge(b)
    assert (a.n, a.nonfinite, a.min, a.max) == (3, 2, 1.0, 3.0)
    with pytest.raises(UsageError, match="center"):
        a.merge(RunningMoments(1.0))


@pytest.mark.parametrize("test", [mean_test, variance_test, kurtosis_test])
def test_nonfinite_values_reject(test) -> None:
    x = np.random.default_rng(0).normal(size=100)
    x[7] = np.nan
    res = test(x, stats.norm())
    assert res.pvalue == 0.0 and "1 of 100 values are not finite" in res.detail


def test_bad_arguments_are_usage_errors_naming_the_value() -> None:
    x = np.zeros(10)
    with pytest.raises(UsageError, match=r"x\.size=0"):
        mean_test([], stats.norm())
    with pytest.raises(UsageError, match=r"level=1\.5"):
        variance_test(x, stats.norm(), level=1.5)
    with pytest.raises(UsageError, match=r"law='cauchy\(\)'.*finite mean"):
        variance_test(x, stats.cauchy())
    with pytest.raises(UsageError, match=r"law='t\(5\)'.*8th moment"):
        kurtosis_test(x, stats.t(5))
    with pytest.raises(UsageError, match=r"law="):
        mean_test(x, "normal")
    with pytest.raises(UsageError, match=r"x\.dtype"):
        mean_test(np.array(["a", "b"]), stats.norm())
