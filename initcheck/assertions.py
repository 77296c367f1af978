"""``assert_conforms``: a verdict as an assertion, for users' own tests.

Importing this module (or ``from initcheck import assert_conforms`` in a test
module) loads no engine: the first call does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import options
from ._deprecations import Renamed, module_getattr

if TYPE_CHECKING:
    from .verdict import Report

    defaults: dict[str, Any]  # deprecated: served by __getattr__ below, with a warning

__all__ = ["assert_conforms"]

# What ``assertions.defaults`` (deprecated) holds: nothing writes it any more, but a user's
# entries still apply, as they did, until the name goes.
_legacy_defaults: dict[str, Any] = {}

_RENAMED: Renamed = {
    "defaults": ("--initcheck-seed / --initcheck-alpha, or seed= / alpha= arguments",
                 lambda: _legacy_defaults),
}
if not TYPE_CHECKING:  # hidden from type checkers, which would otherwise accept any name
    __getattr__ = module_getattr(__name__, _RENAMED)


def assert_conforms(sampler: Callable[..., Any], claim: str, **kwargs: Any) -> Report:
    """Check ``sampler`` against ``claim`` and raise AssertionError unless it conforms.

    Keyword arguments go to :func:`initcheck.verdict.check` (``layout``,
    ``shapes``, ``seed``, ``alpha``, ``tolerance`` ...); ``seed`` and ``alpha``
    default to the pytest plugin's ``--initcheck-seed`` and ``--initcheck-alpha``
    in a pytest run (:func:`initcheck.options.active`), else to
    :mod:`initcheck.defaults`.

    >>> from initcheck import init
    >>> assert_conforms(init.xavier_uniform(), "xavier_uniform", shapes=[(32, 16)]).passed
    True

    Returns:
        The :class:`~initcheck.verdict.Report` (when it conforms).

    Raises:
        AssertionError: with one sentence per finding and the reproducer.
        UsageError: a bad claim, shape, layout or parameter.
    """
    from .verdict import check

    for key, value in {**options.active(), **_legacy_defaults}.items():
        kwargs.setdefault(key, value)
    report = check(sampler, claim, **kwargs)
    if not report.passed:
        lines = "\n".join(f"  - {s}" for s in report.sentences())
        raise AssertionError(f"sampler must conform to {report.claim}, but {report.summary()}:\n{lines}")
    return report
