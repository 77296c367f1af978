"""Vanishing gradients: the sigmoid's derivative, and gradients across depth.

Chapter: "Vanishing and Exploding Gradients / Vanishing Gradients".
"""

from __future__ import annotations

import math

import numpy as np

from ..activations import get_activation
from ..depth import depth_factors
from ..init import he_normal, xavier_normal
from ..mlp import MLP, backward, forward
from ..stats.intervals import t_interval
from .base import Claim, Context, Measurement, Outcome

__all__ = ["CLAIMS"]

GOLDILOCKS = 4.0  # the chapter's zone [-4, 4]
GRID_STEP = 1e-3  # grid on [-8, 8], finer than the chapter's plot (0.1)
RELU_BAND = 1.1  # "keeps it": the per-layer factor lies in [1/1.1, 1.1]


def _sigmoid_backward(x: np.ndarray) -> np.ndarray:
    """d/dx of Σ sigmoid(x), through the reference MLP's hand-written backward."""
    sig = get_activation("sigmoid")
    net = MLP([np.eye(1)], [np.zeros(1)], [sig])
    fwd = forward(net, x.reshape(-1, 1))
    return backward(net, fwd, np.ones((x.size, 1))).inputs.ravel()


def _check_sigmoid(ctx: Context) -> Outcome:
    sig = get_activation("sigmoid")
    x = np.round(np.arange(-8.0, 8.0 + GRID_STEP / 2, GRID_STEP), 10)
    s = sig.fn(x)
    d = sig.grad(x)
    closed = s * (1 - s)
    agree = float(np.abs(d - closed).max())
    mlp_err = float(np.abs(_sigmoid_backward(x) - closed).max())
    peak_at = float(x[np.argmax(d)])
    off_zero_max = float(d[x != 0].max())
    at4 = float(sig.grad(np.array([GOLDILOCKS]))[0])
    outside = float(d[np.abs(x) >= GOLDILOCKS].max())
    relu = get_activation("relu")
    pos = np.random.default_rng(ctx.seed).exponential(size=100_000) + np.finfo(float).tiny
    relu_pos = relu.grad(pos)
    holds = (
        agree <= 1e-15 and mlp_err <= 1e-15 and d.max() == 0.25 and peak_at == 0.0
        and off_zero_max < 0.25 and outside == at4 and bool(np.all(relu_pos == 1.0))
        and bool(np.all(relu.grad(-pos) == 0.0))
    )
    return Outcome(
        holds,
        (
            Measurement("max_sigmoid_grad", float(d.max()), expected=0.25),
            Measurement("argmax", peak_at, expected=0.0),
            Measurement("max_off_zero", off_zero_max),
            Measurement("sigmoid_grad_at_4", at4, expected=float(math.exp(-4) / (1 + math.exp(-4)) ** 2)),
            Measurement("closed_form_error", max(agree, mlp_err), expected=0.0),
            Measurement("relu_grad_positive_min", float(relu_pos.min()), expected=1.0),
        ),
        x.size + pos.size,
        f"grid of {x.size} points on [-8, 8]: σ' = σ(1−σ) = ¼ − (σ − ½)² ≤ ¼, equal only at 0; "
        "the MLP's backward against the closed form; ReLU' = 1 exactly on 1e5 positive points",
    )


DEPTH, WIDTH, TRIALS = 12, 128, 200


def _check_depth(ctx: Context) -> Outcome:
    a = ctx.alpha / 2  # two intervals
    sig = depth_factors("sigmoid", xavier_normal(), width=WIDTH, depth=DEPTH, trials=TRIALS, seed=ctx.seed).backward
    relu = depth_factors("relu", he_normal(), width=WIDTH, depth=DEPTH, trials=TRIALS, seed=ctx.seed + 1).backward
    s_mean, s_lo, s_hi = (math.exp(v) for v in t_interval(sig, a))
    r_mean, r_lo, r_hi = (math.exp(v) for v in t_interval(relu, a))
    # sigmoid: σ' ≤ ¼ bounds the factor by 1/16 at n·σ² = 1; the interval must sit below 1/4
    # (at least 4x smaller per layer); ReLU at He: the interval must sit inside [1/1.1, 1.1]
    holds = s_hi < 0.25 and 1 / RELU_BAND < r_lo and r_hi < RELU_BAND
    return Outcome(
        holds,
        (
            Measurement("sigmoid_xavier_factor", s_mean, (s_lo, s_hi)),
            Measurement("sigmoid_factor_bound", 1 / 16),
            Measurement("relu_he_factor", r_mean, (r_lo, r_hi), 1.0),
            Measurement("sigmoid_first_layer_ratio", s_mean ** (DEPTH - 1)),
        ),
        2 * TRIALS,
        f"{TRIALS} initializations each of a {DEPTH}-layer width-{WIDTH} MLP; geometric-mean per-layer "
        f"factor of E[g²] with t intervals at α = {a:.1g}; sigmoid needs < ¼ (bound 1/16), "
        f"ReLU needs [1/{RELU_BAND}, {RELU_BAND}]",
    )


CLAIMS = (
    Claim(
        "vanishing.sigmoid-gradient",
        "σ'(x) = σ(x)(1 − σ(x)) ≤ 1/4 with equality only at x = 0, and it is small outside the Goldilocks "
        "zone [−4, 4]; the MLP's backward agrees with the closed form; ReLU's derivative is exactly 1 for x > 0.",
        "Vanishing and Exploding Gradients / Vanishing Gradients",
        "exact",
        _check_sigmoid,
        "tests/claims/test_vanishing.py",
    ),
    Claim(
        "vanishing.depth",
        "In a deep sigmoid MLP the gradient reaching the first layer shrinks with depth (by a per-layer "
        "factor), while a He-initialized ReLU MLP keeps it.",
        "Vanishing and Exploding Gradients / Vanishing Gradients",
        "statistical",
        _check_depth,
        "tests/claims/test_vanishing.py",
    ),
)
