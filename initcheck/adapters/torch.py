"""PyTorch: ``torch.nn.init.*_`` in-place functions and modules' default initialization.

In-place function ``fn`` (first parameter ``tensor``)::

    sampler(shape, seed):
        with torch.random.fork_rng(devices=[]):          # global RNG restored after
            torch.manual_seed(seed)                       # for code that ignores `generator`
            t = torch.full(shape, nan, dtype=float32)     # unfilled entries stay NaN
            fn(t, **kwargs, generator=torch.Generator().manual_seed(seed))  # if fn takes one
        return t.numpy()

Module class (``torch.nn.Linear``, ``Conv1d/2d/3d``, ``ConvTranspose1d/2d/3d``,
``Embedding``) with the adapter option ``param``:

* ``param="weight"`` (default): the shape is the weight's. Linear ``(out, in)``
  builds ``Linear(in, out)``; ConvNd ``(out, in // groups, *k)`` builds
  ``ConvNd(in, out, kernel_size=k)``; ConvTransposeNd ``(in, out // groups, *k)``
  builds ``ConvTransposeNd(in, out, kernel_size=k)``; Embedding ``(n, dim)``
  builds ``Embedding(n, dim)``. The module is built under ``fork_rng`` with
  ``torch.manual_seed(seed)`` and its ``weight`` returned.
* ``param="bias"`` with ``fan_in=F`` (Linear and ConvNd): the shape is the
  bias's, ``(out,)``; the module is built with ``F`` inputs and a kernel of
  size 1, so its weight's fan_in is ``F`` and PyTorch draws the bias from
  U(±1/sqrt(F)). From the command line: ``--option param=bias --option fan_in=64``.

A module class builds weights of one rank only, which its :class:`Adapted`
declares (``ranks``): Linear and Embedding 2, ConvNd and ConvTransposeNd
``N + 2``, a bias 1. ``check()`` keeps the default shapes of that rank.
In-place functions take any rank (``ranks`` is None).

Other keyword arguments go to the module's constructor (``groups=2``,
``padding_idx=0``). ``dtype`` (``"float64"``, ``"float16"``, ``"bfloat16"`` or a
``torch.dtype``; default float32) is the tensor's; bfloat16 is returned as
float32, which holds it exactly (the verdict reads bfloat16 from the values and tests
at its precision).
"""

from __future__ import annotations

import inspect
import math
from typing import Any

from initcheck.adapters._common import (
    Adapted,
    ConformanceRow,
    Excluded,
    display_name,
    parameter_names,
    qualified_name,
    seed32,
    shape_tuple,
)
from initcheck.errors import UsageError, expected

__all__ = ["CONFORMANCE", "EXCLUDED", "adapt"]

LAYOUT = "torch"
_OPTIONS = ("param", "fan_in")


def _torch() -> Any:
    import torch

    return torch


def _dtype(dtype: Any) -> Any:
    torch = _torch()
    if dtype is None:
        return torch.float32
    value = getattr(torch, dtype.removeprefix("torch."), None) if isinstance(dtype, str) else dtype
    if not isinstance(value, torch.dtype) or not value.is_floating_point:
        raise expected(
            "dtype", dtype, "a torch floating dtype: float32, float64, float16 or bfloat16"
        )
    return value


def _dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def _numpy(t: Any) -> Any:
    """A tensor as a numpy array (bfloat16 as float32); anything else as is."""
    torch = _torch()
    if not isinstance(t, torch.Tensor):
        return t
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.numpy()


def adapt(obj: Any, *, dtype: Any = None, **kwargs: Any) -> Adapted:
    """Adapt a ``torch.nn.init`` function or a module class (see the module docstring).

    Raises:
        UsageError: not an in-place initializer nor a supported module class,
            bad keyword arguments, or a bad dtype.
    """
    torch = _torch()
    tdtype = _dtype(dtype)
    if inspect.isclass(obj) and issubclass(obj, torch.nn.Module):
        return _module(obj, tdtype, kwargs)
    names = parameter_names(obj)
    if callable(obj) and not inspect.isclass(obj) and names and names[0] == "tensor":
        return _inplace(obj, tdtype, kwargs)
    raise UsageError(
        f"{qualified_name(obj)}: expected a torch.nn.init function that fills a tensor in place "
        "(first parameter `tensor`, e.g. torch.nn.init.xavier_uniform_), or a module class "
        "(torch.nn.Linear, Conv1d/2d/3d, ConvTranspose1d/2d/3d, Embedding)"
    )


# --- in-place functions ---------------------------------------------------------------


def _inplace(fn: Any, tdtype: Any, kwargs: dict[str, Any]) -> Adapted:
    torch = _torch()
    name = display_name(qualified_name(fn), kwargs)
    if "generator" in kwargs or "tensor" in kwargs:
        raise expected(
            "kwargs", sorted(kwargs), f"no tensor= or generator= for {name}: the adapter sets them"
        )
    sig = inspect.signature(fn)
    try:
        sig.bind(None, **kwargs)
    except TypeError as exc:
        raise UsageError(f"{name}: bad keyword arguments: {exc}") from exc
    takes_generator = "generator" in sig.parameters
    fixed = dict(kwargs)

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        dims, s = shape_tuple(shape), seed32(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s)
            t = torch.full(dims, math.nan, dtype=tdtype)
            if takes_generator:
                fn(t, **fixed, generator=torch.Generator().manual_seed(s))
            else:
                fn(t, **fixed)
        return _numpy(t)

    return Adapted(sampler, LAYOUT, "torch", name, _dtype_name(tdtype))


# --- modules' default initialization ----------------------------------------------------


def _kind(cls: type) -> str:
    nn = _torch().nn
    from torch.nn.modules.conv import _ConvNd, _ConvTransposeNd
    from torch.nn.modules.lazy import LazyModuleMixin

    if issubclass(cls, LazyModuleMixin):
        raise UsageError(
            f"{qualified_name(cls)}: a lazy module has no parameters until its first call; "
            "use its eager class (e.g. torch.nn.Linear)"
        )
    if issubclass(cls, nn.Linear):
        return "linear"
    if issubclass(cls, _ConvTransposeNd):
        return "conv_transpose"
    if issubclass(cls, _ConvNd):
        return "conv"
    if issubclass(cls, nn.Embedding):
        return "embedding"
    raise UsageError(
        f"{qualified_name(cls)}: expected a module class whose default initialization initcheck "
        "knows how to build from a shape: torch.nn.Linear, Conv1d/2d/3d, ConvTranspose1d/2d/3d, Embedding"
    )


def _spatial_dims(cls: type) -> int:
    """Kernel dimensions of a conv class (1, 2 or 3), from a throwaway 1x1 module."""
    torch = _torch()
    with torch.random.fork_rng(devices=[]):
        return int(cls(1, 1, 1).weight.dim()) - 2


def _module(cls: type, tdtype: Any, kwargs: dict[str, Any]) -> Adapted:
    torch = _torch()
    kind = _kind(cls)
    param = kwargs.get("param", "weight")
    fan_in = kwargs.get("fan_in")
    ctor = {k: v for k, v in kwargs.items() if k not in _OPTIONS}
    short = (
        f"torch.nn.{cls.__name__}"
        if getattr(torch.nn, cls.__name__, None) is cls
        else qualified_name(cls)
    )
    name = display_name(short, kwargs)
    if param not in ("weight", "bias"):
        raise expected("param", param, "weight or bias")
    if param == "bias":
        if kind not in ("linear", "conv"):
            raise expected(
                "param",
                param,
                f"weight for {short} (param=bias is supported for Linear and ConvNd)",
            )
        if ctor.get("bias", True) is False:
            raise expected("bias", False, "bias=True with param=bias")
        if isinstance(fan_in, bool) or not isinstance(fan_in, int) or fan_in <= 0:
            raise expected(
                "fan_in",
                fan_in,
                "a positive integer with param=bias: the fan_in of the layer's weight",
            )
    elif fan_in is not None:
        raise expected("fan_in", fan_in, "no fan_in with param=weight: the weight's shape gives it")
    ctor.setdefault("dtype", tdtype)
    groups = int(ctor.get("groups", 1))
    nk = _spatial_dims(cls) if kind in ("conv", "conv_transpose") else 0

    def arguments(dims: tuple[int, ...]) -> tuple[Any, ...]:
        if param == "bias":
            if len(dims) != 1:
                raise expected("shape", dims, f"a bias shape (out,) for {name}")
            if kind == "linear":
                return (fan_in, dims[0])
            return (
                fan_in,
                dims[0],
                1,
            )  # ConvNd(fan_in, out, kernel_size=1): weight fan_in = fan_in
        if kind in ("linear", "embedding"):
            if len(dims) != 2:
                raise expected("shape", dims, f"a 2-D weight shape for {short}")
            return (dims[1], dims[0]) if kind == "linear" else (dims[0], dims[1])
        if len(dims) != nk + 2:
            what = "(out, in // groups, *k)" if kind == "conv" else "(in, out // groups, *k)"
            raise expected("shape", dims, f"a {nk + 2}-D weight shape {what} for {short}")
        kernel = dims[2:]
        if kind == "conv":
            return (dims[1] * groups, dims[0], kernel)
        return (dims[0], dims[1] * groups, kernel)

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        dims, s = shape_tuple(shape), seed32(seed)
        args = arguments(dims)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s)
            module = cls(*args, **ctor)
        return _numpy(getattr(module, param))

    # Build once now so that bad constructor arguments are usage errors, not draws.
    probe = (
        (1,)
        if param == "bias"
        else ((1, 1) if kind in ("linear", "embedding") else (groups, 1) + (1,) * nk)
    )
    try:
        sampler(probe, 0)
    except UsageError:
        raise
    except (TypeError, ValueError, RuntimeError) as exc:
        raise UsageError(f"{name}: cannot be constructed: {type(exc).__name__}: {exc}") from exc
    if param == "bias":
        ranks = (1,)
    else:
        ranks = (2,) if kind in ("linear", "embedding") else (nk + 2,)
    return Adapted(sampler, LAYOUT, "torch", name, _dtype_name(tdtype), ranks)


# --- conformance table -------------------------------------------------------------------

_FANS = (
    "PyTorch fans: weight (out, in, *k), fan_in = shape[1]*prod(k), fan_out = shape[0]*prod(k); "
    "'normal' is the untruncated N(mean, std^2)"
)
_SQRT5 = 2.23606797749979  # a = sqrt(5): gain sqrt(2/(1+5)) = sqrt(1/3), bound gain*sqrt(3/fan_in) = 1/sqrt(fan_in)
_MODULE = (
    "module default: kaiming_uniform_(a=sqrt(5)), i.e. U(+-1/sqrt(fan_in)), variance 1/(3 fan_in): "
    "NOT He (that is 2/fan_in) nor LeCun (1/fan_in)"
)


def _row(
    name: str,
    target: str,
    kwargs: dict[str, Any],
    law: str,
    note: str = "",
    shapes: tuple[tuple[int, ...], ...] | None = None,
) -> ConformanceRow:
    text = f"{_FANS}. {note}" if note else f"{_FANS}."
    return ConformanceRow(name, target, kwargs, law, text, shapes)


# Module classes take weights of one rank only, and a bias is (out,): their rows carry their shapes.
_DENSE = ((96, 160), (160, 96), (6, 4), (300, 1200))
_CONV1 = ((32, 16, 5), (16, 8, 3), (64, 3, 7))
_CONV2 = ((16, 8, 3, 3), (32, 16, 5, 5), (8, 3, 1, 1))
_CONV3 = ((8, 4, 3, 3, 3), (4, 2, 1, 3, 3))
_EMBED = ((1000, 64), (10, 3))
_BIAS = ((64,), (4096,))


CONFORMANCE: tuple[ConformanceRow, ...] = (
    _row(
        "uniform_",
        "torch.nn.init:uniform_",
        {},
        "uniform(low=0, high=1)",
        "defaults a=0, b=1: U(0, 1)",
    ),
    _row(
        "uniform_(a=-0.1, b=0.1)", "torch.nn.init:uniform_", {"a": -0.1, "b": 0.1}, "uniform(a=0.1)"
    ),
    _row("normal_", "torch.nn.init:normal_", {}, "normal(mean=0, std=1)", "defaults mean=0, std=1"),
    _row("normal_(std=0.02)", "torch.nn.init:normal_", {"std": 0.02}, "normal(std=0.02)"),
    _row(
        "trunc_normal_",
        "torch.nn.init:trunc_normal_",
        {},
        "truncated_normal(mean=0, std=1, a=-2, b=2)",
        "std is the parent normal's; a, b are absolute bounds (not in units of std); no variance correction",
    ),
    _row(
        "trunc_normal_(std=0.02)",
        "torch.nn.init:trunc_normal_",
        {"std": 0.02},
        "truncated_normal(mean=0, std=0.02, a=-2, b=2)",
        "bounds stay at +-2 absolute = +-100 std: effectively untruncated (a common surprise)",
    ),
    _row(
        "trunc_normal_(a=2, b=3)",
        "torch.nn.init:trunc_normal_",
        {"a": 2.0, "b": 3.0},
        "truncated_normal(mean=0, std=1, a=2, b=3)",
        "mass in [a, b] is 0.021 < 0.3: PyTorch's rejection sampler from U(a, b) (the other code path)",
    ),
    _row("constant_(val=0.5)", "torch.nn.init:constant_", {"val": 0.5}, "constant(value=0.5)"),
    _row("ones_", "torch.nn.init:ones_", {}, "ones"),
    _row("zeros_", "torch.nn.init:zeros_", {}, "zeros"),
    _row(
        "xavier_uniform_",
        "torch.nn.init:xavier_uniform_",
        {},
        "xavier_uniform(gain=1)",
        "U(+-gain*sqrt(6/(fan_in+fan_out)))",
    ),
    _row(
        "xavier_uniform_(gain=2)",
        "torch.nn.init:xavier_uniform_",
        {"gain": 2.0},
        "xavier_uniform(gain=2)",
    ),
    _row(
        "xavier_normal_",
        "torch.nn.init:xavier_normal_",
        {},
        "xavier_normal(gain=1)",
        "N(0, gain^2*2/(fan_in+fan_out)), untruncated",
    ),
    _row(
        "kaiming_uniform_",
        "torch.nn.init:kaiming_uniform_",
        {},
        "he_uniform(a=0, mode=fan_in, nonlinearity=leaky_relu)",
        "defaults a=0, mode=fan_in, nonlinearity=leaky_relu: gain sqrt(2/(1+a^2)) = sqrt(2)",
    ),
    _row(
        "kaiming_uniform_(mode=fan_out, nonlinearity=relu)",
        "torch.nn.init:kaiming_uniform_",
        {"mode": "fan_out", "nonlinearity": "relu"},
        "he_uniform(mode=fan_out, nonlinearity=relu)",
    ),
    _row(
        "kaiming_normal_",
        "torch.nn.init:kaiming_normal_",
        {},
        "he_normal(a=0, mode=fan_in, nonlinearity=leaky_relu)",
        "N(0, gain^2/fan), untruncated",
    ),
    _row(
        "kaiming_normal_(a=0.1, mode=fan_out)",
        "torch.nn.init:kaiming_normal_",
        {"a": 0.1, "mode": "fan_out"},
        "he_normal(a=0.1, mode=fan_out, nonlinearity=leaky_relu)",
    ),
    _row(
        "orthogonal_",
        "torch.nn.init:orthogonal_",
        {},
        "orthogonal(gain=1)",
        "QR of a Gaussian (shape[0], rest) matrix with R's diagonal signs fixed: Haar",
    ),
    _row("orthogonal_(gain=2)", "torch.nn.init:orthogonal_", {"gain": 2.0}, "orthogonal(gain=2)"),
    _row(
        "normal_(std=0.02) in bfloat16",
        "torch.nn.init:normal_",
        {"std": 0.02, "dtype": "bfloat16"},
        "normal(std=0.02)",
        "a bfloat16 tensor: tested at bfloat16's precision (8 significand bits)",
    ),
    _row(
        "kaiming_normal_ in bfloat16",
        "torch.nn.init:kaiming_normal_",
        {"dtype": "bfloat16"},
        "he_normal(a=0, mode=fan_in, nonlinearity=leaky_relu)",
        "a bfloat16 tensor: tested at bfloat16's precision (8 significand bits)",
    ),
    _row(
        "trunc_normal_(std=0.02) in bfloat16",
        "torch.nn.init:trunc_normal_",
        {"std": 0.02, "dtype": "bfloat16"},
        "truncated_normal(mean=0, std=0.02, a=-2, b=2)",
        "a bfloat16 tensor: tested at bfloat16's precision (8 significand bits)",
    ),
    _row(
        "Linear.weight",
        "torch.nn:Linear",
        {"param": "weight"},
        f"he_uniform(a={_SQRT5}, mode=fan_in, nonlinearity=leaky_relu)",
        _MODULE,
        _DENSE,
    ),
    _row(
        "Linear.bias (fan_in=64)",
        "torch.nn:Linear",
        {"param": "bias", "fan_in": 64},
        "uniform(a=0.125)",
        "module default bias: U(+-1/sqrt(fan_in)); the shape is the bias's (out,), fan_in the weight's",
        _BIAS,
    ),
    _row(
        "Conv1d.weight",
        "torch.nn:Conv1d",
        {"param": "weight"},
        f"he_uniform(a={_SQRT5}, mode=fan_in, nonlinearity=leaky_relu)",
        _MODULE,
        _CONV1,
    ),
    _row(
        "Conv2d.weight",
        "torch.nn:Conv2d",
        {"param": "weight"},
        f"he_uniform(a={_SQRT5}, mode=fan_in, nonlinearity=leaky_relu)",
        _MODULE,
        _CONV2,
    ),
    _row(
        "Conv3d.weight",
        "torch.nn:Conv3d",
        {"param": "weight"},
        f"he_uniform(a={_SQRT5}, mode=fan_in, nonlinearity=leaky_relu)",
        _MODULE,
        _CONV3,
    ),
    _row(
        "Conv2d.bias (fan_in=288)",
        "torch.nn:Conv2d",
        {"param": "bias", "fan_in": 288},
        "uniform(a=0.05892556509887896)",
        "module default bias: U(+-1/sqrt(fan_in)), fan_in = in*prod(k) = 288",
        _BIAS,
    ),
    _row(
        "ConvTranspose2d.weight",
        "torch.nn:ConvTranspose2d",
        {"param": "weight"},
        f"he_uniform(a={_SQRT5}, mode=fan_in, nonlinearity=leaky_relu)",
        _MODULE + "; the weight is (in, out // groups, *k) and PyTorch reads axis 1 as 'fan_in', "
        "so the bound is 1/sqrt(out // groups * prod(k))",
        _CONV2,
    ),
    _row(
        "Embedding.weight",
        "torch.nn:Embedding",
        {"param": "weight"},
        "normal(mean=0, std=1)",
        "module default: N(0, 1), untruncated",
        _EMBED,
    ),
)

EXCLUDED: tuple[Excluded, ...] = (
    Excluded(
        "eye_",
        "torch.nn.init:eye_",
        "not random: the identity matrix (no law of the grammar expresses it)",
    ),
    Excluded(
        "dirac_",
        "torch.nn.init:dirac_",
        "not random: a Dirac delta kernel (no law of the grammar expresses it)",
    ),
    Excluded(
        "sparse_",
        "torch.nn.init:sparse_",
        "a fixed number of exact zeros per column mixed with N(0, std^2): not iid, no law of the grammar; "
        "it also draws the zero positions from the global RNG (torch.randperm) whatever the generator",
    ),
    Excluded(
        "uniform_, xavier_uniform_, kaiming_uniform_ in bfloat16",
        "torch.nn.init:xavier_uniform_",
        "does not keep its law at bfloat16 (torch 2.13, CPU): xavier_uniform_ on a bfloat16 tensor never comes "
        "within a rounding step of its bound (extreme 0.1348 for the bound 0.1361 at 96x160), a bound-reach finding",
    ),
    Excluded(
        "every initializer in float8",
        "torch.nn.init:normal_",
        "torch.nn.init cannot fill float8 tensors (torch 2.13, CPU): normal_ and uniform_ raise "
        "NotImplementedError ('normal_kernel_cpu' / 'check_uniform_bounds' not implemented for 'Float8_e4m3fn')",
    ),
    Excluded(
        "calculate_gain", "torch.nn.init:calculate_gain", "not an initializer: the gain table"
    ),
    Excluded(
        "uniform, normal, constant, eye, dirac, xavier_*, kaiming_*, orthogonal, sparse",
        "torch.nn.init:uniform",
        "deprecated aliases without the trailing underscore (same functions)",
    ),
    Excluded(
        "RNN/LSTM/GRU defaults",
        "torch.nn:LSTM",
        "U(+-1/sqrt(hidden_size)) for every parameter; no shape-to-module mapping is adapted",
    ),
)
