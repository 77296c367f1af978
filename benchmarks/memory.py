"""Memory: the peak a default verdict needs, as a multiple of one draw's size (shape × 8 bytes).

Each case runs in its own subprocess: after a warm-up verdict on a tiny shape
(imports, caches), the RSS high-water mark is reset to the current RSS and read
after ``check(sampler, claim, shapes=[shape])``; then the same verdict runs
again under ``tracemalloc`` for the peak of Python and numpy allocations.
Goal: at most 3× one draw. Every case runs with both designs (``design="fixed"``
and ``"sequential"``).

The high-water mark is Linux's VmHWM (``/proc/self/status``, reset through
``/proc/self/clear_refs``), not ``resource.getrusage``'s ru_maxrss: a child
process inherits its parent's ru_maxrss across fork and exec, so a runner that
has drawn large arrays itself would hide the child's peak. Elsewhere ru_maxrss
is used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .tables import count, markdown_table

__all__ = ["Peak", "measure", "table"]

ROOT = Path(__file__).resolve().parent.parent
GOAL = 3.0  # peak memory of a verdict, in draws of its shape
DESIGNS = ("fixed", "sequential")

_CHILD = r"""
import json, resource, sys, tracemalloc
from initcheck import check, init


def status(key):
    with open("/proc/self/status") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith(key + ":"))


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
        return status("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak():
    try:
        return status("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


claim, shape = sys.argv[1], tuple(json.loads(sys.argv[2])) if sys.argv[2] != "null" else None
design = sys.argv[3]
sampler = getattr(init, claim)()
check(sampler, claim, shapes=[(8, 8)], design=design)
base = reset_peak()
report = check(sampler, claim, shapes=None if shape is None else [shape], design=design)
peak = peak()
tracemalloc.start()
check(sampler, claim, shapes=None if shape is None else [shape], design=design)
_, traced = tracemalloc.get_traced_memory()
tracemalloc.stop()
largest = max(s.n // s.draws for s in report.shapes)
print(json.dumps({"rss": (peak - base) * 1024, "traced": traced, "n": report.n, "largest": largest,
                  "draws": sum(s.draws for s in report.shapes)}))
"""


@dataclass
class Peak:
    claim: str
    design: str
    shape: tuple[int, ...] | None  # None: the default shapes
    rss: int  # bytes above the high-water mark before the verdict
    traced: int  # tracemalloc peak, bytes
    n: int  # values drawn
    largest: int  # values in the largest single draw
    draws: int

    @property
    def draw_bytes(self) -> int:
        return 8 * self.largest


def measure(sizes: list[int], claims: list[str], progress: Callable[[str], None]) -> list[Peak]:
    out = []
    for claim in claims:
        for shape in [(s, s) for s in sizes] + [None]:
            for design in DESIGNS:
                arg = "null" if shape is None else json.dumps(list(shape))
                done = subprocess.run([sys.executable, "-c", _CHILD, claim, arg, design], cwd=ROOT,
                                      capture_output=True, text=True, timeout=1800, check=False)
                if done.returncode != 0:
                    progress(f"  {claim} {shape} {design}: failed: {done.stderr.strip()[-300:]}")
                    continue
                d = json.loads(done.stdout.strip().splitlines()[-1])
                p = Peak(claim, design, shape, d["rss"], d["traced"], d["n"], d["largest"], d["draws"])
                progress(f"  {claim} {shape or 'default shapes'} {design}: RSS +{p.rss / 2**20:.1f} MiB, traced "
                         f"{p.traced / 2**20:.1f} MiB = {p.traced / p.draw_bytes:.1f} draws")
                out.append(p)
    return out


def table(peaks: list[Peak]) -> str:
    rows = []
    for p in peaks:
        shape = "default (7 shapes)" if p.shape is None else "×".join(map(str, p.shape))
        worst = max(p.rss, p.traced) / p.draw_bytes
        rows.append([p.claim, p.design, shape, p.draws, count(p.n), f"{p.draw_bytes / 2**20:.2f} MiB",
                     f"{p.rss / 2**20:.1f} MiB", f"{p.rss / p.draw_bytes:.1f}×", f"{p.traced / 2**20:.1f} MiB",
                     f"{p.traced / p.draw_bytes:.1f}×", f"{max(p.rss, p.traced) / (8 * p.n):.2f}×",
                     "✓" if worst <= GOAL else "✗"])
    return markdown_table(["claim", "design", "shapes", "calls", "values drawn", "one (largest) draw",
                           "RSS peak increase", "RSS / draw", "tracemalloc peak", "traced / draw",
                           "peak / all values drawn", f"≤ {GOAL:g}× a draw"], rows)
