"""Across shapes: the fan rule that explains the scale, the gain's name, and the law of the grammar.

:func:`~initcheck.identification.rules.fit_fan_rule` takes one
:class:`~initcheck.identification.core.ShapeDescription` per shape.
For each candidate mode (``fan_in``, ``fan_out``, ``fan_avg``, and ``constant``: the same
variance at every shape) it computes ``g²_i = s²_i · fan_i`` (fan 1 for ``constant``). Under
the right mode every ``log g²_i`` estimates the same ``log g²`` with standard error
``τ_i = sqrt((κ - 1)/n_i)`` (the variance's closed-form spread, ``κ`` the family's kurtosis),
so ``Q = Σ (log g²_i - mean)² / τ_i²`` (weighted mean) is chi-square with ``k - 1`` degrees
of freedom. A mode is *consistent* when ``Q``'s p-value is at least ``ALPHA_MODE``: the
right mode is called inconsistent with probability at most ``ALPHA_MODE``. The shapes are
chosen so that the fans of different modes differ by factors of 1.25 to 4 between shapes,
against standard errors under 1%: a wrong mode is consistent with negligible probability.

The gain ``g`` (the weighted mean) has an interval at level ``1 - ALPHA_INTERVAL``; it is
*named* when one of ``GAINS`` lies inside it (the nearest, if several): a true named
gain is missed with probability at most ``ALPHA_INTERVAL``, and a gain 10% off any constant
is named with negligible probability at these n.

:func:`~initcheck.identification.rules.law_text` then writes the law in the grammar (text
:func:`initcheck.laws.parse_law`
reads), the most specific one that says the same thing: ``he_uniform(a=2.2360679775)``
for U(±1/√fan_in), ``variance_scaling(scale=..., ...)`` for an unnamed gain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scipy import stats

from ..fans import compute_fans
from .core import ALPHA_INTERVAL, ShapeDescription

__all__ = ["ALPHA_MODE", "GAINS", "FanRule", "fit_fan_rule", "law_text"]

ALPHA_MODE = 1e-6  # false rejection of the right fan mode (chi-square of the per-shape gains)
RTOL_EXACT = 1e-4  # constants and orthogonal gains: the same across shapes to this relative error

#: the recognized gains, name -> (gain, he nonlinearity keywords for the grammar, or None)
GAINS: dict[str, tuple[float, str | None]] = {
    "1": (1.0, "nonlinearity=linear"),
    "√2 (ReLU)": (math.sqrt(2.0), ""),
    "1/√3 (leaky_relu a = √5: PyTorch's Linear/Conv default)": (1 / math.sqrt(3.0), "a=2.2360679775"),
    "5/3 (tanh)": (5.0 / 3.0, "nonlinearity=tanh"),
    "3/4 (SELU)": (0.75, "nonlinearity=selu"),
}
MODES = ("fan_in", "fan_out", "fan_avg", "constant")


@dataclass(frozen=True)
class FanRule:
    """The fan rule fitted to the per-shape variances.

    Attributes:
        mode: the consistent mode with the largest p-value (``fan_in``, ``fan_out``,
            ``fan_avg`` or ``constant``), or None if no mode is consistent.
        pvalues: every mode's chi-square p-value.
        gain: ``sqrt(s² · fan)`` pooled over the shapes (for ``constant``: the sd).
        gain_interval: its interval at level ``1 - ALPHA_INTERVAL``.
        named: the recognized gain inside the interval (a key of ``GAINS``), or None.
        ambiguous: other consistent modes (the shapes' fans did not tell them apart).
        gains: per shape, ``sqrt(s² · fan)`` under the chosen mode (under fan_in if none is).
    """

    mode: str | None
    pvalues: dict[str, float]
    gain: float
    gain_interval: tuple[float, float]
    named: str | None
    ambiguous: tuple[str, ...]
    gains: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"mode": self.mode, "pvalues": self.pvalues, "gain": self.gain,
                "gain_interval": list(self.gain_interval), "named": self.named, "ambiguous": list(self.ambiguous),
                "gains": list(self.gains)}


def _fan(shape: tuple[int, ...], layout: str, mode: str) -> float:
    if mode == "constant":
        return 1.0
    fans = compute_fans(shape, layout)
    return float(fans.fan_avg if mode == "fan_avg" else getattr(fans, mode))


def fit_fan_rule(descriptions: Sequence[ShapeDescription], layout: str = "torch") -> FanRule:
    """Fit the fan mode and gain to iid descriptions of several shapes (see the module docstring)."""
    z = float(stats.norm.isf(ALPHA_INTERVAL / 2))
    taus = [math.sqrt((d.family_kurtosis - 1) / d.n) for d in descriptions]
    weights = [1 / t**2 for t in taus]
    fits: dict[str, tuple[float, float, list[float]]] = {}
    for mode in MODES:
        logs = [math.log(d.std**2 * _fan(d.shape, layout, mode)) for d in descriptions]
        mean = sum(w * v for w, v in zip(weights, logs)) / sum(weights)
        q = sum(w * (v - mean) ** 2 for w, v in zip(weights, logs))
        dof = len(logs) - 1
        p = float(stats.chi2.sf(q, dof)) if dof > 0 else 1.0
        fits[mode] = (p, mean, logs)
    pvalues = {m: fits[m][0] for m in MODES}
    consistent = sorted((m for m in MODES if pvalues[m] >= ALPHA_MODE), key=lambda m: -pvalues[m])
    mode = consistent[0] if consistent else None
    p, mean, logs = fits[mode or "fan_in"]
    se = 1 / math.sqrt(sum(weights))
    gain = math.exp(mean / 2)
    interval = (math.exp((mean - z * se) / 2), math.exp((mean + z * se) / 2))
    named = None
    if mode is not None and mode != "constant":
        inside = [(abs(math.log(g / gain)), name) for name, (g, _) in GAINS.items()
                  if interval[0] <= g <= interval[1]]
        named = min(inside)[1] if inside else None
    return FanRule(mode, pvalues, gain, interval, named, tuple(consistent[1:]),
                   tuple(math.exp(v / 2) for v in logs))


def _num(x: float) -> str:
    return f"{x:.10g}"


def law_text(kind: str, rule: FanRule | None, descriptions: Sequence[ShapeDescription]) -> tuple[str | None, str]:
    """The law of the grammar that explains the draws, and why (or None and why none does).

    ``kind`` is the family every shape agrees on; ``rule`` the fitted fan rule (iid kinds).
    """
    first = descriptions[0]
    if kind == "constant":
        values = [d.value for d in descriptions]
        v = float(first.value or 0.0)
        if any(x != v for x in values):
            return None, f"constant per shape but not one constant: {', '.join(f'{x:g}' for x in values)}"
        law = "zeros" if v == 0 else "ones" if v == 1 else f"constant(value={_num(v)})"
        return law, f"every entry is exactly {v:.10g}"
    if kind == "orthogonal":
        gains = [float(d.gain or 0.0) for d in descriptions]
        g = sum(gains) / len(gains)
        if max(abs(x / g - 1) for x in gains) > RTOL_EXACT:
            return None, "orthogonal at every shape, but with gains that change with the shape: " + ", ".join(
                f"{x:.6g}" for x in gains)
        named = next((name for name, (c, _) in GAINS.items() if abs(g / c - 1) <= RTOL_EXACT), None)
        shown = _num(GAINS[named][0]) if named else _num(g)
        return ("orthogonal" if named == "1" else f"orthogonal(gain={shown})",
                f"orthogonal at every shape with gain {g:.10g}" + (f" = {named}" if named else ""))
    if kind == "fixed":
        return None, "the same values for every seed (loaded or deterministic): no random law of the grammar"
    if kind == "none" or rule is None:
        return None, "no family of the grammar (normal, uniform, truncated normal) fits: " + "; ".join(
            f"{'x'.join(map(str, d.shape))}: kurtosis {d.kurtosis:.3f}, max/sd {d.ratio:.3f}" for d in descriptions)
    stds = ", ".join(f"{'x'.join(map(str, d.shape))}: {d.std:.5g}" for d in descriptions)
    if rule.mode is None:
        ps = ", ".join(f"{m} p = {p:.2g}" for m, p in rule.pvalues.items())
        return None, f"{kind} at every shape, but no fan rule explains the sds ({stds}; {ps})"
    centered = all(d.mean_interval[0] <= 0 <= d.mean_interval[1] for d in descriptions)
    if kind == "truncated_normal":
        return _truncated(rule, descriptions, centered, stds)
    if rule.mode == "constant":
        std = rule.gain
        mean = sum(d.mean * d.n for d in descriptions) / sum(d.n for d in descriptions)
        if kind == "normal":
            return (f"normal(std={_num(std)})" if centered else f"normal(mean={_num(mean)}, std={_num(std)})",
                    f"the same sd {std:.6g} at every shape ({stds})")
        half = std * math.sqrt(3)
        text = f"uniform(a={_num(half)})" if centered else (
            f"uniform(low={_num(mean - half)}, high={_num(mean + half)})")
        return (text, f"the same bound {half:.6g} at every shape ({stds})")
    if not centered:
        return None, f"{kind} with a fan rule but a non-zero mean: the grammar's fan laws are centered ({stds})"
    return _fan_law(kind, rule), _because(kind, rule)


def _because(kind: str, rule: FanRule) -> str:
    g, (lo, hi) = rule.gain, rule.gain_interval
    named = f" = {rule.named}" if rule.named else " (no recognized constant in its interval)"
    return f"{kind} with variance gain²/{rule.mode}, gain {g:.5g} [{lo:.5g}, {hi:.5g}]{named}"


def _fan_law(kind: str, rule: FanRule) -> str:
    mode, named = rule.mode, rule.named
    dist = "uniform" if kind == "uniform" else "normal"
    if named == "1" and mode == "fan_avg":
        return f"xavier_{dist}"
    if named == "1" and mode == "fan_in":
        return f"lecun_{dist}"
    if named is not None and mode == "fan_avg":
        return f"xavier_{dist}(gain={_num(GAINS[named][0])})"
    if named is not None:
        words = [w for w in (GAINS[named][1], "mode=fan_out" if mode == "fan_out" else "") if w]
        return f"he_{dist}({', '.join(words)})" if words else f"he_{dist}"
    return f"variance_scaling(scale={_num(rule.gain**2)}, mode={mode}, distribution={dist})"


def _truncated(rule: FanRule, descriptions: Sequence[ShapeDescription], centered: bool,
               stds: str) -> tuple[str | None, str]:
    cuts = [d.cut_interval or (math.nan, math.nan) for d in descriptions]
    if rule.mode == "constant":
        bounds = [d.ratio * d.std for d in descriptions if d.ratio is not None]
        b = max(bounds)
        cut = sum(d.cut or 0.0 for d in descriptions) / len(descriptions)
        parent = b / cut
        mean = sum(d.mean * d.n for d in descriptions) / sum(d.n for d in descriptions)
        m = 0.0 if centered else mean
        return (f"truncated_normal(mean={_num(m)}, std={_num(parent)}, a={_num(m - b)}, b={_num(m + b)})",
                f"a normal cut to ±{b:.6g} (±{cut:.3f} parent sds) at every shape ({stds})")
    if not all(lo <= 2.0 <= hi for lo, hi in cuts):
        return None, ("a truncated normal with a fan rule, cut at " + ", ".join(
            f"[{lo:.3f}, {hi:.3f}]" for lo, hi in cuts) + " parent sds; the grammar's variance_scaling cuts at 2")
    if not centered:
        return None, f"truncated normal with a fan rule but a non-zero mean ({stds})"
    scale = GAINS[rule.named][0] ** 2 if rule.named else rule.gain**2
    mode = rule.mode
    return (f"variance_scaling(scale={_num(scale)}, mode={mode}, distribution=truncated_normal)",
            "a normal cut at ±2 parent sds, " + _because("truncated_normal", rule))
