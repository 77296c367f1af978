"""``identify`` on real framework defaults: PyTorch's kaiming_uniform_ and Linear, JAX's lecun_normal,
and PyTorch's Linear against Keras's GlorotUniform.

One identification of a correct initializer fails when its true family is rejected at one of
its shapes, the right fan mode is rejected (1e-6), the gain's interval misses its constant
(1e-6), or the confirming check false-alarms (1e-6). The true family is rejected at a shape by
one of its own tests at 1e-6 each (tests/identify/test_identify.py's docstring): a uniform by
KS (1), a truncated normal by KS or its cut's interval (2). So a uniform at 4 shapes risks
7e-6, at Linear's 3 (rank 2 only) 6e-6, a truncated normal at 4 shapes 1.1e-5.
"""

from __future__ import annotations

import pytest

from initcheck.adapters import adapt, load_target
from initcheck.identification import compare, identify
from tests.frameworks._helpers import import_framework

UNIFORM_4 = 7e-6  # a uniform at 4 shapes (the module docstring's count)
UNIFORM_3 = 6e-6  # at 3
TRUNCATED_4 = 1.1e-5  # a truncated normal at 4 shapes


def _found(target, seed, **kwargs):
    return identify(adapt(load_target(target), **kwargs), seed=seed, target=target)


@pytest.mark.false_alarm(UNIFORM_4, per="item", requires="torch", reason="one identification of a correct uniform")
def test_torch_kaiming_uniform_is_he_uniform():
    import_framework("torch", "tox -e frameworks")
    found = _found("torch.nn.init:kaiming_uniform_", 1)
    assert found.law == "he_uniform" and found.rule.named == "√2 (ReLU)" and found.passed


@pytest.mark.false_alarm(
    UNIFORM_3, per="item", requires="torch", reason="one identification of a correct uniform at 3 shapes")
def test_torch_linear_is_he_uniform_with_a_root_five():
    import_framework("torch", "tox -e frameworks")
    found = _found("torch.nn:Linear", 2)
    assert found.law == "he_uniform(a=2.2360679775)"
    assert found.rule.mode == "fan_in" and found.rule.named.startswith("1/√3")
    assert all(len(d.shape) == 2 for d in found.descriptions)  # only the rank Linear builds
    assert found.passed


@pytest.mark.false_alarm(
    TRUNCATED_4, per="item", requires="jax", reason="one identification of a correct truncated normal")
def test_jax_lecun_normal_is_the_truncated_variance_scaling():
    import_framework("jax", "tox -e frameworks")
    found = _found("jax.nn.initializers:lecun_normal", 3)
    assert found.kind == "truncated_normal" and found.layout == "keras"
    assert found.law == "variance_scaling(scale=1, mode=fan_in, distribution=truncated_normal)"
    assert found.passed


@pytest.mark.false_alarm(
    UNIFORM_3 + UNIFORM_4, per="item", requires="keras",
    reason="two identifications of correct uniforms; fan_in vs fan_avg differ by factors >= 1.25 (negligible)")
def test_torch_linear_and_keras_glorot_uniform_differ():
    import_framework("torch", "tox -e frameworks")
    import_framework("keras", "tox -e frameworks")
    a = _found("torch.nn:Linear", 4)
    b = _found("keras.initializers:GlorotUniform", 4)
    assert b.law == "xavier_uniform" and a.passed and b.passed
    answer = compare(a, b)
    assert answer.same is False
    assert answer.line.startswith("they differ: fan mode fan_in vs fan_avg")
    assert "torch (out, in, *k) vs keras (*k, in, out)" in answer.line
