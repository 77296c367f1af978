"""Shape tests: everything beyond the first moments that tells one law from another.

One import place for the tests on the law's shape, which live in modules
of their own concept:

- EDF tests, :mod:`initcheck.stats.edf`: :func:`ks_test`, :func:`ad_test`
  (Anderson–Darling, the tail-sensitive one; ``cvm`` is not provided).
- Support and extremes, :mod:`initcheck.stats.support`: :func:`support_test`,
  :func:`constant_test`, :func:`bound_reach_test`, :func:`extremes_test`.
- Repeated values, :mod:`initcheck.stats.atoms`: :func:`atoms_test`.
"""

from __future__ import annotations

# ruff: noqa: I001 - one import per line, as the public API lists it

from initcheck.stats.atoms import atoms_test
from initcheck.stats.edf import ad_test
from initcheck.stats.edf import ks_test
from initcheck.stats.support import bound_reach_test
from initcheck.stats.support import constant_test
from initcheck.stats.support import extremes_test
from initcheck.stats.support import support_test

__all__ = [
    "ad_test",
    "atoms_test",
    "bound_reach_test",
    "constant_test",
    "extremes_test",
    "ks_test",
    "support_test",
]
