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
from .verdict import Report, check

__all__ = ["Matrix", "RowResult", "run_conformance"]


@dataclass(frozen=True)
class RowResult:
    """One row's verdict: ``conforms``, ``does not conform``, or ``error`` (could not adapt)."""

    row: ConformanceRow
    status: str
    report: Report | None
    error: str | None
    seconds: float

    def worst(self) -> str:
        """The first finding in a few words, or the error."""
        if self.error:
            return self.error
        if self.report is None or not self.report.findings:
            return ""
        f = self.report.findings[0]
        return f"{f.check}: {f.detail}"


@dataclass(frozen=True)
class Matrix:
    """A framework's conformance matrix (possibly cut short by Ctrl-C)."""

    framework: str
    rows: tuple[RowResult, ...]
    excluded: tuple[Excluded, ...]
    total: int
    alpha: float
    tolerance: float
    seed: int
    interrupted: bool = False

    @property
    def passed(self) -> bool:
        return not self.interrupted and all(r.status == "conforms" for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework, "passed": self.passed, "interrupted": self.interrupted,
            "rows_done": len(self.rows), "rows_total": self.total, "alpha": self.alpha,
            "alpha_per_row": self.alpha / max(self.total, 1), "tolerance": self.tolerance, "seed": self.seed,
            "rows": [{"name": r.row.name, "target": r.row.target, "kwargs": r.row.kwargs, "law": r.row.law,
                      "note": r.row.note, "status": r.status, "n": r.report.n if r.report else 0,
                      "finding": r.worst(), "findings": [f.to_dict() for f in r.report.findings] if r.report else []}
                     for r in self.rows],
            "excluded": [{"name": e.name, "target": e.target, "reason": e.reason} for e in self.excluded],
        }

    def markdown(self) -> str:
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
                done.append(RowResult(row, "error", None, str(err), time.perf_counter() - start))
                continue
            report = check(adapted.sampler, row.law, layout=adapted.layout, shapes=row.shapes, seed=seed,
                           alpha=share, tolerance=tolerance, target=row.target)
            status = "conforms" if report.passed else "does not conform"
            done.append(RowResult(row, status, report, None, time.perf_counter() - start))
            if advance is not None:
                advance()
    except KeyboardInterrupt:
        interrupted = True
    return Matrix(framework, tuple(done), excluded(framework), len(rows), alpha, tolerance, seed, interrupted)
