"""``check()``: does a sampler draw the law it promises? A verdict with numbers.

For every shape, the engine plans how many values it needs (so that a relative
variance error of ``tolerance``, or a mean shift of ``tolerance`` standard
deviations of the law, is caught with power ≥ 0.999), draws them from
independent seeds, and runs the tests of :mod:`initcheck.stats` that the law
calls for. All p-values of the verdict form one family, corrected by Holm at
``alpha``: a correct sampler fails a verdict with probability at most alpha.

:func:`check` is a pipeline whose data flows one way::

    plan (planning.py)  ->  draws (drawing.py: the only code that calls the sampler)
        -> each shape's results (a design, designs.py)  ->  seed dependence (stats)
        -> one Holm family (correct_family)  ->  the Report

Ranks. A sampler that builds weights of some ranks only says so with an
attribute ``ranks`` (an iterable of ints; missing or None: any rank)::

    def dense_only(shape, seed): ...      # builds (out, in) weights only
    dense_only.ranks = (2,)

An adapted framework initializer (:class:`~initcheck.adapters.Adapted`) carries
its adapter's: ``torch.nn.Linear`` 2, ``Conv2d`` 4, a bias 1. The default
shapes are then filtered to those ranks (the report names the ones left out,
``Report.left_out_shapes``); a shape given explicitly of another rank is a
:class:`~initcheck.errors.UsageError`. The verdict's Bonferroni share counts the
shapes kept, so its false-alarm bound and its power per shape are unchanged.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import planning
from . import stats as st
from ._deprecations import module_getattr, warn_renamed
from .defaults import DEFAULT_ALPHA, DEFAULT_DESIGN, DEFAULT_TOLERANCE  # named with their reasons there
from .designs import Design, ShapeOutcome
from .designs import design as design_named
from .drawing import DEFAULT_TIMEOUT, Drawer, SamplerFault, SeedDraws, draw_seed_check
from .errors import expected
from .laws import Law, parse_law
from .planning import PlannedShape, VerdictPlan, plan_verdict
from .reproducer import reproducer

__all__ = ["DEFAULT_ALPHA", "DEFAULT_SHAPES", "DEFAULT_TOLERANCE", "Report", "Result", "ShapePlan", "check",
           "verdict_of"]


#: Default shapes, in the torch layout ``(out, in, *kernel)``. Non-square dense both ways,
#: conv 1-D/2-D/3-D, a tiny and a large fan. (Orthogonal laws default to smaller ones,
#: ``initcheck.planning.DEFAULT_ORTHOGONAL_SHAPES``.)
DEFAULT_SHAPES = planning.DEFAULT_SHAPES


@dataclass(frozen=True)
class Result:
    """One test of the verdict: what it checked, where, and what it found. A rejected
    result (``rejected=True``) is a *finding*.

    Attributes:
        check: the test's name (``variance``, ``shape-ks``, ``support``, ``raises`` ...).
        shape: the shape drawn.
        expected: what the law says (None where no single number).
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
        """The result as JSON-ready data."""
        return {
            "check": self.check,
            "shape": list(self.shape),
            "expected": self.expected,
            "observed": self.observed,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "n": self.n,
            "seed": self.seed,
            "detail": self.detail,
            "rejected": self.rejected,
        }


@dataclass(frozen=True)
class ShapePlan:
    """How one shape was checked: its law, the values planned and drawn, and the power promised.

    ``power_variance`` and ``power_mean`` are against a relative variance error, and a mean shift in
    the law's sds, of ``tolerance``: the verdict's, or, at a tiny shape under the sequential design,
    the smallest error its draws can promise (None: no such promise). ``stop`` says why the shape
    stopped drawing (``planned``, ``decided``, ``violation`` or ``cut``; see
    :class:`~initcheck.shapetests.ShapeOutcome`).
    """

    shape: tuple[int, ...]
    law: str
    planned: int
    draws: int
    n: int
    power_variance: float | None
    power_mean: float | None
    tolerance: float | None = None
    stop: str = "planned"

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data."""
        return {
            "shape": list(self.shape),
            "law": self.law,
            "planned": self.planned,
            "draws": self.draws,
            "n": self.n,
            "power_variance": self.power_variance,
            "power_mean": self.power_mean,
            "tolerance": self.tolerance,
            "stop": self.stop,
        }


@dataclass(frozen=True)
class Report:
    """The verdict on one sampler against one law.

    Attributes:
        law: the law as parsed (defaults filled in).
        passed: whether the sampler conforms.
        n: scalar values drawn in all.
        findings: the rejected results (and any misbehaviour of the sampler).
        results: every test run, rejected or not (misbehaviour first).
        shapes: per shape, the plan and the power achieved.
        seed: as given.
        alpha: as given.
        tolerance: as given.
        layout: as given.
        target: how to name the sampler in a reproducer (``module:attr``), if known.
        requested_shapes: the shapes the caller asked for (None: the default shapes).
        design: how each shape was tested (``sequential`` or ``fixed``).
        stopped: the shape at which an exact violation stopped the verdict (None: every shape drawn).
        ranks: the ranks the sampler declared it can build (None: any; see the module docstring).
        left_out_shapes: the default shapes left out because the sampler cannot build their rank.
    """

    law: str
    passed: bool
    n: int
    findings: tuple[Result, ...]
    results: tuple[Result, ...]
    shapes: tuple[ShapePlan, ...]
    seed: int
    alpha: float
    tolerance: float
    layout: str
    target: str | None = None
    requested_shapes: tuple[tuple[int, ...], ...] | None = None
    design: str = DEFAULT_DESIGN
    stopped: tuple[int, ...] | None = None
    ranks: tuple[int, ...] | None = None
    left_out_shapes: tuple[tuple[int, ...], ...] = ()

    @property
    def reproducer(self) -> str:
        """The command that re-runs this verdict."""
        asked = self.requested_shapes
        shapes = None if asked is None else ["x".join(map(str, s)) for s in asked]
        return reproducer(
            "check",
            self.target or "MODULE:SAMPLER",
            law=self.law,
            layout=self.layout,
            shape=shapes,
            seed=self.seed,
            alpha=None if self.alpha == DEFAULT_ALPHA else self.alpha,
            tolerance=None if self.tolerance == DEFAULT_TOLERANCE else self.tolerance,
            design=None if self.design == DEFAULT_DESIGN else self.design,
        )

    @property
    def claim(self) -> str:
        """Deprecated name of the law (:attr:`law`)."""
        warn_renamed("Report.claim", "Report.law")
        return self.law

    def sentences(self) -> list[str]:
        """One sentence per finding, with numbers and a way to reproduce it."""
        return [
            f"{self.law}: {f.check}: {f.detail} (shape {'x'.join(map(str, f.shape))}, seed {f.seed}, "
            f"p = {f.pvalue:.3g}); re-run: {self.reproducer}"
            for f in self.findings
        ]

    def summary(self) -> str:
        """One line: conforms or not, with the numbers (and the default shapes left out, if any)."""
        verdict = "conforms" if self.passed else f"does NOT conform ({len(self.findings)} finding(s))"
        stopped = "" if self.stopped is None else (
            f" (stopped at shape {'x'.join(map(str, self.stopped))}: an exact check failed)")
        left_out = f"; {self.left_out()}" if self.left_out_shapes else ""
        return (
            f"{verdict} to {self.law}: {len(self.results)} tests over {len(self.shapes)} shapes{stopped}, "
            f"{self.n:,} values, family-wise α = {self.alpha:g}, tolerance {self.tolerance:g}, seed {self.seed}"
            f"{left_out}"
        )

    def left_out(self) -> str:
        """Which default shapes were left out and why, in words (``""`` if none was)."""
        if not self.left_out_shapes:
            return ""
        ranks = " or ".join(map(str, self.ranks or ()))
        shapes = ", ".join("x".join(map(str, s)) for s in self.left_out_shapes)
        return f"default shapes left out, as the sampler builds rank {ranks} only: {shapes}"

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data (what ``initcheck check --json`` prints)."""
        return {
            "law": self.law,
            "claim": self.law,
            "passed": self.passed,
            "n": self.n,
            "seed": self.seed,
            "alpha": self.alpha,
            "tolerance": self.tolerance,
            "layout": self.layout,
            "target": self.target,
            "reproducer": self.reproducer,
            "design": self.design,
            "stopped": None if self.stopped is None else list(self.stopped),
            "findings": [f.to_dict() for f in self.findings],
            "shapes": [s.to_dict() for s in self.shapes],
            "ranks": None if self.ranks is None else list(self.ranks),
            "left_out_shapes": [list(s) for s in self.left_out_shapes],
            "results": [r.to_dict() for r in self.results],
        }


def check(
    sampler: Callable[..., Any],
    law: str | Law | None = None,
    *,
    layout: str = "torch",
    shapes: Sequence[Sequence[int]] | None = None,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    tolerance: float = DEFAULT_TOLERANCE,
    timeout: float | None = DEFAULT_TIMEOUT,
    target: str | None = None,
    progress: Callable[[str], None] | None = None,
    claim: str | Law | None = None,
    design: str = DEFAULT_DESIGN,
) -> Report:
    """Check that ``sampler`` draws the law it promises, ``law``.

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
        sampler: ``sampler(shape, seed) -> array-like`` (see DESIGN.md); its attribute
            ``ranks``, if set, names the ranks it can build (see the module docstring).
        law: a law of the grammar (:mod:`initcheck.laws`), as text or parsed.
        layout: how fans are read from shapes (``torch``, ``keras``, ...).
        shapes: shapes to draw (default :data:`DEFAULT_SHAPES`, in ``layout``, those of
            the sampler's ``ranks``).
        seed: the seed every draw derives from; the same seed gives the same report.
        alpha: family-wise false-alarm probability of the whole verdict.
        tolerance: relative variance error (and mean shift in the law's stds) to
            catch with power ≥ 0.999; it sets the number of draws.
        timeout: seconds one sampler call may take (None: no limit).
        target: the sampler's name for reproducers (``module:attr``).
        progress: called with a short text before each shape.
        claim: deprecated name of ``law``.
        design: ``sequential`` (screen each shape with exact checks, stop its mean and variance
            tests as soon as they decide) or ``fixed`` (the planned draws at every shape).

    Returns:
        The :class:`Report`.

    Raises:
        UsageError: a bad law, layout, shape, seed, alpha, tolerance or design, a
            shape of a rank the sampler's ``ranks`` leave out (or no default shape of
            them), or a sampler that is not callable. A misbehaving sampler is a finding,
            never an exception.
    """
    parsed = _parsed_law(law, claim)
    if not callable(sampler):
        raise expected("sampler", sampler, "a callable sampler(shape, seed) -> array")
    chosen = design_named(design)
    plan = plan_verdict(parsed, layout=layout, shapes=shapes, seed=seed, alpha=alpha, tolerance=tolerance,
                        ranks=getattr(sampler, "ranks", None))
    run = _draw_and_test(plan, sampler, timeout, chosen, progress)
    return _report(plan, run, correct_family(run.results, plan.alpha), target, chosen.name)


def verdict_of(plan: VerdictPlan, tested: Sequence[tuple[PlannedShape, ShapeOutcome]], *,
               target: str | None, design: str) -> Report:
    """The verdict of shapes already tested (by a design fed from elsewhere, e.g. a model's
    builds), without the seed check: one Holm family at ``plan.alpha``, as :func:`check` does."""
    results = tuple(_result(r, p.shape, p.seeds[0]) for p, outcome in tested for r in outcome.results)
    run = _Run(tuple(tested), (), results)
    return _report(plan, run, correct_family(results, plan.alpha), target, design)


def _parsed_law(law: str | Law | None, claim: str | Law | None) -> Law:
    """The law argument, parsed (``claim`` is its deprecated name)."""
    if claim is not None:
        warn_renamed("check(claim=...)", "check(law=...)", stacklevel=4)
        law = claim if law is None else law
    if law is None:
        raise expected("law", law, "a law such as xavier_uniform or normal(std=0.01)")
    return parse_law(law) if isinstance(law, str) else law


@dataclass(frozen=True)
class _Run:
    """What drawing and testing gave, before the family's correction."""

    tested: tuple[tuple[PlannedShape, ShapeOutcome], ...]  # the shapes whose draws all came
    faults: tuple[Result, ...]  # the sampler's misbehaviour, in the order met
    results: tuple[Result, ...]  # every test, per shape in order, then the seed check


def _draw_and_test(
    plan: VerdictPlan,
    sampler: Callable[..., Any],
    timeout: float | None,
    design: Design,
    progress: Callable[[str], None] | None,
) -> _Run:
    """Draw every shape and test it with ``design``; then, if the sampler behaved, its seeds."""
    drawer = Drawer(sampler, timeout)
    try:
        tested, faults = _test_shapes(plan, drawer, design, progress)
    finally:
        drawer.close()
    results = [_result(r, p.shape, p.seeds[0]) for p, outcome in tested for r in outcome.results]
    if not faults and not any(outcome.violation for _, outcome in tested):
        seed_check = plan.seed_check
        try:
            draws = draw_seed_check(sampler, seed_check.shape, seed_check.seeds, timeout,
                                    adjacent_shape=seed_check.adjacent_shape,
                                    adjacent_seeds=seed_check.adjacent_seeds)
            results += _seed_dependence(plan, draws)
        except SamplerFault as fault:
            faults.append(_fault(fault))
    return _Run(tuple(tested), tuple(faults), tuple(results))


def _test_shapes(
    plan: VerdictPlan,
    drawer: Drawer,
    design: Design,
    progress: Callable[[str], None] | None,
) -> tuple[list[tuple[PlannedShape, ShapeOutcome]], list[Result]]:
    """Each shape's draws through ``design``. A misbehaving sampler leaves that shape out (and,
    if it hung, the shapes after it: the drawer is then unusable)."""
    tested: list[tuple[PlannedShape, ShapeOutcome]] = []
    faults: list[Result] = []
    for planned in plan.shapes:
        if progress is not None:
            progress(f"{'x'.join(map(str, planned.shape))}: {planned.target.description}")
        try:
            seeds = planning.seed_stream(plan.seed, planned.index)  # a design takes as many as it needs
            outcome = design.test_shape(planned, drawer.stream(planned.shape, seeds))
        except SamplerFault as fault:
            faults.append(_fault(fault))
            if fault.check == "timeout":
                break
        else:
            tested.append((planned, outcome))
            if outcome.violation:  # an exact check failed: the verdict cannot pass any more
                break
    return tested, faults


def _seed_dependence(plan: VerdictPlan, draws: SeedDraws) -> list[Result]:
    """The seed contract's results from the seed check's draws: the distinct seeds', then the
    adjacent seeds' (a constant ignores its seed by right: only the repeat check is kept, and
    its plan draws no adjacent seeds)."""
    tests = st.seed_dependence_test(draws.draws, draws.again, draws.seeds)
    if plan.kind == "constant":
        tests = tests[:1]
    results = [_result(r, draws.shape, draws.seeds[0]) for r in tests]
    if plan.kind != "constant" and draws.adjacent_shape is not None:
        base = draws.adjacent_seeds[0]
        results += [_result(r, draws.adjacent_shape, base)
                    for r in st.adjacent_seed_test(*draws.adjacent, base)]
    return results


def correct_family(results: Sequence[Result], alpha: float) -> tuple[Result, ...]:
    """The results with ``rejected`` set by Holm's procedure at ``alpha`` over all their p-values
    (one family: every test at every shape, and the seed check)."""
    rejected = st.holm([r.pvalue for r in results], alpha) if results else []
    return tuple(dataclasses.replace(r, rejected=bool(rej)) for r, rej in zip(results, rejected))


def _report(plan: VerdictPlan, run: _Run, results: tuple[Result, ...], target: str | None,
            design: str) -> Report:
    """The verdict: faults first, then every result; findings are the faults and the rejected."""
    findings = run.faults + tuple(r for r in results if r.rejected)
    shapes = tuple(_shape_plan(p, outcome) for p, outcome in run.tested)
    return Report(
        str(plan.law),
        not findings,
        sum(o.n for _, o in run.tested),
        findings,
        run.faults + results,
        shapes,
        plan.seed,
        plan.alpha,
        plan.tolerance,
        plan.layout,
        target,
        None if plan.default_shapes else tuple(p.shape for p in plan.shapes),
        design=design,
        stopped=next((p.shape for p, o in run.tested if o.violation), None),
        ranks=plan.ranks,
        left_out_shapes=plan.left_out,
    )


def _shape_plan(planned: PlannedShape, outcome: ShapeOutcome) -> ShapePlan:
    return ShapePlan(planned.shape, planned.target.description, planned.values, outcome.calls, outcome.n,
                     outcome.power_variance, outcome.power_mean, outcome.tolerance, outcome.stop)


def _result(r: st.TestResult, shape: tuple[int, ...], seed: int) -> Result:
    return Result(
        r.check, shape, r.expected, float(r.estimate), float(r.statistic), float(r.pvalue), int(r.n), seed, r.detail
    )


def _fault(f: SamplerFault) -> Result:
    return Result(f.check, f.shape, None, math.nan, math.inf, 0.0, 0, f.seed, f.detail, rejected=True)


__getattr__ = module_getattr(__name__, {"Finding": ("initcheck.verdict.Result", lambda: Result)})
