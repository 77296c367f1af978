"""The identification core on draws given to it (no sampler): kinds, closed forms, intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from initcheck.errors import UsageError
from initcheck.identification import FanRule, describe_draws, detectable_error, fit_fan_rule, law_text
from initcheck.identification.core import ALPHA_FAMILY, truncated_kurtosis, truncated_ratio
from initcheck.stats import power_variance

SHAPE = (128, 256)  # 32,768 values a draw
DRAWS = 4  # 131,072 values: KS critical distance sqrt(ln(2/1e-6)/(2n)) = 0.0074


def _draws(make, seed):
    rng = np.random.default_rng(seed)
    return [make(rng) for _ in range(DRAWS)]


@pytest.mark.false_alarm(0, reason="closed forms against scipy's truncnorm moments and planning's power (exact)")
@pytest.mark.parametrize("c", [0.5, 1.0, 2.0, 3.0])
def test_truncated_moments_match_scipy(c):
    law = stats.truncnorm(-c, c)
    assert truncated_kurtosis(c) == pytest.approx(float(law.stats(moments="k")) + 3, rel=1e-9)
    assert truncated_ratio(c) == pytest.approx(c / float(law.std()), rel=1e-12)
    d = detectable_error(131_072, 3.0)
    assert power_variance(131_072, d, ALPHA_FAMILY) == pytest.approx(0.999, abs=1e-6)
    assert power_variance(131_072, 0.9 * d, ALPHA_FAMILY) < 0.999


@pytest.mark.false_alarm(
    ALPHA_FAMILY, per="item", assertions=4,
    reason="the true family rejected by KS (and for the normal its max test, both tails): 1e-6 each, "
           "sd interval misses at 1e-6; a wrong family kept: KS distance >= 0.03 vs 0.0074 (negligible)")
@pytest.mark.parametrize(("family", "make", "std"), [
    ("normal", lambda rng: rng.normal(0, 0.05, SHAPE), 0.05),
    ("uniform", lambda rng: rng.uniform(-0.2, 0.2, SHAPE), 0.2 / math.sqrt(3)),
    ("truncated_normal", lambda rng: stats.truncnorm.rvs(-2, 2, scale=0.1, size=SHAPE, random_state=rng),
     0.1 * float(stats.truncnorm(-2, 2).std())),
])
def test_each_family_is_named_with_an_interval_holding_its_sd(family, make, std):
    d = describe_draws(_draws(make, seed=7))
    assert d.kind == family
    assert d.std_interval[0] <= std <= d.std_interval[1]
    if family == "truncated_normal":
        assert d.cut_interval[0] <= 2.0 <= d.cut_interval[1]


@pytest.mark.false_alarm(
    1e-9, per="item",
    reason="miss: Laplace's and t5's KS distance to the best normal is 0.062 and 0.038 (closed form) "
           "against a critical 0.0074 at n = 131,072")
@pytest.mark.parametrize("make", [lambda rng: rng.laplace(0, 1, SHAPE), lambda rng: rng.standard_t(5, SHAPE)],
                         ids=["laplace", "t5"])
def test_heavy_tails_are_none_of_the_families(make):
    d = describe_draws(_draws(make, seed=11))
    assert d.kind == "none"
    assert all(f.rejected for f in d.fits)


@pytest.mark.false_alarm(0, reason="exact: equal values, equal arrays, QR factors")
def test_constant_fixed_and_orthogonal_are_exact():
    assert describe_draws([np.full(SHAPE, 0.25)] * 3).kind == "constant"
    same = np.random.default_rng(1).normal(size=SHAPE)
    assert describe_draws([same, same.copy()]).kind == "fixed"
    q = [np.linalg.qr(np.random.default_rng(s).normal(size=(256, 128)))[0].T * 2.0 for s in range(2)]
    d = describe_draws(q, (128, 256))
    assert d.kind == "orthogonal" and d.gain == pytest.approx(2.0, rel=1e-9)
    iid = describe_draws([np.random.default_rng(s).normal(size=(128, 256)) for s in range(2)])
    assert iid.kind == "normal"  # iid draws are far from orthogonal (1/sqrt(256) off the identity)
    with pytest.raises(UsageError):
        describe_draws([])
    with pytest.raises(UsageError):
        describe_draws([np.zeros((2, 3)), np.zeros((3, 2))])


@pytest.mark.false_alarm(
    2e-6, per="item", assertions=1,
    reason="fan_in's chi-square rejects the right mode at 1e-6, the gain interval misses √2 at 1e-6; "
           "the wrong modes differ by factors >= 1.25 against se < 1%: negligible")
def test_the_fan_rule_finds_fan_in_and_names_root_two():
    shapes = [(64, 256), (256, 64), (128, 128)]
    rng = np.random.default_rng(5)
    descs = [describe_draws([rng.normal(0, math.sqrt(2 / s[1]), s) for _ in range(8)]) for s in shapes]
    rule = fit_fan_rule(descs, "torch")
    assert isinstance(rule, FanRule)
    assert (rule.mode, rule.named) == ("fan_in", "√2 (ReLU)")


@pytest.mark.false_alarm(
    8e-6, per="item",
    reason="the family rejected at one of 3 shapes (KS 1e-6, and the truncated normal's cut interval 1e-6), "
           "the constant mode's chi-square (1e-6), a written number outside its interval (mean, bound: 1e-6 each)")
@pytest.mark.parametrize(("make", "law"), [
    (lambda rng, s: rng.uniform(0.0, 1.0, s), "uniform(low=0, high=1)"),
    (lambda rng, s: stats.truncnorm.rvs(-2, 2, scale=0.05, size=s, random_state=rng),
     "truncated_normal(mean=0, std=0.05, a=-0.1, b=0.1)"),
], ids=["uniform_0_1", "truncated_normal_0_05"])
def test_a_constant_laws_numbers_are_written_with_the_fewest_digits(make, law):
    rng = np.random.default_rng(13)
    shapes = [(64, 256), (256, 64), (128, 128)]
    descs = [describe_draws([make(rng, s) for _ in range(DRAWS)]) for s in shapes]
    rule = fit_fan_rule(descs, "torch")
    assert rule.mode == "constant"
    assert law_text(descs[0].kind, rule, descs)[0] == law


@pytest.mark.false_alarm(0, reason="exact: QR factors in float32, their gain's digits")
def test_an_orthogonal_gain_is_written_to_the_digits_its_draws_resolve():
    def draws(shape, gain):
        qs = [np.linalg.qr(np.random.default_rng(s).normal(size=shape[::-1]))[0].T for s in range(2)]
        return [(q * gain).astype(np.float32) for q in qs]

    shapes = [(64, 128), (32, 96)]
    descs = [describe_draws(draws(s, 1.414), s) for s in shapes]
    assert all(d.kind == "orthogonal" for d in descs) and descs[0].gain != 1.414  # float32 rounding
    assert law_text("orthogonal", None, descs)[0] == "orthogonal(gain=1.414)"  # MXNet's default scale: not √2
    root2 = [describe_draws(draws(s, 2**0.5), s) for s in shapes]
    assert law_text("orthogonal", None, root2)[0] == "orthogonal(gain=1.414213562)"
