"""Calibration, measured: how often does a correct sampler fail a verdict at alpha?

Correct reference samplers of every law family, many seeds each, at alpha =
0.01 and 0.05. Each verdict uses one small shape, (48, 32), and a loose
tolerance, 0.1, so that it takes milliseconds (the tolerance sets how many
values are drawn, not the false-alarm rate, which Holm's procedure bounds by
alpha whatever n). The observed rate's Clopper–Pearson interval must contain
alpha or lie below it; a law whose interval lies above alpha is flagged. Every
(law, alpha) pair runs with both designs (``design="fixed"`` and
``"sequential"``) on the same seeds.

At (48, 32) and tolerance 0.1 the sequential design's fixed-size prefix already
holds every value the fixed plan draws, so both designs see the same values
there; the SPRTs' own stopping is calibrated in a second set of rows at the
default tolerance, 0.02, on one dense default shape, (96, 160), where the
sequential design stops well before the fixed plan (normal and uniform laws,
whose samplers are fast).
"""

from __future__ import annotations

from collections.abc import Callable

from .montecarlo import Case, Outcome, clopper_pearson, run_cases
from .planted import Reference
from .tables import ci, markdown_table

__all__ = ["ALPHAS", "LAWS", "SHAPE", "TOLERANCE", "measure", "table"]

ALPHAS = (0.01, 0.05)
DESIGNS = ("fixed", "sequential")
SHAPE = (48, 32)
TOLERANCE = 0.1
SEQ_SHAPE = (96, 160)  # the rows where the SPRTs stop early: default tolerance, one dense default shape
SEQ_TOLERANCE = 0.02
LAWS: tuple[tuple[str, Reference, str], ...] = (
    ("normal", Reference("xavier_normal"), "xavier_normal"),
    ("uniform", Reference("xavier_uniform"), "xavier_uniform"),
    ("truncated normal (Keras)", Reference("variance_scaling"), "variance_scaling"),
    ("truncated normal (PyTorch)", Reference("truncated_normal", (0.0, 0.5)), "truncated_normal(std=0.5)"),
    ("orthogonal", Reference("orthogonal"), "orthogonal"),
    ("constant", Reference("constant", (0.25,)), "constant(0.25)"),
)
SEQ_LAWS = tuple((f"{family}, {SEQ_SHAPE[0]}×{SEQ_SHAPE[1]}, tolerance {SEQ_TOLERANCE:g}", sampler, claim)
                 for family, sampler, claim in LAWS[:2])


def measure(seeds: int, progress: Callable[[str], None], seq_seeds: int = 0
            ) -> dict[tuple[str, float, str], Outcome]:
    cases = [Case(f"{family}|{alpha}|{design}", sampler, claim,
                  (("shapes", (SHAPE,)), ("alpha", alpha), ("tolerance", TOLERANCE), ("design", design)))
             for family, sampler, claim in LAWS for alpha in ALPHAS for design in DESIGNS]
    more = [Case(f"{family}|{alpha}|{design}", sampler, claim,
                 (("shapes", (SEQ_SHAPE,)), ("alpha", alpha), ("tolerance", SEQ_TOLERANCE), ("design", design)))
            for family, sampler, claim in SEQ_LAWS for alpha in ALPHAS for design in DESIGNS]
    progress(f"  {len(cases)} (law, α, design) triples × {seeds} seeds; {len(more)} at tolerance "
             f"{SEQ_TOLERANCE:g} × {seq_seeds} seeds")
    out = run_cases(cases, range(seeds), progress)
    if seq_seeds:
        out.update(run_cases(more, range(seq_seeds), progress))
    result = {}
    for key, o in out.items():
        family, alpha, design = key.split("|")
        result[(family, float(alpha), design)] = o
    return result


def verdicts(results: dict[tuple[str, float, str], Outcome]
             ) -> list[tuple[str, float, str, Outcome, float, float, str]]:
    """(law, alpha, design, outcome, CP low, CP high, verdict on the calibration)."""
    out = []
    for (family, alpha, design), o in results.items():
        low, high = clopper_pearson(o.failed, o.runs)
        if low > alpha:
            word = "**FLAG: above α**"
        elif high < alpha:
            word = "below α (conservative)"
        else:
            word = "contains α"
        out.append((family, alpha, design, o, low, high, word))
    return out


def table(results: dict[tuple[str, float, str], Outcome]) -> str:
    rows = []
    claims = {family: claim for family, _, claim in LAWS + SEQ_LAWS}
    for family, alpha, design, o, low, high, word in verdicts(results):
        checks = ", ".join(f"{c} {k}" for c, k in o.checks.most_common(3)) or "—"
        rows.append([family, f"`{claims[family]}`", alpha, design, o.runs, o.failed, f"{o.rate:.4f}",
                     ci(low, high), word, checks, f"{o.values // max(o.runs, 1):,}"])
    return markdown_table(["law", "claim", "α", "design", "verdicts", "false alarms", "rate", "95% Clopper–Pearson",
                           "calibration", "checks that fired", "values per verdict (mean)"], rows)
