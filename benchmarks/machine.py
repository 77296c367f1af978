"""The machine the figures come from: CPU, cores, memory, Python, numpy/scipy, BLAS, date, commit."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy

__all__ = ["blas", "describe", "openblas_env_warning"]

ROOT = Path(__file__).resolve().parent.parent
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # set on some machines here; they slow numpy


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def blas() -> str:
    """The BLAS libraries numpy and scipy load, as threadpoolctl reports them (kernel, threads)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (pip install threadpoolctl)"
    import scipy.linalg  # noqa: F401 - load scipy's BLAS too

    parts = []
    for info in threadpool_info():
        if info.get("user_api") != "blas":
            continue
        lib = Path(info.get("filepath", "?")).name
        parts.append(f"{info.get('internal_api')} {info.get('version')} ({lib}), kernel "
                     f"{info.get('architecture')}, {info.get('num_threads')} threads")
    return "; ".join(parts) or "none found"


def _git() -> str:
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "initcheck"],
                               capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}" + (" (with uncommitted changes under initcheck/)" if dirty else "")


def openblas_env_warning() -> str | None:
    """A warning when OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are set (they force a slower kernel)."""
    set_vars = [f"{v}={os.environ[v]}" for v in OPENBLAS_VARS if v in os.environ]
    if not set_vars:
        return None
    return (f"{' '.join(set_vars)} is set: OpenBLAS runs a forced kernel. For timings, run "
            f"`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m benchmarks`.")


def describe() -> list[tuple[str, str]]:
    """(what, value) rows describing this machine and software."""
    import initcheck

    env = ", ".join(f"{v}={os.environ[v]}" for v in OPENBLAS_VARS if v in os.environ) or "unset"
    return [
        ("date", _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", _cpu_model()),
        ("cores", str(os.cpu_count())),
        ("memory", _memory_gib()),
        ("OS", f"{platform.system()} {platform.release()} ({platform.machine()})"),
        ("Python", sys.version.split()[0]),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("BLAS", blas()),
        ("OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE", env),
        ("initcheck", f"{getattr(initcheck, '__version__', '?')} at commit {_git()}"),
    ]
