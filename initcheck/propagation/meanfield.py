"""Mean-field theory of signal propagation: the length map, its fixed point, and χ1.

In a wide network whose layer l computes ``h_l = W_l φ(h_{l-1}) + b_l`` with iid
zero-mean weights of variance ``σ_w²/n`` (n the fan-in) and biases of variance
``σ_b²``, each pre-activation is, over the draw of the weights, a centred
Gaussian whose variance ``q_l`` follows the *length map* (Poole et al. 2016,
Schoenholz et al. 2017)::

    q_{l+1} = σ_w² · E_{z~N(0,1)}[φ(√q_l z)²] + σ_b²

and the mean square of the back-propagated gradient ``∂L/∂h_l`` changes by
``σ_w² · E[φ'(√q_l z)²]`` per layer. At the length map's fixed point ``q*`` that
factor is ::

    χ1 = σ_w² · E_{z~N(0,1)}[φ'(√q* z)²]

which sorts initializations into phases: *ordered* (χ1 < 1: gradients vanish
geometrically, nearby inputs collapse together), *critical* (χ1 = 1) and
*chaotic* (χ1 > 1: gradients explode, nearby inputs fly apart). Here σ_w² always
means ``fan_in × Var[w]``.

Gaussian expectations are computed by Gauss–Hermite quadrature
(``initcheck.propagation.quadrature``: ``numpy.polynomial.hermite_e.hermegauss``,
with a composite rule where φ saturates on a finer scale than the Gaussian's).

>>> round(chi1("relu", 2.0), 12), phase(chi1("relu", 2.0))
(1.0, 'critical')
>>> round(critical_sigma_w2("tanh", 0.0), 9)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from ..activations import Activation, get_activation
from ..errors import expected
from .quadrature import QUADRATURE_NODES, activation_moments, gaussian_expectation

__all__ = [
    "CRITICAL_TOLERANCE",
    "QUADRATURE_NODES",
    "MeanField",
    "activation_moments",
    "chi1",
    "critical_line",
    "critical_sigma_w2",
    "fixed_point",
    "gaussian_expectation",
    "gradient_factor",
    "length_map",
    "mean_field",
    "phase",
]

CRITICAL_TOLERANCE = 1e-6  # |χ1 − 1| at or below this is "critical" (quadrature error is ~1e-15)
_HOMOGENEOUS = ("identity", "relu", "leaky_relu")  # φ(c·x) = c·φ(x) for c > 0: q* has a closed form
_MAX_DOUBLINGS = 200  # bracketing the fixed point: q up to 2^200 before calling it infinite


def _act(activation: str | Activation) -> Activation:
    return get_activation(activation)


def _variances(sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    for name, v in (("sigma_w2", sigma_w2), ("sigma_b2", sigma_b2)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
            raise expected(name, v, "a finite non-negative number")
        if not (math.isfinite(v) and v >= 0):
            raise expected(name, v, "a finite non-negative number")
    return float(sigma_w2), float(sigma_b2)


def length_map(activation: str | Activation, q: float, sigma_w2: float, sigma_b2: float = 0.0) -> float:
    """One step of the length map: ``σ_w²·E[φ(√q z)²] + σ_b²``.

    >>> round(length_map("relu", 3.0, 2.0), 12)  # ReLU at He: q is kept
    3.0
    """
    sw, sb = _variances(sigma_w2, sigma_b2)
    act = _act(activation)
    return sw * gaussian_expectation(lambda x: np.asarray(act.fn(x)) ** 2, q) + sb


def gradient_factor(activation: str | Activation, q: float, sigma_w2: float) -> float:
    """Per-layer factor of the gradient's mean square at variance q: ``σ_w²·E[φ'(√q z)²]``."""
    sw, _ = _variances(sigma_w2, 0.0)
    act = _act(activation)
    return sw * gaussian_expectation(lambda x: np.asarray(act.grad(x)) ** 2, q)


def fixed_point(activation: str | Activation, sigma_w2: float, sigma_b2: float = 0.0, *, q0: float = 1.0) -> float:
    """The stable fixed point ``q*`` of the length map (``inf`` if q grows without bound).

    For positively homogeneous φ (identity, relu, leaky_relu) the map is affine,
    ``q ↦ s·q + σ_b²`` with slope ``s = σ_w²·E[φ(z)²]``: ``q* = σ_b²/(1 − s)`` for
    s < 1, ``inf`` for s > 1 (or s = 1 with σ_b² > 0), and at s = 1 with σ_b² = 0
    every q is fixed, so ``q0`` (where the signal starts) is returned. Otherwise
    (tanh, sigmoid, any bounded φ) the largest root of ``F(q) = q`` is found by
    bracketing: from q0 the map is iterated until it settles.

    Args:
        activation: φ, a name or :class:`~initcheck.activations.Activation`.
        sigma_w2: ``fan_in × Var[w]``.
        sigma_b2: ``Var[b]``.
        q0: the starting variance (used only at a marginal point, or for an
            activation whose map has several stable points).

    Returns:
        ``q*`` as a float (``0.0`` for tanh with σ_b = 0 and σ_w² <= 1).

    >>> round(fixed_point("relu", 1.0, 0.5), 12)  # q* = 0.5 / (1 − 1/2)
    1.0
    """
    sw, sb = _variances(sigma_w2, sigma_b2)
    act = _act(activation)
    base = act.name.split("(")[0]
    if base in _HOMOGENEOUS:
        slope = sw * gaussian_expectation(lambda x: np.asarray(act.fn(x)) ** 2, 1.0)
        if abs(slope - 1.0) <= 1e-12:
            return float(q0) if sb == 0.0 else math.inf
        if slope < 1.0:
            return sb / (1.0 - slope)
        return 0.0 if sb == 0.0 and q0 == 0.0 else math.inf

    def gap(q: float) -> float:
        return length_map(act, q, sw, sb) - q

    # iterate from q0 to land in the basin the network's signal actually goes to
    q = float(q0)
    for _ in range(200):
        nxt = length_map(act, q, sw, sb)
        if not math.isfinite(nxt) or nxt > 2.0**_MAX_DOUBLINGS:
            return math.inf
        if abs(nxt - q) <= 1e-14 * q:
            return nxt
        q = nxt
    tiny = 1e-300
    if gap(tiny) <= 0.0 and q < 1e-6:
        return 0.0  # the map contracts to 0 (e.g. tanh with σ_b = 0, σ_w² <= 1)
    lo, hi = q / 2.0, q * 2.0 + tiny
    for _ in range(_MAX_DOUBLINGS):
        if gap(lo) > 0.0 or lo < tiny:
            break
        lo /= 2.0
    for _ in range(_MAX_DOUBLINGS):
        if gap(hi) < 0.0:
            break
        hi *= 2.0
    else:
        return math.inf
    if gap(lo) <= 0.0:
        return 0.0
    return float(optimize.brentq(gap, lo, hi, xtol=1e-15, rtol=1e-14))


def chi1(activation: str | Activation, sigma_w2: float, sigma_b2: float = 0.0, *, q0: float = 1.0) -> float:
    """``χ1 = σ_w²·E[φ'(√q* z)²]`` at the fixed point q* (:func:`fixed_point`).

    For homogeneous φ (identity, relu, leaky_relu) the factor does not depend on
    q, so it is evaluated at q = 1 (q* may be 0 or infinite there).

    >>> round(chi1("tanh", 1.0), 12), round(chi1("identity", 0.5), 12)
    (1.0, 0.5)
    """
    q = fixed_point(activation, sigma_w2, sigma_b2, q0=q0)
    return gradient_factor(activation, _where_chi1(activation, q), sigma_w2)


def _where_chi1(activation: str | Activation, q: float) -> float:
    """The q at which to evaluate χ1: q* itself, or 1 for a homogeneous φ (whose factor does not
    depend on q, and whose q* may be 0 or infinite)."""
    homogeneous = _act(activation).name.split("(")[0] in _HOMOGENEOUS
    return 1.0 if homogeneous or not math.isfinite(q) else q


def phase(chi: float, tolerance: float = CRITICAL_TOLERANCE) -> str:
    """``"ordered"`` (χ1 < 1), ``"critical"`` (|χ1 − 1| <= tolerance) or ``"chaotic"`` (χ1 > 1)."""
    if math.isnan(chi):
        raise expected("chi1", chi, "a number")
    if abs(chi - 1.0) <= tolerance:
        return "critical"
    return "ordered" if chi < 1.0 else "chaotic"


@dataclass(frozen=True)
class MeanField:
    """The mean-field summary of one (activation, σ_w², σ_b²).

    Attributes:
        activation: φ's name.
        sigma_w2: ``fan_in × Var[w]``.
        sigma_b2: ``Var[b]``.
        q_star: the length map's fixed point (``inf`` if none).
        chi1: the gradient factor per layer at q*.
        phase: ``ordered``, ``critical`` or ``chaotic``.
    """

    activation: str
    sigma_w2: float
    sigma_b2: float
    q_star: float
    chi1: float
    phase: str

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain data."""
        return {
            "activation": self.activation,
            "sigma_w2": self.sigma_w2,
            "sigma_b2": self.sigma_b2,
            "q_star": self.q_star,
            "chi1": self.chi1,
            "phase": self.phase,
        }


def mean_field(
    activation: str | Activation,
    sigma_w2: float,
    sigma_b2: float = 0.0,
    *,
    q0: float = 1.0,
    tolerance: float = CRITICAL_TOLERANCE,
) -> MeanField:
    """q*, χ1 and the phase of one initialization (see the module docstring).

    ``tolerance`` is how close to 1 χ1 must be to count as critical: rounding
    for σ_w² from a law's closed form, the measurement's precision for a σ_w²
    measured from a model's own weights.

    >>> m = mean_field("sigmoid", 1.0)  # Xavier on equal widths: deep in the ordered phase
    >>> m.phase, round(m.chi1, 4)
    ('ordered', 0.0557)
    """
    act = _act(activation)
    q = fixed_point(act, sigma_w2, sigma_b2, q0=q0)
    chi = gradient_factor(act, _where_chi1(act, q), sigma_w2)
    kind = phase(chi, tolerance)
    if kind == "critical" and act.name in _HOMOGENEOUS and float(sigma_b2) == 0.0:
        q = float(q0)  # marginal within the tolerance: every q is (nearly) kept, the signal stays where it starts
    return MeanField(act.name, float(sigma_w2), float(sigma_b2), q, chi, kind)


def critical_sigma_w2(activation: str | Activation, sigma_b2: float = 0.0) -> float:
    """The σ_w² at which χ1 = 1 for a given σ_b²: one point of the critical line.

    Solved with Brent's method on ``χ1(σ_w²) − 1`` over σ_w² in (0, 100].

    Raises:
        UsageError: no σ_w² in the range makes the network critical.

    >>> round(critical_sigma_w2("relu"), 12)
    2.0
    """
    act = _act(activation)
    _variances(1.0, sigma_b2)

    def excess(sw: float) -> float:
        return chi1(act, sw, sigma_b2) - 1.0

    lo, hi = 1e-6, 1.0
    while excess(hi) < 0.0:
        lo, hi = hi, hi * 2.0
        if hi > 100.0:
            raise expected("sigma_b2", sigma_b2, f"a bias variance at which {act.name} has a critical σ_w² <= 100")
    if excess(lo) > 0.0:
        raise expected("sigma_b2", sigma_b2, f"a bias variance at which {act.name} has a critical σ_w² > 0")
    return float(optimize.brentq(excess, lo, hi, xtol=1e-14, rtol=1e-13))


def critical_line(
    activation: str | Activation, sigma_b2s: tuple[float, ...] | list[float]
) -> list[tuple[float, float]]:
    """Points ``(σ_w², σ_b²)`` of the critical line χ1 = 1, one per σ_b².

    >>> [(round(w, 3), b) for w, b in critical_line("tanh", [0.0, 0.05])]
    [(1.0, 0.0), (1.761, 0.05)]
    """
    return [(critical_sigma_w2(activation, b), float(b)) for b in sigma_b2s]
