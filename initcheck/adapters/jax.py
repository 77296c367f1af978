"""JAX and Flax: ``jax.nn.initializers`` (``flax.linen.initializers`` are the same objects).

An *initializer* is ``init(key, shape, dtype)``; a *factory* returns one
(``glorot_normal(in_axis=-2, ...)``, ``normal(stddev=1e-2)``,
``variance_scaling(scale, mode, distribution)``, Flax's ``zeros_init()``).
They are told apart by the signature: an initializer's first two parameters
are ``key`` (or ``rng``) and ``shape``. A factory is called once with the
keyword arguments (``variance_scaling`` needs ``scale=``, ``mode=`` and
``distribution=``)::

    sampler(shape, seed) = numpy(init(jax.random.PRNGKey(seed), shape, dtype))

``dtype`` defaults to float32; float64 needs ``JAX_ENABLE_X64=1`` (else JAX
silently draws float32, so it is refused); bfloat16 is returned as float32.
JAX has no global random state. Layout: ``keras`` (``(*k, in, out)``:
``in_axis=-2``, ``out_axis=-1``).
"""

from __future__ import annotations

from typing import Any

from initcheck.adapters._common import (
    Adapted,
    ConformanceRow,
    Excluded,
    construct,
    display_name,
    parameter_names,
    qualified_name,
    seed32,
    shape_tuple,
    to_numpy,
)
from initcheck.errors import UsageError, expected

__all__ = [
    "CONFORMANCE",
    "EXCLUDED",
    "FLAX_CONFORMANCE",
    "FLAX_EXCLUDED",
    "adapt",
    "is_initializer",
]

LAYOUT = "keras"
_KEYS = ("key", "rng", "prng_key")


def is_initializer(fn: Any) -> bool | None:
    """True for ``init(key, shape, ...)``, False for a factory, None if there is no signature."""
    names = parameter_names(fn)
    if names is None:
        return None
    return len(names) >= 2 and names[0] in _KEYS and names[1] == "shape"


def _dtype(dtype: Any) -> Any:
    import jax
    import jax.numpy as jnp

    try:
        dt = jnp.dtype("float32" if dtype is None else dtype)
    except TypeError as exc:
        raise expected(
            "dtype", dtype, "a floating dtype such as float32, float64, float16, bfloat16"
        ) from exc
    if not jnp.issubdtype(dt, jnp.floating):
        raise expected(
            "dtype", dtype, "a floating dtype such as float32, float64, float16, bfloat16"
        )
    if dt.itemsize == 8 and not jax.config.read("jax_enable_x64"):
        raise expected(
            "dtype", dtype, "float32, float16 or bfloat16 (float64 needs JAX_ENABLE_X64=1)"
        )
    return dt


def _framework(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    return "flax" if str(module).split(".")[0] == "flax" else "jax"


def adapt(obj: Any, *, dtype: Any = None, **kwargs: Any) -> Adapted:
    """Adapt a JAX/Flax initializer or factory (see the module docstring).

    Raises:
        UsageError: keyword arguments for an initializer (they belong to its
            factory), a factory that fails with them or returns no
            initializer, or a bad dtype.
    """
    import jax

    dt = _dtype(dtype)
    base = qualified_name(obj)
    name = display_name(base, kwargs)
    kind = is_initializer(obj)
    if kind is None:
        kind = not kwargs  # no signature: an initializer unless given factory arguments
    if kind:
        if kwargs:
            raise UsageError(
                f"{name}: is an initializer init(key, shape, dtype); keyword arguments belong to "
                "the factory that builds it (e.g. jax.nn.initializers:normal with stddev=...)"
            )
        init = obj
    else:
        init = construct(base, obj, **kwargs)
        if not callable(init) or is_initializer(init) is False:
            raise UsageError(
                f"{name}: expected a factory returning an initializer init(key, shape, dtype), "
                f"got {type(init).__name__}"
            )

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        return to_numpy(init(jax.random.PRNGKey(seed32(seed)), shape_tuple(shape), dt))

    return Adapted(sampler, LAYOUT, _framework(obj), name, dt.name)


# --- conformance tables ----------------------------------------------------------------

_FANS = (
    "JAX fans: weight (*k, in, out) (in_axis=-2, out_axis=-1), fan = size*prod(k); "
    "'normal' (jax.nn.initializers.normal, variance_scaling distribution='normal') is untruncated, "
    "but glorot_normal, lecun_normal and he_normal use distribution='truncated_normal' "
    "(cut at +-2 parent std, parent std = sqrt(scale/n)/0.8796, so the variance is scale/n)"
)


def _row(
    name: str, target: str, kwargs: dict[str, Any], law: str, note: str = ""
) -> ConformanceRow:
    return ConformanceRow(name, target, kwargs, law, f"{_FANS}. {note}" if note else f"{_FANS}.")


_J = "jax.nn.initializers:"

CONFORMANCE: tuple[ConformanceRow, ...] = (
    _row("zeros", _J + "zeros", {}, "zeros", "an initializer itself, not a factory"),
    _row("ones", _J + "ones", {}, "ones", "an initializer itself, not a factory"),
    _row("constant(0.5)", _J + "constant", {"value": 0.5}, "constant(value=0.5)"),
    _row(
        "uniform",
        _J + "uniform",
        {},
        "uniform(low=0, high=0.01)",
        "default scale=1e-2 is the upper bound of [0, scale): not symmetric around 0",
    ),
    _row(
        "normal", _J + "normal", {}, "normal(mean=0, std=0.01)", "default stddev=1e-2, untruncated"
    ),
    _row(
        "truncated_normal",
        _J + "truncated_normal",
        {},
        "truncated_normal(mean=0, std=0.01, a=-0.02, b=0.02)",
        "stddev=1e-2 is the parent's; cut at lower*stddev, upper*stddev = +-2 stddev; no variance correction",
    ),
    _row(
        "glorot_uniform",
        _J + "glorot_uniform",
        {},
        "xavier_uniform(gain=1)",
        "variance_scaling(1, fan_avg, uniform)",
    ),
    _row(
        "glorot_normal",
        _J + "glorot_normal",
        {},
        "variance_scaling(scale=1, mode=fan_avg, distribution=truncated_normal)",
        "truncated, so not the untruncated xavier_normal law",
    ),
    _row(
        "lecun_uniform",
        _J + "lecun_uniform",
        {},
        "lecun_uniform",
        "variance_scaling(1, fan_in, uniform)",
    ),
    _row(
        "lecun_normal",
        _J + "lecun_normal",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        "truncated",
    ),
    _row(
        "he_uniform",
        _J + "he_uniform",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=uniform)",
        "U(+-sqrt(6/fan_in))",
    ),
    _row(
        "he_normal",
        _J + "he_normal",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=truncated_normal)",
        "truncated, so not PyTorch's untruncated kaiming_normal_",
    ),
    _row(
        "variance_scaling(2, fan_out, normal)",
        _J + "variance_scaling",
        {"scale": 2.0, "mode": "fan_out", "distribution": "normal"},
        "variance_scaling(scale=2, mode=fan_out, distribution=normal)",
        "scale, mode and distribution have no defaults; JAX's 'normal' is untruncated (Keras's is truncated)",
    ),
    _row(
        "variance_scaling(1, fan_avg, truncated_normal)",
        _J + "variance_scaling",
        {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"},
        "variance_scaling(scale=1, mode=fan_avg, distribution=truncated_normal)",
    ),
    _row(
        "variance_scaling(0.5, fan_in, uniform)",
        _J + "variance_scaling",
        {"scale": 0.5, "mode": "fan_in", "distribution": "uniform"},
        "variance_scaling(scale=0.5, mode=fan_in, distribution=uniform)",
    ),
    _row(
        "orthogonal",
        _J + "orthogonal",
        {},
        "orthogonal(gain=1)",
        "column_axis=-1: a Haar matrix of shape (prod(shape[:-1]), shape[-1]), as initcheck's keras layout",
    ),
    _row(
        "orthogonal(scale=2)",
        _J + "orthogonal",
        {"scale": 2.0},
        "orthogonal(gain=2)",
        "'scale' multiplies the matrix (its docstring's 'upper bound' wording is a copy-paste slip)",
    ),
)

EXCLUDED: tuple[Excluded, ...] = (
    Excluded(
        "xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal",
        _J + "xavier_uniform",
        "aliases: the same objects as glorot_uniform, glorot_normal, he_uniform, he_normal",
    ),
    Excluded(
        "every initializer in bfloat16 or float8 (dtype=jnp.bfloat16, float8_e4m3fn, float8_e5m2)",
        _J + "normal",
        "does not keep its law below float32 (jax 0.10.2, CPU): jax.random draws its uniform bits at the "
        "dtype's own precision, so normal(0.02) in bfloat16 has a mean 9 standard errors below 0 and "
        "kurtosis 2.91, and in float8_e4m3fn 8 distinct values with std 0.0179 (variance ratio 0.80); "
        "glorot_uniform and he_normal likewise (mean, KS, AD findings)",
    ),
    Excluded(
        "delta_orthogonal",
        _J + "delta_orthogonal",
        "an orthogonal matrix at the kernel's centre and zeros elsewhere: not iid, no law of the grammar",
    ),
    Excluded(
        "variance_scaling(mode='fan_geo_avg')",
        _J + "variance_scaling",
        "mode fan_geo_avg (sqrt(fan_in*fan_out)) has no counterpart in the grammar's modes",
    ),
)

_F = "flax.linen.initializers:"
_FLAX = "Flax re-exports jax.nn.initializers (the same objects): " + _FANS

FLAX_CONFORMANCE: tuple[ConformanceRow, ...] = (
    ConformanceRow(
        "linen.Dense default kernel_init",
        "flax.linen.linear:default_kernel_init",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        _FLAX + ". Dense/Conv default kernel_init = lecun_normal(): truncated; bias_init is zeros.",
    ),
    ConformanceRow(
        "lecun_normal",
        _F + "lecun_normal",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        _FLAX + ".",
    ),
    ConformanceRow(
        "glorot_uniform", _F + "glorot_uniform", {}, "xavier_uniform(gain=1)", _FLAX + "."
    ),
    ConformanceRow(
        "he_normal",
        _F + "he_normal",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=truncated_normal)",
        _FLAX + ".",
    ),
    ConformanceRow(
        "normal(stddev=0.02)",
        _F + "normal",
        {"stddev": 0.02},
        "normal(mean=0, std=0.02)",
        _FLAX + ". Untruncated.",
    ),
    ConformanceRow(
        "zeros_init",
        _F + "zeros_init",
        {},
        "zeros",
        _FLAX + ". A factory: zeros_init() returns zeros.",
    ),
    ConformanceRow(
        "ones_init", _F + "ones_init", {}, "ones", _FLAX + ". A factory: ones_init() returns ones."
    ),
    ConformanceRow(
        "nnx default kernel_init",
        "flax.nnx.nn.linear:default_kernel_init",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        _FLAX + ". nnx.Linear/Conv default kernel_init = lecun_normal(): truncated.",
    ),
)

FLAX_EXCLUDED: tuple[Excluded, ...] = (
    Excluded(
        "every other flax.linen.initializers / flax.nnx.initializers name",
        _F + "glorot_normal",
        "the same objects as jax.nn.initializers: see the jax table",
    ),
)
