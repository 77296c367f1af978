"""The public Hypothesis strategies draw what they promise."""

from __future__ import annotations

from hypothesis import given

from initcheck import strategies as ics
from initcheck.fans import compute_fans
from initcheck.laws import parse_law, target_law


@given(shape=ics.shapes("torch"))
def test_torch_shapes_have_out_in_first(shape):
    assert 2 <= len(shape) <= 5 and all(d >= 1 for d in shape)
    f = compute_fans(shape, "torch")
    assert f.fan_in % shape[1] == 0 and f.fan_out % shape[0] == 0


@given(shape=ics.shapes("keras"))
def test_keras_shapes_have_in_out_last(shape):
    f = compute_fans(shape, "keras")
    assert f.fan_in % shape[-2] == 0 and f.fan_out % shape[-1] == 0


@given(claim=ics.claims(), shape=ics.shapes("torch"))
def test_claims_parse_and_give_a_law_for_any_shape(claim, shape):
    law = target_law(parse_law(claim), shape)
    assert law.kind in ("constant", "iid", "orthogonal")


@given(seed=ics.seeds(), fans=ics.fans())
def test_seeds_and_fans_are_in_range(seed, fans):
    assert 0 <= seed < 2**32 and min(fans) >= 1
