"""The recommended gain of each nonlinearity: PyTorch's table, in one place.

Both the reference initializers (:func:`initcheck.init.he_normal` ...) and the
law grammar (``he_normal(nonlinearity=...)``) read their gains from here.

======================================  =====================================
nonlinearity                            gain
======================================  =====================================
linear, identity, conv1d/2d/3d,         1
conv_transpose1d/2d/3d, sigmoid
tanh                                    5/3
relu                                    sqrt(2)
leaky_relu                              sqrt(2 / (1 + slope²))
selu                                    3/4
======================================  =====================================

``identity`` is initcheck's synonym of ``linear``. PyTorch's ``calculate_gain``
defaults the leaky slope to 0.01; its ``kaiming_*_`` pass their own ``a``
(default 0), which makes ``leaky_relu``'s gain sqrt(2) there.
"""

from __future__ import annotations

import math

from .errors import expected

__all__ = ["LEAKY_RELU_DEFAULT_SLOPE", "NONLINEARITIES", "calculate_gain"]

LEAKY_RELU_DEFAULT_SLOPE = 0.01  # PyTorch's calculate_gain default for leaky_relu's param

_UNIT = (
    "linear", "identity", "sigmoid",
    "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
)
_FIXED = {"tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}

#: every nonlinearity with a gain, in the table's order
NONLINEARITIES: tuple[str, ...] = (*_UNIT, "tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (the table above).

    Args:
        nonlinearity: one of :data:`~initcheck.gains.NONLINEARITIES`.
        param: ``leaky_relu``'s negative slope (default 0.01); ignored by the others.

    Raises:
        UsageError: an unknown nonlinearity, or a slope that is not a finite number.

    >>> f"{calculate_gain('leaky_relu', 0.2):.6f}"
    '1.386750'
    >>> calculate_gain("conv_transpose2d")
    1.0
    """
    if nonlinearity in _UNIT:
        return 1.0
    if nonlinearity in _FIXED:
        return _FIXED[nonlinearity]
    if nonlinearity == "leaky_relu":
        slope = LEAKY_RELU_DEFAULT_SLOPE if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)) or not math.isfinite(slope):
            raise expected("negative_slope", param, "a finite number")
        return math.sqrt(2.0 / (1.0 + float(slope) ** 2))
    raise expected("nonlinearity", nonlinearity, f"one of {', '.join(NONLINEARITIES)}")
