"""``--plot``: each layer's measured sd (with its interval) against its rule, across depth.

Parameters are grouped by *role*: the name with its layer numbers replaced by ``*``
(``h.*.attn.c_proj.weight``); a role found at several depths is one line, its x the
layer number. Each point is the measured sd with its interval (1 - 1e-6); the rule's sd is a
dashed line of the same colour. A residual scaling skipped shows as a line of points above
its rule. matplotlib is needed (``pip install 'initcheck[plot]'``).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UsageError
from ..propagation.plot import _pyplot, write_figure
from .report import AuditReport

__all__ = ["plot_depth", "roles"]

_NUMBER = re.compile(r"(?<=\.)\d+(?=\.)|^\d+(?=\.)")


def roles(report: AuditReport) -> dict[str, list[tuple[int, float, float, float, float | None]]]:
    """Role -> ``(depth, sd, low, high, rule sd)`` per parameter with an iid sd (depth: its first
    layer number, 0 if none)."""
    out: dict[str, list[tuple[int, float, float, float, float | None]]] = {}
    for p in report.parameters:
        d = p.description
        if d is None or d.std_interval is None:
            continue
        numbers = _NUMBER.findall(p.name)
        role = _NUMBER.sub("*", p.name)
        rule = next((v.expected_std for v in p.verdicts if v.block is None and v.expected_std is not None), None)
        out.setdefault(role, []).append((int(numbers[0]) if numbers else 0, d.std, *d.std_interval, rule))
    return out


def plot_depth(report: AuditReport, path: str) -> None:
    """Draw the sds of ``report`` across depth and write the figure to ``path``.

    Raises:
        UsageError: matplotlib missing, nothing to plot, or the file cannot be written.
    """
    plt = _pyplot()
    series = roles(report)
    if not series:
        raise UsageError(f"plot={path!r}: no parameter has a measured sd to plot (all constant, fixed or tied)")
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (role, points) in enumerate(sorted(series.items())):
        color = f"C{i % 10}"
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        err: Any = [[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]]
        marker = "o-" if len(points) > 1 else "o"
        ax.errorbar(xs, ys, yerr=err, fmt=marker, color=color, label=role, capsize=3, ms=4)
        rules = [(p[0], p[4]) for p in points if p[4] is not None]
        if rules:
            ax.plot([x for x, _ in rules], [y for _, y in rules], "--", color=color, alpha=0.7)
    ax.set_yscale("log")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are numbered
    ax.set_xlabel("layer (the first number in the parameter's name)")
    ax.set_ylabel("sd of the parameter's values")
    ax.set_title(f"{report.target}: measured sd (points, interval 1 - 1e-6) and rule (dashed)")
    ax.legend(fontsize=7, loc="best", ncol=2)
    fig.tight_layout()
    write_figure(fig, path)
