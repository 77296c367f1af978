"""Mean-field predictions for every layer of a concrete reference MLP.

Layer by layer, with ``v_l = E[w²]`` of layer l's weights (from the law's
closed form), ``s_l = E[b²]`` of its biases and the inputs' mean square ``m_0``::

    q_1 = n_0 v_1 m_0 + s_1,        q_l = n_{l-1} v_l E[φ(√q_{l-1} z)²] + s_l
    g_L = E[g²] = 1,                g_l = n_{l+1} v_{l+1} g_{l+1} E[φ'(√q_l z)²]
    w_l = g_l · E[a_{l-1}²]         (weight gradient, per example)

Forward the factor is ``fan_in × v`` (σ_w² of :mod:`.meanfield`), backward it
is ``fan_out × v``: on equal widths they agree, at a change of width they
differ by ``n_out/n_in`` (a constant, not a depth effect).

The *typical* size (mean of ``ln(‖h‖²/n)`` over examples) of a linear network
with Gaussian weights has a closed form: ``‖W h‖² = v ‖h‖² χ²_{n_out}`` for any
fixed h, so per layer it moves by ``ln(n_in v) + ln(2/n_out) + ψ(n_out/2)``,
below the mean square's ``ln(n_in v)`` by the finite-width drift
``ln(2/n) + ψ(n/2) ≈ −1/n`` (:mod:`initcheck.products`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from ..activations import Activation, get_activation
from ..distributions import zero_mean_law
from ..errors import expected
from ..laws import parse_law, target_law
from .meanfield import CRITICAL_TOLERANCE, MeanField, mean_field
from .quadrature import activation_moments, gaussian_expectation
from .spec import MLPSpec, weight_moments

__all__ = ["NetworkTheory", "layered_theory", "network_theory"]

_GAUSSIAN_LAWS = ("norm",)  # scipy names of laws for which ‖W h‖² / ‖h‖² is exactly v·χ²


@dataclass(frozen=True)
class NetworkTheory:
    """Per-layer mean-field predictions for a reference MLP (arrays of length L).

    Attributes:
        forward: ``q_l``, mean square of the pre-activations.
        backward: ``g_l``, mean square of ``∂ℓ/∂h_l`` (``E[g²] = 1`` at the output).
        weight_grad: mean square of the weight gradient per example.
        forward_log_drift: the typical log mean square relative to layer 1,
            ``E[ln(‖h_l‖²/n_l)] − E[ln(‖h_1‖²/n_1)]``, where a closed form exists
            (a linear network with Gaussian weights and no biases), else None.
        meanfield: q*, χ1 and the phase of the hidden layers' (activation, σ_w², σ_b²).
        applies: whether the assumptions of the mean-field theory hold
            (zero-mean weights; see ``notes``).
        notes: where and why the theory is only approximate, or does not apply.
    """

    forward: np.ndarray
    backward: np.ndarray
    weight_grad: np.ndarray
    forward_log_drift: np.ndarray | None
    meanfield: MeanField
    applies: bool
    notes: tuple[str, ...]


def network_theory(spec: MLPSpec) -> NetworkTheory:
    """The mean-field predictions for every layer of ``spec`` (see the module docstring).

    >>> t = network_theory(MLPSpec((784, 256, 256, 10), "relu", "he_normal"))
    >>> [round(float(q), 9) for q in t.forward], t.meanfield.phase
    ([2.0, 2.0, 2.0], 'critical')
    """
    act = spec.act()
    w_claim, b_claim = parse_law(spec.init), parse_law(spec.bias)
    depth, n = spec.depth, spec.widths
    w_mean, v, s = np.empty(depth), np.empty(depth), np.empty(depth)
    b_mean = np.empty(depth)
    for i in range(depth):
        w_mean[i], v[i] = weight_moments(w_claim, spec.weight_shape(i))
        b_mean[i], s[i] = weight_moments(b_claim, (n[i + 1],))
    notes: list[str] = []
    applies = bool(np.all(w_mean == 0.0))
    if not applies:
        notes.append(f"weights of {spec.init} have a non-zero mean: the mean-field theory needs zero-mean weights")
    if np.any(b_mean != 0.0):
        notes.append(f"biases of {spec.bias} have a non-zero mean: E[b²] is used as σ_b², an approximation")
    if zero_mean_law(spec.input).name != "normal":
        notes.append("the first layer's pre-activations are Gaussian only by the central limit theorem "
                     f"(inputs are {spec.input})")
    theory = layered_theory(n, [act] * (depth - 1), v, s, spec.input_std**2, notes=notes, applies=applies)
    if spec.bias != "zeros":
        return theory
    return NetworkTheory(theory.forward, theory.backward, theory.weight_grad, _log_drift(spec, w_claim, v, s),
                         theory.meanfield, theory.applies, theory.notes)


def layered_theory(
    widths: Sequence[int],
    activations: Sequence[str | Activation],
    weight_m2: Sequence[float],
    bias_m2: Sequence[float],
    input_m2: float,
    *,
    notes: Sequence[str] = (),
    applies: bool = True,
    phase_tolerance: float = CRITICAL_TOLERANCE,
) -> NetworkTheory:
    """Mean-field predictions for a stack of dense layers given each layer's second moments.

    Args:
        widths: ``(n_0, ..., n_L)``.
        activations: φ after layers 1..L−1 (the output layer L is linear).
        weight_m2: ``E[w²]`` of each layer's weights (L values).
        bias_m2: ``E[b²]`` of each layer's biases (L values).
        input_m2: the inputs' mean square ``E[x²]``.
        notes: notes to carry (the activation and finite-width notes are added).
        applies: whether the caller's assumptions hold (zero-mean weights).
        phase_tolerance: |χ1 − 1| at or below which the phase is critical.

    Returns:
        The :class:`NetworkTheory`, without a typical-drift closed form.

    >>> t = layered_theory(
    ...     (8, 512, 512, 10), ["relu", "relu"], [2 / 8, 2 / 512, 2 / 512], [0, 0, 0], 1.0
    ... )
    >>> [round(float(f), 9) for f in t.forward]
    [2.0, 2.0, 2.0]
    """
    n = tuple(int(w) for w in widths)
    depth = len(n) - 1
    hidden = [get_activation(a) for a in activations]
    if len(hidden) != depth - 1 or len(weight_m2) != depth or len(bias_m2) != depth:
        raise expected("activations/weight_m2/bias_m2", (len(hidden), len(weight_m2), len(bias_m2)),
                       f"{depth - 1} activations and {depth} second moments for {depth} layers")
    v, s = np.asarray(weight_m2, dtype=np.float64), np.asarray(bias_m2, dtype=np.float64)
    q = np.empty(depth)
    inputs_ms = np.empty(depth)  # E[a_{l-1}²]
    inputs_ms[0] = input_m2
    g = np.empty(depth)
    g[-1] = 1.0  # identity output layer, N(0, 1) output gradients
    with np.errstate(over="ignore", invalid="ignore"):  # an exploding network's theory is inf, not an error
        q[0] = n[0] * v[0] * input_m2 + s[0]
        for i in range(1, depth):
            inputs_ms[i] = activation_moments(hidden[i - 1], q[i - 1])[0] if math.isfinite(q[i - 1]) else math.inf
            q[i] = n[i] * v[i] * inputs_ms[i] + s[i]
        for i in range(depth - 2, -1, -1):
            factor = activation_moments(hidden[i], q[i])[1] if math.isfinite(q[i]) else math.nan
            g[i] = n[i + 2] * v[i + 1] * g[i + 1] * factor
    with np.errstate(all="ignore"):
        wg = g * inputs_ms

    all_notes = list(notes)
    for act in {a.name: a for a in hidden}.values():
        if abs(gaussian_expectation(lambda x, act=act: np.asarray(act.fn(x)), 1.0)) > 1e-12:
            all_notes.append(f"{act.name}'s output has a non-zero mean: it adds a part shared by all inputs to "
                             "each pre-activation, so the inputs' pre-activations are correlated (the correlation "
                             "map's fixed point is 1) and one network's mean square fluctuates more than with a "
                             "zero-mean φ; the length map of the second moments is unaffected")
    all_notes.append("the theory is exact as the width grows; at width n the per-layer factors carry O(1/n) "
                     "corrections, and the typical (log) size drifts at a rate of order 1/n")
    k = 1 if depth > 2 else 0  # a hidden-to-hidden layer, if there is one
    act = hidden[k - 1] if k else (hidden[0] if hidden else get_activation("identity"))
    mf = mean_field(act, float(n[k] * v[k]), float(s[k]), q0=float(q[k - 1] if k else q[0]),
                    tolerance=phase_tolerance)
    return NetworkTheory(q, g, wg, None, mf, applies, tuple(all_notes))


def _log_drift(spec: MLPSpec, w_claim, v: np.ndarray, s: np.ndarray) -> np.ndarray | None:
    """Closed-form typical drift for linear Gaussian networks without biases, else None."""
    if spec.activation != "identity" or np.any(s != 0.0):
        return None
    for i in range(spec.depth):
        law = target_law(w_claim, spec.weight_shape(i), "torch")
        if law.kind != "iid" or law.law.dist.name not in _GAUSSIAN_LAWS or float(law.law.mean()) != 0.0:
            return None
    n = spec.widths
    steps = [0.0]
    for i in range(1, spec.depth):
        n_in, n_out = n[i], n[i + 1]
        steps.append(math.log(n_in * v[i]) + math.log(2.0 / n_out) + float(special.digamma(n_out / 2.0)))
    return np.cumsum(steps)
