"""Gaussian expectations ``E[f(√q z)]``, z ~ N(0, 1), for the mean-field theory.

Gauss–Hermite quadrature (``numpy.polynomial.hermite_e.hermegauss``, weight
``e^{-z²/2}``) with an even number of nodes, so that no node sits on the
ReLU's kink at 0 and, by the nodes' symmetry, ``E[relu(√q z)²] = q/2`` and
``E[relu'(z)²] = 1/2`` come out exact to rounding. Where Gauss–Hermite cannot
be trusted (at large q its nodes, scaled by √q, are too far apart to see φ's
own scale: tanh(√q z) is nearly a step; or its values with n and n/2 nodes
differ) a composite Gauss–Legendre rule with panels of width 0.25/√q near 0
takes over.

>>> round(gaussian_expectation(lambda x: x**4, 2.0), 12)  # E[(√2 z)⁴] = 3·2²
12.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from ..activations import Activation, get_activation
from ..errors import expected

__all__ = ["QUADRATURE_NODES", "activation_moments", "gaussian_expectation"]

QUADRATURE_NODES = 100  # even: no node on relu's kink; exact for polynomials of degree < 200
CONVERGED = 1e-12  # Gauss–Hermite with n and n/2 nodes agreeing this closely (relative) has converged
RESOLUTION = 0.5  # ... provided its nodes near 0, scaled by √q, are at most this far apart
TAIL = 12.0  # the composite rule integrates z over [-12, 12]: the normal mass beyond is ~4e-33
_HOMOGENEOUS = ("identity", "relu", "leaky_relu")  # φ(c·x) = c·φ(x) for c > 0


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


def activation_moments(activation: str | Activation, q: float) -> tuple[float, float]:
    """``(E[φ(√q z)²], E[φ'(√q z)²])`` for z ~ N(0, 1).

    For a positively homogeneous φ (identity, relu, leaky_relu) they are
    ``q·E[φ(z)²]`` and ``E[φ'(z)²]``, computed once at q = 1.

    >>> [round(m, 12) for m in activation_moments("relu", 8.0)]
    [4.0, 0.5]
    """
    act = get_activation(activation)
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
