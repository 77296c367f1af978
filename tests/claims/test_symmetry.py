"""Symmetries of an MLP and constant initialization: exact properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from initcheck.claims.base import Context
from initcheck.claims.symmetry import (
    CLAIMS,
    SPREAD_TOL,
    constant_init_steps,
    one_hidden_layer,
    permutation_error,
    rescale_error,
    sign_flip_error,
)

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 24)
activations = st.sampled_from(["identity", "sigmoid", "tanh", "relu", "leaky_relu"])
TOL = 1e-12  # relative rounding of a reordered float64 sum


@given(n_in=sizes, hidden=st.integers(2, 32), n_out=sizes, act=activations, seed=seeds)
def test_permuting_hidden_units_keeps_the_output(n_in, hidden, n_out, act, seed):
    net = one_hidden_layer(n_in, hidden, n_out, act, seed)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(hidden)
    assert permutation_error(net, perm, rng.normal(size=(5, n_in))) <= TOL


@given(n_in=sizes, hidden=st.integers(2, 32), n_out=sizes, seed=seeds, log_c=st.floats(-5, 5))
def test_tanh_sign_flip_and_relu_rescaling_are_symmetries(n_in, hidden, n_out, seed, log_c):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(5, n_in))
    unit = int(rng.integers(hidden))
    assert sign_flip_error(one_hidden_layer(n_in, hidden, n_out, "tanh", seed), unit, x) <= TOL
    assert rescale_error(one_hidden_layer(n_in, hidden, n_out, "relu", seed), unit, float(np.exp(log_c)), x) <= TOL


@given(value=st.floats(-1, 1).filter(lambda v: v != 0), seed=seeds, steps=st.integers(1, 30),
       hidden=st.integers(2, 20))
def test_constant_init_keeps_every_hidden_unit_identical(value, seed, steps, hidden):
    r = constant_init_steps(value, seed=seed, steps=steps, hidden=hidden)
    assert r["spread_activation"] <= SPREAD_TOL and r["spread_gradient"] <= SPREAD_TOL  # rounding only
    assert r["rank"] == 1.0
    assert r["one_unit_error"] <= TOL


@given(seed=seeds, hidden=st.integers(2, 20))
def test_random_init_breaks_the_symmetry(seed, hidden):
    r = constant_init_steps(None, seed=seed, steps=3, hidden=hidden)
    assert r["spread_activation"] > 1e3 * SPREAD_TOL and r["spread_gradient"] > 1e3 * SPREAD_TOL
    assert r["rank"] == min(hidden, 5)  # W1 is hidden×5, full rank almost surely


def test_relu_sign_flip_is_not_a_symmetry() -> None:
    # the check can fail: a sign flip changes a ReLU network's output
    net = one_hidden_layer(4, 8, 3, "relu", 0)
    x = np.random.default_rng(0).normal(size=(16, 4))
    assert sign_flip_error(net, 0, x) > 1e-3


def test_a_permutation_that_forgets_the_bias_is_caught() -> None:
    # planted bug: permuting W1 and W2 but not b1 changes the output, so the measure is not blind
    from initcheck.mlp import MLP, forward

    net = one_hidden_layer(4, 8, 3, "tanh", 1)
    perm = np.roll(np.arange(8), 1)
    (w1, w2), (b1, b2) = net.weights, net.biases
    bad = MLP([w1[perm], w2[:, perm]], [b1, b2], list(net.activations))
    x = np.random.default_rng(1).normal(size=(5, 4))
    assert np.abs(forward(bad, x).output - forward(net, x).output).max() > 1e-3


@pytest.mark.false_alarm(0, reason="exact claims: rounding only")
def test_symmetry_claims_are_exact() -> None:
    assert all(c.kind == "exact" for c in CLAIMS)
    assert all(c.check(Context(seed=3, alpha=1e-7)).passed for c in CLAIMS)
