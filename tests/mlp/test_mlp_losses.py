"""Losses: values against independent formulas, gradients against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st

from initcheck.errors import UsageError
from initcheck.losses import LOSSES, get_loss, softmax_cross_entropy, squared_error
from initcheck.mlp import numerical_gradient

SEEDS = st.integers(0, 2**32 - 1)
#: relative error of a central difference with eps = 1e-6 on O(1) smooth
#: functions: truncation ~1e-12, rounding ~1e-10 per element; 1e-6 is the
#: brief's bar and 4 orders of magnitude above both.
RTOL = 1e-6


def _data(loss: str, seed: int, batch: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = rng.normal(size=(batch, n))
    if loss == "squared_error":
        return out, rng.normal(size=(batch, n))
    return out, rng.integers(0, n, size=batch)


@settings(max_examples=60, deadline=None)
@given(
    loss=st.sampled_from(sorted(LOSSES)),
    seed=SEEDS,
    batch=st.integers(1, 5),
    n=st.integers(1, 6),
)
def test_loss_gradient_equals_finite_differences(loss: str, seed: int, batch: int, n: int) -> None:
    out, target = _data(loss, seed, batch, n)
    fn = LOSSES[loss]
    _, grad = fn(out, target)
    (numeric,) = numerical_gradient(lambda arrays: fn(arrays[0], target).loss, [out])
    err = np.linalg.norm(grad - numeric)
    assert err <= RTOL * max(np.linalg.norm(grad), 1e-3), (err, grad, numeric)


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, batch=st.integers(1, 5), n=st.integers(1, 6))
def test_squared_error_is_half_mean_squared_norm(seed: int, batch: int, n: int) -> None:
    out, target = _data("squared_error", seed, batch, n)
    loss, grad = squared_error(out, target)
    direct = sum(0.5 * float(np.dot(o - y, o - y)) for o, y in zip(out, target, strict=True))
    assert loss == pytest.approx(direct / batch, rel=1e-13)
    np.testing.assert_allclose(grad, (out - target) / batch, rtol=0, atol=0)


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, batch=st.integers(1, 5), n=st.integers(1, 6))
def test_cross_entropy_matches_scipy_log_softmax(seed: int, batch: int, n: int) -> None:
    logits, labels = _data("softmax_cross_entropy", seed, batch, n)
    loss, grad = softmax_cross_entropy(logits, labels)
    logp = scipy.special.log_softmax(logits, axis=1)
    assert loss == pytest.approx(-logp[np.arange(batch), labels].mean(), rel=1e-12)
    onehot = np.eye(n)[labels]
    np.testing.assert_allclose(grad, (np.exp(logp) - onehot) / batch, rtol=1e-12, atol=1e-15)
    # each row of softmax − onehot sums to 0
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, shift=st.floats(-1e4, 1e4), scale=st.floats(1.0, 1e3))
def test_cross_entropy_stable_and_shift_invariant(seed: int, shift: float, scale: float) -> None:
    """Huge logits stay finite (log-sum-exp) and adding a constant per row changes nothing."""
    logits, labels = _data("softmax_cross_entropy", seed, 4, 5)
    logits = logits * scale
    base, g_base = softmax_cross_entropy(logits, labels)
    moved, g_moved = softmax_cross_entropy(logits + shift, labels)
    assert np.isfinite(base) and np.all(np.isfinite(g_base))
    # the shift is absorbed by the max-subtraction up to rounding of (logits + shift)
    tol = 8 * np.finfo(float).eps * (abs(shift) + np.abs(logits).max())
    assert abs(moved - base) <= tol + 1e-12 * abs(base)
    np.testing.assert_allclose(g_moved, g_base, atol=tol + 1e-15)


def test_float32_gradients_stay_float32() -> None:
    out = np.ones((2, 3), dtype=np.float32)
    assert squared_error(out, np.zeros((2, 3))).grad.dtype == np.float32
    assert softmax_cross_entropy(out, np.array([0, 2])).grad.dtype == np.float32


def test_get_loss() -> None:
    assert get_loss("squared_error") is squared_error
    with pytest.raises(UsageError, match="'hinge'.*expected"):
        get_loss("hinge")


@pytest.mark.parametrize(
    ("fn", "output", "target", "named"),
    [
        (squared_error, np.zeros((2, 3)), np.zeros((3, 2)), "(3, 2)"),
        (squared_error, np.zeros(3), np.zeros(3), "(3,)"),
        (softmax_cross_entropy, np.zeros((2, 3)), np.array([0, 3]), "[3]"),
        (softmax_cross_entropy, np.zeros((2, 3)), np.array([-1, 0]), "[-1]"),
        (softmax_cross_entropy, np.zeros((2, 3)), np.array([0.0, 1.0]), "float64"),
        (softmax_cross_entropy, np.zeros((2, 3)), np.array([0, 1, 2]), "(3,)"),
    ],
)
def test_bad_inputs_raise_usage_error_naming_value(fn, output, target, named: str) -> None:
    with pytest.raises(UsageError, match="expected") as info:
        fn(output, target)
    assert named in str(info.value)
