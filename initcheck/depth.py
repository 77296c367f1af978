"""Forward and backward signal size across the depth of a reference MLP.

For a network of ``depth`` equal-width layers, ``q_l`` is the mean square of
the pre-activations h_l (forward) and ``g_l`` that of the gradients ∂L/∂h_l
(backward). Their per-layer factors, on the log scale, say whether an
initialization keeps signals of order one (factor 1), lets them explode (> 1)
or vanish (< 1). For a linear network with iid weights of variance σ² the
mean-square factor is exactly n·σ² both ways (Var[o] = n_in·σ²·γ²).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .init import Sampler
from .mlp import backward, build_mlp, forward

__all__ = ["DepthFactors", "depth_factors"]


@dataclass(frozen=True)
class DepthFactors:
    """Per-trial log factors per layer, forward and backward (shape ``(trials,)`` each).

    ``forward[t] = (ln q_depth − ln q_1) / (depth − 1)`` and
    ``backward[t] = (ln g_1 − ln g_depth) / (depth − 1)``: the log of the
    geometric-mean factor by which the signal's mean square changes per layer,
    forward toward the output and backward toward the input.
    """

    forward: np.ndarray
    backward: np.ndarray


def depth_factors(
    activation: str,
    init: Sampler,
    *,
    width: int,
    depth: int,
    trials: int,
    seed: int,
    batch: int = 8,
) -> DepthFactors:
    """Measure per-layer forward and backward factors over independent initializations.

    Each trial draws a fresh network (``build_mlp`` with ``init`` and a trial
    seed), sends N(0, 1) inputs forward and N(0, 1) output gradients back.
    """
    rng = np.random.default_rng(seed)
    fwd_f, bwd_f = np.empty(trials), np.empty(trials)
    for t in range(trials):
        net = build_mlp([width] * (depth + 1), activation, weight_sampler=init, seed=int(rng.integers(2**32)))
        fwd = forward(net, rng.normal(size=(batch, width)))
        g = backward(net, fwd, rng.normal(size=(batch, width))).pre
        q = [float(np.mean(h**2)) for h in fwd.pre]
        fwd_f[t] = (math.log(q[-1]) - math.log(q[0])) / (depth - 1)
        bwd_f[t] = (math.log(float(np.mean(g[0] ** 2))) - math.log(float(np.mean(g[-1] ** 2)))) / (depth - 1)
    return DepthFactors(fwd_f, bwd_f)
