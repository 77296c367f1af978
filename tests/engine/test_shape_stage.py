"""The per-shape stage (``initcheck.designs``, today's fixed design over ``initcheck.shapetests``):
validated draws in, results out. Planted errors are caught by the test that should catch them at
the stage's own level (the test's Bonferroni share of α, ``planned.share``, which is stricter than
what Holm asks of the first rejection); correct draws are not flagged at that level.

Null and rates. Correct draws: every result's p-value above its share, with at most 20 tests a
shape and share = α/20, so a false alarm has probability ≤ α = 1e-7 per example (Bonferroni; the
moment tests' p-values are approximations, claimed to a factor 10: ≤ 1e-6 per example), 6 laws ×
2 examples: ≤ 1.2e-5 in all (tests/README.md). Planted errors: each is sized so that its test
misses with probability < 1e-20, or the miss is impossible ("det.", stated per case).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initcheck.designs import DESIGNS, Design, FixedDesign, ShapeOutcome
from initcheck.drawing import SamplerFault
from initcheck.laws import parse_law
from initcheck.planning import PlannedShape, plan_verdict

SHAPE = (64, 32)
ALPHA = 1e-7  # the family's α: one shape, so each test's share is α / 20 = 5e-9
TOLERANCE = 0.1  # planned n ≈ 17,100 values (9 draws of 2,048) for a normal law


def planned(law: str, shape: tuple[int, ...] = SHAPE, seed: int = 0) -> PlannedShape:
    return plan_verdict(parse_law(law), layout="torch", shapes=[shape], seed=seed, alpha=ALPHA,
                        tolerance=TOLERANCE).shapes[0]


def law_draws(p: PlannedShape, change=lambda a, rng: a) -> Iterator[np.ndarray]:
    """Draws of the shape's target law (iid laws), one per planned seed, changed by ``change``."""
    for s in p.seeds:
        rng = np.random.default_rng(s)
        yield change(p.target.law.rvs(size=p.shape, random_state=rng), rng)


def haar(p: PlannedShape) -> Iterator[np.ndarray]:
    """Haar orthogonal matrices (QR of a Gaussian, signs fixed), times the gain."""
    for s in p.seeds:
        q, r = np.linalg.qr(np.random.default_rng(s).normal(size=p.target.matrix))
        yield (p.target.gain * q * np.sign(np.diag(r))).reshape(p.shape)


def run(p: PlannedShape, draws: Iterator[np.ndarray]) -> dict[str, float]:
    outcome = DESIGNS["fixed"].test_shape(p, draws)
    return {r.check: r.pvalue for r in outcome.results}


@pytest.mark.false_alarm(
    10 * ALPHA, per="example",
    reason="<= 20 tests at the share alpha/20 (Bonferroni); approximate p-values: a factor 10",
)
@pytest.mark.parametrize("law", ["xavier_normal", "xavier_uniform", "variance_scaling",
                                 "constant(0.25)", "orthogonal(gain=2)", "float16 xavier_uniform"])
@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=2)
def test_correct_draws_are_not_flagged(law: str, seed: int) -> None:
    name = law.removeprefix("float16 ")
    p = planned(name, seed=seed)
    if p.target.kind == "constant":
        draws: Iterator[np.ndarray] = (np.full(p.shape, p.target.value) for _ in p.seeds)
    elif p.target.kind == "orthogonal":
        draws = haar(p)
    elif law.startswith("float16"):
        draws = (d.astype(np.float16) for d in law_draws(p))
    else:
        draws = law_draws(p)
    pvalues = run(p, draws)
    flagged = {k: v for k, v in pvalues.items() if v <= p.share}
    assert pvalues and not flagged, flagged


def _outlier(a: np.ndarray, rng) -> np.ndarray:
    a.flat[int(rng.integers(a.size))] = 10 * a.std()  # P(|x| > 10 σ) n ≈ 3e-19 under the law
    return a


def _outside(a: np.ndarray, rng) -> np.ndarray:
    a.flat[0] = 1.01 * np.sqrt(6 / 96)  # just past xavier_uniform's bound at 64x32
    return a


def _grid(a: np.ndarray, rng) -> np.ndarray:
    sd = np.sqrt(2 / 96)
    return np.round(a / sd * 8) / 8 * sd


PLANTED = [
    # (name, law, change of the correct draws, the test that must reject, why it cannot miss)
    ("variance x1.5", "xavier_normal", lambda a, rng: a * np.sqrt(1.5), "variance",
     "z ≈ 0.5 sqrt(n/2) ≈ 48: miss < 1e-100"),
    ("mean +0.5 sd", "xavier_normal", lambda a, rng: a + 0.5 * np.sqrt(2 / 96), "mean",
     "z ≈ 0.5 sqrt(n) ≈ 68: miss < 1e-100"),
    ("uniform for normal", "xavier_normal",
     lambda a, rng: rng.uniform(-1, 1, a.shape) * np.sqrt(3 * 2 / 96), "kurtosis",
     "kurtosis 1.8 vs 3, its sd ≈ sqrt(24/n) ≈ 0.036: z ≈ 33, miss < 1e-50"),
    ("one value outside the support", "xavier_uniform", _outside, "support", "det."),
    ("support 10% narrower", "xavier_uniform", lambda a, rng: 0.9 * a, "bound-reach",
     "P(all n within 0.9 a) = 0.9^n < 1e-300: det."),
    ("one outlier at 10 sd", "xavier_normal", _outlier, "extremes", "p ≈ 3e-19 < share: det."),
    ("a 1/8 sd grid", "xavier_normal", _grid, "atoms", "~60 distinct values in 17k: det."),
    ("repeated rows", "xavier_normal", lambda a, rng: np.repeat(a[:1], a.shape[0], axis=0),
     "duplicate-rows", "det."),
    ("sorted rows", "xavier_normal", lambda a, rng: np.sort(a, axis=1), "sorted-rows", "det."),
]


@pytest.mark.false_alarm(
    0, reason="planted: each miss < 1e-50 or det. (the why of each case in PLANTED)"
)
@pytest.mark.parametrize(("law", "change", "check", "why"), [b[1:] for b in PLANTED],
                         ids=[b[0] for b in PLANTED])
def test_planted_errors_are_caught_by_their_test(law: str, change, check: str, why: str) -> None:
    p = planned(law)
    pvalues = run(p, law_draws(p, change))
    assert pvalues[check] <= p.share, f"{check}: p = {pvalues[check]:.3g} ({why})"


def test_a_constant_a_hair_off_and_a_gaussian_for_orthogonal_are_caught_exactly() -> None:
    p = planned("ones")
    off = (np.ones(p.shape) + (s == p.seeds[-1]) * 1e-7 for s in p.seeds)  # the last draw only
    assert run(p, off)["constant"] == 0.0
    p = planned("orthogonal")
    gaussian = (np.random.default_rng(s).normal(size=p.shape) / 8 for s in p.seeds)
    assert run(p, gaussian)["haar-orthogonal"] == 0.0


def test_the_fixed_design_takes_exactly_the_planned_draws() -> None:
    p = planned("xavier_normal")
    taken = []

    def endless() -> Iterator[np.ndarray]:
        rng = np.random.default_rng(0)
        while True:
            taken.append(1)
            yield rng.normal(0, np.sqrt(2 / 96), SHAPE)

    outcome = FixedDesign().test_shape(p, endless())
    assert isinstance(outcome, ShapeOutcome) and outcome.calls == p.calls == len(taken) == 9
    assert outcome.n == 9 * 64 * 32
    assert [r.check for r in outcome.results][:2] == ["mean", "variance"]


def test_a_fault_in_the_stream_propagates_out_of_the_stage() -> None:
    p = planned("xavier_normal")

    def faulty() -> Iterator[np.ndarray]:
        yield np.zeros(SHAPE)
        raise SamplerFault("finite", SHAPE, p.seeds[1], "1 of 2,048 values are NaN or infinite")

    with pytest.raises(SamplerFault, match="finite"):
        FixedDesign().test_shape(p, faulty())


def test_the_fixed_design_is_a_design_by_name() -> None:
    design: Design = DESIGNS["fixed"]
    assert isinstance(design, FixedDesign) and design.name == "fixed"
    # its results are a function of the draws alone: the same draws, the same p-values
    p = planned("xavier_uniform")
    assert run(p, law_draws(p)) == run(p, law_draws(p))
