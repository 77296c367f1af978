"""``initcheck audit`` on real Flax (linen, nnx) and Keras 3 models: names, layers and layouts
(rank-3 attention kernels read by their data flow), the documented defaults conform, and a
seeded Keras initializer reused by two layers is caught.

Documented defaults: Flax ``Dense``/``DenseGeneral`` kernels ``lecun_normal`` (a normal cut
at ±2 parent sds, variance 1/fan_in), biases 0, ``LayerNorm`` scale 1; Keras ``Dense``
kernels ``glorot_uniform``, biases 0, ``Embedding`` U(-0.05, 0.05).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.frameworks._helpers import import_framework

AUDIT_ALPHA = 1e-8
FLAX_RULES = ["*.kernel=variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)", "*.bias=zeros",
              "*.scale=ones"]


def _linen_block():
    import flax.linen as nn
    import jax.numpy as jnp

    class Block(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.Dense(64)(x)
            x = nn.MultiHeadDotProductAttention(num_heads=4, qkv_features=64)(x)
            return nn.LayerNorm()(x)

    return Block(), jnp.ones((1, 8, 32))


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item", requires="flax", reason="one audit of a correct model")
def test_a_linen_block_conforms_to_flax_defaults_in_its_real_layouts():
    import_framework("flax", "pip install flax")
    import initcheck

    report = initcheck.audit(_linen_block, rules=FLAX_RULES, alpha=AUDIT_ALPHA)
    assert report.passed, report.sentences()
    by = {p.name: p for p in report.parameters}
    query = by["params.MultiHeadDotProductAttention_0.query.kernel"]
    assert query.layer == "DenseGeneral" and query.shape == (64, 4, 16)
    assert (query.parameter.layout.in_axes, query.parameter.layout.out_axes) == ((0,), (1, 2))
    out = by["params.MultiHeadDotProductAttention_0.out.kernel"]
    assert (out.parameter.layout.in_axes, out.parameter.layout.out_axes) == ((0, 1), (2,))
    assert by["params.Dense_0.kernel"].parameter.layout.words.startswith("Dense")


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item", requires="flax", reason="one audit of a correct model")
def test_an_nnx_model_is_built_from_rngs():
    import_framework("flax", "pip install flax")
    from flax import nnx

    import initcheck

    def model(rngs):
        class M(nnx.Module):
            def __init__(self, rngs):
                self.a = nnx.Linear(32, 64, rngs=rngs)
                self.b = nnx.Linear(64, 16, rngs=rngs)
        return M(rngs)

    report = initcheck.audit(model, rules=FLAX_RULES[:2], alpha=AUDIT_ALPHA)
    assert report.passed, report.sentences()
    assert sorted(p.name for p in report.parameters) == ["a.bias", "a.kernel", "b.bias", "b.kernel"]


def _keras_model(shared_seed: bool = False):
    import keras

    init = keras.initializers.GlorotUniform(seed=3) if shared_seed else "glorot_uniform"
    inp = keras.Input((16,))
    x = keras.layers.Dense(32, kernel_initializer=init)(inp)
    x = keras.layers.Dense(32, kernel_initializer=init)(x)
    return keras.Model(inp, x)


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item", requires="keras", reason="one audit of a correct model")
def test_keras_defaults_conform_and_names_are_the_same_in_every_build():
    import_framework("keras", "pip install keras")
    import initcheck

    report = initcheck.audit(_keras_model, rules=["*.kernel=xavier_uniform", "*.bias=zeros"], alpha=AUDIT_ALPHA)
    assert report.passed, report.sentences()
    assert [p.name for p in report.parameters] == ["dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"]


@pytest.mark.false_alarm(0, per="item", requires="keras", reason="repeated draws and fixed: exact")
def test_a_seeded_keras_initializer_reused_by_two_layers_is_caught():
    import_framework("keras", "pip install keras")
    import initcheck

    report = initcheck.audit(lambda: _keras_model(shared_seed=True), seeds=2)
    # one seeded instance draws the same stream for both layers, scaled by their glorot limits
    found = [(f.kind, f.parameters) for f in report.findings]
    assert found == [("repeated-draws", ("dense.kernel", "dense_1.kernel"))]
    assert "0.866025 ×" in report.findings[0].detail  # sqrt((16 + 32) / (32 + 32)): the limits' ratio
    assert next(p for p in report.parameters if p.name == "dense.kernel").kind == "fixed"  # seeded: every build


def test_einsum_layouts_follow_the_equation():
    from initcheck.auditing.keras import einsum_layout

    q = einsum_layout("abc,cde->abde", "query")
    o = einsum_layout("abcd,cde->abe", "output")
    assert (q.in_axes, q.out_axes) == ((0,), (1, 2)) and (o.in_axes, o.out_axes) == ((0, 1), (2,))
    a = np.zeros((32, 4, 8))
    assert q.canonical(a).shape == (32, 32)
    assert np.array_equal(q.canonical(np.arange(6).reshape(1, 2, 3)), np.arange(6).reshape(6, 1))
