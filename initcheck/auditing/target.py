"""From a target to a model source: what ``initcheck audit TARGET`` builds, and how it is seeded.

TARGET is a zero-argument factory (``module:function``) returning a model, or a model class
with keyword arguments (``torch.nn:LSTM`` with ``input_size=64, hidden_size=128``), or the
Python object itself. A factory that names a parameter ``seed`` is given the build's seed;
one that names ``rngs`` is given ``flax.nnx.Rngs(seed)``. Before each call every framework
already imported is seeded (``torch.manual_seed``, ``keras.utils.set_random_seed``), so a
factory that draws from a framework's global generator draws anew in each build.

The first build tells the framework from what the factory returns: a ``torch.nn.Module``, a
Flax model (a linen module with its example inputs, or an ``nnx.Module``), or a Keras model.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping
from typing import Any

from ..adapters import load_target
from ..adapters._common import accepts, display_name
from ..errors import expected
from .model import ModelFault, ModelSource

__all__ = ["call_factory", "model_source", "seed_frameworks"]


def seed_frameworks(seed: int) -> None:
    """Seed the global generators of every framework already imported."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)


def call_factory(factory: Callable[..., Any], seed: int, target: str) -> Any:
    """``factory()`` after seeding (with ``seed=`` or ``rngs=`` if it names them); whatever it
    raises is a :class:`~initcheck.auditing.model.ModelFault` naming the target."""
    seed_frameworks(seed)
    kwargs: dict[str, Any] = {}
    if accepts(factory, "seed"):
        kwargs["seed"] = seed
    elif accepts(factory, "rngs"):
        from flax import nnx

        kwargs["rngs"] = nnx.Rngs(seed)
    try:
        return factory(**kwargs)
    except Exception as exc:  # noqa: BLE001 - the user's factory: its failure is reported, not raised
        raise ModelFault(f"target={target!r} raised {type(exc).__name__}: {exc}", exc) from exc


def _factory(obj: Any, kwargs: Mapping[str, Any], target: str) -> Callable[..., Any]:
    if not callable(obj):
        raise expected("target", target, "a model factory module:function or a model class")
    if not kwargs:
        return obj
    params = None
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        pass
    if params is not None and not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        unknown = [k for k in kwargs if k not in params]
        if unknown:
            raise expected("--kwarg", unknown[0], f"a parameter of {target}: {', '.join(params) or 'none'}")

    def build(**extra: Any) -> Any:
        return obj(**kwargs, **extra)

    if accepts(obj, "seed"):
        def build_seeded(seed: int) -> Any:
            return obj(**kwargs, seed=seed)
        return build_seeded
    return build


def model_source(target: Any, kwargs: Mapping[str, Any] | None = None, *, seed: int,
                 from_meta: bool = False) -> ModelSource:
    """The source that builds ``target`` (text ``module:attr``, a factory or a class).

    The probe build under ``seed`` (the audit's first) decides the framework; for PyTorch it is
    kept as that build.

    Raises:
        UsageError: the target cannot be imported or called, unknown keyword arguments.
        ModelFault: the factory raised, or returned no model of a supported framework.
    """
    kwargs = dict(kwargs or {})
    if isinstance(target, str):
        obj = load_target(target)
        words = display_name(target, kwargs)
    else:
        obj = target
        name = getattr(obj, "__qualname__", None) or type(obj).__name__
        words = display_name(f"{getattr(obj, '__module__', '?')}:{name}", kwargs)
    factory = _factory(obj, kwargs, words)
    if from_meta:
        from .torch import TorchSource

        return TorchSource(factory, words, from_meta=True)
    model = call_factory(factory, seed, words)
    return _source_for(model, factory, words, seed)


def _source_for(model: Any, factory: Callable[..., Any], words: str, seed: int) -> ModelSource:
    from .torch import TorchSource, is_torch_model

    if is_torch_model(model):
        return TorchSource(factory, words, first=(seed, model))
    first = model[0] if isinstance(model, tuple) and model else model
    roots = {c.__module__.split(".")[0] for c in type(first).__mro__}
    if "flax" in roots:
        from .flax import FlaxSource

        return FlaxSource(factory, words)
    if "keras" in roots:
        from .keras import KerasSource

        return KerasSource(factory, words)
    raise ModelFault(f"target={words!r} returned {type(first).__name__}, expected a torch.nn.Module, "
                     "a Flax model (a linen module with its inputs, or an nnx.Module) or a Keras model")



