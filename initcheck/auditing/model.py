"""A model's parameters as the audit sees them: names, layer, layout, ties, padding rows.

A *model source* (:class:`ModelSource`) builds a framework's model under a seed and yields
its parameters one at a time, each as a :class:`Parameter` (what it is: the same in every
build) and a numpy array (its values in this build: a view of the framework's memory where
the framework allows, never a copy of the whole model). The audit asks for one build at a
time, so at most one model is alive.

A parameter's :class:`ParamLayout` says which axes of the stored array hold the layer's
inputs and which its outputs (several axes each for rank-3 attention kernels); every other
axis is the receptive field. :meth:`ParamLayout.canonical` moves the array to the ``torch``
layout ``(outputs, inputs, *receptive)`` of :mod:`initcheck.fans`, on which every law of
the grammar is then read (so ``fan_in`` is the number of inputs each output sums over, the
layer's real data flow, whatever the framework's own initializers compute).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = ["ModelFault", "ModelSource", "ParamLayout", "Parameter", "keras_layout", "torch_layout"]


@dataclass(frozen=True)
class ParamLayout:
    """The axes of a stored weight that hold the layer's inputs and outputs.

    Attributes:
        in_axes: the input axes (non-negative, in order).
        out_axes: the output axes.
        words: the layout in words, e.g. ``"HF Conv1D (in, out)"``.
    """

    in_axes: tuple[int, ...]
    out_axes: tuple[int, ...]
    words: str

    def order(self, rank: int) -> tuple[int, ...]:
        """The axes in canonical order: outputs, inputs, then the receptive field's."""
        rest = tuple(a for a in range(rank) if a not in self.in_axes and a not in self.out_axes)
        return self.out_axes + self.in_axes + rest

    def canonical_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """``shape`` in the torch layout ``(outputs, inputs, *receptive)``."""
        rest = tuple(shape[a] for a in self.order(len(shape))[len(self.out_axes) + len(self.in_axes):])
        return (math.prod(shape[a] for a in self.out_axes), math.prod(shape[a] for a in self.in_axes), *rest)

    def canonical(self, a: np.ndarray) -> np.ndarray:
        """``a`` in the torch layout (a view when the axes are already in order, else a copy)."""
        order = self.order(a.ndim)
        moved = a if order == tuple(range(a.ndim)) else np.transpose(a, order)
        return moved.reshape(self.canonical_shape(a.shape))


def torch_layout(words: str) -> ParamLayout:
    """``(out, in, *k)``: PyTorch's Linear and ConvNd, MXNet."""
    return ParamLayout((1,), (0,), words)


def keras_layout(rank: int, words: str) -> ParamLayout:
    """``(*k, in, out)``: Keras, Flax and JAX kernels, Hugging Face's Conv1D."""
    return ParamLayout((rank - 2,), (rank - 1,), words)


@dataclass(frozen=True)
class Parameter:
    """One parameter of a model: what it is, the same in every build.

    Attributes:
        name: its full name (``h.0.attn.c_attn.weight``; Flax and Keras paths joined by ``.``).
        module: the name of the module (layer) holding it (``h.0.attn.c_attn``).
        layer: the layer's type (``Conv1D``, ``Linear``, ``Dense``).
        shape: the stored array's shape.
        dtype: the stored dtype's name.
        layout: how the stored axes map to inputs and outputs (None for rank 0 and 1, and for
            tables whose values no fan explains are still given one: an embedding's rows).
        tied_to: the name of the parameter this one shares its memory with (reported as
            tied, audited once under that name), or None.
        padding_rows: rows (axis 0) that the layer keeps at exactly 0 (an embedding's
            padding index).
    """

    name: str
    module: str
    layer: str
    shape: tuple[int, ...]
    dtype: str
    layout: ParamLayout | None = None
    tied_to: str | None = None
    padding_rows: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        """Its number of values."""
        return math.prod(self.shape)


class ModelSource(Protocol):
    """Builds a model under a seed and yields its parameters, one build at a time."""

    framework: str  #: ``torch``, ``flax`` or ``keras``
    target: str  #: the target in words (``module:factory`` and its keyword arguments)

    def build(self, seed: int) -> Iterator[tuple[Parameter, np.ndarray | None]]:
        """Build the model under ``seed`` and yield every parameter with its values, in the same
        order in every build; tied parameters are yielded once more each, with ``tied_to`` set
        (their values need not be given again: an empty array is enough). None in place of the
        values: the source cannot draw this parameter (the audit reports it).

        Raises:
            ModelFault: the factory raised, or returned something that is not a model.
        """
        ...


class ModelFault(Exception):
    """The target could not be built: the message is one line, for the user."""

    def __init__(self, message: str, cause: Any = None) -> None:
        super().__init__(message)
        self.cause = cause
