"""Forward and backward signal size across the depth of a reference MLP.

For a network of ``depth`` equal-width layers, ``q_l`` is the mean square of
the pre-activations h_l (forward) and ``g_l`` that of the gradients ∂L/∂h_l
(backward). Their per-layer factors, on the log scale, say whether an
initialization keeps signals of order one (factor 1), lets them explode (> 1)
or vanish (< 1). For a linear network with iid weights of variance σ² the
mean-square factor is exactly n·σ² both ways (Var[o] = n_in·σ²·γ²).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .init import Sampler
from .propagation.measure import measure_network

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

    A specialization of ``initcheck.propagation.measure.measure_network``:
    ``depth`` layers of ``width`` units, N(0, 1) inputs and N(0, 1) output
    gradients, each trial a fresh network drawn by ``init``.
    """
    m = measure_network([width] * (depth + 1), activation, init, trials=trials, batch=batch, seed=seed)
    with np.errstate(all="ignore"):
        q, g = np.log(m.forward), np.log(m.backward)
    return DepthFactors((q[:, -1] - q[:, 0]) / (depth - 1), (g[:, 0] - g[:, -1]) / (depth - 1))
