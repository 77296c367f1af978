"""``identify()``: draw a sampler at several shapes, name the law that explains it, confirm it by ``check``.

The pipeline::

    shapes of the sampler's ranks  ->  draws (drawing.Drawer calls the sampler)
        -> per shape: describe_draws (core.py)  ->  one kind for all shapes
        -> fan rule and gain (rules.py)  ->  a law of the grammar as text
        -> check(sampler, law) at check's own default shapes and seeds: the confirmation

The confirmation draws other shapes from other seeds than the identification (the
identification's seeds come from ``numpy.random.SeedSequence((seed, IDENTIFY_STREAM))``),
so it is a real test of the law found, at check's family-wise alpha. A sampler that builds
none of check's default shapes (a bias, of rank 1) is confirmed at the shapes drawn, from
check's own seeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .. import validate
from ..defaults import DEFAULT_ALPHA
from ..drawing import DEFAULT_TIMEOUT, Drawer, SamplerFault
from ..errors import expected
from ..fans import from_torch, validate_layout
from ..planning import MEMORY_SHARE, _memory_bytes
from ..reproducer import reproducer
from .core import ShapeDescription, describe_draws
from .rules import FanRule, fit_fan_rule, law_text

__all__ = ["IDENTIFY_SHAPES", "VALUES", "Comparison", "Identification", "Step", "compare", "identify",
           "identify_shapes"]

IDENTIFY_STREAM = 0x1D  # the identification's seeds: SeedSequence((seed, IDENTIFY_STREAM)), apart from check's
VALUES = 2**17  # values drawn per shape: the variance to about ±2% at level 1 - 1e-6, a 3% error seen at 0.999
MIN_DRAWS = 4  # draws (seeds) per shape at least: identical draws tell a fixed sampler

#: shapes per rank, in the torch layout ``(out, in, *kernel)``: fan_in, fan_out and their mean change by
#: factors 1.25 to 4 between the shapes of a rank, so the fan modes are told apart
IDENTIFY_SHAPES: dict[int, tuple[tuple[int, ...], ...]] = {
    2: ((64, 256), (256, 64), (128, 128)),
    3: ((32, 16, 5), (16, 64, 3), (48, 48, 3)),
    4: ((32, 16, 3, 3), (16, 64, 3, 3), (48, 48, 1, 1)),
    5: ((16, 8, 3, 3, 3), (8, 32, 3, 3, 3), (12, 12, 2, 2, 2)),
    1: ((64,), (256,), (1024,)),
}


def identify_shapes(ranks: Sequence[int] | None, layout: str = "torch") -> list[tuple[int, ...]]:
    """The shapes drawn, in ``layout``: the dense ones and a 2-D convolution for any rank,
    else the three of the first of ranks 2, 4, 3, 5, 1 the sampler builds.

    >>> identify_shapes((4,), "keras")[0]
    (3, 3, 16, 32)
    """
    if ranks is None:
        torch = [*IDENTIFY_SHAPES[2], IDENTIFY_SHAPES[4][0]]
    else:
        rank = next((r for r in (2, 4, 3, 5, 1) if r in ranks), None)
        if rank is None:
            raise expected("ranks", tuple(ranks), "a rank from 1 to 5 to draw (identify's shapes)")
        torch = list(IDENTIFY_SHAPES[rank])
    return [from_torch(s, layout) if len(s) >= 2 else s for s in torch]


@dataclass(frozen=True)
class Step:
    """One decision of an identification, passed or not.

    Attributes:
        name: ``draws``, ``family``, ``fan rule``, ``law`` or ``confirmation``.
        passed: whether it was decided (a family found, a rule fitted, a law named, the check passed).
        detail: the decision with its numbers.
    """

    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def _shape(s: tuple[int, ...]) -> str:
    return "x".join(map(str, s))


def _shape_words(shapes: Sequence[tuple[int, ...]] | None) -> list[str] | None:
    return None if shapes is None else [_shape(s) for s in shapes]


@dataclass(frozen=True)
class Identification:
    """Which law of the grammar explains a sampler's draws, and check's verdict on it.

    Attributes:
        kind: the kind every shape agrees on (``constant``, ``fixed``, ``orthogonal``,
            ``normal``, ``uniform``, ``truncated_normal``), or ``none``.
        law: the law found, as text :func:`initcheck.laws.parse_law` reads, or None.
        because: why that law (or why none), with the numbers.
        descriptions: one :class:`~initcheck.identification.core.ShapeDescription` per shape drawn.
        rule: the fan rule fitted (iid kinds), or None.
        confirmation: ``check``'s report on the law found (None if none was found).
        steps: every decision, in order.
        layout: the layout the fans were read in.
        seed: as given.
        target: how to name the sampler in a reproducer, if known.
        options: the ``KEY=VALUE`` keyword arguments of the target (for the reproducer).
        shapes: the shapes given to :func:`identify` (for the reproducer), or None for its defaults.
    """

    kind: str
    law: str | None
    because: str
    descriptions: tuple[ShapeDescription, ...]
    rule: FanRule | None
    confirmation: Any
    steps: tuple[Step, ...]
    layout: str
    seed: int
    target: str | None = None
    options: tuple[str, ...] = ()
    shapes: tuple[tuple[int, ...], ...] | None = None

    @property
    def passed(self) -> bool:
        """Whether a law of the grammar was found and check confirmed it."""
        return all(s.passed for s in self.steps) and self.confirmation is not None and self.confirmation.passed

    @property
    def results(self) -> tuple[Step, ...]:
        """Every decision (the same objects as :attr:`findings` for those not passed)."""
        return self.steps

    @property
    def findings(self) -> tuple[Step, ...]:
        """The decisions that failed."""
        return tuple(s for s in self.steps if not s.passed)

    @property
    def reproducer(self) -> str:
        """The command that re-runs this identification."""
        return reproducer("identify", self.target or "MODULE:SAMPLER", kwarg=list(self.options) or None,
                          layout=self.layout, shape=_shape_words(self.shapes), seed=self.seed)

    def summary(self) -> str:
        """One line: the law found and confirmed, or why there is none."""
        n = sum(d.n for d in self.descriptions)
        k = len(self.descriptions)
        drawn = f"{k} shape{'' if k == 1 else 's'}, {n:,} values, seed {self.seed}"
        if self.law is None and self.rule is not None and self.rule.ambiguous:
            return f"the shapes drawn do not decide its law: {self.because} ({drawn})"
        if self.law is None:
            return f"no law of the grammar explains it: {self.because} ({drawn})"
        if self.confirmation is None:
            return f"identified as {self.law}: {self.because}; not confirmed ({drawn})"
        verdict = "confirmed" if self.confirmation.passed else "NOT confirmed"
        return (f"identified as {self.law}: {self.because} ({drawn}); {verdict} by check: "
                f"{self.confirmation.summary()}")

    def sentences(self) -> list[str]:
        """One sentence per failed decision, with the command that reproduces it."""
        out = [f"{s.name}: {s.detail}; re-run: {self.reproducer}" for s in self.findings]
        if self.confirmation is not None and not self.confirmation.passed:
            out += self.confirmation.sentences()
        return out

    def to_dict(self) -> dict[str, Any]:
        """The identification as JSON-ready data."""
        return {
            "passed": self.passed, "kind": self.kind, "law": self.law, "because": self.because,
            "layout": self.layout, "seed": self.seed, "target": self.target, "reproducer": self.reproducer,
            "steps": [s.to_dict() for s in self.steps],
            "shapes": [d.to_dict() for d in self.descriptions],
            "rule": None if self.rule is None else self.rule.to_dict(),
            "confirmation": None if self.confirmation is None else self.confirmation.to_dict(),
        }


def _seeds(seed: int, count: int) -> list[list[int]]:
    state = np.random.SeedSequence((seed, IDENTIFY_STREAM)).generate_state(count * 64)
    return [[int(v) for v in state[i * 64:(i + 1) * 64]] for i in range(count)]


def _draws_needed(shape: tuple[int, ...]) -> int:
    return min(64, max(MIN_DRAWS, math.ceil(VALUES / max(1, math.prod(shape)))))


def _given_shapes(shapes: Sequence[Sequence[int]], ranks: tuple[int, ...] | None) -> list[tuple[int, ...]]:
    """The shapes given, checked: each once, of rank 1 or more and of a rank the sampler builds,
    its draws within memory."""
    if isinstance(shapes, (str, bytes)) or not isinstance(shapes, Sequence):
        raise expected("shapes", shapes, "a sequence of shapes such as [(64, 32), (128, 64)]")
    chosen = [validate.shape(s) for s in shapes]
    if not chosen:
        raise expected("shapes", shapes, "at least one shape")
    have = _memory_bytes()
    for i, s in enumerate(chosen):
        if not s:
            raise expected("shape", s, "a shape of rank 1 or more (a scalar has no fans to tell a rule by)")
        if s in chosen[:i]:
            raise expected("shape", s, "each shape once (this one is given twice)")
        if ranks is not None and len(s) not in ranks:
            words = " or ".join(map(str, ranks))
            raise expected("shape", s, f"a shape the sampler can build: of rank {words} (this one has rank {len(s)})")
        need = 2 * MIN_DRAWS * math.prod(s) * 8  # the draws kept as float64, and their values pooled
        if have and need > MEMORY_SHARE * have:
            raise expected("shape", s, f"a shape whose {MIN_DRAWS} draws fit in memory: they need "
                           f"{need / 2**30:.1f} GiB as float64, more than {MEMORY_SHARE:.0%} of this machine's "
                           f"{have / 2**30:.1f} GiB")
    return chosen


def _faulty(fault: SamplerFault, layout: str, seed: int, target: str | None, options: tuple[str, ...],
            descriptions: tuple[ShapeDescription, ...]) -> Identification:
    step = Step("draws", False, f"the sampler misbehaved: {fault}")
    return Identification("none", None, str(fault), descriptions, None, None, (step,), layout, seed, target, options)


def identify(
    sampler: Callable[..., Any],
    *,
    layout: str | None = None,
    shapes: Sequence[Sequence[int]] | None = None,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    confirm: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
    target: str | None = None,
    options: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> Identification:
    """Identify the law of the grammar that explains ``sampler``'s draws, and confirm it by :func:`initcheck.check`.

    >>> from initcheck import init
    >>> found = identify(init.he_uniform())
    >>> found.law, found.passed
    ('he_uniform', True)

    Args:
        sampler: ``sampler(shape, seed) -> array``, or an :class:`~initcheck.adapters.Adapted`
            (its ``layout`` and ``ranks`` are used).
        layout: how fans are read from shapes (default: the adapted target's, else ``torch``).
        shapes: the shapes to draw, each once, in ``layout`` (default :func:`identify_shapes` for the
            sampler's ``ranks``). Shapes whose fan_out/fan_in ratios differ tell the fan modes
            apart; vectors, one shape, or shapes of one ratio leave the mode ambiguous.
        seed: every draw derives from it; the same seed gives the same identification.
        alpha: the confirming check's family-wise false-alarm probability.
        confirm: run the confirming check (default True).
        timeout: seconds one sampler call may take (None: no limit).
        target: the sampler's name for reproducers (``module:attr``).
        options: the target's ``KEY=VALUE`` keyword arguments, for the reproducer.
        progress: called with a short text before each shape.

    Raises:
        UsageError: a sampler that is not callable, a bad layout or seed, a bad shape (not
            positive integers, a scalar, given twice, of a rank the sampler's ``ranks`` leave
            out, or too large for memory). A misbehaving sampler is a failed ``draws`` step,
            never an exception.
    """
    if not callable(sampler):
        raise expected("sampler", sampler, "a callable sampler(shape, seed) -> array")
    seed = validate.seed(seed)
    layout = validate_layout(layout or getattr(sampler, "layout", None) or "torch")
    ranks = validate.ranks(getattr(sampler, "ranks", None))
    chosen = _given_shapes(shapes, ranks) if shapes is not None else identify_shapes(ranks, layout)
    given = None if shapes is None else tuple(chosen)
    opts = tuple(options)
    descriptions: list[ShapeDescription] = []
    drawer = Drawer(sampler, timeout)
    try:
        for shape, seeds in zip(chosen, _seeds(seed, len(chosen))):
            if progress is not None:
                progress(_shape(shape))
            try:
                arrays = [np.array(drawer.draw(shape, s), copy=True) for s in seeds[:_draws_needed(shape)]]
            except SamplerFault as fault:
                return replace(_faulty(fault, layout, seed, target, opts, tuple(descriptions)), shapes=given)
            descriptions.append(describe_draws(arrays, shape, layout))
    finally:
        drawer.close()
    found = _decide(sampler, tuple(descriptions), layout, seed, alpha, confirm, timeout, target, opts, progress)
    return replace(found, shapes=given)


def _decide(sampler: Callable[..., Any], descriptions: tuple[ShapeDescription, ...], layout: str, seed: int,
            alpha: float, confirm: bool, timeout: float | None, target: str | None, options: tuple[str, ...],
            progress: Callable[[str], None] | None) -> Identification:
    kinds = [d.kind for d in descriptions]
    per_shape = "; ".join(f"{_shape(d.shape)}: {d.reason}" for d in descriptions)
    steps = [Step("draws", True, f"{len(descriptions)} shapes drawn: "
                  + ", ".join(f"{_shape(d.shape)} ({d.draws} draws)" for d in descriptions))]
    if len(set(kinds)) > 1:
        because = "the shapes disagree on the family: " + ", ".join(
            f"{_shape(d.shape)} {d.kind}" for d in descriptions)
        steps.append(Step("family", False, f"{because} ({per_shape})"))
        return Identification("none", None, because, descriptions, None, None, tuple(steps), layout, seed, target,
                              options)
    kind = kinds[0]
    steps.append(Step("family", kind not in ("none", "fixed"), f"{kind} at every shape ({per_shape})"))
    rule = None
    if kind in ("normal", "uniform", "truncated_normal"):
        rule = fit_fan_rule(descriptions, layout)
        if rule.mode is not None:
            detail = f"mode {rule.mode}: {rule.reason}"
        elif rule.ambiguous:
            detail = f"ambiguous between {', '.join(rule.ambiguous)}: {rule.reason}"
        else:
            detail = rule.reason
        steps.append(Step("fan rule", rule.mode is not None, detail))
    law, because = law_text(kind, rule, descriptions)
    if kind not in ("none", "fixed") and (rule is None or rule.mode is not None):
        steps.append(Step("law", law is not None, because if law is None else f"{law}: {because}"))
    confirmation = None
    if law is not None and confirm:
        from ..verdict import check

        if progress is not None:
            progress(f"check {law}")
        at = _confirmation_shapes(law, getattr(sampler, "ranks", None), descriptions)
        confirmation = check(sampler, law, layout=layout, shapes=at, seed=seed, alpha=alpha, timeout=timeout,
                             target=target)
        where = "" if at is None else " (at the shapes drawn: check has no default shape of the sampler's ranks)"
        steps.append(Step("confirmation", confirmation.passed, confirmation.summary() + where))
    return Identification(kind, law, because, descriptions, rule, confirmation, tuple(steps), layout, seed,
                          target, options)


def _confirmation_shapes(law: str, ranks: Any, descriptions: Sequence[ShapeDescription]
                         ) -> list[tuple[int, ...]] | None:
    """None (check's default shapes, other than the identification's), or the shapes drawn when
    the sampler builds none of check's defaults (a bias: rank 1); check's seeds differ either way."""
    from ..planning import DEFAULT_ORTHOGONAL_SHAPES, DEFAULT_SHAPES

    if ranks is None:
        return None
    defaults = DEFAULT_ORTHOGONAL_SHAPES if law.startswith("orthogonal") else DEFAULT_SHAPES
    if any(len(s) in ranks for s in defaults):
        return None
    return [d.shape for d in descriptions]


_LAYOUT_WORDS = {"torch": "torch (out, in, *k)", "mxnet": "mxnet (out, in, *k)"}


def _layout_words(layout: str) -> str:
    return _LAYOUT_WORDS.get(layout, f"{layout} (*k, in, out)")


@dataclass(frozen=True)
class Comparison:
    """Two identifications side by side: does A's law equal B's?

    Attributes:
        a: the first target's identification.
        b: the second's.
        same: True if both found the same law (family, fan mode, gain within their intervals),
            False if they differ, None if neither found a law of the grammar.
        line: the answer in one line.
        names: how the two targets are named in the line.
    """

    a: Identification
    b: Identification
    same: bool | None
    line: str
    names: tuple[str, str] = ("A", "B")

    @property
    def passed(self) -> bool:
        """Whether both laws were found and confirmed, and they are the same."""
        return self.a.passed and self.b.passed and self.same is True

    @property
    def results(self) -> tuple[Step, ...]:
        """Both identifications' decisions, A's first."""
        return self.a.results + self.b.results

    @property
    def findings(self) -> tuple[Step, ...]:
        """Both identifications' failed decisions."""
        return self.a.findings + self.b.findings

    @property
    def reproducer(self) -> str:
        """The command that re-runs the comparison."""
        return reproducer("identify", self.a.target or "MODULE:SAMPLER", self.b.target or "MODULE:SAMPLER",
                          kwarg=list(self.a.options) or None, shape=_shape_words(self.a.shapes), seed=self.a.seed)

    def summary(self) -> str:
        """The answer in one line."""
        return self.line

    def sentences(self) -> list[str]:
        """Both identifications' sentences."""
        return self.a.sentences() + self.b.sentences()

    def to_dict(self) -> dict[str, Any]:
        """Both identifications and the answer, as JSON-ready data."""
        return {"passed": self.passed, "same": self.same, "line": self.line, "reproducer": self.reproducer,
                "a": self.a.to_dict(), "b": self.b.to_dict()}


def _overlap(x: tuple[float, float], y: tuple[float, float]) -> bool:
    return x[0] <= y[1] and y[0] <= x[1]


def _differences(a: Identification, b: Identification, na: str, nb: str) -> list[str]:
    if a.kind != b.kind:
        return [f"{na} draws {a.kind}, {nb} draws {b.kind}"]
    if a.kind == "constant":
        va, vb = a.descriptions[0].value, b.descriptions[0].value
        return [] if va == vb else [f"constants {va:.10g} vs {vb:.10g}"]
    if a.kind == "orthogonal":
        ga, gb = a.descriptions[0].gain or 0.0, b.descriptions[0].gain or 0.0
        return [] if abs(ga / gb - 1) <= 1e-4 else [f"orthogonal gains {ga:.6g} vs {gb:.6g}"]
    ra, rb = a.rule, b.rule
    if ra is None or rb is None or ra.mode is None or rb.mode is None:
        return ["no fan rule to compare"]
    out = []
    if ra.mode != rb.mode:
        out.append(f"fan mode {ra.mode} vs {rb.mode}")
    if not _overlap(ra.gain_interval, rb.gain_interval):
        out.append(f"gain {ra.gain:.5g} [{ra.gain_interval[0]:.5g}, {ra.gain_interval[1]:.5g}] vs "
                   f"{rb.gain:.5g} [{rb.gain_interval[0]:.5g}, {rb.gain_interval[1]:.5g}]")
    return out


def compare(a: Identification, b: Identification, names: tuple[str, str] | None = None) -> Comparison:
    """Compare two identifications: the same family, fan mode and gain (intervals overlapping)?

    Fans are read in each target's own layout, so PyTorch's ``(out, in)`` and Keras's
    ``(in, out)`` weights are compared by what their fans mean, not by their axes.
    """
    na, nb = names or (a.target or "A", b.target or "B")
    layouts = "" if a.layout == b.layout else (
        f" (fans read in each one's layout: {_layout_words(a.layout)} vs {_layout_words(b.layout)})")
    if a.law is None and b.law is None:
        return Comparison(a, b, None, f"neither is a law of the grammar: {na}: {a.because}; {nb}: {b.because}",
                          (na, nb))
    if a.law is None or b.law is None:
        found, other = (b, a) if a.law is None else (a, b)
        nf, no = (nb, na) if a.law is None else (na, nb)
        return Comparison(a, b, False, f"they differ: {nf} is {found.law}, {no} is no law of the grammar "
                          f"({other.because})", (na, nb))
    diffs = _differences(a, b, na, nb)
    if not diffs:
        return Comparison(a, b, True, f"{na}'s default equals {nb}'s: {a.law}{layouts}", (na, nb))
    return Comparison(a, b, False, f"they differ: {'; '.join(diffs)} ({na}: {a.law}; {nb}: {b.law}){layouts}",
                      (na, nb))
