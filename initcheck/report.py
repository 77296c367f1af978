"""Deprecated name of renamed :mod:`initcheck.render` (tables and JSON)."""

from __future__ import annotations

from . import render as _render
from ._deprecations import module_getattr

__getattr__ = module_getattr(__name__, {
    name: (f"initcheck.render.{name}", lambda name=name: getattr(_render, name)) for name in ("jsonable", "table")
})
