"""Orthogonality (exact) and Haar-distribution checks, including numpy QR without the sign fix."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from initcheck.errors import UsageError
from initcheck.stats import haar_test, orthogonality_test
from tests.stats._budget import ALPHA, P_APPROX, P_EXACT, RATE_APPROX

seeds = st.integers(0, 2**32 - 1)
SHAPES = [(8, 8), (5, 12), (12, 5), (16, 3, 3)]


def haar(shape: tuple[int, ...], rng: np.random.Generator, *, sign_fix: bool = True) -> np.ndarray:
    """A Haar (semi-)orthogonal matrix of shape (rows, prod(rest)), by QR of a Gaussian."""
    rows = shape[0]
    cols = int(np.prod(shape[1:]))
    a = rng.normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    if sign_fix:
        q = q * np.sign(np.diag(r))
    return (q if rows >= cols else q.T).reshape(shape)


@given(seed=seeds, gain=st.floats(0.1, 10.0), dtype=st.sampled_from([np.float32, np.float64]))
@settings(max_examples=30, deadline=None, database=None)
def test_orthogonal_matrices_pass_and_perturbed_ones_fail(
    seed: int, gain: float, dtype: type
) -> None:
    rng = np.random.default_rng(seed)
    for shape in SHAPES:
        q = (gain * haar(shape, rng)).astype(dtype)
        assert orthogonality_test(q, gain).pvalue == 1.0  # rounding stays 10x below the tolerance
        assert orthogonality_test(q, gain * 1.001).pvalue == 0.0  # Gram off by 0.2%
        bent = q.copy().reshape(shape[0], -1)
        bent[0, 0] += dtype(0.01 * gain)
        assert orthogonality_test(bent, gain).pvalue == 0.0


@given(seed=seeds)
@settings(max_examples=10, deadline=None, database=None)
def test_gaussian_matrix_is_not_orthogonal(seed: int) -> None:
    a = np.random.default_rng(seed).normal(0.0, 1.0 / np.sqrt(64), (64, 64))
    res = orthogonality_test(a)
    # diagonal of a a^T is chi2_64/64: |dev| < 0.01 on all 64 rows has probability < 1e-60
    assert res.pvalue == 0.0 and res.statistic > 0.01


@pytest.mark.false_alarm(
    4 * P_EXACT + RATE_APPROX, per="example", reason="entry KS x3 shapes, det (exact); trace (CLT)"
)
@given(seed=seeds, gain=st.floats(0.5, 2.0))
@settings(max_examples=3, deadline=None, database=None)
def test_haar_draws_pass(seed: int, gain: float) -> None:
    rng = np.random.default_rng(seed)
    for shape in [(8, 8), (5, 12), (12, 5)]:
        results = {
            r.check: r for r in haar_test([gain * haar(shape, rng) for _ in range(200)], gain)
        }
        assert results["haar-orthogonal"].pvalue == 1.0
        assert results["haar-entry"].pvalue > P_EXACT  # exact KS, Bonferroni over 2: rate <= 1e-8
        if shape[0] == shape[1]:
            assert results["haar-trace"].pvalue > P_APPROX  # CLT over 200 draws: rate <= 1e-7
            assert results["haar-det"].pvalue > P_EXACT  # exact binomial: rate <= 1e-8


@pytest.mark.false_alarm(1e-12, per="example", reason="det and entry exact; the trace z ~ -23")
@given(seed=seeds)
@settings(max_examples=3, deadline=None, database=None)
def test_qr_without_sign_fix_is_caught_by_each_statistic(seed: int) -> None:
    rng = np.random.default_rng(seed)
    draws = [haar((8, 8), rng, sign_fix=False) for _ in range(200)]
    results = {r.check: r for r in haar_test(draws)}
    assert results["haar-orthogonal"].pvalue == 1.0  # still orthogonal: only the law is wrong
    # LAPACK's Householder QR: det = (-1)^7 always, so the binomial p-value is exactly 2^-199
    assert results["haar-det"].pvalue == pytest.approx(2.0**-199, rel=1e-6)
    # q11 = -|a11|/||a1|| < 0 always: KS distance >= 1/2, p < 1e-40 whatever the draw
    assert results["haar-entry"].pvalue < 1e-40
    # mean trace ~ -1.6 instead of 0: z ~ -23 +- 1 -> miss < 1e-12
    assert results["haar-trace"].rejects(ALPHA) and results["haar-trace"].statistic < 0


@pytest.mark.false_alarm(0, reason="the first entry is always negative: p < 1e-40")
@given(seed=seeds)
@settings(max_examples=3, deadline=None, database=None)
def test_semi_orthogonal_qr_without_sign_fix_is_caught(seed: int) -> None:
    rng = np.random.default_rng(seed)
    draws = [haar((5, 12), rng, sign_fix=False) for _ in range(200)]
    results = {r.check: r for r in haar_test(draws)}
    assert results["haar-entry"].pvalue < 1e-40  # first entry always negative, as above


def test_haar_test_needs_independent_same_shape_draws() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(UsageError, match="draws"):
        haar_test([haar((4, 4), rng), haar((4, 5), rng)])
    with pytest.raises(UsageError, match=r"draws\.shape"):
        haar_test(np.zeros((1, 4, 4)))
    with pytest.raises(UsageError, match="gain=0"):
        orthogonality_test(np.eye(3), 0)
    with pytest.raises(UsageError, match=r"q\.shape=\(3,\)"):
        orthogonality_test(np.ones(3))
    assert orthogonality_test(np.array([[np.nan, 0.0], [0.0, 1.0]])).pvalue == 0.0
