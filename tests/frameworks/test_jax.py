"""The JAX/Flax adapter against real JAX and Flax: factories, keys, dtypes, layouts, laws.

Laws are written here from JAX's documented formulas, in the keras layout
``(*k, in, out)``. Statistical assertions: 3 calls of ``assert_law`` per
Hypothesis example, 2 examples each (see FALSE_ALARMS.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

jax = pytest.importorskip("jax", reason="JAX is not installed: tox -e frameworks")

import jax.numpy as jnp

from initcheck.adapters import adapt, conformance, excluded, load_target
from initcheck.errors import UsageError
from initcheck.stats import orthogonality_test
from tests.frameworks._helpers import assert_law, draw_many, row_shape, same

SEEDS = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=3, deadline=None)
STAT = settings(max_examples=2, deadline=None)
inits = jax.nn.initializers
TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


@pytest.mark.parametrize("row", conformance("jax"), ids=lambda r: r.name)
def test_conformance_row_adapts_and_draws(row):
    a = adapt(load_target(row.target), **row.kwargs)
    assert (a.layout, a.framework, a.dtype_name) == ("keras", "jax", "float32")
    shape = row_shape(row, "keras")
    x = a(shape, 11)
    assert isinstance(x, np.ndarray) and x.shape == shape and x.dtype == np.float32
    assert np.isfinite(x).all() and same(x, a(shape, 11))


@pytest.mark.parametrize("row", excluded("jax"), ids=lambda r: r.name)
def test_excluded_targets_exist(row):
    assert callable(load_target(row.target))


# --- factories and initializers -------------------------------------------------------------


def test_factory_and_initializer_are_told_apart():
    assert adapt(inits.zeros)((2, 3), 0).shape == (2, 3)  # an initializer: used as is
    built = inits.normal(0.5)  # what a factory returns: an initializer
    assert same(adapt(built)((4, 4), 3), adapt(inits.normal, stddev=0.5)((4, 4), 3))
    with pytest.raises(UsageError, match="keyword arguments belong to the factory"):
        adapt(inits.zeros, stddev=1.0)
    with pytest.raises(UsageError, match="missing 3 required positional arguments"):
        adapt(inits.variance_scaling)
    with pytest.raises(UsageError, match="cannot be constructed"):
        adapt(inits.normal, std=1.0)
    vs = adapt(inits.variance_scaling, scale=2.0, mode="fan_in", distribution="uniform")
    assert same(vs((3, 4), 1), adapt(inits.he_uniform)((3, 4), 1))


def test_draw_replays_with_jax_alone():
    x = adapt(inits.glorot_normal)((5, 7), 21)
    y = np.asarray(inits.glorot_normal()(jax.random.PRNGKey(21), (5, 7), jnp.float32))
    assert same(x, y)


def test_jax_style_function_outside_jax_is_recognized():
    def my_init(key, shape, dtype=jnp.float32):
        return 0.1 * jax.random.normal(key, shape, dtype)

    a = adapt(my_init)
    assert (a.framework, a.layout) == ("jax", "keras")
    assert same(a((3, 3), 4), a((3, 3), 4)) and not np.array_equal(a((3, 3), 4), a((3, 3), 5))


def test_misbehaving_initializer_is_not_a_usage_error():
    def returns_none(key, shape, dtype=None):
        return None

    def raises(key, shape, dtype=None):
        raise ValueError("broken initializer")

    assert adapt(returns_none)((2, 2), 0) is None
    with pytest.raises(ValueError, match="broken"):
        adapt(raises)((2, 2), 0)


@FEW
@given(seed=SEEDS)
def test_same_seed_same_draw_different_seed_different_draw(seed):
    for obj, kw, shape in [
        (inits.glorot_normal, {}, (8, 6)),
        (inits.he_uniform, {}, (3, 3, 4, 8)),
        (inits.normal, {"stddev": 0.1}, (20,)),
        (inits.orthogonal, {}, (6, 9)),
    ]:
        a = adapt(obj, **kw)
        x = a(shape, seed)
        assert same(x, a(shape, seed)), a.name
        assert not np.array_equal(x, a(shape, seed + 1)), a.name


def test_large_seeds_are_folded_deterministically():
    a = adapt(inits.lecun_normal)
    assert same(a((3, 3), 2**40), a((3, 3), 2**40))


# --- dtypes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "np_dtype", "name"),
    [
        ("float16", np.float16, "float16"),
        (jnp.bfloat16, np.float32, "bfloat16"),  # returned as float32, which holds bfloat16 exactly
        ("float32", np.float32, "float32"),
    ],
)
def test_dtypes(dtype, np_dtype, name):
    a = adapt(inits.he_normal, dtype=dtype)
    x = a((16, 8), 0)
    assert a.dtype_name == name and x.dtype == np_dtype and x.shape == (16, 8)


def test_float64_without_x64_and_integer_dtypes_are_refused():
    if jax.config.read("jax_enable_x64"):
        pytest.skip("JAX_ENABLE_X64 is set")
    with pytest.raises(UsageError, match="JAX_ENABLE_X64"):
        adapt(inits.he_normal, dtype="float64")
    with pytest.raises(UsageError, match="floating"):
        adapt(inits.he_normal, dtype="int32")


# --- Flax ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", conformance("flax"), ids=lambda r: r.name)
def test_flax_conformance_row_adapts_and_draws(row):
    pytest.importorskip("flax")
    a = adapt(load_target(row.target), **row.kwargs)
    assert a.layout == "keras" and a.framework in ("flax", "jax")
    x = a((3, 8, 16), 2)
    assert x.shape == (3, 8, 16) and x.dtype == np.float32 and same(x, a((3, 8, 16), 2))


def test_flax_initializers_are_jax_initializers():
    linen = pytest.importorskip("flax.linen")
    assert linen.initializers.lecun_normal is inits.lecun_normal
    a = adapt(linen.initializers.zeros_init)
    assert a.framework == "flax" and not a((2, 2), 0).any()
    dense = linen.Dense(4)
    params = dense.init(jax.random.PRNGKey(0), jnp.ones((1, 3)))["params"]
    assert params["kernel"].shape == (3, 4)  # (in, out): the keras layout the adapter reports


# --- the documented laws ----------------------------------------------------------------------------


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_he_normal_is_truncated(seed):
    # (3, 3, 32, 64): fan_in = 9 * 32 = 288; parent std sqrt(2/288)/0.8796 cut at +-2 parent std
    parent = math.sqrt(2 / 288) / TRUNC
    assert_law(
        draw_many(adapt(inits.he_normal), (3, 3, 32, 64), seed),
        stats.truncnorm(-2, 2, scale=parent),
    )


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_glorot_uniform_keras_layout(seed):
    # (64, 32) keras layout: fan_in 64, fan_out 32; U(+-sqrt(6/96))
    a = math.sqrt(6 / 96)
    assert_law(draw_many(adapt(inits.glorot_uniform), (64, 32), seed), stats.uniform(-a, 2 * a))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_uniform_is_zero_to_scale(seed):
    # jax.nn.initializers.uniform(scale=1e-2): [0, scale), not symmetric
    assert_law(draw_many(adapt(inits.uniform), (100, 10), seed), stats.uniform(0.0, 0.01))


def test_orthogonal_columns_are_the_last_axis():
    # the matrix is (prod(shape[:-1]), shape[-1])
    q = adapt(inits.orthogonal, scale=2.0)((2, 3, 4), 7).reshape(6, 4)
    r = orthogonality_test(q.astype(np.float64), 2.0, rtol=1e-5)
    assert r.pvalue == 1.0, str(r)
