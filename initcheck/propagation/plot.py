"""The picture of a propagation report: both passes across depth, and the per-layer factors.

Left: the mean square of every layer relative to the reference layer of its
pass (forward ``q_l/q_1``, backward ``g_l/g_{L-1}``), on a log scale, with its
intervals as a band, the mean-field theory dashed and, for ``within=K``, the
band ``[1/K, K]`` the hidden layers must stay in. Right: the per-layer factors
with their theory. matplotlib is needed (``pip install 'initcheck[plot]'``).
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any

import numpy as np

from ..errors import UsageError
from .report import PropagationReport

__all__ = ["plot_report", "require_matplotlib", "save_plot"]

_COLORS = {"forward": "tab:blue", "backward": "tab:red"}


def _pyplot() -> Any:
    try:
        import matplotlib

        if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
            matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise UsageError(f"matplotlib is not importable ({exc}): install it with pip install 'initcheck[plot]'") from exc
    return plt


def require_matplotlib() -> None:
    """Raise a UsageError (with an install hint) now if matplotlib is missing, before any work."""
    _pyplot()


def _series(report: PropagationReport, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    xs, vals, lows, highs, theory = [], [], [], [], []
    for r in report.layers:
        est = getattr(r, key)
        if est is None:
            continue
        xs.append(r.index)
        vals.append(est.value)
        lows.append(est.low)
        highs.append(est.high)
        theory.append(r.theory.get(key, math.nan))
    return tuple(np.array(a, dtype=np.float64) for a in (xs, vals, lows, highs, theory))  # type: ignore[return-value]


def _positive(a: np.ndarray) -> np.ndarray:
    out = a.copy()
    out[~(np.isfinite(out) & (out > 0))] = np.nan
    return out


def plot_report(report: PropagationReport, *, title: str | None = None) -> Any:
    """Draw the report on a new matplotlib figure and return the figure.

    Args:
        report: the report.
        title: the figure's title (default: the report's target).
    """
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for direction in ("forward", "backward"):
        color = _COLORS[direction]
        x, v, lo, hi, th = (_series(report, f"{direction}_ratio"))
        if x.size:
            left.plot(x, _positive(v), "o-", ms=3, color=color, label=f"{direction} (measured)")
            left.fill_between(x, _positive(lo), _positive(hi), color=color, alpha=0.2, lw=0)
            if np.any(np.isfinite(th)):
                left.plot(x, _positive(th), "--", color=color, lw=1, label=f"{direction} (mean field)")
        x, v, lo, hi, th = _series(report, f"{direction}_factor")
        if x.size:
            right.plot(x, _positive(v), "o-", ms=3, color=color, label=f"{direction} (measured)")
            right.fill_between(x, _positive(lo), _positive(hi), color=color, alpha=0.2, lw=0)
            if np.any(np.isfinite(th)):
                right.plot(x, _positive(th), "--", color=color, lw=1, label=f"{direction} (mean field)")
    e = report.expectation
    lo_b, hi_b = e.band()
    target = left if e.kind == "within" else right
    target.axhspan(lo_b, hi_b, color="tab:green", alpha=0.1, lw=0, label=f"expected: {e}")
    for ax in (left, right):
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.grid(True, alpha=0.3)
    left.set_title("mean square relative to the first hidden layer")
    right.set_title("per-layer factor")
    left.legend(fontsize=7, loc="best")
    verdict = "holds" if report.holds else "FAILS"
    fig.suptitle(title if title is not None else f"{report.target}\nexpectation {e}: {verdict}", fontsize=8)
    fig.tight_layout()
    return fig


def save_plot(report: PropagationReport, path: str, *, title: str | None = None) -> None:
    """Draw the report and write it to ``path`` (PNG, or any format matplotlib knows by the suffix).

    Raises:
        UsageError: matplotlib missing, or the file cannot be written.
    """
    plt = _pyplot()
    fig = plot_report(report, title=title)
    try:
        fig.savefig(path, dpi=110)
    except (OSError, ValueError) as exc:
        raise UsageError(f"plot={path!r}: cannot write it: {exc}") from exc
    finally:
        plt.close(fig)
