"""Dynamical isometry: the spread of the input–output Jacobian's singular values across depth.

The Jacobian of an L-layer network at an input x is the product
``J = D_L W_L ⋯ D_1 W_1`` with ``D_l = diag(φ'(h_l))``
(:func:`initcheck.mlp.jacobian`). Its mean squared singular value is what
the per-layer factor χ controls; its *spread* is what makes some directions
vanish while others explode. With Gaussian weights the log singular values
spread out as the depth grows even at χ = 1 (the Lyapunov exponents
``λ_i = ½(ln σ² + ln 2 + ψ((n−i+1)/2))`` of :mod:`initcheck.products` differ);
with orthogonal weights a linear network's Jacobian is itself orthogonal,
every singular value exactly 1 at any depth, and a tanh network near
q* = 0 stays close to that: *dynamical isometry* (Saxe et al. 2014,
Pennington et al. 2017). ReLU cannot have it: ``D_l`` zeroes about half of
the directions at every layer.

The spread is measured as the standard deviation of ``ln σ_i`` over the
numerically non-zero singular values (those above ``n·ε·σ_max``), with the
fraction of zero ones reported beside it.

>>> pts = jacobian_spread(32, (1, 8), init="orthogonal", activation="identity", trials=3)
>>> [round(p.log_spread.value, 9) for p in pts]
[0.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import expected
from ..mlp import build_mlp, layer_jacobians
from .estimates import Estimate, estimate
from .measure import trial_seeds
from .spec import parse_init

__all__ = ["SpreadPoint", "jacobian_spread"]


@dataclass(frozen=True)
class SpreadPoint:
    """The Jacobian's singular values at one depth, over independent networks.

    Attributes:
        depth: number of layers.
        log_spread: standard deviation of ``ln σ_i`` over the non-zero singular values.
        log_range: ``ln σ_max − ln σ_min`` over the non-zero singular values.
        mean_log: mean of ``ln σ_i`` (0 for an isometry).
        zero_fraction: the fraction of singular values that are numerically 0.
    """

    depth: int
    log_spread: Estimate
    log_range: Estimate
    mean_log: Estimate
    zero_fraction: float

    def to_dict(self) -> dict[str, Any]:
        """The point as plain data."""
        return {"depth": self.depth, "log_spread": self.log_spread.to_dict(), "log_range": self.log_range.to_dict(),
                "mean_log": self.mean_log.to_dict(), "zero_fraction": self.zero_fraction}


def _stats(j: np.ndarray) -> tuple[float, float, float, float]:
    s = np.linalg.svd(j, compute_uv=False)
    top = float(s[0]) if s.size else 0.0
    keep = s[s > s.size * np.finfo(np.float64).eps * top] if top > 0 else s[:0]
    if keep.size == 0:
        return np.nan, np.nan, np.nan, 1.0
    logs = np.log(keep)
    spread = float(np.std(logs)) if keep.size > 1 else 0.0
    return spread, float(logs.max() - logs.min()), float(logs.mean()), 1.0 - keep.size / s.size


def jacobian_spread(
    width: int,
    depths: tuple[int, ...] | list[int],
    *,
    activation: str = "identity",
    init: str = "orthogonal",
    bias: str = "zeros",
    input_std: float = 1.0,
    trials: int = 10,
    seed: int = 0,
    alpha: float = 1e-6,
) -> list[SpreadPoint]:
    """Spread of the Jacobian's log singular values at each depth, over ``trials`` networks.

    Each trial builds one network of ``max(depths)`` square layers (every layer,
    the last included, applies φ) and one input ``x ~ N(0, input_std²·I)``;
    the Jacobian at depth L is the product of its first L layer Jacobians.

    Args:
        width: n, every layer's width.
        depths: the depths to report, each >= 1.
        activation: φ of every layer.
        init: the weights' law (``--law`` grammar), e.g. ``orthogonal``, ``lecun_normal``.
        bias: the biases' law.
        input_std: the input's standard deviation.
        trials: independent networks (>= 2).
        seed: seed of every draw.
        alpha: each interval's level is 1 − alpha.

    Returns:
        One :class:`SpreadPoint` per depth, in the order given.

    Raises:
        UsageError: a bad width, depth or law.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 2:
        raise expected("width", width, "an integer >= 2")
    ds = [int(d) for d in depths]
    if not ds or any(d < 1 for d in ds):
        raise expected("depths", tuple(depths), "positive depths")
    weights = parse_init(init)
    biases = None if bias == "zeros" else parse_init(bias)
    deepest = max(ds)
    wanted = set(ds)
    per_depth: dict[int, list[tuple[float, float, float, float]]] = {d: [] for d in wanted}
    for net_seed, in_seed, _ in trial_seeds(seed, trials):
        net = build_mlp([width] * (deepest + 1), activation, weight_sampler=weights, bias_sampler=biases,
                        seed=net_seed, output_activation=activation)
        x = np.random.default_rng(in_seed).normal(0.0, input_std, size=width)
        with np.errstate(all="ignore"):
            product = np.eye(width)
            for depth, m in enumerate(layer_jacobians(net, x), start=1):
                product = m @ product
                if depth in wanted:
                    per_depth[depth].append(_stats(product))
    points = []
    for d in ds:
        arr = np.array(per_depth[d])
        points.append(SpreadPoint(d, estimate(arr[:, 0], alpha), estimate(arr[:, 1], alpha),
                                  estimate(arr[:, 2], alpha, nonnegative=False), float(arr[:, 3].mean())))
    return points
