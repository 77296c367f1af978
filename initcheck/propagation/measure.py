"""Per-layer signal sizes over independent initializations of the reference MLP.

Each trial draws a fresh network, sends a batch of ``B`` inputs from the input
law forward and, for the loss ``ℓ = Σ_b ⟨g_b, o_b⟩`` with ``g_b`` iid N(0, 1)
output gradients, backpropagates. Per trial and layer it keeps

* ``forward``: the mean square of the pre-activations ``h_l`` (over batch and units);
* ``backward``: the mean square of ``δ_l = ∂ℓ/∂h_l``; since ``g_b`` is independent
  across examples, this is each example's own gradient ``∂ℓ_b/∂h_l``;
* ``weight_grad``: ``mean((∂ℓ/∂W_l)²) / B``. The cross-example terms of
  ``∂ℓ/∂W_l = Σ_b δ_{l,b} a_{l-1,b}ᵀ`` have mean zero (the ``g_b`` are
  independent with mean 0), so its expectation is that of one example's
  ``(∂ℓ_b/∂W_l)²``, whatever the batch size;
* ``forward_log`` / ``backward_log``: the mean over examples of
  ``ln(‖h_{l,b}‖²/n_l)`` (resp. of δ): the *typical* size on the log scale,
  which drifts with depth at finite width while the mean square does not.

Everything is a function of ``seed``: trial t's network, inputs and output
gradients come from the t-th child of ``numpy.random.SeedSequence(seed)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import validate
from ..distributions import zero_mean_law
from ..init import Sampler
from ..mlp import backward, build_mlp, forward
from .spec import MLPSpec, parse_init

__all__ = ["Measurements", "measure_mlp", "measure_network", "trial_seeds"]

#: ``progress(done, total)``, called after each trial
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Measurements:
    """Per-trial, per-layer measurements: every array has shape ``(trials, layers)``.

    Attributes:
        names: one name per layer (``"1"``, ``"2"``, ... or a module's name).
        widths: each layer's number of output units (for a convolution, its
            output values per example: channels × positions).
        forward: mean square of the pre-activations.
        backward: mean square of the gradients ``∂ℓ/∂h_l``.
        weight_grad: mean square of the weight gradient per example (NaN for
            a layer without weights of its own, e.g. a repeated call).
        forward_log: mean over examples of ``ln(‖h_{l,b}‖²/n_l)``.
        backward_log: the same for ``δ_{l,b}``.
        batch: examples per trial.
        seed: the seed everything derives from.
        weight_m2: a model's own ``E[w²]`` per trial and layer (models only; NaN
            for a layer without weights of its own), for the theory.
        weight_mean: likewise, the weights' mean.
        bias_m2: likewise, ``E[b²]`` of the biases (0 without biases).
    """

    names: tuple[str, ...]
    widths: tuple[int, ...]
    forward: np.ndarray
    backward: np.ndarray
    weight_grad: np.ndarray
    forward_log: np.ndarray
    backward_log: np.ndarray
    batch: int
    seed: int
    weight_m2: np.ndarray | None = None
    weight_mean: np.ndarray | None = None
    bias_m2: np.ndarray | None = None

    @property
    def trials(self) -> int:
        """Number of independent initializations."""
        return int(self.forward.shape[0])

    @property
    def depth(self) -> int:
        """Number of layers measured."""
        return int(self.forward.shape[1])


def trial_seeds(seed: int, trials: int) -> list[tuple[int, int, int]]:
    """``(network_seed, input_seed, gradient_seed)`` for each trial, from ``SeedSequence(seed)``.

    Adding trials keeps the seeds of the existing ones.

    >>> trial_seeds(0, 2) == trial_seeds(0, 3)[:2]
    True
    """
    validate.seed(seed)
    validate.count("trials", trials, 2, "intervals need two trials")
    out = []
    for child in np.random.SeedSequence(int(seed)).spawn(int(trials)):
        s = child.generate_state(3, dtype=np.uint32)
        out.append((int(s[0]), int(s[1]), int(s[2])))
    return out


def check_batch(batch: object) -> int:
    """``batch`` as a positive int, or a UsageError."""
    return validate.count("batch", batch)


def log_mean_square(x: np.ndarray) -> np.ndarray:
    """``ln(mean of x² over all axes but the first)``, one value per example."""
    flat = x.reshape(x.shape[0], -1).astype(np.float64)
    with np.errstate(all="ignore"):
        return np.log(np.mean(flat * flat, axis=1))


def mean_square(x: np.ndarray) -> float:
    """Mean of ``x²`` in float64 (inf on overflow, with no warning)."""
    with np.errstate(all="ignore"):
        flat = np.asarray(x, dtype=np.float64)
        return float(np.mean(flat * flat))


def measure_mlp(
    spec: MLPSpec, *, trials: int = 30, batch: int = 64, seed: int = 0, progress: ProgressFn | None = None
) -> Measurements:
    """Measure every layer of the reference MLP ``spec`` over ``trials`` initializations.

    Args:
        spec: the network, its initializers and its input law.
        trials: independent initializations (>= 2).
        batch: inputs per trial.
        seed: seed of every draw.
        progress: called as ``progress(done, trials)`` after each trial.

    Returns:
        :class:`Measurements` with one column per weight layer (the last is the output layer).

    Raises:
        UsageError: bad ``trials``, ``batch`` or ``seed``.
    """
    return measure_network(spec.widths, spec.activation, parse_init(spec.init),
                           None if spec.bias == "zeros" else parse_init(spec.bias), input=spec.input,
                           input_std=spec.input_std, trials=trials, batch=batch, seed=seed, progress=progress)


def measure_network(
    widths: Sequence[int],
    activation: str,
    weights: Sampler,
    biases: Sampler | None = None,
    *,
    input: str = "normal",
    input_std: float = 1.0,
    trials: int = 30,
    batch: int = 64,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> Measurements:
    """Measure every layer of a reference MLP whose weights any sampler draws (:func:`measure_mlp`'s core).

    Args:
        widths: the layer widths, input first.
        activation: the hidden layers' activation.
        weights: the weights' sampler; ``biases`` the biases' (None: zero biases).
        input: the input law's name (:func:`initcheck.distributions.zero_mean_law`); ``input_std`` its std.
        trials, batch, seed, progress: as for :func:`measure_mlp`.
    """
    seeds = trial_seeds(seed, trials)
    b = validate.count("batch", batch)
    law = zero_mean_law(input)
    widths = list(widths)
    depth = len(widths) - 1
    arrays = {k: np.empty((trials, depth)) for k in ("f", "b", "w", "fl", "bl")}
    for t, (net_seed, in_seed, grad_seed) in enumerate(seeds):
        net = build_mlp(widths, activation, weight_sampler=weights, bias_sampler=biases, seed=net_seed)
        x = law.draw(np.random.default_rng(in_seed), (b, widths[0]), input_std)
        g = np.random.default_rng(grad_seed).standard_normal((b, widths[-1]))
        with np.errstate(all="ignore"):
            fwd = forward(net, x)
            grads = backward(net, fwd, g)
        for layer in range(depth):
            arrays["f"][t, layer] = mean_square(fwd.pre[layer])
            arrays["b"][t, layer] = mean_square(grads.pre[layer])
            arrays["w"][t, layer] = mean_square(grads.weights[layer]) / b
            arrays["fl"][t, layer] = float(np.mean(log_mean_square(fwd.pre[layer])))
            arrays["bl"][t, layer] = float(np.mean(log_mean_square(grads.pre[layer])))
        if progress is not None:
            progress(t + 1, trials)
    return Measurements(
        names=tuple(str(i + 1) for i in range(depth)),
        widths=tuple(widths[1:]),
        forward=arrays["f"],
        backward=arrays["b"],
        weight_grad=arrays["w"],
        forward_log=arrays["fl"],
        backward_log=arrays["bl"],
        batch=b,
        seed=int(seed),
    )
