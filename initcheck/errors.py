"""The one error type for a user's mistake (bad law, shape, layout, parameter ...).

A :class:`UsageError` is what the command line turns into exit code 2 and a
single line ``initcheck: error: ...``. Its message names the value and what
was expected, e.g. ``shape=(0, 3): expected positive integer dimensions``.
A misbehaving *initializer* is never a usage error: it gets a verdict.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UsageError", "expected"]


class UsageError(ValueError):
    """A user-supplied value is not what initcheck expected."""


def expected(name: str, value: Any, what: str) -> UsageError:
    """Build the standard message: ``name=value: expected what``.

    >>> str(expected("alpha", 2.0, "a probability in (0, 1)"))
    'alpha=2.0: expected a probability in (0, 1)'
    """
    return UsageError(f"{name}={value!r}: expected {what}")
