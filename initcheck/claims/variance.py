"""One layer's variance forward and backward, Xavier's compromise, and depth.

Chapter: "Parameter Initialization / Xavier Initialization". For o = W x with
iid zero-mean weights of variance σ², independent of inputs of mean 0 and
variance γ²:  E[o_i] = 0 and Var[o_i] = n_in·σ²·γ²; backward, Var[(Wᵀg)_j] =
n_out·σ²·Var[g]. Xavier satisfies ½(n_in + n_out)·σ² = 1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, stats

from ..depth import depth_factors
from ..distributions import ZERO_MEAN_LAWS, ZeroMeanLaw
from ..init import mxnet_default, normal, xavier_normal, xavier_uniform, zeros
from ..products import lyapunov_exponent
from ..stats import ad_test, bound_reach_test, mean_test, support_test, variance_test
from ..stats.intervals import t_interval
from .base import Claim, Context, Measurement, Outcome

__all__ = ["CLAIMS", "layer_trials"]

LAYER_TRIALS = 20_000
# (n_in, n_out) of the layers checked: narrow, wide, fan-in > fan-out and the reverse
LAYER_SHAPES = ((8, 24), (100, 30))
XAVIER_SHAPES = ((64, 32), (32, 64), (300, 100), (10, 1000))  # (n_out, n_in), both orientations
XAVIER_DRAWS = 400_000  # per shape


def layer_trials(
    n_in: int,
    n_out: int,
    w_law: ZeroMeanLaw,
    x_law: ZeroMeanLaw,
    *,
    sigma: float,
    gamma: float,
    trials: int,
    seed: int,
    direction: str = "forward",
) -> tuple[np.ndarray, np.ndarray]:
    """Independent layers: per trial, the mean of the outputs and the mean of their squares.

    ``forward``: o = W x with W (n_out × n_in) ~ w_law(σ), x ~ x_law(γ).
    ``backward``: Wᵀ g with g (n_out) ~ x_law(γ). Trials are independent (fresh W
    and x each), so each returned array is iid across trials.
    """
    rng = np.random.default_rng(seed)
    w = w_law.draw(rng, (trials, n_out, n_in), sigma)
    if direction == "forward":
        out = np.einsum("toi,ti->to", w, x_law.draw(rng, (trials, n_in), gamma))
    else:
        out = np.einsum("toi,to->ti", w, x_law.draw(rng, (trials, n_out), gamma))
    return out.mean(axis=1), (out**2).mean(axis=1)


def _check_layer(direction: str):
    def check(ctx: Context) -> Outcome:
        rng = np.random.default_rng(ctx.seed)
        names = list(ZERO_MEAN_LAWS)
        cases = [(s, names[i], names[(i + k) % 4]) for k, s in enumerate(LAYER_SHAPES) for i in range(4)]
        a = ctx.alpha / (2 * len(cases))
        ms, holds, worst = [], True, 0.0
        for (n_in, n_out), wn, xn in cases:
            sigma, gamma = float(rng.uniform(0.1, 2)), float(rng.uniform(0.1, 2))
            means, squares = layer_trials(
                n_in,
                n_out,
                ZERO_MEAN_LAWS[wn],
                ZERO_MEAN_LAWS[xn],
                sigma=sigma,
                gamma=gamma,
                trials=LAYER_TRIALS,
                seed=int(rng.integers(2**32)),
                direction=direction,
            )
            fan = n_in if direction == "forward" else n_out
            theory = fan * sigma**2 * gamma**2
            m, m_lo, m_hi = t_interval(means / math.sqrt(theory), a)
            r, r_lo, r_hi = t_interval(squares / theory, a)
            holds &= m_lo <= 0 <= m_hi and r_lo <= 1 <= r_hi
            worst = max(worst, abs(r - 1))
            tag = f"{wn}_w_{xn}_{'x' if direction == 'forward' else 'g'}_{n_in}x{n_out}"
            ms.append(Measurement(f"var_ratio_{tag}", r, (r_lo, r_hi), 1.0))
            ms.append(Measurement(f"mean_over_sd_{tag}", m, (m_lo, m_hi), 0.0))
        ms.insert(0, Measurement("max_abs_var_ratio_error", worst, expected=0.0))
        fan_name = "n_in" if direction == "forward" else "n_out"
        return Outcome(
            holds,
            tuple(ms),
            LAYER_TRIALS * len(cases),
            f"{len(cases)} (weight law, {'input' if direction == 'forward' else 'gradient'} law, layer) cases "
            f"(normal, uniform, Rademacher, scaled t6; random σ, γ), {LAYER_TRIALS} independent layers each; "
            f"t intervals for E[o]/sd and Var[o]/({fan_name}·σ²·γ²) at α = {a:.1g}",
        )

    return check


def _law_tests(x: np.ndarray, law, alpha: float, support: tuple[float, float] | None = None) -> tuple[bool, list]:
    tests = [mean_test(x, law), variance_test(x, law), ad_test(x, law)]
    if support is not None:
        tests += [support_test(x, *support), bound_reach_test(x, law)]
    return all(not t.rejects(alpha / len(tests)) for t in tests), tests


def _check_defaults(ctx: Context) -> Outcome:
    a = ctx.alpha / 2
    n = XAVIER_DRAWS
    w1 = normal(std=0.01)((n,), ctx.seed)
    ok1, t1 = _law_tests(w1, stats.norm(0, 0.01), a)
    w2 = mxnet_default()((n,), ctx.seed + 1)
    ok2, t2 = _law_tests(w2, stats.uniform(-0.07, 0.14), a, support=(-0.07, 0.07))
    bias_ok = bool(np.all(zeros()((1000,), ctx.seed) == 0.0))
    ms = [
        Measurement("normal_0.01_sd", math.sqrt(t1[1].estimate), tuple(math.sqrt(max(v, 0)) for v in t1[1].ci), 0.01),
        Measurement("normal_0.01_mean", t1[0].estimate, t1[0].ci, 0.0),
        Measurement("mxnet_var", t2[1].estimate, t2[1].ci, 0.07**2 / 3),
        Measurement("mxnet_mean", t2[0].estimate, t2[0].ci, 0.0),
        Measurement("mxnet_max_abs", float(np.abs(w2).max()), expected=0.07),
        Measurement("min_p_value", min(t.pvalue for t in t1 + t2)),
    ]
    return Outcome(
        ok1 and ok2 and bias_ok,
        tuple(ms),
        2 * n,
        f"{n:,} draws of each; mean, kurtosis-aware variance and Anderson–Darling tests (+ support and "
        f"bound reach for the uniform), Bonferroni at α = {a:.1g} per law; zero biases exact",
    )


def _check_xavier_normal(ctx: Context) -> Outcome:
    a = ctx.alpha / len(XAVIER_SHAPES)
    ms, holds = [], True
    for k, (n_out, n_in) in enumerate(XAVIER_SHAPES):
        reps = max(1, XAVIER_DRAWS // (n_out * n_in))
        w = np.concatenate([xavier_normal()((n_out, n_in), ctx.seed + 100 * k + r).ravel() for r in range(reps)])
        var = 2.0 / (n_in + n_out)
        ok, tests = _law_tests(w, stats.norm(0, math.sqrt(var)), a)
        holds &= ok
        ms.append(
            Measurement(
                f"var_ratio_{n_out}x{n_in}", tests[1].estimate / var, (tests[1].ci[0] / var, tests[1].ci[1] / var), 1.0
            )
        )
    return Outcome(
        holds,
        tuple(ms),
        XAVIER_DRAWS * len(XAVIER_SHAPES),
        f"shapes {', '.join(f'{o}x{i}' for o, i in XAVIER_SHAPES)} (n_out x n_in); mean, variance 2/(n_in+n_out) "
        f"and Anderson–Darling against N(0, 2/(n_in+n_out)), Bonferroni at α = {a:.1g} per shape",
    )


def _check_xavier_uniform(ctx: Context) -> Outcome:
    a = ctx.alpha / (len(XAVIER_SHAPES) + 1)
    # a²/3 exactly: ∫_{-a}^{a} t²/(2a) dt, by quadrature, against the formula
    worst_int = max(
        abs(integrate.quad(lambda t, h=h: t * t / (2 * h), -h, h)[0] / (h * h / 3) - 1) for h in (0.01, 0.07, 1.0, 3.0)
    )
    ms = [Measurement("a2_over_3_rel_error", worst_int, expected=0.0)]
    holds = worst_int < 1e-12
    for k, (n_out, n_in) in enumerate(XAVIER_SHAPES):
        reps = max(1, XAVIER_DRAWS // (n_out * n_in))
        w = np.concatenate([xavier_uniform()((n_out, n_in), ctx.seed + 100 * k + r).ravel() for r in range(reps)])
        bound = math.sqrt(6.0 / (n_in + n_out))
        ok, tests = _law_tests(w, stats.uniform(-bound, 2 * bound), a, support=(-bound, bound))
        holds &= ok
        var = bound**2 / 3
        ms.append(
            Measurement(
                f"var_ratio_{n_out}x{n_in}", tests[1].estimate / var, (tests[1].ci[0] / var, tests[1].ci[1] / var), 1.0
            )
        )
        ms.append(Measurement(f"max_abs_over_a_{n_out}x{n_in}", float(np.abs(w).max()) / bound, expected=1.0))
    return Outcome(
        holds,
        tuple(ms),
        XAVIER_DRAWS * len(XAVIER_SHAPES),
        "U(-a, a) has variance a²/3 (quadrature, to 1e-12); Xavier uniform draws against U(±sqrt(6/(n_in+n_out))): "
        f"mean, variance, Anderson–Darling, support and bound reach, Bonferroni at α = {a:.1g} per shape",
    )


DEPTH, WIDTH, TRIALS = 30, 64, 60
BAND = 1.1  # "of order 1": the per-layer factor lies in [1/1.1, 1.1]
FIXED_SIGMAS = (0.3, 0.05)  # n·σ² = 5.76 (explodes) and 0.16 (vanishes) at width 64


def _check_depth(ctx: Context) -> Outcome:
    a = ctx.alpha / (2 * (1 + len(FIXED_SIGMAS)))
    ms, holds = [], True
    cases = [("xavier", xavier_normal(), WIDTH**-0.5)] + [(f"sigma_{s:g}", normal(std=s), s) for s in FIXED_SIGMAS]
    for k, (name, init, sigma) in enumerate(cases):
        # geometric-mean factor of the mean square: e^{2λ₁} = n·σ² · (2/n)·e^{ψ(n/2)} (finite-width drift)
        theory = math.exp(2 * lyapunov_exponent(WIDTH, std=sigma))
        f = depth_factors("identity", init, width=WIDTH, depth=DEPTH, trials=TRIALS, seed=ctx.seed + k)
        for way, values in (("forward", f.forward), ("backward", f.backward)):
            m, lo, hi = (math.exp(v) for v in t_interval(values, a))
            if name == "xavier":
                holds &= 1 / BAND < lo and hi < BAND
            else:
                holds &= hi < 1 / BAND or lo > BAND
            ms.append(Measurement(f"{name}_{way}_factor", m, (lo, hi), theory))
    return Outcome(
        holds,
        tuple(ms),
        TRIALS * len(cases),
        f"linear networks of {DEPTH} layers of width {WIDTH}, {TRIALS} initializations each; geometric-mean "
        "per-layer factor of the mean square (theory e^{2λ₁} = n·σ²·(2/n)·e^{ψ(n/2)}), "
        f"t intervals at α = {a:.1g}; Xavier must lie in "
        f"[1/{BAND}, {BAND}], fixed σ outside",
    )


CLAIMS = (
    Claim(
        "init.defaults",
        "Normal(sigma=0.01) and MXNet's default U(−0.07, 0.07) with zero bias draw what they say "
        "(mean 0, variance 0.01² and 0.07²/3, bounds ±0.07).",
        "Parameter Initialization / Default Initialization",
        "statistical",
        _check_defaults,
        "tests/claims/test_defaults.py",
    ),
    Claim(
        "xavier.forward-variance",
        "For o_i = Σ_j w_ij x_j with zero-mean iid weights (variance σ²) independent of inputs of mean 0 and "
        "variance γ²: E[o_i] = 0 and Var[o_i] = n_in·σ²·γ², whatever the laws.",
        "Parameter Initialization / Xavier Initialization",
        "statistical",
        _check_layer("forward"),
        "tests/claims/test_variance.py",
    ),
    Claim(
        "xavier.backward-variance",
        "Backward: the gradient Wᵀg has variance n_out·σ²·Var[g].",
        "Parameter Initialization / Xavier Initialization",
        "statistical",
        _check_layer("backward"),
        "tests/claims/test_variance.py",
    ),
    Claim(
        "xavier.normal",
        "The compromise ½(n_in + n_out)σ² = 1 gives σ² = 2/(n_in + n_out); Xavier normal draws N(0, 2/(n_in + n_out)).",
        "Parameter Initialization / Xavier Initialization",
        "statistical",
        _check_xavier_normal,
        "tests/claims/test_variance.py",
    ),
    Claim(
        "xavier.uniform",
        "U(−a, a) has variance a²/3, so a = sqrt(6/(n_in + n_out)); Xavier uniform draws that law.",
        "Parameter Initialization / Xavier Initialization",
        "statistical",
        _check_xavier_uniform,
        "tests/claims/test_variance.py",
    ),
    Claim(
        "xavier.depth",
        "With Xavier, a deep linear network of equal widths keeps forward and backward variance of order 1 "
        "across depth; a fixed σ does not (it explodes or vanishes).",
        "Parameter Initialization / Xavier Initialization",
        "statistical",
        _check_depth,
        "tests/claims/test_variance.py",
    ),
)
