"""Conformance matrices: every initializer a framework ships, against its documented law.

The rows (initializer, target, keyword arguments, promised law, note on the
framework's fan convention and meaning of "normal") live beside each adapter
(``initcheck.adapters.<framework>.CONFORMANCE``); this module runs them, one
verdict per row, and renders the matrix. The matrix's false-alarm budget
``alpha`` is shared by its rows (Bonferroni): a framework whose initializers
all keep their promises shows a clean matrix with probability ≥ 1 − alpha.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from . import validate
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
from .defaults import DEFAULT_ALPHA, DEFAULT_DESIGN, DEFAULT_TOLERANCE
from .designs import design as design_named
from .errors import UsageError, expected
from .reproducer import reproducer
from .verdict import Report, Result, check

__all__ = ["START_METHOD", "Matrix", "RowResult", "run_conformance"]


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
                          tolerance=None if self.tolerance == DEFAULT_TOLERANCE else self.tolerance,
                          design=None if self.report is None or self.report.design == DEFAULT_DESIGN
                          else self.report.design)

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
    design: str = DEFAULT_DESIGN

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
                          tolerance=None if self.tolerance == DEFAULT_TOLERANCE else self.tolerance,
                          design=None if self.design == DEFAULT_DESIGN else self.design)

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
            "design": self.design, "reproducer": self.reproducer, "rows": [r.to_dict() for r in self.rows],
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
    jobs: int = 1,
    design: str = DEFAULT_DESIGN,
) -> Matrix:
    """Check every initializer ``framework`` ships against its documented law.

    With ``jobs`` > 1 the rows (independent, seeded verdicts) run in that many
    worker processes, started with :data:`START_METHOD`; the matrix is the same
    as with ``jobs=1``, its rows in the table's order. ``progress`` is then
    called with each row's name as it finishes (with ``jobs=1``, as it starts),
    ``advance`` once per row done. ``design`` is every row's verdict design
    (:func:`initcheck.check`'s).

    Ctrl-C stops the matrix: the row in progress is abandoned (with ``jobs`` > 1
    the workers are terminated and the rows not finished dropped), and the
    matrix returned holds the rows done, with ``interrupted`` set.

    Raises:
        UsageError: unknown framework, ``jobs`` not a positive integer, or the
            framework is installed but fails to import.
        FrameworkNotInstalled: the framework is not installed (a :class:`UsageError` too).
    """
    if framework not in FRAMEWORKS:
        raise expected("framework", framework, f"one of {', '.join(FRAMEWORKS)}")
    jobs = validate.count("jobs", jobs, why="worker processes")
    rows = conformance(framework)
    require(framework, needed_by=f"needed for the {framework} conformance matrix")  # or no row runs
    share = alpha / max(len(rows), 1)
    design_named(design)  # a bad name is a usage error before any row runs
    run = functools.partial(_check_row, seed=seed, alpha=share, tolerance=tolerance, design=design)
    if jobs > 1 and len(rows) > 1:
        done, interrupted = _in_workers(rows, run, min(jobs, len(rows)), progress, advance)
    else:
        done, interrupted = _in_turn(rows, run, progress, advance)
    return Matrix(framework, tuple(done), excluded(framework), len(rows), alpha, tolerance, seed, interrupted,
                  design)


def _check_row(row: ConformanceRow, *, seed: int, alpha: float, tolerance: float,
               design: str = DEFAULT_DESIGN) -> RowResult:
    """One row's verdict at its share ``alpha`` of the matrix's (in this process or a worker)."""
    start = time.perf_counter()
    try:
        adapted = adapt(load_target(row.target), **row.kwargs)
    except UsageError as err:  # this row only: a missing attribute, a module it alone needs
        return RowResult(row, "error", None, str(err), time.perf_counter() - start, None, seed, alpha, tolerance)
    report = check(adapted, row.law, layout=adapted.layout, shapes=row.shapes, seed=seed,
                   alpha=alpha, tolerance=tolerance, target=row.target, design=design)
    status = "conforms" if report.passed else "does not conform"
    return RowResult(row, status, report, None, time.perf_counter() - start, adapted.layout, seed, alpha,
                     tolerance)


_Run = Callable[[ConformanceRow], RowResult]


def _in_turn(rows: Sequence[ConformanceRow], run: _Run, progress: Callable[[str], None] | None,
             advance: Callable[[], None] | None) -> tuple[list[RowResult], bool]:
    """The rows one after the other, here; (rows done, interrupted)."""
    done: list[RowResult] = []
    try:
        for row in rows:
            if progress is not None:
                progress(row.name)
            done.append(run(row))
            if advance is not None:
                advance()
    except KeyboardInterrupt:
        return done, True
    return done, False


#: how worker processes start, a fresh interpreter each ("spawn"). Forking a process that has
#: imported PyTorch or JAX (both start threads) is unsafe. "forkserver" works too and measured
#: 38 s against spawn's 46 s for ``conformance torch --jobs 2`` (one run each, 2 cores at load
#: 6-7: within the noise); spawn is kept because it exists on every platform.
START_METHOD = "spawn"


def _in_workers(rows: Sequence[ConformanceRow], run: _Run, jobs: int, progress: Callable[[str], None] | None,
                advance: Callable[[], None] | None) -> tuple[list[RowResult], bool]:
    """The rows in ``jobs`` worker processes; (rows done in the table's order, interrupted).

    The workers ignore SIGINT (a terminal's Ctrl-C reaches the whole process group): the
    parent alone handles it, by terminating them. Each gets its share of the cores as
    ``OMP_NUM_THREADS`` (PyTorch's and the BLAS's thread pools), unless that is set already:
    N workers each running as many threads as there are cores oversubscribe the machine
    (measured: ``conformance torch --jobs 2`` 97 s with them, 45 s without, on 2 busy cores).
    """
    finished: dict[int, RowResult] = {}
    context = multiprocessing.get_context(START_METHOD)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_ignore_sigint)
    interrupted = False
    try:
        # the workers start now: they inherit SIGINT ignored, and their share of the cores
        with _sigint_ignored(), _threads_per_worker(jobs):
            futures = {pool.submit(run, row): i for i, row in enumerate(rows)}
        for future in as_completed(futures):
            i = futures[future]
            finished[i] = future.result()
            if advance is not None:
                advance()
            if progress is not None:
                progress(rows[i].name)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:
        _terminate(pool)
        raise
    if interrupted:
        _terminate(pool)
    else:
        pool.shutdown(wait=True)
    return [finished[i] for i in sorted(finished)], interrupted


def _ignore_sigint() -> None:
    """A worker's initializer: Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored meanwhile (in the main thread only: elsewhere signals cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@contextlib.contextmanager
def _threads_per_worker(jobs: int) -> Iterator[None]:
    """``OMP_NUM_THREADS`` = cores // jobs (at least 1) meanwhile, unless the user set it."""
    name = "OMP_NUM_THREADS"
    if name in os.environ:
        yield
        return
    os.environ[name] = str(max(1, (os.cpu_count() or 1) // jobs))
    try:
        yield
    finally:
        del os.environ[name]


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (not after their rows)."""
    if hasattr(pool, "terminate_workers"):  # Python >= 3.14
        pool.terminate_workers()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # before 3.14: no public way
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
