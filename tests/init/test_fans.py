"""Fans and layouts: exact, against the definitions written out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from initcheck.errors import UsageError
from initcheck.fans import compute_fans

dims = st.integers(1, 9)
kernels = st.lists(dims, min_size=0, max_size=3)


@given(out=dims, inp=dims, kernel=kernels)
def test_torch_layout_is_out_in_kernel(out: int, inp: int, kernel: list[int]) -> None:
    f = compute_fans((out, inp, *kernel), "torch")
    rf = math.prod(kernel)
    assert (f.fan_in, f.fan_out, f.receptive_field) == (inp * rf, out * rf, rf)


@given(out=dims, inp=dims, kernel=kernels)
def test_keras_layout_is_kernel_in_out(out: int, inp: int, kernel: list[int]) -> None:
    assert compute_fans((*kernel, inp, out), "keras") == compute_fans((out, inp, *kernel), "torch")


@given(out=dims, inp=dims, kernel=kernels)
def test_explicit_axes_match_named_layouts(out: int, inp: int, kernel: list[int]) -> None:
    shape = (out, inp, *kernel)
    assert compute_fans(shape, None, in_axis=1, out_axis=0) == compute_fans(shape, "torch")
    # a transposed convolution stored (in, out, *k): its true fans swap axes
    swapped = compute_fans(shape, None, in_axis=0, out_axis=1)
    assert (swapped.fan_in, swapped.fan_out) == (compute_fans(shape).fan_out, compute_fans(shape).fan_in)


def test_grouped_convolution_fan_in_is_inputs_per_group() -> None:
    groups, cin, cout, k = 4, 32, 64, 3
    f = compute_fans((cout, cin // groups, k, k), "torch")
    assert f.fan_in == (cin // groups) * k * k


@pytest.mark.parametrize("shape, layout, message", [
    ((0, 3), "torch", "shape=(0, 3): expected positive integer dimensions"),
    ((3, 3), "nchw", "layout='nchw': expected one of"),
    ("3x3", "torch", "shape='3x3': expected a sequence"),
])
def test_bad_input_names_the_value(shape: object, layout: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compute_fans(shape, layout)  # type: ignore[arg-type]
