"""Per-layer signal sizes of a user's PyTorch model, through forward and backward hooks.

The model is given by a zero-argument factory (``module:factory`` on the
command line) so that every trial gets weights from the model's *own*
initialization code: trial t calls the factory under
``torch.manual_seed(network_seed_t)`` inside ``torch.random.fork_rng()``, which
leaves PyTorch's global generator as it was. Dropout and other random layers
draw from the same seeded generator, so a run is a function of the seed.

Every ``nn.Linear``, ``nn.ConvNd`` and ``nn.ConvTransposeNd`` is a layer; each
call of one is recorded (a module called twice is two layers, its weight
gradient reported once). A forward hook keeps the layer's output (its
pre-activation ``h_l``) and registers a tensor hook that keeps ``∂ℓ/∂h_l``;
``ℓ = Σ_b ⟨g_b, o_b⟩`` with iid N(0, 1) ``g_b``, as for the reference MLP
(:mod:`initcheck.propagation.measure`). Weight gradients are read from
``weight.grad``, divided by the batch size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..activations import Activation, get_activation
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

__all__ = ["DTYPES", "LAYER_TYPES", "is_torch_model", "measure_torch", "mlp_activations"]

#: names of the layer classes hooked (in ``torch.nn``)
LAYER_TYPES = ("Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
DTYPES = ("float32", "float64")


def is_torch_model(obj: object) -> bool:
    """Whether ``obj`` is a ``torch.nn.Module`` (without importing torch if it is not loaded)."""
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def _torch() -> Any:
    from ..adapters import require

    return require("torch", needed_by="needed to propagate through a PyTorch model")


def _build(factory: Callable[[], Any], torch: Any) -> Any:
    try:
        model = factory()
    except Exception as exc:
        raise UsageError(f"the model factory raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(model, torch.nn.Module):
        raise expected("factory()", type(model).__name__, "a torch.nn.Module (a zero-argument callable returning one)")
    return model


def measure_torch(
    factory: Callable[[], Any],
    input_shape: Sequence[int],
    *,
    trials: int = 30,
    batch: int = 64,
    seed: int = 0,
    input: str = "normal",
    input_std: float = 1.0,
    train: bool = True,
    dtype: str | None = None,
    progress: ProgressFn | None = None,
) -> Measurements:
    """Measure every Linear/Conv layer of the model ``factory()`` over ``trials`` initializations.

    Args:
        factory: zero-argument callable returning a fresh ``torch.nn.Module``.
        input_shape: one example's shape, e.g. ``(3, 32, 32)`` (the batch is prepended).
        trials: independent initializations (>= 2).
        batch: inputs per trial.
        seed: seed of every draw.
        input: the inputs' zero-mean law (:data:`initcheck.distributions.ZERO_MEAN_LAWS`).
        input_std: the inputs' standard deviation.
        train: run in training mode (dropout on, batch norm on batch statistics:
            what the first step of training sees); False for ``model.eval()``.
        dtype: ``float32`` or ``float64`` to convert the model to; None keeps its own.
        progress: called as ``progress(done, trials)`` after each trial.

    Returns:
        :class:`~initcheck.propagation.measure.Measurements`, one column per layer call.

    Raises:
        UsageError: a factory that raises or returns no Module, a model with no
            Linear/Conv layer, a non-tensor output, or layers that differ between trials.
    """
    torch = _torch()
    seeds = trial_seeds(seed, trials)
    b = check_batch(batch)
    shape = tuple(int(d) for d in input_shape)
    if not shape or any(d < 1 for d in shape):
        raise expected("input_shape", tuple(input_shape), "positive dimensions of one example, e.g. 3x32x32")
    if dtype is not None and dtype not in DTYPES:
        raise expected("dtype", dtype, f"one of {', '.join(DTYPES)}")
    law = zero_mean_law(input)
    kinds = tuple(getattr(torch.nn, k) for k in LAYER_TYPES)
    columns: dict[str, list[list[float]]] = {k: [] for k in ("f", "b", "w", "fl", "bl", "wm2", "wmean", "bm2")}
    names: tuple[str, ...] | None = None
    widths: tuple[int, ...] = ()
    for t, (net_seed, in_seed, grad_seed) in enumerate(seeds):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(net_seed)
            model = _build(factory, torch)
            if dtype is not None:
                model = model.to(getattr(torch, dtype))
            model.train(train)
            records = _run(model, kinds, torch, law.draw(np.random.default_rng(in_seed), (b, *shape), input_std),
                           np.random.default_rng(grad_seed), b)
        these = tuple(r["name"] for r in records)
        if names is None:
            names, widths = these, tuple(int(r["h"][0].numel()) for r in records)
        elif these != names:
            raise UsageError(f"the model's layers differ between trials: {list(names)} then {list(these)}")
        for key, values in _trial_values(records, b).items():
            columns[key].append(values)
        if progress is not None:
            progress(t + 1, trials)
    assert names is not None
    arr = {k: np.array(v, dtype=np.float64) for k, v in columns.items()}
    return Measurements(names, widths, arr["f"], arr["b"], arr["w"], arr["fl"], arr["bl"], b, int(seed),
                        weight_m2=arr["wm2"], weight_mean=arr["wmean"], bias_m2=arr["bm2"])


def _run(model: Any, kinds: tuple[type, ...], torch: Any, x_np: np.ndarray, grad_rng: np.random.Generator,
         batch: int) -> list[dict[str, Any]]:
    module_names = {id(mod): f"{name}:{type(mod).__name__}" if name else type(mod).__name__
                    for name, mod in model.named_modules()}
    records: list[dict[str, Any]] = []
    calls: dict[int, int] = {}

    def hook(module: Any, inputs: Any, output: Any) -> None:
        if not isinstance(output, torch.Tensor):
            return
        n = calls.get(id(module), 0) + 1
        calls[id(module)] = n
        name = module_names.get(id(module), type(module).__name__) + (f"#{n}" if n > 1 else "")
        rec: dict[str, Any] = {"name": name, "h": output.detach().clone(), "module": module if n == 1 else None}
        if output.requires_grad:
            output.register_hook(lambda grad, rec=rec: rec.__setitem__("g", grad.detach()))
        records.append(rec)

    handles = [mod.register_forward_hook(hook) for mod in model.modules() if isinstance(mod, kinds)]
    if not handles:
        raise UsageError(f"the model {type(model).__name__} has no layer of the kinds {', '.join(LAYER_TYPES)}")
    try:
        params = list(model.parameters())
        dtype = params[0].dtype if params else torch.float32
        x = torch.from_numpy(np.ascontiguousarray(x_np)).to(dtype)
        out = model(x)
        if not isinstance(out, torch.Tensor):
            raise expected("model output", type(out).__name__, "a tensor")
        g = torch.from_numpy(grad_rng.standard_normal(tuple(out.shape))).to(out.dtype)
        if out.requires_grad:
            (out * g).sum().backward()
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"running the model on inputs of shape {tuple(x_np.shape)} raised "
                         f"{type(exc).__name__}: {exc}") from exc
    finally:
        for h in handles:
            h.remove()
    return records


def _trial_values(records: list[dict[str, Any]], batch: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k in ("f", "b", "w", "fl", "bl", "wm2", "wmean", "bm2")}
    for r in records:
        h = r["h"].double().numpy()
        g = r["g"].double().numpy() if "g" in r else np.zeros_like(h)
        out["f"].append(mean_square(h))
        out["b"].append(mean_square(g))
        out["fl"].append(float(np.mean(log_mean_square(h))))
        with np.errstate(all="ignore"):
            out["bl"].append(float(np.mean(log_mean_square(g))))
        module = r["module"]
        weight = getattr(module, "weight", None) if module is not None else None
        grad = getattr(weight, "grad", None)
        out["w"].append(mean_square(grad.double().numpy()) / batch if grad is not None else float("nan"))
        w = weight.detach().double().numpy() if weight is not None else None
        bias = getattr(module, "bias", None) if module is not None else None
        out["wm2"].append(mean_square(w) if w is not None else float("nan"))
        out["wmean"].append(float(np.mean(w)) if w is not None else float("nan"))
        out["bm2"].append(mean_square(bias.detach().double().numpy()) if bias is not None else 0.0)
    return out


#: torch.nn activation classes with a reference activation of the same name
_ACTIVATIONS = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Identity": "identity"}


def mlp_activations(model: Any) -> list[Activation] | None:
    """The hidden activations of a plain MLP, ``[Flatten,] Linear, φ, Linear, φ, ..., Linear``, else None.

    ``model`` must be an ``nn.Sequential`` (nested ones are flattened) of
    ``Linear`` layers, each but the last followed by at most one of ReLU,
    Tanh, Sigmoid, Identity or LeakyReLU (none means linear). For such a model
    the mean-field theory applies layer by layer.
    """
    import torch

    def flat(mod: Any) -> list[Any]:
        if isinstance(mod, torch.nn.Sequential):
            return [leaf for child in mod for leaf in flat(child)]
        return [mod]

    if not isinstance(model, torch.nn.Sequential):
        return None
    mods = flat(model)
    if mods and isinstance(mods[0], torch.nn.Flatten):
        mods = mods[1:]
    acts: list[Activation] = []
    i = 0
    while i < len(mods):
        if not isinstance(mods[i], torch.nn.Linear):
            return None
        i += 1
        if i == len(mods):
            return acts
        nxt = mods[i]
        if isinstance(nxt, torch.nn.Linear):
            acts.append(get_activation("identity"))
            continue
        name = type(nxt).__name__
        if name == "LeakyReLU":
            acts.append(get_activation("leaky_relu", negative_slope=float(nxt.negative_slope)))
        elif name in _ACTIVATIONS:
            acts.append(get_activation(_ACTIVATIONS[name]))
        else:
            return None
        i += 1
    return None  # ends with an activation: the output layer is not linear
