"""The streaming draw summary: the same description as all values at once; bounded sample."""

from __future__ import annotations

import numpy as np
import pytest

from initcheck.identification.core import DrawSummary, describe_draws


def test_streamed_moments_are_exact():
    rng = np.random.default_rng(3)
    draws = [rng.normal(1.5, 0.3, (200, 50)) for _ in range(3)]
    s = DrawSummary((200, 50), capacity=1000, seed=0)
    for a in draws:
        s.add(a)
    d = s.describe()
    x = np.concatenate([a.reshape(-1) for a in draws])
    assert d.n == x.size and d.draws == 3
    assert d.mean == pytest.approx(x.mean(), rel=1e-12)
    assert d.std == pytest.approx(x.std(), rel=1e-12)
    kept = s.sample
    assert kept.size == 1000 and np.isin(kept, x).all()  # a sample of the values drawn
    assert d.kurtosis == pytest.approx(np.mean(((kept - x.mean()) / x.std()) ** 4), rel=1e-9)


def test_identical_draws_are_fixed_and_one_changed_value_is_not():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(64, 64))
    assert describe_draws([a, a.copy(), a.copy()]).kind == "fixed"
    b = a.copy()
    b[63, 63] += 1.0  # a value away from the fingerprint positions still changes the exact sums
    assert describe_draws([a, b]).kind != "fixed"


def test_orthogonal_draws_are_told_by_their_gram_matrix():
    rng = np.random.default_rng(5)
    qs = [np.linalg.qr(rng.normal(size=(64, 32)))[0].T * 2.0 for _ in range(2)]
    d = describe_draws(qs)
    assert d.kind == "orthogonal" and d.gain == pytest.approx(2.0, rel=1e-12)


def test_non_finite_values_are_described_not_raised():
    a = np.full((8, 8), np.nan)
    a[0, 0] = 1.0
    assert describe_draws([a, a]).kind == "none"
