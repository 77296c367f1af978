"""Each reference initializer draws the law its formula states.

Expected laws are written here from the formulas (fans by hand, gains from
the table), never taken from ``initcheck.init``. Statistical assertions use
``assert_follows`` at 1e-6 per example (see tests/README.md for the budget);
planted bugs (a lost square root, swapped fans, a missing gain) must be
caught by the same assertion.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from initcheck import init
from initcheck.errors import UsageError
from tests.lawcheck import ALPHA_PER_EXAMPLE, assert_follows, draw_many

EXAMPLES = 6  # Hypothesis examples per statistical property below

seeds = st.integers(0, 2**32 - 1000)
dims = st.integers(2, 96)
# torch-layout shapes: dense (out, in) and conv (out, in, *kernel)
shapes = st.one_of(
    st.tuples(dims, dims),
    st.tuples(dims, st.integers(1, 16), st.integers(1, 5)),
    st.tuples(dims, st.integers(1, 16), st.integers(1, 3), st.integers(1, 3)),
)
gains = st.floats(0.25, 4.0)


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """fan_in and fan_out of a torch-layout shape, written out."""
    rf = 1
    for k in shape[2:]:
        rf *= k
    return shape[1] * rf, shape[0] * rf


def uniform_law(bound: float):
    return stats.uniform(-bound, 2 * bound)


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE,
    per="example",
    reason="assert_follows (mean, variance, AD, support; Bonferroni) at 1e-6",
)
@settings(max_examples=EXAMPLES)
@given(shape=shapes, gain=gains, seed=seeds)
def test_xavier_normal(shape, gain, seed):
    fi, fo = fans(shape)
    assert_follows(draw_many(init.xavier_normal(gain), shape, seed), stats.norm(0, gain * math.sqrt(2 / (fi + fo))))


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE,
    per="example",
    reason="assert_follows (mean, variance, AD, support; Bonferroni) at 1e-6",
)
@settings(max_examples=EXAMPLES)
@given(shape=shapes, gain=gains, seed=seeds)
def test_xavier_uniform(shape, gain, seed):
    fi, fo = fans(shape)
    assert_follows(draw_many(init.xavier_uniform(gain), shape, seed), uniform_law(gain * math.sqrt(6 / (fi + fo))))


modes = st.sampled_from(["fan_in", "fan_out"])
nonlinearities = st.sampled_from(["relu", "leaky_relu", "tanh", "linear", "sigmoid", "selu"])
slopes = st.floats(0.0, 0.5)


def gain_table(nonlinearity: str, a: float) -> float:
    return {
        "relu": math.sqrt(2),
        "leaky_relu": math.sqrt(2 / (1 + a * a)),
        "tanh": 5 / 3,
        "linear": 1.0,
        "sigmoid": 1.0,
        "selu": 0.75,
    }[nonlinearity]


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE,
    per="example",
    reason="assert_follows (mean, variance, AD, support; Bonferroni) at 1e-6",
)
@settings(max_examples=EXAMPLES)
@given(shape=shapes, mode=modes, nonlinearity=nonlinearities, a=slopes, seed=seeds)
def test_he_normal(shape, mode, nonlinearity, a, seed):
    fan = dict(zip(("fan_in", "fan_out"), fans(shape)))[mode]
    std = gain_table(nonlinearity, a) / math.sqrt(fan)
    assert_follows(draw_many(init.he_normal(a, mode, nonlinearity), shape, seed), stats.norm(0, std))


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE,
    per="example",
    reason="assert_follows (mean, variance, AD, support; Bonferroni) at 1e-6",
)
@settings(max_examples=EXAMPLES)
@given(shape=shapes, mode=modes, nonlinearity=nonlinearities, a=slopes, seed=seeds)
def test_he_uniform(shape, mode, nonlinearity, a, seed):
    fan = dict(zip(("fan_in", "fan_out"), fans(shape)))[mode]
    bound = gain_table(nonlinearity, a) * math.sqrt(3 / fan)
    assert_follows(draw_many(init.he_uniform(a, mode, nonlinearity), shape, seed), uniform_law(bound))


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE,
    per="example",
    assertions=2,
    reason="assert_follows for the normal and the uniform law",
)
@settings(max_examples=EXAMPLES)
@given(shape=shapes, seed=seeds)
def test_lecun(shape, seed):
    fi, _ = fans(shape)
    assert_follows(draw_many(init.lecun_normal(), shape, seed), stats.norm(0, 1 / math.sqrt(fi)))
    assert_follows(draw_many(init.lecun_uniform(), shape, seed), uniform_law(math.sqrt(3 / fi)))


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE,
    per="example",
    reason="assert_follows (mean, variance, AD, support; Bonferroni) at 1e-6",
)
@settings(max_examples=EXAMPLES)
@given(shape=shapes, scale=st.floats(0.1, 10), mode=st.sampled_from(["fan_in", "fan_out", "fan_avg"]), seed=seeds)
def test_variance_scaling_truncated_normal_has_variance_scale_over_n(shape, scale, mode, seed):
    fi, fo = fans(shape)
    n = {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    # Keras/JAX semantics: cut at ±2 parent std, parent std chosen so the variance is scale/n
    parent = math.sqrt(scale / n) / math.sqrt(stats.truncnorm(-2, 2).var())
    law = stats.truncnorm(-2, 2, scale=parent)
    assert law.var() == pytest.approx(scale / n, rel=1e-12)
    assert_follows(draw_many(init.variance_scaling(scale, mode, "truncated_normal"), shape, seed), law)


def test_truncation_constant_is_the_std_of_a_standard_normal_cut_at_two() -> None:
    z = stats.norm
    closed = math.sqrt(1 - 4 * z.pdf(2) / (z.cdf(2) - z.cdf(-2)))
    assert init.TRUNCATED_NORMAL_STD_FACTOR == pytest.approx(closed, rel=1e-15)


@pytest.mark.false_alarm(
    ALPHA_PER_EXAMPLE,
    per="example",
    reason="assert_follows (mean, variance, AD, support; Bonferroni) at 1e-6",
)
@settings(max_examples=EXAMPLES)
@given(mean=st.floats(-2, 2), std=st.floats(0.05, 3), a=st.floats(-3, 0), width=st.floats(0.5, 4), seed=seeds)
def test_truncated_normal_pytorch_semantics(mean, std, a, width, seed):
    lo, hi = mean + a, mean + a + width  # absolute bounds around the mean
    law = stats.truncnorm((lo - mean) / std, (hi - mean) / std, loc=mean, scale=std)
    assert_follows(draw_many(init.truncated_normal(mean, std, lo, hi), (50, 40), seed), law)


@pytest.mark.false_alarm(ALPHA_PER_EXAMPLE, per="example", assertions=3, reason="assert_follows for three plain laws")
@settings(max_examples=EXAMPLES)
@given(seed=seeds)
def test_plain_laws(seed):
    assert_follows(draw_many(init.normal(0.0, 0.01), (64, 64), seed), stats.norm(0, 0.01))
    assert_follows(draw_many(init.mxnet_default(), (64, 64), seed), uniform_law(0.07))
    assert_follows(draw_many(init.uniform(low=-1.0, high=3.0), (64, 64), seed), stats.uniform(-1, 4))


@given(value=st.floats(-1e6, 1e6, allow_nan=False), shape=shapes, seed=seeds)
def test_constants_are_exact(value, shape, seed):
    assert np.all(init.constant(value)(shape, seed) == value)
    assert np.all(init.zeros()(shape, seed) == 0.0)
    assert np.all(init.ones()(shape, seed) == 1.0)


@given(
    shape=shapes, seed=seeds, name=st.sampled_from(["xavier_normal", "he_uniform", "orthogonal", "truncated_normal"])
)
def test_sampler_protocol_same_seed_same_draw_other_seed_other_draw(shape, seed, name):
    sampler = getattr(init, name)()
    assert isinstance(sampler, init.Sampler)
    a, b, c = sampler(shape, seed), sampler(shape, seed), sampler(shape, seed + 1)
    assert a.shape == shape and np.array_equal(a, b)
    assert not np.array_equal(a, c)


@given(
    rows=st.integers(1, 40), cols=st.integers(1, 40), gain=gains, seed=seeds, layout=st.sampled_from(["torch", "keras"])
)
def test_orthogonal_is_orthogonal(rows, cols, gain, seed, layout):
    q = init.orthogonal(gain, layout=layout)((rows, cols), seed)
    m = q if layout == "torch" else q.T  # keras: the matrix is (prod(shape[:-1]), shape[-1])
    small = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(small, gain**2 * np.eye(small.shape[0]), atol=1e-12 * gain**2 * max(rows, cols))


@pytest.mark.false_alarm(
    1e-6,
    per="item",
    assertions=2,
    reason="KS of q11 against its Beta law, binomial test of sign(det); 3000 fixed seeds",
)
def test_orthogonal_is_haar() -> None:
    # Haar on O(n): q11 is distributed as 2·Beta((n-1)/2, (n-1)/2) − 1; sign(det) is ±1 with
    # probability ½. KS and binomial test at 1e-6 each: false alarm 2e-6 (fixed seeds, one run).
    n, draws = 6, 3000
    qs = np.stack([init.orthogonal()((n, n), s) for s in range(draws)])
    p_ks = stats.kstest((qs[:, 0, 0] + 1) / 2, stats.beta((n - 1) / 2, (n - 1) / 2).cdf).pvalue
    p_det = stats.binomtest(int(np.sum(np.linalg.det(qs) > 0)), draws, 0.5).pvalue
    assert p_ks > 1e-6 and p_det > 1e-6


@given(gain=gains)
def test_calculate_gain_table(gain):
    assert init.calculate_gain("leaky_relu", gain) == pytest.approx(math.sqrt(2 / (1 + gain**2)))
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("conv2d") == 1.0 and init.calculate_gain("selu") == 0.75


# --- test the tester: planted bugs are caught by the same assertion -------------------------
# Power: each effect below is a variance error of 40% or more (or a wrong support) on 1e5
# draws; the variance test's power there is 1 - O(1e-50). Miss rate counted as 0 in the budget.


def _lost_sqrt(shape, seed):
    fi, fo = fans(shape)
    bound = 6 / (fi + fo)  # sqrt forgotten
    return np.random.default_rng(seed).uniform(-bound, bound, size=shape)


def _swapped_fans(shape, seed):
    _, fo = fans(shape)
    return np.random.default_rng(seed).normal(0, math.sqrt(2 / fo), size=shape)  # fan_out for fan_in


def _no_receptive_field(shape, seed):
    return np.random.default_rng(seed).normal(0, math.sqrt(2 / shape[1]), size=shape)


@pytest.mark.false_alarm(0, reason="planted: variance off >= 40% (or a wrong support) on 1e5 draws, miss O(1e-50)")
@pytest.mark.parametrize(
    "bug, shape, law",
    [
        (_lost_sqrt, (64, 32), uniform_law(math.sqrt(6 / 96))),
        (_swapped_fans, (64, 32), stats.norm(0, math.sqrt(2 / 32))),
        (_no_receptive_field, (16, 8, 3, 3), stats.norm(0, math.sqrt(2 / 72))),
        (lambda shape, seed: init.normal(0, 0.01)(shape, seed), (64, 64), uniform_law(0.01 * math.sqrt(3))),
    ],
)
def test_planted_bugs_are_caught(bug, shape, law):
    with pytest.raises(AssertionError, match="does not follow"):
        assert_follows(draw_many(bug, shape, 12345), law)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: init.normal(std=-1), "std=-1: expected a positive finite number"),
        (lambda: init.uniform(low=1.0, high=0.0), r"low/high=\(1.0, 0.0\): expected low < high"),
        (lambda: init.variance_scaling(1.0, "fan_sum"), "mode='fan_sum': expected one of fan_in, fan_out, fan_avg"),
        (lambda: init.variance_scaling(1.0, distribution="cauchy"), "distribution='cauchy'"),
        (lambda: init.calculate_gain("swish"), "nonlinearity='swish'"),
        (lambda: init.xavier_normal()((3, 0), 0), r"shape=\(3, 0\): expected positive integer dimensions"),
        (lambda: init.xavier_normal()((3, 3), -1), "seed=-1: expected a non-negative integer"),
    ],
)
def test_bad_arguments_name_the_value(call, message):
    with pytest.raises(UsageError, match=message):
        call()
