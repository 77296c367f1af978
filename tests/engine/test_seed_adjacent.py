"""The seed check's adjacent seeds, as models seed their layers (``base + i``): planned at an
even ``b`` and ``b + 1``, drawn as contiguous heads, and judged within the verdict's one family.

Planted samplers whose adjacent seeds give the same draw, a shifted copy or a correlated draw
are findings of ``check()`` at its default alpha (1e-6); correct samplers, seeded as users seed
them, pass. Every planted error here is caught by an exact check or many standard errors away
(stated at each test); each passing verdict risks its alpha.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from initcheck.defaults import DEFAULT_ALPHA
from initcheck.drawing import SEED_CHECK_VALUES, draw_seed_check
from initcheck.laws import parse_law
from initcheck.planning import adjacent_shape, plan_verdict
from initcheck.verdict import check

ADJACENT = {"seed-adjacent", "seed-shift", "seed-adjacent-corr"}
FAST = {"tolerance": 0.2}  # fewer values per shape; the default alpha, the default shapes
STD = math.sqrt(2 / (96 + 160))  # any std: the planted samplers claim normal(std=STD)
LAW = f"normal(std={STD!r})"


def normal(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, STD, shape)


def findings(report) -> set[str]:
    return {f.check for f in report.findings}


# -- the plan and the draws ----------------------------------------------------------------------


@pytest.mark.false_alarm(0, reason="exact: seeds are a function of the verdict's seed")
@given(seed=st.integers(0, 2**40))
@settings(max_examples=20, deadline=None)
def test_adjacent_seeds_are_an_even_b_and_b_plus_1_within_32_bits(seed: int) -> None:
    plan = plan_verdict(parse_law("xavier_normal"), layout="torch", shapes=None, seed=seed,
                        alpha=DEFAULT_ALPHA, tolerance=0.02)
    b, b1 = plan.seed_check.adjacent_seeds
    assert b % 2 == 0 and b1 == b + 1 < 2**32 and b >> 1 == plan.seed_check.seeds[0] >> 1
    assert plan.seed_check.adjacent_shape == (300, 1200)  # the only default with 100,000 entries


def test_the_adjacent_shape_is_the_smallest_with_enough_values_else_the_largest() -> None:
    assert SEED_CHECK_VALUES == 100_000
    assert adjacent_shape([(400, 400), (8, 8), (100, 1000), (1000, 100)]) == (100, 1000)
    assert adjacent_shape([(8, 8), (16, 4, 3), (12, 16)]) == (16, 4, 3)  # first largest
    constant = plan_verdict(parse_law("zeros"), layout="torch", shapes=[(4, 4)], seed=0,
                            alpha=DEFAULT_ALPHA, tolerance=0.02)
    assert constant.seed_check.adjacent_shape is None and constant.seed_check.adjacent_seeds == ()


def test_adjacent_draws_are_contiguous_float64_heads() -> None:
    shape = (1000, 301)  # 301,000 values: the first 100,000, in flattened order
    raw = {s: normal(shape, s).astype(np.float32) for s in (4, 5, 6, 8, 9)}
    draws = draw_seed_check(lambda shp, s: raw[s], (1000, 301), [4, 5, 6], timeout=None,
                            adjacent_shape=shape, adjacent_seeds=(8, 9))
    assert draws.adjacent_shape == shape and draws.adjacent_seeds == (8, 9)
    for s, head in zip((8, 9), draws.adjacent):
        assert head.dtype == np.float64 and not np.shares_memory(head, raw[s])
        assert np.array_equal(head, raw[s].reshape(-1)[:SEED_CHECK_VALUES].astype(np.float64))
    without = draw_seed_check(lambda shp, s: raw[s], shape, [4, 5], timeout=None)
    assert without.adjacent_shape is None and without.adjacent == ()


# -- planted samplers: caught at the default alpha -----------------------------------------------


def halves(shape, seed):  # seed // 2: seeds 2k and 2k + 1 give the same draw
    return normal(shape, seed // 2)


def low_bit_masked(shape, seed):  # ignores the low bit of the seed
    return normal(shape, seed & ~1)


def low_bit_as_sign(shape, seed):  # ignores the low bit but for the sign: a draw and its negative
    return normal(shape, seed >> 1) * (1 - 2 * (seed & 1))


def stream_offset_by_the_seed(shape, seed):  # rng(0).normal(size=n + seed)[seed:], seed mod 1000
    offset = seed % 1000
    return np.random.default_rng(12345).normal(0.0, STD, math.prod(shape) + offset)[offset:].reshape(
        shape)


def counter_based(shape, seed):  # Philox: seed + 1 starts one block (4 values) later
    gen = np.random.Generator(np.random.Philox(key=2024))
    gen.bit_generator.advance(seed)
    return STD * special.ndtri(gen.random(shape))


def rows_seeded_seed_plus_i(shape, seed):  # row i from rng(seed + i): seed + 1 is a row later
    rows = [np.random.default_rng(seed + i).normal(0.0, STD, shape[1:]) for i in range(shape[0])]
    return np.stack(rows)


@pytest.mark.false_alarm(
    0, reason="det.: identical or shifted copies of >= 99,996 float64 values, p < 1e-300, exact")
@pytest.mark.parametrize(("sampler", "caught"), [
    (halves, {"seed-adjacent", "seed-shift"}),
    (low_bit_masked, {"seed-adjacent", "seed-shift"}),
    (stream_offset_by_the_seed, {"seed-shift"}),
    (counter_based, {"seed-shift"}),
    (rows_seeded_seed_plus_i, {"seed-shift"}),
])
def test_identical_and_shifted_adjacent_draws_are_findings(sampler, caught: set[str]) -> None:
    report = check(sampler, LAW, **FAST)
    assert not report.passed and caught <= findings(report)
    shift = next(f for f in report.findings if f.check == "seed-shift")
    # at the shape (300, 1200), the head of 100,000 values: a run of all but a few of them
    assert shift.shape == (300, 1200) and shift.statistic >= SEED_CHECK_VALUES - 1200
    assert shift.pvalue < 1e-300


# Correlated adjacent draws: family m ~ 125 p-values; Holm's first step needs p <= 1e-6 / m,
# so a lag's Pearson p <= 1e-6 / (9 m) ~ 9e-10: |z| >= 6.1. With r = 0.05 at n = 100,000
# values sqrt(n) r = 15.8: a miss needs a 9.7-sd shortfall (< 1e-21). r = -1 and 0.5: det.
RHO2 = 0.05  # the correlation planted between the draws of 2k and 2k + 1


def shares_a_base_draw(shape, seed):  # rho z(seed // 2) + sqrt(1 - rho^2) z(seed), rho^2 = 0.05
    rho = math.sqrt(RHO2)
    return rho * normal(shape, seed // 2 + 2**33) + math.sqrt(1 - RHO2) * normal(shape, seed)


def moving_average(shape, seed):  # (z(seed) + z(seed + 1)) / sqrt(2): r = 0.5 with seed + 1
    return (normal(shape, seed) + normal(shape, seed + 1)) / math.sqrt(2)


@pytest.mark.false_alarm(1e-21, per="item",
                         reason="r = 0.05 at n = 100,000: 15.8 sd vs 6.1 (miss < 1e-21); others det.")
@pytest.mark.parametrize("sampler", [shares_a_base_draw, moving_average, low_bit_as_sign])
def test_correlated_adjacent_draws_are_findings(sampler) -> None:
    report = check(sampler, LAW, **FAST)
    corr = next(f for f in report.findings if f.check == "seed-adjacent-corr")
    assert corr.shape == (300, 1200) and "at lag 0 " in corr.detail
    assert corr.observed > 0.03 or corr.observed == pytest.approx(-1.0)


# -- correct samplers, seeded as users seed them: they pass --------------------------------------


def base_plus_seed(shape, seed):  # a model's layer i drawn with base + i
    return normal(shape, 1_000_000 + seed)


def legacy_random_state(shape, seed):  # MT19937 seeded with a 32-bit int (b + 1 < 2**32)
    return np.random.RandomState(seed).normal(0.0, STD, shape)


def rows_spawned(shape, seed):  # row i from SeedSequence([seed, i]): independent rows
    return np.stack([np.random.default_rng([seed, i]).normal(0.0, STD, shape[1:])
                     for i in range(shape[0])])


@pytest.mark.false_alarm(DEFAULT_ALPHA, per="item", reason="one verdict at the default alpha, seed 0")
@pytest.mark.parametrize("sampler", [normal, base_plus_seed, legacy_random_state, rows_spawned])
def test_correct_samplers_seeded_as_users_seed_them_pass(sampler) -> None:
    report = check(sampler, LAW, **FAST)
    assert report.passed, [str(f) for f in report.findings]
    assert ADJACENT <= {r.check for r in report.results}


@pytest.mark.false_alarm(0, reason="a constant law: exact checks only")
def test_a_constant_law_draws_no_adjacent_seeds() -> None:
    calls = []

    def zeros(shape, seed):
        calls.append(seed)
        return np.zeros(shape)

    report = check(zeros, "zeros", shapes=[(6, 4)])
    assert report.passed and not ADJACENT & {r.check for r in report.results}
    assert len(calls) == 2 + 4  # two per shape, then 3 distinct seeds and one again
