"""Ranks a sampler can build (``sampler.ranks``): the default shapes filtered to them, given shapes
of other ranks refused, the shapes left out reported, the reproducer re-running the same verdict,
and the Bonferroni share counting the shapes kept.

Rates. The plans are exact. Verdicts on the correct ``dense_only`` sampler pass with probability
≥ 1 − α (Holm, α = 1e-7); a sampler that raises is a finding whatever the draws ("det.").
"""

from __future__ import annotations

import json
import shlex

import numpy as np
import pytest

from initcheck.cli import main
from initcheck.errors import UsageError
from initcheck.laws import parse_law
from initcheck.planning import DEFAULT_ORTHOGONAL_SHAPES, DEFAULT_SHAPES, TESTS_PER_SHAPE, plan_verdict
from initcheck.render import jsonable
from initcheck.verdict import check
from tests.cli.samplers import dense_only, dense_only_undeclared

ALPHA = 1e-7
FAST = {"alpha": ALPHA, "tolerance": 0.2}  # a few thousand values per shape
LAW = "normal(std=0.05)"
TARGET = "tests.cli.samplers:dense_only"


def _plan(ranks, shapes=None, law=LAW, layout="torch"):
    return plan_verdict(parse_law(law), layout=layout, shapes=shapes, seed=0, alpha=ALPHA, tolerance=0.2,
                        ranks=ranks)


@pytest.mark.parametrize("ranks", [(2,), (3,), (4,), (5,), (2, 4), (3, 4, 5)])
@pytest.mark.parametrize("law, defaults", [(LAW, DEFAULT_SHAPES), ("orthogonal", DEFAULT_ORTHOGONAL_SHAPES)])
def test_default_shapes_are_filtered_to_the_ranks_in_their_order(ranks, law, defaults):
    plan = _plan(ranks, law=law)
    kept = [s for s in defaults if len(s) in ranks]
    assert [p.shape for p in plan.shapes] == kept
    assert plan.left_out == tuple(s for s in defaults if len(s) not in ranks)
    assert plan.ranks == tuple(sorted(ranks)) and plan.default_shapes
    assert plan.seed_check.shape in kept  # the seed check draws a shape the sampler can build


def test_the_bonferroni_share_counts_the_shapes_kept():
    everything, dense = _plan(None), _plan((2,))
    for plan in (everything, dense):
        shares = {p.share for p in plan.shapes}
        assert shares == {ALPHA / (TESTS_PER_SHAPE * len(plan.shapes))}
        assert sum(p.share for p in plan.shapes) * TESTS_PER_SHAPE == pytest.approx(ALPHA, rel=1e-12)
    assert len(dense.shapes) < len(everything.shapes)
    # a larger share needs no more values per shape for the same power at the tolerance
    by_shape = {p.shape: p.values for p in everything.shapes}
    assert all(p.values <= by_shape[p.shape] for p in dense.shapes)


def test_no_ranks_keeps_every_default_and_leaves_none_out():
    plan = _plan(None)
    assert [p.shape for p in plan.shapes] == list(DEFAULT_SHAPES) and plan.left_out == ()


def test_the_defaults_are_filtered_in_the_layout_read():
    plan = _plan((4,), layout="keras")
    assert [p.shape for p in plan.shapes] == [(3, 3, 8, 16)]  # torch (16, 8, 3, 3) read in keras
    assert (5, 16, 32) in plan.left_out


def test_given_shapes_are_never_filtered_and_one_of_another_rank_is_refused():
    plan = _plan((2,), shapes=[(64, 32), (8, 8)])
    assert [p.shape for p in plan.shapes] == [(64, 32), (8, 8)] and plan.left_out == ()
    with pytest.raises(UsageError) as err:
        _plan((2,), shapes=[(64, 32), (16, 8, 3, 3)])
    assert err.value.name == "shape" and err.value.value == (16, 8, 3, 3)
    assert "\n" not in str(err.value) and "rank 2" in str(err.value) and "has rank 4" in str(err.value)
    with pytest.raises(UsageError, match=r"rank 2 or 4 \(this one has rank 3\)"):
        _plan((4, 2), shapes=[(4, 4, 4)])


def test_no_default_shape_of_the_ranks_is_an_error_that_says_so():
    with pytest.raises(UsageError) as err:
        _plan((6,))
    assert err.value.name == "ranks" and err.value.value == (6,)
    assert "2, 3, 4 or 5" in str(err.value) and "--shape" in str(err.value) and "\n" not in str(err.value)
    assert [p.shape for p in _plan((6,), shapes=[(2, 2, 2, 2, 2, 2)]).shapes] == [(2, 2, 2, 2, 2, 2)]


@pytest.mark.parametrize("bad", ["2", 2, (), (2.0,), (True,), (-1,), [None]])
def test_bad_ranks_are_usage_errors(bad):
    with pytest.raises(UsageError) as err:
        _plan(bad)
    assert err.value.name == "ranks"


def _calls(sampler):
    seen = []

    def recording(shape, seed):
        seen.append(tuple(shape))
        return sampler(shape, seed)

    recording.ranks = getattr(sampler, "ranks", None)
    return recording, seen


@pytest.mark.false_alarm(ALPHA, per="item", reason="one verdict on a correct sampler at alpha 1e-7 (Holm), seed 0; "
                         "the undeclared one raises: det.")
def test_a_sampler_declaring_its_ranks_conforms_and_is_only_asked_for_them():
    undeclared = check(dense_only_undeclared, LAW, **FAST)  # the false non-conformance of issue 10
    assert not undeclared.passed and {f.check for f in undeclared.findings} == {"raises"}
    recording, seen = _calls(dense_only)
    report = check(recording, LAW, **FAST)
    assert report.passed, report.sentences()
    assert seen and {len(s) for s in seen} == {2}
    dense = [s for s in DEFAULT_SHAPES if len(s) == 2]
    assert [p.shape for p in report.shapes] == dense
    assert report.left_out_shapes == tuple(s for s in DEFAULT_SHAPES if len(s) != 2)
    assert report.ranks == (2,) and report.requested_shapes is None
    assert "left out" in report.summary() and "32x16x5" in report.summary() and "\n" not in report.summary()
    data = report.to_dict()
    assert data["ranks"] == [2] and data["left_out_shapes"] == [list(s) for s in report.left_out_shapes]


@pytest.mark.false_alarm(0, reason="the sampler is never called: exact")
def test_check_refuses_a_given_shape_the_sampler_cannot_build_before_drawing():
    recording, seen = _calls(dense_only)
    with pytest.raises(UsageError, match=r"shape=\(4, 4, 4\)"):
        check(recording, LAW, shapes=[(8, 8), (4, 4, 4)], **FAST)
    assert seen == []


@pytest.mark.false_alarm(ALPHA, per="item", reason="one verdict on a correct sampler at alpha 1e-7 (Holm); the "
                         "re-run draws the same values (the same event)")
def test_the_reproducer_re_runs_the_same_verdict(capsys):
    report = check(dense_only, LAW, target=TARGET, seed=3, **FAST)
    assert report.passed, report.sentences()
    argv = shlex.split(report.reproducer)
    assert argv[:3] == ["initcheck", "check", TARGET] and "--shape" not in argv
    assert main([*argv[1:], "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    mine = json.loads(json.dumps(jsonable(report.to_dict())))
    assert {k: again[k] for k in mine} == mine  # the CLI adds command, target, framework


@pytest.mark.false_alarm(0, reason="a constant law: exact checks only")
def test_a_plain_sampler_without_ranks_is_asked_for_every_default_rank():
    seen = []

    def zeros(shape, seed):
        seen.append(len(shape))
        return np.zeros(shape)

    report = check(zeros, "zeros", **FAST)
    assert report.ranks is None and report.left_out_shapes == () and "left out" not in report.summary()
    assert set(seen) == {len(s) for s in DEFAULT_SHAPES}


def test_adapt_carries_a_plain_samplers_ranks_and_refuses_bad_ones():
    from initcheck.adapters import adapt

    assert adapt(dense_only).ranks == (2,)
    assert adapt(dense_only, layout="keras").ranks == (2,)  # a new layout keeps the ranks
    assert adapt(dense_only_undeclared).ranks is None

    def scaled(shape, seed, scale=1.0):
        return scale * dense_only(shape, seed)

    scaled.ranks = {4, 2}
    assert adapt(scaled, scale=2.0).ranks == (2, 4)  # through the keyword-argument wrapper too
    scaled.ranks = "dense"
    with pytest.raises(UsageError) as err:
        adapt(scaled)
    assert err.value.name == "ranks"
