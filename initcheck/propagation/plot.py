"""The picture of a propagation report: both passes across depth, and the per-layer factors.

Left: the mean square of every layer relative to the reference layer of its
pass (forward ``q_l/q_1``, backward ``g_l/g_{L-1}``), on a log scale: the
typical network with its intervals as a band (what the verdict judges), the
mean over networks as dots, the mean-field theory dashed and, for
``within=K``, the band ``[1/K, K]`` the hidden layers must stay in. Right: the
per-layer factors between hidden layers, likewise. matplotlib is needed (``pip install 'initcheck[plot]'``).
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any

import numpy as np

from ..errors import UsageError
from .report import PropagationReport

__all__ = ["plot_report", "require_matplotlib", "save_plot", "write_figure"]

_COLORS = {"forward": "tab:blue", "backward": "tab:red"}


def _pyplot() -> Any:
    try:
        import matplotlib

        if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
            matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise UsageError(
            f"matplotlib is not importable ({exc}): install it with pip install 'initcheck[plot]'"
        ) from exc
    return plt


def require_matplotlib() -> None:
    """Raise a UsageError (with an install hint) now if matplotlib is missing, before any work."""
    _pyplot()


def _series(report: PropagationReport, key: str, hidden_only: bool) -> dict[str, np.ndarray]:
    rows = [r for r in report.layers if getattr(r, key) is not None]
    if hidden_only:  # the factors the expectation tests: between hidden layers
        rows = [r for r in rows if r.hidden and not (key == "forward_factor" and r.index == 1)]
        if key == "backward_factor":
            last_hidden = max((r.index for r in report.layers if r.hidden), default=0)
            rows = [r for r in rows if r.index < last_hidden]
    get = lambda attr: np.array([getattr(getattr(r, key), attr) for r in rows], dtype=np.float64)
    return {
        "x": np.array([r.index for r in rows], dtype=np.float64),
        "mean": get("value"),
        "typical": get("typical"),
        "low": get("typical_low"),
        "high": get("typical_high"),
        "theory": np.array([r.theory.get(key, math.nan) for r in rows], dtype=np.float64),
    }


def _positive(a: np.ndarray) -> np.ndarray:
    out = a.copy()
    out[~(np.isfinite(out) & (out > 0))] = np.nan
    return out


def _draw(ax: Any, series: dict[str, np.ndarray], direction: str) -> None:
    if not series["x"].size:
        return
    color = _COLORS[direction]
    x = series["x"]
    ax.plot(x, _positive(series["typical"]), "-", color=color, lw=1.5, label=f"{direction}: typical network")
    ax.fill_between(x, _positive(series["low"]), _positive(series["high"]), color=color, alpha=0.2, lw=0)
    ax.plot(x, _positive(series["mean"]), "o", ms=2.5, color=color, label=f"{direction}: mean over networks")
    if np.any(np.isfinite(series["theory"])):
        ax.plot(
            x,
            _positive(series["theory"]),
            "--",
            color="black",
            lw=0.8,
            alpha=0.7,
            label="mean field" if direction == "forward" else None,
        )


def plot_report(report: PropagationReport, *, title: str | None = None) -> Any:
    """Draw the report on a new matplotlib figure and return the figure.

    Solid lines with bands are the typical network (geometric mean over
    initializations, with the intervals the verdict uses), dots the mean over
    networks, dashed lines the mean-field theory.

    Args:
        report: the report.
        title: the figure's title (default: the report's target and verdict).
    """
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for direction in ("forward", "backward"):
        _draw(left, _series(report, f"{direction}_ratio", False), direction)
        _draw(right, _series(report, f"{direction}_factor", True), direction)
    e = report.expectation
    lo_b, hi_b = e.band()
    target = left if e.kind == "within" else right
    target.axhspan(lo_b, hi_b, color="tab:green", alpha=0.12, lw=0, label=f"expected: {e}")
    for ax in (left, right):
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.grid(True, alpha=0.3)
    left.set_title("mean square / first hidden layer's (forward, backward)", fontsize=9)
    right.set_title("per-layer factor between hidden layers", fontsize=9)
    left.legend(fontsize=7, loc="best")
    verdict = "holds" if report.passed else "FAILS"
    fig.suptitle(title if title is not None else f"{report.target}\nexpectation {e}: {verdict}", fontsize=8)
    fig.tight_layout()
    return fig


def save_plot(report: PropagationReport, path: str, *, title: str | None = None) -> None:
    """Draw the report and write it to ``path`` (PNG, or any format matplotlib knows by the suffix).

    Raises:
        UsageError: matplotlib missing, or the file cannot be written.
    """
    _pyplot()
    write_figure(plot_report(report, title=title), path)


def write_figure(fig: Any, path: str) -> None:
    """Write ``fig`` to ``path`` and close it.

    Raises:
        UsageError: the file cannot be written.
    """
    plt = _pyplot()
    try:
        fig.savefig(path, dpi=110)
    except (OSError, ValueError) as exc:
        raise UsageError(f"plot={path!r}: cannot write it: {exc}") from exc
    finally:
        plt.close(fig)
