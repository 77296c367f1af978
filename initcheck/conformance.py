"""Conformance matrices: every initializer a framework ships, against its documented law.

The rows (initializer, target, keyword arguments, promised law, note on the
framework's fan convention and meaning of "normal") live beside each adapter
(``initcheck.adapters.<framework>.CONFORMANCE``); this module runs them, one
verdict per row, and renders the matrix. The matrix's false-alarm budget
``alpha`` is shared by its rows (Bonferroni): a framework whose initializers
all keep their promises shows a clean matrix with probability ≥ 1 − alpha.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .adapters import (
    FRAMEWORKS,
    ConformanceRow,
    Excluded,
    adapt,
    conformance,
    excluded,
    load_target,
    require,
)
from .defaults import DEFAULT_ALPHA, DEFAULT_TOLERANCE
from .errors import UsageError, expected
from .reproducer import reproducer
from .verdict import Report, Result, check

__all__ = ["Matrix", "RowResult", "run_conformance"]


@dataclass(frozen=True)
class RowResult:
    """One row's verdict: ``conforms``, ``does not conform``, or ``error`` (could not adapt).

    Attributes:
        row: the row (initializer, law, keyword arguments).
        status: ``conforms``, ``does not conform`` or ``error``.
        report: the ``check`` verdict (None for an error).
        error: why the row could not be checked (None otherwise).
        seconds: time the row took.
        layout: the layout it was checked in.
        seed: the matrix's seed.
        alpha: the row's share of the matrix's α.
        tolerance: the verdict's tolerance.
    """

    row: ConformanceRow
    status: str
    report: Report | None
    error: str | None
    seconds: float
    layout: str | None = None
    seed: int = 0
    alpha: float = DEFAULT_ALPHA
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def passed(self) -> bool:
        """Whether the initializer conforms to the law its documentation promises."""
        return self.status == "conforms"

    @property
    def results(self) -> tuple[Result, ...]:
        """Every test of the row's verdict (none for an error)."""
        return self.report.results if self.report else ()

    @property
    def findings(self) -> tuple[Result, ...]:
        """The rejected tests of the row's verdict."""
        return self.report.findings if self.report else ()

    @property
    def reproducer(self) -> str:
        """The ``initcheck check`` command that gives this row's verdict again."""
        shapes = ["x".join(map(str, s)) for s in self.row.shapes] if self.row.shapes else None
        return reproducer("check", self.row.target, law=self.row.law,
                          kwarg=[f"{k}={_option(v)}" for k, v in self.row.kwargs.items()],
                          layout=self.layout, shape=shapes, seed=self.seed, alpha=self.alpha,
                          tolerance=None if self.tolerance == DEFAULT_TOLERANCE else self.tolerance)

    def worst(self) -> str:
        """The first finding in a few words, or the error."""
        if self.error:
            return self.error
        if not self.findings:
            return ""
        f = self.findings[0]
        return f"{f.check}: {f.detail}"

    def summary(self) -> str:
        """One line: the row, its verdict, and the first finding or error."""
        worst = f": {self.worst()}" if not self.passed else ""
        return f"{self.row.name} {self.status} to {self.row.law}{worst}"

    def sentences(self) -> list[str]:
        """One sentence per finding (or the error), with this row's reproducer."""
        if self.error:
            return [f"{self.row.name}: could not be checked: {self.error}; re-run: {self.reproducer}"]
        return [f"{self.row.name}: {f.check}: {f.detail} (shape {'x'.join(map(str, f.shape))}, seed {f.seed}, "
                f"p = {f.pvalue:.3g}); re-run: {self.reproducer}" for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data (one entry of ``initcheck conformance --json``)."""
        r = self.row
        return {"name": r.name, "target": r.target, "kwargs": r.kwargs, "law": r.law, "note": r.note,
                "status": self.status, "passed": self.passed, "n": self.report.n if self.report else 0,
                "finding": self.worst(), "findings": [f.to_dict() for f in self.findings],
                "reproducer": self.reproducer}


def _option(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Matrix:
    """A framework's conformance matrix (possibly cut short by Ctrl-C): a report whose results are rows."""

    framework: str
    rows: tuple[RowResult, ...]
    excluded: tuple[Excluded, ...]
    total: int
    alpha: float
    tolerance: float
    seed: int
    interrupted: bool = False

    @property
    def results(self) -> tuple[RowResult, ...]:
        """Every row checked."""
        return self.rows

    @property
    def findings(self) -> tuple[RowResult, ...]:
        """The rows that do not conform (or could not be checked)."""
        return tuple(r for r in self.rows if not r.passed)

    @property
    def passed(self) -> bool:
        """Whether every row conforms (and the matrix ran to its end)."""
        return not self.interrupted and not self.findings

    @property
    def reproducer(self) -> str:
        """The command that runs this matrix again."""
        return reproducer("conformance", self.framework, seed=self.seed, alpha=self.alpha,
                          tolerance=None if self.tolerance == DEFAULT_TOLERANCE else self.tolerance)

    def summary(self) -> str:
        """One line: how many rows conform, at which α and seed."""
        cut = f", interrupted after {len(self.rows)} of {self.total} rows" if self.interrupted else ""
        return (f"{self.framework}: {len(self.rows) - len(self.findings)} of {len(self.rows)} initializers conform "
                f"(matrix α = {self.alpha:g}, shared by {self.total} rows; seed {self.seed}{cut}).")

    def sentences(self) -> list[str]:
        """One sentence per finding of every row that does not conform."""
        return [s for r in self.findings for s in r.sentences()]

    def to_dict(self) -> dict[str, Any]:
        """The matrix as JSON-ready data (what ``initcheck conformance --json`` prints)."""
        return {
            "framework": self.framework, "passed": self.passed, "interrupted": self.interrupted,
            "rows_done": len(self.rows), "rows_total": self.total, "alpha": self.alpha,
            "alpha_per_row": self.alpha / max(self.total, 1), "tolerance": self.tolerance, "seed": self.seed,
            "reproducer": self.reproducer, "rows": [r.to_dict() for r in self.rows],
            "excluded": [{"name": e.name, "target": e.target, "reason": e.reason} for e in self.excluded],
        }

    def markdown(self) -> str:
        """The matrix as a Markdown table (what ``initcheck conformance --markdown`` prints)."""
        lines = ["| initializer | law promised | verdict | values | note |", "|---|---|---|---|---|"]
        for r in self.rows:
            verdict = r.status if r.status == "conforms" else f"**{r.status}**: {_cell(r.worst())}"
            lines.append(f"| `{r.row.name}` | `{r.row.law}` | {verdict} | {r.report.n if r.report else 0:,} | "
                         f"{_cell(r.row.note)} |")
        if self.excluded:
            lines += ["", "Not in the matrix:", ""] + [f"- `{e.name}`: {e.reason}" for e in self.excluded]
        return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def run_conformance(
    framework: str,
    *,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    tolerance: float = DEFAULT_TOLERANCE,
    progress: Callable[[str], None] | None = None,
    advance: Callable[[], None] | None = None,
) -> Matrix:
    """Check every initializer ``framework`` ships against its documented law.

    Ctrl-C stops after the row in progress is abandoned: the matrix returned
    holds the rows done, with ``interrupted`` set.

    Raises:
        UsageError: unknown framework, or the framework is installed but fails to import.
        FrameworkNotInstalled: the framework is not installed (a :class:`UsageError` too).
    """
    if framework not in FRAMEWORKS:
        raise expected("framework", framework, f"one of {', '.join(FRAMEWORKS)}")
    rows = conformance(framework)
    require(framework, needed_by=f"needed for the {framework} conformance matrix")  # or no row runs
    share = alpha / max(len(rows), 1)
    done: list[RowResult] = []
    interrupted = False
    try:
        for row in rows:
            if progress is not None:
                progress(row.name)
            start = time.perf_counter()
            try:
                adapted = adapt(load_target(row.target), **row.kwargs)
            except UsageError as err:  # this row only: a missing attribute, a module it alone needs
                done.append(RowResult(row, "error", None, str(err), time.perf_counter() - start, None, seed,
                                      share, tolerance))
                continue
            report = check(adapted, row.law, layout=adapted.layout, shapes=row.shapes, seed=seed,
                           alpha=share, tolerance=tolerance, target=row.target)
            status = "conforms" if report.passed else "does not conform"
            done.append(RowResult(row, status, report, None, time.perf_counter() - start, adapted.layout, seed,
                                  share, tolerance))
            if advance is not None:
                advance()
    except KeyboardInterrupt:
        interrupted = True
    return Matrix(framework, tuple(done), excluded(framework), len(rows), alpha, tolerance, seed, interrupted)
