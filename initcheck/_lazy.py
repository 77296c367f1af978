"""Public names served on first use, so that importing a package imports almost nothing.

A package lists its names in a table ``{name: module}`` and serves them with
:func:`lazy_getattr`, a module-level ``__getattr__`` (PEP 562) that imports the
defining module the first time a name is read and then caches the object in the
package's namespace (later reads are plain attribute lookups). Names that are
not in the table go to ``fallback``: another ``__getattr__``, e.g. the one
:func:`initcheck._deprecations.module_getattr` builds for renamed names::

    _LAZY: Lazy = {"check": ".verdict"}
    _RENAMED: Renamed = {"old_check": ("initcheck.check", lambda: __getattr__("check"))}

    __getattr__ = lazy_getattr(__name__, globals(), _LAZY, fallback=module_getattr(__name__, _RENAMED))
    __dir__ = lazy_dir(globals(), _LAZY)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["Lazy", "lazy_dir", "lazy_getattr"]

#: public name -> the module that defines it (absolute, or relative to the package: ``".verdict"``)
Lazy = dict[str, str]


def lazy_getattr(
    package: str,
    namespace: dict[str, Any],
    table: Lazy,
    *,
    fallback: Callable[[str], Any] | None = None,
) -> Callable[[str], Any]:
    """A module ``__getattr__`` serving ``table``'s names from their modules, imported on first use.

    Args:
        package: the package's ``__name__`` (relative module names resolve against it).
        namespace: the package's ``globals()``: a name read once is stored there.
        table: ``{name: module}``.
        fallback: called for a name not in ``table``; without one, such a name
            raises :class:`AttributeError`.
    """
    def __getattr__(name: str) -> Any:
        home = table.get(name)
        if home is None:
            if fallback is not None:
                return fallback(name)
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, package), name)
        namespace[name] = value
        return value

    return __getattr__


def lazy_dir(namespace: dict[str, Any], *tables: Lazy) -> Callable[[], list[str]]:
    """A module ``__dir__``: the names already in ``namespace`` and those the tables will serve."""
    def __dir__() -> list[str]:
        names = set(namespace)
        for table in tables:
            names.update(table)
        return sorted(names)

    return __dir__
