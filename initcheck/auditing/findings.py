"""Across parameters, in one build: identical parameters, repeated draws, repeated blocks.

A correct model's parameters are drawn from one generator stream, each from where the last
ended: no two share values. So, for non-constant parameters (constants are equal by design):

* **identical**: two parameters (not tied) with equal values;
* **repeated draws**: one parameter's first values are ``c`` times another's (a seed set
  again before a layer, a generator reused, ``c`` the ratio of their scales). Each
  parameter's first ``PREFIX`` values, normalized, are compared pairwise; a candidate pair is
  confirmed on their first ``min(sizes, CONFIRM)`` values (correlation ``1 - 1e-6``);
* **repeated block**: slices of one parameter along an axis that are equal (a block of rows
  repeated: duplicated shards, one small matrix tiled). Each slice with at least
  ``MIN_SLICE`` values is fingerprinted by a random projection, equal fingerprints are
  confirmed exactly (projections within 1e-5 of each other are candidates: a product's rounding
  may differ between positions), and equal slices at one offset are reported as one repeated block.

Random values coincide in none of these ways except with probability far below 1e-12.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Finding", "Prefix", "repeated_blocks", "repeated_draws"]

PREFIX = 8
CONFIRM = 1 << 16
MIN_SLICE = 16


@dataclass(frozen=True)
class Finding:
    """Something wrong with a model's parameters that no single verdict shows.

    Attributes:
        kind: ``identical``, ``repeated-draws``, ``repeated-block``, ``padding-row``,
            ``non-finite``, ``not-drawn``, ``rule-unmatched`` or ``build``.
        parameters: the parameters concerned (names; none for a rule that matched nothing).
        detail: one sentence, with the numbers.
    """

    kind: str
    parameters: tuple[str, ...]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"kind": self.kind, "parameters": list(self.parameters), "detail": self.detail}


@dataclass
class Prefix:
    """A parameter's first values in one build (its padding rows left out)."""

    name: str
    values: np.ndarray  # up to CONFIRM values, float64
    shape: tuple[int, ...] = field(default=())

    def direction(self) -> np.ndarray | None:
        v = self.values[:PREFIX]
        norm = float(np.linalg.norm(v))
        if v.size < PREFIX or not norm > 0 or not np.all(np.isfinite(v)):
            return None
        u = v / norm
        return u if u[np.argmax(np.abs(u))] > 0 else -u


def repeated_draws(prefixes: Sequence[Prefix], full: dict[str, np.ndarray] | None = None) -> list[Finding]:
    """Pairs whose first values are proportional (see the module docstring)."""
    with np.errstate(all="ignore"):  # uninitialized memory may hold huge or non-finite values
        return _repeated_draws(prefixes, full)


def _repeated_draws(prefixes: Sequence[Prefix], full: dict[str, np.ndarray] | None) -> list[Finding]:
    dirs = [(p, p.direction()) for p in prefixes]
    dirs = [(p, u) for p, u in dirs if u is not None]
    if len(dirs) < 2:
        return []
    mat = np.stack([u for _, u in dirs])
    out = []
    close = np.abs(mat @ mat.T) > 1 - 1e-8
    for i, j in zip(*np.nonzero(np.triu(close, 1))):
        a, b = dirs[i][0], dirs[j][0]
        m = min(a.values.size, b.values.size)
        x, y = a.values[:m], b.values[:m]
        if m < PREFIX or not (np.std(x) > 0 and np.std(y) > 0):
            continue
        r = float(np.corrcoef(x, y)[0, 1])
        if abs(r) < 1 - 1e-6:
            continue
        c = float(np.dot(x, y) / np.dot(x, x))
        same = a.shape == b.shape and full is not None and a.name in full and b.name in full \
            and np.array_equal(full[a.name], full[b.name])
        if same:
            out.append(Finding("identical", (a.name, b.name),
                               f"{b.name} is identical to {a.name} in the same build (a seed set again before "
                               "a layer, or a copy): two layers that should be drawn apart are one"))
        else:
            out.append(Finding("repeated-draws", (a.name, b.name),
                               f"the first {m:,} values of {b.name} are {c:.6g} × those of {a.name} "
                               f"(correlation {r:.9f}): the same generator state drew both (a reused seed)"))
    return out


def _slices(a: np.ndarray, axis: int, rng: np.random.Generator) -> np.ndarray:
    """A fingerprint per slice of ``a`` along ``axis``: two random projections of its values."""
    rest = a.size // a.shape[axis]
    v = rng.standard_normal((rest, 2)).astype(a.dtype if a.dtype.kind == "f" else np.float64)
    if a.ndim == 2:  # no copy: a matrix product either way
        return (a @ v if axis == 0 else a.T @ v).astype(np.float64)
    moved = np.moveaxis(a, axis, 0).reshape(a.shape[axis], -1)
    return (moved @ v).astype(np.float64)


def repeated_blocks(name: str, a: np.ndarray) -> list[Finding]:
    """Equal slices of ``a`` along any axis (see the module docstring)."""
    with np.errstate(all="ignore"):  # uninitialized memory may hold huge or non-finite values
        return _repeated_blocks(name, a)


def _repeated_blocks(name: str, a: np.ndarray) -> list[Finding]:
    out = []
    rng = np.random.default_rng(0x5EED)
    for axis in range(a.ndim if a.ndim >= 2 else 0):
        count, size = a.shape[axis], a.size // max(a.shape[axis], 1)
        if count < 2 or size < MIN_SLICE:
            continue
        prints = _slices(a, axis, rng)
        order = np.lexsort(prints.T[::-1])
        sp = prints[order]
        # equal slices project alike up to the rounding of the product's blocking: near is a candidate
        equal = np.nonzero(np.all(np.isclose(sp[1:], sp[:-1], rtol=1e-5, atol=0), axis=1))[0]
        if equal.size == 0:
            continue
        moved = np.moveaxis(a, axis, 0)
        pairs = sorted({(int(min(order[k], order[k + 1])), int(max(order[k], order[k + 1]))) for k in equal
                        if np.array_equal(moved[order[k]], moved[order[k + 1]])})
        if not pairs:
            continue
        offsets = {j - i for i, j in pairs}
        what = "rows" if axis == 0 else f"slices along axis {axis}"
        if len(offsets) == 1:
            d = offsets.pop()
            detail = (f"{name}: {len(pairs)} of its {count} {what} repeat the {what} {d} before them "
                      f"(a block of {d} repeated along axis {axis}: duplicated shards or a tiled matrix)")
        else:
            shown = ", ".join(f"{i}={j}" for i, j in pairs[:4])
            detail = f"{name}: {len(pairs)} pairs of equal {what} ({shown}{', ...' if len(pairs) > 4 else ''})"
        out.append(Finding("repeated-block", (name,), detail))
    return out
