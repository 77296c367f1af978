"""Which shapes tell fan modes apart: vectors, matrices that keep one fan ratio, one shape, mixes.

A vector of n values has the fans (n, n) in every layout, so fan_in, fan_out and fan_avg give
it the same fan. Before this was handled, ``identify`` picked the first of the tied modes
(fan_in) and wrote its law: a fan_out sampler drawn at vectors was called ``he_normal``, and one
drawn at 64x32 and 128x64 (fan_out = 2 fan_in) plus vectors was called ``lecun_normal``, the
vectors' convention deciding a mode the matrices could not. The planted samplers below show
both; the rule now says the mode is ambiguous and names the law under each mode.

The tests on draws given to ``fit_fan_rule`` risk only its chi-squares (the right mode rejected
at ALPHA_MODE = 1e-6, the vectors' test likewise) and the gain's interval (1e-6); a wrong
family named for normal draws (KS distances >= 0.03 against a critical 0.0074) leaves the fit
unchanged, as the family only sets the kurtosis (3 for the normal, the sample's, about 3, for none).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from initcheck.identification import describe_draws, fit_fan_rule, identify, law_text
from initcheck.identification.rules import MODES, ModeFit, shortest
from tests.identify import samplers

FANS = ("fan_in", "fan_out", "fan_avg")
MATRICES = [(64, 256), (256, 64), (128, 128)]  # the default rank-2 shapes: fan ratios 4, 1/4, 1


def _descriptions(std_of, shapes, seed, draws=4):
    rng = np.random.default_rng(seed)
    return [describe_draws([rng.normal(0.0, std_of(s), s) for _ in range(draws)]) for s in shapes]


@pytest.mark.false_alarm(
    1e-5, per="item",
    reason="normal at each of the 3 vectors (KS and the max test's two tails, 1e-6 each), the tied fan modes' "
           "chi-square rejecting them at 1e-6; constant consistent: sds a factor 2 apart, se 2% (negligible)")
def test_a_fan_out_sampler_at_vectors_is_not_called_fan_in():
    found = identify(samplers.he_fan_out, shapes=[(64,), (256,), (1024,)], seed=1, confirm=False)
    rule = found.rule
    assert (found.law, rule.mode, rule.ambiguous) == (None, None, FANS)  # it was he_normal (fan_in)
    assert "every shape drawn is a vector (64, 256, 1024 values)" in rule.reason
    assert "fan_in: he_normal; fan_out: he_normal(mode=fan_out); fan_avg: xavier_normal(gain=1.414213562)" in (
        found.because)
    assert found.summary().startswith("the shapes drawn do not decide its law: normal at every shape, but the "
                                      "fan mode is ambiguous")
    assert [s.name for s in found.findings] == ["fan rule"]
    assert found.findings[0].detail.startswith("ambiguous between fan_in, fan_out, fan_avg:")


@pytest.mark.false_alarm(
    1.3e-5, per="item",
    reason="normal at each of the 4 shapes (3 tests at 1e-6 each), the tied fan modes rejected at 1e-6 by "
           "the matrices' chi-square; constant consistent: sds a factor 2 apart, se < 1% (negligible)")
def test_vectors_do_not_decide_a_mode_the_matrices_leave_open():
    shapes = [(64, 32), (128, 64), (64,), (256,)]
    found = identify(samplers.fan_out_weights_lecun_vectors, shapes=shapes, seed=2, confirm=False)
    rule = found.rule
    assert (found.law, rule.mode, rule.ambiguous) == (None, None, FANS)  # it was lecun_normal (fan_in)
    assert rule.fitted_on == ((64, 32), (128, 64))
    assert "keep one ratio to each other at every shape drawn (64x32, 128x64)" in rule.reason
    assert "fan_in: lecun_normal; fan_out: he_normal(mode=fan_out)" in found.because


@pytest.mark.false_alarm(
    3e-6, per="item",
    reason="the right mode's chi-square on the matrices, the vectors' chi-square, the gain's interval: 1e-6 "
           "each; wrong modes consistent: fans differ by factors >= 1.25, se < 1% (negligible)")
def test_mixed_shapes_fit_the_mode_on_the_matrices_then_test_the_vectors():
    fan_out = lambda s: math.sqrt(2.0 / (s[0] * math.prod(s[2:])) if len(s) >= 2 else 2.0 / s[0])
    descs = _descriptions(fan_out, [(64,), *MATRICES, (1024,)], seed=3)
    rule = fit_fan_rule(descs, "torch")
    assert (rule.mode, rule.named, rule.ambiguous) == ("fan_out", "√2 (ReLU)", ())
    assert rule.fitted_on == tuple(MATRICES)
    assert rule.vectors_pvalue >= 1e-6 and "the vectors (64, 1024 values) follow it too" in rule.reason
    assert len(rule.gains) == 5 and [f.mode for f in rule.fits] == list(MODES)
    assert law_text("normal", rule, descs)[0] == "he_normal(mode=fan_out)"


@pytest.mark.false_alarm(
    1e-6, per="item",
    reason="the right mode's chi-square on the matrices at 1e-6; the vectors' sd 0.05 against "
           "sqrt(2/64) = 0.18 and sqrt(2/1024) = 0.044: z > 10 (miss negligible)")
def test_vectors_that_do_not_follow_the_matrices_rule_leave_no_rule():
    std = lambda s: math.sqrt(2.0 / s[0]) if len(s) >= 2 else 0.05
    descs = _descriptions(std, [*MATRICES, (64,), (1024,)], seed=4)
    rule = fit_fan_rule(descs, "torch")
    assert rule.mode is None and rule.ambiguous == ()
    assert rule.reason.startswith("the matrices follow fan_out (p = ")
    assert "but the vectors (64, 1024 values) do not follow it" in rule.reason
    law, because = law_text("normal", rule, descs)
    assert law is None and "no one rule explains both" in because


@pytest.mark.false_alarm(0, reason="one shape: every mode's chi-square has no degrees of freedom (p = 1, exact)")
def test_one_shape_cannot_tell_any_mode_apart():
    descs = _descriptions(lambda s: 0.1, [(64, 256)], seed=5, draws=2)
    rule = fit_fan_rule(descs, "torch")
    assert rule.mode is None and rule.ambiguous == MODES
    assert rule.reason.startswith("one shape (64x256) cannot tell fan_in, fan_out, fan_avg and constant apart")
    by_mode = {f.mode: f for f in rule.fits}
    assert isinstance(by_mode["fan_in"], ModeFit)
    # the same draws, read under each mode: sd·sqrt(fan), fan_in 256 and fan_out 64
    assert by_mode["fan_in"].gain == pytest.approx(2 * by_mode["fan_out"].gain, rel=1e-12)


@pytest.mark.false_alarm(
    1e-6, per="item", reason="the tied modes' chi-square rejecting them at 1e-6 (one event: their Q is the same)")
def test_square_matrices_tie_fan_in_fan_out_and_fan_avg():
    descs = _descriptions(lambda s: math.sqrt(1.0 / s[1]), [(128, 128), (256, 256)], seed=6, draws=2)
    rule = fit_fan_rule(descs, "torch")
    assert rule.mode is None and rule.ambiguous == FANS
    assert "keep one ratio to each other at every shape drawn (128x128, 256x256)" in rule.reason


@pytest.mark.false_alarm(0, reason="arithmetic on given numbers")
def test_shortest_writes_the_fewest_digits_inside_the_interval():
    assert shortest(0.0499871, 0.0498, 0.0502) == 0.05
    assert shortest(1.88235, 1.869, 1.896) == 1.88
    assert shortest(-0.50012, -0.502, -0.498) == -0.5
    assert shortest(0.001, -0.002, 0.004) == 0.0
    assert shortest(math.pi, math.pi, math.pi) == math.pi  # no decimal of up to 10 digits inside: x itself
