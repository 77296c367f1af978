"""Across shapes: the fan rule that explains the scale, the gain's name, and the law of the grammar.

:func:`~initcheck.identification.rules.fit_fan_rule` takes one
:class:`~initcheck.identification.core.ShapeDescription` per shape.
For each candidate mode (``fan_in``, ``fan_out``, ``fan_avg``, and ``constant``: the same
variance at every shape) it computes ``g²_i = s²_i · fan_i`` (fan 1 for ``constant``). Under
the right mode every ``log g²_i`` estimates the same ``log g²`` with standard error
``τ_i = sqrt((κ - 1)/n_i)`` (the variance's closed-form spread, ``κ`` the family's kurtosis),
so ``Q = Σ (log g²_i - mean)² / τ_i²`` (weighted mean) is chi-square with ``k - 1`` degrees
of freedom. A mode is *consistent* when ``Q``'s p-value is at least ``ALPHA_MODE``: the
right mode is called inconsistent with probability at most ``ALPHA_MODE``. The default
shapes (:data:`~initcheck.identification.report.IDENTIFY_SHAPES`) are chosen so that the fans
of different modes differ by factors of 1.25 to 4 between shapes, against standard errors
under 1%: a wrong mode is consistent with negligible probability.

Which shapes tell the modes apart. A vector of length ``n`` has the fans ``(n, n)`` in every
layout (:mod:`initcheck.fans`), so ``fan_in``, ``fan_out`` and ``fan_avg`` give it the same
fan: vectors alone cannot tell these modes apart, and mixed with matrices they would tell
them apart only through that convention, not through anything the sampler does. The modes
are therefore fitted on the shapes of rank 2 or more when there are any (on the vectors
when there are none), and the vectors are then tested against the mode found: the same
chi-square over every shape, whose p-value is ``vectors_pvalue``; below ``ALPHA_MODE``, no
one rule explains both. Two modes whose fans keep one ratio at every fitting shape (any
mode at one shape; ``fan_in`` and ``fan_out`` at square matrices; all three at ``64x32``
and ``128x64``, where ``fan_out = 2 fan_in``) have the same ``Q``: no draws of those shapes
tell them apart.

The mode is *decided* when exactly one mode is consistent. When several are, the rule is
*ambiguous*: ``mode`` is None and ``ambiguous`` names the consistent modes, each with its own
gain in ``fits``; the tool does not pick one.

The gain ``g`` (the weighted mean) has an interval at level ``1 - ALPHA_INTERVAL``; it is
*named* when one of ``GAINS`` lies inside it (the nearest, if several): a true named
gain is missed with probability at most ``ALPHA_INTERVAL``, and a gain 10% off any constant
is named with negligible probability at these n.

:func:`~initcheck.identification.rules.law_text` then writes the law in the grammar (text
:func:`initcheck.laws.parse_law`
reads), the most specific one that says the same thing: ``he_uniform(a=2.2360679775)``
for U(±1/√fan_in), ``variance_scaling(scale=..., ...)`` for an unnamed gain. A number the
law states without a recognized constant for it (a sd, a bound, a mean, a cut, a scale) is
written as the decimal with the fewest significant digits inside its interval
(:func:`~initcheck.identification.rules.shortest`): ``normal(std=0.05)`` for a sd of
0.04998 [0.04981, 0.05016]; an orthogonal gain, exact up to rounding, within its spread
across shapes or ``RTOL_GAIN``, whichever is larger (``orthogonal(gain=1.414)``). A true
value of a few digits is therefore written exactly unless its interval misses it
(probability at most ``ALPHA_INTERVAL``); any other value is written to the digits its
interval resolves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from scipy import stats

from ..errors import expected
from ..fans import compute_fans
from .core import ALPHA_INTERVAL, ShapeDescription, truncated_ratio

__all__ = ["ALPHA_MODE", "GAINS", "FanRule", "ModeFit", "fit_fan_rule", "law_text", "shortest"]

ALPHA_MODE = 1e-6  # false rejection of the right fan mode (chi-square of the per-shape gains)
RTOL_EXACT = 1e-4  # constants and orthogonal gains: the same across shapes to this relative error
RTOL_GAIN = 1e-6  # an orthogonal gain is written to this relative precision at least (float32 rounding ~1e-7)
RTOL_TIED = 1e-9  # two modes are tied when the log ratio of their fans varies less than this

#: the recognized gains, name -> (gain, he nonlinearity keywords for the grammar, or None)
GAINS: dict[str, tuple[float, str | None]] = {
    "1": (1.0, "nonlinearity=linear"),
    "√2 (ReLU)": (math.sqrt(2.0), ""),
    "1/√3 (leaky_relu a = √5: PyTorch's Linear/Conv default)": (1 / math.sqrt(3.0), "a=2.2360679775"),
    "5/3 (tanh)": (5.0 / 3.0, "nonlinearity=tanh"),
    "3/4 (SELU)": (0.75, "nonlinearity=selu"),
}
MODES = ("fan_in", "fan_out", "fan_avg", "constant")


def shortest(x: float, lo: float, hi: float) -> float:
    """The decimal with the fewest significant digits in ``[lo, hi]``, nearest ``x`` among those
    (``x`` itself if none has up to 10 digits).

    >>> shortest(0.0499871, 0.0498, 0.0502)
    0.05
    >>> shortest(1.88235, 1.869, 1.896)
    1.88
    """
    if lo <= 0.0 <= hi:
        return 0.0
    for digits in range(1, 11):
        v = float(f"{x:.{digits}g}")
        if lo <= v <= hi:
            return v
    return x


@dataclass(frozen=True)
class ModeFit:
    """One fan mode fitted to the per-shape variances of the fitting shapes.

    Attributes:
        mode: ``fan_in``, ``fan_out``, ``fan_avg`` or ``constant``.
        pvalue: the chi-square p-value of the per-shape gains (1 with one shape).
        gain: ``sqrt(s² · fan)`` pooled over the shapes (for ``constant``: the sd).
        gain_interval: its interval at level ``1 - ALPHA_INTERVAL``.
        named: the recognized gain inside the interval (a key of ``GAINS``), or None
            (always None for ``constant``).
    """

    mode: str
    pvalue: float
    gain: float
    gain_interval: tuple[float, float]
    named: str | None

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"mode": self.mode, "pvalue": self.pvalue, "gain": self.gain,
                "gain_interval": list(self.gain_interval), "named": self.named}


@dataclass(frozen=True)
class FanRule:
    """The fan rule fitted to the per-shape variances.

    Attributes:
        mode: the one consistent mode (``fan_in``, ``fan_out``, ``fan_avg`` or ``constant``),
            or None if no mode is consistent, if several are (``ambiguous``), or if the
            vectors do not follow the mode the matrices decided (``vectors_pvalue``).
        pvalues: every mode's chi-square p-value over the fitting shapes (``fitted_on``).
        gain: ``sqrt(s² · fan)`` pooled under ``mode`` (for ``constant``: the sd); with no
            mode, under the first ambiguous mode, else under ``fan_in``.
        gain_interval: its interval at level ``1 - ALPHA_INTERVAL``.
        named: the recognized gain inside the interval (a key of ``GAINS``), or None.
        ambiguous: the consistent modes when there are several (``mode`` is then None):
            the shapes did not tell them apart.
        gains: per shape, ``sqrt(s² · fan)`` under the mode of ``gain``.
        reason: how the mode was decided, or why it was not, in one sentence.
        fitted_on: the shapes the modes were fitted on: those of rank 2 or more, or the
            vectors when there are no others.
        vectors_pvalue: with matrices and vectors mixed, the p-value of the decided mode's
            chi-square over every shape (the vectors' fans read as ``(n, n)``); else None.
        fits: every mode's fit, in the order fan_in, fan_out, fan_avg, constant.
    """

    mode: str | None
    pvalues: dict[str, float]
    gain: float
    gain_interval: tuple[float, float]
    named: str | None
    ambiguous: tuple[str, ...]
    gains: tuple[float, ...]
    reason: str = ""
    fitted_on: tuple[tuple[int, ...], ...] = ()
    vectors_pvalue: float | None = None
    fits: tuple[ModeFit, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"mode": self.mode, "pvalues": self.pvalues, "gain": self.gain,
                "gain_interval": list(self.gain_interval), "named": self.named, "ambiguous": list(self.ambiguous),
                "gains": list(self.gains), "reason": self.reason, "fitted_on": [list(s) for s in self.fitted_on],
                "vectors_pvalue": self.vectors_pvalue, "fits": [f.to_dict() for f in self.fits]}


def _fan(shape: tuple[int, ...], layout: str, mode: str) -> float:
    if mode == "constant":
        return 1.0
    fans = compute_fans(shape, layout)
    return float(fans.fan_avg if mode == "fan_avg" else getattr(fans, mode))


def _named(gain: float, interval: tuple[float, float]) -> str | None:
    inside = [(abs(math.log(g / gain)), name) for name, (g, _) in GAINS.items() if interval[0] <= g <= interval[1]]
    return min(inside)[1] if inside else None


def _fit(mode: str, descriptions: Sequence[ShapeDescription], layout: str) -> tuple[ModeFit, list[float]]:
    """The mode's fit over ``descriptions``, and each one's ``log g²``."""
    z = float(stats.norm.isf(ALPHA_INTERVAL / 2))
    weights = [d.n / (d.family_kurtosis - 1) for d in descriptions]  # 1 / τ²
    logs = [math.log(d.std**2 * _fan(d.shape, layout, mode)) for d in descriptions]
    mean = sum(w * v for w, v in zip(weights, logs)) / sum(weights)
    q = sum(w * (v - mean) ** 2 for w, v in zip(weights, logs))
    dof = len(logs) - 1
    p = float(stats.chi2.sf(q, dof)) if dof > 0 else 1.0
    se = 1 / math.sqrt(sum(weights))
    gain = math.exp(mean / 2)
    interval = (math.exp((mean - z * se) / 2), math.exp((mean + z * se) / 2))
    named = None if mode == "constant" else _named(gain, interval)
    return ModeFit(mode, p, gain, interval, named), logs


def _tied(a: str, b: str, shapes: Sequence[tuple[int, ...]], layout: str) -> bool:
    """Whether modes ``a`` and ``b`` keep one fan ratio at every shape (then their Q is the same)."""
    logs = [math.log(_fan(s, layout, a) / _fan(s, layout, b)) for s in shapes]
    return max(logs) - min(logs) <= RTOL_TIED


def _words(modes: Sequence[str]) -> str:
    return modes[0] if len(modes) == 1 else f"{', '.join(modes[:-1])} and {modes[-1]}"


def _shapes(shapes: Sequence[tuple[int, ...]]) -> str:
    return ", ".join("x".join(map(str, s)) for s in shapes)


_APART = "draw matrices whose fan_out/fan_in ratios differ (64x256, 256x64, 128x128) to tell them apart"


def _ambiguity(modes: Sequence[str], fits: dict[str, ModeFit], fitting: Sequence[tuple[int, ...]],
               layout: str, vectors_only: bool) -> str:
    ps = ", ".join(f"{m} p = {fits[m].pvalue:.3g}" for m in modes)
    if not all(_tied(modes[0], m, fitting, layout) for m in modes[1:]):
        return (f"{_words(modes)} are all consistent ({ps}): the fans of the shapes drawn "
                f"({_shapes(fitting)}) differ too little to tell them apart at these sample sizes; {_APART}")
    if len(fitting) == 1:
        return f"one shape ({_shapes(fitting)}) cannot tell {_words(modes)} apart; {_APART}"
    if vectors_only:
        return (f"every shape drawn is a vector ({', '.join(str(s[0]) for s in fitting if s)} values), whose "
                f"fans are (n, n) in any layout: {_words(modes)} give it the same fan; {_APART}")
    return (f"{_words(modes)} keep one ratio to each other at every shape drawn ({_shapes(fitting)}), "
            f"so no draws of these shapes tell them apart; {_APART}")


def fit_fan_rule(descriptions: Sequence[ShapeDescription], layout: str = "torch") -> FanRule:
    """Fit the fan mode and gain to iid descriptions of several shapes (see the module docstring).

    Raises:
        UsageError: no descriptions.
    """
    if not descriptions:
        raise expected("descriptions", list(descriptions), "at least one shape's description")
    matrices = [d for d in descriptions if len(d.shape) >= 2]
    fitting = matrices or list(descriptions)
    vectors = [d for d in descriptions if len(d.shape) < 2] if matrices else []
    fitted = {m: _fit(m, fitting, layout) for m in MODES}
    fits = {m: f for m, (f, _) in fitted.items()}
    consistent = [m for m in MODES if fits[m].pvalue >= ALPHA_MODE]
    shapes = [d.shape for d in fitting]
    mode: str | None = None
    ambiguous: tuple[str, ...] = ()
    vectors_p = None
    if len(consistent) == 1:
        mode = consistent[0]
        chosen = fits[mode]
        others = ", ".join(f"{m} p = {fits[m].pvalue:.3g}" for m in MODES if m != mode)
        reason = f"{mode} is the one consistent mode (p = {chosen.pvalue:.3g}; {others})"
        if len(shapes) < len(descriptions):
            reason += f", fitted on the shapes of rank 2 or more ({_shapes(shapes)})"
        if vectors:
            whole, _ = _fit(mode, descriptions, layout)
            vectors_p = whole.pvalue
            vec = ", ".join(str(d.shape[0]) for d in vectors if d.shape)
            if vectors_p < ALPHA_MODE:
                reason = (f"the matrices follow {mode} (p = {chosen.pvalue:.3g}), but the vectors ({vec} values) do "
                          f"not follow it with their fans (n, n) (p = {vectors_p:.3g} with them): no one rule explains "
                          "both")
                mode = None
            else:
                chosen = whole
                reason += f"; the vectors ({vec} values) follow it too (p = {vectors_p:.3g} with them)"
    elif consistent:
        ambiguous = tuple(consistent)
        chosen = fits[consistent[0]]
        reason = _ambiguity(consistent, fits, shapes, layout, not matrices)
    else:
        chosen = fits["fan_in"]
        reason = "no mode is consistent (" + ", ".join(f"{m} p = {fits[m].pvalue:.3g}" for m in MODES) + ")"
    per_shape = tuple(math.sqrt(d.std**2 * _fan(d.shape, layout, chosen.mode)) for d in descriptions)
    return FanRule(mode, {m: fits[m].pvalue for m in MODES}, chosen.gain, chosen.gain_interval,
                   chosen.named if mode is not None else None, ambiguous, per_shape, reason, tuple(shapes),
                   vectors_p, tuple(fits[m] for m in MODES))


def _num(x: float) -> str:
    return f"{x:.10g}"


def _stds(descriptions: Sequence[ShapeDescription]) -> str:
    return ", ".join(f"{'x'.join(map(str, d.shape))}: {d.std:.5g}" for d in descriptions)


def _pooled_mean(descriptions: Sequence[ShapeDescription], sd: float) -> tuple[float, tuple[float, float]]:
    """The mean over every value and its interval at level ``1 - ALPHA_INTERVAL`` (sd ``sd``)."""
    n = sum(d.n for d in descriptions)
    mean = sum(d.mean * d.n for d in descriptions) / n
    half = float(stats.norm.isf(ALPHA_INTERVAL / 2)) * sd / math.sqrt(n)
    return mean, (mean - half, mean + half)


def law_text(kind: str, rule: FanRule | None, descriptions: Sequence[ShapeDescription]) -> tuple[str | None, str]:
    """The law of the grammar that explains the draws, and why (or None and why none does).

    ``kind`` is the family every shape agrees on; ``rule`` the fitted fan rule (iid kinds).
    A rule whose mode is ambiguous gives no law: the reason names the law under each of its
    modes.
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
        spread = max(RTOL_GAIN, max(abs(x / g - 1) for x in gains))  # the digits the draws resolve
        shown = _num(GAINS[named][0]) if named else _num(shortest(g, g * (1 - spread), g * (1 + spread)))
        return ("orthogonal" if named == "1" else f"orthogonal(gain={shown})",
                f"orthogonal at every shape with gain {g:.10g}" + (f" = {named}" if named else ""))
    if kind == "fixed":
        return None, "the same values for every seed (loaded or deterministic): no random law of the grammar"
    if kind == "none" or rule is None:
        return None, "no family of the grammar (normal, uniform, truncated normal) fits: " + "; ".join(
            f"{'x'.join(map(str, d.shape))}: kurtosis {d.kurtosis:.3f}, max/sd {d.ratio:.3f}" for d in descriptions)
    stds = _stds(descriptions)
    if rule.mode is None and rule.ambiguous:
        return None, f"{kind} at every shape, but the fan mode is ambiguous: {rule.reason}" + _candidates(
            kind, rule, descriptions)
    if rule.mode is None:
        ps = ", ".join(f"{m} p = {p:.2g}" for m, p in rule.pvalues.items())
        why = rule.reason if rule.vectors_pvalue is not None else ps
        return None, f"{kind} at every shape, but no fan rule explains the sds ({stds}; {why})"
    centered = all(d.mean_interval[0] <= 0 <= d.mean_interval[1] for d in descriptions)
    if kind == "truncated_normal":
        return _truncated(rule, descriptions, centered, stds)
    if rule.mode == "constant":
        return _constant(kind, rule, descriptions, centered, stds)
    if not centered:
        return None, f"{kind} with a fan rule but a non-zero mean: the grammar's fan laws are centered ({stds})"
    return _fan_law(kind, rule), _because(kind, rule)


def _candidates(kind: str, rule: FanRule, descriptions: Sequence[ShapeDescription]) -> str:
    """``; under fan_in it is he_normal, under fan_out ...``: the law under each ambiguous mode."""
    fits = {f.mode: f for f in rule.fits}
    laws = []
    for mode in rule.ambiguous:
        fit = fits.get(mode)
        if fit is None:
            continue
        one = replace(rule, mode=mode, gain=fit.gain, gain_interval=fit.gain_interval, named=fit.named,
                      ambiguous=())
        law, _ = law_text(kind, one, descriptions)
        laws.append(f"{mode}: {law or 'no law'}")
    return f" (the law under each: {'; '.join(laws)})" if laws else ""


def _constant(kind: str, rule: FanRule, descriptions: Sequence[ShapeDescription], centered: bool,
              stds: str) -> tuple[str | None, str]:
    """A normal or uniform law with the same sd at every shape, its numbers written shortest."""
    lo, hi = rule.gain_interval
    mean, mean_interval = _pooled_mean(descriptions, rule.gain)
    m = 0.0 if centered else shortest(mean, *mean_interval)
    sd = f"sd {rule.gain:.5g} [{lo:.5g}, {hi:.5g}]"
    if kind == "normal":
        std = shortest(rule.gain, lo, hi)
        return (f"normal(std={_num(std)})" if centered else f"normal(mean={_num(m)}, std={_num(std)})",
                f"the same {sd} at every shape ({stds})")
    root3 = math.sqrt(3)
    half = shortest(rule.gain * root3, lo * root3, hi * root3)
    text = f"uniform(a={_num(half)})" if centered else f"uniform(low={_num(m - half)}, high={_num(m + half)})"
    return text, f"the same {sd}, bound {rule.gain * root3:.5g}, at every shape ({stds})"


def _because(kind: str, rule: FanRule) -> str:
    g, (lo, hi) = rule.gain, rule.gain_interval
    named = f" = {rule.named}" if rule.named else " (no recognized constant in its interval)"
    return f"{kind} with variance gain²/{rule.mode}, gain {g:.5g} [{lo:.5g}, {hi:.5g}]{named}"


def _scale(rule: FanRule) -> float:
    """The variance scale ``g²``: the named gain's, else the shortest decimal in the interval."""
    if rule.named is not None:
        return GAINS[rule.named][0] ** 2
    lo, hi = rule.gain_interval
    return shortest(rule.gain**2, lo**2, hi**2)


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
    return f"variance_scaling(scale={_num(_scale(rule))}, mode={mode}, distribution={dist})"


def _truncated(rule: FanRule, descriptions: Sequence[ShapeDescription], centered: bool,
               stds: str) -> tuple[str | None, str]:
    cuts = [d.cut_interval or (math.nan, math.nan) for d in descriptions]
    if rule.mode == "constant":
        # one cut for all shapes: the shortest decimal in every shape's cut interval (their mean if
        # the intervals do not meet); the parent sd from the sd and that cut: sd = parent · c / ratio(c)
        mean_cut = sum(d.cut or 0.0 for d in descriptions) / len(descriptions)
        c_lo, c_hi = max(lo for lo, _ in cuts), min(hi for _, hi in cuts)
        cut = shortest(mean_cut, c_lo, c_hi) if c_lo <= c_hi else mean_cut
        per_sd = truncated_ratio(cut) / cut
        lo, hi = rule.gain_interval
        parent = shortest(rule.gain * per_sd, lo * per_sd, hi * per_sd)
        b = cut * parent
        mean, mean_interval = _pooled_mean(descriptions, rule.gain)
        m = 0.0 if centered else shortest(mean, *mean_interval)
        return (f"truncated_normal(mean={_num(m)}, std={_num(parent)}, a={_num(m - b)}, b={_num(m + b)})",
                f"a normal of sd {rule.gain * per_sd:.5g} cut at ±{cut:g} of its sds ({b:.5g}), the same at "
                f"every shape (sds {stds}; cuts " + ", ".join(f"[{lo:.3f}, {hi:.3f}]" for lo, hi in cuts) + ")")
    if not all(lo <= 2.0 <= hi for lo, hi in cuts):
        return None, ("a truncated normal with a fan rule, cut at " + ", ".join(
            f"[{lo:.3f}, {hi:.3f}]" for lo, hi in cuts) + " parent sds; the grammar's variance_scaling cuts at 2")
    if not centered:
        return None, f"truncated normal with a fan rule but a non-zero mean ({stds})"
    return (f"variance_scaling(scale={_num(_scale(rule))}, mode={rule.mode}, distribution=truncated_normal)",
            "a normal cut at ±2 parent sds, " + _because("truncated_normal", rule))
