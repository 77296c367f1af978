"""Deprecated name of the intervals moved to :mod:`initcheck.stats.intervals`."""

from __future__ import annotations

from .._deprecations import module_getattr
from ..stats import intervals as _intervals

__getattr__ = module_getattr(__name__, {
    name: (f"initcheck.stats.intervals.{name}", lambda name=name: getattr(_intervals, name))
    for name in ("clopper_pearson", "t_interval")
})
