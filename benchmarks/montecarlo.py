"""Many verdicts over seeds, in worker processes, and the Clopper–Pearson interval of a rate."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from initcheck.stats import intervals

__all__ = ["Case", "Outcome", "clopper_pearson", "run_cases"]

CHUNK = 8  # seeds per job: fewer round trips, still fine-grained progress


@dataclass(frozen=True)
class Case:
    """One sampler checked against one claim with fixed check() options, over many seeds."""

    key: str
    sampler: Callable[..., Any]
    claim: str
    options: tuple[tuple[str, Any], ...] = ()


@dataclass
class Outcome:
    """How many of ``runs`` verdicts failed, which checks rejected, the values drawn and sampler calls
    (in all, and per verdict in seed order), and the verdicts' time (wall and process CPU, in the workers)."""

    runs: int = 0
    failed: int = 0
    checks: Counter = field(default_factory=Counter)
    values: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    ns: list[int] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    shape_ns: list[tuple[int, ...]] = field(default_factory=list)  # per verdict, the values of each shape tested
    stopped: int = 0  # verdicts an exact violation stopped before their last shape

    @property
    def rate(self) -> float:
        return self.failed / self.runs if self.runs else float("nan")


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) two-sided interval for a binomial rate k/n, at ``level``."""
    return intervals.clopper_pearson(k, n, 1 - level)


def _one_thread() -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)  # two workers on two cores: no BLAS oversubscription


def _job(case: Case, seeds: list[int]) -> tuple[str, list[dict[str, Any]], float, float]:
    from initcheck import check

    start, cpu = time.perf_counter(), time.process_time()
    out = []
    for seed in seeds:
        report = check(case.sampler, case.claim, seed=seed, **dict(case.options))
        out.append({
            "passed": report.passed,
            "checks": sorted({f.check for f in report.findings}),
            "n": report.n,
            "calls": sum(s.draws for s in report.shapes),
            "shape_ns": tuple(s.n for s in report.shapes),
            "stopped": getattr(report, "stopped", None) is not None,
        })
    return case.key, out, time.perf_counter() - start, time.process_time() - cpu


def run_cases(cases: list[Case], seeds: range, progress: Callable[[str], None], workers: int | None = None
              ) -> dict[str, Outcome]:
    """check() every case at every seed; verdicts in ``workers`` processes (default: the cores, at most 2)."""
    workers = workers or min(2, os.cpu_count() or 1)
    jobs = [(c, list(seeds[i:i + CHUNK])) for c in cases for i in range(0, len(seeds), CHUNK)]
    outcomes = {c.key: Outcome() for c in cases}
    done, start, last = 0, time.perf_counter(), 0.0
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_thread) as pool:
        for key, results, seconds, cpu in pool.map(_job, *zip(*jobs)):
            o = outcomes[key]
            o.seconds += seconds
            o.cpu += cpu
            for r in results:
                o.runs += 1
                o.failed += not r["passed"]
                o.checks.update(r["checks"])
                o.values += r["n"]
                o.ns.append(r["n"])
                o.calls.append(r["calls"])
                o.shape_ns.append(r["shape_ns"])
                o.stopped += r["stopped"]
            done += 1
            now = time.perf_counter()
            if now - last > 5 or done == len(jobs):
                last = now
                eta = (now - start) / done * (len(jobs) - done)
                progress(f"  {done}/{len(jobs)} jobs, {now - start:.0f} s, about {eta:.0f} s left ({key})")
    return outcomes
