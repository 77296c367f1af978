"""Keras 3 models: every weight with its layer and layout.

Layouts: ``Dense`` and ``ConvND`` kernels are ``(*k, in, out)``; an ``EinsumDense`` kernel's
axes are read from its equation (``abc,cde->abde``: the kernel's letters found in the input
are its inputs, those in the output its outputs), which covers ``MultiHeadAttention``'s
rank-3 query/key/value ``(features, heads, head_dim)`` and output ``(heads, head_dim,
features)`` kernels; ``Embedding`` tables are ``(num, dim)``. Keras's own initializers
compute fans from the last two axes whatever the layer (for a rank-3 query kernel
``fan_in = features · heads``, not ``features``); the audit reads the data flow, so a
``glorot_uniform`` attention kernel shows its real scale against its real fans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .model import ModelFault, Parameter, ParamLayout, keras_layout

__all__ = ["KerasSource", "einsum_layout"]


def einsum_layout(equation: str, words: str) -> ParamLayout | None:
    """The kernel's input and output axes from an einsum ``equation`` (``x,kernel->out``)."""
    try:
        inputs, out = equation.replace(" ", "").split("->")
        x, kernel = inputs.split(",")
    except ValueError:
        return None
    ins = tuple(i for i, c in enumerate(kernel) if c in x and c not in out)
    outs = tuple(i for i, c in enumerate(kernel) if c in out)
    return ParamLayout(ins, outs, words) if ins and outs else None


def _layout(layer: Any, local: str, shape: tuple[int, ...]) -> ParamLayout | None:
    if len(shape) < 2:
        return None
    kind = type(layer).__name__
    if kind == "EinsumDense" and local == "kernel":
        return einsum_layout(getattr(layer, "equation", ""), f"EinsumDense {layer.equation}")
    if kind == "Embedding":
        return ParamLayout((1,), (0,), "Embedding (num, dim)")
    return keras_layout(len(shape), f"{kind} (*k, in, out)")


class KerasSource:
    """A Keras 3 model built by ``factory`` after ``keras.backend.clear_session()`` (so that
    automatic layer names are the same in every build) and ``keras.utils.set_random_seed(seed)``."""

    framework = "keras"

    def __init__(self, factory: Callable[..., Any], target: str) -> None:
        self.factory = factory
        self.target = target

    def build(self, seed: int) -> Iterator[tuple[Parameter, np.ndarray | None]]:
        """Build under ``seed`` and yield every weight (trainable or not) with its values."""
        import keras

        from .target import call_factory

        keras.backend.clear_session()  # layer names count from 0 again: the same names in every build
        got = call_factory(self.factory, seed, self.target)
        model, shape = (got[0], got[1]) if isinstance(got, tuple) and len(got) == 2 else (got, None)
        if not isinstance(model, keras.Layer):
            raise ModelFault(f"target={self.target!r} returned {type(model).__name__}, expected a Keras model")
        if shape is not None and not model.built:
            model.build(shape)
        owner: dict[int, Any] = {}
        for layer in model._flatten_layers(include_self=True):
            for v in layer._trainable_variables + layer._non_trainable_variables:
                owner.setdefault(id(v), layer)
        seen: dict[int, str] = {}
        for v in model.weights:
            name = str(getattr(v, "path", v.name)).replace("/", ".")
            layer = owner.get(id(v), model)
            module, _, local = name.rpartition(".")
            shape_ = tuple(int(d) for d in v.shape)
            tied = seen.get(id(v))
            info = Parameter(name, module, type(layer).__name__, shape_, str(v.dtype), _layout(layer, local, shape_),
                             tied)
            if tied is not None:
                yield info, np.zeros(0)
                continue
            seen[id(v)] = name
            yield info, np.asarray(keras.ops.convert_to_numpy(v.value))
        del model
