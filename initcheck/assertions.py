"""``assert_conforms``: a verdict as an assertion, for users' own tests."""

from __future__ import annotations

from typing import Any, Callable

from .verdict import Report, check

__all__ = ["assert_conforms", "defaults"]

#: seed and alpha used when a call does not give them; the pytest plugin sets them from
#: ``--initcheck-seed`` / ``--initcheck-alpha``
defaults: dict[str, Any] = {}


def assert_conforms(sampler: Callable[..., Any], claim: str, **kwargs: Any) -> Report:
    """Check ``sampler`` against ``claim`` and raise AssertionError unless it conforms.

    Keyword arguments go to :func:`initcheck.verdict.check` (``layout``,
    ``shapes``, ``seed``, ``alpha``, ``tolerance`` ...); ``seed`` and ``alpha``
    default to the pytest plugin's options.

    >>> from initcheck import init
    >>> assert_conforms(init.xavier_uniform(), "xavier_uniform", shapes=[(32, 16)]).passed
    True

    Returns:
        The :class:`~initcheck.verdict.Report` (when it conforms).

    Raises:
        AssertionError: with one sentence per finding and the reproducer.
    """
    for key, value in defaults.items():
        kwargs.setdefault(key, value)
    report = check(sampler, claim, **kwargs)
    if not report.passed:
        lines = "\n".join(f"  - {s}" for s in report.sentences())
        raise AssertionError(f"sampler must conform to {report.claim}, but {report.summary()}:\n{lines}")
    return report
