"""Checks of user-supplied values, written once: seeds, counts, probabilities, numbers, shapes, ranks.

Each returns the value in its canonical type or raises a :class:`~initcheck.errors.UsageError`
whose one-line message names the value and what was expected:

>>> seed(7)
7
>>> probability("alpha", 1e-6)
1e-06
>>> shape([64, 32])
(64, 32)
>>> probability("alpha", 2.0)
Traceback (most recent call last):
    ...
initcheck.errors.UsageError: alpha=2.0: expected a number in (0, 1)

Numbers from numpy (``np.int64``, ``np.float32``) are accepted wherever Python's are;
booleans never are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from .errors import expected

__all__ = ["count", "finite", "probability", "ranks", "seed", "shape"]


def _is_integer(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def seed(value: Any, name: str = "seed") -> int:
    """A seed: a non-negative integer."""
    if not _is_integer(value) or value < 0:
        raise expected(name, value, "a non-negative integer")
    return int(value)


def count(name: str, value: Any, minimum: int = 1, why: str = "") -> int:
    """An integer ≥ ``minimum`` (``why`` says what needs it, e.g. "intervals need two trials")."""
    if not _is_integer(value) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise expected(name, value, f"{what} ({why})" if why else what)
    return int(value)


def probability(name: str, value: Any, high: float = 1.0) -> float:
    """A number in the open interval (0, ``high``): a false-alarm rate, a level, a tolerance."""
    if not _is_real(value) or not 0.0 < float(value) < high:
        raise expected(name, value, f"a number in (0, {high:g})")
    return float(value)


def finite(name: str, value: Any, *, positive: bool = False) -> float:
    """A finite real number (and > 0 if ``positive``)."""
    if not _is_real(value):
        raise expected(name, value, "a real number")
    v = float(value)
    if not math.isfinite(v) or (positive and v <= 0):
        raise expected(name, value, "a positive finite number" if positive else "a finite number")
    return v


def shape(value: Any, name: str = "shape") -> tuple[int, ...]:
    """A shape: a sequence of positive integers (``()`` for a scalar), as a tuple of ints."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise expected(name, value, "a sequence of positive integers such as (64, 32)")
    if not all(_is_integer(d) or (hasattr(d, "__index__") and not isinstance(d, bool)) for d in value):
        raise expected(name, tuple(value), "a sequence of positive integers")
    dims = tuple(int(d.__index__()) for d in value)
    if any(d <= 0 for d in dims):
        raise expected(name, dims, "positive integer dimensions")
    return dims


def ranks(value: Any, name: str = "ranks") -> tuple[int, ...] | None:
    """The ranks a sampler can build: None (any), or non-negative integers, as a sorted tuple.

    >>> ranks({4, 2}), ranks(None)
    ((2, 4), None)
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise expected(name, value, "None or ranks (non-negative integers) such as (2,) or {2, 4}")
    items = tuple(value)
    if not items or not all(_is_integer(r) and r >= 0 for r in items):
        raise expected(name, value, "None or one or more ranks (non-negative integers) such as (2,) or {2, 4}")
    return tuple(sorted({int(r) for r in items}))
