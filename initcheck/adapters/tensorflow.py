"""TensorFlow: its own initializers, ``tf.keras``, and ``tf.random`` functions.

* ``tf.random_normal_initializer``, ``tf.random_uniform_initializer``,
  ``tf.zeros_initializer``, ... (``init_ops_v2``), and Keras 2 (``tf_keras``)
  classes or instances: rebuilt per draw with ``seed=seed`` like Keras
  initializers (:func:`initcheck.adapters.keras.adapt_configurable`); with a
  seed they use stateless ops, so no global state is touched.
* ``tf.keras.initializers`` in TensorFlow >= 2.16 *is* Keras 3: those classes
  are adapted by :mod:`initcheck.adapters.keras` (framework ``keras``, on the
  backend Keras was started with).
* ``tf.random.stateless_normal`` / ``stateless_uniform`` /
  ``stateless_truncated_normal``: ``fn(shape, seed=[seed, 0], dtype=dtype, **kwargs)``.
* stateful ``tf.random.normal`` / ``uniform`` / ``truncated_normal`` and TF1
  ``tf.compat.v1`` initializers: drawn after ``tf.random.set_seed(seed)`` with
  op seed ``seed``; the previous global seed is restored afterwards (which also
  restarts TensorFlow's per-op counters: the one global effect). TensorFlow
  reduces both seeds modulo 2**31 - 1, which would give seeds ``s`` and
  ``s + 2**31 - 1`` one stream: :func:`stateful_seed` passes seeds below
  2**31 - 1 unchanged (``tf.random.set_seed(7)`` and op seed 7 replay seed 7)
  and hashes larger ones into that range. The TF1
  factories ``tf.compat.v1.initializers.he_normal`` / ``he_uniform`` /
  ``lecun_normal`` / ``lecun_uniform`` (functions of ``seed`` returning a
  ``VarianceScaling``) are called with ``seed=seed`` for every draw.

``dtype`` is a TensorFlow dtype or its name (default float32); bfloat16 is
returned as float32. Layout: ``keras`` (``(*k, in, out)``).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

import numpy as np

from initcheck.adapters._common import (
    Adapted,
    ConformanceRow,
    Excluded,
    check_seed,
    construct,
    display_name,
    parameter_names,
    qualified_name,
    seed32,
    shape_tuple,
    to_numpy,
)
from initcheck.adapters.keras import adapt_configurable
from initcheck.errors import UsageError, expected

__all__ = ["CONFORMANCE", "EXCLUDED", "adapt", "global_seed", "stateful_seed"]

LAYOUT = "keras"
#: TensorFlow takes global and op seeds modulo this (``random_seed._truncate_seed``)
STATEFUL_SEEDS = 2**31 - 1


def _dtype(dtype: Any) -> Any:
    import tensorflow as tf

    try:
        dt = tf.as_dtype("float32" if dtype is None else dtype)
    except TypeError as exc:
        raise expected(
            "dtype", dtype, "a TensorFlow floating dtype such as float32 or float64"
        ) from exc
    if not dt.is_floating:
        raise expected("dtype", dtype, "a TensorFlow floating dtype such as float32 or float64")
    return dt


def stateful_seed(seed: object) -> int:
    """The global and op seed of a stateful draw for initcheck seed ``seed``.

    Seeds below ``2**31 - 1`` are passed unchanged; larger ones are hashed
    with numpy's ``SeedSequence`` into ``[0, 2**31 - 1)``, where TensorFlow
    does not reduce them further (two seeds then collide with probability
    about 2**-31, instead of every ``s`` with ``s + 2**31 - 1``).

    >>> stateful_seed(7), stateful_seed(2**31 - 2), stateful_seed(2**31 - 1) < 2**31 - 1
    (7, 2147483646, True)
    """
    s = check_seed(seed)
    if s < STATEFUL_SEEDS:
        return s
    return int(np.random.SeedSequence(s).generate_state(1, dtype=np.uint64)[0]) % STATEFUL_SEEDS


@contextlib.contextmanager
def global_seed(seed: int) -> Iterator[None]:
    """Run the body after ``tf.random.set_seed(seed)``; restore the previous global seed after."""
    import tensorflow as tf
    from tensorflow.python.eager import context

    old = context.global_seed()
    tf.random.set_seed(seed)
    try:
        yield
    finally:
        tf.random.set_seed(old)


def _public(obj: Any) -> str:
    """``tf.random.normal``-style public name of ``obj``, else its qualified name.

    TF1 objects are named as ``tf.compat.v1.glorot_uniform_initializer`` where
    such a name exists, else as ``tf.compat.v1.initializers.he_normal``. Only
    names ending in ``_initializer`` are looked up in ``tf.compat.v1``: reading
    its other attributes would import lazily loaded modules.
    """
    import tensorflow as tf

    v1 = tf.compat.v1
    for prefix, space, wanted in (
        ("tf.random.", tf.random, ""),
        ("tf.", tf, ""),
        ("tf.compat.v1.", v1, "_initializer"),
        ("tf.compat.v1.initializers.", v1.initializers, ""),
    ):
        for attr in dir(space):
            if attr.startswith("_") or not attr.endswith(wanted):
                continue
            if getattr(space, attr, None) is obj:
                return prefix + attr
    return qualified_name(obj)


def _is_initializer(obj: Any) -> bool:
    cls = obj if inspect.isclass(obj) else type(obj)
    return any(c.__name__ == "Initializer" for c in cls.__mro__)


def _is_factory(obj: Any) -> bool:
    """A TF1 function of ``seed`` (no ``shape``) that returns an initializer: ``he_normal``."""
    names = parameter_names(obj) or []
    return (
        inspect.isfunction(obj)
        and getattr(obj, "__module__", "").endswith(".init_ops")
        and "seed" in names
        and "shape" not in names
    )


def adapt(obj: Any, *, dtype: Any = None, **kwargs: Any) -> Adapted:
    """Adapt a TensorFlow initializer or ``tf.random`` function (see the module docstring).

    Raises:
        UsageError: not one of those, bad keyword arguments or dtype.
    """
    dt = _dtype(dtype)
    cls = obj if inspect.isclass(obj) else type(obj)
    if _is_factory(obj):
        return _factory(obj, dt, kwargs)
    if _is_initializer(obj):
        stateful = cls.__module__.endswith(".init_ops")  # TF1 tf.compat.v1 initializers
        adapted = adapt_configurable(
            obj,
            dtype_name=dt.name,
            kwargs=kwargs,
            framework="tensorflow",
            convert=to_numpy,
            dtype_arg=dt,
            public_name=_public(cls),
        )
        if not stateful:
            return adapted
        inner = adapted.sampler

        def reseeded(shape: tuple[int, ...], seed: int) -> Any:
            s = stateful_seed(seed)  # below 2**32: the inner op seed is s as well
            with global_seed(s):
                return inner(shape, s)

        return Adapted(reseeded, LAYOUT, "tensorflow", adapted.name, adapted.dtype_name)
    names = parameter_names(obj) or []
    if inspect.isroutine(obj) and names[:1] == ["shape"] and "seed" in names:
        return _random_function(obj, dt, kwargs)
    raise UsageError(
        f"{qualified_name(obj)}: expected a TensorFlow initializer (tf.random_normal_initializer, "
        "tf.keras.initializers.HeNormal, ...) or a tf.random function taking shape and seed"
    )


def _factory(fn: Any, dt: Any, kwargs: dict[str, Any]) -> Adapted:
    """A TF1 factory such as ``tf.compat.v1.initializers.he_normal``: ``fn(seed=seed, **kwargs)``.

    Each draw calls the factory with the seed and draws from what it returns,
    under ``tf.random.set_seed(seed)`` like every TF1 initializer.
    """
    name = display_name(_public(fn), kwargs)
    if "seed" in kwargs:
        raise expected("seed", kwargs["seed"], "no seed keyword: the sampler seeds every draw")
    made = construct(name, lambda: fn(seed=0, **kwargs))
    if not _is_initializer(made):
        raise UsageError(
            f"{name}: expected a factory returning a TensorFlow initializer, "
            f"got {type(made).__name__}"
        )

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        s = stateful_seed(seed)
        with global_seed(s):
            return to_numpy(fn(seed=s, **kwargs)(shape_tuple(shape), dtype=dt))

    return Adapted(sampler, LAYOUT, "tensorflow", name, dt.name)


def _random_function(fn: Any, dt: Any, kwargs: dict[str, Any]) -> Adapted:
    name = display_name(_public(fn), kwargs)
    if "seed" in kwargs or "shape" in kwargs:
        raise expected(
            "kwargs", sorted(kwargs), f"no shape= or seed= for {name}: the sampler sets them"
        )
    stateless = getattr(fn, "__name__", "").startswith("stateless")
    takes_dtype = "dtype" in (parameter_names(fn) or [])
    extra = {**kwargs, "dtype": dt} if takes_dtype else dict(kwargs)
    try:
        inspect.signature(fn).bind((1,), seed=0, **extra)
    except TypeError as exc:
        raise UsageError(f"{name}: bad keyword arguments: {exc}") from exc

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        dims = shape_tuple(shape)
        if stateless:
            return to_numpy(fn(dims, seed=[seed32(seed), 0], **extra))
        s = stateful_seed(seed)
        with global_seed(s):
            return to_numpy(fn(dims, seed=s, **extra))

    return Adapted(sampler, LAYOUT, "tensorflow", name, dt.name)


# --- conformance table --------------------------------------------------------------------

_FANS = (
    "TensorFlow/Keras fans: weight (*k, in, out), fan_in = shape[-2]*prod(k), fan_out = shape[-1]*prod(k); "
    "in VarianceScaling 'normal' means truncated normal (cut at +-2 parent std, variance corrected by 0.8796); "
    "tf.random.normal and random_normal_initializer are untruncated, tf.random.truncated_normal cuts at 2 std "
    "without correction"
)


def _row(
    name: str, target: str, kwargs: dict[str, Any], law: str, note: str = ""
) -> ConformanceRow:
    return ConformanceRow(name, target, kwargs, law, f"{_FANS}. {note}" if note else f"{_FANS}.")


def _v1(
    attr: str, kwargs: dict[str, Any], law: str, note: str = "", *, random: bool = True
) -> ConformanceRow:
    """A row for ``tf.compat.v1.<attr>``; its name shows the keyword arguments."""
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    name = f"compat.v1.{attr}({args})" if args else f"compat.v1.{attr}"
    parts = [note] if note else []
    if random:
        parts.append("TF1 stateful ops: drawn after tf.random.set_seed(seed) with the same op seed")
    return _row(name, f"tensorflow.compat.v1:{attr}", kwargs, law, "; ".join(parts))


CONFORMANCE: tuple[ConformanceRow, ...] = (
    _row(
        "random_normal_initializer",
        "tensorflow:random_normal_initializer",
        {},
        "normal(mean=0, std=0.05)",
        "defaults mean=0.0, stddev=0.05",
    ),
    _row(
        "random_uniform_initializer",
        "tensorflow:random_uniform_initializer",
        {},
        "uniform(a=0.05)",
        "defaults minval=-0.05, maxval=0.05",
    ),
    _row("zeros_initializer", "tensorflow:zeros_initializer", {}, "zeros"),
    _row("ones_initializer", "tensorflow:ones_initializer", {}, "ones"),
    _row(
        "constant_initializer(0.5)",
        "tensorflow:constant_initializer",
        {"value": 0.5},
        "constant(value=0.5)",
        "default value is 0",
    ),
    _row("stateless_normal", "tensorflow.random:stateless_normal", {}, "normal(mean=0, std=1)"),
    _row(
        "stateless_uniform",
        "tensorflow.random:stateless_uniform",
        {},
        "uniform(low=0, high=1)",
        "defaults minval=0, maxval=1 for floats",
    ),
    _row(
        "stateless_truncated_normal",
        "tensorflow.random:stateless_truncated_normal",
        {},
        "truncated_normal(mean=0, std=1, a=-2, b=2)",
        "cut at 2 stddev of the parent, no variance correction",
    ),
    _row(
        "random.normal (stateful)",
        "tensorflow.random:normal",
        {},
        "normal(mean=0, std=1)",
        "stateful: drawn after tf.random.set_seed(seed)",
    ),
    _row(
        "random.uniform (stateful)",
        "tensorflow.random:uniform",
        {},
        "uniform(low=0, high=1)",
        "stateful: drawn after tf.random.set_seed(seed)",
    ),
    _row(
        "random.truncated_normal (stateful)",
        "tensorflow.random:truncated_normal",
        {},
        "truncated_normal(mean=0, std=1, a=-2, b=2)",
        "stateful: drawn after tf.random.set_seed(seed)",
    ),
    _row(
        "keras.initializers.GlorotUniform",
        "tensorflow.keras.initializers:GlorotUniform",
        {},
        "xavier_uniform(gain=1)",
        "tf.keras is Keras 3 since TF 2.16: see the keras table",
    ),
    _row(
        "keras.initializers.HeNormal",
        "tensorflow.keras.initializers:HeNormal",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=truncated_normal)",
        "truncated, as in Keras",
    ),
    _row(
        "keras.initializers.TruncatedNormal",
        "tensorflow.keras.initializers:TruncatedNormal",
        {},
        "truncated_normal(mean=0, std=0.05, a=-0.1, b=0.1)",
        "as in Keras",
    ),
    # TF1 (tf.compat.v1, init_ops)
    _v1("zeros_initializer", {}, "zeros", random=False),
    _v1("ones_initializer", {}, "ones", random=False),
    _v1(
        "constant_initializer",
        {"value": 0.5},
        "constant(value=0.5)",
        "default value is 0",
        random=False,
    ),
    _v1(
        "random_normal_initializer",
        {},
        "normal(mean=0, std=1)",
        "TF1 default stddev=1.0, where TF2's tf.random_normal_initializer has 0.05",
    ),
    _v1(
        "random_uniform_initializer",
        {},
        "uniform(low=0, high=1)",
        "TF1 defaults minval=0, maxval=None (1 for floats), where TF2's has minval=-0.05, maxval=0.05",
    ),
    _v1(
        "truncated_normal_initializer",
        {},
        "truncated_normal(mean=0, std=1, a=-2, b=2)",
        "TF1 default stddev=1.0; cut at 2 stddev of the parent, no variance correction",
    ),
    _v1(
        "glorot_uniform_initializer",
        {},
        "xavier_uniform(gain=1)",
        "VarianceScaling(1, fan_avg, uniform)",
    ),
    _v1(
        "glorot_normal_initializer",
        {},
        "variance_scaling(scale=1, mode=fan_avg, distribution=truncated_normal)",
        "truncated: not the untruncated xavier_normal law",
    ),
    _v1(
        "variance_scaling_initializer",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        "defaults scale=1.0, mode='fan_in', distribution='truncated_normal'",
    ),
    _v1(
        "variance_scaling_initializer",
        {"distribution": "normal"},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        "'normal' is a deprecated alias of 'truncated_normal'",
    ),
    _v1(
        "variance_scaling_initializer",
        {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"},
        "variance_scaling(scale=2, mode=fan_out, distribution=untruncated_normal)",
    ),
    _v1(
        "variance_scaling_initializer",
        {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"},
        "variance_scaling(scale=0.5, mode=fan_avg, distribution=uniform)",
    ),
    _v1(
        "initializers.he_normal",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=truncated_normal)",
        "a function of seed returning VarianceScaling(2, fan_in, truncated_normal): truncated",
    ),
    _v1(
        "initializers.he_uniform",
        {},
        "variance_scaling(scale=2, mode=fan_in, distribution=uniform)",
        "a function of seed returning VarianceScaling(2, fan_in, uniform)",
    ),
    _v1(
        "initializers.lecun_normal",
        {},
        "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)",
        "a function of seed returning VarianceScaling(1, fan_in, truncated_normal): truncated",
    ),
    _v1(
        "initializers.lecun_uniform",
        {},
        "lecun_uniform",
        "a function of seed returning VarianceScaling(1, fan_in, uniform)",
    ),
    _v1(
        "uniform_unit_scaling_initializer",
        {},
        "lecun_uniform",
        "deprecated; U(+-sqrt(3/input_size)) with input_size = prod(shape[:-1]), which is fan_in for "
        "every kernel of rank >= 2 (for a vector it is 1, not its length)",
    ),
    _v1(
        "orthogonal_initializer",
        {},
        "orthogonal(gain=1)",
        "QR of a Gaussian (prod(shape[:-1]), shape[-1]) matrix (transposed when wide) with R's "
        "diagonal signs fixed: Haar",
    ),
    _v1("orthogonal_initializer", {"gain": 2.0}, "orthogonal(gain=2)"),
)

EXCLUDED: tuple[Excluded, ...] = (
    Excluded(
        "tf.keras.initializers (all)",
        "tensorflow.keras.initializers:HeNormal",
        "the Keras 3 classes: the keras table covers them (three rows here show tf.keras resolves to them)",
    ),
    Excluded(
        "compat.v1.initializers.identity",
        "tensorflow.compat.v1:initializers.identity",
        "not random: gain times the identity matrix",
    ),
    Excluded(
        "compat.v1 aliases (initializers.glorot_uniform, initializers.orthogonal, ...)",
        "tensorflow.compat.v1:initializers.glorot_uniform",
        "the same classes as glorot_uniform_initializer, orthogonal_initializer, ...",
    ),
    Excluded(
        "tf.random.Generator",
        "tensorflow.random:Generator",
        "a stateful generator object, not a function of (shape, seed): seed one with "
        "tf.random.Generator.from_seed(seed) inside a sampler of your own",
    ),
    Excluded(
        "stateless_parameterized_truncated_normal, stateless_gamma, stateless_poisson, ...",
        "tensorflow.random:stateless_gamma",
        "not weight initializers",
    ),
)
