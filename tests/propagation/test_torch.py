"""propagate() on PyTorch models defined in a user's file (tests/propagation/torch_models.py).

Runs where torch is installed (the ``frameworks`` tox env); skips elsewhere.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from initcheck.errors import UsageError
from initcheck.propagation import command, propagate
from tests.propagation import torch_models

ALPHA = 1e-6
MODELS = "tests.propagation.torch_models"
seeds = st.integers(0, 2**32 - 1)


@pytest.mark.false_alarm(
    ALPHA,
    per="example",
    assertions=2,
    reason="the verdict at alpha; 10 factor intervals, alpha together",
)
@given(seed=seeds)
@settings(max_examples=2)
def test_he_initialized_mlp_holds_and_its_factors_are_the_mean_field_ones(seed):
    # ReLU with He weights: every hidden factor's mean-field value is exactly 1 (σ_w² = 2, E[relu'²] = 1/2).
    # The verdict: family-wise 1e-6. The 10 factor intervals (α/10 each, the report's level) contain 1:
    # the within-network ratio's expectation is exactly 1 for symmetric weights, so 1e-6 together.
    report = propagate(f"{MODELS}:make_wide_he_mlp", input_shape=(256,), trials=20, batch=32, seed=seed)
    assert report.passed, report.summary()
    hidden = [r for r in report.layers if r.hidden]
    misses = [f"{r.name} forward {r.forward_factor}" for r in hidden[1:] if not r.forward_factor.contains(1.0)]
    misses += [f"{r.name} backward {r.backward_factor}" for r in hidden[:-1] if not r.backward_factor.contains(1.0)]
    assert not misses, misses
    assert [r.name for r in report.layers][:2] == ["0:Linear", "2:Linear"]
    # a plain Sequential MLP gets mean field from its own weights' measured second moments
    assert report.meanfield is not None and report.meanfield.phase == "critical" and report.theory_applies


@pytest.mark.false_alarm(
    ALPHA, per="example", reason="14 factor intervals at alpha/14 contain the mean field"
)
@given(seed=seeds)
@settings(max_examples=1)
def test_pytorch_default_init_factors_agree_with_mean_field(seed):
    # nn.Linear's default: weights and biases U(±1/sqrt(fan_in)). Mean field from the measured E[w²], E[b²]:
    # factor 1/6 per layer forward (until the biases take over) and backward. The report's 14 factor intervals
    # between hidden layers at α/14 (its expectation tests 14 quantities) contain the theory: 1e-6 together.
    report = propagate(f"{MODELS}:make_default_mlp", input_shape=(64,), trials=20, batch=32, seed=seed)
    assert report.meanfield.phase == "ordered" and abs(report.meanfield.chi1 - 1 / 6) < 0.01
    hidden = [r for r in report.layers if r.hidden]
    misses = [f"{r.name} forward {r.forward_factor} vs {r.theory['forward_factor']:.4f}" for r in hidden[1:]
              if not r.forward_factor.contains(r.theory["forward_factor"])]
    misses += [f"{r.name} backward {r.backward_factor} vs {r.theory['backward_factor']:.4f}" for r in hidden[:-1]
               if not r.backward_factor.contains(r.theory["backward_factor"])]
    assert report.interval_alpha == pytest.approx(1e-6 / 14) and not misses, misses


@pytest.mark.false_alarm(0, reason="q* is 1/200 of q_1: an interval ~5 wide in ln would be needed")
def test_pytorch_default_init_vanishes():
    # nn.Linear's default U(±1/sqrt(fan_in)) has variance 1/(3 fan_in), for weights and biases: with ReLU the
    # factor is 1/6 per layer until the biases' variance 1/768 takes over, at the fixed point
    # q* = (1/768)/(1 - 1/6) ≈ 1.6e-3, 1/200 of the first layer's q_1 ≈ 0.34. Missing that needs an interval
    # ~5 wide in ln (det.).
    report = propagate(f"{MODELS}:make_default_mlp", input_shape=(64,), trials=10, batch=32, seed=0)
    assert not report.passed
    assert 0.12 < report.layers[1].forward_factor.value < 0.22  # 1/6 + 0.0013/0.34


@pytest.mark.false_alarm(
    1e-6, per="item", reason="the CNN holds at alpha = 1e-6, seed 0; the sigmoid CNN by far"
)
def test_small_cnn_holds_and_sigmoid_cnn_vanishes():
    cnn = propagate(f"{MODELS}:make_cnn", input_shape=(3, 8, 8), trials=10, batch=16, seed=0)
    assert cnn.passed, cnn.summary()  # family-wise false alarm 1e-6
    assert cnn.meanfield is None and cnn.layers[1].theory == {}  # no mean field for a CNN
    assert [r.name for r in cnn.layers] == ["features.0:Conv2d", "features.2:Conv2d", "features.4:Conv2d",
                                            "features.6:Conv2d", "head:Linear"]
    assert cnn.layers[0].width == 32 * 8 * 8
    sig = propagate(f"{MODELS}:make_sigmoid_cnn", input_shape=(3, 8, 8), trials=10, batch=16, seed=0)
    assert not sig.passed  # backward factor ≈ 1/50 per layer over 5 layers (det.)
    assert {f.direction for f in sig.findings} >= {"backward"}


@given(seed=seeds)
@settings(max_examples=2)
def test_deterministic_with_dropout_and_global_rng_untouched(seed):
    before = torch.random.get_rng_state()
    kwargs = {"input_shape": (16,), "trials": 3, "batch": 8, "seed": seed}
    a = json.dumps(propagate(f"{MODELS}:make_dropout_mlp", **kwargs).to_dict())
    b = json.dumps(propagate(f"{MODELS}:make_dropout_mlp", **kwargs).to_dict())
    assert a == b
    assert torch.equal(before, torch.random.get_rng_state())


def test_each_trial_reinitializes_with_the_models_own_code():
    seen = []

    def factory():
        model = torch_models.relu_mlp_he(width=8, depth=2, n_in=4, n_out=2)
        seen.append(model[0].weight.detach().clone())
        return model

    propagate(factory, input_shape=(4,), trials=3, batch=2, seed=0)
    assert len(seen) == 4  # one call to see which framework it is, then one per trial
    assert not torch.equal(seen[1], seen[2]) and not torch.equal(seen[2], seen[3])


def test_eval_mode_and_float64():
    report = propagate(f"{MODELS}:make_dropout_mlp", input_shape=(16,), trials=3, batch=8, train=False,
                       dtype="float64")
    assert "eval mode" in report.target and report.reproducer.endswith("--eval --dtype float64")


@pytest.mark.parametrize("target, shape, message", [
    (f"{MODELS}:not_a_module", (4,), "expected a torch.nn.Module"),
    (f"{MODELS}:NOT_CALLABLE", (4,), "is not callable"),
    (f"{MODELS}:make_he_mlp", (3,), "running the model on inputs of shape (2, 3) raised"),
    (lambda: torch.nn.Sequential(torch.nn.ReLU()), (4,), "has no layer of the kinds"),
])
def test_model_errors_are_usage_errors(target, shape, message):
    with pytest.raises(UsageError) as err:
        propagate(target, input_shape=shape, trials=2, batch=2)
    assert message in str(err.value)


def test_command_line_with_a_torch_target(capsys):
    parser = argparse.ArgumentParser()
    command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["propagate", f"{MODELS}:make_cnn", "--input-shape", "3x8x8", "--trials", "4",
                              "--batch", "8", "--json"])
    assert command.run(args) in (0, 1)
    data = json.loads(capsys.readouterr().out)
    assert data["reproduce"].startswith(f"initcheck propagate {MODELS}:make_cnn --input-shape 3x8x8")
    assert data["meanfield"] is None and data["layers"][0]["theory"] == {}
    assert np.isfinite(data["layers"][0]["weight_grad"]["value"])
