"""The Keras 3 adapter against real Keras (JAX backend in tox): seeds, instances, dtypes, laws.

Laws are written here from Keras's documented formulas, in the keras layout
``(*k, in, out)``; Keras's "normal" is truncated. Statistical assertions: 3
calls of ``assert_law`` per Hypothesis example, 2 examples each (see
FALSE_ALARMS.md).
"""

from __future__ import annotations

import importlib.util
import math
import os
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

if "KERAS_BACKEND" not in os.environ and importlib.util.find_spec("jax") is not None:
    os.environ["KERAS_BACKEND"] = "jax"  # what tox sets; Keras 3 defaults to TensorFlow
keras = pytest.importorskip("keras", reason="Keras is not installed: tox -e frameworks")
if int(keras.__version__.split(".")[0]) < 3:
    pytest.skip("Keras 2 is adapted through tf_keras (test_tensorflow.py)", allow_module_level=True)

from initcheck.adapters import adapt, conformance, excluded, load_target
from initcheck.errors import UsageError
from initcheck.stats import orthogonality_test
from tests.frameworks._helpers import assert_law, draw_many, row_shape, same

SEEDS = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=3, deadline=None)
STAT = settings(max_examples=2, deadline=None)
K = keras.initializers
TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


def numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("row", conformance("keras"), ids=lambda r: r.name)
def test_conformance_row_adapts_and_draws(row):
    a = adapt(load_target(row.target), **row.kwargs)
    assert (a.layout, a.framework, a.dtype_name) == ("keras", "keras", "float32")
    shape = row_shape(row, "keras")
    x = a(shape, 11)
    assert isinstance(x, np.ndarray) and x.shape == shape and x.dtype == np.float32
    assert np.isfinite(x).all() and same(x, a(shape, 11))


@pytest.mark.parametrize("row", excluded("keras"), ids=lambda r: r.name)
def test_excluded_targets_exist(row):
    assert callable(load_target(row.target))


# --- seeds, instances, global state ------------------------------------------------------------

SEEDED = [
    (K.HeNormal, {}, (3, 3, 4, 8)),
    (K.GlorotUniform, {}, (8, 6)),
    (K.RandomNormal, {"stddev": 0.2}, (30,)),
    (K.TruncatedNormal, {}, (10, 10)),
    (K.Orthogonal, {"gain": 2.0}, (6, 9)),
    (K.VarianceScaling, {"distribution": "untruncated_normal"}, (5, 5)),
]


@FEW
@given(seed=SEEDS)
def test_same_seed_same_draw_different_seed_different_draw(seed):
    for cls, kw, shape in SEEDED:
        a = adapt(cls, **kw)
        x = a(shape, seed)
        assert same(x, a(shape, seed)), a.name
        assert not np.array_equal(x, a(shape, seed + 1)), a.name


def test_real_keras_same_seed_same_values_and_replay():
    # The property the adapter relies on, checked on Keras itself: an integer seed fixes the draw.
    first = numpy(K.HeNormal(seed=42)((6, 5), dtype="float32"))
    again = K.HeNormal(seed=42)
    assert same(first, numpy(again((6, 5), dtype="float32")))
    assert same(first, numpy(again((6, 5), dtype="float32")))  # the same instance, called twice
    assert not np.array_equal(first, numpy(K.HeNormal(seed=43)((6, 5), dtype="float32")))
    assert same(adapt(K.HeNormal)((6, 5), 42), first)  # seeds below 2**32 are passed unchanged


def test_instance_is_rebuilt_with_its_config_and_a_new_seed():
    inst = K.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform", seed=999)
    a = adapt(inst)
    assert "scale=3.0" in a.name and "fan_out" in a.name
    b = adapt(K.VarianceScaling, scale=3.0, mode="fan_out", distribution="uniform")
    assert same(a((4, 6), 5), b((4, 6), 5))
    assert not np.array_equal(a((4, 6), 5), a((4, 6), 6))  # the instance's own seed 999 is replaced
    assert same(
        adapt(inst, scale=1.0)((4, 6), 5),  # kwargs apply over the config
        adapt(K.VarianceScaling, scale=1.0, mode="fan_out", distribution="uniform")((4, 6), 5),
    )


def test_user_initializer_without_seed_or_config_is_used_as_is():
    class Fill(K.Initializer):
        def __init__(self, value):
            self.value = value

        def __call__(self, shape, dtype=None):
            return keras.ops.full(shape, self.value, dtype=dtype)

    a = adapt(Fill(0.25))
    assert a.framework == "keras" and (a((2, 3), 0) == 0.25).all()
    with pytest.raises(UsageError, match="cannot be constructed"):
        adapt(Fill)  # the class needs its value


def test_global_random_state_untouched():
    instances = [
        (cls(**kw), shape) for cls, kw, shape in SEEDED
    ]  # unseeded: these draw from `random`
    py_before, np_before = random.getstate(), np.random.get_state()[1].copy()
    for cls, kw, shape in SEEDED:
        adapt(cls, **kw)(shape, 3)
    for inst, shape in instances:
        adapt(inst)(shape, 3)
    assert random.getstate() == py_before  # unseeded Keras initializers would draw from `random`
    assert np.array_equal(np.random.get_state()[1], np_before)


def test_large_seeds_are_folded_deterministically():
    a = adapt(K.GlorotNormal)
    assert same(a((3, 3), 2**40), a((3, 3), 2**40))


@pytest.mark.parametrize(
    ("obj", "kw", "words"),
    [
        (K.HeNormal, {"seed": 3}, "seed"),
        (K.HeNormal, {"gain": 2.0}, "cannot be constructed"),
        (K.VarianceScaling, {"mode": "fan_geo"}, "cannot be constructed"),
        (K.HeNormal, {"dtype": "int32"}, "dtype"),
        (keras.layers.Dense, {}, "Keras initializer"),
    ],
)
def test_recognition_errors_are_usage_errors(obj, kw, words):
    with pytest.raises(UsageError, match=words):
        adapt(obj, **kw)


def test_misbehaving_initializer_is_not_a_usage_error():
    class Broken(K.Initializer):
        def __call__(self, shape, dtype=None):
            raise RuntimeError("broken initializer")

    class WrongShape(K.Initializer):
        def __call__(self, shape, dtype=None):
            return keras.ops.zeros((1,))

    a = adapt(Broken)
    with pytest.raises(RuntimeError, match="broken"):
        a((2, 2), 0)
    assert adapt(WrongShape())((2, 2), 0).shape == (1,)


# --- dtypes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dtype", "np_dtype"), [("float16", np.float16), ("bfloat16", np.float32)])
def test_dtypes(dtype, np_dtype):
    a = adapt(K.GlorotNormal, dtype=dtype)
    x = a((16, 8), 0)
    assert a.dtype_name == dtype and x.dtype == np_dtype


# --- the documented laws -----------------------------------------------------------------------------


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_he_normal_is_truncated(seed):
    # (3, 3, 32, 64): fan_in 288; parent std sqrt(2/288)/0.8796, cut at +-2 parent std
    parent = math.sqrt(2 / 288) / TRUNC
    assert_law(
        draw_many(adapt(K.HeNormal), (3, 3, 32, 64), seed), stats.truncnorm(-2, 2, scale=parent)
    )


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_random_uniform_default(seed):
    assert_law(draw_many(adapt(K.RandomUniform), (100, 10), seed), stats.uniform(-0.05, 0.1))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_truncated_normal_default(seed):
    # stddev 0.05 is the parent's; redrawn beyond 2 stddev; no variance correction
    assert_law(
        draw_many(adapt(K.TruncatedNormal), (100, 10), seed), stats.truncnorm(-2, 2, scale=0.05)
    )


def test_orthogonal_is_orthogonal_with_its_gain():
    q = adapt(K.Orthogonal, gain=2.0)((2, 3, 4), 7).reshape(6, 4)
    r = orthogonality_test(q.astype(np.float64), 2.0, rtol=1e-5)
    assert r.pvalue == 1.0, str(r)
