"""Losses over a batch, each returning the loss and its gradient w.r.t. the output.

Both losses are *means over the batch*, so their gradients carry a factor 1/B:

* squared error, outputs ``o`` and targets ``y`` of shape (B, n)::

      L = (1/B) Σ_b ½‖o_b − y_b‖²,          ∂L/∂o = (o − y) / B

* softmax cross-entropy, logits ``o`` of shape (B, C), integer labels ``y``
  of shape (B,) with values in [0, C)::

      L = (1/B) Σ_b [logsumexp(o_b) − o_{b, y_b}],   ∂L/∂o = (softmax(o) − onehot(y)) / B

  ``logsumexp(v) = m + log Σ_j e^{v_j − m}`` with ``m = max_j v_j``, so no
  exponential overflows and the largest term is exactly e^0 = 1.

>>> import numpy as np
>>> loss, grad = softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))
>>> float(loss), grad.tolist()
(1000.0, [[1.0, -1.0]])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import expected

__all__ = [
    "LOSSES",
    "LossAndGrad",
    "get_loss",
    "log_softmax",
    "softmax_cross_entropy",
    "squared_error",
]


class LossAndGrad(NamedTuple):
    """A loss value and its gradient w.r.t. the network output.

    Attributes:
        loss: the scalar loss (a Python float).
        grad: ∂loss/∂output, same shape as the output.
    """

    loss: float
    grad: NDArray[np.floating]


def _output_array(output: ArrayLike) -> NDArray[np.floating]:
    arr = np.asarray(output)
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise expected("output.dtype", arr.dtype, "a real (float or integer) dtype")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise expected("output.shape", arr.shape, "(batch, n) with batch >= 1 and n >= 1")
    return arr


def squared_error(output: ArrayLike, target: ArrayLike) -> LossAndGrad:
    """Mean over the batch of half the squared Euclidean error.

    ``L = (1/B) Σ_b ½‖o_b − y_b‖²`` and ``∂L/∂o = (o − y) / B``.

    Args:
        output: network outputs ``o``, shape (B, n).
        target: targets ``y``, same shape.

    Returns:
        :class:`LossAndGrad` ``(loss, grad)``; ``grad`` has ``output``'s dtype.

    Raises:
        UsageError: output not 2-D real, or target of another shape.

    >>> squared_error([[1.0, 2.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]])
    LossAndGrad(loss=2.25, grad=array([[ 0.5,  1. ],
           [ 0. , -1. ]]))
    """
    o = _output_array(output)
    y = np.asarray(target)
    if y.shape != o.shape:
        raise expected("target.shape", y.shape, f"the output's shape {o.shape}")
    diff = (o - y).astype(o.dtype, copy=False)
    batch = o.shape[0]
    loss = 0.5 * float(np.sum(diff.astype(np.float64) ** 2)) / batch
    return LossAndGrad(loss, diff / batch)


def log_softmax(logits: NDArray[np.floating]) -> NDArray[np.floating]:
    """Row-wise ``log softmax(v)_j = v_j − logsumexp(v)``, computed stably (see module doc)."""
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def softmax_cross_entropy(output: ArrayLike, labels: ArrayLike) -> LossAndGrad:
    """Mean over the batch of the cross-entropy of softmax(logits) against class indices.

    ``L = (1/B) Σ_b [logsumexp(o_b) − o_{b,y_b}]`` and
    ``∂L/∂o = (softmax(o) − onehot(y)) / B``; log-sum-exp is shifted by the row
    maximum, so logits of any magnitude give finite results.

    Args:
        output: logits ``o``, shape (B, C).
        labels: integer class indices ``y``, shape (B,), each in [0, C).

    Returns:
        :class:`LossAndGrad` ``(loss, grad)``; ``grad`` has ``output``'s dtype.

    Raises:
        UsageError: output not 2-D real; labels not integer, of the wrong
            shape, or out of range.
    """
    o = _output_array(output)
    y = np.asarray(labels)
    batch, classes = o.shape
    if y.dtype == np.bool_ or not np.issubdtype(y.dtype, np.integer):
        raise expected("labels.dtype", y.dtype, "an integer dtype (class indices)")
    if y.shape != (batch,):
        raise expected("labels.shape", y.shape, f"({batch},), one class index per output row")
    if np.any(y < 0) or np.any(y >= classes):
        bad = y[(y < 0) | (y >= classes)]
        raise expected("labels", bad.tolist()[:5], f"class indices in [0, {classes})")
    logp = log_softmax(o)
    rows = np.arange(batch)
    loss = -float(np.sum(logp[rows, y], dtype=np.float64)) / batch
    grad = np.exp(logp)
    grad[rows, y] -= 1.0
    return LossAndGrad(loss, (grad / batch).astype(o.dtype, copy=False))


LossFn = Callable[[Any, Any], LossAndGrad]

#: name -> loss function ``(output, target) -> LossAndGrad``.
LOSSES: Mapping[str, LossFn] = MappingProxyType(
    {"squared_error": squared_error, "softmax_cross_entropy": softmax_cross_entropy}
)


def get_loss(name_or_fn: str | LossFn) -> LossFn:
    """Look up a loss by name, or pass a callable through.

    Args:
        name_or_fn: a key of :data:`LOSSES` or a callable
            ``(output, target) -> (loss, grad)``.

    Returns:
        The loss function.

    Raises:
        UsageError: unknown name.
    """
    if callable(name_or_fn):
        return name_or_fn
    if isinstance(name_or_fn, str) and name_or_fn in LOSSES:
        return LOSSES[name_or_fn]
    raise expected("loss", name_or_fn, f"a callable or one of {', '.join(LOSSES)}")
