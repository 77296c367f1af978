"""Flax models (linen and nnx): every variable with its module and layout.

Linen: the factory returns ``(module, *inputs)``; each build is ``module.init(key(seed),
*inputs)``, and the module of each variable is learnt by intercepting the modules' calls
during ``init`` (their paths and types). nnx: the factory takes ``rngs`` (or ``seed``) and
returns an ``nnx.Module``; its variables and their modules come from its graph.

Layouts: ``Dense``/``Linear`` and ``Conv`` kernels are ``(*k, in, out)``; a ``DenseGeneral`` /
``LinearGeneral`` kernel holds its input axes first (as many as the layer's ``axis`` or
``in_features``), then its outputs, which covers attention's rank-3 query/key/value
``(features, heads, head_dim)`` and output ``(heads, head_dim, features)`` kernels; ``Embed``
tables are ``(num, features)``. Flax's default ``lecun_normal`` on a ``DenseGeneral`` kernel
reads fans from the flattened ``(in, out)`` matrix; the audit reads the same data flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .model import ModelFault, Parameter, ParamLayout, keras_layout

__all__ = ["FlaxSource"]

_GENERAL = ("DenseGeneral", "LinearGeneral")


def _count(value: Any) -> int:
    return len(value) if isinstance(value, (tuple, list)) else 1


def _layout(kind: str, module: Any, local: str, shape: tuple[int, ...]) -> ParamLayout | None:
    if len(shape) < 2:
        return None
    if kind in _GENERAL and local == "kernel":
        ins = _count(getattr(module, "axis", None) if kind == "DenseGeneral" else getattr(module, "in_features", ()))
        return ParamLayout(tuple(range(ins)), tuple(range(ins, len(shape))), f"{kind} (*in, *out)")
    if kind == "Embed":
        return ParamLayout((1,), (0,), "Embed (num, features)")
    return keras_layout(len(shape), f"{kind} (*k, in, out)")


class FlaxSource:
    """A Flax model built by ``factory`` under ``seed`` (see the module docstring)."""

    framework = "flax"

    def __init__(self, factory: Callable[..., Any], target: str) -> None:
        self.factory = factory
        self.target = target

    def build(self, seed: int) -> Iterator[tuple[Parameter, np.ndarray | None]]:
        """Build under ``seed`` and yield every variable with its values."""
        from flax import nnx

        from .target import call_factory

        got = call_factory(self.factory, seed, self.target)
        if isinstance(got, nnx.Module):
            yield from self._nnx(got)
        else:
            yield from self._linen(got, seed)

    def _linen(self, got: Any, seed: int) -> Iterator[tuple[Parameter, np.ndarray | None]]:
        import jax
        from flax import linen, traverse_util

        if not (isinstance(got, tuple) and got and isinstance(got[0], linen.Module)):
            raise ModelFault(f"target={self.target!r} returned {type(got).__name__}, expected (linen module, "
                             "*example inputs) or an nnx.Module")
        module, inputs = got[0], got[1:]
        kinds: dict[tuple[str, ...], Any] = {}

        def record(next_fun: Any, args: Any, kwargs: Any, context: Any) -> Any:
            kinds.setdefault(tuple(context.module.scope.path), context.module)
            return next_fun(*args, **kwargs)

        try:
            with linen.intercept_methods(record):
                variables = module.init(jax.random.key(seed), *inputs)
        except Exception as exc:  # noqa: BLE001 - the user's model: reported, not raised
            raise ModelFault(f"target={self.target!r}: init raised {type(exc).__name__}: {exc}", exc) from exc
        for path, value in traverse_util.flatten_dict(dict(variables)).items():
            path = tuple(str(p) for p in path)
            owner = kinds.get(path[1:-1])
            kind = type(owner).__name__ if owner is not None else "?"
            shape = tuple(int(d) for d in value.shape)
            info = Parameter(".".join(path), ".".join(path[:-1]), kind, shape, str(value.dtype),
                             _layout(kind, owner, path[-1], shape))
            yield info, np.asarray(value)

    def _nnx(self, model: Any) -> Iterator[tuple[Parameter, np.ndarray | None]]:
        from flax import nnx

        modules: dict[tuple[str, ...], Any] = {}
        variables = []
        for path, node in nnx.iter_graph(model):
            path = tuple(str(p) for p in path)
            if isinstance(node, nnx.Module):
                modules[path] = node
            elif isinstance(node, nnx.Variable):
                variables.append((path, node))
        for path, var in variables:
            owner = modules.get(path[:-1])
            kind = type(owner).__name__ if owner is not None else "?"
            value = np.asarray(var.get_value() if hasattr(var, "get_value") else var.value)
            shape = tuple(int(d) for d in value.shape)
            if value.dtype.kind not in "fc":
                continue  # rng counters and keys: not parameters
            info = Parameter(".".join(path), ".".join(path[:-1]), kind, shape, str(value.dtype),
                             _layout(kind, owner, path[-1], shape))
            yield info, value
