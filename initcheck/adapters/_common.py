"""What every adapter shares: the adapted result, table rows, seeds, names, arrays.

Nothing here imports a framework.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from initcheck import validate
from initcheck.errors import UsageError, expected

__all__ = [
    "PLAIN",
    "Adapted",
    "ConformanceRow",
    "Excluded",
    "Framework",
    "check_seed",
    "construct",
    "parameter_names",
    "parse_options",
    "qualified_name",
    "seed32",
    "to_numpy",
]

#: the ``framework`` of an :class:`Adapted` plain sampler (no framework involved)
PLAIN = "python"

SamplerFn = Callable[[tuple[int, ...], int], Any]


@dataclass(frozen=True)
class Adapted:
    """A framework initializer turned into an initcheck sampler.

    Calling it is calling :attr:`sampler`: ``adapted(shape, seed) -> numpy array``.

    Attributes:
        sampler: ``sampler(shape, seed) -> array-like`` (the DESIGN.md contract).
        layout: the framework's native weight layout, for fans: ``"torch"``
            (``(out, in, *k)``: PyTorch, MXNet, plain samplers by default) or
            ``"keras"`` (``(*k, in, out)``: JAX, Flax, Keras, TensorFlow).
        framework: ``torch``, ``jax``, ``flax``, ``keras``, ``tensorflow``,
            ``mxnet``, or ``python`` for a plain sampler.
        name: what was adapted, e.g. ``torch.nn.init.xavier_uniform_(gain=2.0)``.
        dtype_name: the dtype the framework draws in (``"float32"`` ...), or
            ``None`` when the adapter does not choose it (plain samplers).
        ranks: the ranks of the shapes it can build, e.g. ``(2,)`` for
            ``torch.nn.Linear``'s weight, or ``None`` for any rank.
            :func:`initcheck.check` reads it (as it reads any sampler's
            ``ranks`` attribute) and keeps the default shapes of those ranks.
    """

    sampler: SamplerFn = field(repr=False)
    layout: str
    framework: str
    name: str
    dtype_name: str | None
    ranks: tuple[int, ...] | None = None

    def __call__(self, shape: tuple[int, ...], seed: int) -> Any:
        """Draw one array: ``self.sampler(shape, seed)``."""
        return self.sampler(shape, seed)


@dataclass(frozen=True)
class ConformanceRow:
    """One initializer a framework ships, and the law its documentation promises.

    Attributes:
        name: short display name, e.g. ``"xavier_uniform_"``.
        target: what :func:`initcheck.adapters.load_target` loads, e.g.
            ``"torch.nn.init:xavier_uniform_"``.
        kwargs: passed to :func:`initcheck.adapters.adapt` (the initializer's
            own keyword arguments and adapter options such as ``param``).
        law: the promised law in the ``--law`` grammar (DESIGN.md).
        note: the framework's fan convention and what its "normal" means,
            plus anything surprising about this initializer.
        shapes: the shapes to check it at, in the framework's layout, when the
            verdict's default shapes do not fit (a module class that only
            takes 2-D or 4-D weights, a bias of shape ``(out,)``); ``None``
            for the defaults.
    """

    name: str
    target: str
    kwargs: dict[str, Any]
    law: str
    note: str
    shapes: tuple[tuple[int, ...], ...] | None = None


@dataclass(frozen=True)
class Excluded:
    """An initializer a framework ships that its conformance table leaves out, and why."""

    name: str
    target: str
    reason: str


@dataclass(frozen=True)
class Framework:
    """A framework initcheck adapts.

    Attributes:
        name: ``torch``, ``jax``, ``flax``, ``keras``, ``tensorflow`` or ``mxnet``.
        extra: the pip extra that installs it: ``pip install 'initcheck[<extra>]'``.
        layout: its native weight layout (``torch`` or ``keras``).
        module: the top-level module it is imported as.
        adapter: the ``initcheck.adapters`` module that adapts it.
        table: the name of that module's conformance table.
    """

    name: str
    extra: str
    layout: str
    module: str
    adapter: str
    table: str = "CONFORMANCE"

    @property
    def install_note(self) -> str:
        """What else installing it takes, or ``""``."""
        if self.name == "mxnet":
            return "mxnet 1.9.1 needs numpy<1.24, so give it its own environment"
        return ""

    @property
    def install_hint(self) -> str:
        """How to install it, e.g. ``pip install 'initcheck[torch]'``, and the note if any."""
        hint = f"pip install 'initcheck[{self.extra}]'"
        return f"{hint}; {self.install_note}" if self.install_note else hint


# --- seeds ---------------------------------------------------------------------------


def check_seed(seed: object) -> int:
    """``seed`` as a non-negative int, or a UsageError (:func:`initcheck.validate.seed`)."""
    return validate.seed(seed)


def seed32(seed: object) -> int:
    """The 32-bit seed handed to a framework for initcheck seed ``seed``.

    Seeds below 2**32 are passed unchanged, so a draw can be replayed with the
    framework alone (``torch.manual_seed(7)``, ``jax.random.PRNGKey(7)``,
    ``HeNormal(seed=7)``, ``mx.random.seed(7)``). Larger seeds, which Keras,
    JAX and MXNet do not take, are hashed to 32 bits with numpy's
    ``SeedSequence`` (two seeds then collide with probability 2**-32).

    >>> seed32(7), seed32(2**32 - 1) == 2**32 - 1, seed32(2**40) < 2**32
    (7, True, True)
    """
    s = check_seed(seed)
    if s < 2**32:
        return s
    return int(np.random.SeedSequence(s).generate_state(1, dtype=np.uint32)[0])


# --- names, signatures, construction -------------------------------------------------


def qualified_name(obj: object) -> str:
    """``module.qualname`` of a function or class, or of an instance's class."""
    target = obj if inspect.isclass(obj) or inspect.isroutine(obj) else type(obj)
    module = getattr(target, "__module__", None) or ""
    qual = (
        getattr(target, "__qualname__", None) or getattr(target, "__name__", None) or repr(target)
    )
    return f"{module}.{qual}" if module else str(qual)


def display_name(base: str, kwargs: Mapping[str, Any]) -> str:
    """``base(k=v, ...)``, or ``base`` without kwargs."""
    if not kwargs:
        return base
    return f"{base}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def parameter_names(fn: Any) -> list[str] | None:
    """The parameter names of ``fn`` in order, or ``None`` if it has no signature."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return list(sig.parameters)


def accepts(fn: Any, name: str) -> bool:
    """Whether ``fn`` (a function or a class) names a parameter ``name``; ``**kwargs`` does not count."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name and p.kind is not inspect.Parameter.VAR_KEYWORD for p in params)


def construct(name: str, factory: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call ``factory(*args, **kwargs)``; a TypeError/ValueError there is the user's.

    Constructing an initializer from the user's keyword arguments is
    recognizing the target, so its errors are usage errors (exit 2), unlike
    errors raised later while drawing.
    """
    try:
        return factory(*args, **kwargs)
    except (TypeError, ValueError, KeyError) as exc:
        raise UsageError(
            f"{display_name(name, kwargs)}: cannot be constructed: {type(exc).__name__}: {exc}"
        ) from exc


# --- arrays ----------------------------------------------------------------------------


_NUMPY_FLOATS = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64, np.longdouble))


def to_numpy(out: Any) -> Any:
    """A framework array as a numpy array; ``None`` and non-arrays pass through.

    Floating dtypes numpy lacks (bfloat16, float8 from ``ml_dtypes``) become
    float32, which holds them exactly.
    """
    if out is None:
        return None
    try:
        arr = np.asarray(out)
    except Exception:  # noqa: BLE001 - a misbehaving initializer's output: let the verdict judge it
        return out
    if arr.dtype not in _NUMPY_FLOATS and "float" in arr.dtype.name:
        return arr.astype(np.float32)
    return arr


def shape_tuple(shape: Iterable[Any]) -> tuple[int, ...]:
    """``shape`` as a tuple of Python ints (frameworks reject numpy ints here and there)."""
    return tuple(int(d) for d in shape)


# --- command-line options ---------------------------------------------------------------


def _option_value(raw: str) -> Any:
    low = raw.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        value = float(raw)
    except ValueError:
        return raw.strip()
    return value if math.isfinite(value) else raw.strip()


def parse_options(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``key=value`` strings (from the command line) into keyword arguments.

    Integers, floats, ``true``/``false`` and ``none`` are converted; anything
    else stays a string (``mode=fan_out``, ``dtype=float64``, ``param=bias``).

    Raises:
        UsageError: an item without ``=`` or with an empty key.

    >>> parse_options(["gain=2", "mode=fan_out", "a=0.1", "fan_in=64"])
    {'gain': 2, 'mode': 'fan_out', 'a': 0.1, 'fan_in': 64}
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = str(item).partition("=")
        if not sep or not key.strip().isidentifier():
            raise expected("option", item, "key=value, e.g. gain=2.0 or mode=fan_out")
        out[key.strip()] = _option_value(raw)
    return out
