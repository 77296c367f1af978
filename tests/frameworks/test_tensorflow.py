"""The TensorFlow adapter against real TensorFlow (optional: the tox env does not install it).

Statistical assertions: 2 calls of ``assert_law`` per Hypothesis example, 2
examples each (see FALSE_ALARMS.md).
"""

from __future__ import annotations

import importlib.util
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

if importlib.util.find_spec("tensorflow") is None:
    pytest.skip(
        "tensorflow is not installed (1.6 GB; the frameworks tox env leaves it out: "
        "pip install 'initcheck[tensorflow]' to run these)",
        allow_module_level=True,
    )
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = pytest.importorskip("tensorflow")

from tensorflow.python.eager import context

from initcheck.adapters import adapt, conformance, excluded, load_target
from initcheck.errors import UsageError
from tests.frameworks._helpers import assert_law, draw_many, row_shape, same

SEEDS = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=3, deadline=None)
STAT = settings(max_examples=2, deadline=None)


@pytest.mark.parametrize("row", conformance("tensorflow"), ids=lambda r: r.name)
def test_conformance_row_adapts_and_draws(row):
    a = adapt(load_target(row.target), **row.kwargs)
    assert (
        a.layout == "keras" and a.framework in ("tensorflow", "keras") and a.dtype_name == "float32"
    )
    shape = row_shape(row, "keras")
    x = a(shape, 11)
    assert isinstance(x, np.ndarray) and x.shape == shape and x.dtype == np.float32
    assert np.isfinite(x).all() and same(x, a(shape, 11))


@pytest.mark.parametrize("row", excluded("tensorflow"), ids=lambda r: r.name)
def test_excluded_targets_exist(row):
    assert callable(load_target(row.target))


SEEDED = [
    (tf.random_normal_initializer, {}, (8, 6)),
    (tf.random_uniform_initializer, {"maxval": 1.0}, (20,)),
    (tf.random.stateless_normal, {}, (5, 5)),
    (tf.random.normal, {"stddev": 2.0}, (5, 5)),
    (tf.random.truncated_normal, {}, (30,)),
    (tf.compat.v1.glorot_uniform_initializer, {}, (6, 4)),
]


@FEW
@given(seed=SEEDS)
def test_same_seed_same_draw_different_seed_different_draw(seed):
    for obj, kw, shape in SEEDED:
        a = adapt(obj, **kw)
        x = a(shape, seed)
        assert same(x, a(shape, seed)), a.name
        assert not np.array_equal(x, a(shape, seed + 1)), a.name


def test_stateful_draws_restore_the_global_seed():
    tf.random.set_seed(77)
    for obj, kw, shape in SEEDED:
        adapt(obj, **kw)(shape, 5)
    assert context.global_seed() == 77
    tf.random.set_seed(None)
    adapt(tf.random.normal)((3,), 5)
    assert context.global_seed() is None


def test_instance_is_rebuilt_with_a_new_seed():
    a = adapt(tf.random_normal_initializer(stddev=0.3, seed=1))
    b = adapt(tf.random_normal_initializer, stddev=0.3)
    assert same(a((4, 4), 9), b((4, 4), 9)) and not np.array_equal(a((4, 4), 9), a((4, 4), 10))


@pytest.mark.parametrize(("dtype", "np_dtype"), [("float64", np.float64), ("bfloat16", np.float32)])
def test_dtypes(dtype, np_dtype):
    for obj in (tf.random_normal_initializer, tf.random.stateless_uniform):
        a = adapt(obj, dtype=dtype)
        assert a.dtype_name == dtype and a((4, 4), 0).dtype == np_dtype


@pytest.mark.parametrize(
    ("obj", "kw", "words"),
    [
        (tf.random_normal_initializer, {"seed": 1}, "seed"),
        (tf.random_normal_initializer, {"sigma": 1}, "cannot be constructed"),
        (tf.random.normal, {"seed": 1}, "sampler sets them"),
        (tf.random.normal, {"sigma": 1}, "bad keyword"),
        (tf.random.shuffle, {}, "TensorFlow initializer"),
        (tf.random_normal_initializer, {"dtype": "int32"}, "dtype"),
    ],
)
def test_recognition_errors_are_usage_errors(obj, kw, words):
    with pytest.raises(UsageError, match=words):
        adapt(obj, **kw)


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_random_normal_initializer_default(seed):
    assert_law(draw_many(adapt(tf.random_normal_initializer), (100, 10), seed), stats.norm(0, 0.05))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_stateless_truncated_normal_default(seed):
    assert_law(
        draw_many(adapt(tf.random.stateless_truncated_normal), (1000,), seed),
        stats.truncnorm(-2, 2),
    )


def test_tf_keras_is_keras_3_and_its_he_normal_is_truncated():
    a = adapt(load_target("tensorflow.keras.initializers:HeNormal"))
    x = a((3, 3, 32, 64), 1)
    bound = 2 * math.sqrt(2 / 288) / 0.87962566103423978
    assert np.abs(x).max() <= bound * (1 + 1e-6)
