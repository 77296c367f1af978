"""Rendering results for people (tables) and for programs (JSON-ready dicts)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

__all__ = ["jsonable", "table"]


def jsonable(value: Any) -> Any:
    """``value`` with non-finite floats as strings ("inf", "-inf", "nan") and tuples as lists,
    so that ``json.dumps`` writes strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int | None]) -> str:
    """A plain-text table; a column with a width wraps its cells to that width."""
    wrapped = [
        [textwrap.wrap(cell, w) or [""] if w else cell.splitlines() or [""] for cell, w in zip(row, widths)]
        for row in rows
    ]
    col = [
        max([len(h)] + [len(line) for row in wrapped for line in row[i]]) for i, h in enumerate(headers)
    ]
    out = ["  ".join(h.ljust(c) for h, c in zip(headers, col)).rstrip(), "  ".join("-" * c for c in col)]
    for row in wrapped:
        height = max(len(cell) for cell in row)
        for k in range(height):
            out.append("  ".join((cell[k] if k < len(cell) else "").ljust(c) for cell, c in zip(row, col)).rstrip())
    return "\n".join(out)
