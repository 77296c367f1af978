"""Adapters: turn any library's initializer into an initcheck sampler.

``load_target("torch.nn.init:xavier_uniform_")`` imports what a command line
names; ``adapt(obj, **kwargs)`` recognizes what it is and returns an
:class:`Adapted`, a sampler ``(shape, seed) -> numpy array`` with the
framework's native layout. Frameworks are imported only when an object of
theirs is adapted: importing :mod:`initcheck.adapters` imports none of them.

Recognized, with the native layout each gets:

- ``torch`` (layout torch): ``torch.nn.init.*_`` (first parameter ``tensor``);
  module classes ``nn.Linear``, ``nn.ConvNd``, ``nn.ConvTransposeNd``,
  ``nn.Embedding`` (their default initialization).
- ``jax``, ``flax`` (layout keras): initializers ``init(key, shape, dtype)``
  and factories that return one (``glorot_normal``, ``variance_scaling``, ...).
- ``keras`` (layout keras): ``keras.initializers`` classes and instances
  (re-seeded per draw).
- ``tensorflow`` (layout keras): ``tf.*_initializer`` classes and instances,
  ``tf.keras``, ``tf.random.stateless_*`` and ``tf.random.normal/uniform/truncated_normal``.
- ``mxnet`` (layout torch): ``mx.init`` classes and instances.
- plain (layout torch): any other callable ``sampler(shape, seed)``.

Ranks: an :class:`Adapted` names the ranks of the shapes it can build
(``Adapted.ranks``: ``torch.nn.Linear`` 2, ``Conv2d`` 4, ``Conv3d`` 5, a
bias 1; None for an initializer that takes any shape). A plain sampler
declares its own with an attribute, ``sampler.ranks = (2,)``, which
:func:`adapt` carries over. :func:`initcheck.check` draws only the default
shapes of those ranks.

Outside the framework packages, a callable whose first parameter is named
``tensor`` is taken for a PyTorch-style in-place initializer (e.g. timm's
``trunc_normal_``), and one whose first two are ``key, shape`` (or
``rng, shape``) for a JAX-style initializer.

Global random state: the PyTorch adapter draws inside
``torch.random.fork_rng`` and passes a seeded ``torch.Generator`` where the
function takes one, so PyTorch's global generator is left as it was. JAX and
Keras (with an integer seed) have none to touch. MXNet's initializers draw
only from MXNet's global generator, which has no way to save and restore its
state: each MXNet draw calls ``mx.random.seed(seed)`` and leaves the generator
seeded so. TensorFlow's stateful ``tf.random.normal``-style functions draw
after ``tf.random.set_seed(seed)``; the previous global seed is restored after
the draw (which also restarts TensorFlow's per-op seed counters).
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import os
import sys
from types import ModuleType
from typing import Any

import numpy as np

from initcheck import validate
from initcheck.adapters._common import (
    PLAIN,
    Adapted,
    ConformanceRow,
    Excluded,
    Framework,
    parse_options,
    qualified_name,
)
from initcheck.errors import FrameworkNotInstalled, UsageError, expected

__all__ = [
    "FRAMEWORKS",
    "Adapted",
    "ConformanceRow",
    "Excluded",
    "Framework",
    "adapt",
    "conformance",
    "excluded",
    "load_target",
    "parse_options",
    "require",
]

#: every framework initcheck adapts, with its pip extra, native layout and adapter module
FRAMEWORKS: dict[str, Framework] = {
    "torch": Framework("torch", "torch", "torch", "torch", "torch"),
    "jax": Framework("jax", "jax", "keras", "jax", "jax"),
    "flax": Framework("flax", "flax", "keras", "flax", "jax", "FLAX_CONFORMANCE"),
    "keras": Framework("keras", "keras", "keras", "keras", "keras"),
    "tensorflow": Framework("tensorflow", "tensorflow", "keras", "tensorflow", "tensorflow"),
    "mxnet": Framework("mxnet", "mxnet", "torch", "mxnet", "mxnet"),
}

# Top-level module -> framework whose adapter handles its objects.
_ROOTS = {
    "torch": "torch",
    "jax": "jax",
    "jaxlib": "jax",
    "flax": "flax",
    "keras": "keras",
    "tf_keras": "tensorflow",
    "tensorflow": "tensorflow",
    "mxnet": "mxnet",
}

# Short names people write for a module: tried only when the name itself does not import.
_ALIASES = {"tf": "tensorflow", "mx": "mxnet"}

_WHAT = (
    "a sampler (shape, seed) -> array, or an initializer from torch, jax, flax, keras, "
    "tensorflow or mxnet"
)


def _framework(name: str) -> Framework:
    if name not in FRAMEWORKS:
        raise expected("framework", name, f"one of {', '.join(FRAMEWORKS)}")
    return FRAMEWORKS[name]


def _adapter(framework: str) -> Any:
    return importlib.import_module(f"initcheck.adapters.{_framework(framework).adapter}")


def conformance(framework: str) -> tuple[ConformanceRow, ...]:
    """The conformance table of ``framework``: each initializer and its promised law.

    Reading a table does not import the framework.

    Raises:
        UsageError: unknown framework.
    """
    fw = _framework(framework)
    return tuple(getattr(_adapter(framework), fw.table))


def excluded(framework: str) -> tuple[Excluded, ...]:
    """The initializers ``framework`` ships that its table leaves out, with the reason."""
    fw = _framework(framework)
    name = "FLAX_EXCLUDED" if fw.table == "FLAX_CONFORMANCE" else "EXCLUDED"
    return tuple(getattr(_adapter(framework), name, ()))


# --- load_target ----------------------------------------------------------------------


def _hint(root: str) -> str:
    fw = FRAMEWORKS.get(_ROOTS.get(root, ""))
    if fw is None:
        return ""
    return f" (install it: {fw.install_hint})"


def require(framework: str, *, needed_by: str = "") -> ModuleType:
    """Import ``framework``'s top-level module, or say how to install it.

    Args:
        framework: a key of :data:`FRAMEWORKS` (``"torch"``, ``"keras"`` ...).
        needed_by: what needs it, for the message (``"needed for target 'torch.nn:Linear'"``).

    Returns:
        The module (``torch``, ``jax``, ``flax``, ``keras``, ``tensorflow``, ``mxnet``).

    Raises:
        FrameworkNotInstalled: it, or a module it imports, is not installed.
        UsageError: it is installed but fails to import (e.g. MXNet 1.9.1 with numpy 2).
    """
    fw = _framework(framework)
    _prepare(fw.module)
    try:
        return importlib.import_module(fw.module)
    except ModuleNotFoundError as exc:
        raise FrameworkNotInstalled(fw.name, fw.extra, exc.name, needed_by, fw.install_note) from exc
    except Exception as exc:
        context = f" ({needed_by})" if needed_by else ""
        raise UsageError(f"{fw.name} is installed but fails to import{context}: "
                         f"{type(exc).__name__}: {exc} (install it: {fw.install_hint})") from exc


def _prepare(root: str) -> None:
    """Keras 3 defaults to the TensorFlow backend; without TensorFlow, pick JAX."""
    if root != "keras" or "keras" in sys.modules or os.environ.get("KERAS_BACKEND"):
        return
    if (
        importlib.util.find_spec("tensorflow") is None
        and importlib.util.find_spec("jax") is not None
    ):
        os.environ["KERAS_BACKEND"] = "jax"


def _import_longest(parts: list[str], text: str) -> tuple[Any, list[str]]:
    """Import the longest importable prefix of ``parts``; return it and the rest."""
    root = parts[0]
    if root in _ALIASES and importlib.util.find_spec(root) is None:
        parts = [_ALIASES[root], *parts[1:]]
        root = parts[0]
    if root in _ROOTS:
        require(_ROOTS[root], needed_by=f"needed for target {text!r}")
    missing: ModuleNotFoundError | None = None
    for i in range(len(parts), 0, -1):
        name = ".".join(parts[:i])
        try:
            return importlib.import_module(name), parts[i:]
        except ModuleNotFoundError as exc:
            gone = exc.name or ""
            if gone and (name == gone or name.startswith(gone + ".")):
                missing = exc  # this module (or a parent) does not exist: try a shorter prefix
                continue
            raise UsageError(
                f"target={text!r}: module {name!r} failed to import: {exc}{_hint(root)}"
            ) from exc
        except Exception as exc:
            raise UsageError(
                f"target={text!r}: module {name!r} failed to import: "
                f"{type(exc).__name__}: {exc}{_hint(root)}"
            ) from exc
    raise UsageError(
        f"target={text!r}: module {root!r} is not importable: {missing}{_hint(root)}"
    ) from missing


def load_target(text: str) -> object:
    """Import what ``text`` names: ``module:attr`` or ``module.attr``.

    After the colon a dotted attribute path is allowed
    (``tensorflow:keras.initializers.HeNormal``); without a colon the longest
    importable module prefix is imported and the rest are attributes.
    ``tf.`` and ``mx.`` stand for ``tensorflow.`` and ``mxnet.``. When Keras is
    imported here with no ``KERAS_BACKEND`` set, no TensorFlow installed and
    JAX installed, ``KERAS_BACKEND`` is set to ``jax``.

    Args:
        text: e.g. ``"torch.nn.init:xavier_uniform_"``, ``"jax.nn.initializers.glorot_normal"``,
            ``"keras.initializers:HeNormal"``, ``"mypkg.inits:my_sampler"``.

    Returns:
        The callable object (function, class or instance).

    Raises:
        UsageError: malformed text, module not importable (with an install hint
            for a known framework), attribute missing, or not callable.

    >>> load_target("initcheck.init:xavier_uniform").__name__
    'xavier_uniform'
    """
    if not isinstance(text, str) or not text.strip():
        raise expected(
            "target", text, "module:attr or module.attr, e.g. torch.nn.init:xavier_uniform_"
        )
    text = text.strip()
    module_part, colon, attr_part = text.partition(":")
    mod_parts = module_part.split(".")
    attr_parts = attr_part.split(".") if colon else []
    if not all(p.isidentifier() for p in mod_parts + attr_parts) or (colon and not attr_part):
        raise expected(
            "target", text, "module:attr or module.attr, e.g. torch.nn.init:xavier_uniform_"
        )
    module, rest = _import_longest(mod_parts, text)
    path = rest + attr_parts
    if not path:
        raise expected("target", text, "module:attr naming a callable, not a module")
    obj: Any = module
    done = module.__name__
    for part in path:
        if not hasattr(obj, part):
            raise UsageError(f"target={text!r}: {done!r} has no attribute {part!r}")
        obj = getattr(obj, part)
        done = f"{done}.{part}"
    if inspect.ismodule(obj):
        raise UsageError(f"target={text!r}: {done!r} is a module, not callable: expected {_WHAT}")
    if not callable(obj):
        raise UsageError(
            f"target={text!r}: {done!r} is not callable ({type(obj).__name__}): expected {_WHAT}"
        )
    return obj


# --- adapt ------------------------------------------------------------------------------


def _roots(obj: object) -> list[str]:
    """Top-level modules of obj's definition (and, for classes, of its bases)."""
    target = getattr(obj, "func", None) if type(obj).__name__ == "partial" else None
    target = target if target is not None else obj
    classes: tuple[type, ...] = ()
    if inspect.isclass(target):
        classes = target.__mro__
    elif not inspect.isroutine(target):
        classes = type(target).__mro__
    modules = (
        [getattr(target, "__module__", None)] if not classes else [c.__module__ for c in classes]
    )
    return [m.split(".")[0] for m in modules if isinstance(m, str)]


def _which(obj: object) -> str | None:
    for root in _roots(obj):
        if root in _ROOTS:
            return _ROOTS[root]
    from initcheck.adapters._common import parameter_names

    names = parameter_names(obj) if callable(obj) else None
    if names and names[0] == "tensor":
        return "torch"
    if names and len(names) >= 2 and names[0] in ("key", "rng", "prng_key") and names[1] == "shape":
        return "jax"
    return None


def adapt(
    obj: object,
    *,
    layout: str | None = None,
    dtype: Any = None,
    **kwargs: Any,
) -> Adapted:
    """Recognize ``obj`` and turn it into a sampler.

    Args:
        obj: a plain sampler ``(shape, seed) -> array``, or an initializer from
            PyTorch, JAX/Flax, Keras, TensorFlow or MXNet (function, factory,
            class or instance: see the module docstring).
        layout: override the native layout reported in the result (e.g. a
            plain sampler that draws Keras-layout weights: ``layout="keras"``).
        dtype: the dtype to draw in (a name such as ``"float64"``, or the
            framework's dtype object); default float32 for frameworks.
        **kwargs: the initializer's keyword arguments, passed where they belong
            (a PyTorch function's call, a JAX factory, a Keras or MXNet class's
            constructor, a plain sampler's call), plus adapter options:
            ``param="weight"|"bias"`` and ``fan_in=`` for PyTorch module
            classes, ``param`` for MXNet.

    Returns:
        An :class:`Adapted`; calling it draws.

    Raises:
        UsageError: ``obj`` is not a sampler nor an initializer an adapter
            recognizes, or cannot be constructed from ``kwargs``. A
            recognized initializer that misbehaves when drawing is not a
            usage error: the sampler raises or returns what it does.

    Example: suppose we want to check initcheck's own reference Xavier
    initializer, named on a command line with a gain of 2 (a factory of
    :mod:`initcheck.init` is called with the keyword arguments):

    >>> a = adapt(load_target("initcheck.init:xavier_uniform"), gain=2.0)
    >>> a.framework, a.layout, a.name
    ('python', 'torch', 'xavier_uniform(gain=2.0)')
    >>> a((64, 32), seed=0).shape
    (64, 32)

    With PyTorch installed, ``adapt(torch.nn.init.xavier_uniform_, gain=2.0)``
    draws ``torch.nn.init.xavier_uniform_(torch.empty(shape), gain=2.0,
    generator=torch.Generator().manual_seed(seed))``.
    """
    if layout is not None:
        from initcheck.fans import compute_fans

        compute_fans((1, 1), layout)  # validates the name
    if isinstance(obj, Adapted):
        if kwargs or dtype is not None:
            raise expected("kwargs", kwargs, "none for an already adapted sampler")
        return obj if layout is None else dataclasses.replace(obj, layout=layout)
    if inspect.ismodule(obj) or not callable(obj):
        raise UsageError(f"{obj!r} (type {type(obj).__name__}): expected {_WHAT}")
    framework = _which(obj)
    if framework is None:
        adapted = _reference(obj, layout, dtype, kwargs) or _plain(obj, dtype, kwargs)
    else:  # a look-alike (first parameter tensor, or key, shape) may come without its framework
        require(framework, needed_by=f"{qualified_name(obj)} looks like a {framework} initializer")
        adapted = _adapter(framework).adapt(obj, dtype=dtype, **kwargs)
    if layout is not None:
        adapted = dataclasses.replace(adapted, layout=layout)
    return adapted


def _reference(obj: Any, layout: str | None, dtype: Any, kwargs: dict[str, Any]) -> Adapted | None:
    """A factory of :mod:`initcheck.init` (``xavier_uniform``): build its Initializer."""
    from initcheck import init
    from initcheck.adapters._common import accepts, construct

    if not inspect.isfunction(obj) or getattr(obj, "__module__", None) != init.__name__:
        return None
    if obj.__name__ not in init.__all__ or obj.__name__ in ("calculate_gain",):
        return None
    args = dict(kwargs)
    if layout is not None and accepts(obj, "layout"):
        args["layout"] = layout
    made = construct(obj.__name__, obj, **args)
    if not isinstance(made, init.Initializer):
        return None
    if dtype is not None:
        made = made.with_dtype(dtype)
    return Adapted(made, layout or "torch", PLAIN, str(made), np.dtype(made.dtype).name)


def _plain(obj: Any, dtype: Any, kwargs: dict[str, Any]) -> Adapted:
    from initcheck.adapters._common import display_name, qualified_name

    if dtype is not None:
        raise expected("dtype", dtype, "no dtype for a plain sampler (it draws in its own dtype)")
    name = display_name(qualified_name(obj), kwargs)
    ranks = validate.ranks(getattr(obj, "ranks", None))  # a plain sampler declares its own
    if not kwargs:
        return Adapted(obj, "torch", PLAIN, name, None, ranks)
    fixed = dict(kwargs)

    def sampler(shape: tuple[int, ...], seed: int) -> Any:
        return obj(shape, seed, **fixed)

    return Adapted(sampler, "torch", PLAIN, name, None, ranks)
