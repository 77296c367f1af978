"""Shared by the framework tests: drawing many values, one law assertion, row shapes.

Statistical assertions here use :mod:`initcheck.stats` only (never the
verdict layer) with laws written in the tests from the documented formulas.
Each call of :func:`assert_law` makes two p-value assertions (KS and the
kurtosis-aware variance test), each failing a correct initializer with
probability ``ALPHA``: see FALSE_ALARMS.md for the count and the total.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from initcheck.adapters import ConformanceRow
from initcheck.stats import ks_test, variance_test

ALPHA = 1e-6  # false-alarm probability of one p-value assertion for a correct initializer
DRAWS = 40_000  # scalar values per law assertion: KS detects a cdf error of ~0.014 at this alpha
#: comma-separated frameworks (module names) a tox env installs: their tests fail, never skip
REQUIRE_VARIABLE = "INITCHECK_REQUIRE_FRAMEWORKS"


def required(module: str) -> bool:
    """Whether ``INITCHECK_REQUIRE_FRAMEWORKS`` names ``module`` (the env installed it)."""
    names = os.environ.get(REQUIRE_VARIABLE, "").split(",")
    return module in {n.strip() for n in names}


def import_framework(module: str, hint: str) -> ModuleType:
    """Import ``module``; without it, skip the caller, or fail if the env requires it.

    Called at module level (skips the whole file) or inside a test.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if required(module):
            pytest.fail(
                f"{REQUIRE_VARIABLE} names {module}, but it does not import: {exc}", pytrace=False
            )
        pytest.skip(f"{module} is not installed ({exc}): {hint}", allow_module_level=True)


def draw_many(
    sampler: Callable[[tuple[int, ...], int], Any],
    shape: tuple[int, ...],
    seed: int,
    n: int = DRAWS,
) -> np.ndarray:
    """Independent draws of ``shape`` (seeds seed, seed + 1, ...) until ``n`` values, as float64."""
    reps = max(1, -(-n // math.prod(shape)))
    return np.concatenate(
        [np.asarray(sampler(shape, seed + r), dtype=np.float64).ravel() for r in range(reps)]
    )


def assert_law(x: np.ndarray, law: Any) -> None:
    """KS and variance tests of ``x`` against the frozen scipy ``law``; each must have p > ALPHA."""
    results = [ks_test(x, law), variance_test(x, law)]
    failed = [str(r) for r in results if not r.pvalue > ALPHA]
    assert not failed, "the draws do not follow the documented law:\n" + "\n".join(failed)


def row_shape(row: ConformanceRow, layout: str) -> tuple[int, ...]:
    """A shape to draw for a conformance row: the bias's, a module's kernel rank, or a conv kernel."""
    if row.shapes:
        return row.shapes[0]
    if row.kwargs.get("param") == "bias":
        return (8,)
    target = row.target
    for rank, names in (
        (3, ("Conv1d", "ConvTranspose1d")),
        (4, ("Conv2d", "ConvTranspose2d")),
        (5, ("Conv3d", "ConvTranspose3d")),
    ):
        if any(target.endswith(":" + n) for n in names):
            return (8, 4, 3, 3, 3)[:rank] if rank < 5 else (4, 4, 3, 3, 3)
    if target.endswith((":Embedding", ":Linear")):
        return (16, 8)
    return (16, 8, 3) if layout == "torch" else (3, 8, 16)


def same(a: Any, b: Any) -> bool:
    """Bitwise-equal arrays (same shape and dtype)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b))
