"""The errors initcheck raises on purpose: one root, and types that carry their data.

::

    InitcheckError                      every error initcheck raises on purpose
    └── UsageError (ValueError)         a user-supplied value is not what was expected
        └── FrameworkNotInstalled (ImportError)
                                        a framework initcheck adapts cannot be imported

The command line turns an :class:`InitcheckError` into exit code 2 and a single
line ``initcheck: error: ...``. A message names the value and what was
expected, e.g. ``shape=(0, 3): expected positive integer dimensions``; code
reads the attributes (``err.name``, ``err.framework`` ...), never the text.
A misbehaving *initializer* is not an error at all: it gets a verdict.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FrameworkNotInstalled", "InitcheckError", "UsageError", "expected"]


class InitcheckError(Exception):
    """The root of every error initcheck raises on purpose: ``except InitcheckError`` catches them all."""


class UsageError(InitcheckError, ValueError):
    """A user-supplied value is not what initcheck expected.

    Also a :class:`ValueError`, so ``except ValueError`` keeps working.

    Attributes:
        name: the name of the offending argument or field (``"alpha"``, ``"shape"`` ...),
            when the error was built by :func:`expected`; else ``None``.
        value: the value given (meaningful when ``name`` is set).
        expected: what was expected instead, in words (when ``name`` is set).
    """

    def __init__(
        self, message: str, *, name: str | None = None, value: Any = None, expected: str | None = None
    ) -> None:
        super().__init__(message)
        self.name = name
        self.value = value
        self.expected = expected


def expected(name: str, value: Any, what: str) -> UsageError:
    """Build the standard error: ``name=value: expected what``, with those three as attributes.

    >>> err = expected("alpha", 2.0, "a probability in (0, 1)")
    >>> str(err)
    'alpha=2.0: expected a probability in (0, 1)'
    >>> err.name, err.value, err.expected
    ('alpha', 2.0, 'a probability in (0, 1)')
    """
    return UsageError(f"{name}={value!r}: expected {what}", name=name, value=value, expected=what)


class FrameworkNotInstalled(UsageError, ImportError):
    """A framework initcheck adapts (PyTorch, JAX, Flax, Keras, TensorFlow, MXNet) is not installed.

    Raised when the framework, or a module it needs, is missing: naming a
    target in it, adapting a look-alike of its initializers, running its
    conformance matrix. A :class:`UsageError` (the remedy is the user's, and
    the command line exits 2) and an :class:`ImportError` (the code that
    guards an optional import with ``except ImportError`` keeps working).
    A framework that is installed but fails to import for another reason is a
    plain :class:`UsageError` with the same install hint.

    Attributes:
        framework: ``torch``, ``jax``, ``flax``, ``keras``, ``tensorflow`` or ``mxnet``.
        extra: the pip extra that installs it (``torch`` for ``pip install 'initcheck[torch]'``).
        install: the command that installs it, ``pip install 'initcheck[<extra>]'``.
        name: the module that was not found (:class:`ImportError`'s attribute):
            the framework's own, or one it imports (a Keras backend, say).
        needed_by: what needed it, in the message's parentheses, e.g.
            ``needed for target 'torch.nn.init:xavier_uniform_'``; or ``""``.
        note: what else to know to install it, or ``""``.

    >>> err = FrameworkNotInstalled("torch", "torch")
    >>> str(err)
    "torch is not installed: pip install 'initcheck[torch]'"
    >>> err.install, isinstance(err, ImportError)
    ("pip install 'initcheck[torch]'", True)
    """

    def __init__(
        self,
        framework: str,
        extra: str,
        missing: str | None = None,
        needed_by: str = "",
        note: str = "",
    ) -> None:
        module = missing or framework
        what = (f"{framework} is not installed" if module.split(".")[0] == framework
                else f"{framework} cannot be imported: its module {module!r} is not installed")
        context = f" ({needed_by})" if needed_by else ""
        install = f"pip install 'initcheck[{extra}]'"
        super().__init__(f"{what}{context}: {install}{'; ' + note if note else ''}", name=module)
        self.framework = framework
        self.extra = extra
        self.install = install
        self.needed_by = needed_by
        self.note = note

    def __reduce__(self) -> tuple[Any, ...]:  # the constructor's arguments are not the message
        return (type(self), (self.framework, self.extra, self.name, self.needed_by, self.note))
