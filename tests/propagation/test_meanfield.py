"""Mean-field theory: quadrature against closed forms, fixed points, χ1, phases, and simulation.

Statistical assertions are t intervals whose false-alarm rates are stated beside
them and added up in tests/propagation/FALSE_ALARMS.md.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from initcheck.activations import get_activation
from initcheck.errors import UsageError
from initcheck.propagation.meanfield import (
    chi1,
    critical_line,
    critical_sigma_w2,
    fixed_point,
    gaussian_expectation,
    gradient_factor,
    length_map,
    mean_field,
    phase,
)
from initcheck.stats.intervals import t_interval

ALPHA = 1e-6
seeds = st.integers(0, 2**32 - 1)
variances = st.floats(1e-3, 50.0)
sigma_w2s = st.floats(0.05, 4.0)
sigma_b2s = st.floats(0.0, 0.5)


def _by_integration(f, q: float) -> float:
    """E[f(√q z)] by adaptive integration against the normal density (the quadrature's referee)."""
    s = math.sqrt(q)
    value, _ = integrate.quad(lambda z: float(f(np.array([s * z]))[0]) * stats.norm.pdf(z), -40, 40, limit=400,
                              points=[0.0], epsabs=1e-13, epsrel=1e-12)
    return value


# --- quadrature against closed forms -----------------------------------------------------------


@given(q=variances)
def test_relu_second_moment_is_half_of_q(q):
    relu = get_activation("relu")
    assert gaussian_expectation(lambda x: relu.fn(x) ** 2, q) == pytest.approx(q / 2, rel=1e-12)
    assert gaussian_expectation(lambda x: relu.grad(x) ** 2, q) == pytest.approx(0.5, rel=1e-12)


@given(q=variances, sw=sigma_w2s, sb=sigma_b2s)
def test_identity_length_map_and_gradient_factor(q, sw, sb):
    assert length_map("identity", q, sw, sb) == pytest.approx(sw * q + sb, rel=1e-12)
    assert gradient_factor("identity", q, sw) == pytest.approx(sw, rel=1e-12)
    assert chi1("identity", sw, sb) == pytest.approx(sw, rel=1e-12)


@given(q=variances, power=st.integers(0, 20))
def test_quadrature_is_exact_for_even_powers(q, power):
    # E[z^(2k)] = (2k - 1)!!: polynomials below degree 2·nodes are integrated exactly
    double_factorial = math.prod(range(2 * power - 1, 0, -2)) if power else 1
    exact = q**power * double_factorial
    assert gaussian_expectation(lambda x: x ** (2 * power), q) == pytest.approx(exact, rel=1e-10)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@given(q=st.floats(1e-3, 20.0))
@settings(max_examples=15)
def test_smooth_activations_agree_with_adaptive_integration(name, q):
    act = get_activation(name)
    assert gaussian_expectation(lambda x: act.fn(x) ** 2, q) == pytest.approx(
        _by_integration(lambda x: act.fn(x) ** 2, q), rel=1e-9, abs=1e-13)
    assert gaussian_expectation(lambda x: act.grad(x) ** 2, q) == pytest.approx(
        _by_integration(lambda x: act.grad(x) ** 2, q), rel=1e-9, abs=1e-13)


def test_bad_arguments_are_usage_errors():
    for call in (lambda: gaussian_expectation(np.square, -1.0), lambda: gaussian_expectation(np.square, 1.0, order=0),
                 lambda: length_map("tanh", 1.0, -2.0), lambda: length_map("swish", 1.0, 1.0),
                 lambda: phase(math.nan)):
        with pytest.raises(UsageError):
            call()


# --- fixed points, χ1 and phases ---------------------------------------------------------------


@given(sw=sigma_w2s, sb=sigma_b2s, name=st.sampled_from(["tanh", "sigmoid"]))
def test_bounded_activations_have_a_fixed_point(sw, sb, name):
    q = fixed_point(name, sw, sb)
    assert math.isfinite(q) and q >= 0
    assert length_map(name, q, sw, sb) == pytest.approx(q, rel=1e-9, abs=1e-12)


@given(sw=st.floats(0.05, 1.99), sb=sigma_b2s)
def test_relu_fixed_point_closed_form(sw, sb):
    assert fixed_point("relu", sw, sb) == pytest.approx(sb / (1 - sw / 2), rel=1e-10, abs=1e-15)


def test_relu_marginal_and_divergent_fixed_points():
    assert fixed_point("relu", 2.0, 0.0, q0=3.5) == 3.5  # every q is fixed at He
    assert fixed_point("relu", 2.0, 0.1) == math.inf  # grows linearly
    assert fixed_point("relu", 2.5, 0.0) == math.inf
    assert fixed_point("tanh", 0.9, 0.0) == 0.0


@given(sw=st.floats(0.05, 6.0))
def test_relu_phase_is_set_by_sigma_w2_over_2(sw):
    c = chi1("relu", sw)
    assert c == pytest.approx(sw / 2, rel=1e-12)
    if abs(sw - 2.0) > 1e-5:
        assert phase(c) == ("ordered" if sw < 2 else "chaotic")
    assert phase(chi1("relu", 2.0)) == "critical"


def test_tanh_critical_line():
    points = critical_line("tanh", [0.0, 0.01, 0.05, 0.1, 0.3])
    assert points[0][0] == pytest.approx(1.0, abs=1e-9)  # at σ_b = 0 the critical point is σ_w = 1
    for sw, sb in points:
        assert chi1("tanh", sw, sb) == pytest.approx(1.0, abs=1e-8)
    assert [round(sw, 4) for sw, _ in points] == [1.0, 1.4242, 1.761, 1.9861, 2.5051]
    assert all(a < b for (a, _), (b, _) in itertools.pairwise(points))  # σ_w² grows with σ_b²


@given(sb=st.floats(0.0, 0.3), offset=st.floats(0.05, 0.5))
@settings(max_examples=20)
def test_tanh_phases_either_side_of_the_critical_line(sb, offset):
    sw = critical_sigma_w2("tanh", sb)
    assert mean_field("tanh", sw - offset, sb).phase == "ordered"
    assert mean_field("tanh", sw + offset, sb).phase == "chaotic"


def test_sigmoid_at_xavier_is_deep_in_the_ordered_phase():
    m = mean_field("sigmoid", 1.0)
    assert m.phase == "ordered" and m.chi1 < 1 / 16  # sigmoid' <= 1/4
    assert m.chi1 == pytest.approx(0.05572, abs=1e-5)


# --- against simulation ---------------------------------------------------------------------------

WIDTH = 512
TRIALS = 40


@pytest.mark.false_alarm(
    ALPHA, per="example", reason="one t interval contains the exact expectation"
)
@given(name=st.sampled_from(["relu", "tanh", "sigmoid", "identity"]), q=st.floats(0.05, 4.0), sw=sigma_w2s,
       sb=sigma_b2s, seed=seeds)
@settings(max_examples=6)
def test_length_map_against_a_simulated_layer(name, q, sw, sb, seed):
    # One layer of width 512: h ~ N(0, q) iid, W ~ N(0, σ_w²/n), b ~ N(0, σ_b²). Each trial's mean square of
    # W φ(h) + b has expectation exactly length_map(q) (given h, E over W and b). One t interval at 1e-6.
    act = get_activation(name)
    rng = np.random.default_rng(seed)
    values = np.empty(TRIALS)
    for t in range(TRIALS):
        h = rng.normal(0.0, math.sqrt(q), WIDTH)
        w = rng.normal(0.0, math.sqrt(sw / WIDTH), (WIDTH, WIDTH))
        b = rng.normal(0.0, math.sqrt(sb), WIDTH) if sb > 0 else 0.0
        values[t] = np.mean((w @ act.fn(h) + b) ** 2)
    expected = length_map(name, q, sw, sb)
    _, lo, hi = t_interval(values, ALPHA)
    assert lo <= expected <= hi, f"{name}: interval [{lo:.5g}, {hi:.5g}] misses length_map = {expected:.5g}"


@pytest.mark.false_alarm(
    ALPHA, per="example", reason="one t interval contains the exact expectation"
)
@given(name=st.sampled_from(["relu", "tanh", "sigmoid"]), sw=st.floats(0.5, 3.0), sb=sigma_b2s, seed=seeds)
@settings(max_examples=6)
def test_chi1_against_a_simulated_backward_step(name, sw, sb, seed):
    # At q*: δ = (δ_next W) ⊙ φ'(h), δ_next ~ N(0, 1), W ~ N(0, σ_w²/n), h ~ N(0, q*). Each trial's mean square
    # of δ has expectation exactly χ1. One t interval at 1e-6.
    q = fixed_point(name, sw, sb)
    q = q if math.isfinite(q) and q > 0 else 1.0  # relu's χ1 does not depend on q; q* = 0 or inf there
    act = get_activation(name)
    rng = np.random.default_rng(seed)
    values = np.empty(TRIALS)
    for t in range(TRIALS):
        h = rng.normal(0.0, math.sqrt(q), WIDTH)
        w = rng.normal(0.0, math.sqrt(sw / WIDTH), (WIDTH, WIDTH))
        values[t] = np.mean((rng.standard_normal(WIDTH) @ w * act.grad(h)) ** 2)
    expected = chi1(name, sw, sb)
    _, lo, hi = t_interval(values, ALPHA)
    assert lo <= expected <= hi, f"{name}: interval [{lo:.5g}, {hi:.5g}] misses χ1 = {expected:.5g}"
