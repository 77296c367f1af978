"""Reference weight initializers in numpy: the subjects of the theory, and samplers.

Every random initializer here is a specialization of one core,
:func:`variance_scaling` (Keras/JAX semantics), or a plain law:

=====================  ==============================================================
initializer            law of each entry (fans from :mod:`initcheck.fans`)
=====================  ==============================================================
``zeros``/``ones``     exactly 0 / 1
``constant(v)``        exactly v
``normal(mean, std)``  N(mean, std²)
``uniform(a)``         U(-a, a); ``uniform(low=, high=)`` U(low, high)
``mxnet_default``      U(-0.07, 0.07), MXNet's default weight initialization
``xavier_normal``      ``variance_scaling(gain², "fan_avg", "normal")``: N(0, 2·gain²/(fan_in+fan_out))
``xavier_uniform``     ``variance_scaling(gain², "fan_avg", "uniform")``: U(±gain·sqrt(6/(fan_in+fan_out)))
``he_normal``          ``variance_scaling(gain², mode, "normal")``, gain from :func:`calculate_gain`
``he_uniform``         ``variance_scaling(gain², mode, "uniform")``
``lecun_normal``       ``variance_scaling(1, "fan_in", "normal")`` (untruncated)
``lecun_uniform``      ``variance_scaling(1, "fan_in", "uniform")``
``orthogonal(gain)``   Haar (semi-)orthogonal matrix times gain
``truncated_normal``   N(mean, std²) conditioned on [a, b] (PyTorch: a, b absolute)
=====================  ==============================================================

Each factory returns an :class:`Initializer`, which is a sampler
(``init(shape, seed) -> numpy array``, see DESIGN.md): the same seed gives the
same draw, different seeds independent draws, and no global RNG is touched.

>>> w = xavier_uniform()((256, 128), seed=0)
>>> w.shape, bool(abs(w).max() <= (6 / (256 + 128)) ** 0.5)
((256, 128), True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import validate
from .errors import expected
from .fans import compute_fans, fan_for_mode, matrix_shape, validate_layout, validate_shape
from .gains import calculate_gain

__all__ = [
    "Initializer",
    "Sampler",
    "TRUNCATED_NORMAL_STD_FACTOR",
    "calculate_gain",
    "constant",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "mxnet_default",
    "normal",
    "ones",
    "orthogonal",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

# Standard deviation of a standard normal truncated to [-2, 2]:
# sqrt(1 - 4·φ(2)/(Φ(2) - Φ(-2))) = 0.87962566103423978. Keras and JAX divide the
# parent std by it so that their truncated normal has the variance they promise.
TRUNCATED_NORMAL_STD_FACTOR = 0.87962566103423978

DrawFn = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


@runtime_checkable
class Sampler(Protocol):
    """initcheck's sampler protocol: ``sampler(shape, seed) -> array-like``."""

    def __call__(self, shape: tuple[int, ...], seed: int) -> ArrayLike: ...


_check_seed = validate.seed


@dataclass(frozen=True)
class Initializer:
    """A reference initializer: a named law that draws arrays of any shape.

    Attributes:
        name: the law's name, as in the ``--law`` grammar.
        params: the parameters it was built with (for display).
        draw: ``draw(rng, shape) -> float64 array``.
        dtype: the dtype of the arrays it returns.
    """

    name: str
    params: dict[str, Any]
    draw: DrawFn = field(repr=False)
    dtype: DTypeLike = np.float64

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        """Draw one array of ``shape`` from a generator seeded with ``seed``."""
        dims = validate_shape(shape)
        rng = np.random.default_rng(_check_seed(seed))
        return np.asarray(self.draw(rng, dims), dtype=np.float64).astype(self.dtype)

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.name}({args})" if args else self.name

    def with_dtype(self, dtype: DTypeLike) -> Initializer:
        """The same law, returning arrays of ``dtype`` (drawn in float64, then rounded)."""
        return Initializer(self.name, self.params, self.draw, dtype)


_finite = validate.finite


# --- constants and plain laws -------------------------------------------------------


def constant(value: float) -> Initializer:
    """Every entry exactly ``value``."""
    v = _finite("value", value)
    return Initializer("constant", {"value": v}, lambda rng, shape: np.full(shape, v))


def zeros() -> Initializer:
    """Every entry exactly 0."""
    return Initializer("zeros", {}, lambda rng, shape: np.zeros(shape))


def ones() -> Initializer:
    """Every entry exactly 1."""
    return Initializer("ones", {}, lambda rng, shape: np.ones(shape))


def normal(mean: float = 0.0, std: float = 1.0) -> Initializer:
    """iid N(mean, std²); the chapter's ``init.Normal(sigma=0.01)`` is ``normal(std=0.01)``."""
    m, s = _finite("mean", mean), _finite("std", std, positive=True)
    return Initializer(
        "normal", {"mean": m, "std": s}, lambda rng, shape: rng.normal(m, s, size=shape)
    )


def uniform(a: float | None = None, *, low: float | None = None, high: float | None = None) -> Initializer:
    """iid U(-a, a), or U(low, high) when ``low`` and ``high`` are given.

    Its variance is (high - low)²/12, i.e. a²/3 for U(-a, a).
    """
    if a is not None:
        if low is not None or high is not None:
            raise expected("uniform", (a, low, high), "either a, or low and high")
        half = _finite("a", a, positive=True)
        lo, hi = -half, half
    else:
        if low is None or high is None:
            raise expected("uniform", (low, high), "a, or both low and high")
        lo, hi = _finite("low", low), _finite("high", high)
        if not lo < hi:
            raise expected("low/high", (lo, hi), "low < high")
    params = {"a": hi} if lo == -hi else {"low": lo, "high": hi}
    return Initializer("uniform", params, lambda rng, shape: rng.uniform(lo, hi, size=shape))


def mxnet_default() -> Initializer:
    """U(-0.07, 0.07): MXNet's default weight initialization (biases are zeros)."""
    u = uniform(0.07)
    return Initializer("mxnet_default", {}, u.draw)


def truncated_normal(
    mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> Initializer:
    """N(mean, std²) conditioned on [a, b], PyTorch semantics (``trunc_normal_``).

    ``std`` is the *parent* normal's; ``a`` and ``b`` are absolute bounds, not in
    units of std. The result's variance is smaller than std².
    """
    m, s = _finite("mean", mean), _finite("std", std, positive=True)
    lo, hi = _finite("a", a), _finite("b", b)
    if not lo < hi:
        raise expected("a/b", (lo, hi), "a < b")
    from scipy import stats  # here, not at the top: most initializers need numpy only

    law = stats.truncnorm((lo - m) / s, (hi - m) / s, loc=m, scale=s)
    return Initializer(
        "truncated_normal",
        {"mean": m, "std": s, "a": lo, "b": hi},
        lambda rng, shape: law.rvs(size=shape, random_state=rng),
    )


# --- the one core ------------------------------------------------------------------

DISTRIBUTIONS = ("truncated_normal", "normal", "untruncated_normal", "uniform")


def variance_scaling(
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    *,
    layout: str | None = "torch",
    in_axis: int | None = None,
    out_axis: int | None = None,
) -> Initializer:
    """Variance scaling (Keras/JAX semantics): entries of variance ``scale / n``.

    ``n`` is fan_in, fan_out or (fan_in + fan_out)/2 by ``mode``, computed from
    the shape and layout (:func:`initcheck.fans.compute_fans`). The law is:

    * ``truncated_normal``: a normal with std ``sqrt(scale/n) / 0.8796...`` cut at
      ±2 of its own std, so the variance after truncation is exactly scale/n;
    * ``normal`` (alias ``untruncated_normal``): N(0, scale/n);
    * ``uniform``: U(-L, L) with L = sqrt(3·scale/n).

    Args:
        scale: positive variance multiplier (a gain g gives scale g²).
        mode: ``fan_in``, ``fan_out`` or ``fan_avg``.
        distribution: one of :data:`DISTRIBUTIONS`.
        layout: fan layout (default ``torch``: ``(out, in, *kernel)``).
        in_axis: explicit input axis (with ``out_axis``), overriding ``layout``.
        out_axis: explicit output axis.

    Raises:
        UsageError: a bad scale, mode, distribution or layout.
    """
    s = _finite("scale", scale, positive=True)
    if distribution not in DISTRIBUTIONS:
        raise expected("distribution", distribution, f"one of {', '.join(DISTRIBUTIONS)}")
    fan_for_mode(compute_fans((1, 1), "torch"), mode)  # validates mode
    compute_fans((1, 1), layout, in_axis=in_axis, out_axis=out_axis)  # validates layout

    def variance(shape: tuple[int, ...]) -> float:
        fans = compute_fans(shape, layout, in_axis=in_axis, out_axis=out_axis)
        return s / fan_for_mode(fans, mode)

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        var = variance(shape)
        if distribution == "uniform":
            limit = math.sqrt(3.0 * var)
            return rng.uniform(-limit, limit, size=shape)
        if distribution == "truncated_normal":
            from scipy import stats  # here, not at the top: most initializers need numpy only

            std = math.sqrt(var) / TRUNCATED_NORMAL_STD_FACTOR
            return stats.truncnorm.rvs(-2.0, 2.0, scale=std, size=shape, random_state=rng)
        return rng.normal(0.0, math.sqrt(var), size=shape)

    params = {"scale": s, "mode": mode, "distribution": distribution}
    return Initializer("variance_scaling", params, draw)


def _specialize(name: str, core: Initializer, **params: Any) -> Initializer:
    return Initializer(name, params, core.draw)


# --- named specializations ------------------------------------------------------------


def xavier_normal(gain: float = 1.0, *, layout: str | None = "torch") -> Initializer:
    """Xavier/Glorot normal: ``variance_scaling(gain², "fan_avg", "normal")``.

    Variance σ² = gain² · 2 / (fan_in + fan_out), untruncated.
    """
    g = _finite("gain", gain, positive=True)
    return _specialize("xavier_normal", variance_scaling(g * g, "fan_avg", "normal", layout=layout), gain=g)


def xavier_uniform(gain: float = 1.0, *, layout: str | None = "torch") -> Initializer:
    """Xavier/Glorot uniform: ``variance_scaling(gain², "fan_avg", "uniform")``.

    U(-a, a) with a = gain · sqrt(6 / (fan_in + fan_out)), since U(-a, a) has
    variance a²/3.
    """
    g = _finite("gain", gain, positive=True)
    return _specialize("xavier_uniform", variance_scaling(g * g, "fan_avg", "uniform", layout=layout), gain=g)


def _he(name: str, distribution: str, mode: str, nonlinearity: str, a: float, layout: str | None) -> Initializer:
    gain = calculate_gain(nonlinearity, a)
    core = variance_scaling(gain * gain, mode, distribution, layout=layout)
    return _specialize(name, core, mode=mode, nonlinearity=nonlinearity, a=a)


def he_normal(
    a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *, layout: str | None = "torch"
) -> Initializer:
    """He/Kaiming normal, PyTorch semantics: N(0, gain²/fan), untruncated.

    ``gain = calculate_gain(nonlinearity, a)``; ``a`` is the negative slope, used
    only by ``leaky_relu`` (with the default a = 0 that is sqrt(2), as for relu).
    ``variance_scaling(gain², mode, "normal")``.
    """
    return _he("he_normal", "normal", mode, nonlinearity, a, layout)


def he_uniform(
    a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *, layout: str | None = "torch"
) -> Initializer:
    """He/Kaiming uniform, PyTorch semantics: U(±gain·sqrt(3/fan)).

    ``variance_scaling(gain², mode, "uniform")``; see :func:`he_normal` for the gain.
    """
    return _he("he_uniform", "uniform", mode, nonlinearity, a, layout)


def lecun_normal(*, layout: str | None = "torch") -> Initializer:
    """LeCun normal: ``variance_scaling(1, "fan_in", "normal")``, N(0, 1/fan_in), untruncated."""
    return _specialize("lecun_normal", variance_scaling(1.0, "fan_in", "normal", layout=layout))


def lecun_uniform(*, layout: str | None = "torch") -> Initializer:
    """LeCun uniform: ``variance_scaling(1, "fan_in", "uniform")``, U(±sqrt(3/fan_in))."""
    return _specialize("lecun_uniform", variance_scaling(1.0, "fan_in", "uniform", layout=layout))


def orthogonal(gain: float = 1.0, *, layout: str | None = "torch") -> Initializer:
    """A Haar-distributed (semi-)orthogonal matrix times ``gain``.

    With the ``torch`` layout the matrix is ``(shape[0], prod(shape[1:]))``; with
    ``keras`` it is ``(prod(shape[:-1]), shape[-1])``. Drawn as the Q of a QR
    decomposition of a Gaussian matrix, with Q's columns multiplied by the signs
    of R's diagonal; without that correction Q is *not* Haar distributed.
    """
    g = _finite("gain", gain, positive=True)
    named = validate_layout(layout)

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        if len(shape) < 2:
            raise expected("shape", shape, "at least 2 dimensions for an orthogonal matrix")
        rows, cols = matrix_shape(shape, named)
        a = rng.normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return g * q.reshape(shape)

    return Initializer("orthogonal", {"gain": g}, draw)


# Aliases are plain assignments.
glorot_normal = xavier_normal
glorot_uniform = xavier_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform
