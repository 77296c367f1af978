"""Keras 3 (any backend; tested on JAX with ``KERAS_BACKEND=jax``) and Keras 2 (``tf_keras``).

A class such as ``keras.initializers.HeNormal`` is instantiated for every draw
with ``seed=seed`` and the keyword arguments; an instance is rebuilt from its
``get_config()`` with the keyword arguments applied and the seed replaced
(``type(obj).from_config(config)``). A Keras initializer with an integer seed
draws the same values on every call and touches no global random state (an
unseeded one would draw its seed from Python's ``random`` module, which is why
the seed is always set). Classes without a ``seed`` (``Zeros``, ``Constant``)
are built once::

    sampler(shape, seed) = keras.ops.convert_to_numpy(Cls(seed=seed, **kwargs)(shape, dtype="float32"))

``dtype`` is a Keras dtype name (default ``"float32"``); on the JAX backend
float64 needs ``JAX_ENABLE_X64=1``. Layout: ``keras`` (``(*k, in, out)``).
The same code adapts TensorFlow's own ``tf.*_initializer`` classes
(:mod:`initcheck.adapters.tensorflow`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from initcheck.adapters._common import (
    Adapted,
    ConformanceRow,
    Excluded,
    accepts,
    construct,
    display_name,
    qualified_name,
    seed32,
    shape_tuple,
    to_numpy,
)
from initcheck.errors import UsageError, expected

__all__ = ["CONFORMANCE", "EXCLUDED", "adapt", "adapt_configurable"]

LAYOUT = "keras"
_FLOATS = ("float16", "bfloat16", "float32", "float64")


def _is_keras3(obj: Any) -> bool:
    cls = obj if inspect.isclass(obj) else type(obj)
    return any(c.__module__.split(".")[0] == "keras" for c in cls.__mro__) and _keras_major() >= 3


def _keras_major() -> int:
    import keras

    return int(str(keras.__version__).split(".")[0])


def _dtype_name(dtype: Any, backend: str | None) -> str:
    if dtype is None:
        return "float32"
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None) or str(dtype)
    name = str(name).removeprefix("torch.")
    if name not in _FLOATS:
        raise expected("dtype", dtype, f"one of {', '.join(_FLOATS)}")
    if name == "float64" and backend == "jax":
        import jax

        if not jax.config.read("jax_enable_x64"):
            raise expected(
                "dtype",
                dtype,
                "float32, float16 or bfloat16 (float64 on JAX needs JAX_ENABLE_X64=1)",
            )
    return name


def adapt_configurable(
    obj: Any,
    *,
    dtype_name: str,
    kwargs: dict[str, Any],
    framework: str,
    convert: Callable[[Any], Any],
    dtype_arg: Any = None,
    public_name: str | None = None,
) -> Adapted:
    """Adapt a class or instance built from keyword arguments with an optional ``seed``.

    Args:
        obj: the class or instance.
        dtype_name: recorded in the result.
        kwargs: constructor keyword arguments (applied over an instance's config).
        framework: recorded in the result.
        convert: turns the initializer's output into a numpy array.
        dtype_arg: what to pass as ``dtype`` when drawing (default ``dtype_name``).
        public_name: the name to report (default: the class's qualified name).

    Raises:
        UsageError: ``seed`` among the kwargs, or construction fails.
    """
    if "seed" in kwargs:
        raise expected("seed", kwargs["seed"], "no seed keyword: the sampler seeds every draw")
    cls = obj if inspect.isclass(obj) else type(obj)
    base = public_name or qualified_name(cls)
    seeded = accepts(cls, "seed")
    if inspect.isclass(obj):
        config = dict(kwargs)
        name = display_name(base, kwargs)
    else:
        if not hasattr(obj, "get_config"):
            raise UsageError(
                f"{base}: an instance without get_config(); pass its class and keyword arguments"
            )
        config = {**obj.get_config(), **kwargs}
        config.pop("seed", None)
        name = display_name(base, config)
    from_config = getattr(cls, "from_config", None)
    make: Callable[[dict[str, Any]], Any] = (
        from_config
        if from_config is not None and not inspect.isclass(obj)
        else (lambda cfg: cls(**cfg))
    )
    when_drawn = dtype_name if dtype_arg is None else dtype_arg

    def instance(seed: int) -> Any:
        return make({**config, "seed": seed32(seed)} if seeded else dict(config))

    if not seeded and not kwargs and not inspect.isclass(obj):
        fixed: Any = obj  # nothing to re-seed or change: use the instance itself
    else:
        # Build once now: bad keyword arguments are usage errors here, not failed draws later.
        first = construct(base, instance, 0)
        fixed = None if seeded else first

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        init = fixed if fixed is not None else instance(seed)
        return convert(init(shape_tuple(shape), dtype=when_drawn))

    return Adapted(sampler, LAYOUT, framework, name, dtype_name)


def adapt(obj: Any, *, dtype: Any = None, **kwargs: Any) -> Adapted:
    """Adapt a Keras initializer class or instance (see the module docstring).

    Raises:
        UsageError: not a Keras initializer, bad keyword arguments or dtype.
    """
    cls = obj if inspect.isclass(obj) else type(obj)
    if not any(c.__name__ == "Initializer" for c in cls.__mro__):
        raise UsageError(
            f"{qualified_name(obj)}: expected a Keras initializer class or instance "
            "(e.g. keras.initializers.HeNormal or HeNormal())"
        )
    public = None
    if _is_keras3(obj):
        import keras

        backend = keras.backend.backend()
        if getattr(keras.initializers, cls.__name__, None) is cls:
            public = f"keras.initializers.{cls.__name__}"
        convert: Callable[[Any], Any] = lambda out: to_numpy(keras.ops.convert_to_numpy(out))
    else:
        backend = None
        convert = to_numpy
    name = _dtype_name(dtype, backend)
    return adapt_configurable(
        obj, dtype_name=name, kwargs=kwargs, framework="keras", convert=convert, public_name=public
    )


# --- conformance table ------------------------------------------------------------------

_FANS = (
    "Keras fans: weight (*k, in, out), fan_in = shape[-2]*prod(k), fan_out = shape[-1]*prod(k) "
    "(a vector: fan_in = fan_out = its length); 'normal' means TRUNCATED normal: VarianceScaling turns "
    "distribution='normal' into 'truncated_normal' (cut at +-2 parent std, parent std = sqrt(scale/n)/0.8796); "
    "the untruncated one is 'untruncated_normal'"
)


def _row(
    name: str, kwargs: dict[str, Any], law: str, note: str = "", cls: str | None = None
) -> ConformanceRow:
    target = f"keras.initializers:{cls or name.split('(')[0]}"
    return ConformanceRow(name, target, kwargs, law, f"{_FANS}. {note}" if note else f"{_FANS}.")


CONFORMANCE: tuple[ConformanceRow, ...] = (
    _row("Zeros", {}, "zeros"),
    _row("Ones", {}, "ones"),
    _row("Constant(value=0.5)", {"value": 0.5}, "constant(value=0.5)", "default value is 0.0"),
    _row(
        "RandomNormal",
        {},
        "normal(mean=0, std=0.05)",
        "defaults mean=0.0, stddev=0.05; untruncated",
    ),
    _row("RandomUniform", {}, "uniform(a=0.05)", "defaults minval=-0.05, maxval=0.05"),
    _row(
        "TruncatedNormal",
        {},
        "truncated_normal(mean=0, std=0.05, a=-0.1, b=0.1)",
        "stddev=0.05 is the parent's; values beyond 2 stddev are redrawn; no variance correction",
    ),
    _row(
        "VarianceScaling",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        "defaults scale=1.0, mode='fan_in', distribution='truncated_normal'",
    ),
    _row(
        "VarianceScaling(distribution=normal)",
        {"distribution": "normal"},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        "'normal' is silently truncated in Keras (in JAX it is not)",
    ),
    _row(
        "VarianceScaling(2, fan_out, untruncated_normal)",
        {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"},
        "variance_scaling(scale=2, mode=fan_out, distribution=untruncated_normal)",
    ),
    _row(
        "VarianceScaling(0.5, fan_avg, uniform)",
        {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"},
        "variance_scaling(scale=0.5, mode=fan_avg, distribution=uniform)",
    ),
    _row(
        "GlorotUniform",
        {},
        "xavier_uniform(gain=1)",
        "VarianceScaling(1, fan_avg, uniform); Keras's default kernel_initializer for Dense and Conv",
    ),
    _row(
        "GlorotNormal",
        {},
        "variance_scaling(scale=1, mode=fan_avg, distribution=truncated_normal)",
        "truncated: not the untruncated xavier_normal law",
    ),
    _row("LecunUniform", {}, "lecun_uniform", "VarianceScaling(1, fan_in, uniform)"),
    _row(
        "LecunNormal",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        "truncated",
    ),
    _row(
        "HeUniform",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=uniform)",
        "U(+-sqrt(6/fan_in))",
    ),
    _row(
        "HeNormal",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=truncated_normal)",
        "truncated: not PyTorch's untruncated kaiming_normal_",
    ),
    _row(
        "Orthogonal",
        {},
        "orthogonal(gain=1)",
        "QR of a Gaussian (prod(shape[:-1]), shape[-1]) matrix with R's diagonal signs fixed: Haar",
    ),
    _row("Orthogonal(gain=2)", {"gain": 2.0}, "orthogonal(gain=2)"),
)

EXCLUDED: tuple[Excluded, ...] = (
    Excluded(
        "Identity", "keras.initializers:Identity", "not random: gain times the identity matrix"
    ),
    Excluded("STFT", "keras.initializers:STFT", "not random: Fourier basis kernels"),
    Excluded(
        "snake_case aliases (he_normal, glorot_uniform, ...)",
        "keras.initializers:he_normal",
        "the same classes as HeNormal, GlorotUniform, ...",
    ),
)
