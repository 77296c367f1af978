"""Shared argument checks and number formatting for the stats modules (private)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from initcheck.errors import expected
from initcheck.stats.result import TestResult

__all__ = [
    "as_sample",
    "check_law",
    "check_level",
    "check_probability",
    "fmt",
    "law_label",
    "nonfinite_detail",
    "nonfinite_result",
    "quantile_for_level",
]


def as_sample(x: Any, name: str = "x", *, min_size: int = 1) -> np.ndarray:
    """Flatten ``x`` to a 1-D float64 array of at least ``min_size`` values.

    Raises:
        UsageError: if ``x`` is not numeric (real) or has too few values.
    """
    try:
        arr = np.asarray(x)
    except Exception as err:
        raise expected(name, type(x).__name__, "an array of real numbers") from err
    if arr.dtype.kind not in "biuf" and arr.dtype.name != "bfloat16":
        raise expected(f"{name}.dtype", str(arr.dtype), "a real numeric dtype")
    flat = arr.astype(np.float64, copy=False).reshape(-1)
    if flat.size < min_size:
        raise expected(f"{name}.size", int(flat.size), f"at least {min_size} value(s)")
    return flat


def check_probability(value: Any, name: str) -> float:
    """Return ``value`` as a float in the open interval (0, 1) or raise UsageError."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise expected(name, value, "a probability in (0, 1)")
    v = float(value)
    if not 0.0 < v < 1.0:
        raise expected(name, value, "a probability in (0, 1)")
    return v


def check_level(level: Any) -> float:
    """A confidence level in (0, 1)."""
    return check_probability(level, "level")


def quantile_for_level(level: float) -> float:
    """Two-sided standard normal quantile: z with P(|Z| <= z) = level."""
    from scipy import stats

    return float(stats.norm.isf((1.0 - level) / 2.0))


def check_law(
    law: Any, name: str = "law", *, needs: tuple[str, ...] = ("cdf", "mean", "var")
) -> Any:
    """Check that ``law`` looks like a frozen ``scipy.stats`` law."""
    missing = [m for m in needs if not callable(getattr(law, m, None))]
    if missing:
        raise expected(name, law, "a frozen scipy.stats law (e.g. scipy.stats.norm(0, 0.1))")
    return law


def law_label(law: Any) -> str:
    """A short mathematical name for a frozen law: ``N(0, 0.1²)``, ``U(-0.25, 0.25)``.

    Normal, uniform and truncated normal laws are named by their parameters
    (not scipy's loc/scale); others as ``name(args, key=value)``.
    """
    dist = getattr(law, "dist", None)
    name = getattr(dist, "name", None)
    if name is None:
        return repr(law)
    args = [float(a) for a in getattr(law, "args", ())]
    kwds = {k: float(v) for k, v in getattr(law, "kwds", {}).items()}
    if name in ("norm", "uniform", "truncnorm"):
        shape_names = ("a", "b") if name == "truncnorm" else ()
        values = dict(zip(shape_names + ("loc", "scale"), args))
        values.update(kwds)
        loc, scale = values.get("loc", 0.0), values.get("scale", 1.0)
        if name == "norm":
            return f"N({fmt(loc)}, {fmt(scale)}²)"
        if name == "uniform":
            return f"U({fmt(loc)}, {fmt(loc + scale)})"
        low, high = loc + values["a"] * scale, loc + values["b"] * scale
        return f"N({fmt(loc)}, {fmt(scale)}²) cut to [{fmt(low)}, {fmt(high)}]"
    parts = [fmt(a) for a in args] + [f"{k}={fmt(v)}" for k, v in kwds.items()]
    return f"{name}({', '.join(parts)})"


def fmt(value: Any) -> str:
    """Four significant digits for floats, thousands separators for ints."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    return f"{v:.4g}"


def nonfinite_detail(count: int, n_total: int) -> str:
    """The sentence every data check prints when it meets NaN or infinity."""
    return f"{count:,} of {n_total:,} values are not finite (NaN or infinity)"


def nonfinite_result(check: str, null: str, count: int, n_total: int, *, estimate: float = math.nan,
                     expect: float | None = None) -> TestResult:
    """The rejection every data check returns when ``count`` of its ``n_total`` values are NaN or
    infinite: statistic inf, p-value 0, ``estimate`` (and its interval) NaN unless given."""
    return TestResult(check, null, math.inf, 0.0, n_total, estimate, (estimate, estimate), expect,
                      nonfinite_detail(count, n_total))
