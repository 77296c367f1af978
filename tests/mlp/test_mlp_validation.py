"""Bad input gives a UsageError whose one-line message names the value and what was expected."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from _mlp_helpers import lecun_normal

from initcheck.activations import ACTIVATIONS
from initcheck.errors import UsageError
from initcheck.mlp import (
    MLP,
    Gradients,
    backward,
    build_mlp,
    forward,
    gradient_check,
    jacobian,
    lars_step,
    layer_seeds,
    numerical_gradient,
    sgd_step,
)

RELU = ACTIVATIONS["relu"]
IDENT = ACTIVATIONS["identity"]


def _net() -> MLP:
    return build_mlp([3, 4, 2], "relu", weight_sampler=lecun_normal, seed=0)


def _grads() -> Gradients:
    net = _net()
    fwd = forward(net, np.ones((2, 3)))
    return backward(net, fwd, np.ones((2, 2)))


def _transposed_sampler(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Keras layout instead of torch's; for a bias shape (n,) it returns (n, 1)."""
    return np.zeros(shape[::-1] if len(shape) == 2 else (shape[0], 1))


CASES: list[tuple[str, Callable[[], object], str]] = [
    # (id, call, text the message must contain)
    (
        "unknown activation",
        lambda: build_mlp([2, 2], "swish", weight_sampler=lecun_normal, seed=0),
        "activation='swish'",
    ),
    (
        "unknown output activation",
        lambda: build_mlp(
            [2, 2], "relu", weight_sampler=lecun_normal, seed=0, output_activation="softmax"
        ),
        "output_activation='softmax'",
    ),
    (
        "widths too short",
        lambda: build_mlp([3], "relu", weight_sampler=lecun_normal, seed=0),
        "widths=(3,)",
    ),
    (
        "zero width",
        lambda: build_mlp([3, 0, 2], "relu", weight_sampler=lecun_normal, seed=0),
        "widths=(3, 0, 2)",
    ),
    (
        "negative seed",
        lambda: build_mlp([3, 2], "relu", weight_sampler=lecun_normal, seed=-1),
        "seed=-1",
    ),
    (
        "sampler in keras layout",
        lambda: build_mlp([3, 2], "relu", weight_sampler=_transposed_sampler, seed=0),
        "weight_sampler((2, 3), seed).shape=(3, 2)",
    ),
    (
        "bias sampler of wrong shape",
        lambda: build_mlp(
            [3, 2], "relu", weight_sampler=lecun_normal, bias_sampler=_transposed_sampler, seed=0
        ),
        "bias_sampler((2,), seed).shape=(2, 1)",
    ),
    (
        "widths do not chain",
        lambda: MLP(
            [np.zeros((4, 3)), np.zeros((2, 5))], [np.zeros(4), np.zeros(2)], [RELU, IDENT]
        ),
        "weights[1].shape=(2, 5)",
    ),
    (
        "bias of wrong length",
        lambda: MLP([np.zeros((4, 3))], [np.zeros(3)], [RELU]),
        "biases[0].shape=(3,)",
    ),
    (
        "weight not 2-D",
        lambda: MLP([np.zeros(3)], [np.zeros(3)], [RELU]),
        "weights[0].shape=(3,)",
    ),
    (
        "activation given as string",
        lambda: MLP([np.zeros((4, 3))], [np.zeros(4)], ["relu"]),
        "activations[0]='relu'",
    ),
    (
        "lists of different lengths",
        lambda: MLP([np.zeros((4, 3))], [np.zeros(4), np.zeros(1)], [RELU]),
        "(1, 2, 1)",
    ),
    ("no layers", lambda: MLP([], [], []), "weights=[]"),
    ("input of wrong width", lambda: forward(_net(), np.ones((2, 4))), "x.shape=(2, 4)"),
    ("unbatched input", lambda: forward(_net(), np.ones(3)), "x[None, :]"),
    (
        "grad_output of wrong shape",
        lambda: backward(_net(), forward(_net(), np.ones((2, 3))), np.ones((2, 3))),
        "grad_output.shape=(2, 3)",
    ),
    ("negative lr", lambda: sgd_step(_net(), _grads(), -0.1), "lr=-0.1"),
    ("nan lr", lambda: lars_step(_net(), _grads(), float("nan")), "lr=nan"),
    ("zero trust", lambda: lars_step(_net(), _grads(), 0.1, trust=0.0), "trust=0.0"),
    (
        "negative weight decay",
        lambda: lars_step(_net(), _grads(), 0.1, weight_decay=-1),
        "weight_decay=-1",
    ),
    (
        "gradients of another network",
        lambda: sgd_step(
            build_mlp([3, 5, 2], "relu", weight_sampler=lecun_normal, seed=0), _grads(), 0.1
        ),
        "grads.weights[0].shape=(4, 3)",
    ),
    ("zero step", lambda: numerical_gradient(lambda a: 0.0, [np.zeros(2)], eps=0.0), "eps=0.0"),
    ("single input of wrong shape", lambda: jacobian(_net(), np.ones((1, 3))), "(1, 3)"),
    (
        "unknown loss",
        lambda: gradient_check(_net(), np.ones((2, 3)), np.ones((2, 2)), "hinge"),
        "loss='hinge'",
    ),
    ("depth 0 seeds", lambda: layer_seeds(0, 0), "depth=0"),
]


@pytest.mark.parametrize(("call", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_usage_error_names_value_and_expectation(call: Callable[[], object], named: str) -> None:
    with pytest.raises(UsageError) as info:
        call()
    message = str(info.value)
    assert named in message, message
    assert ": expected " in message and "\n" not in message, message
