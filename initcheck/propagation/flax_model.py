"""Per-layer signal sizes of a user's Flax (linen) model, through method interception.

As for PyTorch (:mod:`initcheck.propagation.torch_model`), the model is a
zero-argument factory returning a ``flax.linen.Module``; trial t initializes
it with the model's own initializers, ``module.init(PRNGKey(network_seed_t), x)``.
Every call of an ``nn.Dense``, ``nn.Conv`` or ``nn.ConvTranspose`` is a layer.
``flax.linen.intercept_methods`` records each layer's output ``h_l`` on a
first pass; on a second pass it adds a zero perturbation ``ε_l`` to it, and
``jax.grad`` of ``ℓ = Σ_b ⟨g_b, o_b⟩`` with respect to ``ε_l`` is ``∂ℓ/∂h_l``
(and with respect to the parameters, the weight gradients). Dropout gets the
``dropout`` key ``PRNGKey(network_seed_t + 1)``; collections other than
``params`` (batch statistics) are passed as mutable, so a batch norm in
training mode uses the batch's statistics.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..distributions import zero_mean_law
from ..errors import UsageError, expected
from .measure import (
    Measurements,
    ProgressFn,
    check_batch,
    log_mean_square,
    mean_square,
    trial_seeds,
)

__all__ = ["FLAX_LAYER_TYPES", "is_flax_module", "measure_flax"]

#: names of the layer classes intercepted (in ``flax.linen``)
FLAX_LAYER_TYPES = ("Dense", "Conv", "ConvTranspose")


def is_flax_module(obj: object) -> bool:
    """Whether ``obj`` is a ``flax.linen.Module`` (without importing flax if it is not loaded)."""
    linen = sys.modules.get("flax.linen")
    return linen is not None and isinstance(obj, linen.Module)


def measure_flax(
    factory: Callable[[], Any],
    input_shape: Sequence[int],
    *,
    trials: int = 30,
    batch: int = 64,
    seed: int = 0,
    input: str = "normal",
    input_std: float = 1.0,
    progress: ProgressFn | None = None,
) -> Measurements:
    """Measure every Dense/Conv layer of the Flax model ``factory()`` over ``trials`` initializations.

    Args:
        factory: zero-argument callable returning a ``flax.linen.Module``.
        input_shape: one example's shape (the batch is prepended), e.g. ``(32, 32, 3)``.
        trials: independent initializations (>= 2).
        batch: inputs per trial.
        seed: seed of every draw.
        input: the inputs' zero-mean law.
        input_std: the inputs' standard deviation.
        progress: called as ``progress(done, trials)`` after each trial.

    Returns:
        :class:`~initcheck.propagation.measure.Measurements`, one column per layer call.

    Raises:
        UsageError: a factory that raises or returns no linen Module, a model
            without Dense/Conv layers, or one that fails on the inputs.
    """
    from ..adapters import require

    require("flax", needed_by="needed to propagate through a Flax model")
    import flax.linen as nn
    import jax
    import jax.numpy as jnp

    seeds = trial_seeds(seed, trials)
    b = check_batch(batch)
    shape = tuple(int(d) for d in input_shape)
    if not shape or any(d < 1 for d in shape):
        raise expected("input_shape", tuple(input_shape), "positive dimensions of one example")
    law = zero_mean_law(input)
    kinds = tuple(getattr(nn, k) for k in FLAX_LAYER_TYPES)
    columns: dict[str, list[list[float]]] = {k: [] for k in ("f", "b", "w", "fl", "bl")}
    names: tuple[str, ...] | None = None
    widths: tuple[int, ...] = ()
    for t, (net_seed, in_seed, grad_seed) in enumerate(seeds):
        try:
            module = factory()
        except Exception as exc:
            raise UsageError(f"the model factory raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(module, nn.Module):
            raise expected("factory()", type(module).__name__, "a flax.linen.Module")
        x = jnp.asarray(law.draw(np.random.default_rng(in_seed), (b, *shape), input_std), dtype=jnp.float32)
        try:
            rec = _trial(module, kinds, nn, jax, jnp, x, net_seed, np.random.default_rng(grad_seed))
        except UsageError:
            raise
        except Exception as exc:
            raise UsageError(f"running the model on inputs of shape {tuple(x.shape)} raised "
                             f"{type(exc).__name__}: {exc}") from exc
        these = tuple(r["name"] for r in rec)
        if not these:
            raise UsageError(f"the model {type(module).__name__} has no layer of the kinds "
                             f"{', '.join(FLAX_LAYER_TYPES)}")
        if names is None:
            names, widths = these, tuple(int(np.prod(r["h"].shape[1:])) for r in rec)
        elif these != names:
            raise UsageError(f"the model's layers differ between trials: {list(names)} then {list(these)}")
        values = {"f": [mean_square(r["h"]) for r in rec], "b": [mean_square(r["g"]) for r in rec],
                  "w": [mean_square(r["w"]) / b if r["w"] is not None else float("nan") for r in rec],
                  "fl": [float(np.mean(log_mean_square(r["h"]))) for r in rec],
                  "bl": [float(np.mean(log_mean_square(r["g"]))) for r in rec]}
        for key, vals in values.items():
            columns[key].append(vals)
        if progress is not None:
            progress(t + 1, trials)
    assert names is not None
    arr = {k: np.array(v, dtype=np.float64) for k, v in columns.items()}
    return Measurements(names, widths, arr["f"], arr["b"], arr["w"], arr["fl"], arr["bl"], b, int(seed))


def _trial(module: Any, kinds: tuple[type, ...], nn: Any, jax: Any, jnp: Any, x: Any, net_seed: int,
           grad_rng: np.random.Generator) -> list[dict[str, Any]]:
    key = jax.random.PRNGKey(net_seed)
    rngs = {"params": key, "dropout": jax.random.PRNGKey(net_seed + 1)}
    variables = module.init(rngs, x)
    mutable = [k for k in variables if k != "params"]
    apply_rngs = {"dropout": jax.random.PRNGKey(net_seed + 1)}

    def run(params: Any, hook: Callable[[Any, Any], Any]) -> Any:
        def intercept(next_fun: Any, args: Any, kwargs: Any, context: Any) -> Any:
            out = next_fun(*args, **kwargs)
            if context.method_name == "__call__" and isinstance(context.module, kinds):
                out = hook(context.module, out)
            return out

        with nn.intercept_methods(intercept):
            result = module.apply({**variables, "params": params}, x, rngs=apply_rngs,
                                  mutable=mutable if mutable else False)
        return result[0] if mutable else result

    outputs: list[Any] = []
    paths: list[tuple[str, ...]] = []

    def record(mod: Any, out: Any) -> Any:
        outputs.append(out)
        paths.append(tuple(mod.path))
        return out

    y = run(variables["params"], record)
    if not hasattr(y, "shape"):
        raise expected("model output", type(y).__name__, "an array")
    g = jnp.asarray(grad_rng.standard_normal(tuple(y.shape)), dtype=y.dtype)

    def loss(params: Any, eps: list[Any]) -> Any:
        count = [0]

        def perturb(mod: Any, out: Any) -> Any:
            k = count[0]
            count[0] += 1
            return out + eps[k]

        return jnp.sum(run(params, perturb) * g)

    d_params, d_eps = jax.grad(loss, argnums=(0, 1))(variables["params"], [jnp.zeros_like(o) for o in outputs])
    seen: set[tuple[str, ...]] = set()
    records = []
    for out, path, grad in zip(outputs, paths, d_eps, strict=True):
        name = "/".join(path) or type(out).__name__
        w = None
        if path not in seen:
            seen.add(path)
            node: Any = d_params
            for part in path:
                node = node.get(part, {}) if hasattr(node, "get") else {}
            kernel = node.get("kernel") if hasattr(node, "get") else None
            w = None if kernel is None else np.asarray(kernel, dtype=np.float64)
        else:
            name += f"#{sum(p == path for p in paths[:len(records) + 1])}"
        records.append({"name": name, "h": np.asarray(out, dtype=np.float64), "g": np.asarray(grad, dtype=np.float64),
                        "w": w})
    return records
