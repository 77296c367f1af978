"""TestResult and multiple-testing corrections (exact properties; no false alarms)."""

from __future__ import annotations

import itertools
import math

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from initcheck.errors import UsageError
from initcheck.stats import (
    TestResult,
    bonferroni,
    bonferroni_adjusted,
    family_pvalue,
    holm,
    holm_adjusted,
)

pvalues = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=30)
alphas = st.floats(1e-9, 0.5, exclude_min=True)


def make(p: float) -> TestResult:
    return TestResult("mean", "E[x] = 0", 1.0, p, 10, 0.1, (0.0, 0.2), 0.0, "detail")


def test_result_is_not_collected_by_pytest() -> None:
    assert TestResult.__test__ is False


@pytest.mark.false_alarm(0, reason="exact: p <= alpha")
@given(p=st.floats(0.0, 1.0), alpha=alphas)
@settings(max_examples=50, deadline=None, database=None)
def test_rejects_is_p_at_most_alpha(p: float, alpha: float) -> None:
    assert make(p).rejects(alpha) == (p <= alpha)


@pytest.mark.false_alarm(0, reason="exact: a usage error")
@pytest.mark.parametrize("alpha", [0.0, 1.0, 1.5, -0.1, math.nan])
def test_rejects_refuses_bad_alpha_naming_it(alpha: float) -> None:
    with pytest.raises(UsageError, match=r"^alpha=.*expected a probability in \(0, 1\)$"):
        make(0.5).rejects(alpha)


@pytest.mark.parametrize("p", [-0.1, 1.1, math.nan])
def test_result_refuses_pvalue_outside_unit_interval(p: float) -> None:
    with pytest.raises(UsageError, match="pvalue="):
        make(p)


def test_result_reads_as_a_sentence() -> None:
    text = str(make(0.25))
    assert text.startswith("mean: p = 0.25") and "E[x] = 0" in text and "detail" in text


def _holm_by_definition(p: list[float], alpha: float) -> list[bool]:
    order = sorted(range(len(p)), key=lambda i: p[i])
    out = [False] * len(p)
    for k, i in enumerate(order):
        if p[i] > alpha / (len(p) - k):
            break
        out[i] = True
    return out


@given(p=pvalues, alpha=alphas)
@settings(max_examples=200, deadline=None, database=None)
def test_holm_is_the_step_down_procedure(p: list[float], alpha: float) -> None:
    assert holm(p, alpha) == _holm_by_definition(p, alpha)


@given(p=pvalues, alpha=alphas)
@settings(max_examples=200, deadline=None, database=None)
def test_holm_rejects_everything_bonferroni_does(p: list[float], alpha: float) -> None:
    assert all(h or not b for h, b in zip(holm(p, alpha), bonferroni(p, alpha)))
    assert bonferroni(p, alpha) == [v <= alpha / len(p) for v in p]


@given(p=pvalues, alpha=alphas)
@settings(max_examples=200, deadline=None, database=None)
def test_holm_adjusted_pvalues(p: list[float], alpha: float) -> None:
    adj = holm_adjusted(p)
    assert all(a >= v and a <= 1.0 for a, v in zip(adj, p))
    ranked = sorted(zip(p, adj))
    assert all(a1 <= a2 for (_, a1), (_, a2) in itertools.pairwise(ranked))  # monotone in p
    assert [a <= alpha for a in adj] == holm(p, alpha)
    assert bonferroni_adjusted(p) == [min(1.0, v * len(p)) for v in p]


@given(p=pvalues)
@settings(max_examples=100, deadline=None, database=None)
def test_family_pvalue_is_bonferroni_of_the_smallest(p: list[float]) -> None:
    assert family_pvalue(p) == pytest.approx(min(1.0, len(p) * min(p)), rel=1e-12, abs=0)
    assert family_pvalue([make(v) for v in p]) == family_pvalue(p)


def test_empty_family_and_bad_pvalues() -> None:
    assert family_pvalue([]) == 1.0 and holm_adjusted([]) == [] and holm([], 0.05) == []
    with pytest.raises(UsageError, match=r"pvalue=1\.5"):
        holm([0.1, 1.5], 0.05)
    with pytest.raises(UsageError, match=r"alpha=0"):
        bonferroni([0.1], 0)
