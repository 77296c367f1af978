"""Fans (fan_in, fan_out) of a weight shape, and the layouts that define them.

A *layout* says which axis of a weight array holds the layer's inputs and which
its outputs; every other axis is part of the *receptive field* (a convolution's
kernel). Then::

    fan_in  = shape[in_axis]  * receptive_field
    fan_out = shape[out_axis] * receptive_field
    receptive_field = prod(shape) / (shape[in_axis] * shape[out_axis])

Named layouts:

* ``torch`` (also ``mxnet``): ``(fan_out, fan_in, *kernel)``: in_axis=1, out_axis=0.
* ``keras`` (also ``jax``, ``flax``, ``tf``): ``(*kernel, fan_in, fan_out)``:
  in_axis=-2, out_axis=-1.
* explicit ``in_axis=`` / ``out_axis=`` for anything else.

Shapes of rank 0 and 1 follow Keras: a scalar has fans (1, 1) and a vector of
length n has fans (n, n) whatever the layout.

Transposed and grouped convolutions
-----------------------------------
PyTorch stores a grouped convolution's weight as ``(out, in // groups, *k)``;
the ``torch`` layout then gives ``fan_in = (in // groups) * prod(k)``, which *is*
the number of inputs each output sees, so grouped convolutions need nothing
special. A transposed convolution's weight is stored ``(in, out // groups, *k)``;
PyTorch's own initializers still read axis 1 as "fan_in" (so for a transposed
convolution PyTorch's ``fan_in`` is really the output channels per group). To
reproduce PyTorch, use ``layout="torch"``; to get the fans of the transposed
layer's real data flow, pass ``in_axis=0, out_axis=1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

from . import validate
from .errors import expected

__all__ = [
    "LAYOUTS",
    "Fans",
    "Layout",
    "compute_fans",
    "fan_for_mode",
    "from_torch",
    "matrix_shape",
    "unit_rows",
    "validate_layout",
    "validate_shape",
]

Layout = Literal["torch", "mxnet", "keras", "jax", "flax", "tf"]

#: layout name -> (in_axis, out_axis)
LAYOUTS: dict[str, tuple[int, int]] = {
    "torch": (1, 0),
    "mxnet": (1, 0),
    "keras": (-2, -1),
    "jax": (-2, -1),
    "flax": (-2, -1),
    "tf": (-2, -1),
}

MODES = ("fan_in", "fan_out", "fan_avg")
UNITS_FIRST = (1, 0)  # the axes of the torch layout: output units on axis 0


def validate_layout(layout: object) -> str:
    """``layout`` if it is a named layout, else a UsageError naming the choices."""
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise expected("layout", layout, f"one of {', '.join(LAYOUTS)}")
    return layout


def from_torch(shape: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """A torch-layout shape ``(out, in, *kernel)`` written in ``layout``.

    >>> from_torch((16, 8, 3, 3), "keras")
    (3, 3, 8, 16)
    """
    if LAYOUTS[validate_layout(layout)] == UNITS_FIRST:
        return tuple(shape)
    return (*shape[2:], shape[1], shape[0])


def matrix_shape(shape: tuple[int, ...], layout: str) -> tuple[int, int]:
    """The 2-D matrix a weight of ``shape`` is seen as (orthogonal laws): ``(shape[0], rest)``
    in the torch layout, ``(rest, shape[-1])`` in the keras one.

    >>> matrix_shape((16, 8, 3, 3), "torch"), matrix_shape((3, 3, 8, 16), "keras")
    ((16, 72), (72, 16))
    """
    numel = math.prod(shape)
    rows = shape[0] if LAYOUTS[validate_layout(layout)] == UNITS_FIRST else numel // shape[-1]
    return rows, numel // rows


def unit_rows(a: np.ndarray, layout: str) -> np.ndarray:
    """The weight ``a`` as ``(output units, inputs per unit)``: one row per output unit."""
    if LAYOUTS[validate_layout(layout)] == UNITS_FIRST:
        return a.reshape(a.shape[0], -1)
    return a.reshape(-1, a.shape[-1]).T


@dataclass(frozen=True)
class Fans:
    """The fans of one weight shape.

    Attributes:
        fan_in: inputs each output unit sums over.
        fan_out: outputs each input unit feeds.
        receptive_field: product of the kernel dimensions (1 for a dense layer).
    """

    fan_in: int
    fan_out: int
    receptive_field: int

    @property
    def fan_avg(self) -> float:
        """(fan_in + fan_out) / 2, the Xavier/Glorot compromise."""
        return (self.fan_in + self.fan_out) / 2


def validate_shape(shape: object) -> tuple[int, ...]:
    """Return ``shape`` as a tuple of positive ints, or raise a UsageError (:func:`initcheck.validate.shape`).

    >>> validate_shape([64, 32])
    (64, 32)
    """
    return validate.shape(shape)


def _axes(layout: str | None, in_axis: int | None, out_axis: int | None) -> tuple[int, int]:
    if in_axis is not None or out_axis is not None:
        if in_axis is None or out_axis is None:
            raise expected("in_axis/out_axis", (in_axis, out_axis), "both axes, or neither")
        return in_axis, out_axis
    if layout not in LAYOUTS:
        raise expected("layout", layout, f"one of {', '.join(LAYOUTS)}, or in_axis=/out_axis=")
    return LAYOUTS[layout]


def compute_fans(
    shape: Sequence[int],
    layout: str | None = "torch",
    *,
    in_axis: int | None = None,
    out_axis: int | None = None,
) -> Fans:
    """Compute fan_in, fan_out and the receptive field of a weight shape.

    Args:
        shape: the weight's shape.
        layout: a name from :data:`LAYOUTS`; ignored when axes are given.
        in_axis: axis holding the layer's inputs (overrides ``layout``).
        out_axis: axis holding the layer's outputs (overrides ``layout``).

    Returns:
        The :class:`Fans`.

    Raises:
        UsageError: unknown layout, bad shape, or axes out of range or equal.

    >>> compute_fans((64, 32, 3, 3), "torch")
    Fans(fan_in=288, fan_out=576, receptive_field=9)
    >>> compute_fans((3, 3, 32, 64), "keras")
    Fans(fan_in=288, fan_out=576, receptive_field=9)
    """
    dims = validate_shape(shape)
    i, o = _axes(layout, in_axis, out_axis)
    if len(dims) == 0:
        return Fans(1, 1, 1)
    if len(dims) == 1:
        return Fans(dims[0], dims[0], 1)
    rank = len(dims)
    for name, ax in (("in_axis", i), ("out_axis", o)):
        if not -rank <= ax < rank:
            raise expected(name, ax, f"an axis of a rank-{rank} shape {dims}")
    if i % rank == o % rank:
        raise expected("in_axis/out_axis", (i, o), "two different axes")
    receptive = math.prod(dims) // (dims[i] * dims[o])
    return Fans(dims[i] * receptive, dims[o] * receptive, receptive)


def fan_for_mode(fans: Fans, mode: str) -> float:
    """The fan a variance-scaling initializer divides by: fan_in, fan_out or fan_avg.

    Raises:
        UsageError: ``mode`` is not one of fan_in, fan_out, fan_avg.
    """
    if mode not in MODES:
        raise expected("mode", mode, "one of fan_in, fan_out, fan_avg")
    return float(getattr(fans, mode))
