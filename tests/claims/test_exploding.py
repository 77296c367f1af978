"""Exploding products of random matrices, against the closed forms of initcheck.products.

Statistical assertions: z-tests at 1e-6 per example (budget in tests/README.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from initcheck.claims.base import Context
from initcheck.claims.exploding import CLAIMS, critical_widths
from initcheck.products import log_norm_moments, log_product, lyapunov_exponent

ALPHA = 1e-6
seeds = st.integers(0, 2**32 - 1)


@given(width=st.integers(1, 6), factors=st.integers(1, 12), seed=seeds)
def test_log_scale_product_equals_the_direct_product(width, factors, seed):
    # exact bookkeeping: exp(log_scale)·mantissa is the float64 product computed directly
    prod = log_product(width, factors, 3, seed=seed, std=0.5)
    rng = np.random.default_rng(seed)
    m = rng.normal(0, 0.5, size=(3, width, width))
    for _ in range(factors - 1):
        m = m @ rng.normal(0, 0.5, size=(3, width, width))
    np.testing.assert_allclose(np.exp(prod.log_scale)[:, None, None] * prod.mantissa, m, rtol=1e-9, atol=0)


@pytest.mark.false_alarm(
    ALPHA, per="example", reason="z-test of the mean log row norm against its closed form"
)
@settings(max_examples=8)
@given(width=st.integers(2, 12), factors=st.integers(5, 120), std=st.floats(0.2, 3.0), seed=seeds)
def test_log_row_norm_has_the_closed_form_mean(width, factors, std, seed):
    # ln‖row‖ = ½ Σ ln(σ²χ²_n): exact mean and variance; z-test on 2000 independent products
    repeats = 2000
    rows = log_product(width, factors, repeats, seed=seed, std=std).ln_row_norms()[:, 0]
    mean, var = log_norm_moments(width, factors, std)
    z = (rows.mean() - mean) / math.sqrt(var / repeats)
    assert 2 * stats.norm.sf(abs(z)) > ALPHA, f"z = {z:.2f}"


def test_lyapunov_exponent_closed_form_values() -> None:
    # ½(ln 2 + ψ(2)) = ½(ln 2 + 1 − γ) for the book's 4×4 N(0, 1) factors
    assert lyapunov_exponent(4) == pytest.approx(0.5 * (math.log(2) + 1 - np.euler_gamma), rel=1e-14)
    # n·σ² = 1: negative for every width, and ≈ −1/(2n) for wide matrices
    for n in (2, 4, 16, 64, 256, 4096):
        lam = lyapunov_exponent(n, std=n**-0.5)
        assert lam < 0
    assert lyapunov_exponent(4096, std=4096**-0.5) * 2 * 4096 == pytest.approx(-1, rel=1e-3)
    assert lyapunov_exponent(2, std=2**-0.5) == pytest.approx(-np.euler_gamma / 2, rel=1e-14)


@pytest.mark.false_alarm(
    ALPHA, per="example", reason="z-tests of the mean square ratio, Bonferroni over 3 widths"
)
@settings(max_examples=5)
@given(seed=seeds)
def test_critical_scaling_keeps_the_mean_square(seed):
    # E[‖Gv‖²/‖v‖²] = n·σ² = 1 exactly, variance 2/n: z-test per width (3 widths, Bonferroni)
    data = critical_widths(seed, widths=(2, 8, 32), factors=30)
    for n, d in data.items():
        ratio = d["one_step"]
        z = (ratio.mean() - 1) / math.sqrt(2 / n / ratio.size)
        assert 2 * stats.norm.sf(abs(z)) > ALPHA / 3, f"width {n}: z = {z:.2f}"
        assert d["rate"].mean() < 0 or n > 8  # the typical norm shrinks


@pytest.mark.false_alarm(0, reason="planted: std 1.05 shifts the growth rate by 60 standard errors")
def test_a_broken_growth_law_is_caught(monkeypatch) -> None:
    # test the tester: factors of std 1.05 instead of 1 shift the growth rate by ln 1.05 ≈ 0.049,
    # 60 standard errors: the claim's z-test must reject
    import initcheck.claims.exploding as mod

    real = mod.log_product
    monkeypatch.setattr(mod, "log_product", lambda *a, **k: real(*a, **{**k, "std": 1.05}))
    assert not CLAIMS[0].check(Context(seed=0, alpha=1e-7)).passed
