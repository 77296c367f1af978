"""Achieved power and false-alarm rate of the real ``check()`` on planted errors, over many seeds.

Errors are planted at exactly the tolerance (variance × 1 ± 0.02, mean +
0.02 claimed sd), where the verdict plans power ≥ 0.999 per shape, and at
smaller sizes where the planner predicts a power well below 1, so that the
prediction itself is tested. Most cases use a single shape, (96, 160), with the
default alpha and tolerance (a default 7-shape verdict takes seconds, too slow
for hundreds of repeats); two cases repeat the default 7-shape verdict. The
truncated normal's reference sampler (scipy's truncnorm) is slow, so that
family's false alarms are measured in the calibration only.
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


@dataclass(frozen=True)
class Planted:
    case: Case
    what: str  # the error, in words
    effect: tuple[str, float] | None  # ("variance", d) or ("mean", d): the planner predicts the power
    default_shapes: bool = False


def cases() -> list[Planted]:
    xn, xu = "xavier_normal", "xavier_uniform"
    return [
        Planted(Case("n-ok", NORMAL, xn, ONE), "normal, correct", None),
        Planted(Case("n-v+2", VarianceScaled(NORMAL, 1.02), xn, ONE), "normal, variance +2%", ("variance", 0.02)),
        Planted(Case("n-v-2", VarianceScaled(NORMAL, 0.98), xn, ONE), "normal, variance −2%", ("variance", -0.02)),
        Planted(Case("n-m+2", MeanShifted(NORMAL, xn, 0.02), xn, ONE), "normal, mean +0.02σ", ("mean", 0.02)),
        Planted(Case("n-v+1.5", VarianceScaled(NORMAL, 1.015), xn, ONE), "normal, variance +1.5% (below tolerance)",
                ("variance", 0.015)),
        Planted(Case("n-m+1", MeanShifted(NORMAL, xn, 0.01), xn, ONE), "normal, mean +0.01σ (below tolerance)",
                ("mean", 0.01)),
        Planted(Case("u-ok", UNIFORM, xu, ONE), "uniform, correct", None),
        Planted(Case("u-v-2", VarianceScaled(UNIFORM, 0.98), xu, ONE), "uniform, variance −2%", None),
        Planted(Case("u-m+2", MeanShifted(UNIFORM, xu, 0.02), xu, ONE), "uniform, mean +0.02σ", None),
        Planted(Case("N-v+2", VarianceScaled(NORMAL, 1.02), xn), "normal, variance +2%", ("variance", 0.02), True),
        Planted(Case("N-m+2", MeanShifted(NORMAL, xn, 0.02), xn), "normal, mean +0.02σ", ("mean", 0.02), True),
    ]


def _predicted(p: Planted) -> float | None:
    """The planner's power for the planted effect: P(the one test's p ≤ alpha/m), m the verdict's test
    count (Holm's first step); across shapes 1 - prod(1 - power). A lower bound on the catch rate."""
    if p.effect is None:
        return None
    report = check(p.case.sampler, p.case.claim, **dict(p.case.options))  # one run for n and m
    level = report.alpha / len(report.results)
    kind, d = p.effect
    miss = 1.0
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
        correct = p.effect is None and "correct" in p.what
        kind = "false alarms" if correct else "caught"
        pred = "—" if predicted is None else f"≥ {predicted:.4f}"
        checks = ", ".join(f"{c} {k}" for c, k in o.checks.most_common(3)) or "—"
        rows.append([p.what, "default (7)" if p.default_shapes else "×".join(map(str, SHAPE)), o.runs,
                     f"{o.failed} {kind}", f"{o.rate:.3f}", ci(low, high), pred, checks,
                     f"{o.values // max(o.runs, 1):,}", f"{o.seconds / max(o.runs, 1):.2f} s"])
    return markdown_table(["sampler", "shapes", "verdicts", "failed", "rate", "95% Clopper–Pearson",
                           "planner's power", "rejecting checks (verdicts)", "values per verdict",
                           "time per verdict"], rows)
