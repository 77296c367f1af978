"""MXNet 1.9: ``mx.init`` initializer classes and instances.

A class is instantiated once with the keyword arguments (MXNet initializers
take no seed); an instance is used as is::

    sampler(shape, seed):
        mx.random.seed(seed)                       # MXNet's GLOBAL generator
        arr = mx.nd.zeros(shape, dtype=dtype)
        init(mx.init.InitDesc(param), arr)         # param "weight" (default) or "bias"
        return arr.asnumpy()

MXNet's initializers draw only from its global generator, which has no way
to save and restore its state, so every draw reseeds it and leaves it seeded:
code that relies on MXNet's global random stream should not interleave with
initcheck draws. numpy's global generator is not touched (``Orthogonal``
uses numpy only for the SVD).

Defaults worth knowing (MXNet 1.9.1 source): ``Xavier()`` is
``rnd_type="uniform", factor_type="avg", magnitude=3``: U(±sqrt(3/fan_avg)),
i.e. Glorot uniform; with ``rnd_type="gaussian"`` the std is
sqrt(magnitude/fan), so the default magnitude gives 3x Glorot's variance.
``MSRAPrelu(factor_type="avg", slope=0.25)`` is Xavier gaussian with
magnitude 2/(1 + slope²) = 32/17, over fan_avg (not fan_in).
``Orthogonal(scale=1.414, rand_type="uniform")`` takes the SVD of a
U(-1, 1) matrix. ``Uniform()`` is U(-0.07, 0.07), also Gluon's default
weight initialization (``Block.initialize()``); ``Normal()`` is N(0, 0.01²).
Fans: the weight is ``(out, in, *k)``, fan_in = shape[1]·prod(k),
fan_out = shape[0]·prod(k): layout ``torch``.

``dtype``: ``"float32"`` (default), ``"float64"`` or ``"float16"``.
"""

from __future__ import annotations

import inspect
from typing import Any

from initcheck.adapters._common import (
    Adapted,
    ConformanceRow,
    Excluded,
    construct,
    display_name,
    qualified_name,
    seed32,
    shape_tuple,
)
from initcheck.errors import UsageError, expected

__all__ = ["CONFORMANCE", "EXCLUDED", "adapt"]

LAYOUT = "torch"
_DTYPES = ("float32", "float64", "float16")


def adapt(obj: Any, *, dtype: Any = None, param: str = "weight", **kwargs: Any) -> Adapted:
    """Adapt an ``mx.init`` initializer class or instance (see the module docstring).

    Args:
        obj: e.g. ``mx.init.Xavier`` or ``mx.init.Xavier(magnitude=2)``.
        dtype: ``"float32"`` (default), ``"float64"`` or ``"float16"``.
        param: the parameter name the initializer is told it fills, which
            selects its rule: ``"weight"`` or ``"bias"`` (biases are zeros).
        **kwargs: constructor keyword arguments (classes only).

    Raises:
        UsageError: not an MXNet initializer, keyword arguments for an
            instance, a failing constructor, a bad dtype or param.
    """
    import mxnet as mx

    name_dtype = "float32" if dtype is None else str(getattr(dtype, "__name__", dtype))
    if name_dtype not in _DTYPES:
        raise expected("dtype", dtype, f"one of {', '.join(_DTYPES)}")
    if param not in ("weight", "bias"):
        raise expected("param", param, "weight or bias")
    cls = obj if inspect.isclass(obj) else type(obj)
    if not issubclass(cls, mx.init.Initializer):
        raise UsageError(
            f"{qualified_name(obj)}: expected an mx.init initializer class or instance (mx.init.Xavier)"
        )
    public = (
        f"mx.init.{cls.__name__}"
        if getattr(mx.init, cls.__name__, None) is cls
        else qualified_name(cls)
    )
    if inspect.isclass(obj):
        init = construct(public, obj, **kwargs)
        name = display_name(public, kwargs)
    else:
        if kwargs:
            raise expected(
                "kwargs",
                kwargs,
                f"none for an instance of {public}: pass the class with its arguments",
            )
        init = obj
        name = (
            f"{public}({', '.join(f'{k}={v!r}' for k, v in getattr(obj, '_kwargs', {}).items())})"
        )
    if param != "weight":
        name += f" [{param}]"

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        dims = shape_tuple(shape)
        mx.random.seed(seed32(seed))
        arr = mx.nd.zeros(dims, dtype=name_dtype)
        init(mx.init.InitDesc(param), arr)
        return arr.asnumpy()

    return Adapted(sampler, LAYOUT, "mxnet", name, name_dtype)


# --- conformance table --------------------------------------------------------------------

_FANS = (
    "MXNet fans: weight (out, in, *k) as in PyTorch, fan_in = shape[1]*prod(k), fan_out = shape[0]*prod(k); "
    "'gaussian' and Normal mean the untruncated normal N(0, sigma^2)"
)


def _row(
    name: str, kwargs: dict[str, Any], law: str, note: str = "", cls: str | None = None
) -> ConformanceRow:
    target = f"mxnet.init:{cls or name.split('(')[0]}"
    return ConformanceRow(name, target, kwargs, law, f"{_FANS}. {note}" if note else f"{_FANS}.")


CONFORMANCE: tuple[ConformanceRow, ...] = (
    _row(
        "Uniform",
        {},
        "mxnet_default",
        "default scale=0.07: U(-0.07, 0.07), also Gluon's default weight init",
    ),
    _row("Uniform(scale=0.1)", {"scale": 0.1}, "uniform(a=0.1)"),
    _row("Normal", {}, "normal(mean=0, std=0.01)", "default sigma=0.01"),
    _row(
        "Xavier",
        {},
        "xavier_uniform(gain=1)",
        "defaults rnd_type='uniform', factor_type='avg', magnitude=3: U(+-sqrt(3/((fan_in+fan_out)/2)))",
    ),
    _row(
        "Xavier(rnd_type=gaussian)",
        {"rnd_type": "gaussian"},
        "variance_scaling(scale=3, mode=fan_avg, distribution=normal)",
        "std sqrt(magnitude/fan_avg) with magnitude 3: three times Glorot normal's variance, not xavier_normal",
    ),
    _row(
        "Xavier(rnd_type=gaussian, factor_type=in, magnitude=2)",
        {"rnd_type": "gaussian", "factor_type": "in", "magnitude": 2},
        "he_normal(mode=fan_in, nonlinearity=relu)",
        "the usual way to get He normal in MXNet",
    ),
    _row(
        "Xavier(factor_type=in)",
        {"factor_type": "in"},
        "lecun_uniform",
        "uniform, magnitude 3 over fan_in: U(+-sqrt(3/fan_in))",
    ),
    _row(
        "MSRAPrelu",
        {},
        "variance_scaling(scale=1.8823529411764706, mode=fan_avg, distribution=normal)",
        "defaults factor_type='avg', slope=0.25: gaussian, magnitude 2/(1+0.25^2) = 32/17, over fan_avg",
    ),
    _row(
        "MSRAPrelu(factor_type=in, slope=0)",
        {"factor_type": "in", "slope": 0.0},
        "he_normal(mode=fan_in, nonlinearity=relu)",
        "magnitude 2 over fan_in: He normal",
    ),
    _row(
        "Orthogonal",
        {},
        "orthogonal(gain=1.414)",
        "defaults scale=1.414 (about sqrt 2), rand_type='uniform': u or v of the SVD of a U(-1, 1) "
        "(shape[0], rest) matrix, no sign fix; documented only as orthogonal, Haar is not promised",
    ),
    _row(
        "Orthogonal(rand_type=normal)",
        {"rand_type": "normal"},
        "orthogonal(gain=1.414)",
        "SVD of a Gaussian matrix, no sign fix (LAPACK's sign convention)",
    ),
    _row("Zero", {}, "zeros"),
    _row("One", {}, "ones"),
    _row("Constant(value=0.5)", {"value": 0.5}, "constant(value=0.5)", "value has no default"),
)

EXCLUDED: tuple[Excluded, ...] = (
    Excluded("Bilinear", "mxnet.init:Bilinear", "not random: bilinear upsampling kernels"),
    Excluded(
        "LSTMBias", "mxnet.init:LSTMBias", "not random: zeros with the forget gate's bias set"
    ),
    Excluded(
        "FusedRNN",
        "mxnet.init:FusedRNN",
        "a wrapper applying another initializer to fused RNN parameters",
    ),
    Excluded(
        "Mixed, Load",
        "mxnet.init:Mixed",
        "not initializers of their own: dispatch by name, load from file",
    ),
)
