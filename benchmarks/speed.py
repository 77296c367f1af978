"""Speed: a default verdict against the time numpy takes to draw the same values; the CLI and the test suite.

For a single square shape ``shapes=[(n, n)]``, ``check()`` with the default
alpha and tolerance is timed, then the same sampler is called as many times
as the verdict called it (``Report.shapes[0].draws``, which gives
``Report.n`` values), in the same process. Medians over repeats, wall time
and process CPU time (the machine may be shared; CPU time is less sensitive
to other load). Goal: checking costs at most 2× drawing. Each shape is timed
with both designs (``design="fixed"`` and ``"sequential"``).

Two more timings compare the designs on whole verdicts: the default verdict
of a correct normal sampler (``xavier_normal``, default shapes) against numpy
drawing the χ² test's minimum (324,452 normals, ``rng.normal(size=324452)``)
once per default shape (7 times); and ``initcheck conformance torch`` in a
subprocess, for each design, with an interpreter that has PyTorch.
"""

from __future__ import annotations

import cProfile
import json
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

__all__ = [
    "SAMPLERS",
    "Timing",
    "default_verdict",
    "measure",
    "profile",
    "table",
    "time_conformance",
    "time_tox",
    "time_verify",
    "torch_python",
]

ROOT = Path(__file__).resolve().parent.parent
SAMPLERS: dict[str, Callable[..., Any]] = {
    "xavier_normal": init.xavier_normal(),
    "xavier_uniform": init.xavier_uniform(),
}
GOAL = 2.0  # checking may cost at most this many times drawing
DESIGNS = ("fixed", "sequential")
CHI2_MIN = 324_452  # the χ² test's fewest normals for a 2% variance error (α = 1e-6, power 0.999)
DEFAULT_GOAL = 10.0  # the default verdict may take at most this many times numpy drawing CHI2_MIN per shape
CONFORMANCE_GOAL = 0.35  # conformance torch, sequential, at most this fraction of the fixed design's time


@dataclass
class Timing:
    claim: str
    design: str
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
    for design in DESIGNS:  # warm up imports and caches
        check(SAMPLERS["xavier_normal"], "xavier_normal", shapes=[(32, 32)], design=design)
    out = []
    for size in sizes:
        for claim, sampler in SAMPLERS.items():
            for design in DESIGNS:
                t = _time_one(sampler, claim, design, size, repeats)
                progress(
                    f"  {claim} {size}×{size} {design}: check {seconds(t.check_wall)}, draw {seconds(t.draw_wall)} "
                    f"({t.ratio:.1f}×)"
                )
                out.append(t)
    return out


def _time_one(sampler: Callable[..., Any], claim: str, design: str, size: int, repeats: int) -> Timing:
    shape = (size, size)
    cw, cc, dw, dc = [], [], [], []
    report = None
    for r in range(repeats):
        w, c, report = _clock(partial(check, sampler, claim, shapes=[shape], seed=r, design=design))
        cw.append(w)
        cc.append(c)
        w, c, _ = _clock(partial(_draw, sampler, shape, report.shapes[0].draws, r))
        dw.append(w)
        dc.append(c)
    assert report is not None
    return Timing(
        claim,
        design,
        size,
        report.shapes[0].draws,
        report.n,
        statistics.median(cw),
        statistics.median(dw),
        statistics.median(cc),
        statistics.median(dc),
        report.passed,
    )


@dataclass
class DefaultVerdict:
    design: str
    wall: float  # median wall time of check(xavier_normal(), "xavier_normal", seed=r, design=...)
    cpu: float
    n: int  # values of the last verdict
    calls: int
    passed: bool
    numpy_wall: float  # median wall time of CHI2_MIN normals drawn by numpy, 7 times (once per default shape)
    numpy_cpu: float
    shapes: int

    @property
    def ratio(self) -> float:
        return self.wall / self.numpy_wall

    @property
    def ratio_cpu(self) -> float:
        return self.cpu / self.numpy_cpu


def _numpy_chi2(shapes: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(shapes):
        rng.normal(size=CHI2_MIN)


def default_verdict(repeats: int, progress: Callable[[str], None]) -> list[DefaultVerdict]:
    """The default verdict of a correct normal sampler, per design, against numpy drawing the χ²
    minimum once per default shape; medians of ``repeats`` (seeds 0…repeats−1), after a warm-up."""
    sampler = SAMPLERS["xavier_normal"]
    out = []
    for design in DESIGNS:
        check(sampler, "xavier_normal", design=design)  # warm up: imports, law objects, caches
        vw, vc, nw, nc = [], [], [], []
        report = None
        for r in range(repeats):
            w, c, report = _clock(partial(check, sampler, "xavier_normal", seed=r, design=design))
            vw.append(w)
            vc.append(c)
            w, c, _ = _clock(partial(_numpy_chi2, len(report.shapes), r))
            nw.append(w)
            nc.append(c)
        assert report is not None
        d = DefaultVerdict(design, statistics.median(vw), statistics.median(vc), report.n,
                           sum(s.draws for s in report.shapes), report.passed, statistics.median(nw),
                           statistics.median(nc), len(report.shapes))
        progress(f"  default verdict, {design}: {seconds(d.wall)} vs numpy {seconds(d.numpy_wall)} ({d.ratio:.1f}×)")
        out.append(d)
    return out


def default_table(ds: list[DefaultVerdict]) -> str:
    rows = [
        [
            d.design,
            d.shapes,
            count(d.calls),
            count(d.n),
            seconds(d.wall),
            seconds(d.cpu),
            seconds(d.numpy_wall),
            f"{d.ratio:.1f}×",
            f"{d.ratio_cpu:.1f}×",
            "✓" if d.ratio <= DEFAULT_GOAL else "✗",
            "conforms" if d.passed else "**does not conform**",
        ]
        for d in ds
    ]
    return markdown_table(
        [
            "design",
            "shapes",
            "calls",
            "values (Report.n)",
            "check() wall",
            "check() CPU",
            f"numpy: {CHI2_MIN:,} normals × shapes, wall",
            "ratio (wall)",
            "ratio (CPU)",
            f"≤ {DEFAULT_GOAL:g}×",
            "verdict",
        ],
        rows,
    )


def torch_python(given: str | None) -> str | None:
    """An interpreter that imports torch: ``given``, this one, or a ``frameworks`` tox env of this checkout."""
    candidates = [given] if given else [sys.executable, str(ROOT / ".tox" / "frameworks" / "bin" / "python")]
    for python in candidates:
        if python and Path(python).exists():
            done = subprocess.run([python, "-c", "import torch"], capture_output=True, timeout=300, check=False)
            if done.returncode == 0:
                return python
    return None


_CONFORMANCE = r"""
import functools, inspect, json, sys, time
import initcheck
import initcheck.conformance as conformance
from initcheck import verdict

design = sys.argv[1]
if "design" in inspect.signature(conformance.run_conformance).parameters:
    kwargs, how = {"design": design}, "run_conformance(design=...)"
else:
    conformance.check = functools.partial(verdict.check, design=design)
    kwargs, how = {}, "initcheck.conformance.check replaced by check(design=...)"
start = time.perf_counter()
matrix = conformance.run_conformance("torch", **kwargs)
rows = [r for r in matrix.rows]
print(json.dumps({"seconds": time.perf_counter() - start, "how": how, "initcheck": initcheck.__file__,
                  "rows": len(rows), "conform": sum(r.passed for r in rows),
                  "values": sum(r.report.n for r in rows if r.report is not None),
                  "designs": sorted({r.report.design for r in rows if r.report is not None})}))
"""


def time_conformance(python: str, progress: Callable[[str], None]) -> dict[str, Any]:
    """``initcheck conformance torch`` (the CLI, default design) and the matrix run with each design
    in a script (``run_conformance`` with ``design=`` if it takes one, else with the module's
    ``check`` replaced by ``check(design=...)``): wall and CPU time of each subprocess."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out: dict[str, Any] = {"python": python}
    for design in DESIGNS:
        progress(f"  conformance torch, {design} (script)")
        cpu = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run([python, "-c", _CONFORMANCE, design], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=3600, check=False)
        wall = time.perf_counter() - start
        info: dict[str, Any] = {"wall": wall, "cpu": _children_cpu() - cpu, "exit": done.returncode}
        if done.returncode == 0:
            info.update(json.loads(done.stdout.strip().splitlines()[-1]))
        else:
            info["error"] = done.stderr.strip()[-300:]
        out[design] = info
    progress("  initcheck conformance torch (CLI, default design)")
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([python, "-m", "initcheck", "conformance", "torch"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=3600, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    out["cli"] = {"wall": time.perf_counter() - start, "cpu": _children_cpu() - cpu, "exit": done.returncode,
                  "last": lines[-1] if lines else done.stderr.strip()[-200:]}
    return out


def table(timings: list[Timing]) -> str:
    rows = [
        [
            t.claim,
            t.design,
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
            "design",
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
