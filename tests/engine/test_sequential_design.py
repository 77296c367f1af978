"""The sequential design (``initcheck.sequential``): its plan per shape, its stopping, and a verdict
that agrees with it; side by side with the fixed design.

Rates. Plans are exact (closed forms, drawn arguments). Verdicts on correct samplers assert a
pass: each is one verdict at α = 1e-7 (Holm over the family; the SPRTs' p-values are valid at
any stopping by Ville's inequality), so a false alarm ≤ 1e-7 per verdict. Planted errors here
are caught whatever the draw (values out of bounds from the first draw) or far beyond the
tolerance (a 50% variance error at tolerance 0.2, where each SPRT misses with probability ≤ 1e-3
at the tolerance and the walk's drift is ~10× larger: its miss is below e^-40).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from initcheck import init
from initcheck.designs import DESIGNS, design
from initcheck.errors import UsageError
from initcheck.laws import parse_law
from initcheck.planning import POWER, SEED_CHECK_RESULTS, TESTS_PER_SHAPE, plan_verdict
from initcheck.sequential import MAX_CALLS, PREFIX_CALLS, SequentialDesign, plan_sequential
from initcheck.verdict import check

ALPHA = 1e-7
FAST = {"alpha": ALPHA, "tolerance": 0.2}
SHAPES = [(16, 8), (4, 4, 3), (8, 8)]
LAWS = ["xavier_normal", "xavier_uniform", "variance_scaling", "he_normal(a=0.5)", "normal(std=0.02)"]


@pytest.mark.false_alarm(0, reason="exact: plans from closed forms")
@settings(max_examples=25, deadline=None)
@given(law=hst.sampled_from(LAWS), tolerance=hst.sampled_from([0.02, 0.05, 0.2]),
       shape=hst.lists(hst.integers(1, 64), min_size=2, max_size=4).map(tuple))
def test_a_plan_promises_the_power_within_its_caps(law: str, tolerance: float, shape: tuple[int, ...]) -> None:
    plan = plan_verdict(parse_law(law), layout="torch", shapes=[shape], seed=0, alpha=1e-6, tolerance=tolerance)
    planned = plan.shapes[0]
    p = plan_sequential(planned)
    assert 1 <= p.prefix_calls <= min(PREFIX_CALLS, max(2, p.cut_calls)) and p.prefix_calls <= p.cut_calls
    # a tiny shape widens its own tolerance until its cut fits MAX_CALLS, never below the verdict's
    assert p.tolerance >= tolerance
    assert p.cut_calls <= MAX_CALLS or p.tolerance == 0.5
    if p.tolerance > tolerance:
        assert p.cut_calls <= MAX_CALLS  # and it is the smallest on its grid: one step down does not fit
    # every one-sided error is covered, by a bound check on the prefix or by a sequential test
    assert set(p.powers) == {"variance+", "variance-", "mean+", "mean-"}
    if p.cut_calls <= MAX_CALLS:
        assert all(v >= POWER - 1e-9 for v in p.powers.values()), p.powers


@pytest.mark.false_alarm(0, reason="exact: plans from closed forms")
def test_bounded_laws_leave_their_variance_and_mean_to_the_bound_checks() -> None:
    for law, waits in (("xavier_uniform", ()), ("variance_scaling", ()),
                       ("xavier_normal", ("variance+", "variance-", "mean+", "mean-")),
                       # bounds 100 sds away: no bound check helps, the SPRTs must decide
                       ("truncated_normal(std=0.02, a=-2, b=2)", ("variance+", "variance-", "mean+", "mean-"))):
        plan = plan_verdict(parse_law(law), layout="torch", shapes=[(96, 160)], seed=0, alpha=1e-6,
                            tolerance=0.02)
        p = plan_sequential(plan.shapes[0])
        assert p.waits_for == waits, law
        # the prefix is never longer than the fixed plan, bound checks aside
        assert p.prefix_calls * 96 * 160 <= plan.shapes[0].values + 96 * 160


@pytest.mark.false_alarm(ALPHA, per="item", assertions=4, reason="four verdicts at alpha 1e-7 (Holm)")
@pytest.mark.parametrize("sampler, law", [(init.xavier_normal(), "xavier_normal"),
                                          (init.xavier_uniform(), "xavier_uniform"),
                                          (init.variance_scaling(), "variance_scaling")])
def test_a_correct_sampler_passes_both_designs_and_sequential_draws_less(sampler, law) -> None:
    reports = {d: check(sampler, law, shapes=SHAPES, seed=5, alpha=ALPHA, design=d) for d in ("fixed", "sequential")}
    assert all(r.passed for r in reports.values()), [r.sentences() for r in reports.values()]
    seq, fixed = reports["sequential"], reports["fixed"]
    assert seq.design == "sequential" and fixed.design == "fixed"
    assert seq.n < fixed.n and sum(s.draws for s in seq.shapes) < sum(s.draws for s in fixed.shapes)
    assert all(s.stop in ("decided", "planned") for s in seq.shapes)
    assert all(s.power_variance >= POWER - 1e-9 and s.power_mean >= POWER - 1e-9 for s in seq.shapes)
    # the same tests are run, with the mean and variance read sequentially
    assert [r.check for r in seq.results] == [r.check for r in fixed.results]
    assert all("sequential" in r.detail for r in seq.results if r.check in ("mean", "variance"))
    again = check(sampler, law, shapes=SHAPES, seed=5, alpha=ALPHA)
    assert again.to_dict() == seq.to_dict()  # the same seed, the same verdict


@pytest.mark.false_alarm(0, reason="planted: variance +50% at tolerance 0.2; miss < e^-40 per shape")
def test_a_variance_error_stops_the_shape_as_soon_as_it_is_found() -> None:
    def wide(shape, seed):
        return math.sqrt(1.5) * init.xavier_normal()(shape, seed)

    report = check(wide, "xavier_normal", shapes=[(64, 64)], **FAST)
    assert not report.passed
    assert {f.check for f in report.findings} >= {"variance"}
    shape = report.shapes[0]
    assert shape.stop == "decided"
    fixed = check(wide, "xavier_normal", shapes=[(64, 64)], design="fixed", **FAST)
    assert shape.n < fixed.n  # the SPRT rejects before the fixed plan is drawn


@pytest.mark.false_alarm(ALPHA, per="item", reason="one verdict at alpha 1e-7")
def test_a_tiny_shape_says_which_error_it_can_promise() -> None:
    report = check(init.xavier_normal(), "xavier_normal", shapes=[(6, 4), (96, 160)], alpha=ALPHA)
    assert report.passed
    tiny, big = report.shapes
    assert big.tolerance == report.tolerance == 0.02
    assert tiny.tolerance > 0.02 and tiny.draws <= MAX_CALLS
    assert tiny.power_variance >= POWER - 1e-9
    assert report.to_dict()["shapes"][0]["tolerance"] == tiny.tolerance


@pytest.mark.false_alarm(0, reason="exact: a draw every value of which is out of bounds")
def test_the_screen_stops_the_verdict_at_the_first_exact_violation() -> None:
    calls: list[tuple[int, ...]] = []

    def outside(shape, seed):
        calls.append(shape)
        return np.full(shape, 5.0)

    report = check(outside, "xavier_uniform", shapes=SHAPES, alpha=ALPHA)
    assert not report.passed and report.stopped == SHAPES[0]
    assert calls == [SHAPES[0]]  # one call: no other shape and no seed check is drawn
    assert "support" in {f.check for f in report.findings}


@pytest.mark.false_alarm(0, reason="exact: names")
def test_designs_are_named_and_a_bad_name_is_a_one_line_error() -> None:
    assert set(DESIGNS) == {"sequential", "fixed"} and isinstance(design("sequential"), SequentialDesign)
    with pytest.raises(UsageError, match="design") as err:
        check(init.xavier_normal(), "xavier_normal", design="adaptive")
    assert "\n" not in str(err.value) and "'adaptive'" in str(err.value)


@pytest.mark.false_alarm(0, reason="exact: a constant law")
def test_the_reproducer_names_the_design_when_it_is_not_the_default() -> None:
    fixed = check(init.constant(0.5), "constant(0.5)", shapes=[(4, 4)], design="fixed", target="m:f")
    seq = check(init.constant(0.5), "constant(0.5)", shapes=[(4, 4)], target="m:f")
    assert fixed.passed and seq.passed
    assert "--design fixed" in fixed.reproducer and "--design" not in seq.reproducer
    assert fixed.to_dict()["design"] == "fixed"


@pytest.mark.false_alarm(ALPHA, per="item", assertions=5, reason="five verdicts at alpha 1e-7 on correct samplers")
@pytest.mark.parametrize("law, sampler, shapes", [
    ("xavier_normal", init.xavier_normal(), [(96, 160)]),
    ("xavier_uniform", init.xavier_uniform(), [(96, 160), (8, 4, 3)]),
    ("orthogonal", init.orthogonal(), [(24, 16)]),
    ("constant(0.5)", init.constant(0.5), [(4, 4)]),
    ("xavier_normal", init.xavier_normal(), None),
])
def test_a_sequential_rejection_is_always_a_rejection_by_holm(law, sampler, shapes) -> None:
    # a sequential test stops and rejects at reject_share; Holm's first step rejects any p-value at or
    # below alpha / (number of results), so the family's size must never exceed what planning bounds
    report = check(sampler, law, shapes=shapes, alpha=ALPHA)
    plan = plan_verdict(parse_law(law), layout="torch", shapes=shapes, seed=0, alpha=ALPHA, tolerance=0.02)
    assert report.passed
    assert len(report.results) <= TESTS_PER_SHAPE * len(plan.shapes) + SEED_CHECK_RESULTS
    assert all(p.reject_share * len(report.results) <= ALPHA * (1 + 1e-12) for p in plan.shapes)
