"""``check()``: does a sampler draw the law it claims? A verdict with numbers.

For every shape, the engine plans how many values it needs (so that a relative
variance error of ``tolerance``, or a mean shift of ``tolerance`` claimed
standard deviations, is caught with power ≥ 0.999), draws them from
independent seeds, and runs the tests of :mod:`initcheck.stats` that the law
calls for. All p-values of the verdict form one family, corrected by Holm at
``alpha``: a correct sampler fails a verdict with probability at most alpha.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from . import stats as st
from .defaults import DEFAULT_ALPHA, DEFAULT_TOLERANCE  # named with their reasons in defaults.py
from .drawing import DEFAULT_TIMEOUT, Drawer, SamplerFault
from .errors import expected
from .fans import LAYOUTS, validate_shape
from .laws import Claim, TargetLaw, parse_claim, target_law
from .shapetests import ShapeTests

__all__ = ["DEFAULT_ALPHA", "DEFAULT_SHAPES", "DEFAULT_TOLERANCE", "Finding", "Report", "ShapePlan", "check"]

POWER = 0.999  # power at the tolerance
TESTS_PER_SHAPE = 20  # upper count of tests per shape, for the Bonferroni share used in planning
MAX_CALLS = 2000  # sampler calls per shape at most (tiny shapes would otherwise need 1e5 calls)
ORTHOGONAL_DRAWS = 200  # independent matrices per shape for the Haar tests
SEED_CHECK_DRAWS = 3  # distinct seeds in the seed-dependence check

#: Default shapes, in the torch layout ``(out, in, *kernel)``. Non-square dense both ways,
#: conv 1-D/2-D/3-D, a tiny and a large fan.
DEFAULT_SHAPES: tuple[tuple[int, ...], ...] = (
    (96, 160), (160, 96), (32, 16, 5), (16, 8, 3, 3), (8, 4, 3, 3, 3), (6, 4), (300, 1200),
)
#: orthogonal laws need hundreds of matrices per shape: smaller defaults, same variety
DEFAULT_ORTHOGONAL_SHAPES: tuple[tuple[int, ...], ...] = (
    (40, 24), (24, 40), (24, 24), (32, 16, 5), (16, 8, 3, 3), (8, 4, 3, 3, 3), (6, 4),
)


def _in_layout(shape: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """A torch-layout shape (out, in, *k) in ``layout``."""
    if LAYOUTS[layout] == (1, 0):
        return shape
    return (*shape[2:], shape[1], shape[0])


@dataclass(frozen=True)
class Finding:
    """One test of the verdict: what it checked, where, and what it found.

    Attributes:
        check: the test's name (``variance``, ``shape-ks``, ``support``, ``raises`` ...).
        shape: the shape drawn.
        expected: what the claimed law says (None where no single number).
        observed: what was measured.
        statistic: the test statistic.
        pvalue: its p-value (0 for a violated exact check or a misbehaving sampler).
        n: samples used.
        seed: a seed that reproduces it (the first draw's, or the verdict's seed).
        detail: the test's own sentence.
        rejected: whether Holm's procedure at the verdict's alpha rejects it.
    """

    check: str
    shape: tuple[int, ...]
    expected: float | None
    observed: float
    statistic: float
    pvalue: float
    n: int
    seed: int
    detail: str
    rejected: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return {"check": self.check, "shape": list(self.shape), "expected": self.expected,
                "observed": self.observed, "statistic": self.statistic, "pvalue": self.pvalue, "n": self.n,
                "seed": self.seed, "detail": self.detail, "rejected": self.rejected}


@dataclass(frozen=True)
class ShapePlan:
    """How one shape was checked: its law, the values planned and drawn, and the power achieved."""

    shape: tuple[int, ...]
    law: str
    planned: int
    draws: int
    n: int
    power_variance: float | None
    power_mean: float | None

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data."""
        return {"shape": list(self.shape), "law": self.law, "planned": self.planned, "draws": self.draws,
                "n": self.n, "power_variance": self.power_variance, "power_mean": self.power_mean}


@dataclass(frozen=True)
class Report:
    """The verdict on one sampler against one claim.

    Attributes:
        claim: the claim as parsed (defaults filled in).
        passed: whether the sampler conforms.
        n: scalar values drawn in all.
        findings: the rejected tests (and any misbehaviour of the sampler).
        results: every test run, rejected or not.
        shapes: per shape, the plan and the power achieved.
        seed: as given.
        alpha: as given.
        tolerance: as given.
        layout: as given.
        target: how to name the sampler in a reproducer (``module:attr``), if known.
    """

    claim: str
    passed: bool
    n: int
    findings: tuple[Finding, ...]
    results: tuple[Finding, ...]
    shapes: tuple[ShapePlan, ...]
    seed: int
    alpha: float
    tolerance: float
    layout: str
    target: str | None = None

    @property
    def reproducer(self) -> str:
        """The command that re-runs this verdict."""
        target = self.target or "MODULE:SAMPLER"
        return f"initcheck check {target} --claim '{self.claim}' --layout {self.layout} --seed {self.seed}"

    def sentences(self) -> list[str]:
        """One sentence per finding, with numbers and a way to reproduce it."""
        return [f"{self.claim}: {f.check}: {f.detail} (shape {'x'.join(map(str, f.shape))}, seed {f.seed}, "
                f"p = {f.pvalue:.3g}); re-run: {self.reproducer}" for f in self.findings]

    def summary(self) -> str:
        """One line: conforms or not, with the numbers."""
        verdict = "conforms" if self.passed else f"does NOT conform ({len(self.findings)} finding(s))"
        return (f"{verdict} to {self.claim}: {len(self.results)} tests over {len(self.shapes)} shapes, "
                f"{self.n:,} values, family-wise α = {self.alpha:g}, tolerance {self.tolerance:g}, seed {self.seed}")

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data (what ``initcheck check --json`` prints)."""
        return {"claim": self.claim, "passed": self.passed, "n": self.n, "seed": self.seed, "alpha": self.alpha,
                "tolerance": self.tolerance, "layout": self.layout, "target": self.target,
                "reproducer": self.reproducer, "findings": [f.to_dict() for f in self.findings],
                "shapes": [s.to_dict() for s in self.shapes], "results": [r.to_dict() for r in self.results]}


def _memory_bytes() -> int:
    """Physical memory of this machine (0 if unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


MEMORY_SHARE = 0.5  # a draw (as float64) may take at most this share of physical memory


def _check_fits(shape: tuple[int, ...]) -> None:
    """Refuse, up front, a shape one draw of which would not fit in memory."""
    need = math.prod(shape) * 8
    have = _memory_bytes()
    if have and need > MEMORY_SHARE * have:
        raise expected("shape", shape, f"a shape one draw of which fits in memory: it needs {need / 2**30:.1f} GiB "
                       f"as float64, more than {MEMORY_SHARE:.0%} of this machine's {have / 2**30:.1f} GiB")


def _probability(name: str, value: Any, high: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < float(value) < high:
        raise expected(name, value, f"a number in (0, {high:g})")
    return float(value)


def _result(r: st.TestResult, shape: tuple[int, ...], seed: int) -> Finding:
    return Finding(r.check, shape, r.expected, float(r.estimate), float(r.statistic), float(r.pvalue), int(r.n),
                   seed, r.detail)


def _fault(f: SamplerFault) -> Finding:
    return Finding(f.check, f.shape, None, math.nan, math.inf, 0.0, 0, f.seed, f.detail, rejected=True)


@dataclass
class _Plan:
    values: int
    power_variance: float | None = None
    power_mean: float | None = None
    draws_needed: int = 1


def _plan(target: TargetLaw, size: int, alpha_share: float, tolerance: float) -> _Plan:
    if target.kind == "constant":
        return _Plan(values=size, draws_needed=2)
    if target.kind == "orthogonal":
        return _Plan(values=size * ORTHOGONAL_DRAWS, draws_needed=ORTHOGONAL_DRAWS)
    n = _planned_n(st.kurtosis(target.law), alpha_share, tolerance)
    return _Plan(values=n, draws_needed=max(2, -(-n // size)))


@functools.lru_cache(maxsize=256)
def _planned_n(kurtosis: float, alpha_share: float, tolerance: float) -> int:
    """Values one shape needs: the larger of the variance and the mean test's plans (cached: the
    same law family at the same share plans the same n for every shape)."""
    return max(st.plan_variance_n(tolerance, alpha_share, POWER, kurtosis=kurtosis),
               st.plan_mean_n(tolerance, alpha_share, POWER))


def _draw_seeds(seed: int, index: int, count: int) -> list[int]:
    return [int(s) for s in np.random.SeedSequence([seed, index]).generate_state(count)]


def check(
    sampler: Callable[..., Any],
    claim: str | Claim,
    *,
    layout: str = "torch",
    shapes: Sequence[Sequence[int]] | None = None,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    tolerance: float = DEFAULT_TOLERANCE,
    timeout: float | None = DEFAULT_TIMEOUT,
    target: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Check that ``sampler`` draws the law ``claim`` promises.

    Suppose we wish to know whether our own initializer really is Xavier
    uniform. ``check`` draws from it at several shapes and tests every
    property the law fixes (mean, variance, shape, support, repeated values,
    independence across positions and seeds):

    >>> from initcheck import init
    >>> check(init.xavier_uniform(), "xavier_uniform", shapes=[(64, 32)]).passed
    True
    >>> check(init.xavier_normal(), "xavier_uniform", shapes=[(64, 32)]).passed
    False

    Args:
        sampler: ``sampler(shape, seed) -> array-like`` (see DESIGN.md).
        claim: a law in the ``--claim`` grammar (:mod:`initcheck.laws`).
        layout: how fans are read from shapes (``torch``, ``keras``, ...).
        shapes: shapes to draw (default :data:`DEFAULT_SHAPES`, in ``layout``).
        seed: the seed every draw derives from; the same seed gives the same report.
        alpha: family-wise false-alarm probability of the whole verdict.
        tolerance: relative variance error (and mean shift in claimed stds) to
            catch with power ≥ 0.999; it sets the number of draws.
        timeout: seconds one sampler call may take (None: no limit).
        target: the sampler's name for reproducers (``module:attr``).
        progress: called with a short text before each shape.

    Returns:
        The :class:`Report`.

    Raises:
        UsageError: a bad claim, layout, shape, seed, alpha or tolerance, or a
            sampler that is not callable. A misbehaving sampler is a finding,
            never an exception.
    """
    parsed = parse_claim(claim) if isinstance(claim, str) else claim
    if not callable(sampler):
        raise expected("sampler", sampler, "a callable sampler(shape, seed) -> array")
    if layout not in LAYOUTS:
        raise expected("layout", layout, f"one of {', '.join(LAYOUTS)}")
    alpha = _probability("alpha", alpha)
    tolerance = _probability("tolerance", tolerance, 0.5)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise expected("seed", seed, "a non-negative integer")
    if shapes is None:
        defaults = DEFAULT_ORTHOGONAL_SHAPES if parsed.name == "orthogonal" else DEFAULT_SHAPES
        shape_list = [_in_layout(s, layout) for s in defaults]
    else:
        shape_list = [validate_shape(tuple(s)) for s in shapes]
        if not shape_list:
            raise expected("shapes", shapes, "at least one shape")
    for s in shape_list:
        _check_fits(s)
    targets = [target_law(parsed, s, layout) for s in shape_list]
    share = alpha / (TESTS_PER_SHAPE * len(shape_list))

    drawer = Drawer(sampler, timeout)
    results: list[Finding] = []
    faults: list[Finding] = []
    plans: list[ShapePlan] = []
    total = 0
    try:
        for index, (shape, tl) in enumerate(zip(shape_list, targets)):
            if progress is not None:
                progress(f"{'x'.join(map(str, shape))}: {tl.description}")
            size = math.prod(shape)
            plan = _plan(tl, size, share, tolerance)
            draws = min(plan.draws_needed, MAX_CALLS) if tl.kind == "iid" else plan.draws_needed
            seeds = _draw_seeds(seed, index, draws)
            tests = ShapeTests(tl, layout, seeds[0])
            try:
                for s in seeds:
                    tests.add(drawer.draw(shape, s))
            except SamplerFault as fault:
                faults.append(_fault(fault))
                if fault.check == "timeout":
                    break
                continue
            n = tests.n
            total += n
            results += [_result(r, shape, seeds[0]) for r in tests.results()]
            pv = pm = None
            if tl.kind == "iid":
                kappa = st.kurtosis(tl.law)
                pv = st.power_variance(n, tolerance, share, kurtosis=kappa)
                pm = st.power_mean(n, tolerance, share)
            plans.append(ShapePlan(shape, tl.description, plan.values, tests.draws, n, pv, pm))
        if not faults and shape_list:
            shape0 = min(shape_list, key=math.prod)  # the seed check holds a few draws: the smallest shape
            seeds = _draw_seeds(seed, len(shape_list), SEED_CHECK_DRAWS)
            try:
                # a fresh drawer: the seed check repeats a call, which is not aliasing
                seed_results = st.seed_dependence_test(_Validated(sampler, timeout), shape0, seeds)
                if tl.kind == "constant":  # a constant ignores its seed by right: keep only the repeat check
                    seed_results = seed_results[:1]
                results += [_result(r, shape0, seeds[0]) for r in seed_results]
            except SamplerFault as fault:
                faults.append(_fault(fault))
    finally:
        drawer.close()

    rejected = st.holm([r.pvalue for r in results], alpha) if results else []
    results = [Finding(**{**r.__dict__, "rejected": bool(rej)}) for r, rej in zip(results, rejected)]
    findings = tuple(faults) + tuple(r for r in results if r.rejected)
    return Report(str(parsed), not findings, total, findings, tuple(faults) + tuple(results), tuple(plans), seed,
                  alpha, tolerance, layout, target)


SEED_CHECK_VALUES = 100_000  # values of each draw the seed check compares (a strided sample)


class _Validated:
    """A sampler whose every call goes through a new validating :class:`Drawer`, and which hands
    back a strided sample of at most :data:`SEED_CHECK_VALUES` values of the draw: the seed check
    holds several draws, and this keeps it small whatever the shape."""

    def __init__(self, sampler: Callable[..., Any], timeout: float | None) -> None:
        self.sampler, self.timeout = sampler, timeout

    def __call__(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        drawer = Drawer(self.sampler, self.timeout)
        try:
            flat = drawer.draw(tuple(shape), seed).reshape(-1)
        finally:
            drawer.close()
        return np.array(flat[:: max(1, flat.size // SEED_CHECK_VALUES)], dtype=np.float64)
