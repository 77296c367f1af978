"""EDF tests (KS, Anderson–Darling): correct samples pass, shifted ones are caught,
and the Anderson–Darling p-value matches an independent computation."""

from __future__ import annotations

import itertools
import math
import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from scipy import integrate, special, stats

from initcheck.stats import ad_test, ks_test, plan_ks_n
from initcheck.stats.edf import ad_sf
from tests.stats._budget import ALPHA, MISS, P_APPROX, P_EXACT, RATE_APPROX

seeds = st.integers(0, 2**32 - 1)
LAWS = [stats.norm(0.5, 0.02), stats.uniform(-0.1, 0.2), stats.truncnorm(-2.0, 2.0, scale=0.3)]


@pytest.mark.false_alarm(
    2 * P_EXACT + RATE_APPROX,
    per="example",
    assertions=3,
    reason="per law: KS, DKW (exact), AD (approx)",
)
@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_correct_samples_not_flagged(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for law in LAWS:
        x = law.rvs(5000, random_state=rng)
        ks = ks_test(x, law, level=1 - 1e-8)
        assert ks.pvalue > P_EXACT  # exact KS p-value (n <= 10,000) -> 1e-8 per law
        # the 1 - 1e-8 DKW interval for the sup distance reaches 0 (DKW-Massart is exact-bound) -> 1e-8
        assert ks.ci[0] == 0.0
        # AD: saddlepoint tail, conservative by <= 7% (test below) -> rate <= 1.1e-8, claimed 1e-7
        assert ad_test(x, law).pvalue > P_APPROX


@pytest.mark.false_alarm(
    P_EXACT + 2 * MISS, per="example", reason="KS and AD miss; the DKW interval misses d"
)
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_shift_of_a_tenth_sd_caught_at_planned_n(seed: int) -> None:
    law = stats.norm(0.0, 1.0)
    d = 2.0 * stats.norm.cdf(0.05) - 1.0  # sup |Phi(x - 0.1) - Phi(x)|, at x = 0.05
    n = plan_ks_n(d, ALPHA, power=1 - MISS)
    x = np.random.default_rng(seed).normal(0.1, 1.0, n)
    res = ks_test(x, law, level=1 - 1e-8)
    assert res.rejects(ALPHA), res.detail  # conservative planner -> miss <= 1e-8
    assert (
        res.ci[0] <= d <= res.ci[1]
    )  # DKW-Massart bound: the true distance is covered, rate <= 1e-8
    assert ad_test(x, law).rejects(ALPHA)  # AD is at least as powerful for a shift -> miss <= 1e-8


def _imhof_sf(x: float, terms: int = 2000) -> float:
    """P(sum_j Z_j^2 / (j(j+1)) > x) by numerical inversion of the characteristic
    function (Imhof 1961); the terms beyond ``terms`` enter by their mean."""
    j = np.arange(1, terms + 1, dtype=float)
    lam = 1.0 / (j * (j + 1.0))
    x = x - 1.0 / (terms + 1.0)

    def integrand(u: float) -> float:
        theta = 0.5 * np.sum(np.arctan(lam * u)) - 0.5 * x * u
        return float(np.sin(theta) / (u * np.exp(0.25 * np.sum(np.log1p((lam * u) ** 2)))))

    edges = np.concatenate([[1e-9], np.geomspace(1e-2, 1e6, 120)])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        total = sum(
            integrate.quad(integrand, a, b, limit=200, epsabs=1e-15, epsrel=1e-10)[0]
            for a, b in itertools.pairwise(edges)
        )
    return 0.5 + total / math.pi


@pytest.mark.parametrize("a2", [0.6, 2.0, 6.0, 12.0])
def test_ad_pvalue_matches_characteristic_function_inversion(a2: float) -> None:
    exact, approx = _imhof_sf(a2), ad_sf(a2)
    if exact < 0.01:
        assert exact <= approx <= 1.08 * exact  # conservative and within 8% in the tail
    else:
        assert abs(approx - exact) <= 0.02


@pytest.mark.parametrize("a2", [20.0, 35.0, 60.0])
def test_ad_pvalue_has_the_exact_far_tail(a2: float) -> None:
    # the largest eigenvalue 1/2 dominates: P(A2 > z) ~ sqrt(3) erfc(sqrt z), since
    # prod_{j>=2} (1 - 2/(j(j+1)))^(-1/2) = sqrt(3)
    tail = math.sqrt(3.0) * special.erfc(math.sqrt(a2))
    assert 1.0 <= ad_sf(a2) / tail <= 1.12


def test_ad_statistic_is_the_textbook_formula() -> None:
    x = np.random.default_rng(1).normal(size=200)
    u = np.sort(stats.norm.cdf(x))
    i = np.arange(1, 201)
    a2 = -200 - np.sum((2 * i - 1) * (np.log(u) + np.log(1 - u[::-1]))) / 200
    assert ad_test(x, stats.norm()).statistic == pytest.approx(a2, rel=1e-10)


def test_nonfinite_and_outside_support() -> None:
    x = np.random.default_rng(2).uniform(size=50)
    assert ks_test(np.append(x, np.nan), stats.uniform()).pvalue == 0.0
    assert ad_test(np.append(x, np.inf), stats.uniform()).pvalue == 0.0
    assert ad_test(np.append(x, 1.5), stats.uniform()).pvalue == 0.0  # F = 1 there: A2 = inf
