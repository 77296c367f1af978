"""Backpropagation against finite differences, and the checker's own sensitivity.

The gradient check compares every array (weights, biases, inputs) with central
differences (eps = 1e-6, float64) and requires
``‖analytic − numeric‖ <= 1e-6·max(‖analytic‖, ‖numeric‖) + noise``, where the
noise term (``GradientCheck.noise``) is the finite difference's own rounding,
~1e-9 here, so it only matters for gradients too small to resolve.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from _mlp_helpers import (
    KINK_MARGIN,
    SEEDS,
    Case,
    cases,
    kink_distance,
    lecun_normal,
    make_target,
    small_normal_bias,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from initcheck.activations import ACTIVATIONS, Activation, sigmoid
from initcheck.losses import get_loss
from initcheck.mlp import MLP, backward, build_mlp, forward, gradient_check, numerical_gradient

RTOL = 1e-6  # the brief's bar for float64 backprop vs central differences
#: a planted bug must miss the bar by far, not by rounding. Measured over
#: 1,500-3,000 seeds: a planted σ' = σ gives relative errors >= 0.19, a
#: transposed square (n >= 3) weight gradient >= 0.07; 1e-2 is well below both.
PLANTED_MIN_ERROR = 1e-2


@settings(max_examples=80, deadline=None)
@given(case=cases())
def test_backward_equals_numerical_gradient(case: Case) -> None:
    """Weights, biases and inputs, for every activation, both losses, depth 1-4."""
    # Away from ReLU kinks only: there the derivative is a convention and a
    # finite difference straddling 0 measures the average of the two slopes.
    assume(kink_distance(case.mlp, forward(case.mlp, case.x)) > KINK_MARGIN)
    check = gradient_check(case.mlp, case.x, case.target, case.loss)
    assert check.within(RTOL), f"seed={case.seed} widths={case.mlp.widths}: {check.describe()}"


@settings(max_examples=40, deadline=None)
@given(case=cases())
def test_pre_activation_gradients_equal_numerical(case: Case) -> None:
    """``Gradients.pre[l]`` is ∂L/∂h_l: perturb h_l and run the rest of the network."""
    fwd = forward(case.mlp, case.x)
    assume(kink_distance(case.mlp, fwd) > KINK_MARGIN)
    loss = get_loss(case.loss)
    grads = backward(case.mlp, fwd, loss(fwd.output, case.target).grad)
    layer = case.seed % case.mlp.depth

    def from_pre(arrays: list[np.ndarray]) -> float:
        a = case.mlp.activations[layer].fn(arrays[0])
        for w, b, act in zip(
            case.mlp.weights[layer + 1 :],
            case.mlp.biases[layer + 1 :],
            case.mlp.activations[layer + 1 :],
            strict=True,
        ):
            a = act.fn(a @ w.T + b)
        return loss(a, case.target).loss

    (numeric,) = numerical_gradient(from_pre, [fwd.pre[layer]])
    analytic = grads.pre[layer]
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    # + 1e-9: the difference quotient's own rounding, ~u·|L|/eps = 1e-10·|L| per element
    assert np.linalg.norm(analytic - numeric) <= RTOL * scale + 1e-9, (layer, analytic, numeric)


@settings(max_examples=30, deadline=None)
@given(case=cases(max_depth=3))
def test_gradients_shapes_and_outer_product_structure(case: Case) -> None:
    """∂L/∂W_l = δ_lᵀ a_{l-1} and ∂L/∂b_l = Σ_b δ_l, in torch layout."""
    fwd = forward(case.mlp, case.x)
    grads = backward(case.mlp, fwd, get_loss(case.loss)(fwd.output, case.target).grad)
    for i, w in enumerate(case.mlp.weights):
        assert grads.weights[i].shape == w.shape
        np.testing.assert_allclose(grads.weights[i], grads.pre[i].T @ fwd.post[i], rtol=1e-14)
        np.testing.assert_allclose(grads.biases[i], grads.pre[i].sum(axis=0), rtol=1e-14)
    assert grads.inputs.shape == case.x.shape


# --- testing the tester -------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 5), m=st.integers(1, 5))
def test_numerical_gradient_on_known_function(seed: int, n: int, m: int) -> None:
    """f(A, b) = Σ sin(A)·b + ‖b‖³: ∂f/∂A = cos(A)·b, ∂f/∂b = Σ_rows sin(A) + 3‖b‖b.

    Bound: truncation eps²·|f(3)|/6 ~ 1e-12 (f(3) the third derivative, O(10)
    here), rounding ~u·|f|/eps ~ 1e-9; 1e-7 absolute is above both.
    The input arrays are not modified.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, m)), rng.normal(size=m)
    a0, b0 = a.copy(), b.copy()

    def f(arrays: list[np.ndarray]) -> float:
        x, y = arrays
        return float(np.sum(np.sin(x) * y) + np.linalg.norm(y) ** 3)

    ga, gb = numerical_gradient(f, [a, b])
    np.testing.assert_allclose(ga, np.cos(a) * b, atol=1e-7)
    np.testing.assert_allclose(gb, np.sin(a).sum(axis=0) + 3 * np.linalg.norm(b) * b, atol=1e-7)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def _net(widths: list[int], hidden: Activation | str, seed: int, output: str = "identity") -> MLP:
    return build_mlp(
        widths,
        hidden,
        weight_sampler=lecun_normal,
        bias_sampler=small_normal_bias,
        seed=seed,
        output_activation=output,
    )


def test_non_finite_gradients_never_pass() -> None:
    """A NaN anywhere (e.g. an overflowing forward pass) fails the check instead of passing."""
    net = _net([2, 3, 1], "tanh", seed=0)
    check = gradient_check(net, np.ones((1, 2)), np.zeros((1, 1)))
    assert check.within(RTOL)
    poisoned = list(check.numeric)
    poisoned[0] = poisoned[0].copy()
    poisoned[0][0, 0] = np.nan
    assert not dataclasses.replace(check, numeric=poisoned).within(RTOL)


@settings(max_examples=40, deadline=None)
@given(
    seed=SEEDS,
    widths=st.lists(st.integers(2, 6), min_size=3, max_size=4),
    loss=st.sampled_from(["squared_error", "softmax_cross_entropy"]),
)
def test_planted_wrong_sigmoid_derivative_fails_the_check(
    seed: int, widths: list[int], loss: str
) -> None:
    """σ' written as σ (instead of σ(1−σ)) in the hidden layers must fail the check.

    The same network with the correct derivative passes, so the failure is the bug's.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, widths[0]))
    target = make_target(rng, loss, 3, widths[-1])
    wrong = Activation("sigmoid", sigmoid, sigmoid)
    good = gradient_check(_net(widths, "sigmoid", seed), x, target, loss)
    bad = gradient_check(_net(widths, wrong, seed), x, target, loss)
    assert good.within(RTOL), good.describe()
    assert not bad.within(RTOL)
    assert bad.max_relative_error > PLANTED_MIN_ERROR, bad.describe()
    # the layers above every sigmoid are untouched by the bug
    assert bad.relative_errors[f"weights[{len(widths) - 2}]"] <= RTOL


@settings(max_examples=40, deadline=None)
@given(
    seed=SEEDS,
    n=st.integers(3, 6),
    loss=st.sampled_from(["squared_error", "softmax_cross_entropy"]),
)
def test_planted_transposed_weight_gradient_fails_the_check(seed: int, n: int, loss: str) -> None:
    """Returning ∂L/∂Wᵀ for a square layer (same shape!) must fail the check.

    n >= 3: for 2x2 layers the gradient is nearly symmetric for ~0.5% of seeds
    (antisymmetric part ~ 1e-3 of the norm), a real blind spot of any check
    that cannot tell G from Gᵀ when G ≈ Gᵀ.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, n))
    target = make_target(rng, loss, 2, n)
    check = gradient_check(_net([n, n, n], "tanh", seed), x, target, loss)
    assert check.within(RTOL), check.describe()
    planted = list(check.analytic)
    index = check.names.index("weights[0]")
    planted[index] = planted[index].T
    bad = dataclasses.replace(check, analytic=planted)
    assert not bad.within(RTOL)
    assert bad.relative_errors["weights[0]"] > PLANTED_MIN_ERROR, bad.describe()


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, widths=st.lists(st.integers(2, 5), min_size=3, max_size=4))
def test_planted_missing_output_derivative_fails_the_check(seed: int, widths: list[int]) -> None:
    """A tanh output layer whose derivative is taken as 1 (forgotten φ') must fail.

    The relative error is about 1 − tanh'(h) ≈ h² for the output pre-activations
    h; measured >= 5e-3 over 1,400 seeds, and below 1e-4 only if every |h| < 0.01.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, widths[0]))
    target = make_target(rng, "squared_error", 3, widths[-1])
    net = _net(widths, "relu", seed, output="tanh")
    wrong = dataclasses.replace(ACTIVATIONS["tanh"], grad=ACTIVATIONS["identity"].grad)
    bad_net = MLP(net.weights, net.biases, net.activations[:-1] + [wrong])
    assume(kink_distance(net, forward(net, x)) > KINK_MARGIN)
    assert gradient_check(net, x, target).within(RTOL)
    bad = gradient_check(bad_net, x, target)
    assert not bad.within(RTOL)
    assert bad.max_relative_error > 100 * RTOL, bad.describe()
