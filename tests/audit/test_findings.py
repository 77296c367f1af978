"""Cross-parameter findings on planted arrays: each planted repetition caught, iid arrays clean."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initcheck.auditing.findings import CONFIRM, Prefix, repeated_blocks, repeated_draws

SEEDS = st.integers(0, 2**32 - 1)


def _prefix(name, a):
    return Prefix(name, a.reshape(-1)[:CONFIRM].astype(np.float64), a.shape)


@settings(max_examples=10)
@given(seed=SEEDS)
def test_iid_parameters_have_no_findings(seed):
    # exact: a coincidence of continuous float64 draws has probability far below 1e-12
    rng = np.random.default_rng(seed)
    arrays = {f"p{i}": rng.normal(0, 0.02, (32, 48)) for i in range(5)}
    arrays["v"] = rng.uniform(-1, 1, 300)
    prefixes = [_prefix(k, a) for k, a in arrays.items()]
    assert repeated_draws(prefixes, arrays) == []
    assert all(repeated_blocks(k, a) == [] for k, a in arrays.items())


@settings(max_examples=10)
@given(seed=SEEDS, scale=st.floats(0.01, 10))
def test_a_reused_seed_is_caught_as_repeated_draws(seed, scale):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(64 * 96)
    a = (0.02 * z[: 64 * 32]).reshape(64, 32)
    b = (scale * 0.02 * z).reshape(64, 96)  # a larger layer drawn again from the same seed, another scale
    found = repeated_draws([_prefix("a", a), _prefix("b", b)], {"a": a, "b": b})
    assert [f.kind for f in found] == ["repeated-draws"]
    assert found[0].parameters == ("a", "b")


def test_identical_parameters_are_named_identical():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(16, 16))
    found = repeated_draws([_prefix("x", a), _prefix("y", a.copy())], {"x": a, "y": a.copy()})
    assert [f.kind for f in found] == ["identical"]


@pytest.mark.parametrize("axis", [0, 1])
def test_a_repeated_block_is_caught_with_its_offset(axis):
    rng = np.random.default_rng(1)
    half = rng.normal(size=(24, 40))
    a = np.concatenate([half, half], axis=axis)
    found = repeated_blocks("w", a)
    assert len(found) == 1 and found[0].kind == "repeated-block"
    assert f"before them (a block of {half.shape[axis]} repeated along axis {axis}" in found[0].detail


def test_huge_and_non_finite_values_give_findings_not_warnings():
    # uninitialized memory: float32 values near the format's limits overflow any product
    a = np.array([[3e38, -3e38, 1.0, 2.0] * 8] * 6, dtype=np.float32)
    a[0, 0] = np.nan
    b = a[::-1].copy()
    with np.errstate(all="raise"):
        found = repeated_blocks("w", a)
        repeated_draws([_prefix("w", a), _prefix("v", b)], {"w": a, "v": b})
    assert isinstance(found, list)
