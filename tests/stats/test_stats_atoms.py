"""Atoms (repeated values): correct float16/bfloat16/float32/float64 draws pass, piles are caught."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from scipy import stats

from initcheck.errors import UsageError
from initcheck.stats import atoms_test
from tests.stats._budget import ALPHA, P_APPROX, P_EXACT, RATE_APPROX

seeds = st.integers(0, 2**32 - 1)
LAWS = {"normal": stats.norm(0.0, 0.05), "uniform": stats.uniform(-0.1, 0.2)}


def _draw(law_name: str, rng: np.random.Generator, n: int) -> np.ndarray:
    return LAWS[law_name].rvs(n, random_state=rng)


def to_bfloat16(x: np.ndarray) -> np.ndarray:
    """Round to nearest even at 8 significand bits, kept in float32 (how bfloat16 stores)."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32)
    u = (u + (((u >> 16) & 1) + np.uint32(0x7FFF))) & np.uint32(0xFFFF0000)
    return u.view(np.float32)


@pytest.mark.false_alarm(
    P_EXACT + RATE_APPROX,
    per="example",
    assertions=3,
    reason="per dtype: default slack (exact), no slack (approx)",
)
@given(seed=seeds, law=st.sampled_from(sorted(LAWS)))
@settings(max_examples=10, deadline=None, database=None)
def test_correct_draws_not_flagged_at_any_precision(seed: int, law: str) -> None:
    rng = np.random.default_rng(seed)
    for dtype, n in ((np.float16, 20_000), (np.float32, 200_000), (np.float64, 20_000)):
        x = _draw(law, rng, n).astype(dtype)
        # default slack (16x coarser null grid): the count is pointwise below the coarse
        # grid's, whose tail is Poisson/negative binomial -> rate <= 1e-8 per dtype
        assert atoms_test(x, LAWS[law]).pvalue > P_EXACT
        # no slack: the sharp rounding model itself; approximate tail -> rate <= 1e-7 per dtype
        assert atoms_test(x, LAWS[law], slack_bits=0).pvalue > P_APPROX


@pytest.mark.false_alarm(
    RATE_APPROX, per="example", reason="no slack (approx); the float32 claim misses < 1e-100"
)
@given(seed=seeds, law=st.sampled_from(sorted(LAWS)))
@settings(max_examples=5, deadline=None, database=None)
def test_bfloat16_via_precision_bits(seed: int, law: str) -> None:
    x = to_bfloat16(_draw(law, np.random.default_rng(seed), 5000))
    assert (
        atoms_test(x, LAWS[law], precision_bits=8, slack_bits=0).pvalue > P_APPROX
    )  # rate <= 1e-7
    # the same values judged as float32 pile up: ~10,000 pairs vs ~4 expected -> miss < 1e-100
    assert atoms_test(x, LAWS[law], dtype=np.float32).rejects(ALPHA)


@pytest.mark.false_alarm(0, reason="~20,000 coincident pairs: a miss is exp(-20,000)")
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_expectation_depends_on_dtype(seed: int) -> None:
    x16 = _draw("normal", np.random.default_rng(seed), 20_000).astype(np.float16)
    # 20,000 float16 values make ~20,000 coincident pairs: as float64 (~1e-8 expected) it
    # is rejected unless there are none (probability ~ exp(-20,000)); as float16 it is not
    # (rate in the test above)
    assert atoms_test(x16.astype(np.float64), LAWS["normal"]).rejects(ALPHA)
    assert atoms_test(x16, LAWS["normal"], dtype=np.float64).rejects(ALPHA)


@pytest.mark.false_alarm(0, reason="pigeonhole: >= 200 pairs")
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_coarse_grid_caught(seed: int) -> None:
    x = np.round(np.random.default_rng(seed).normal(0.0, 1.0, 1000) * 64.0) / 64.0
    res = atoms_test(x, stats.norm(0.0, 1.0))
    # 1000 values on < 800 grid points in [-6, 6]: >= 200 pairs by pigeonhole, vs 2e-10 expected
    assert res.rejects(ALPHA) and res.statistic >= 200, res.detail


@pytest.mark.false_alarm(0, reason="C(100, 2) pairs at least")
@given(seed=seeds)
@settings(max_examples=5, deadline=None, database=None)
def test_values_stuck_at_a_bound_caught(seed: int) -> None:
    x = np.random.default_rng(seed).uniform(-0.1, 0.1, 10_000).astype(np.float32)
    x[:100] = np.float32(0.1)  # 1% clipped to the bound
    res = atoms_test(x, LAWS["uniform"])
    assert res.rejects(ALPHA) and res.statistic >= 4950  # C(100, 2) pairs at least: exact
    assert "most repeated value 0.1 (x100" in res.detail


def test_nonfinite_and_bad_arguments() -> None:
    law = LAWS["normal"]
    assert atoms_test(np.array([0.1, np.nan]), law).pvalue == 0.0
    with pytest.raises(UsageError, match="slack_bits=11"):
        atoms_test(np.zeros(3, dtype=np.float16), law, slack_bits=11)
    with pytest.raises(UsageError, match="precision_bits=8: expected None when dtype is given"):
        atoms_test(np.zeros(3), law, np.float32, precision_bits=8)
    with pytest.raises(UsageError, match="dtype="):
        atoms_test(np.zeros(3), law, dtype=np.int32)
