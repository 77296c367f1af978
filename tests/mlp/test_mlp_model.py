"""Forward pass, construction, SGD/LARS steps and Jacobians of the reference MLP."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from _mlp_helpers import SEEDS, Case, cases, lecun_normal, small_normal_bias
from hypothesis import given, settings
from hypothesis import strategies as st

from initcheck.activations import ACTIVATIONS
from initcheck.losses import get_loss
from initcheck.mlp import (
    MLP,
    Gradients,
    backward,
    build_mlp,
    forward,
    jacobian,
    lars_local_lr,
    lars_step,
    layer_jacobians,
    layer_seeds,
    sgd_step,
)


def _grads(case: Case) -> Gradients:
    fwd = forward(case.mlp, case.x)
    return backward(case.mlp, fwd, get_loss(case.loss)(fwd.output, case.target).grad)


def _snapshot(mlp: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    return [w.copy() for w in mlp.weights], [b.copy() for b in mlp.biases]


# --- forward -----------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(case=cases())
def test_forward_pre_and_post_are_consistent(case: Case) -> None:
    """a_0 = x, h_l = a_{l-1} W_lᵀ + b_l and a_l = φ_l(h_l), bit for bit."""
    fwd = forward(case.mlp, case.x)
    assert len(fwd.pre) == case.mlp.depth and len(fwd.post) == case.mlp.depth + 1
    np.testing.assert_array_equal(fwd.post[0], case.x)
    for i, (w, b, act) in enumerate(
        zip(case.mlp.weights, case.mlp.biases, case.mlp.activations, strict=True)
    ):
        np.testing.assert_array_equal(fwd.pre[i], fwd.post[i] @ w.T + b)
        np.testing.assert_array_equal(fwd.post[i + 1], act.fn(fwd.pre[i]))
    assert fwd.output is fwd.post[-1]
    assert fwd.output.shape == (case.x.shape[0], case.mlp.widths[-1])


@settings(max_examples=30, deadline=None)
@given(case=cases())
def test_forward_treats_rows_independently(case: Case) -> None:
    """Batch-first: row b of the output depends on row b of x only."""
    whole = forward(case.mlp, case.x).output
    for b in range(case.x.shape[0]):
        row = forward(case.mlp, case.x[b : b + 1]).output[0]
        np.testing.assert_allclose(whole[b], row, rtol=1e-12, atol=1e-14)


def test_forward_small_example_by_hand() -> None:
    """W = [[1, 2]], b = [0.5], relu: h = x·Wᵀ + b."""
    net = MLP([np.array([[1.0, 2.0]])], [np.array([0.5])], [ACTIVATIONS["relu"]])
    fwd = forward(net, np.array([[1.0, 1.0], [-3.0, 0.0]]))
    assert fwd.pre[0].tolist() == [[3.5], [-2.5]]
    assert fwd.output.tolist() == [[3.5], [0.0]]


# --- construction --------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, widths=st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_build_mlp_layout_seeds_and_defaults(seed: int, widths: list[int]) -> None:
    calls: list[tuple[tuple[int, ...], int]] = []

    def recording(shape: tuple[int, ...], s: int) -> np.ndarray:
        calls.append((shape, s))
        return lecun_normal(shape, s)

    net = build_mlp(widths, "tanh", weight_sampler=recording, seed=seed)
    depth = len(widths) - 1
    # torch layout (n_out, n_in), one call per layer, seeds from SeedSequence(seed).spawn
    assert [shape for shape, _ in calls] == [(widths[i + 1], widths[i]) for i in range(depth)]
    assert [s for _, s in calls] == [ws for ws, _ in layer_seeds(seed, depth)]
    assert len({s for _, s in calls}) == depth  # distinct per layer (collision odds ~depth²/2³³)
    assert net.widths == tuple(widths)
    assert all(np.all(b == 0) for b in net.biases)
    assert [a.name for a in net.activations] == ["tanh"] * (depth - 1) + ["identity"]
    # the same seed rebuilds the same network; another seed does not
    again = build_mlp(widths, "tanh", weight_sampler=lecun_normal, seed=seed)
    for w, w2 in zip(net.weights, again.weights, strict=True):
        np.testing.assert_array_equal(w, w2)
    other = build_mlp(widths, "tanh", weight_sampler=lecun_normal, seed=(seed + 1) % 2**32)
    assert not np.array_equal(net.weights[0], other.weights[0])


def test_layer_seeds_follow_seed_sequence_spawn() -> None:
    children = np.random.SeedSequence(123).spawn(3)
    expected = [tuple(int(v) for v in c.generate_state(2, dtype=np.uint32)) for c in children]
    assert layer_seeds(123, 3) == expected
    assert layer_seeds(123, 2) == expected[:2]  # adding layers keeps earlier seeds


def test_bias_sampler_is_used_with_bias_seed() -> None:
    net = build_mlp(
        [3, 4, 2], "relu", weight_sampler=lecun_normal, bias_sampler=small_normal_bias, seed=5
    )
    seeds = layer_seeds(5, 2)
    for b, (_, bias_seed) in zip(net.biases, seeds, strict=True):
        np.testing.assert_array_equal(b, small_normal_bias(b.shape, bias_seed))


# --- SGD -------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(case=cases(), lr=st.floats(0.0, 10.0))
def test_sgd_step_is_pure_and_exact(case: Case, lr: float) -> None:
    grads = _grads(case)
    before = _snapshot(case.mlp)
    grads_before = copy.deepcopy(grads)
    new = sgd_step(case.mlp, grads, lr)
    after = _snapshot(case.mlp)
    for old, kept in zip(before[0] + before[1], after[0] + after[1], strict=True):
        np.testing.assert_array_equal(old, kept)  # the old network is untouched
    for g, g0 in zip(grads.weights, grads_before.weights, strict=True):
        np.testing.assert_array_equal(g, g0)
    for w, gw, nw in zip(case.mlp.weights, grads.weights, new.weights, strict=True):
        np.testing.assert_array_equal(nw, w - lr * gw)
        assert not np.shares_memory(nw, w)
    for b, gb, nb in zip(case.mlp.biases, grads.biases, new.biases, strict=True):
        np.testing.assert_array_equal(nb, b - lr * gb)
    assert new.activations == case.mlp.activations


# --- LARS ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    case=cases(),
    log10_scale=st.floats(-8.0, 8.0),
    lr=st.floats(0.01, 1.0),
    trust=st.floats(1e-3, 1.0),
)
def test_lars_update_norm_is_trust_lr_weight_norm(
    case: Case, log10_scale: float, lr: float, trust: float
) -> None:
    """‖ΔW_l‖ = η·lr·‖W_l‖ for every layer, whatever the gradient's scale (1e-8..1e8).

    Tolerance: ΔW is recovered as W − W_new, which loses ~u·‖W‖ absolute, i.e.
    relative u/(η·lr) <= 2e-11 here; 1e-9 leaves margin.
    """
    grads = _grads(case)
    scale = 10.0**log10_scale
    scaled = Gradients(
        [g * scale for g in grads.weights], [g * scale for g in grads.biases], grads.inputs
    )
    before = _snapshot(case.mlp)
    new = lars_step(case.mlp, scaled, lr, trust=trust)
    for i, (w, nw, gw) in enumerate(
        zip(case.mlp.weights, new.weights, scaled.weights, strict=True)
    ):
        np.testing.assert_array_equal(w, before[0][i])  # not mutated
        if not np.any(gw):
            continue  # a dead layer (all-zero gradient) does not move
        step = np.linalg.norm(w - nw)
        assert step == pytest.approx(trust * lr * np.linalg.norm(w), rel=1e-9), i
        # the direction is the gradient's; each entry of W − W_new carries an
        # absolute rounding error of ~u·|W|, i.e. u·max|W| / step after normalizing
        atol = 8 * 2.0**-53 * np.abs(w).max() / step
        np.testing.assert_allclose((w - nw) / step, gw / np.linalg.norm(gw), rtol=1e-9, atol=atol)
    for b, nb, gb in zip(case.mlp.biases, new.biases, scaled.biases, strict=True):
        np.testing.assert_array_equal(nb, b - lr * gb)  # biases: plain SGD


@settings(max_examples=30, deadline=None)
@given(case=cases(), weight_decay=st.floats(1e-4, 1.0), log10_scale=st.floats(-4.0, 4.0))
def test_lars_with_weight_decay_follows_the_formula(
    case: Case, weight_decay: float, log10_scale: float
) -> None:
    """ΔW = lr·η‖W‖/(‖∇W‖ + β‖W‖)·(∇W + βW), and its norm never exceeds lr·η·‖W‖."""
    grads = _grads(case)
    scale = 10.0**log10_scale
    scaled = Gradients([g * scale for g in grads.weights], grads.biases, grads.inputs)
    lr, trust = 0.5, 0.1
    new = lars_step(case.mlp, scaled, lr, trust=trust, weight_decay=weight_decay)
    for w, nw, gw in zip(case.mlp.weights, new.weights, scaled.weights, strict=True):
        w_norm = np.linalg.norm(w)
        local = trust * w_norm / (np.linalg.norm(gw) + weight_decay * w_norm)
        assert lars_local_lr(w, gw, trust, weight_decay) == pytest.approx(local, rel=1e-14)
        np.testing.assert_allclose(
            w - nw, lr * local * (gw + weight_decay * w), rtol=1e-9, atol=1e-12 * w_norm
        )
        # triangle inequality: ‖∇W + βW‖ <= ‖∇W‖ + β‖W‖
        assert np.linalg.norm(w - nw) <= lr * trust * w_norm * (1 + 1e-9)


def test_lars_zero_norm_convention_is_plain_sgd() -> None:
    """‖W‖ = 0 (or a 0/0 ratio) falls back to λ = 1, as in Optax's trust ratio."""
    assert lars_local_lr(np.zeros((2, 2)), np.ones((2, 2)), trust=0.01) == 1.0
    assert lars_local_lr(np.ones((2, 2)), np.zeros((2, 2)), trust=0.01) == 1.0
    net = MLP([np.zeros((1, 2))], [np.zeros(1)], [ACTIVATIONS["identity"]])
    grads = Gradients([np.array([[1.0, -1.0]])], [np.array([2.0])], np.zeros((1, 2)))
    new = lars_step(net, grads, lr=0.1)
    np.testing.assert_array_equal(new.weights[0], [[-0.1, 0.1]])


# --- Jacobians ---------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(case=cases())
def test_jacobian_is_product_of_layer_jacobians_and_matches_forward(case: Case) -> None:
    """J = M_L ⋯ M_1 with M_l = diag(φ'(h_l)) W_l, and J·v ≈ directional difference."""
    x0 = case.x[0]
    mats = layer_jacobians(case.mlp, x0)
    assert [m.shape for m in mats] == [w.shape for w in case.mlp.weights]
    fwd = forward(case.mlp, x0[None, :])
    for m, w, h, act in zip(mats, case.mlp.weights, fwd.pre, case.mlp.activations, strict=True):
        np.testing.assert_array_equal(m, np.diag(act.grad(h[0])) @ w)
    J = jacobian(case.mlp, x0)
    product = mats[0]
    for m in mats[1:]:
        product = m @ product
    np.testing.assert_allclose(J, product, rtol=1e-12, atol=1e-15)
    # Each column of J is ∂o/∂x_j: compare with central differences away from kinks.
    eps = 1e-6
    h_min = min(float(np.min(np.abs(h))) for h in fwd.pre)
    if h_min > 1e-3:
        for j in range(x0.size):
            e = np.zeros_like(x0)
            e[j] = eps
            up = forward(case.mlp, (x0 + e)[None, :]).output[0]
            down = forward(case.mlp, (x0 - e)[None, :]).output[0]
            np.testing.assert_allclose(J[:, j], (up - down) / (2 * eps), rtol=1e-5, atol=1e-8)


def test_jacobian_of_linear_network_is_weight_product() -> None:
    rng = np.random.default_rng(0)
    ws = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]
    ident = ACTIVATIONS["identity"]
    net = MLP(ws, [np.zeros(4), np.zeros(2)], [ident, ident])
    np.testing.assert_allclose(jacobian(net, np.ones(3)), ws[1] @ ws[0], rtol=1e-14)
