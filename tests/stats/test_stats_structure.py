"""Structure across positions and units: correct weights pass, tiled/sorted/correlated/rescaled fail."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from scipy import stats

from initcheck.errors import UsageError
from initcheck.stats import structure_tests
from tests.stats._budget import ALPHA, P_STRICT, RATE_STRICT

seeds = st.integers(0, 2**32 - 1)
NORMAL = stats.norm(0.0, 0.05)
UNIFORM = stats.uniform(-0.1, 0.2)
SHAPES = [(32, 64), (100, 10), (8, 3, 3, 3)]
ALL_CHECKS = {
    "serial-corr",
    "serial-corr-rows",
    "serial-corr-cols",
    "duplicate-rows",
    "duplicate-cols",
    "sorted-rows",
    "sorted-cols",
    "unit-corr",
    "row-scale",
    "col-scale",
}


def by_check(w: np.ndarray, law) -> dict:
    return {r.check: r for r in structure_tests(w, law)}


@pytest.mark.false_alarm(
    RATE_STRICT, per="example", assertions=60, reason="2 laws x 3 shapes x 10 checks at P_STRICT"
)
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_correct_weights_not_flagged(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for law in (NORMAL, UNIFORM):
        for shape in SHAPES:
            results = by_check(law.rvs(size=shape, random_state=rng), law)
            assert set(results) == ALL_CHECKS
            for r in results.values():
                # 60 approximate p-values per example (normal / Rademacher / gamma tails,
                # measured within 1.6x at 1e-3 on 4x8 arrays): p > 1e-10, rate <= 1e-9 each
                assert r.pvalue > P_STRICT, r


@pytest.mark.false_alarm(0, reason="z = 77 whatever the draw")
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_sorted_rows_caught(seed: int) -> None:
    w = np.sort(NORMAL.rvs(size=(32, 64), random_state=np.random.default_rng(seed)), axis=1)
    res = by_check(w, NORMAL)
    # every step goes up: z = 32*63 / sqrt(32*65/3) = 77 whatever the draw
    assert res["sorted-rows"].rejects(ALPHA) and res["sorted-rows"].estimate == 1.0
    assert res["serial-corr-rows"].rejects(
        ALPHA
    )  # neighbours of sorted normals: r ~ 0.9 -> never misses


@given(seed=seeds, tile=st.sampled_from([2, 4, 8]))
@settings(max_examples=5, deadline=None, database=None)
def test_duplicated_rows_and_tiles_caught(seed: int, tile: int) -> None:
    base = NORMAL.rvs(size=(32 // tile, 64), random_state=np.random.default_rng(seed))
    res = by_check(np.tile(base, (tile, 1)), NORMAL)
    assert res["duplicate-rows"].pvalue == 0.0  # exact
    assert res["duplicate-rows"].statistic == 32 - 32 // tile
    assert res["duplicate-cols"].pvalue == 1.0


@pytest.mark.false_alarm(1e-12, per="example", reason="miss: the statistic ~14 sd above H0")
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_correlated_units_caught(seed: int) -> None:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=256)
    z = math.sqrt(1 - 0.3) * rng.normal(size=(32, 256)) + math.sqrt(0.3) * common  # corr 0.3
    res = by_check(0.05 * z, NORMAL)
    # E[sum cols r^2] ~ 496 * (1 + 256 * 0.09) vs 496 +- 35 under H0 -> miss < 1e-12
    assert res["unit-corr"].rejects(ALPHA), res["unit-corr"].detail


@pytest.mark.false_alarm(1e-12, per="example", reason="miss: X ~ 1600 +- 100 vs 64 +- 11")
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_half_the_rows_rescaled_caught(seed: int) -> None:
    w = NORMAL.rvs(size=(64, 512), random_state=np.random.default_rng(seed))
    w[:32] *= 1.2
    res = by_check(w, NORMAL)
    # rescaled rows: (v - 1)^2 * 256 ~ 50 each vs 1: X ~ 1600 +- 100 vs 64 +- 11 -> miss < 1e-12
    assert res["row-scale"].rejects(ALPHA), res["row-scale"].detail


@pytest.mark.false_alarm(0, reason="X = 0 exactly")
def test_normalized_rows_caught_as_too_homogeneous() -> None:
    w = np.random.default_rng(3).normal(size=(64, 128))
    w *= 0.05 / np.sqrt(np.mean(w * w, axis=1, keepdims=True))  # every row's mean square exact
    res = by_check(w, NORMAL)
    assert res["row-scale"].rejects(ALPHA) and res["row-scale"].statistic < 0  # X = 0: exact


@pytest.mark.false_alarm(1e-12, per="example", reason="miss: r = 0.5 over 2000 pairs, z ~ 15")
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_smoothed_draws_caught(seed: int) -> None:
    z = np.random.default_rng(seed).normal(size=(32, 65))
    w = 0.05 * (z[:, 1:] + z[:, :-1]) / math.sqrt(2.0)  # lag-1 correlation 1/2 along rows
    res = by_check(w, NORMAL)
    # r = 0.5 over 2000 pairs: z ~ 15 even self-normalized -> miss < 1e-12
    assert res["serial-corr-rows"].rejects(ALPHA) and res["serial-corr"].rejects(ALPHA)


def test_small_and_degenerate_shapes() -> None:
    rng = np.random.default_rng(0)
    assert {r.check for r in structure_tests(rng.normal(size=50), stats.norm())} == {
        "serial-corr",
        "sorted-rows",
    }
    bad = rng.normal(size=(4, 4))
    bad[1, 2] = np.inf
    [res] = structure_tests(bad, stats.norm())
    assert res.pvalue == 0.0 and "1 of 16 values are not finite" in res.detail
    with pytest.raises(UsageError, match=r"law='t\(3\)'.*4th moment"):
        structure_tests(bad, stats.t(3))
    with pytest.raises(UsageError, match="w="):
        structure_tests(np.zeros((0, 3)), stats.norm())
