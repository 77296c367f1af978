"""Wald's sequential probability ratio test on an exponential tilt of a law, valid at any stopping.

For a law P0 with mean μ and sd σ, and a per-value statistic ``g`` (the
*variance* statistic ``((x − μ)/σ)²`` or the *mean* statistic ``(x − μ)/σ``),
the tilt with slope λ is the law P_λ with density ``p0(x) e^{λ g(x) − K(λ)}``,
where ``K(λ) = log E0[e^{λ g(X)}]`` is computed exactly from P0 (in closed form
for a normal law, by quadrature otherwise). After n values the log-likelihood
ratio of P_λ against P0 is::

    L_n = λ Σ g(x_i) − n K(λ)

Under P0, ``e^{L_n}`` is a non-negative martingale of mean 1, so by Ville's
inequality ``P0(sup_n L_n ≥ log(1/a)) ≤ a`` whatever the stopping rule:
``p = min(1, e^{−max L})`` is a valid p-value whenever it is read. Under P_λ,
``e^{−L_n}`` is such a martingale, so ``P_λ(L ever ≤ log β) ≤ β``: accepting
P0 when L falls to ``log β`` errs with probability at most β against P_λ.

For a normal law the tilts are exactly the errors a verdict is planned for:
slope ``t / (2(1 + t))`` on the variance statistic is ``N(μ, (1 + t)σ²)``,
slope ``−t / (2(1 − t))`` is ``N(μ, (1 − t)σ²)``, slope ``±t`` on the mean
statistic is ``N(μ ± tσ, σ²)``. The same slopes are used for every law: the
false-alarm bound holds for any slope (K is the law's own), only the
alternative they are most powerful against changes.

Power, for reporting and planning: the log-likelihood ratio is a random walk
of drift ``KL(P_λ ‖ P0) = λK'(λ) − K(λ)`` and variance ``λ²K''(λ)`` per value
under P_λ; read as a Brownian motion, its time to reach ``log(1/a)`` is
inverse Gaussian. A test cut at n values (``truncation``) misses P_λ with
probability at most ``β + P(T > n)``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from ..errors import expected

__all__ = ["SPRT", "Tilt", "cut_values", "moment_tilts", "power", "tilt"]

Statistic = Literal["variance", "mean"]


@dataclass(frozen=True)
class Tilt:
    """One tilt of a standardized law and what the SPRT needs of it.

    Attributes:
        statistic: ``variance`` (g = z²) or ``mean`` (g = z), z = (x − μ)/σ.
        slope: λ.
        cgf: K(λ) = log E0[e^{λ g}].
        drift: KL(P_λ ‖ P0) = λ K'(λ) − K(λ), the log-likelihood ratio's drift per value under P_λ.
        spread: λ² K''(λ), its variance per value under P_λ.
        null_drift: −KL(P0 ‖ P_λ) = λ E0[g] − K(λ), its drift per value under P0.
        null_spread: λ² Var0(g), its variance per value under P0.
    """

    statistic: Statistic
    slope: float
    cgf: float
    drift: float
    spread: float
    null_drift: float
    null_spread: float


def _standard(law: Any) -> tuple[str, tuple[float, ...]]:
    """The law's family and shape parameters: all a standardized statistic depends on."""
    shapes, _, _ = law.dist._parse_args(*law.args, **law.kwds)
    return law.dist.name, tuple(float(s) for s in shapes)


def tilt(law: Any, statistic: Statistic, slope: float) -> Tilt:
    """The tilt of ``law`` with ``slope`` on ``statistic`` (the law: a frozen scipy distribution)."""
    if statistic not in ("variance", "mean"):
        raise expected("statistic", statistic, "'variance' or 'mean'")
    name, shapes = _standard(law)
    return _tilt(name, shapes, statistic, float(slope))


@functools.lru_cache(maxsize=512)
def _tilt(name: str, shapes: tuple[float, ...], statistic: Statistic, lam: float) -> Tilt:
    if name == "norm":  # closed forms
        if statistic == "mean":
            return Tilt(statistic, lam, lam * lam / 2, lam * lam / 2, lam * lam, -lam * lam / 2, lam * lam)
        if not lam < 0.5:
            raise expected("slope", lam, "a slope below 1/2 (a variance tilt of a normal law)")
        v = 1.0 / (1.0 - 2.0 * lam)  # E_λ[z²]
        k = -0.5 * math.log1p(-2.0 * lam)
        return Tilt(statistic, lam, k, lam * v - k, lam * lam * 2.0 * v * v, lam - k, lam * lam * 2.0)
    law = getattr(stats, name)(*shapes)
    mu, sd = float(law.mean()), float(law.std())

    def g(x: Any) -> Any:
        z = (np.asarray(x, dtype=float) - mu) / sd
        return z * z if statistic == "variance" else z

    m0 = [float(law.expect(lambda x, k=k: g(x) ** k * np.exp(lam * g(x)))) for k in (0, 1, 2)]
    e0 = [float(law.expect(lambda x, k=k: g(x) ** k)) for k in (1, 2)]
    k = math.log(m0[0])
    mean_alt = m0[1] / m0[0]
    var_alt = m0[2] / m0[0] - mean_alt**2
    return Tilt(statistic, lam, k, lam * mean_alt - k, lam * lam * var_alt, lam * e0[0] - k,
                lam * lam * (e0[1] - e0[0] ** 2))


def moment_tilts(law: Any, tolerance: float) -> dict[str, Tilt]:
    """The four one-sided tilts of a verdict at ``tolerance``: ``variance+``, ``variance-``, ``mean+``,
    ``mean-`` (for a normal law: the variance (1 ± t)σ² and the mean μ ± tσ exactly)."""
    t = float(tolerance)
    if not 0.0 < t < 1.0:
        raise expected("tolerance", tolerance, "a relative error in (0, 1)")
    return {
        "variance+": tilt(law, "variance", t / (2.0 * (1.0 + t))),
        "variance-": tilt(law, "variance", -t / (2.0 * (1.0 - t))),
        "mean+": tilt(law, "mean", t),
        "mean-": tilt(law, "mean", -t),
    }


def _miss_after(t: Tilt, log_reject: float, n: float) -> float:
    """P(the walk under P_λ has not reached ``log_reject`` after n values): inverse Gaussian survival."""
    if n <= 0:
        return 1.0
    mean = log_reject / t.drift
    shape = log_reject**2 / t.spread
    return float(stats.invgauss.sf(n, mean / shape, scale=shape))


@functools.lru_cache(maxsize=1024)
def power(t: Tilt, log_reject: float, beta: float, n: float) -> float:
    """A lower bound on the SPRT's power against P_λ when cut at ``n`` values: ``1 − β − P(T > n)``."""
    return max(0.0, 1.0 - beta - _miss_after(t, log_reject, n))


@functools.lru_cache(maxsize=1024)
def cut_values(t: Tilt, log_reject: float, miss: float) -> int:
    """The fewest values n after which the walk under P_λ is still short of ``log_reject`` with
    probability at most ``miss`` (where to cut the SPRT)."""
    mean = log_reject / t.drift
    shape = log_reject**2 / t.spread
    return math.ceil(float(stats.invgauss.isf(miss, mean / shape, scale=shape)))


class SPRT:
    """One one-sided SPRT: rejects P0 at ``L ≥ log(1/a)``, accepts it at ``L ≤ log β``.

    It reads the running sum of the statistic (``update(total, n)``), so whoever feeds it may
    sum over the values in any batches. Once decided it stays decided.

    >>> from scipy import stats
    >>> t = tilt(stats.norm(0, 1), "variance", 0.2)
    >>> s = SPRT(t, a=1e-6, beta=1e-3)
    >>> s.update(total=2.0 * 500, n=500).decision  # z² averaging 2: the variance is not 1
    'reject'
    >>> s.pvalue < 1e-6
    True
    """

    def __init__(self, t: Tilt, *, a: float, beta: float) -> None:
        self.tilt = t
        self.log_reject = math.log(1.0 / a)
        self.log_accept = math.log(beta)
        self.beta = beta
        self.log_lr = 0.0
        self.max_log_lr = 0.0
        self.n = 0
        self.decision: Literal["reject", "accept"] | None = None

    def update(self, total: float, n: int) -> SPRT:
        """Read the statistic's running sum over the first ``n`` values. Returns self."""
        self.n = n
        self.log_lr = self.tilt.slope * total - n * self.tilt.cgf
        self.max_log_lr = max(self.max_log_lr, self.log_lr)
        if self.decision is None:
            if self.log_lr >= self.log_reject:
                self.decision = "reject"
            elif self.log_lr <= self.log_accept:
                self.decision = "accept"
        return self

    @property
    def pvalue(self) -> float:
        """``min(1, e^{−max L})``: valid at any stopping (Ville)."""
        return min(1.0, math.exp(-self.max_log_lr))
