"""Elementwise activations φ and their derivatives φ', in closed form.

Backpropagation through a layer ``a = φ(h)`` multiplies the incoming gradient by
``φ'(h)`` elementwise, so the derivatives decide whether gradients vanish
across depth: ``|sigmoid'| <= 1/4`` everywhere and tends to 0 for large ``|h|``,
while ``relu' = 1`` on the whole positive half-line.

=============  ==============================  ===============================================
name           φ(x)                            φ'(x)
=============  ==============================  ===============================================
identity       x                               1
sigmoid        σ(x) = 1 / (1 + e^{-x})         σ(x)(1 - σ(x)) = e^{-|x|} / (1 + e^{-|x|})²
tanh           tanh(x)                         1 - tanh(x)² = 4e^{-2|x|} / (1 + e^{-2|x|})²
relu           max(x, 0)                       1 for x > 0, 0 for x <= 0
leaky_relu     x for x > 0, s·x otherwise      1 for x > 0, s for x <= 0
=============  ==============================  ===============================================

Kinks: ReLU and leaky ReLU are not differentiable at 0. We define the
derivative there as the left derivative (0 for ReLU, ``s`` for leaky ReLU),
which is what PyTorch's autograd returns; a gradient check must keep its
probes away from 0 for these two.

Sigmoid is computed from ``z = e^{-|x|}`` (which never overflows) as
``1/(1+z)`` for ``x >= 0`` and ``z/(1+z)`` for ``x < 0``, and its derivative as
``z/(1+z)²``; this keeps full relative precision for large ``|x|``, where the
textbook form ``σ(1-σ)`` would round ``1-σ`` to 0 (e.g. at x = 40).

>>> import numpy as np
>>> act = get_activation("sigmoid")
>>> act.fn(np.array([-800.0, 0.0, 800.0])).tolist()
[0.0, 0.5, 1.0]
>>> float(act.grad(np.array([0.0]))[0])
0.25
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import expected

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_NEGATIVE_SLOPE",
    "Activation",
    "get_activation",
    "identity",
    "identity_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
]

DEFAULT_NEGATIVE_SLOPE = 0.01  # PyTorch's nn.LeakyReLU default

ArrayFn = Callable[[NDArray[np.floating]], NDArray[np.floating]]


def _as_float(x: ArrayLike) -> NDArray[np.floating]:
    """``x`` as a floating array (float64 unless it already is floating)."""
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def identity(x: ArrayLike) -> NDArray[np.floating]:
    """φ(x) = x."""
    return _as_float(x).copy()


def identity_grad(x: ArrayLike) -> NDArray[np.floating]:
    """φ'(x) = 1."""
    return np.ones_like(_as_float(x))


def sigmoid(x: ArrayLike) -> NDArray[np.floating]:
    """σ(x) = 1 / (1 + e^{-x}), computed without overflow.

    With ``z = e^{-|x|} ∈ (0, 1]``: σ(x) = 1/(1+z) for x >= 0 and z/(1+z) for x < 0.
    """
    x = _as_float(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(x.dtype, copy=False)


def sigmoid_grad(x: ArrayLike) -> NDArray[np.floating]:
    """σ'(x) = σ(x)(1 - σ(x)) = σ(x)σ(-x) = z / (1 + z)² with z = e^{-|x|}.

    The last form is exact in relative terms for large ``|x|`` (σ' is even).
    Near x = 0 rounding can push ``z/(1+z)²`` one ulp above its exact maximum
    ¼ (at x = 1e-9, to 0.25000000000000006), so the result is capped at ¼:
    the bound σ' ≤ ¼ then holds in floating point as it does exactly.
    """
    x = _as_float(x)
    z = np.exp(-np.abs(x))
    return np.minimum(z / (1.0 + z) ** 2, 0.25).astype(x.dtype, copy=False)


def tanh(x: ArrayLike) -> NDArray[np.floating]:
    """φ(x) = tanh(x)."""
    return np.tanh(_as_float(x))


def tanh_grad(x: ArrayLike) -> NDArray[np.floating]:
    """φ'(x) = 1 - tanh(x)² = sech(x)² = 4z / (1 + z)² with z = e^{-2|x|}.

    The last form keeps relative precision for large ``|x|``, where
    ``1 - tanh²`` rounds to 0. Near x = 0 rounding can push it one ulp above
    its exact maximum 1, so it is capped at 1 (as sigmoid's at ¼).
    """
    x = _as_float(x)
    z = np.exp(-2.0 * np.abs(x))
    return np.minimum(4.0 * z / (1.0 + z) ** 2, 1.0).astype(x.dtype, copy=False)


def relu(x: ArrayLike) -> NDArray[np.floating]:
    """φ(x) = max(x, 0)."""
    x = _as_float(x)
    return np.maximum(x, 0.0).astype(x.dtype, copy=False)  # maximum propagates NaN


def relu_grad(x: ArrayLike) -> NDArray[np.floating]:
    """φ'(x) = 1 for x > 0 and 0 for x <= 0 (the value 0 at the kink is a convention)."""
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(
    x: ArrayLike, negative_slope: float = DEFAULT_NEGATIVE_SLOPE
) -> NDArray[np.floating]:
    """φ(x) = x for x > 0 and ``negative_slope``·x for x <= 0."""
    x = _as_float(x)
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype, copy=False)


def leaky_relu_grad(
    x: ArrayLike, negative_slope: float = DEFAULT_NEGATIVE_SLOPE
) -> NDArray[np.floating]:
    """φ'(x) = 1 for x > 0 and ``negative_slope`` for x <= 0 (left derivative at the kink)."""
    x = _as_float(x)
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype, copy=False)


@dataclass(frozen=True)
class Activation:
    """An elementwise activation and its derivative.

    Attributes:
        name: registry name, e.g. ``"relu"``; a leaky ReLU with a non-default
            slope is named ``"leaky_relu(0.2)"``.
        fn: φ, mapping an array to an array of the same shape.
        grad: φ', the elementwise derivative, same shape.

    Calling the activation applies ``fn``. To plant a wrong derivative (for
    testing a gradient checker), build ``Activation(name, fn, wrong_grad)``.
    """

    name: str
    fn: ArrayFn
    grad: ArrayFn

    def __call__(self, x: ArrayLike) -> NDArray[np.floating]:
        """Apply φ to ``x``."""
        return self.fn(_as_float(x))


def _leaky(negative_slope: float) -> Activation:
    name = (
        "leaky_relu"
        if negative_slope == DEFAULT_NEGATIVE_SLOPE
        else f"leaky_relu({negative_slope!r})"
    )
    return Activation(
        name,
        partial(leaky_relu, negative_slope=negative_slope),
        partial(leaky_relu_grad, negative_slope=negative_slope),
    )


#: name -> Activation; ``leaky_relu`` uses :data:`DEFAULT_NEGATIVE_SLOPE`.
ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(
    {
        "identity": Activation("identity", identity, identity_grad),
        "sigmoid": Activation("sigmoid", sigmoid, sigmoid_grad),
        "tanh": Activation("tanh", tanh, tanh_grad),
        "relu": Activation("relu", relu, relu_grad),
        "leaky_relu": _leaky(DEFAULT_NEGATIVE_SLOPE),
    }
)


def get_activation(
    name_or_obj: str | Activation, negative_slope: float | None = None
) -> Activation:
    """Look up an activation by name, or pass an :class:`Activation` through.

    Args:
        name_or_obj: a key of :data:`ACTIVATIONS` (case-insensitive, ``-`` may
            stand for ``_``), or an :class:`Activation`, returned unchanged.
        negative_slope: slope s of ``leaky_relu`` for x <= 0 (default
            :data:`DEFAULT_NEGATIVE_SLOPE` = 0.01); only valid with ``"leaky_relu"``.

    Returns:
        The :class:`Activation`.

    Raises:
        UsageError: unknown name, a non-string non-Activation, a non-finite
            slope, or a slope given for an activation other than leaky_relu.

    >>> get_activation("leaky_relu", negative_slope=0.2).name
    'leaky_relu(0.2)'
    """
    if isinstance(name_or_obj, Activation):
        if negative_slope is not None:
            raise expected(
                "negative_slope", negative_slope, "None when passing an Activation object"
            )
        return name_or_obj
    if not isinstance(name_or_obj, str):
        raise expected(
            "activation", name_or_obj, f"an Activation or one of {', '.join(ACTIVATIONS)}"
        )
    key = name_or_obj.strip().lower().replace("-", "_")
    if key not in ACTIVATIONS:
        raise expected("activation", name_or_obj, f"one of {', '.join(ACTIVATIONS)}")
    if negative_slope is None:
        return ACTIVATIONS[key]
    if key != "leaky_relu":
        raise expected(
            "negative_slope", negative_slope, f"None for activation {key!r} (only leaky_relu)"
        )
    try:
        slope = float(negative_slope)
    except (TypeError, ValueError):
        raise expected("negative_slope", negative_slope, "a finite real number") from None
    if isinstance(negative_slope, bool) or not math.isfinite(slope):
        raise expected("negative_slope", negative_slope, "a finite real number")
    return _leaky(slope)
