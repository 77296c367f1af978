"""Activations: closed-form derivatives against finite differences, stability, lookup."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initcheck.activations import (
    ACTIVATIONS,
    DEFAULT_NEGATIVE_SLOPE,
    Activation,
    get_activation,
    sigmoid,
    sigmoid_grad,
    tanh_grad,
)
from initcheck.errors import UsageError

U = 2.0**-53  # unit roundoff of float64
H = 1e-5  # finite-difference step
#: Largest |φ'''| over the real line, per activation (0 off the kink for the
#: piecewise-linear ones): sigmoid''' ∈ [-1/8, 1/24], tanh''' ∈ [-2, 2/3].
THIRD_DERIVATIVE_BOUND = {
    "identity": 0.0,
    "sigmoid": 1 / 8,
    "tanh": 2.0,
    "relu": 0.0,
    "leaky_relu": 0.0,
}

xs = st.floats(-30.0, 30.0, allow_nan=False).filter(lambda v: abs(v) > 2 * H)


def derivative_gap(act: Activation, bound: float, x: float) -> tuple[float, float]:
    """|φ'(x) − central difference| and the tolerance it must meet.

    Tolerance = truncation + rounding: the central difference is off by at most
    h²·max|φ(3)|/6 (Taylor, φ(3) the third derivative), and each φ evaluation
    by a few ulps of |φ|, which the quotient divides by 2h: 8u·max|φ(x±h)|/(2h).
    The quotient uses the step actually taken in floating point, (x+h) − (x−h).
    """
    up, down = x + H, x - H
    f_up, f_down = act.fn(np.array([up]))[0], act.fn(np.array([down]))[0]
    numeric = (f_up - f_down) / (up - down)
    analytic = act.grad(np.array([x]))[0]
    tol = H**2 * bound / 6 + 8 * U * max(abs(f_up), abs(f_down), 1.0) / (2 * H)
    return abs(analytic - numeric), tol


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(sorted(ACTIVATIONS)), x=xs)
def test_derivative_equals_central_difference(name: str, x: float) -> None:
    """φ'(x) equals (φ(x+h) − φ(x−h)) / 2h within :func:`derivative_gap`'s tolerance.

    |x| > 2h keeps both probes on one side of the ReLU kink.
    """
    gap, tol = derivative_gap(ACTIVATIONS[name], THIRD_DERIVATIVE_BOUND[name], x)
    assert gap <= tol, (name, x, gap, tol)


PLANTED = {
    # the brief's example: σ' written as σ instead of σ(1 − σ)
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid),
    "tanh": Activation("tanh", ACTIVATIONS["tanh"].fn, lambda x: 1.0 - np.tanh(x)),
    "relu": Activation("relu", ACTIVATIONS["relu"].fn, lambda x: np.ones_like(x)),
    "leaky_relu": Activation(
        "leaky_relu", ACTIVATIONS["leaky_relu"].fn, lambda x: np.where(x > 0, 1.0, 0.0)
    ),
}


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(PLANTED)), x=st.floats(-4.0, -0.1))
def test_planted_wrong_derivative_is_caught(name: str, x: float) -> None:
    """Testing the test: each planted bug misses the tolerance by orders of magnitude.

    On [-4, -0.1] the planted derivatives are off by at least 3e-4 (sigmoid:
    σ − σ(1−σ) = σ² >= σ(-4)² = 3.2e-4; tanh: |tanh − tanh²| >= 0.09; ReLU-type:
    the slope on x < 0 is off by 1 or 0.01), while the tolerance is ~1e-10.
    """
    gap, tol = derivative_gap(PLANTED[name], THIRD_DERIVATIVE_BOUND[name], x)
    assert gap > 1e3 * tol, (name, x, gap, tol)


@settings(max_examples=100, deadline=None)
@given(x=st.floats(20.0, 700.0))
def test_sigmoid_stable_for_large_inputs(x: float) -> None:
    """σ(±x) stays in [0, 1], sums to 1, and σ'(x) keeps relative precision.

    σ'(x) = e^{-x}/(1+e^{-x})² differs from e^{-x} by a factor within
    (1 − 2e^{-x}, 1], so relative error 1e-12 is exact arithmetic plus rounding;
    the textbook σ(1−σ) would return 0 here for x > ~37.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        values = sigmoid(np.array([x, -x]))
        grads = sigmoid_grad(np.array([x, -x]))
    assert 0.0 <= values[1] <= values[0] <= 1.0
    assert values[0] + values[1] == pytest.approx(1.0, abs=2 * U)
    expected = math.exp(-x)
    assert grads[0] == grads[1]
    assert grads[0] == pytest.approx(expected, rel=1e-12)
    assert tanh_grad(np.array([x / 2]))[0] == pytest.approx(4 * math.exp(-x), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(x=st.floats(-1e-3, 1e-3) | st.floats(-50.0, 50.0))
def test_derivative_bounds_hold_in_floating_point(x: float) -> None:
    """σ' <= 1/4 and tanh' <= 1 hold exactly, also near 0 where z/(1+z)² rounds up.

    Theory checks compare against these bounds (the sigmoid's vanishing gradient).
    """
    arr = np.array([x])
    assert 0.0 <= sigmoid_grad(arr)[0] <= 0.25
    assert 0.0 <= tanh_grad(arr)[0] <= 1.0


def test_sigmoid_extremes_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigmoid(np.array([-1e308, -800.0, 0.0, 800.0, 1e308]))
    assert out.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_kink_conventions() -> None:
    """At 0 the derivative is the left derivative: relu'(0) = 0, leaky_relu'(0) = slope."""
    zero = np.array([0.0])
    assert ACTIVATIONS["relu"].grad(zero)[0] == 0.0
    assert ACTIVATIONS["leaky_relu"].grad(zero)[0] == DEFAULT_NEGATIVE_SLOPE
    assert ACTIVATIONS["relu"].grad(np.array([1e-300, -1e-300])).tolist() == [1.0, 0.0]


@settings(max_examples=50, deadline=None)
@given(
    slope=st.floats(-2.0, 2.0, allow_nan=False),
    x=st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v != 0),
)
def test_leaky_relu_slope_reaches_fn_and_grad(slope: float, x: float) -> None:
    act = get_activation("leaky_relu", negative_slope=slope)
    if x > 0:
        assert act.fn(np.array([x]))[0] == x and act.grad(np.array([x]))[0] == 1.0
    else:
        assert act.fn(np.array([x]))[0] == slope * x
        assert act.grad(np.array([x]))[0] == slope


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float32_in_float32_out_and_shape_kept(name: str) -> None:
    act = ACTIVATIONS[name]
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    assert act(x).dtype == np.float32 and act(x).shape == (3, 4)
    assert act.grad(x).dtype == np.float32 and act.grad(x).shape == (3, 4)


def test_lookup_normalizes_and_passes_objects_through() -> None:
    custom = Activation("mine", np.sin, np.cos)
    assert get_activation(custom) is custom
    assert get_activation("Leaky-ReLU") is ACTIVATIONS["leaky_relu"]
    assert get_activation("leaky_relu", negative_slope=0.2).name == "leaky_relu(0.2)"


@pytest.mark.parametrize(
    ("args", "kwargs", "named"),
    [
        (("swish",), {}, "'swish'"),
        ((3,), {}, "3"),
        (("relu",), {"negative_slope": 0.1}, "0.1"),
        (("leaky_relu",), {"negative_slope": float("nan")}, "nan"),
    ],
)
def test_lookup_errors_name_the_value(args: tuple, kwargs: dict, named: str) -> None:
    with pytest.raises(UsageError, match="expected") as info:
        get_activation(*args, **kwargs)
    assert named in str(info.value)
