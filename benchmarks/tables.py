"""Markdown tables and number formats for RESULTS.md."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["ci", "count", "markdown_table", "ratio", "seconds"]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; cells are str()-ed, '|' escaped."""
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(cell, r)) + " |" for r in rows]
    return "\n".join(lines)


def count(n: float | None) -> str:
    """An integer count with thousands separators ('—' for None, '∞' for inf)."""
    if n is None:
        return "—"
    if isinstance(n, float) and math.isinf(n):
        return "∞"
    return f"{round(n):,}"


def ratio(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if x >= 100:
        return f"{x:,.0f}×"
    return f"{x:.{digits}g}×" if x < 1 else f"{x:.{digits + 1}g}×"


def seconds(t: float) -> str:
    if t < 0.01:
        return f"{t * 1e3:.2f} ms"
    if t < 1:
        return f"{t * 1e3:.0f} ms"
    return f"{t:.2f} s" if t < 100 else f"{t:.0f} s"


def ci(low: float, high: float) -> str:
    return f"[{low:.3g}, {high:.3g}]"
