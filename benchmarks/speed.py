"""Speed: a default verdict against the time numpy takes to draw the same values; the CLI and the test suite.

For a single square shape ``shapes=[(n, n)]``, ``check()`` with the default
alpha and tolerance is timed, then the same sampler is called as many times
as the verdict called it (``Report.shapes[0].draws``, which gives
``Report.n`` values), in the same process. Medians over repeats, wall time
and process CPU time (the machine may be shared; CPU time is less sensitive
to other load). Goal: checking costs at most 2× drawing.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from initcheck import check, init

from .tables import count, markdown_table, seconds

__all__ = ["SAMPLERS", "Timing", "measure", "profile", "table", "time_tox", "time_verify"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLERS: dict[str, Callable[..., Any]] = {
    "xavier_normal": init.xavier_normal(),
    "xavier_uniform": init.xavier_uniform(),
}
GOAL = 2.0  # checking may cost at most this many times drawing


@dataclass
class Timing:
    claim: str
    size: int
    draws: int
    n: int
    check_wall: float
    draw_wall: float
    check_cpu: float
    draw_cpu: float
    passed: bool

    @property
    def ratio(self) -> float:
        return self.check_wall / self.draw_wall

    @property
    def ratio_cpu(self) -> float:
        return self.check_cpu / self.draw_cpu


def _clock(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def _draw(sampler: Callable[..., Any], shape: tuple[int, int], calls: int, seed: int) -> None:
    for i in range(calls):
        sampler(shape, seed * 100_003 + i)


def measure(sizes: list[int], repeats: int, progress: Callable[[str], None]) -> list[Timing]:
    check(SAMPLERS["xavier_normal"], "xavier_normal", shapes=[(32, 32)])  # warm up imports and caches
    out = []
    for size in sizes:
        for claim, sampler in SAMPLERS.items():
            shape = (size, size)
            cw, cc, dw, dc = [], [], [], []
            report = None
            for r in range(repeats):
                w, c, report = _clock(partial(check, sampler, claim, shapes=[shape], seed=r))
                cw.append(w)
                cc.append(c)
                calls = report.shapes[0].draws
                w, c, _ = _clock(partial(_draw, sampler, shape, calls, r))
                dw.append(w)
                dc.append(c)
            t = Timing(
                claim,
                size,
                report.shapes[0].draws,
                report.n,
                statistics.median(cw),
                statistics.median(dw),
                statistics.median(cc),
                statistics.median(dc),
                report.passed,
            )
            progress(
                f"  {claim} {size}×{size}: check {seconds(t.check_wall)}, draw {seconds(t.draw_wall)} ({t.ratio:.1f}×)"
            )
            out.append(t)
    return out


def table(timings: list[Timing]) -> str:
    rows = [
        [
            t.claim,
            f"{t.size}×{t.size}",
            t.draws,
            count(t.n),
            seconds(t.check_wall),
            seconds(t.draw_wall),
            f"{t.ratio:.1f}×",
            f"{t.ratio_cpu:.1f}×",
            "✓" if t.ratio <= GOAL else "✗",
            "conforms" if t.passed else "**does not conform**",
        ]
        for t in timings
    ]
    return markdown_table(
        [
            "claim",
            "shape",
            "calls",
            "values (Report.n)",
            "check() wall",
            "drawing wall",
            "check/draw (wall)",
            "check/draw (CPU)",
            f"≤ {GOAL:g}×",
            "verdict",
        ],
        rows,
    )


def profile(sampler_name: str, shapes: list[tuple[int, ...]] | None, top: int = 14) -> tuple[str, float]:
    """cProfile of one verdict: initcheck's functions (and the sampler) by cumulative time, and the total."""
    sampler = SAMPLERS[sampler_name]
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    check(sampler, sampler_name, shapes=shapes, timeout=None)  # no worker thread: the sampler's time is seen
    prof.disable()
    total = time.perf_counter() - start
    stats = pstats.Stats(prof)
    mine = [
        (k, v)
        for k, v in stats.stats.items()  # type: ignore[attr-defined]
        if ("initcheck" in k[0] and k[2] not in ("check", "<module>")) or k[2] == "__call__"
    ]
    rows = []
    for (path, line, name), (_, calls, tottime, cumtime, _) in sorted(mine, key=lambda kv: kv[1][3], reverse=True)[
        :top
    ]:
        where = re.sub(r".*/initcheck/", "initcheck/", path)
        rows.append(
            [
                f"`{name}`",
                f"{where}:{line}",
                calls,
                f"{cumtime:.3f} s",
                f"{100 * cumtime / total:.0f}%",
                f"{tottime:.3f} s",
            ]
        )
    return markdown_table(["function", "where", "calls", "cumulative", "of the verdict", "own time"], rows), total


def _clean_env() -> dict[str, str]:
    """This environment without a surrounding tox env's or virtualenv's variables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TOX_ENV") and k not in ("VIRTUAL_ENV", "TOX_WORK_DIR", "TOX_PACKAGE", "PYTHONHOME")
    }
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(venv))
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_verify() -> tuple[float, float, str]:
    """Wall and CPU time of ``initcheck verify`` in a subprocess, and its last line."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "initcheck", "verify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    wall = time.perf_counter() - start
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    return (
        wall,
        _children_cpu() - cpu,
        (lines[-1] if lines else f"exit {done.returncode}: {done.stderr.strip()[-200:]}"),
    )


def time_tox(progress: Callable[[str], None]) -> dict[str, Any] | None:
    """Wall time of ``tox -e py`` with an existing env (a first run creates it, untimed)."""
    tox = shutil.which("tox", path=_clean_env().get("PATH"))
    if tox is None:
        return None
    env = _clean_env()
    out: dict[str, Any] = {"command": "tox -e py"}
    if not (ROOT / ".tox" / "py").is_dir():
        progress("  tox -e py: first run, creating the env (untimed)")
        start = time.perf_counter()
        subprocess.run(
            [tox, "-e", "py", "-q"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False
        )
        out["first"] = time.perf_counter() - start
    progress("  tox -e py: timed run with the existing env")
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [tox, "-e", "py", "--", "--durations=8"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    out["wall"] = time.perf_counter() - start
    out["cpu"] = _children_cpu() - cpu
    out["exit"] = done.returncode
    text = done.stdout
    summary = [ln.strip("= ") for ln in text.splitlines() if re.search(r"\d+ (passed|failed)", ln)]
    out["summary"] = summary[-1] if summary else f"exit {done.returncode}"
    m = re.search(r"py: exit \d+ \(([\d.]+) seconds\)|py: OK \(([\d.]+)", text)
    out["slowest"] = _durations(text)
    out["pytest"] = next((float(g) for g in (m.groups() if m else ()) if g), None)
    return out


def _durations(text: str) -> list[tuple[float, str]]:
    found = re.findall(r"^([\d.]+)s (call|setup|teardown)\s+(\S+)", text, flags=re.MULTILINE)
    return [(float(t), f"{name} ({phase})") for t, phase, name in found][:8]


def draw_values_per_second(size: int = 1024) -> float:
    """numpy's normal draws per second at (size, size), for scale."""
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    rng.normal(size=(size, size))
    return size * size / (time.perf_counter() - start)
