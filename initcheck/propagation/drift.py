"""The finite-width drift: at n·σ² = 1 the mean square is kept, the typical norm is not.

For a layer ``h' = W h`` with iid N(0, σ²) weights and width n,
``‖h'‖² = σ² ‖h‖² χ²_n`` whatever h's direction. So the mean square is
multiplied by exactly ``n σ²`` per layer in expectation, while the log-norm
moves by ``E[½ ln(σ² χ²_n)] = ½(ln(nσ²) + ln(2/n) + ψ(n/2))``: at ``nσ² = 1``
the typical norm shrinks by ``½(ln(2/n) + ψ(n/2)) ≈ −1/(2n)`` per layer (the
top Lyapunov exponent of :mod:`initcheck.products`). Jensen's inequality
makes the gap; it is of order 1/width, so it vanishes for wide layers and
adds up over deep ones.

:func:`finite_width_drift` measures both rates on a network of equal widths,
any activation and initializer; for a linear network with Gaussian weights
it puts the closed forms beside them.

>>> d = finite_width_drift(32, 10, trials=20, batch=8, seed=1)
>>> d.theory_log_norm_rate < 0, d.log_norm_rate.contains(d.theory_log_norm_rate)
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ..errors import expected
from .estimates import Estimate, estimate
from .measure import measure_mlp
from .spec import MLPSpec
from .theory import network_theory

__all__ = ["DriftResult", "finite_width_drift"]


@dataclass(frozen=True)
class DriftResult:
    """Per-layer rates of an equal-width network, in units of ln ‖h‖ (half of ln mean square).

    Attributes:
        width: n.
        depth: number of layers L.
        activation: φ.
        init: the weights' law.
        log_norm_rate: per-layer change of the mean over examples of ``ln ‖h_l‖``.
        mean_square_factor: the per-layer factor of the mean square, ``q_{l+1}/q_l``
            averaged over layers and trials.
        theory_log_norm_rate: ``½(ln(nσ²) + ln(2/n) + ψ(n/2))`` for a linear
            network with Gaussian weights, else None.
        theory_mean_square_factor: the mean-field factor averaged over the
            layers as the measurement is (``nσ²`` for a linear network).
    """

    width: int
    depth: int
    activation: str
    init: str
    log_norm_rate: Estimate
    mean_square_factor: Estimate
    theory_log_norm_rate: float | None
    theory_mean_square_factor: float

    @property
    def drift(self) -> float:
        """``log_norm_rate − ½ ln(mean_square_factor)``: what Jensen's gap costs per layer."""
        return self.log_norm_rate.value - 0.5 * math.log(self.mean_square_factor.value)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data."""
        return {"width": self.width, "depth": self.depth, "activation": self.activation, "init": self.init,
                "log_norm_rate": self.log_norm_rate.to_dict(), "mean_square_factor": self.mean_square_factor.to_dict(),
                "drift": self.drift, "theory_log_norm_rate": self.theory_log_norm_rate,
                "theory_mean_square_factor": self.theory_mean_square_factor}


def finite_width_drift(
    width: int,
    depth: int,
    *,
    activation: str = "identity",
    init: str = "lecun_normal",
    trials: int = 30,
    batch: int = 16,
    seed: int = 0,
    alpha: float = 1e-6,
) -> DriftResult:
    """Measure the typical log-norm rate and the mean-square factor per layer.

    The network has ``depth`` layers of width ``width`` (input included); the
    rates are taken over layers 1..L, so the output layer counts too (it has
    the same width). ``lecun_normal`` is N(0, 1/n): ``nσ² = 1``.

    Args:
        width: n >= 2.
        depth: L >= 2.
        activation: φ of layers 1..L−1.
        init: the weights' law (``--law`` grammar).
        trials: independent networks.
        batch: inputs per network.
        seed: seed of every draw.
        alpha: each interval's level is 1 − alpha.

    Returns:
        A :class:`DriftResult`.

    Raises:
        UsageError: width or depth below 2, or a bad law.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 2:
        raise expected("width", width, "an integer >= 2")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 2:
        raise expected("depth", depth, "an integer >= 2")
    spec = MLPSpec((width,) * (depth + 1), activation, init)
    m = measure_mlp(spec, trials=trials, batch=batch, seed=seed)
    steps = depth - 1
    rate = estimate(0.5 * (m.forward_log[:, -1] - m.forward_log[:, 0]) / steps, alpha, nonnegative=False)
    with np.errstate(all="ignore"):
        factors = (m.forward[:, 1:] / m.forward[:, :-1]).mean(axis=1)
    factor = estimate(factors, alpha)
    theory = network_theory(spec)
    with np.errstate(all="ignore"):
        th_factor = float(np.mean(theory.forward[1:] / theory.forward[:-1]))
    th_rate = None
    if theory.forward_log_drift is not None:
        sigma_n = th_factor  # n·σ² of a linear layer
        th_rate = 0.5 * (math.log(sigma_n) + math.log(2.0 / width) + float(special.digamma(width / 2.0)))
    return DriftResult(width, depth, spec.activation, spec.init, rate, factor, th_rate, th_factor)
