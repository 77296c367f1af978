"""The verdict's last stages and its assembly (``initcheck.verdict``): Holm over one family, and
a report whose parts agree with its plan: ``passed``, findings ⊆ results, faults first, the seed
check last, the reproducer; the same seed gives the same JSON, byte for byte.

Rates. ``correct_family`` is checked against ``initcheck.stats.holm`` (which
tests/stats/test_stats_result_multiple.py checks against Holm's procedure by its definition) and
against a step-down worked by hand: exact. Verdicts on correct samplers are asserted to pass: a
false alarm has probability ≤ α = 1e-7 per verdict (Holm), 6 such verdicts per run (one, and 5
Hypothesis examples): 6e-7 (tests/README.md); the constant law's verdict is exact. Planted
errors here are exact (values outside the support, a seed ignored, misbehaviour): they cannot
be missed ("det.").
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initcheck import init
from initcheck.errors import UsageError
from initcheck.laws import parse_law
from initcheck.planning import plan_verdict
from initcheck.stats import holm
from initcheck.verdict import Report, Result, check, correct_family

ALPHA = 1e-7  # per verdict on a correct sampler: its false-alarm rate
FAST = {"alpha": ALPHA, "tolerance": 0.2}  # a few thousand values per shape
SHAPES = [(16, 8), (4, 4, 3), (8, 8)]
SEED_CHECKS = ["seed-repeat", "seed-distinct", "seed-corr"]
ADJACENT_CHECKS = ["seed-adjacent", "seed-shift", "seed-adjacent-corr"]


# -- the family --------------------------------------------------------------------------------


def result(p: float, check_name: str = "t") -> Result:
    return Result(check_name, (2, 2), None, 0.0, 0.0, p, 4, 1, "detail")


PVALUES = st.lists(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1e-9, 1e-8, 0.01, 1.0])),
                   max_size=40)


@given(pvalues=PVALUES, alpha=st.sampled_from([1e-6, 0.01, 0.05]))
def test_the_family_is_corrected_by_holm(pvalues: list[float], alpha: float) -> None:
    results = [result(p, f"t{i}") for i, p in enumerate(pvalues)]
    corrected = correct_family(results, alpha)
    assert [r.rejected for r in corrected] == (holm(pvalues, alpha) if pvalues else [])
    # nothing else changes, and the order is kept
    assert [(r.check, r.pvalue) for r in corrected] == [(r.check, r.pvalue) for r in results]


def test_holm_is_stricter_than_each_share_only_at_the_first_step() -> None:
    # m = 4, alpha = 0.04: steps 0.01, 0.0133, 0.02, 0.04
    corrected = correct_family([result(p) for p in (0.009, 0.013, 0.03, 0.039)], 0.04)
    assert [r.rejected for r in corrected] == [True, True, False, False]  # 0.03 > 0.02 stops it
    assert correct_family([], 0.05) == ()


# -- the report ----------------------------------------------------------------------------------


@pytest.mark.false_alarm(ALPHA, per="item", reason="one verdict at alpha 1e-7 (Holm), seed 3")
def test_a_correct_sampler_passes_and_its_report_agrees_with_its_plan() -> None:
    report = check(init.xavier_uniform(), "xavier_uniform", shapes=SHAPES, seed=3, target="m:f",
                   design="fixed", **FAST)  # the fixed design draws exactly its plan
    plan = plan_verdict(parse_law("xavier_uniform"), layout="torch", shapes=SHAPES, seed=3,
                        **FAST)
    assert report.passed and report.findings == () and report.law == "xavier_uniform(gain=1)"
    assert [s.shape for s in report.shapes] == SHAPES
    for shape_plan, planned in zip(report.shapes, plan.shapes):
        assert shape_plan.planned == planned.values and shape_plan.draws == planned.calls
        assert shape_plan.n == planned.calls * math.prod(planned.shape)
        # the results of each shape carry its first draw's seed, in the plan's order
        at_shape = [r for r in report.results[:-6] if r.shape == planned.shape]
        assert at_shape and {r.seed for r in at_shape} == {planned.seeds[0]}
    assert report.n == sum(s.n for s in report.shapes)
    # the seed check comes last: at the smallest shape, with its own first seed; then its
    # adjacent seeds b, b + 1 at the largest shape (none has 100,000 entries), b even
    tail, adjacent = report.results[-6:-3], report.results[-3:]
    assert [r.check for r in tail] == SEED_CHECKS
    assert {(r.shape, r.seed) for r in tail} == {((4, 4, 3), plan.seed_check.seeds[0])}
    base = plan.seed_check.seeds[0] - plan.seed_check.seeds[0] % 2
    assert [r.check for r in adjacent] == ADJACENT_CHECKS
    assert {(r.shape, r.seed) for r in adjacent} == {((16, 8), base)}
    assert [r.check for r in report.results[:-6]].count("mean") == len(SHAPES)


@pytest.mark.false_alarm(
    0, reason="planted: U(+-1.5 a) for U(+-a), a third of the values outside: miss (2/3)^n"
)
def test_findings_are_exactly_the_rejected_results() -> None:
    def half_outside(shape, seed):  # U(±1.5 a) claimed U(±a): support violated at every shape
        return 1.5 * init.xavier_uniform()(shape, seed)

    fixed = check(half_outside, "xavier_uniform", shapes=SHAPES, design="fixed", **FAST)
    sequential = check(half_outside, "xavier_uniform", shapes=SHAPES, **FAST)
    for report in (fixed, sequential):
        assert not report.passed and report.findings
        assert report.findings == tuple(r for r in report.results if r.rejected)
        assert [r.rejected for r in report.results] == holm([r.pvalue for r in report.results], ALPHA)
    assert {f.shape for f in fixed.findings if f.check == "support"} == set(SHAPES)  # det.
    assert fixed.stopped is None
    # the sequential design stops the verdict at the first exact violation (on the first draw)
    assert sequential.stopped == SHAPES[0] and [s.shape for s in sequential.shapes] == [SHAPES[0]]
    assert sequential.shapes[0].stop == "violation" and sequential.shapes[0].draws == 1
    assert "stopped at shape 16x8" in sequential.summary()


def _raises_at_conv(shape, seed):
    if len(shape) == 3:
        raise RuntimeError("no conv")
    return init.xavier_uniform()(shape, seed)


@pytest.mark.false_alarm(
    0, reason="a sampler that raises: faults are exact; the other shapes' verdict is not asserted"
)
def test_faults_come_first_and_the_faulted_shape_is_left_out() -> None:
    report = check(_raises_at_conv, "xavier_uniform", shapes=SHAPES, **FAST)
    fault = report.findings[0]
    assert (fault.check, fault.shape, fault.pvalue, fault.n, fault.rejected) == (
        "raises", (4, 4, 3), 0.0, 0, True)
    assert fault.detail == "the sampler raised RuntimeError: no conv"
    assert report.results[0] == fault and not report.passed
    assert [s.shape for s in report.shapes] == [(16, 8), (8, 8)]  # the other shapes still run
    assert not any(r.check in SEED_CHECKS for r in report.results)  # no seed check after a fault
    assert report.n == sum(s.n for s in report.shapes)


@pytest.mark.false_alarm(
    0, reason="a sampler that hangs 30 s, cut at 0.2 s: no statistics asserted"
)
def test_a_hang_stops_the_verdict_at_that_shape() -> None:
    shapes_asked = []

    def hangs_at_second_shape(shape, seed):
        shapes_asked.append(shape)
        if shape == (4, 4, 3):
            time.sleep(30)
        return init.xavier_uniform()(shape, seed)

    report = check(hangs_at_second_shape, "xavier_uniform", shapes=SHAPES, timeout=0.2, **FAST)
    assert report.findings[0].check == "timeout" and [s.shape for s in report.shapes] == [(16, 8)]
    assert (8, 8) not in shapes_asked


@pytest.mark.false_alarm(0, reason="a constant law and a wrong shape: exact checks only")
def test_a_fault_in_the_seed_check_is_first_too() -> None:
    calls = {}

    def wrong_shape_on_a_repeat(shape, seed):  # the seed check's repeated seed gives another shape
        calls[(shape, seed)] = calls.get((shape, seed), 0) + 1
        return np.zeros(shape if calls[(shape, seed)] == 1 else shape[::-1])

    report = check(wrong_shape_on_a_repeat, "zeros", shapes=[(4, 6), (6, 4, 2)])
    assert [r.check for r in report.results] == ["shape", "constant", "constant"]
    assert report.findings[0].shape == (4, 6) and [s.shape for s in report.shapes] == [(4, 6),
                                                                                     (6, 4, 2)]


@pytest.mark.false_alarm(0, reason="a constant law: exact checks only")
def test_a_constant_law_keeps_only_the_repeat_of_the_seed_check() -> None:
    report = check(init.constant(0.25), "constant(0.25)", shapes=SHAPES)
    assert report.passed and [r.check for r in report.results][-2:] == ["constant", "seed-repeat"]


@pytest.mark.false_alarm(
    0, reason="planted: a seed ignored, identical draws; seed-distinct is exact"
)
def test_a_seed_ignored_is_a_finding_of_the_seed_check() -> None:
    def ignores(shape, seed):
        return init.xavier_uniform()(shape, 12345)

    report = check(ignores, "xavier_uniform", shapes=SHAPES, **FAST)
    # det.: identical draws (which every shape's tests see too, as repeated values)
    assert "seed-distinct" in [f.check for f in report.findings]


@pytest.mark.false_alarm(0, reason="constant laws: exact checks only")
def test_the_reproducer_and_sentences() -> None:
    report = check(lambda shape, seed: np.ones(shape), "zeros", shapes=[(3, 4)], seed=7,
                   layout="keras", target="pkg.mod:f")
    assert report.reproducer == "initcheck check pkg.mod:f --law zeros --layout keras --shape 3x4 --seed 7"
    sentence = ("zeros: constant: 12 of 12 entries differ from 0; worst 1 (|deviation| 1) at flat "
                f"index 0 (shape 3x4, seed {report.findings[0].seed}, p = 0); re-run: "
                f"{report.reproducer}")
    assert report.sentences() == [sentence]
    assert check(init.zeros(), "zeros", shapes=[(3, 4)]).reproducer.startswith(
        "initcheck check MODULE:SAMPLER --law zeros")


@pytest.mark.false_alarm(
    ALPHA, per="example",
    reason="one verdict at alpha 1e-7 (Holm) per example; the other seed's JSON differs (det.)",
)
@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=5)
def test_the_same_seed_gives_the_same_json_byte_for_byte(seed: int) -> None:
    def run(s: int) -> str:
        return json.dumps(check(init.xavier_normal(), "xavier_normal", shapes=[(8, 4)], seed=s,
                                **FAST).to_dict())

    first = run(seed)
    assert run(seed) == first and run(seed ^ 1) != first
    data = json.loads(first)
    assert data["results"][-3:] and data["findings"] == [] and data["passed"] is True


@pytest.mark.false_alarm(0, reason="only the progress lines are asserted, not the verdict")
def test_progress_is_told_each_shape_before_it_is_drawn() -> None:
    told: list[str] = []
    check(init.xavier_uniform(), "xavier_uniform", shapes=[(16, 8), (8, 8)], progress=told.append,
          **FAST)
    assert told == ["16x8: U(-0.5, 0.5)", "8x8: U(-0.612372, 0.612372)"]


@pytest.mark.false_alarm(0, reason="usage errors, raised before any draw")
@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((init.zeros(),), {}, "law=None: expected a law such as xavier_uniform"),
    (("not callable", "zeros"), {}, "sampler='not callable': expected a callable sampler"),
    ((init.zeros(), "zeros"), {"seed": True}, "seed=True: expected a non-negative integer"),
])
def test_usage_errors_come_before_any_draw(args, kwargs, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        check(*args, **kwargs)


@pytest.mark.false_alarm(0, reason="a constant law; only the report's type is asserted")
def test_the_public_names_keep_importing() -> None:
    from initcheck import verdict

    assert {"Report", "Result", "ShapePlan", "check"} <= set(verdict.__all__)
    assert isinstance(check(init.zeros(), "zeros", shapes=[(2, 2)]), Report)
