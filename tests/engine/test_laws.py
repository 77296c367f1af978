"""The law grammar (``initcheck.laws``): parsing, defaults, positional parameters, every error
with its one-line message, and ``target_law`` for every law against its formula.

Every assertion is exact (no randomness): the formulas are written out here from the
documents the grammar follows (PyTorch's ``torch.nn.init``, Keras/JAX ``VarianceScaling``,
DESIGN.md's table), with their own fans and gains, not read from :mod:`initcheck.fans`,
:mod:`initcheck.gains` or :mod:`initcheck.laws`. False-alarm rate: 0 (deterministic).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from initcheck.errors import UsageError
from initcheck.laws import LAWS, Law, parse_law, target_law

KERAS_LAYOUTS = ("keras", "jax", "flax", "tf")
REL = 1e-12  # float rounding of formulas computed two ways


def fans(shape: tuple[int, ...], layout: str) -> tuple[int, int]:
    """(fan_in, fan_out) as DESIGN.md defines them, computed here."""
    if len(shape) == 1:
        return shape[0], shape[0]
    if layout in KERAS_LAYOUTS:
        field = math.prod(shape[:-2])
        return shape[-2] * field, shape[-1] * field
    field = math.prod(shape[2:])
    return shape[1] * field, shape[0] * field


def pytorch_gain(nonlinearity: str, slope: float) -> float:
    """PyTorch's documented table of recommended gains."""
    table = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": 2 ** 0.5,
             "selu": 3 / 4, "leaky_relu": (2 / (1 + slope**2)) ** 0.5}
    return table.get(nonlinearity, 1.0)  # conv* and conv_transpose* are 1


def phi(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def big_phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def truncated_moments(m: float, s: float, a: float, b: float) -> tuple[float, float]:
    """Mean and variance of N(m, s²) conditioned on [a, b] (the textbook closed form)."""
    lo, hi = (a - m) / s, (b - m) / s
    z = big_phi(hi) - big_phi(lo)
    ratio = (phi(lo) - phi(hi)) / z
    return m + s * ratio, s * s * (1 + (lo * phi(lo) - hi * phi(hi)) / z - ratio**2)


# -- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "name", "params"), [
    ("zeros", "zeros", {}),
    ("normal(std=0.1)", "normal", {"mean": 0.0, "std": 0.1}),
    ("he_normal", "he_normal", {"a": 0.0, "mode": "fan_in", "nonlinearity": "leaky_relu"}),
    ("kaiming_uniform(mode=fan_out, nonlinearity=relu)", "he_uniform",
     {"a": 0.0, "mode": "fan_out", "nonlinearity": "relu"}),
    ("glorot_uniform(gain=2)", "xavier_uniform", {"gain": 2.0}),
    ("glorot_normal", "xavier_normal", {"gain": 1.0}),
    ("truncated_normal", "truncated_normal", {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0}),
    ("variance_scaling", "variance_scaling",
     {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}),
    ("uniform(low=-1, high=2)", "uniform", {"low": -1.0, "high": 2.0}),
    (" normal ( std = 0.1 ) ", "normal", {"mean": 0.0, "std": 0.1}),
])
def test_names_aliases_and_defaults(text: str, name: str, params: dict) -> None:
    law = parse_law(text)
    assert law == Law(name, params)
    assert list(law.params) == list(params)  # in the definition's order


@pytest.mark.parametrize(("text", "params"), [
    ("constant(0.5)", {"value": 0.5}),
    ("uniform(0.07)", {"a": 0.07}),
    ("normal(1, 0.1)", {"mean": 1.0, "std": 0.1}),
    ("normal(1, std=0.1)", {"mean": 1.0, "std": 0.1}),
    ("truncated_normal(0, 0.02, -0.04, 0.04)", {"mean": 0.0, "std": 0.02, "a": -0.04, "b": 0.04}),
    ("he_normal(0.2, fan_out)", {"a": 0.2, "mode": "fan_out", "nonlinearity": "leaky_relu"}),
    ("constant(+.5e1)", {"value": 5.0}),
])
def test_leading_parameters_by_position(text: str, params: dict) -> None:
    assert parse_law(text).params == params


@pytest.mark.parametrize(("text", "shown"), [
    ("he_normal", "he_normal(a=0, mode=fan_in, nonlinearity=leaky_relu)"),
    ("uniform(0.07)", "uniform(a=0.07)"),
    ("zeros", "zeros"),
    ("glorot_uniform(gain=2)", "xavier_uniform(gain=2)"),
])
def test_a_law_prints_canonically_and_reparses_to_itself(text: str, shown: str) -> None:
    law = parse_law(text)
    assert str(law) == shown and parse_law(str(law)) == law


NAMES = sorted(LAWS)
FORM = "name or name(key=value, ...), e.g. normal(std=0.01)"
DISTRIBUTIONS = ("truncated_normal", "normal", "untruncated_normal", "uniform")


@pytest.mark.parametrize(("text", "message"), [
    (3, "law=3: expected a law such as xavier_uniform or normal(std=0.01)"),
    ("normal(std=1", f"law='normal(std=1': expected {FORM}"),
    ("3normal", f"law='3normal': expected {FORM}"),
    ("xavier_unifrom", f"law='xavier_unifrom': expected a law name, one of {', '.join(NAMES)}"),
    ("normal(std=1, 0)",
     "law='normal(std=1, 0)': expected key=value parameters of normal: mean, std"),
    ("zeros(1)", "law='zeros(1)': expected key=value parameters of zeros: none"),
    ("zeros(x=1)", "zeros parameter='x': expected one of (none)"),
    ("normal(sd=1)", "normal parameter='sd': expected one of mean, std"),
    ("normal(std=1, std=2)", "normal parameter='std': expected each parameter once"),
    ("normal", "law='normal': expected a value for std (normal(mean, std))"),
    ("constant()", "law='constant()': expected a value for value (constant(value))"),
    ("normal(std=big)", "normal std='big': expected a number"),
    ("normal(std=nan)", "normal std='nan': expected a number"),
    ("normal(std=)", "normal std='': expected a number"),
    ("normal(std=inf)", "normal std='inf': expected a finite number"),
    ("normal(std=-1)", "normal std='-1': expected a positive number"),
    ("orthogonal(gain=0)", "orthogonal gain='0': expected a positive number"),
    ("uniform(0)", "uniform a='0': expected a positive number"),
    ("variance_scaling(scale=0)", "variance_scaling scale='0': expected a positive number"),
    ("he_normal(a=-0.1)", "he_normal a='-0.1': expected a non-negative slope"),
    ("he_normal(mode=fan_avg)", "he_normal mode='fan_avg': expected one of fan_in, fan_out"),
    ("variance_scaling(distribution=gamma)",
     "variance_scaling distribution='gamma': expected one of " + ", ".join(DISTRIBUTIONS)),
    ("uniform", "uniform={}: expected a, or both low and high"),
    ("uniform(low=0)", "uniform={'low': 0.0}: expected a, or both low and high"),
    ("uniform(a=1, low=0, high=1)",
     "uniform={'a': 1.0, 'low': 0.0, 'high': 1.0}: expected either a, or low and high"),
    ("uniform(low=1, high=0)", "uniform={'low': 1.0, 'high': 0.0}: expected low < high"),
    ("truncated_normal(a=1, b=1)", "truncated_normal='truncated_normal(a=1, b=1)': expected a < b"),
])
def test_every_error_is_one_line_naming_the_value(text, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_law(text)
    assert str(info.value) == message and "\n" not in str(info.value)


@pytest.mark.parametrize("std", ["-1", "0"])
def test_truncated_normal_std_must_be_positive(std: str) -> None:
    message = f"truncated_normal std='{std}': expected a positive number"
    with pytest.raises(UsageError, match=message):
        parse_law(f"truncated_normal(std={std})")


def test_target_law_errors() -> None:
    with pytest.raises(UsageError, match=r"shape=\(4,\): expected at least 2 dimensions"):
        target_law("orthogonal", (4,))
    with pytest.raises(UsageError, match="layout='nchw'"):
        target_law("zeros", (4, 4), "nchw")
    with pytest.raises(UsageError, match=r"shape=\(4, 0\): expected positive integer dimensions"):
        target_law("zeros", (4, 0))


# -- target_law against the formulas -------------------------------------------------------------

SHAPES = st.one_of(
    st.tuples(st.integers(1, 300)),
    st.tuples(st.integers(1, 300), st.integers(1, 300)),
    st.tuples(st.integers(1, 32), st.integers(1, 32), st.integers(1, 7)),
    st.tuples(st.integers(1, 16), st.integers(1, 16), st.integers(1, 5), st.integers(1, 5)),
)
LAYOUTS = st.sampled_from(["torch", "mxnet", *KERAS_LAYOUTS])
POSITIVE = st.floats(0.05, 20.0)


def assert_normal(target, mean: float, var: float) -> None:
    assert target.kind == "iid" and target.law.dist.name == "norm"
    assert target.law.mean() == pytest.approx(mean, rel=REL, abs=1e-300)
    assert target.law.var() == pytest.approx(var, rel=REL)


def assert_uniform(target, low: float, high: float) -> None:
    assert target.kind == "iid" and target.law.dist.name == "uniform"
    lo, hi = target.law.support()
    assert lo == pytest.approx(low, rel=REL) and hi == pytest.approx(high, rel=REL)


@given(value=st.floats(-1e6, 1e6))
def test_constants(value: float) -> None:
    zeros = target_law("zeros", (3, 2))
    assert zeros.kind == "constant" and zeros.value == 0.0
    assert target_law("ones", (3, 2)).value == 1.0
    target = target_law(Law("constant", {"value": value}), (5,))
    assert target.kind == "constant" and target.value == value


@given(mean=st.floats(-5, 5), std=POSITIVE, a=POSITIVE, shape=SHAPES, layout=LAYOUTS)
def test_plain_laws_ignore_the_shape(mean, std, a, shape, layout) -> None:
    normal = Law("normal", {"mean": mean, "std": std})
    assert_normal(target_law(normal, shape, layout), mean, std**2)
    assert_uniform(target_law(Law("uniform", {"a": a}), shape, layout), -a, a)
    assert_uniform(target_law(Law("uniform", {"low": mean, "high": mean + a}), shape, layout),
                   mean, mean + a)
    assert_uniform(target_law("mxnet_default", shape, layout), -0.07, 0.07)


@given(gain=POSITIVE, shape=SHAPES, layout=LAYOUTS)
def test_xavier(gain, shape, layout) -> None:
    fi, fo = fans(shape, layout)
    bound = gain * math.sqrt(6 / (fi + fo))
    assert_uniform(target_law(Law("xavier_uniform", {"gain": gain}), shape, layout), -bound, bound)
    assert_normal(target_law(Law("xavier_normal", {"gain": gain}), shape, layout), 0.0,
                  gain**2 * 2 / (fi + fo))


@given(a=st.floats(0, 5), mode=st.sampled_from(["fan_in", "fan_out"]),
       nonlinearity=st.sampled_from(["linear", "identity", "sigmoid", "conv2d", "conv_transpose3d",
                                     "tanh", "relu", "leaky_relu", "selu"]),
       shape=SHAPES, layout=LAYOUTS)
def test_he(a, mode, nonlinearity, shape, layout) -> None:
    fi, fo = fans(shape, layout)
    fan = fi if mode == "fan_in" else fo
    gain = pytorch_gain(nonlinearity, a)
    params = {"a": a, "mode": mode, "nonlinearity": nonlinearity}
    bound = gain * math.sqrt(3 / fan)
    assert_uniform(target_law(Law("he_uniform", params), shape, layout), -bound, bound)
    assert_normal(target_law(Law("he_normal", params), shape, layout), 0.0, gain**2 / fan)


def test_he_default_is_leaky_relu_with_slope_zero_so_gain_sqrt2() -> None:
    assert_normal(target_law("he_normal", (64, 32)), 0.0, 2 / 32)


@given(shape=SHAPES, layout=LAYOUTS)
def test_lecun(shape, layout) -> None:
    fi, _ = fans(shape, layout)
    bound = math.sqrt(3 / fi)
    assert_uniform(target_law("lecun_uniform", shape, layout), -bound, bound)
    assert_normal(target_law("lecun_normal", shape, layout), 0.0, 1 / fi)


@given(gain=POSITIVE, shape=SHAPES.filter(lambda s: len(s) >= 2), layout=LAYOUTS)
def test_orthogonal(gain, shape, layout) -> None:
    # torch: (shape[0], rest); keras: (rest, shape[-1]): one output unit per row / column
    numel = math.prod(shape)
    rows = numel // shape[-1] if layout in KERAS_LAYOUTS else shape[0]
    target = target_law(Law("orthogonal", {"gain": gain}), shape, layout)
    assert target.kind == "orthogonal" and target.gain == gain
    assert target.matrix == (rows, numel // rows)


@given(mean=st.floats(-2, 2), std=POSITIVE, low=st.floats(-3, 2.9), width=st.floats(0.1, 3))
def test_truncated_normal_pytorch_semantics(mean, std, low, width) -> None:
    # std of the parent normal; a and b absolute bounds (not in units of std)
    a, b = mean + low * std, mean + (low + width) * std
    target = target_law(Law("truncated_normal", {"mean": mean, "std": std, "a": a, "b": b}), (4, 4))
    m, v = truncated_moments(mean, std, a, b)
    assert target.law.support() == pytest.approx((a, b), rel=REL, abs=1e-12)
    assert target.law.mean() == pytest.approx(m, rel=1e-9, abs=1e-9 * std)
    assert target.law.var() == pytest.approx(v, rel=1e-8)


@given(scale=POSITIVE, mode=st.sampled_from(["fan_in", "fan_out", "fan_avg"]), shape=SHAPES,
       layout=LAYOUTS)
def test_variance_scaling_has_variance_scale_over_n(scale, mode, shape, layout) -> None:
    fi, fo = fans(shape, layout)
    var = scale / {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    law = {"scale": scale, "mode": mode}
    truncated = target_law(Law("variance_scaling", {**law, "distribution": "truncated_normal"}),
                           shape, layout)
    # Keras/JAX: the parent std is sqrt(var) / (std of N(0,1) cut at ±2), cut at ±2 parent stds
    parent = math.sqrt(var) / math.sqrt(truncated_moments(0.0, 1.0, -2.0, 2.0)[1])
    assert truncated.law.var() == pytest.approx(var, rel=1e-9)
    assert truncated.law.support() == pytest.approx((-2 * parent, 2 * parent), rel=1e-9)
    for word in ("normal", "untruncated_normal"):
        untruncated = Law("variance_scaling", {**law, "distribution": word})
        assert_normal(target_law(untruncated, shape, layout), 0.0, var)
    limit = math.sqrt(3 * var)
    assert_uniform(target_law(Law("variance_scaling", {**law, "distribution": "uniform"}), shape,
                              layout), -limit, limit)


def test_every_law_of_the_grammar_is_covered_here() -> None:
    covered = {"zeros", "ones", "constant", "normal", "uniform", "mxnet_default", "xavier_uniform",
               "xavier_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
               "orthogonal", "truncated_normal", "variance_scaling"}
    assert {d.name for d in LAWS.values()} == covered
