"""The TensorFlow adapter against real TensorFlow (tox env ``tensorflow``: tensorflow-cpu 2.21).

The env sets ``INITCHECK_REQUIRE_FRAMEWORKS=tensorflow``, so there this file
fails if TensorFlow does not import; elsewhere (the ``frameworks`` env) it is
skipped. Laws are written here from TensorFlow's source formulas, in the keras
layout ``(*k, in, out)``. Statistical assertions: 3 calls of ``assert_law``
per Hypothesis example, 2 examples each (see FALSE_ALARMS.md).
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tests.frameworks._helpers import (
    REQUIRE_VARIABLE,
    assert_law,
    draw_many,
    import_framework,
    row_shape,
    same,
)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = import_framework("tensorflow", "tox -e tensorflow, or pip install 'initcheck[tensorflow]'")

from tensorflow.python.eager import context

from initcheck.adapters import adapt, conformance, excluded, load_target
from initcheck.errors import UsageError

SEEDS = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=3, deadline=None)
STAT = settings(max_examples=2, deadline=None)
V1 = tf.compat.v1
TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


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
    (V1.glorot_uniform_initializer, {}, (6, 4)),
    (V1.initializers.he_normal, {}, (3, 3, 4, 8)),
    (V1.orthogonal_initializer, {}, (8, 6)),
]


@FEW
@given(seed=SEEDS)
def test_same_seed_same_draw_different_seed_different_draw(seed):
    for obj, kw, shape in SEEDED:
        a = adapt(obj, **kw)
        x = a(shape, seed)
        assert same(x, a(shape, seed)), a.name
        assert not np.array_equal(x, a(shape, seed + 1)), a.name


STATEFUL = [
    (tf.random.normal, {}, (5, 5)),
    (tf.random.uniform, {}, (5, 5)),
    (V1.glorot_uniform_initializer, {}, (6, 4)),
    (V1.initializers.he_normal, {}, (3, 3, 4, 8)),
    (V1.orthogonal_initializer, {}, (8, 6)),
]


@pytest.mark.parametrize(
    "pair",
    [(0, 2**31 - 1), (1, 2**31), (2**31, 2**32 - 1), (5, 2**31 + 4), (2**40, 2**40 + 2**31 - 1)],
    ids=str,
)
def test_stateful_draws_differ_for_seeds_tensorflow_would_reduce_to_one(pair):
    # TensorFlow reduces global and op seeds modulo 2**31 - 1 (random_seed._truncate_seed)
    for obj, kw, shape in STATEFUL:
        a = adapt(obj, **kw)
        assert not np.array_equal(a(shape, pair[0]), a(shape, pair[1])), a.name
        assert same(a(shape, pair[1]), a(shape, pair[1])), a.name


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
    for obj in (
        tf.random_normal_initializer,
        tf.random.stateless_uniform,
        tf.random.normal,
        V1.glorot_uniform_initializer,
        V1.initializers.he_normal,
    ):
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
        (V1.initializers.he_normal, {"seed": 1}, "seed"),
        (V1.initializers.he_normal, {"scale": 3.0}, "cannot be constructed"),
        (V1.glorot_uniform_initializer, {"gain": 2.0}, "cannot be constructed"),
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


def test_tf_keras_runs_on_the_tensorflow_backend_here():
    keras = pytest.importorskip("keras")
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        assert keras.backend.backend() == "tensorflow"
    assert load_target("tensorflow.keras.initializers:HeNormal") is keras.initializers.HeNormal


# --- replay with TensorFlow alone ------------------------------------------------------------


def test_tf2_draws_replay_with_tensorflow_alone():
    shape = (5, 7)
    mine = adapt(tf.random_normal_initializer, stddev=0.3)(shape, 7)
    assert same(mine, tf.random_normal_initializer(stddev=0.3, seed=7)(shape).numpy())
    mine = adapt(tf.random.stateless_uniform)(shape, 7)
    assert same(mine, tf.random.stateless_uniform(shape, seed=[7, 0]).numpy())


@pytest.mark.parametrize(
    ("obj", "replay"),
    [
        (V1.glorot_uniform_initializer, lambda shape: V1.glorot_uniform_initializer(seed=7)(shape)),
        (V1.initializers.he_normal, lambda shape: V1.initializers.he_normal(seed=7)(shape)),
        (tf.random.normal, lambda shape: tf.random.normal(shape, seed=7)),
    ],
    ids=["glorot_uniform_initializer", "he_normal", "random.normal"],
)
def test_stateful_draws_replay_after_set_seed(obj, replay):
    shape = (3, 3, 4, 8)
    mine = adapt(obj)(shape, 7)
    tf.random.set_seed(7)
    try:
        theirs = replay(shape).numpy()
    finally:
        tf.random.set_seed(None)
    assert same(mine, theirs)


# --- TF1 (tf.compat.v1) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "name"),
    [
        (tf.random_normal_initializer, "tf.random_normal_initializer"),
        (tf.random.stateless_normal, "tf.random.stateless_normal"),
        (tf.random.normal, "tf.random.normal"),
        (V1.random_normal_initializer, "tf.compat.v1.random_normal_initializer"),
        (V1.initializers.glorot_uniform, "tf.compat.v1.glorot_uniform_initializer"),
        (V1.initializers.he_normal, "tf.compat.v1.initializers.he_normal"),
    ],
)
def test_public_names(obj, name):
    assert adapt(obj).name == name


@pytest.mark.parametrize(
    ("fn", "scale", "truncated"),
    [
        ("he_normal", 2, True),
        ("he_uniform", 2, False),
        ("lecun_normal", 1, True),
        ("lecun_uniform", 1, False),
    ],
)
def test_v1_factories_are_adapted_with_fan_in_of_the_keras_layout(fn, scale, truncated):
    a = adapt(load_target(f"tf.compat.v1.initializers.{fn}"))
    assert (a.framework, a.layout, a.dtype_name) == ("tensorflow", "keras", "float32")
    x = a((3, 3, 16, 32), 5)
    fan_in = 3 * 3 * 16
    bound = 2 * math.sqrt(scale / fan_in) / TRUNC if truncated else math.sqrt(3 * scale / fan_in)
    # exact: the support; and 4608 draws all within 0.9 of the bound has probability < e^-100
    assert x.shape == (3, 3, 16, 32) and bound * 0.9 < np.abs(x).max() <= bound * (1 + 1e-6)


def test_v1_uniform_unit_scaling_on_a_vector_takes_input_size_one():
    # input_size = prod(shape[:-1]) = 1 for a vector: U(+-sqrt(3)), not lecun's U(+-sqrt(3/1000));
    # all 1000 draws below 10 sqrt(3/1000) = 0.548 has probability 0.316^1000 < e^-1000
    x = adapt(V1.uniform_unit_scaling_initializer)((1000,), 3)
    assert 10 * math.sqrt(3 / 1000) < np.abs(x).max() <= math.sqrt(3)


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_v1_he_normal_factory_is_truncated(seed):
    std = math.sqrt(2 / 144) / TRUNC
    x = draw_many(adapt(V1.initializers.he_normal), (3, 3, 16, 32), seed)
    assert_law(x, stats.truncnorm(-2, 2, scale=std))


# --- INITCHECK_REQUIRE_FRAMEWORKS -----------------------------------------------------------


def test_a_required_framework_that_does_not_import_fails_instead_of_skipping(monkeypatch):
    missing = "initcheck_no_such_framework"
    monkeypatch.setenv(REQUIRE_VARIABLE, f"tensorflow, {missing}")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE_VARIABLE} names {missing}"):
        import_framework(missing, "")
    monkeypatch.setenv(REQUIRE_VARIABLE, "tensorflow")
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        import_framework(missing, "")
    assert import_framework("tensorflow", "") is tf
