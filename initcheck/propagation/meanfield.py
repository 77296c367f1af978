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
(``numpy.polynomial.hermite_e.hermegauss``, weight ``e^{-z²/2}``). The default
number of nodes is even, so no node sits on the ReLU's kink at 0 and, by the
nodes' symmetry, ``E[relu(√q z)²] = q/2`` and ``E[relu'(z)²] = 1/2`` come out
exact to rounding. Where Gauss–Hermite cannot be trusted (at large q its
nodes, scaled by √q, are too far apart to see φ's own scale: tanh(√q z) is
nearly a step; or its values with n and n/2 nodes differ) a composite
Gauss–Legendre rule with panels of width 0.25/√q takes over.

>>> round(chi1("relu", 2.0), 12), phase(chi1("relu", 2.0))
(1.0, 'critical')
>>> round(critical_sigma_w2("tanh", 0.0), 9)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import optimize

from ..activations import Activation, get_activation
from ..errors import expected

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

QUADRATURE_NODES = 100  # even: no node on relu's kink; exact for polynomials of degree < 200
CONVERGED = 1e-12  # Gauss–Hermite with n and n/2 nodes agreeing this closely (relative) has converged
RESOLUTION = 0.5  # ... provided its nodes near 0, scaled by √q, are at most this far apart
TAIL = 12.0  # the composite rule integrates z over [-12, 12]: the normal mass beyond is ~4e-33
CRITICAL_TOLERANCE = 1e-6  # |χ1 − 1| at or below this is "critical" (quadrature error is ~1e-15)
_HOMOGENEOUS = ("identity", "relu", "leaky_relu")  # φ(c·x) = c·φ(x) for c > 0: q* has a closed form
_MAX_DOUBLINGS = 200  # bracketing the fixed point: q up to 2^200 before calling it infinite


@lru_cache(maxsize=8)
def _nodes(order: int) -> tuple[np.ndarray, np.ndarray]:
    z, w = hermegauss(order)
    return z, w / math.sqrt(2.0 * math.pi)  # weights of E over N(0, 1): they sum to 1


def gaussian_expectation(
    f: Callable[[np.ndarray], np.ndarray], q: float = 1.0, *, order: int = QUADRATURE_NODES
) -> float:
    """``E[f(√q·z)]`` for ``z ~ N(0, 1)``, by Gauss–Hermite quadrature with ``order`` nodes.

    Exact (to rounding) when ``f`` is a polynomial of degree below ``2·order``.

    Args:
        f: a vectorized function of an array.
        q: the variance of the Gaussian argument, ``q >= 0``.
        order: number of quadrature nodes (even keeps a node off 0).

    Returns:
        The expectation as a float.

    Raises:
        UsageError: negative or non-finite ``q``, or ``order < 1``.

    >>> round(gaussian_expectation(lambda x: x**4, 2.0), 12)  # E[(√2 z)⁴] = 3·2²
    12.0
    """
    if not (isinstance(q, (int, float, np.floating, np.integer)) and math.isfinite(q) and q >= 0):
        raise expected("q", q, "a finite non-negative variance")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise expected("order", order, "a positive integer number of quadrature nodes")
    root = math.sqrt(float(q))
    z, w = _nodes(int(order))
    value = float(np.dot(w, np.asarray(f(root * z), dtype=np.float64)))
    if order < 4 or not math.isfinite(value):
        return value
    spacing = 2.0 * float(np.min(np.abs(z)))  # the nodes' spacing near 0, where they are densest
    if root * spacing <= RESOLUTION:  # the nodes resolve φ's own scale (1) at this q: check convergence
        z2, w2 = _nodes(int(order) // 2)
        coarse = float(np.dot(w2, np.asarray(f(root * z2), dtype=np.float64)))
        if abs(value - coarse) <= CONVERGED * max(abs(value), 1e-300):
            return value
    return _composite(f, root)


def _composite(f: Callable[[np.ndarray], np.ndarray], root: float) -> float:
    """``E[f(root·z)]`` by composite 20-point Gauss–Legendre on [-12, 12].

    For an integrand that varies on a scale much finer than the Gaussian's (a
    saturating φ at large q: tanh(√q z) is nearly a step), Gauss–Hermite
    converges slowly; panels that resolve the scale 1/√q near 0 do not. 0 is a
    panel edge, so a kink there is integrated exactly.
    """
    edges = np.linspace(-TAIL, TAIL, 97)  # width 0.25 on the Gaussian's scale
    if root > 1.0:  # and width 0.25 on φ's own scale where √q·|z| <= 16 (beyond, a saturating φ is flat)
        fine = np.linspace(-16.0, 16.0, 129) / root
        edges = np.unique(np.concatenate([edges, fine[np.abs(fine) < TAIL]]))
    x, w = _legendre()
    mids, radii = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    zs = (mids[:, None] + radii[:, None] * x[None, :]).ravel()
    ws = (radii[:, None] * w[None, :]).ravel() * np.exp(-zs**2 / 2) / math.sqrt(2 * math.pi)
    return float(np.dot(ws, np.asarray(f(root * zs), dtype=np.float64)))


@lru_cache(maxsize=1)
def _legendre() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(20)


def _act(activation: str | Activation) -> Activation:
    return get_activation(activation)


def _variances(sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    for name, v in (("sigma_w2", sigma_w2), ("sigma_b2", sigma_b2)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
            raise expected(name, v, "a finite non-negative number")
        if not (math.isfinite(v) and v >= 0):
            raise expected(name, v, "a finite non-negative number")
    return float(sigma_w2), float(sigma_b2)


def activation_moments(activation: str | Activation, q: float) -> tuple[float, float]:
    """``(E[φ(√q z)²], E[φ'(√q z)²])`` for z ~ N(0, 1).

    For a positively homogeneous φ (identity, relu, leaky_relu) they are
    ``q·E[φ(z)²]`` and ``E[φ'(z)²]``, computed once at q = 1.

    >>> [round(m, 12) for m in activation_moments("relu", 8.0)]
    [4.0, 0.5]
    """
    act = _act(activation)
    if act.name in _HOMOGENEOUS:  # a leaky_relu of another slope is named leaky_relu(s): integrated
        m2, d2 = _unit_moments(act.name)
        return float(q) * m2, d2
    return (gaussian_expectation(lambda x: np.asarray(act.fn(x)) ** 2, q),
            gaussian_expectation(lambda x: np.asarray(act.grad(x)) ** 2, q))


@lru_cache(maxsize=8)
def _unit_moments(name: str) -> tuple[float, float]:
    act = get_activation(name)
    return (gaussian_expectation(lambda x: np.asarray(act.fn(x)) ** 2, 1.0),
            gaussian_expectation(lambda x: np.asarray(act.grad(x)) ** 2, 1.0))


def length_map(
    activation: str | Activation, q: float, sigma_w2: float, sigma_b2: float = 0.0
) -> float:
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


def fixed_point(
    activation: str | Activation, sigma_w2: float, sigma_b2: float = 0.0, *, q0: float = 1.0
) -> float:
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
        return {"activation": self.activation, "sigma_w2": self.sigma_w2, "sigma_b2": self.sigma_b2,
                "q_star": self.q_star, "chi1": self.chi1, "phase": self.phase}


def mean_field(
    activation: str | Activation, sigma_w2: float, sigma_b2: float = 0.0, *, q0: float = 1.0
) -> MeanField:
    """q*, χ1 and the phase of one initialization (see the module docstring).

    >>> m = mean_field("sigmoid", 1.0)  # Xavier on equal widths: deep in the ordered phase
    >>> m.phase, round(m.chi1, 4)
    ('ordered', 0.0557)
    """
    act = _act(activation)
    q = fixed_point(act, sigma_w2, sigma_b2, q0=q0)
    chi = gradient_factor(act, _where_chi1(act, q), sigma_w2)
    return MeanField(act.name, float(sigma_w2), float(sigma_b2), q, chi, phase(chi))


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


def critical_line(activation: str | Activation, sigma_b2s: tuple[float, ...] | list[float]) -> list[tuple[float, float]]:
    """Points ``(σ_w², σ_b²)`` of the critical line χ1 = 1, one per σ_b².

    >>> [(round(w, 3), b) for w, b in critical_line("tanh", [0.0, 0.05])]
    [(1.0, 0.0), (1.761, 0.05)]
    """
    return [(critical_sigma_w2(activation, b), float(b)) for b in sigma_b2s]
