"""Shared samplers, strategies and data for the tests of ``initcheck.mlp``.

Imported by the test modules of this folder (pytest puts the folder on
``sys.path``; the file name is unique across the test tree).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from initcheck.activations import ACTIVATIONS
from initcheck.mlp import MLP, Forward, build_mlp

SEEDS = st.integers(0, 2**32 - 1)
ACTIVATION_NAMES = sorted(ACTIVATIONS)
LOSS_NAMES = ("squared_error", "softmax_cross_entropy")

#: |h| below which a finite difference of a ReLU-type layer may straddle the
#: kink: a step of eps = 1e-6 in any parameter moves a pre-activation by at most
#: ~1e-4 in these small networks (|a| <= ~3, spectral norms <= ~3 per layer,
#: depth <= 4), so 1e-3 keeps every probe on one side of 0.
KINK_MARGIN = 1e-3


def lecun_normal(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """N(0, 1/n_in) in torch layout: a sampler keeping pre-activations O(1)."""
    return np.random.default_rng(seed).normal(0.0, shape[1] ** -0.5, shape)


def small_normal_bias(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """N(0, 0.5²) biases, nonzero so that bias gradients are exercised."""
    return np.random.default_rng(seed).normal(0.0, 0.5, shape)


@dataclass(frozen=True)
class Case:
    """A random network, a batch of inputs and a target for one loss."""

    mlp: MLP
    x: np.ndarray
    target: np.ndarray
    loss: str
    seed: int


def make_target(rng: np.random.Generator, loss: str, batch: int, n_out: int) -> np.ndarray:
    """Targets for ``loss``: N(0,1) reals or class indices in [0, n_out)."""
    if loss == "squared_error":
        return rng.normal(size=(batch, n_out))
    return rng.integers(0, n_out, size=batch)


@st.composite
def cases(
    draw: st.DrawFn,
    activations: tuple[str, ...] | None = None,
    max_depth: int = 4,
    max_width: int = 6,
) -> Case:
    """A random MLP (depth 1..max_depth, widths 1..max_width), inputs and target."""
    depth = draw(st.integers(1, max_depth))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    names = activations or tuple(ACTIVATION_NAMES)
    hidden = draw(st.sampled_from(names))
    output = draw(st.sampled_from(names))
    loss = draw(st.sampled_from(LOSS_NAMES))
    batch = draw(st.integers(1, 4))
    seed = draw(SEEDS)
    mlp = build_mlp(
        widths,
        hidden,
        weight_sampler=lecun_normal,
        bias_sampler=small_normal_bias,
        seed=seed,
        output_activation=output,
    )
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, widths[0]))
    return Case(mlp, x, make_target(rng, loss, batch, widths[-1]), loss, seed)


def kink_distance(mlp: MLP, fwd: Forward) -> float:
    """Smallest |h| over layers whose activation has a kink at 0 (inf if none)."""
    dists = [
        float(np.min(np.abs(h)))
        for act, h in zip(mlp.activations, fwd.pre, strict=True)
        if act.name.startswith(("relu", "leaky_relu"))
    ]
    return min(dists, default=float("inf"))
