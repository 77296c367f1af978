"""The default initializations: Normal(sigma) and MXNet's U(-0.07, 0.07), with zero biases.

Statistical assertions: ``assert_follows`` at 1e-6 per example (tests/README.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from initcheck import init
from initcheck.claims.base import Context
from initcheck.claims.variance import CLAIMS
from initcheck.mlp import build_mlp
from tests.lawcheck import ALPHA_PER_EXAMPLE, assert_follows, draw_many

seeds = st.integers(0, 2**32 - 1000)
DEFAULTS = next(c for c in CLAIMS if c.id == "init.defaults")


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE, per="example", reason="assert_follows for N(0, sigma^2)"
)
@settings(max_examples=5)
@given(sigma=st.floats(1e-4, 1.0), seed=seeds, shape=st.tuples(st.integers(1, 300), st.integers(1, 300)))
def test_normal_sigma_draws_n_0_sigma2(sigma, seed, shape):
    assert_follows(draw_many(init.normal(std=sigma), shape, seed), stats.norm(0, sigma))


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE, per="example", reason="assert_follows for U(-0.07, 0.07)"
)
@settings(max_examples=5)
@given(seed=seeds, shape=st.tuples(st.integers(1, 300), st.integers(1, 300)))
def test_mxnet_default_draws_u_007_with_variance_007_squared_over_3(seed, shape):
    law = stats.uniform(-0.07, 0.14)
    assert abs(law.var() - 0.07**2 / 3) < 1e-18  # a²/3, a = 0.07
    assert_follows(draw_many(init.mxnet_default(), shape, seed), law)


@given(widths=st.lists(st.integers(1, 40), min_size=2, max_size=5), seed=seeds)
def test_default_biases_are_exactly_zero(widths, seed):
    net = build_mlp(widths, "relu", weight_sampler=init.mxnet_default(), seed=seed)
    assert all(np.all(b == 0.0) for b in net.biases)


@pytest.mark.false_alarm(0, reason="planted: U(+-0.1) breaks the support and the variance by 2x")
def test_the_claim_catches_a_wrong_mxnet_bound(monkeypatch) -> None:
    # planted bug: U(-0.1, 0.1) for MXNet's U(-0.07, 0.07): support and variance tests fail
    import initcheck.claims.variance as mod

    monkeypatch.setattr(mod, "mxnet_default", lambda: init.uniform(0.1))
    assert not DEFAULTS.check(Context(seed=0, alpha=1e-7)).passed


@pytest.mark.false_alarm(
    0, reason="planted: a uniform for a normal, Anderson-Darling far beyond its level"
)
def test_the_claim_catches_sigma_001_drawn_as_uniform(monkeypatch) -> None:
    # planted bug: a uniform with variance 0.01² for Normal(0.01): Anderson-Darling fails
    import initcheck.claims.variance as mod

    monkeypatch.setattr(mod, "normal", lambda mean=0.0, std=1.0: init.uniform(std * math.sqrt(3)))
    assert not DEFAULTS.check(Context(seed=0, alpha=1e-7)).passed
