"""The MXNet adapter against real MXNet 1.9.1 (tox env ``mxnet``, numpy 1.23).

Laws are written here from MXNet's source formulas (torch layout
``(out, in, *k)``). Statistical assertions: 3 calls of ``assert_law`` per
Hypothesis example, 2 examples each (see FALSE_ALARMS.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

# Not installed, or installed beside numpy >= 1.24, where importing it raises AttributeError.
try:
    import mxnet as mx
except Exception as exc:  # noqa: BLE001
    reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    pytest.skip(
        f"mxnet 1.9.1 does not import here ({reason}); it needs numpy<1.24: tox -e mxnet",
        allow_module_level=True,
    )

from initcheck.adapters import adapt, conformance, excluded, load_target
from initcheck.errors import UsageError
from initcheck.stats import orthogonality_test
from tests.frameworks._helpers import assert_law, draw_many, row_shape, same

SEEDS = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=3, deadline=None)
STAT = settings(max_examples=2, deadline=None)
MXI = mx.init


@pytest.mark.parametrize("row", conformance("mxnet"), ids=lambda r: r.name)
def test_conformance_row_adapts_and_draws(row):
    a = adapt(load_target(row.target), **row.kwargs)
    assert (a.layout, a.framework, a.dtype_name) == ("torch", "mxnet", "float32")
    shape = row_shape(row, "torch")
    x = a(shape, 11)
    assert isinstance(x, np.ndarray) and x.shape == shape and x.dtype == np.float32
    assert np.isfinite(x).all() and same(x, a(shape, 11))


@pytest.mark.parametrize("row", excluded("mxnet"), ids=lambda r: r.name)
def test_excluded_targets_exist(row):
    assert callable(load_target(row.target))


SEEDED = [
    (MXI.Xavier, {}, (8, 6)),
    (MXI.MSRAPrelu, {}, (6, 4, 3)),
    (MXI.Normal, {"sigma": 0.5}, (30,)),
    (MXI.Uniform, {}, (10, 3)),
    (MXI.Orthogonal, {}, (6, 9)),
]


@FEW
@given(seed=SEEDS)
def test_same_seed_same_draw_different_seed_different_draw(seed):
    for cls, kw, shape in SEEDED:
        a = adapt(cls, **kw)
        x = a(shape, seed)
        assert same(x, a(shape, seed)), a.name
        assert not np.array_equal(x, a(shape, seed + 1)), a.name


def test_instances_and_classes_agree_and_replay_with_mxnet_alone():
    assert same(adapt(MXI.Xavier(magnitude=2))((5, 4), 3), adapt(MXI.Xavier, magnitude=2)((5, 4), 3))
    mx.random.seed(3)
    arr = mx.nd.zeros((5, 4))
    MXI.Xavier(magnitude=2)(MXI.InitDesc("weight"), arr)
    assert same(adapt(MXI.Xavier, magnitude=2)((5, 4), 3), arr.asnumpy())


def test_numpy_global_state_untouched_and_mxnet_global_seed_is_documented():
    before = np.random.get_state()[1].copy()
    for cls, kw, shape in SEEDED:
        adapt(cls, **kw)(shape, 1)
    assert np.array_equal(np.random.get_state()[1], before)
    # MXNet's global generator is left seeded by the last draw (it cannot be saved and restored):
    adapt(MXI.Normal)((3,), 8)
    after_draw = mx.nd.random.uniform(shape=(4,)).asnumpy()
    mx.random.seed(8)
    mx.nd.random.normal(0, 0.01, shape=(3,))
    assert same(after_draw, mx.nd.random.uniform(shape=(4,)).asnumpy())


def test_bias_param_and_dtypes():
    assert not adapt(MXI.Xavier, param="bias")((5,), 0).any()  # MXNet initializes biases to zeros
    for dtype, np_dtype in (
        ("float64", np.float64),
        ("float16", np.float16),
        (np.float64, np.float64),
    ):
        a = adapt(MXI.Normal, dtype=dtype)
        assert a((4, 4), 0).dtype == np_dtype


@pytest.mark.parametrize(
    ("obj", "kw", "words"),
    [
        (MXI.Xavier, {"magnitud": 2}, "cannot be constructed"),
        (MXI.Constant, {}, "cannot be constructed"),
        (MXI.Xavier(), {"magnitude": 2}, "instance"),
        (MXI.Xavier, {"dtype": "int8"}, "dtype"),
        (MXI.Xavier, {"param": "gamma"}, "weight or bias"),
        (MXI.InitDesc, {}, "mx.init initializer"),
    ],
)
def test_recognition_errors_are_usage_errors(obj, kw, words):
    with pytest.raises(UsageError, match=words):
        adapt(obj, **kw)


def test_misbehaving_initializer_is_not_a_usage_error():
    a = adapt(MXI.Xavier)
    with pytest.raises(ValueError, match="Xavier initializer cannot be applied to vector"):
        a((5,), 0)  # MXNet's own error for a 1-D weight: the draw fails, the target was fine


# --- the documented laws ---------------------------------------------------------------------------


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_xavier_default_is_glorot_uniform(seed):
    # (64, 32, 3, 3): fan_in 288, fan_out 576; U(+-sqrt(3 / ((288 + 576) / 2)))
    c = math.sqrt(3 / ((288 + 576) / 2))
    assert_law(draw_many(adapt(MXI.Xavier), (64, 32, 3, 3), seed), stats.uniform(-c, 2 * c))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_msra_prelu_default(seed):
    # gaussian, factor avg, magnitude 2/(1 + 0.25^2) = 32/17: std sqrt(32/17 / fan_avg); (40, 20): fan_avg 30
    std = math.sqrt((2 / (1 + 0.25**2)) / 30)
    assert_law(draw_many(adapt(MXI.MSRAPrelu), (40, 20), seed), stats.norm(0, std))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_uniform_default_is_007(seed):
    assert_law(draw_many(adapt(MXI.Uniform), (100, 10), seed), stats.uniform(-0.07, 0.14))


def test_orthogonal_default_scale_1414():
    for shape in ((8, 12), (12, 8), (6, 2, 3)):
        q = adapt(MXI.Orthogonal)(shape, 5).reshape(shape[0], -1)
        r = orthogonality_test(q.astype(np.float64), 1.414, rtol=1e-5)
        assert r.pvalue == 1.0, str(r)
