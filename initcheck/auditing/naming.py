"""The law of the grammar that explains one parameter's draws, from its description alone.

One shape cannot tell fan modes apart the way :func:`~initcheck.identification.rules.fit_fan_rule`
does across shapes; what it can say is which recognized gain (1, √2, 1/√3, 5/3, 3/4) the
sd's interval holds under each fan of the parameter's layout: ``g = sd · sqrt(fan)``. The
first mode whose gain is named (in the order fan_in, fan_avg, fan_out) explains the scale;
modes with the same fan at this shape are listed as ambiguous. A vector (a bias) has no fans
of its own: PyTorch scales a layer's bias by its weight's fan_in, so the fans of the weights
of the same module are tried too. With no named gain, the sd itself is the law's parameter,
written as the shortest decimal inside its interval (``normal(std=0.02)``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..fans import compute_fans
from ..identification.core import ShapeDescription
from ..identification.rules import GAINS, FanRule, law_text

__all__ = ["name_law"]

_ORDER = ("fan_in", "fan_avg", "fan_out")


def _named(g_lo: float, g: float, g_hi: float) -> str | None:
    inside = [(abs(math.log(c / g)), name) for name, (c, _) in GAINS.items() if g_lo <= c <= g_hi]
    return min(inside)[1] if inside else None


def name_law(d: ShapeDescription, shape: tuple[int, ...],
             sibling_fans: Sequence[tuple[str, int]] = ()) -> tuple[str | None, str]:
    """The law text (or None) and why, for the description ``d`` of a parameter whose draws,
    in the torch layout, have ``shape``; ``sibling_fans``: ``(words, fan)`` of the weights of the
    same module, tried for a vector."""
    if d.kind not in ("normal", "uniform", "truncated_normal") or d.std_interval is None:
        return law_text(d.kind, None, [d])
    lo, hi = d.std_interval
    candidates: list[tuple[str, float]] = []
    if len(shape) >= 2:
        fans = compute_fans(shape, "torch")
        candidates = [("fan_in", fans.fan_in), ("fan_avg", fans.fan_avg), ("fan_out", fans.fan_out)]
    for mode, fan in candidates:
        root = math.sqrt(fan)
        named = _named(lo * root, d.std * root, hi * root)
        if named is not None:
            same = tuple(m for m, f in candidates if m != mode and f == fan)
            rule = FanRule(mode, {}, d.std * root, (lo * root, hi * root), named, same, (d.std * root,))
            text, why = law_text(d.kind, rule, [d])
            return text, why + (f" (at this shape {' and '.join(same)} give the same fan)" if same else "")
    k = math.sqrt(3) if d.kind == "uniform" else 1.0  # a uniform's law parameter is its bound, sd·√3
    std, interval, scaled = d.std, (lo, hi), ""
    for words, fan in sibling_fans:
        root = math.sqrt(fan)
        named = _named(lo * root, d.std * root, hi * root)
        if named is not None:
            std = GAINS[named][0] / root
            interval = (std, std)  # the law's number is exact: the named gain over the weight's fan
            scaled = f"; sd · √{fan} = {d.std * root:.4g} = {named}: scaled by {words}"
            break
    rule = FanRule("constant", {}, std, interval, None, (), (std,))
    text, _ = law_text(d.kind, rule, [d])
    why = (f"{d.kind} with sd {d.std:.5g} [{lo:.5g}, {hi:.5g}]"
           + (f" (bound {d.std * k:.5g})" if d.kind == "uniform" else "")
           + (scaled or ("; no fan of its layout gives a recognized gain" if candidates else "")))
    return text, why
