"""Achieved power and false-alarm rate of the real ``check()`` on planted errors, over many seeds.

Errors are planted at exactly the tolerance (variance × 1 ± 0.02, mean +
0.02 claimed sd), where the verdict plans power ≥ 0.999 per shape, and at
smaller sizes where the planner predicts a power well below 1, so that the
prediction itself is tested. Most cases use a single shape, (96, 160), with the
default alpha and tolerance (a default 7-shape verdict takes seconds, too slow
for hundreds of repeats); two cases repeat the default 7-shape verdict. The
truncated normal's reference sampler (scipy's truncnorm) is slow, so that
family's false alarms are measured in the calibration only. Every case runs
with both designs, ``design="fixed"`` and ``design="sequential"``, on the same
seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from initcheck import check
from initcheck import stats as st

from .montecarlo import Case, Outcome, clopper_pearson, run_cases
from .planted import MeanShifted, Reference, VarianceScaled
from .tables import ci, markdown_table

__all__ = ["SHAPE", "cases", "measure", "table"]

SHAPE = (96, 160)  # one dense shape of the defaults
ONE = (("shapes", (SHAPE,)),)

NORMAL = Reference("xavier_normal")
UNIFORM = Reference("xavier_uniform")


DESIGNS = ("fixed", "sequential")


@dataclass(frozen=True)
class Planted:
    case: Case
    what: str  # the error, in words
    effect: tuple[str, float] | None  # ("variance", d) or ("mean", d): the planner predicts the power
    default_shapes: bool = False
    design: str = "fixed"
    at_tolerance: bool = False  # an error of exactly the tolerance: power ≥ 0.999 is promised

    @property
    def correct(self) -> bool:
        return "correct" in self.what


def cases() -> list[Planted]:
    xn, xu = "xavier_normal", "xavier_uniform"
    base = [
        (Case("n-ok", NORMAL, xn, ONE), "normal, correct", None, False, False),
        (Case("n-v+2", VarianceScaled(NORMAL, 1.02), xn, ONE), "normal, variance +2%", ("variance", 0.02), False,
         True),
        (Case("n-v-2", VarianceScaled(NORMAL, 0.98), xn, ONE), "normal, variance −2%", ("variance", -0.02), False,
         True),
        (Case("n-m+2", MeanShifted(NORMAL, xn, 0.02), xn, ONE), "normal, mean +0.02σ", ("mean", 0.02), False, True),
        (Case("n-v+1.5", VarianceScaled(NORMAL, 1.015), xn, ONE), "normal, variance +1.5% (below tolerance)",
         ("variance", 0.015), False, False),
        (Case("n-m+1", MeanShifted(NORMAL, xn, 0.01), xn, ONE), "normal, mean +0.01σ (below tolerance)",
         ("mean", 0.01), False, False),
        (Case("u-ok", UNIFORM, xu, ONE), "uniform, correct", None, False, False),
        (Case("u-v+2", VarianceScaled(UNIFORM, 1.02), xu, ONE), "uniform, variance +2%", None, False, True),
        (Case("u-v-2", VarianceScaled(UNIFORM, 0.98), xu, ONE), "uniform, variance −2%", None, False, True),
        (Case("u-m+2", MeanShifted(UNIFORM, xu, 0.02), xu, ONE), "uniform, mean +0.02σ", None, False, True),
        (Case("N-v+2", VarianceScaled(NORMAL, 1.02), xn), "normal, variance +2%", ("variance", 0.02), True, True),
        (Case("N-m+2", MeanShifted(NORMAL, xn, 0.02), xn), "normal, mean +0.02σ", ("mean", 0.02), True, True),
    ]
    return [
        Planted(Case(f"{c.key}|{d}", c.sampler, c.claim, (*c.options, ("design", d))), what, effect, default, d, tol)
        for c, what, effect, default, tol in base
        for d in DESIGNS
    ]


def _predicted(p: Planted) -> float | None:
    """The fixed design's planner power for the planted effect: P(the one test's p ≤ alpha/m), m the
    verdict's test count (Holm's first step); across shapes 1 - prod(1 - power). A lower bound on the
    catch rate. For the sequential design at the tolerance, the power its plan promises
    (``ShapePlan.power_variance`` / ``power_mean``, combined over shapes the same way); below the
    tolerance the sequential design promises nothing (None)."""
    if p.effect is None:
        return None
    report = check(p.case.sampler, p.case.claim, **dict(p.case.options))  # one run for n and m
    kind, d = p.effect
    miss = 1.0
    if p.design == "sequential":
        if not p.at_tolerance:
            return None
        for s in report.shapes:
            promised = s.power_variance if kind == "variance" else s.power_mean
            miss *= 1 - (promised or 0.0)
        return 1 - miss
    level = report.alpha / len(report.results)
    for s in report.shapes:
        if kind == "variance":
            miss *= 1 - st.power_variance(s.n, d, level, kurtosis=3.0)
        else:
            miss *= 1 - st.power_mean(s.n, d, level)
    return 1 - miss


def measure(seeds: int, default_seeds: int, progress: Callable[[str], None]) -> list[tuple[Planted, Outcome, Any]]:
    planted = cases()
    one = [p for p in planted if not p.default_shapes]
    many = [p for p in planted if p.default_shapes]
    progress(f"  {len(one)} single-shape cases × {seeds} seeds, {len(many)} default-shape cases × {default_seeds}")
    out = run_cases([p.case for p in one], range(seeds), progress)
    out.update(run_cases([p.case for p in many], range(default_seeds), progress))
    return [(p, out[p.case.key], _predicted(p)) for p in planted]


def table(results: list[tuple[Planted, Outcome, Any]]) -> str:
    rows = []
    for p, o, predicted in results:
        low, high = clopper_pearson(o.failed, o.runs)
        kind = "false alarms" if p.correct else "caught"
        pred = "—" if predicted is None else f"≥ {predicted:.4f}" if p.design == "fixed" else f"{predicted:.4f}"
        checks = ", ".join(f"{c} {k}" for c, k in o.checks.most_common(3)) or "—"
        rows.append([p.what, "default (7)" if p.default_shapes else "×".join(map(str, SHAPE)), p.design, o.runs,
                     f"{o.failed} {kind}", f"{o.rate:.3f}", ci(low, high), pred, checks,
                     f"{o.values // max(o.runs, 1):,}", f"{o.seconds / max(o.runs, 1):.2f} s"])
    return markdown_table(["sampler", "shapes", "design", "verdicts", "failed", "rate", "95% Clopper–Pearson",
                           "planner's power (fixed) / promised power (sequential)", "rejecting checks (verdicts)",
                           "values per verdict (mean)", "time per verdict"], rows)
