"""What every report offers: the one small interface of a check, a conformance row, verify and propagate.

A report says whether it passed, in one line (:meth:`Reportable.summary`) and in
one sentence per finding (:meth:`Reportable.sentences`); it names the command
that reproduces it (:attr:`Reportable.reproducer`, None where there is none, e.g.
a sampler given as a Python object) and turns into JSON-ready data
(:meth:`Reportable.to_dict`). Reports made of
several tests also hold ``results`` (every test) and ``findings`` (the rejected
ones, the same objects).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["Reportable"]


@runtime_checkable
class Reportable(Protocol):
    """The interface every initcheck report implements."""

    @property
    def passed(self) -> bool:
        """Whether everything it tested passed (the verdict)."""
        ...

    @property
    def reproducer(self) -> str | None:
        """The ``initcheck ...`` command line that reproduces the report, if there is one."""
        ...

    def summary(self) -> str:
        """The verdict in one line, with its numbers."""
        ...

    def sentences(self) -> list[str]:
        """One sentence per finding (empty when it passed)."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        ...
