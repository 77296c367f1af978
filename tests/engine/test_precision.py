"""The precision of a draw (``initcheck.precision``): float16, bfloat16 stored as float32,
float32 and float64 are told apart; dequantizing spreads each value over its own rounding cell,
uniformly, seeded; widening moves a bound by one rounding step.

Rates: every assertion is exact but one. A float32 draw is taken for bfloat16 only if all of
its values have 16 zero low bits: for a continuous law each does with probability 2^-16, so
for the 200 values drawn here the rate is 2^-3200 (det.). The uniformity of the spread is a
Kolmogorov–Smirnov test (exact p-value) asserted at p > 1e-8: false alarm 1e-8 per example,
3 precisions × 10 examples, 3e-7 in all (tests/README.md).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from initcheck.precision import dequantize, precision_bits, widen

SEEDS = st.integers(0, 2**32 - 1)
P_KS = 1e-8  # the KS assertion's false-alarm rate (exact p-value)


def as_bfloat16(x: np.ndarray) -> np.ndarray:
    """float32 values cut to bfloat16's 8 significant bits (low 16 bits zeroed), kept as float32."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32) & np.uint32(0xFFFF0000)
    return bits.view(np.float32)


@pytest.mark.false_alarm(
    0, reason="float32 read as bfloat16 only if 200 values have 16 zero low bits: 2^-3200"
)
@given(seed=SEEDS)
def test_each_precision_is_told_apart(seed: int) -> None:
    x = np.random.default_rng(seed).normal(size=200)
    assert precision_bits(x) == 53
    assert precision_bits(x.astype(np.float32)) == 24
    assert precision_bits(x.astype(np.float16)) == 11
    assert precision_bits(as_bfloat16(x)) == 8
    one_finer = as_bfloat16(x)
    one_finer[seed % 200] = np.nextafter(one_finer[seed % 200], np.float32(np.inf))
    assert precision_bits(one_finer) == 24  # a single value finer than bfloat16: float32


def test_edge_cases_of_detection() -> None:
    assert precision_bits(np.zeros(0, dtype=np.float32)) == 24  # no values: the dtype's precision
    assert precision_bits(np.array([1.0078125, -0.25, 0.0], dtype=np.float32)) == 8  # 1 + 2^-7: bfloat16
    assert precision_bits(np.array([1.5, -0.25, 0.0], dtype=np.float32)) == 3  # fits float8_e5m2
    assert precision_bits(np.array([1.5, -0.25], dtype=np.float64)) == 53  # float64 is taken as is


@pytest.mark.false_alarm(
    P_KS, per="example",
    reason="KS of the in-cell offsets against U(-1/2, 1/2) at p > 1e-8 (exact p-value)",
)
@pytest.mark.parametrize(("bits", "dtype"), [(11, np.float16), (24, np.float32), (8, None)])
@given(seed=SEEDS)
@settings(max_examples=10)
def test_dequantize_spreads_each_value_uniformly_over_its_cell(bits: int, dtype, seed: int) -> None:
    x = np.random.default_rng(seed).normal(size=20_000)
    rounded = as_bfloat16(x) if dtype is None else x.astype(dtype)
    v = rounded.astype(np.float64)
    spread = dequantize(rounded, bits, seed ^ 1)
    # a value in [2^k, 2^(k+1)) has the grid step 2^(k + 1 - bits) (bits with the implicit one);
    # zeros and float16 subnormals (below 2^-14) have another grid: left out
    normal = np.abs(v) >= 2.0**-14
    cell = 2.0 ** (np.floor(np.log2(np.abs(v[normal]))) + 1 - bits)
    offset = (spread[normal] - v[normal]) / cell
    assert spread.dtype == np.float64 and np.all(np.abs(offset) <= 0.5)
    assert stats.kstest(offset, stats.uniform(-0.5, 1).cdf).pvalue > P_KS


@given(seed=SEEDS)
def test_dequantize_is_seeded_and_leaves_float64_alone(seed: int) -> None:
    x = np.random.default_rng(seed).normal(size=500).astype(np.float16)
    assert np.array_equal(dequantize(x, 11, seed), dequantize(x, 11, seed))
    assert not np.array_equal(dequantize(x, 11, seed), dequantize(x, 11, seed ^ 1))
    exact = x.astype(np.float64)
    assert np.array_equal(dequantize(exact, 53, seed), exact)


@pytest.mark.parametrize(("low", "high", "bits", "expected"), [
    (-1.0, 2.0, 11, (-1.0 - 2.0**-10, 2.0 + 2.0 * 2.0**-10)),
    (-0.25, 0.25, 8, (-0.25 - 0.25 * 2.0**-7, 0.25 + 0.25 * 2.0**-7)),
    (0.0, 3.0, 24, (0.0, 3.0 + 3.0 * 2.0**-23)),
    (-1.0, 1.0, 53, (-1.0 - 2.0**-52, 1.0 + 2.0**-52)),
])
def test_widen_moves_each_bound_out_by_one_rounding_step(low, high, bits, expected) -> None:
    assert widen(low, high, bits) == expected
