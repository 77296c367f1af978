"""The sequential design: screen each shape with exact checks, then stop as soon as its tests decide.

Each test of a shape is sized for the error it is there to catch, and the shape
draws only what the most demanding of them needs:

- **Screen (every draw).** The sampler's behaviour (:mod:`initcheck.drawing`),
  the support of a bounded law, a constant's value: exact checks, read on
  every draw; the first violation stops the shape and the verdict (it cannot
  pass any more).
- **Fixed-size tests, on a prefix planned in advance.** The shape, tail,
  atom, bound-reach and structure tests see the first ``prefix_calls`` draws,
  a number fixed before any draw, so their p-values are the fixed-sample ones.
  Each is sized for its own alternative at the per-test share of α and power
  ``POWER`` (0.999): the EDF tests for a CDF
  :data:`SHAPE_DISTANCE` away anywhere, the kurtosis test for an excess
  kurtosis off by :data:`KURTOSIS_ERROR` (Student-t(20) at the same variance),
  the structure tests for their :data:`~initcheck.shapetests.STRUCTURE_VALUES`;
  the extremes test (max |x − μ|) needs a few hundred values against a bounded
  law passed off as a normal one of the same variance, far fewer than the prefix;
  for a bounded law, the support and bound-reach checks for the tolerance's
  variance and mean errors, which move a bound (closed forms below).
- **Orthogonal and constant laws** keep their planned draws (2 for a
  constant; ``ORTHOGONAL_DRAWS`` (200) small matrices, which
  the Haar tests need against subtle departures such as a determinant's sign
  convention), screened as they come.
- **Sequential mean and variance tests**, the four one-sided SPRTs of
  :mod:`initcheck.stats.sequential` (variance (1 ± t)σ², mean μ ± tσ), each at
  half of α over an upper bound of the verdict's number of results
  (``reject_share``: a rejection there is one by Holm's first step), valid at
  any stopping by Ville's inequality. They
  read every draw, and the shape stops as soon as one rejects, or once every
  one the bound checks do not already cover has accepted (and the prefix is
  drawn). Each is cut at :func:`~initcheck.stats.sequential.cut_values`, so that
  its power is at least ``1 − BETA − CUT_MISS = POWER``.

A tiny shape whose sequential tests would need more than :data:`MAX_CALLS`
draws at the tolerance is planned at the smallest error it can afford in
:data:`MAX_CALLS` draws, and its report says so; its fixed-size tests take at
most :data:`PREFIX_CALLS` draws and make no promise there. The errors of contamination
classes (a small fraction of values out of bounds or far out) are not sized
for: a rate ε needs ``ln(1000)/ε`` values in all, and the sequential design
draws what its own tests need, fewer than the fixed design.

Bound checks, for a law with finite support [lo, hi] (widened by one rounding
step at the draws' precision) and mean μ: a variance error ``+t`` (scale
``s = √(1 + t)`` about μ) puts a value beyond a bound with probability
``p = 1 − P0(μ − (μ − lo)/s ≤ X ≤ μ + (hi − μ)/s)`` per value, so the support
check catches it in n values with probability ``1 − (1 − p)^n``; a mean shift
``tσ`` likewise with ``p = P0(X > hi − tσ)``. A variance error ``−t``
(``s = √(1 − t)``) keeps every value within ``μ ± s·(bound − μ)``; the
bound-reach test then rejects surely once ``P0(X ≤ μ + s(hi − μ))^n ≤ share/2``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice

import numpy as np
from scipy import stats as sps

from . import planning
from . import stats as st
from .planning import POWER, PlannedShape
from .precision import Precision, as_floats, precision_of, rounding_excess, widen
from .shapetests import EDF_VALUES, STRUCTURE_VALUES, ShapeOutcome, ShapeTests
from .stats.lawmoments import standardized_moments
from .stats.sequential import SPRT, Tilt, cut_values, moment_tilts, power
from .stats.support import fmt

__all__ = [
    "BETA",
    "CUT_MISS",
    "KURTOSIS_ERROR",
    "MAX_CALLS",
    "PREFIX_CALLS",
    "SHAPE_DISTANCE",
    "SequentialDesign",
    "SequentialPlan",
    "plan_sequential",
]

BETA = 9e-4  # Wald's acceptance error of each one-sided SPRT
CUT_MISS = 1e-4  # chance that the SPRT is still undecided at its cut under the error
MAX_CALLS = planning.MAX_CALLS  # draws per shape at most (a tiny shape's promise is then at a coarser error)
PREFIX_CALLS = 250  # draws the fixed-size tests take at most (a tiny shape's make no promise)
MIN_CALLS = 2  # draws per shape at least, unless one draw holds every value its tests need
SHAPE_DISTANCE = 0.05  # the EDF tests are powered against a CDF this far away (KS distance)
KURTOSIS_ERROR = 0.375  # the kurtosis test is powered against this excess-kurtosis error (Student-t(20))
SIDES = ("variance+", "variance-", "mean+", "mean-")


@dataclass(frozen=True)
class SequentialPlan:
    """The sequential plan of one shape of an iid law.

    Attributes:
        prefix_calls: draws every fixed-size test sees.
        cut_calls: draws at most.
        tolerance: the error size of the shape's power promise.
        tilts: the four one-sided tilts (``variance+`` ...).
        waits_for: the one-sided SPRTs that must decide before the shape stops (the others'
            errors are caught by bound checks on the prefix).
        powers: the power promised against each one-sided error.
    """

    prefix_calls: int
    cut_calls: int
    tolerance: float
    tilts: dict[str, Tilt]
    waits_for: tuple[str, ...]
    powers: dict[str, float]


def _z(p: float) -> float:
    return float(sps.norm.isf(p))


def _prefix_values(planned: PlannedShape) -> int:
    """Values the fixed-size tests need, each for its own error."""
    law = planned.target.law
    spread = math.nan
    if st.finite_moment_order(law) > 8.5:
        rho = standardized_moments(law, 8)
        spread = float(rho[8] - rho[4] ** 2)
    return _fixed_size_values(planned.share, spread)


@functools.lru_cache(maxsize=256)
def _edf_values(share: float) -> int:
    """Values the EDF and atoms tests see: what the KS test needs against a CDF SHAPE_DISTANCE away."""
    return min(EDF_VALUES, st.plan_ks_n(SHAPE_DISTANCE, share))


@functools.lru_cache(maxsize=256)
def _fixed_size_values(share: float, kurtosis_spread: float) -> int:
    """The most any fixed-size test needs at ``share``: the EDF tests, the structure tests, and the
    kurtosis test (whose estimate has variance ``kurtosis_spread / n``; nan: no kurtosis test)."""
    need = [_edf_values(share), STRUCTURE_VALUES]
    if math.isfinite(kurtosis_spread):
        need.append(math.ceil(((_z(share / 2) + _z(1 - POWER)) / KURTOSIS_ERROR) ** 2 * kurtosis_spread))
    return max(need)


def _bound_checks(planned: PlannedShape, tolerance: float,
                  bits: Precision | int) -> dict[str, tuple[int, float]]:
    """Per one-sided error a bound check catches: (values it needs, power there). Empty if unbounded."""
    law = planned.target.law
    lo, hi = (float(b) for b in law.support())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return {}
    mu, sd = float(law.mean()), float(law.std())
    lo_w, hi_w = widen(lo, hi, bits)
    beta = 1.0 - POWER
    out: dict[str, tuple[int, float]] = {}

    def support(name: str, p_out: float) -> None:
        if p_out > 0:
            n = math.ceil(math.log(beta) / math.log1p(-p_out))
            out[name] = (n, 1.0 - (1.0 - p_out) ** n)

    s = math.sqrt(1.0 + tolerance)
    support("variance+", 1.0 - float(law.cdf(mu + (hi_w - mu) / s) - law.cdf(mu - (mu - lo_w) / s)))
    support("mean+", float(law.sf(hi_w - tolerance * sd)))
    support("mean-", float(law.cdf(lo_w + tolerance * sd)))
    s = math.sqrt(1.0 - tolerance)
    snap = (hi_w - hi, lo - lo_w)  # within one rounding step of a bound counts as reaching it
    top, bottom = mu + s * (hi - mu), mu - s * (mu - lo)
    if top < hi - 2 * snap[0] and bottom > lo + 2 * snap[1]:
        q = max(float(law.cdf(top)), float(law.sf(bottom)))
        if q < 1.0:
            out["variance-"] = (math.ceil(math.log(_reject(planned) / 2) / math.log(q)), 1.0)
    return out


def _reject(planned: PlannedShape) -> float:
    """The level at which a one-sided test may stop and reject, ×2: Holm's first step rejects it
    whatever the rest of the family (``reject_share``; the planning share if none was set)."""
    return planned.reject_share or planned.share


def plan_sequential(planned: PlannedShape, bits: Precision | int = 53) -> SequentialPlan:
    """The sequential plan of an iid shape, for draws at precision ``bits`` (a format or its
    significand bits)."""
    size = math.prod(planned.shape)
    prefix = _prefix_values(planned)
    tolerance = planned.tolerance
    while True:
        plan = _plan_at(planned, tolerance, bits, prefix, size)
        if plan.cut_calls <= MAX_CALLS or tolerance >= 0.5:
            return plan
        tolerance = min(0.5, tolerance * 1.25)  # a tiny shape: the smallest error it can afford


def _plan_at(planned: PlannedShape, tolerance: float, bits: Precision | int, prefix: int,
             size: int) -> SequentialPlan:
    tilts = moment_tilts(planned.target.law, tolerance)
    a = _reject(planned) / 2
    log_reject = math.log(1 / a)
    bounds = {k: v for k, v in _bound_checks(planned, tolerance, bits).items()
              if v[0] <= planned.values}  # a bound check that needs more than the fixed plan does not count
    prefix = max([min(prefix, planned.values)] + [n for n, _ in bounds.values()])  # never more than fixed
    waits = tuple(k for k in SIDES if k not in bounds)
    cut = max([cut_values(tilts[k], log_reject, CUT_MISS) for k in waits], default=0)
    least = 1 if size >= prefix else MIN_CALLS  # one draw may be enough: the SPRTs then draw on if undecided
    prefix_calls = min(PREFIX_CALLS, max(least, -(-prefix // size)))
    cut_calls = max(prefix_calls, -(-cut // size))
    powers = {k: bounds[k][1] if k in bounds else power(tilts[k], log_reject, BETA, cut_calls * size)
              for k in SIDES}
    return SequentialPlan(prefix_calls, cut_calls, tolerance, tilts, waits, powers)


class _Tail:
    """Moments and support of the draws after the prefix (the prefix's are in :class:`ShapeTests`)."""

    def __init__(self, mu: float) -> None:
        self.mu = mu
        self.n = 0
        self.s1 = 0.0
        self.s2 = 0.0
        self.support: st.TestResult | None = None

    def add(self, a: np.ndarray, low: float, high: float) -> None:
        flat = as_floats(a).reshape(-1)
        d = flat.astype(np.float64, copy=False) - self.mu if self.mu else flat.astype(np.float64, copy=False)
        self.n += d.size
        self.s1 += float(d.sum())
        self.s2 += float(np.dot(d, d))
        if math.isfinite(low) and (float(flat.min()) < low or float(flat.max()) > high):
            r = st.support_test(flat, low, high)
            if self.support is None or r.pvalue < self.support.pvalue:
                self.support = r


class SequentialDesign:
    """Screen, fixed-size tests on a planned prefix, and sequential mean and variance tests."""

    name = "sequential"

    def test_shape(self, planned: PlannedShape, draws: Iterator[np.ndarray]) -> ShapeOutcome:
        """Test one shape from its draws, stopping as soon as its tests decide."""
        if planned.target.kind == "iid":
            return self._iid(planned, draws)
        # constant: its two planned draws; orthogonal: the planned matrices (small, cheap), whose
        # Haar tests need them against subtle departures (a sign convention in a quarter of the
        # determinants, a biased entry), not only against an orthogonality the first one settles
        calls = planned.calls
        tests = ShapeTests(planned.target, planned.layout, planned.seeds[0])
        stop = "planned"
        for draw in islice(draws, calls):
            tests.add(draw)
            if tests.exact_violation:
                stop = "violation"
                break
        results = tuple(tests.results())
        if any(r.pvalue == 0.0 for r in results):
            stop = "violation"
        return ShapeOutcome(results, tests.n, tests.draws, stop=stop)

    def _iid(self, planned: PlannedShape, draws: Iterator[np.ndarray]) -> ShapeOutcome:
        law = planned.target.law
        mu, sd = float(law.mean()), float(law.std())
        # the EDF and atoms tests are sized for their own error (a CDF SHAPE_DISTANCE away)
        edf = _edf_values(planned.share)
        tests = ShapeTests(planned.target, planned.layout, planned.seeds[0], edf_values=edf)
        first = next(draws)
        precision = precision_of(first)
        plan = plan_sequential(planned, precision)
        # rounding to a coarse format changes the mean square a little (exactly, from the law)
        excess = rounding_excess(law, precision)[0] if precision.bits <= 11 else 0.0
        rest = chain([first], draws)
        sprts = {k: SPRT(plan.tilts[k], a=_reject(planned) / 2, beta=BETA) for k in SIDES}
        tail = _Tail(mu)
        lo, hi = (float(b) for b in law.support())
        bounded = math.isfinite(lo) and math.isfinite(hi)
        low, high = widen(lo, hi, precision) if bounded else (-math.inf, math.inf)
        stop = "cut"
        calls = 0
        for draw in islice(rest, plan.cut_calls):
            calls += 1
            if calls <= plan.prefix_calls:
                tests.add(draw)
            else:
                tail.add(draw, low, high)
            if tests.exact_violation or (tail.support is not None and tail.support.pvalue == 0.0):
                stop = "violation"
                break
            rm = tests.moments
            assert rm is not None
            n = rm.n + tail.n
            s1, s2 = rm.sums[0] + tail.s1, rm.sums[1] + tail.s2
            for k, sprt in sprts.items():
                sprt.update((s2 - n * excess) / (sd * sd) if k.startswith("variance") else s1 / sd, n)
            if any(s.decision == "reject" for s in sprts.values()):
                stop = "decided"
                break
            if calls >= plan.prefix_calls and all(sprts[k].decision for k in plan.waits_for):
                stop = "decided" if plan.waits_for else "planned"
                break
        rm = tests.moments
        assert rm is not None
        n = rm.n + tail.n
        moments = _moment_results(planned, sprts, n, rm.sums[0] + tail.s1, rm.sums[1] + tail.s2 - n * excess)
        fixed = [r for r in tests.results() if r.check not in ("mean", "variance")]
        if tail.support is not None and tail.support.pvalue == 0.0:
            fixed = [tail.support if r.check == "support" else r for r in fixed]
        results = tuple(moments + fixed)
        p_var = min(plan.powers["variance+"], plan.powers["variance-"])
        p_mean = min(plan.powers["mean+"], plan.powers["mean-"])
        return ShapeOutcome(results, n, calls, p_var, p_mean, plan.tolerance, stop)


def _moment_results(planned: PlannedShape, sprts: dict[str, SPRT], n: int, s1: float,
                    s2: float) -> list[st.TestResult]:
    """The sequential mean and variance tests as results (two-sided: Bonferroni over the sides)."""
    law = planned.target.law
    mu, sd = float(law.mean()), float(law.std())
    var = sd * sd
    kappa = st.kurtosis(law)
    q = _z((1 - st.DEFAULT_LEVEL) / 2)
    out = []
    for stat, up, down in (("mean", "mean+", "mean-"), ("variance", "variance+", "variance-")):
        hi, lo = sprts[up], sprts[down]
        p = min(1.0, 2.0 * min(hi.pvalue, lo.pvalue))
        decided = "rejected" if "reject" in (hi.decision, lo.decision) else (
            "accepted" if hi.decision == lo.decision == "accept" else "undecided")
        if stat == "mean":
            est, expect, half = mu + s1 / n, mu, q * sd / math.sqrt(n)
            null, what = f"E[x] = {fmt(mu)}", f"sample mean {fmt(est)} vs {fmt(mu)} ({(est - mu) / sd:+.4f} sd)"
        else:
            est, expect, half = s2 / n, var, q * var * math.sqrt((kappa - 1) / n)
            null = f"E[(x - {fmt(mu)})^2] = {fmt(var)}"
            what = f"sample variance {fmt(est)} vs {fmt(var)} (ratio {est / var:.4f})"
        detail = (f"sequential: {what}; log-likelihood ratios against the ±{planned.tolerance:g} errors "
                  f"{hi.log_lr:.3g} / {lo.log_lr:.3g} (reject at {hi.log_reject:.3g}, accept at "
                  f"{hi.log_accept:.3g}): {decided} after {n:,} values")
        out.append(st.TestResult(stat, null, max(hi.max_log_lr, lo.max_log_lr), p, n, est,
                                 (est - half, est + half), expect, detail))
    return out
