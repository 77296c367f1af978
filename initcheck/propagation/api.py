"""``propagate()``: measure a whole network across depth, put the theory beside it, and judge.

Suppose we wish to know whether a 50-layer ReLU network initialized with He's
normal law keeps its signals of order one. We measure it over independent
initializations and test the declared expectation (every hidden layer within a
factor 2 of the first, both ways):

>>> report = propagate(widths="784,256x6,10", activation="relu", init="he_normal", trials=8, batch=16)
>>> report.passed, report.meanfield.phase
(True, 'critical')

A user's PyTorch or Flax (linen) model is given by a zero-argument factory
(``propagate("mymodels:make_cnn", input_shape=(3, 32, 32))``), and measured
through hooks (``initcheck.propagation.torch_model``) or method interception
(``initcheck.propagation.flax_model``); there is no mean-field theory for an
arbitrary model, so its report has measurements only.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import validate
from ..errors import UsageError, expected
from ..reproducer import reproducer
from .expect import DEFAULT_EXPECTATION, Expectation, parse_expectation
from .meanfield import CRITICAL_TOLERANCE
from .measure import ProgressFn, measure_mlp
from .report import DEFAULT_ALPHA, PropagationReport, build_report
from .spec import MLPSpec
from .theory import NetworkTheory, layered_theory, network_theory

__all__ = ["DEFAULT_BATCH", "DEFAULT_TRIALS", "propagate"]

DEFAULT_TRIALS = 30  # independent initializations: t intervals at α/m stay a few standard errors wide
DEFAULT_BATCH = 64  # inputs per initialization


def _check_alpha(alpha: float) -> float:
    return validate.probability("alpha", alpha)


def _mlp_command(spec: MLPSpec, trials: int, batch: int, seed: int, e: Expectation, alpha: float) -> str:
    plain_input = spec.input == "normal" and spec.input_std == 1.0
    return reproducer("propagate", widths=",".join(map(str, _runs(spec.widths))), activation=spec.activation,
                      init=spec.init, bias=None if spec.bias == "zeros" else spec.bias,
                      input=None if plain_input else spec.input,
                      input_std=None if plain_input else spec.input_std,
                      trials=trials, batch=batch, seed=seed, expect=str(e),
                      alpha=None if alpha == DEFAULT_ALPHA else alpha)


def _runs(widths: tuple[int, ...]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(widths):
        j = i
        while j + 1 < len(widths) and widths[j + 1] == widths[i]:
            j += 1
        out.append(f"{widths[i]}x{j - i + 1}" if j > i else str(widths[i]))
        i = j + 1
    return out


def propagate(
    target: MLPSpec | str | Callable[[], Any] | None = None,
    *,
    widths: str | Sequence[int] | None = None,
    activation: str = "relu",
    init: str = "he_normal",
    bias: str = "zeros",
    input: str = "normal",
    input_std: float = 1.0,
    input_shape: Sequence[int] | None = None,
    trials: int = DEFAULT_TRIALS,
    batch: int = DEFAULT_BATCH,
    seed: int = 0,
    expect: str | Expectation = DEFAULT_EXPECTATION,
    alpha: float = DEFAULT_ALPHA,
    train: bool = True,
    dtype: str | None = None,
    progress: ProgressFn | None = None,
) -> PropagationReport:
    """Measure forward and backward signal sizes at every layer, over independent initializations.

    The reference MLP is given by ``widths`` (``"784,256x50,10"``), ``activation``,
    ``init`` and ``bias`` (laws of the ``--law`` grammar), or as an
    :class:`~initcheck.propagation.spec.MLPSpec`; its report carries the
    mean-field theory of every layer. A PyTorch or Flax (linen) model is given
    as ``target``: ``"module:factory"`` or the zero-argument factory itself,
    with ``input_shape`` (one example's shape).

    Args:
        target: an :class:`MLPSpec`, a ``module:factory`` string, a factory, or
            None with ``widths``.
        widths: the reference MLP's widths, e.g. ``"784,256x50,10"`` or ``(784, 256, 10)``.
        activation: φ of its hidden layers.
        init: its weights' law, e.g. ``he_normal``, ``normal(std=0.01)``, ``orthogonal``.
        bias: its biases' law (default ``zeros``).
        input: the inputs' zero-mean law (``normal``, ``uniform``, ``rademacher``, ``student_t``).
        input_std: the inputs' standard deviation.
        input_shape: one example's shape, for a model.
        trials: independent initializations (>= 2).
        batch: inputs per trial.
        seed: seed of every draw; the same seed gives the same report.
        expect: the expectation, ``within=K`` or ``factor=F`` (``initcheck.propagation.expect``).
        alpha: family-wise false-alarm probability of the verdict.
        train: a model runs in training mode (False: ``eval()``).
        dtype: convert a model to ``float32`` or ``float64`` (None: its own).
        progress: called as ``progress(done, trials)`` after each trial.

    Returns:
        A :class:`~initcheck.propagation.report.PropagationReport`.

    Raises:
        UsageError: a malformed network, law, expectation, input or option;
            a target that cannot be loaded or run.
    """
    e = parse_expectation(expect)
    a = _check_alpha(alpha)
    if isinstance(input_std, bool) or not isinstance(input_std, (int, float)) or not 0.0 < input_std < math.inf:
        raise expected("input_std", input_std, "a positive finite number")
    if isinstance(target, MLPSpec) or (target is None and widths is not None):
        if isinstance(target, MLPSpec):
            if widths is not None:
                raise expected("widths", widths, "None when target is an MLPSpec")
            spec = target
        else:
            spec = MLPSpec(widths, activation, init, bias, input, input_std)  # type: ignore[arg-type]
        m = measure_mlp(spec, trials=trials, batch=batch, seed=seed, progress=progress)
        return build_report(m, e, target=spec.describe(), alpha=a, theory=network_theory(spec),
                            reproducer=_mlp_command(spec, trials, batch, seed, e, a))
    if target is None:
        raise expected("target", None, "widths for the reference MLP, or a model factory (module:factory)")
    if widths is not None:
        raise expected("widths", widths, "None when a model is given")
    if input_shape is None:
        raise expected("input_shape", None, "one example's shape for a model, e.g. (3, 32, 32)")
    factory, name = _factory(target)
    framework, probe = _framework(factory)
    shape_text = "x".join(map(str, input_shape))
    if framework == "flax":
        from .flax_model import measure_flax

        if dtype not in (None, "float32"):
            raise expected("dtype", dtype, "float32 (or None) for a Flax model: JAX computes in float32 by default")
        if not train:
            raise expected("train", train, "True for a Flax model: its train/eval switch is the model's own attribute")
        m = measure_flax(factory, input_shape, trials=trials, batch=batch, seed=seed, input=input,
                         input_std=input_std, progress=progress)
        theory = None
        what = f"Flax model {name}(), input {shape_text} {input} (std {input_std:g})"
    else:
        from .torch_model import measure_torch

        m = measure_torch(factory, input_shape, trials=trials, batch=batch, seed=seed, input=input,
                          input_std=input_std, train=train, dtype=dtype, progress=progress)
        what = f"PyTorch model {name}() ({'train' if train else 'eval'} mode), input {shape_text} " \
               f"{input} (std {input_std:g})"
        theory = _torch_mlp_theory(probe, m, input_shape, input_std)
    command = None
    if isinstance(target, str):
        plain_input = input == "normal" and input_std == 1.0
        command = reproducer("propagate", target, input_shape="x".join(map(str, input_shape)), trials=trials,
                             batch=batch, seed=seed, expect=str(e), input=None if plain_input else input,
                             input_std=None if plain_input else input_std, eval=not train, dtype=dtype,
                             alpha=None if a == DEFAULT_ALPHA else a)
    return build_report(m, e, target=what, alpha=a, theory=theory, reproducer=command)


MEAN_TOLERANCE = 0.05  # |mean of w| / rms(w) above this: the weights' mean is not zero, the theory does not apply
PHASE_SE = 6.0  # a measured σ_w² is critical when χ1 is within this many of its standard errors of 1


def _torch_mlp_theory(model: Any, m: Any, input_shape: Sequence[int], input_std: float) -> NetworkTheory | None:
    """Mean field for a plain PyTorch MLP, from its own weights' measured second moments; else None."""
    from .torch_model import mlp_activations

    acts = mlp_activations(model)
    if acts is None or m.weight_m2 is None or np.any(np.isnan(m.weight_m2)):
        return None
    v = m.weight_m2.mean(axis=0)
    s = m.bias_m2.mean(axis=0)
    mean = m.weight_mean.mean(axis=0)
    applies = bool(np.all(np.abs(mean) <= MEAN_TOLERANCE * np.sqrt(v)))
    k = 1 if len(v) > 2 else 0  # the layer whose σ_w² sets the phase (as in layered_theory)
    rel_se = float(np.std(m.weight_m2[:, k], ddof=1) / np.sqrt(m.trials) / v[k])
    tolerance = max(CRITICAL_TOLERANCE, PHASE_SE * rel_se)
    notes = [("σ_w² and σ_b² are the model's own, measured: each layer's E[w²] and E[b²] averaged over the trials' "
              "weights (its initialization code is the law); non-zero-mean biases are treated by E[b²]; "
              f"critical means |χ1 − 1| <= {tolerance:.2g}, {PHASE_SE:g} standard errors of the measured σ_w²")]
    if not applies:
        notes.append("the model's weights have a non-zero mean: the mean-field theory needs zero-mean weights")
    widths = (int(np.prod(input_shape)), *m.widths)
    return layered_theory(widths, acts, v, s, input_std**2, notes=notes, applies=applies,
                          phase_tolerance=tolerance)


def _framework(factory: Callable[[], Any]) -> tuple[str, Any]:
    """``torch`` or ``flax`` and the model: what the factory builds (called once, under ``fork_rng`` if torch
    is loaded)."""
    from .flax_model import is_flax_module
    from .torch_model import is_torch_model

    torch = sys.modules.get("torch")
    try:
        if torch is not None:
            with torch.random.fork_rng(devices=[]):
                model = factory()
        else:
            model = factory()
    except Exception as exc:
        raise UsageError(f"the model factory raised {type(exc).__name__}: {exc}") from exc
    if is_torch_model(model):
        return "torch", model
    if is_flax_module(model):
        return "flax", model
    raise expected("factory()", type(model).__name__, "a torch.nn.Module or a flax.linen.Module "
                   "(a zero-argument callable returning one)")


def _factory(target: str | Callable[[], Any]) -> tuple[Callable[[], Any], str]:
    if isinstance(target, str):
        from ..adapters import load_target

        if os.getcwd() not in sys.path:  # a user's own module, named from where they stand
            sys.path.insert(0, os.getcwd())
        return load_target(target), target
    if not callable(target):
        raise expected("target", target, "an MLPSpec, a module:factory string, or a zero-argument callable")
    return target, getattr(target, "__qualname__", type(target).__name__)
