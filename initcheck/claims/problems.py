"""The chapter's Problems 2–4: constant starts in convex models, singular values
of products, and LARS. (Problem 1, other symmetries, is in :mod:`.symmetry`.)"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from ..activations import get_activation
from ..init import orthogonal, xavier_normal
from ..losses import softmax_cross_entropy, squared_error
from ..mlp import MLP, backward, build_mlp, forward, lars_step, sgd_step
from .base import Claim, Context, Measurement, Outcome

__all__ = ["CLAIMS", "gd_regression", "lars_update_spread", "qr_lyapunov", "singular_value_bounds"]

OPT_TOL = 1e-8  # distance between the two optima after convergence (both within 1e-10 of the optimum)
REL_TOL = 1e-10  # singular-value inequalities, relative, for products of two well-scaled matrices


# --- Problem 2: constant initialization of linear and softmax regression --------------


def gd_regression(
    kind: str, start: float | None, *, seed: int, steps: int = 3000, l2: float = 1e-2
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent on linear (``kind="linear"``) or softmax regression.

    ``start`` is the constant every weight starts at, or None for a random start.
    Softmax regression carries an L2 penalty ``l2/2·‖W‖²`` (without one, adding
    a constant to every class's weights changes nothing and the optimum is not
    unique). Returns the final weights and the first gradient.
    """
    rng = np.random.default_rng(seed)
    n, d, k = 200, 6, 3
    x = rng.normal(size=(n, d))
    if kind == "linear":
        y = x @ rng.normal(size=(d, 1)) + 0.1 * rng.normal(size=(n, 1))
        out, loss, reg = 1, squared_error, 0.0
    else:
        y = rng.integers(k, size=n)
        out, loss, reg = k, softmax_cross_entropy, l2
    init_rng = np.random.default_rng(seed + 1)
    w = np.full((out, d), start) if start is not None else init_rng.normal(size=(out, d))
    net = MLP([w], [np.zeros(out)], [get_activation("identity")])
    lr = 1.0 / (np.linalg.eigvalsh(x.T @ x / n).max() * (1.0 if kind == "linear" else 0.5) + reg)
    first = None
    for _ in range(steps):
        fwd = forward(net, x)
        _, g_out = loss(fwd.output, y)
        grads = backward(net, fwd, g_out)
        grads.weights[0] = grads.weights[0] + reg * net.weights[0]
        if first is None:
            first = grads.weights[0].copy()
        net = sgd_step(net, grads, lr)
    return np.concatenate([net.weights[0].ravel(), net.biases[0]]), first


def _check_constant_regression(ctx: Context) -> Outcome:
    ms = []
    holds = True
    for kind in ("linear", "softmax"):
        w_const, g_const = gd_regression(kind, 0.5, seed=ctx.seed)
        w_rand, _ = gd_regression(kind, None, seed=ctx.seed)
        gap = float(np.abs(w_const - w_rand).max())
        ms.append(Measurement(f"{kind}_optimum_gap", gap, expected=0.0))
        if kind == "softmax":
            # symmetry is broken by the data: the classes' first gradients differ
            spread = float(np.ptp(g_const, axis=0).max())
            ms.append(Measurement("softmax_first_gradient_class_spread", spread))
            holds &= spread > 0
        holds &= gap <= OPT_TOL
    return Outcome(
        holds, tuple(ms), 4,
        "gradient descent from W = 0.5 and from a random start on the same data; both are convex "
        f"(softmax with an L2 penalty), so they reach one optimum (tolerance {OPT_TOL:g})",
    )


# --- Problem 3: singular values of a product --------------------------------------------


def singular_value_bounds(a: np.ndarray, b: np.ndarray) -> float:
    """Largest relative violation of σ_min(A)σ_min(B) ≤ σ_i(AB) ≤ σ_max(A)σ_max(B) (≤ 0 if none)."""
    sa, sb = np.linalg.svd(a, compute_uv=False), np.linalg.svd(b, compute_uv=False)
    sab = np.linalg.svd(a @ b, compute_uv=False)
    hi, lo = sa[0] * sb[0], sa[-1] * sb[-1]
    return float(max((sab.max() - hi) / hi, (lo - sab.min()) / hi))


def qr_lyapunov(width: int, factors: int, repeats: int, *, seed: int, std: float = 1.0) -> np.ndarray:
    """Per-factor log growth of each direction of a Gaussian product, by QR iteration.

    ``G_k Q_{k-1} = Q_k R_k``; the Lyapunov exponent λ_i is the mean of ln|R_k[i,i]|.
    For Gaussian factors the terms are independent across k and i with
    ``R[i,i]² ~ σ² χ²_{n-i+1}`` (Bartlett), so the mean has the closed form
    ``½(ln σ² + ln 2 + ψ((n-i+1)/2))``. Returns shape ``(repeats, width)``:
    the average of ln|R[i,i]| over the factors, one row per repeat.
    """
    rng = np.random.default_rng(seed)
    q = np.broadcast_to(np.eye(width), (repeats, width, width)).copy()
    acc = np.zeros((repeats, width))
    for _ in range(factors):
        q, r = np.linalg.qr(rng.normal(0.0, std, size=(repeats, width, width)) @ q)
        acc += np.log(np.abs(np.diagonal(r, axis1=1, axis2=2)))
    return acc / factors


def _check_singular_values(ctx: Context) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    pairs = 2000
    worst = -math.inf
    for _ in range(pairs):
        n = int(rng.integers(2, 12))
        # ill-conditioned factors too: columns scaled over 6 decades
        a = rng.normal(size=(n, n)) * 10.0 ** rng.uniform(-3, 3, size=n)
        b = rng.normal(size=(n, n)) * 10.0 ** rng.uniform(-3, 3, size=n)
        worst = max(worst, singular_value_bounds(a, b))
    # conditioning of a chain: ln κ of a Gaussian product grows at rate λ1 - λn per factor
    width, factors, repeats = 4, 100, 400
    lyap = qr_lyapunov(width, factors, repeats, seed=ctx.seed + 1)
    gap = lyap[:, 0] - lyap[:, -1]
    theory = 0.5 * float(special.digamma(width / 2) - special.digamma(0.5))
    sd = 0.5 * math.sqrt(float(special.polygamma(1, width / 2) + special.polygamma(1, 0.5)) / factors)
    z = (gap.mean() - theory) / (sd / math.sqrt(repeats))
    p = 2 * stats.norm.sf(abs(z))
    half = stats.norm.isf(ctx.alpha / 2) * sd / math.sqrt(repeats)
    # orthogonal factors: the chain stays perfectly conditioned
    o = orthogonal()
    prod = np.eye(width)
    for k in range(factors):
        prod = o((width, width), ctx.seed + 10 + k) @ prod
    kappa = float(np.linalg.cond(prod))
    return Outcome(
        worst <= REL_TOL and p > ctx.alpha and abs(kappa - 1) <= 1e-10,
        (
            Measurement("max_relative_violation", max(worst, 0.0), expected=0.0),
            Measurement("log_condition_growth_per_factor", float(gap.mean()),
                        (float(gap.mean() - half), float(gap.mean() + half)), theory),
            Measurement("orthogonal_chain_condition", kappa, expected=1.0),
        ),
        pairs + repeats * factors,
        f"{pairs} random pairs (sizes 2-11, scales over 6 decades), exact to {REL_TOL:g}; "
        f"ln κ growth of 4x4 Gaussian chains, z-test against ½(ψ(2) − ψ(½)), α = {ctx.alpha:.1g}",
    )


# --- Problem 4: LARS ----------------------------------------------------------------------


def lars_update_spread(seed: int, *, depth: int = 8, width: int = 64, lr: float = 0.1) -> tuple[float, float]:
    """Spread (max/min across layers) of the relative update ‖ΔW_l‖/‖W_l‖ of one step.

    A deep sigmoid MLP at Xavier initialization, one batch; returns (SGD, LARS).
    """
    rng = np.random.default_rng(seed)
    net = build_mlp([width] * (depth + 1), "sigmoid", weight_sampler=xavier_normal(), seed=seed)
    x = rng.normal(size=(32, width))
    fwd = forward(net, x)
    _, g = squared_error(fwd.output, rng.normal(size=(32, width)))
    grads = backward(net, fwd, g)

    def spread(new: MLP) -> float:
        rel = [np.linalg.norm(w1 - w0) / np.linalg.norm(w0) for w0, w1 in zip(net.weights, new.weights)]
        return float(max(rel) / min(rel))

    return spread(sgd_step(net, grads, lr)), spread(lars_step(net, grads, lr, trust=1.0))


LARS_TRIALS = 50
SGD_MIN_SPREAD = 100.0  # "orders of magnitude": at least two


def _check_lars(ctx: Context) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    sgd, lars = zip(*(lars_update_spread(int(s)) for s in rng.integers(2**32, size=LARS_TRIALS)))
    log_sgd = np.log10(sgd)
    # one-sided t interval for the mean log10 spread of plain SGD
    lo = float(log_sgd.mean() - stats.t.isf(ctx.alpha, LARS_TRIALS - 1) * log_sgd.std(ddof=1) / math.sqrt(LARS_TRIALS))
    worst_lars = float(max(lars))
    return Outcome(
        lo > math.log10(SGD_MIN_SPREAD) and abs(worst_lars - 1) <= 1e-9,
        (
            Measurement("sgd_update_spread_decades", float(log_sgd.mean()), (lo, math.inf)),
            Measurement("lars_update_spread", worst_lars, expected=1.0),
        ),
        LARS_TRIALS,
        f"{LARS_TRIALS} 8-layer sigmoid MLPs at Xavier init; spread = max/min over layers of "
        f"‖ΔW‖/‖W‖; SGD: one-sided t bound > {math.log10(SGD_MIN_SPREAD):g} decades at α = {ctx.alpha:.1g}; "
        "LARS: 1 to 1e-9",
    )


CLAIMS = (
    Claim(
        "problems.constant-regression",
        "Linear and softmax regression may start with all weights equal: gradient descent from a constant "
        "start reaches the same optimum as from a random one.",
        "Problems / 2",
        "exact",
        _check_constant_regression,
        "tests/claims/test_problems.py",
    ),
    Claim(
        "problems.singular-values",
        "σ_min(A)σ_min(B) ≤ σ_i(AB) ≤ σ_max(A)σ_max(B); so a chain of Gaussian Jacobians grows ill-conditioned "
        "(ln κ rises by ½(ψ(n/2) − ψ(½)) per factor) while an orthogonal chain stays at κ = 1.",
        "Problems / 3",
        "statistical",
        _check_singular_values,
        "tests/claims/test_problems.py",
    ),
    Claim(
        "problems.lars",
        "LARS's trust ratio η‖w‖/‖∇w‖ gives every layer an update of norm η·lr·‖w‖, fixing per-layer update "
        "scales that plain SGD spreads over orders of magnitude in a deep sigmoid MLP.",
        "Problems / 4",
        "statistical",
        _check_lars,
        "tests/claims/test_problems.py",
    ),
)
