"""Symmetry: permuted hidden units, constant initialization, and other symmetries.

Chapter: "Vanishing and Exploding Gradients / Symmetry" and Problem 1.
All three checks are exact: identities that hold up to floating-point rounding.
"""

from __future__ import annotations

import numpy as np

from ..activations import get_activation
from ..init import normal
from ..losses import squared_error
from ..mlp import MLP, backward, build_mlp, forward, sgd_step
from .base import Claim, Context, Measurement, Outcome

__all__ = [
    "CLAIMS",
    "SPREAD_TOL",
    "constant_init_steps",
    "one_hidden_layer",
    "permutation_error",
    "rescale_error",
    "sign_flip_error",
]

REL_TOL = 1e-12  # rounding of a reordered sum of ~100 float64 terms stays far below this
STEPS = 50  # gradient steps the constant-initialized network is followed for
# Identical units may still differ by rounding: BLAS can accumulate different output columns
# in different orders. Measured: at most 1.3e-15 over 400 runs of 50 steps (O(1) values).
SPREAD_TOL = 1e-12


def one_hidden_layer(n_in: int, hidden: int, n_out: int, activation: str, seed: int) -> MLP:
    """A network x -> φ(x W1ᵀ + b1) W2ᵀ + b2 with N(0, 1/fan_in) weights and biases."""
    rng_seed = np.random.default_rng(seed).integers(2**32)
    return build_mlp(
        (n_in, hidden, n_out),
        activation,
        weight_sampler=lambda shape, s: normal(std=shape[1] ** -0.5)(shape, s),
        bias_sampler=normal(std=0.1),
        seed=int(rng_seed),
    )


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def permutation_error(net: MLP, perm: np.ndarray, x: np.ndarray) -> float:
    """Relative change of the output when hidden units are permuted by ``perm``.

    Rows of W1 and entries of b1 are permuted, and the columns of W2 with them.
    """
    w1, w2 = net.weights
    b1, b2 = net.biases
    permuted = MLP([w1[perm], w2[:, perm]], [b1[perm], b2], list(net.activations))
    return _rel(forward(permuted, x).output, forward(net, x).output)


def sign_flip_error(net: MLP, unit: int, x: np.ndarray) -> float:
    """Relative output change when unit ``unit``'s incoming and outgoing weights change sign.

    Exact for an odd activation (tanh): tanh(-h) w = tanh(h) (-w).
    """
    w1, w2 = (w.copy() for w in net.weights)
    b1 = net.biases[0].copy()
    w1[unit] *= -1
    b1[unit] *= -1
    w2[:, unit] *= -1
    flipped = MLP([w1, w2], [b1, net.biases[1]], list(net.activations))
    return _rel(forward(flipped, x).output, forward(net, x).output)


def rescale_error(net: MLP, unit: int, c: float, x: np.ndarray) -> float:
    """Relative output change when unit ``unit``'s incoming weights are multiplied by c > 0
    and its outgoing weights divided by c. Exact for ReLU: relu(c h) = c relu(h)."""
    w1, w2 = (w.copy() for w in net.weights)
    b1 = net.biases[0].copy()
    w1[unit] *= c
    b1[unit] *= c
    w2[:, unit] /= c
    scaled = MLP([w1, w2], [b1, net.biases[1]], list(net.activations))
    return _rel(forward(scaled, x).output, forward(net, x).output)


def constant_init_steps(
    value: float | None, *, seed: int, steps: int = STEPS, hidden: int = 16, lr: float = 0.05
) -> dict[str, float]:
    """Train a one-hidden-layer tanh network by gradient descent and watch its hidden units.

    ``value`` is the constant every weight starts at (biases 0); ``None`` starts
    from a random initialization instead.

    Returns:
        ``spread_activation`` / ``spread_gradient``: the largest difference between
        two hidden units' activations / weight-gradient rows, over all steps;
        ``rank``: the numerical rank of W1 at the end; ``one_unit_error``: how far
        the network's output is from a single-unit network with W2's columns
        summed (0 when the layer acts as one unit); ``loss_drop``: relative
        decrease of the loss (so the network did learn).
    """
    rng = np.random.default_rng(seed)
    n_in, n_out, batch = 5, 3, 64
    x = rng.normal(size=(batch, n_in))
    y = rng.normal(size=(batch, n_out))
    if value is None:
        net = one_hidden_layer(n_in, hidden, n_out, "tanh", seed)
    else:
        tanh = get_activation("tanh")
        ident = get_activation("identity")
        net = MLP(
            [np.full((hidden, n_in), value), np.full((n_out, hidden), value)],
            [np.zeros(hidden), np.zeros(n_out)],
            [tanh, ident],
        )
    spread_a = spread_g = 0.0
    first_loss = loss = 0.0
    for step in range(steps + 1):
        fwd = forward(net, x)
        loss, grad_out = squared_error(fwd.output, y)
        grads = backward(net, fwd, grad_out)
        if step == 0:
            first_loss = loss
        hidden_act = fwd.post[1]
        spread_a = max(spread_a, float(np.ptp(hidden_act, axis=1).max()))
        spread_g = max(spread_g, float(np.ptp(grads.weights[0], axis=0).max()))
        if step < steps:
            net = sgd_step(net, grads, lr)
    w1, w2 = net.weights
    one_unit = MLP([w1[:1], w2.sum(axis=1, keepdims=True)], [net.biases[0][:1], net.biases[1]], list(net.activations))
    return {
        "spread_activation": spread_a,
        "spread_gradient": spread_g,
        "rank": float(np.linalg.matrix_rank(w1)),
        "one_unit_error": _rel(forward(one_unit, x).output, forward(net, x).output),
        "loss_drop": 1.0 - loss / first_loss,
    }


TRIALS = 200  # random networks per exact check


def _check_permutation(ctx: Context) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    worst = 0.0
    for t in range(TRIALS):
        hidden = int(rng.integers(2, 64))
        act = ("sigmoid", "tanh", "relu", "identity")[t % 4]
        net = one_hidden_layer(
            int(rng.integers(1, 20)), hidden, int(rng.integers(1, 10)), act, int(rng.integers(2**32))
        )
        x = rng.normal(size=(8, net.widths[0]))
        worst = max(worst, permutation_error(net, rng.permutation(hidden), x))
    return Outcome(
        worst <= REL_TOL,
        (Measurement("max_rel_output_change", worst, expected=0.0),),
        TRIALS,
        f"{TRIALS} random networks (sigmoid, tanh, ReLU, identity), a random permutation each; "
        f"exact up to rounding (tolerance {REL_TOL:g})",
    )


def _check_constant(ctx: Context) -> Outcome:
    const = constant_init_steps(0.3, seed=ctx.seed)
    zero = constant_init_steps(0.0, seed=ctx.seed)
    rand = constant_init_steps(None, seed=ctx.seed)
    holds = (
        const["spread_activation"] <= SPREAD_TOL
        and const["spread_gradient"] <= SPREAD_TOL
        and const["rank"] == 1.0
        and const["one_unit_error"] <= REL_TOL
        and zero["spread_gradient"] <= SPREAD_TOL
        and rand["spread_activation"] > 1e3 * SPREAD_TOL
        and rand["rank"] > 1.0
    )
    return Outcome(
        holds,
        (
            Measurement("constant_spread_activation", const["spread_activation"], expected=0.0),
            Measurement("constant_spread_gradient", const["spread_gradient"], expected=0.0),
            Measurement("constant_rank_W1", const["rank"], expected=1.0),
            Measurement("constant_one_unit_error", const["one_unit_error"], expected=0.0),
            Measurement("constant_loss_drop", const["loss_drop"]),
            Measurement("random_spread_activation", rand["spread_activation"]),
            Measurement("random_rank_W1", rand["rank"]),
        ),
        3 * (STEPS + 1),
        f"{STEPS} gradient steps of a 5-16-3 tanh network from W = 0.3, W = 0 and a random start; "
        f"spreads must be 0 up to rounding ({SPREAD_TOL:g}); the random start's must exceed it 1000-fold",
    )


def _check_other_symmetries(ctx: Context) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    flip = rescale = relu_flip = 0.0
    for _ in range(TRIALS):
        n_in, hidden, n_out = (int(v) for v in rng.integers(1, 20, size=3))
        hidden += 1
        x = rng.normal(size=(8, n_in))
        unit = int(rng.integers(hidden))
        tanh_net = one_hidden_layer(n_in, hidden, n_out, "tanh", int(rng.integers(2**32)))
        relu_net = one_hidden_layer(n_in, hidden, n_out, "relu", int(rng.integers(2**32)))
        flip = max(flip, sign_flip_error(tanh_net, unit, x))
        rescale = max(rescale, rescale_error(relu_net, unit, float(np.exp(rng.normal(0, 2))), x))
        relu_flip = max(relu_flip, sign_flip_error(relu_net, unit, x))
    return Outcome(
        flip <= REL_TOL and rescale <= REL_TOL and relu_flip > REL_TOL,
        (
            Measurement("tanh_sign_flip_change", flip, expected=0.0),
            Measurement("relu_rescale_change", rescale, expected=0.0),
            Measurement("relu_sign_flip_change", relu_flip),
        ),
        TRIALS,
        f"{TRIALS} random networks; a sign flip is a symmetry of tanh (odd) but not of ReLU, "
        f"a positive rescaling c ~ exp(N(0, 4)) is one of ReLU (tolerance {REL_TOL:g})",
    )


CLAIMS = (
    Claim(
        "symmetry.permutation",
        "Permuting hidden units (rows of W1 and b1, columns of W2) leaves the network's output unchanged.",
        "Vanishing and Exploding Gradients / Symmetry",
        "exact",
        _check_permutation,
        "tests/claims/test_symmetry.py",
    ),
    Claim(
        "symmetry.constant-init",
        "With a constant initialization every hidden unit has the same activation and gradient and stays "
        "identical through gradient descent, so the layer acts as one unit; a random initialization breaks this.",
        "Vanishing and Exploding Gradients / Symmetry",
        "exact",
        _check_constant,
        "tests/claims/test_symmetry.py",
    ),
    Claim(
        "problems.other-symmetries",
        "Other symmetries: flipping the signs of a tanh unit's incoming and outgoing weights, and rescaling "
        "a ReLU unit's incoming weights by c > 0 and outgoing by 1/c, leave the output unchanged.",
        "Problems / 1",
        "exact",
        _check_other_symmetries,
        "tests/claims/test_symmetry.py",
    ),
)
