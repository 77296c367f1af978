"""Renamed public names, in one place: the old name keeps working for one release.

A module that renamed something lists it in a table ``{old: (new, getter)}`` and
serves it through :func:`module_getattr`; the first use of an old name warns once
with a :class:`DeprecationWarning` that names the new one. The docs' "Changes"
page lists every entry (``tests/docs`` holds the two together).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["REMOVED_IN", "TABLES", "Renamed", "module_getattr", "warn_renamed"]

REMOVED_IN = "0.3"  # the release in which the old names go

#: old name -> (new name, a function returning the object the new name names)
Renamed = dict[str, tuple[str, Callable[[], Any]]]

_warned: set[str] = set()

#: every table served by :func:`module_getattr`, by module (filled as modules load)
TABLES: dict[str, Renamed] = {}


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn once per process that ``old`` is now ``new``."""
    if old in _warned:
        return
    _warned.add(old)
    warnings.warn(f"{old} is deprecated and will be removed in initcheck {REMOVED_IN}: use {new}",
                  DeprecationWarning, stacklevel=stacklevel)


def module_getattr(module: str, table: Renamed) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` serving the old names of ``table`` (with one warning each)."""
    TABLES[module] = table
    def __getattr__(name: str) -> Any:
        if name in table:
            new, get = table[name]
            warn_renamed(f"{module}.{name}", new)
            return get()
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    return __getattr__
