"""One gain table: the reference initializers and the law grammar agree with PyTorch's documented table.

PyTorch documents (``torch.nn.init.calculate_gain``): 1 for linear, conv1d/2d/3d,
conv_transpose1d/2d/3d and sigmoid; 5/3 for tanh; sqrt(2) for relu;
sqrt(2 / (1 + slope²)) for leaky_relu; 3/4 for selu. The table is written out here
from that documentation, not read from the code under test. The frameworks env
compares it with real PyTorch (``tests/frameworks/test_torch.py``).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from initcheck import gains, init
from initcheck.errors import UsageError
from initcheck.laws import parse_law, target_law

#: PyTorch's documented table, as closed forms of the slope ``a``
DOCUMENTED: dict[str, object] = {
    **{name: (lambda a: 1.0) for name in (
        "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
        "sigmoid")},
    "tanh": lambda a: 5 / 3,
    "relu": lambda a: math.sqrt(2),
    "leaky_relu": lambda a: math.sqrt(2 / (1 + a * a)),
    "selu": lambda a: 3 / 4,
}
SHAPE = (24, 40)  # torch layout: fan_in 40, fan_out 24
slopes = st.floats(0, 10, allow_nan=False)


def test_every_documented_nonlinearity_is_known():
    assert set(DOCUMENTED) <= set(gains.NONLINEARITIES)
    assert set(gains.NONLINEARITIES) - set(DOCUMENTED) == {"identity"}  # initcheck's synonym of linear


@pytest.mark.parametrize("nonlinearity", sorted(DOCUMENTED))
@pytest.mark.parametrize("family, mode", [("he_normal", "fan_in"), ("he_uniform", "fan_out")])
@given(a=slopes)
def test_init_and_grammar_give_pytorchs_gain(nonlinearity, family, mode, a):
    gain = DOCUMENTED[nonlinearity](a)  # type: ignore[operator]
    fan = SHAPE[1] if mode == "fan_in" else SHAPE[0]
    want_var = gain**2 / fan
    law = target_law(parse_law(f"{family}(a={a!r}, mode={mode}, nonlinearity={nonlinearity})"), SHAPE)
    assert law.law.var() == pytest.approx(want_var, rel=1e-12)
    made = getattr(init, family)(a=a, mode=mode, nonlinearity=nonlinearity)
    assert made.params["nonlinearity"] == nonlinearity
    assert gains.calculate_gain(nonlinearity, a) == pytest.approx(gain, rel=1e-15)


def test_leaky_relu_default_slope_is_pytorchs():
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    # kaiming's own default slope a = 0 makes leaky_relu's gain relu's, in both places
    assert target_law("he_normal", SHAPE).law.var() == pytest.approx(2 / SHAPE[1])


@pytest.mark.parametrize("text", ["he_normal(nonlinearity=swish)", "he_uniform(nonlinearity=gelu)"])
def test_unknown_nonlinearity_is_refused_in_both(text):
    with pytest.raises(UsageError, match="expected one of linear, identity"):
        parse_law(text)
    with pytest.raises(UsageError, match="nonlinearity='swish'|nonlinearity='gelu'"):
        init.calculate_gain(text.split("=")[1].rstrip(")"))
