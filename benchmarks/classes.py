"""Every error class of the efficiency table, planted and checked by both designs over seeds.

For each law family, a correct reference sampler and one sampler per error
class of :func:`benchmarks.efficiency.rows` (same family and error labels),
each checked by the default verdict (default shapes, alpha and tolerance)
with ``design="fixed"`` and ``design="sequential"`` on the same seeds 0…N−1:
the values drawn (``Report.n``) and sampler calls (``ShapePlan.draws`` summed)
per verdict, and how many verdicts failed (the catch rate, or the false-alarm
rate of the correct samplers). The sequential design's verdicts on the
correct samplers and on the contamination classes (a small fraction of values
out of bounds or far out, whose catch rate is far from 1) are cheap, so they
run on more seeds (``extra_seeds``); the fixed design's draws do not depend on
the seed, and its power on those classes has a closed form (the efficiency
table).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .montecarlo import Case, Outcome, run_cases
from .planted import (
    Contaminated,
    GaussianMatrix,
    MeanShifted,
    QRWithoutSignFix,
    Recut,
    Reference,
    RmsShifted,
    SameVariance,
    VarianceScaled,
)

__all__ = [
    "CORRECT",
    "DESIGNS",
    "Planted",
    "contamination",
    "measure",
    "median_calls",
    "median_shape_values",
    "median_values",
    "planted",
]

DESIGNS = ("fixed", "sequential")
CORRECT = "correct sampler"
RATE = 1e-5  # the contamination classes' fraction of values


@dataclass(frozen=True)
class Planted:
    family: str
    error: str  # the efficiency table's label, or CORRECT
    sampler: Callable[..., Any]
    claim: str


def planted() -> list[Planted]:
    """The correct sampler and every error class, per family (the efficiency table's order)."""
    xn, xu, vs, og = "xavier_normal", "xavier_uniform", "variance_scaling", "orthogonal"
    n, u, t, o = Reference(xn), Reference(xu), Reference(vs), Reference(og)
    return [
        Planted("normal", CORRECT, n, xn),
        Planted("normal", "variance +2%", VarianceScaled(n, 1.02), xn),
        Planted("normal", "variance −2%", VarianceScaled(n, 0.98), xn),
        Planted("normal", "mean +0.02σ", MeanShifted(n, xn, 0.02), xn),
        Planted("normal", "wrong family: uniform, same variance", SameVariance(xn, "uniform"), xn),
        Planted("normal", "wrong family: truncated at ±2σ_parent, same variance", SameVariance(xn, "truncated"), xn),
        Planted("normal", f"outliers: {RATE:g} of values × 10", Contaminated(n, RATE, 10.0), xn),
        Planted("uniform", CORRECT, u, xu),
        Planted("uniform", "variance +2% (support ±1.01a)", VarianceScaled(u, 1.02), xu),
        Planted("uniform", "variance −2% (support ±0.990a)", VarianceScaled(u, 0.98), xu),
        Planted("uniform", "mean +0.02σ", MeanShifted(u, xu, 0.02), xu),
        Planted("uniform", "wrong family: normal, same variance", SameVariance(xu, "normal"), xu),
        Planted("uniform", "support U(−0.97a, 0.97a)", VarianceScaled(u, 0.97**2), xu),
        Planted("uniform", f"beyond the support: {RATE:g} of values × 1.5", Contaminated(u, RATE, 1.5), xu),
        Planted("truncated normal", CORRECT, t, vs),
        Planted("truncated normal", "variance +2% (scale × 1.01)", VarianceScaled(t, 1.02), vs),
        Planted("truncated normal", "variance −2% (scale × 0.990)", VarianceScaled(t, 0.98), vs),
        Planted("truncated normal", "mean +0.02σ", MeanShifted(t, vs, 0.02), vs),
        Planted("truncated normal", "wrong family: untruncated normal, same variance", SameVariance(vs, "normal"), vs),
        Planted("truncated normal", "support: cut at ±0.97·2σ_parent", Recut(vs, 1.94), vs),
        Planted("truncated normal", f"beyond the support: {RATE:g} of values × 1.5", Contaminated(t, RATE, 1.5), vs),
        Planted("orthogonal", CORRECT, o, og),
        Planted("orthogonal", "gain² +2% (variance)", VarianceScaled(o, 1.02), og),
        Planted("orthogonal", "mean +0.02σ on every entry", RmsShifted(o, 0.02), og),
        Planted("orthogonal", "wrong family: Gaussian matrix", GaussianMatrix(), og),
        Planted(
            "orthogonal",
            "not Haar: QR without sign fix (q11 always < 0; square: det always (−1)^(n−1))",
            QRWithoutSignFix(),
            og,
        ),
    ]


def contamination(error: str) -> bool:
    return f"{RATE:g} of values" in error


def measure(seeds: int, extra_seeds: int, progress: Callable[[str], None]) -> dict[tuple[str, str, str], Outcome]:
    """(family, error, design) -> the outcome of default verdicts on seeds 0…seeds−1 (0…extra_seeds−1
    for the sequential design on correct samplers and contamination classes)."""
    ps = planted()
    extra = {i for i, p in enumerate(ps) if p.error == CORRECT or contamination(p.error)}
    extra_seeds = max(seeds, extra_seeds)
    cases = [Case(f"{i}|{d}", p.sampler, p.claim, (("design", d),)) for i, p in enumerate(ps) for d in DESIGNS]
    few = [c for c in cases if not (c.key.endswith("|sequential") and int(c.key.split("|")[0]) in extra)]
    many = [c for c in cases if c not in few]
    progress(f"  {len(ps)} samplers × {len(DESIGNS)} designs × {seeds} seeds, default shapes "
             f"({len(many)} sequential cases × {extra_seeds} seeds)")
    out = run_cases(few, range(seeds), progress)
    out.update(run_cases(many, range(extra_seeds), progress))
    result = {}
    for key, o in out.items():
        i, d = key.split("|")
        p = ps[int(i)]
        result[(p.family, p.error, d)] = o
    return result


def median_values(o: Outcome) -> float:
    return statistics.median(o.ns)


def median_calls(o: Outcome) -> float:
    return statistics.median(o.calls)


def median_shape_values(o: Outcome) -> float:
    """Median over verdicts of the median values per shape tested."""
    return statistics.median(statistics.median(ns) for ns in o.shape_ns if ns)
