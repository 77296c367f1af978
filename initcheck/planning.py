"""How a verdict is planned: its shapes, the law at each, α's share, and the draws per shape.

Planning draws nothing. From the law, the layout, the shapes (or the defaults,
read in the layout), the seed, α and the tolerance it fixes, for every shape,
the target law (:func:`initcheck.laws.target_law`), the number of values the
tests need (so that a relative variance error of ``tolerance``, or a mean shift
of ``tolerance`` standard deviations of the law, is caught with power
:data:`POWER` at α's Bonferroni share per test) and the seed of every sampler
call; and for the seed check, the smallest shape and its seeds, and the shape
and the even seed ``b`` at which it draws the adjacent seeds ``b`` and ``b + 1``.
The same arguments give the same plan.

Ranks. A sampler that can build weights of some ranks only (``torch.nn.Linear``:
2; ``Conv2d``: 4) declares them (``sampler.ranks``, read by
:func:`initcheck.check`; an :class:`~initcheck.adapters.Adapted` carries the
adapter's). The default shapes are then filtered to those ranks, in their
order, and the plan records the ones left out (``VerdictPlan.left_out``);
shapes the caller gave are never filtered: one of another rank is a usage
error. The Bonferroni share below counts the shapes planned, so a verdict on
fewer shapes keeps its false-alarm bound (and its power at each shape).

Values per shape, for an iid law of kurtosis κ at share s and tolerance t::

    n = max(plan_variance_n(t, s, POWER, kurtosis=κ), plan_mean_n(t, s, POWER))
    calls = min(MAX_CALLS, max(2, ceil(n / size)))

a constant law takes 2 calls (one value each per entry), an orthogonal law
:data:`ORTHOGONAL_DRAWS` matrices.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from . import stats as st
from . import validate
from .drawing import SEED_CHECK_VALUES
from .errors import expected
from .fans import from_torch, validate_layout
from .laws import Law, TargetLaw, target_law

__all__ = [
    "DEFAULT_ORTHOGONAL_SHAPES",
    "DEFAULT_SHAPES",
    "MAX_CALLS",
    "ORTHOGONAL_DRAWS",
    "POWER",
    "SEED_CHECK_DRAWS",
    "SEED_CHECK_RESULTS",
    "TESTS_PER_SHAPE",
    "PlannedShape",
    "SeedCheckPlan",
    "VerdictPlan",
    "adjacent_shape",
    "distinct_seeds",
    "draw_seeds",
    "plan_shape",
    "plan_verdict",
    "seed_stream",
    "power_at",
    "values_and_calls",
]

POWER = 0.999  # power at the tolerance
TESTS_PER_SHAPE = 20  # upper count of tests per shape, for the Bonferroni share used in planning
SEED_CHECK_RESULTS = 6  # upper count of the seed check's results (repeat, distinct, corr; adjacent, shift, corr)
MAX_CALLS = 2000  # sampler calls per shape at most (tiny shapes would otherwise need 1e5 calls)
ORTHOGONAL_DRAWS = 200  # independent matrices per shape for the Haar tests
SEED_CHECK_DRAWS = 3  # distinct seeds in the seed-dependence check
MEMORY_SHARE = 0.5  # a draw (as float64) may take at most this share of physical memory

#: Default shapes, in the torch layout ``(out, in, *kernel)``. Non-square dense both ways,
#: conv 1-D/2-D/3-D, a tiny and a large fan.
DEFAULT_SHAPES: tuple[tuple[int, ...], ...] = (
    (96, 160), (160, 96), (32, 16, 5), (16, 8, 3, 3), (8, 4, 3, 3, 3), (6, 4), (300, 1200),
)
#: orthogonal laws need hundreds of matrices per shape: smaller defaults, same variety
DEFAULT_ORTHOGONAL_SHAPES: tuple[tuple[int, ...], ...] = (
    (40, 24), (24, 40), (24, 24), (32, 16, 5), (16, 8, 3, 3), (8, 4, 3, 3, 3), (6, 4),
)


@dataclass(frozen=True)
class PlannedShape:
    """The plan of one shape.

    Attributes:
        index: its place among the verdict's shapes (its draws' seeds derive from it).
        shape: the shape to draw, in ``layout``.
        layout: how its fans (and units) are read.
        target: what the law means for it.
        values: the values its tests need (more than it draws where :data:`MAX_CALLS` caps).
        seeds: the seed of each sampler call, in order.
        share: α's share for each of its tests (Bonferroni), which ``values`` is planned at.
        tolerance: the verdict's tolerance (the error ``values`` is planned to catch).
        reject_share: α over an upper bound of the verdict's number of results (every shape's
            and the seed check's): a p-value at or below it is rejected by Holm's first step
            whatever the others, so a sequential test may stop there.
    """

    index: int
    shape: tuple[int, ...]
    layout: str
    target: TargetLaw
    values: int
    seeds: tuple[int, ...]
    share: float
    tolerance: float
    reject_share: float = 0.0

    @property
    def calls(self) -> int:
        """Sampler calls planned."""
        return len(self.seeds)


@dataclass(frozen=True)
class SeedCheckPlan:
    """The seed check: its shape (the verdict's smallest) and its distinct seeds; and where it
    draws two adjacent seeds, as models seed their layers (``base + i``).

    Attributes:
        shape: the shape of the distinct seeds' draws.
        seeds: the distinct seeds.
        adjacent_shape: the shape of the adjacent seeds' draws (:func:`adjacent_shape`), or
            None where none are drawn (a constant law ignores its seed by right).
    """

    shape: tuple[int, ...]
    seeds: tuple[int, ...]
    adjacent_shape: tuple[int, ...] | None = None

    @property
    def adjacent_seeds(self) -> tuple[int, ...]:
        """``(b, b + 1)`` with ``b`` the first seed with its low bit cleared: ``b`` and ``b + 1``
        differ in the low bit only, and ``b + 1 < 2**32`` when the first seed is a 32-bit one;
        ``()`` where no adjacent seeds are drawn."""
        if self.adjacent_shape is None:
            return ()
        base = self.seeds[0] & ~1
        return (base, base + 1)


@dataclass(frozen=True)
class VerdictPlan:
    """The plan of a whole verdict: its arguments, checked, and every shape's plan."""

    law: Law
    layout: str
    seed: int
    alpha: float
    tolerance: float
    shapes: tuple[PlannedShape, ...]
    seed_check: SeedCheckPlan
    default_shapes: bool = True  # the verdict's default shapes, not ones the caller gave
    ranks: tuple[int, ...] | None = None  # the ranks the sampler declared it builds (None: any)
    left_out: tuple[tuple[int, ...], ...] = ()  # default shapes of other ranks, not planned

    @property
    def kind(self) -> Literal["constant", "iid", "orthogonal"]:
        """The law's kind (the same at every shape)."""
        return self.shapes[0].target.kind


def plan_verdict(law: Law, *, layout: str, shapes: Sequence[Sequence[int]] | None, seed: int,
                 alpha: float, tolerance: float, ranks: object = None) -> VerdictPlan:
    """Check the verdict's arguments and plan it.

    ``ranks``: the ranks the sampler can build (None: any); the default shapes are
    filtered to them, and a given shape of another rank is refused.

    Raises:
        UsageError: a bad layout, alpha, tolerance, seed, ranks or shape, no shapes, a given
            shape of a rank not in ``ranks``, no default shape of those ranks, a shape one
            draw of which would not fit in memory, or a law that cannot hold at a shape.
    """
    validate_layout(layout)
    alpha = validate.probability("alpha", alpha)
    tolerance = validate.probability("tolerance", tolerance, 0.5)
    seed = validate.seed(seed)
    rank_set = validate.ranks(ranks)
    shape_list, left_out = _shapes(law, layout, shapes, rank_set)
    for s in shape_list:
        _check_fits(s)
    targets = [target_law(law, s, layout) for s in shape_list]
    share = alpha / (TESTS_PER_SHAPE * len(shape_list))
    reject = alpha / (TESTS_PER_SHAPE * len(shape_list) + SEED_CHECK_RESULTS)
    planned = tuple(dataclasses.replace(plan_shape(i, s, layout, t, share=share, tolerance=tolerance, seed=seed),
                                        reject_share=reject)
                    for i, (s, t) in enumerate(zip(shape_list, targets)))
    smallest = min(shape_list, key=math.prod)  # the seed check holds a few draws
    adjacent = None if targets[0].kind == "constant" else adjacent_shape(shape_list)
    seed_check = SeedCheckPlan(smallest, distinct_seeds(seed, len(shape_list), SEED_CHECK_DRAWS),
                               adjacent)
    return VerdictPlan(law, layout, seed, alpha, tolerance, planned, seed_check, shapes is None,
                       rank_set, left_out)


def plan_shape(index: int, shape: tuple[int, ...], layout: str, target: TargetLaw, *,
               share: float, tolerance: float, seed: int) -> PlannedShape:
    """The plan of the ``index``-th shape of a verdict with ``seed``."""
    values, calls = values_and_calls(target, math.prod(shape), share, tolerance)
    if target.kind == "iid":
        calls = min(calls, MAX_CALLS)
    return PlannedShape(index, shape, layout, target, values, tuple(draw_seeds(seed, index, calls)),
                        share, tolerance)


def values_and_calls(target: TargetLaw, size: int, share: float,
                     tolerance: float) -> tuple[int, int]:
    """(values needed, sampler calls needed) for a shape of ``size`` entries, before any cap."""
    if target.kind == "constant":
        return size, 2
    if target.kind == "orthogonal":
        return size * ORTHOGONAL_DRAWS, ORTHOGONAL_DRAWS
    n = _planned_n(st.kurtosis(target.law), share, tolerance)
    return n, max(2, -(-n // size))


@functools.lru_cache(maxsize=256)
def _planned_n(kurtosis: float, share: float, tolerance: float) -> int:
    """Values one shape needs: the larger of the variance and the mean test's plans (cached: the
    same law family at the same share plans the same n for every shape)."""
    return max(st.plan_variance_n(tolerance, share, POWER, kurtosis=kurtosis),
               st.plan_mean_n(tolerance, share, POWER))


def power_at(planned: PlannedShape, n: int, tolerance: float) -> tuple[float | None, float | None]:
    """(variance test's, mean test's) power at ``tolerance`` with ``n`` values (iid laws only)."""
    if planned.target.kind != "iid":
        return None, None
    kappa = st.kurtosis(planned.target.law)
    return (st.power_variance(n, tolerance, planned.share, kurtosis=kappa),
            st.power_mean(n, tolerance, planned.share))


def distinct_seeds(seed: int, index: int, count: int) -> tuple[int, ...]:
    """``count`` distinct seeds: :func:`draw_seeds`' first ``count`` distinct values (two 32-bit seeds
    coincide with probability ~count²/2**33; the seed check needs them distinct)."""
    drawn = draw_seeds(seed, index, 2 * count)
    while len(set(drawn)) < count:  # a collision in 2·count values as well: draw more of the stream
        drawn = draw_seeds(seed, index, 2 * len(drawn))
    return tuple(dict.fromkeys(drawn))[:count]


def seed_stream(seed: int, index: int) -> Iterator[int]:
    """The seeds of the ``index``-th part of a verdict with ``seed``, without end: its first ``count``
    are :func:`draw_seeds`' (a design may draw more than the fixed plan)."""
    count, done = 64, 0
    while True:
        state = np.random.SeedSequence([seed, index]).generate_state(count)
        yield from (int(s) for s in state[done:])
        done, count = count, 2 * count


def adjacent_shape(shapes: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    """Where the seed check draws its adjacent seeds: the first smallest shape with at least
    :data:`~initcheck.drawing.SEED_CHECK_VALUES` entries (the values it keeps of each draw), else
    the first largest: the most values to compare for the least memory."""
    big = [s for s in shapes if math.prod(s) >= SEED_CHECK_VALUES]
    return min(big, key=math.prod) if big else max(shapes, key=math.prod)


def draw_seeds(seed: int, index: int, count: int) -> list[int]:
    """``count`` seeds for the ``index``-th part of a verdict with ``seed`` (independent streams).

    Part ``i`` < number of shapes is shape ``i``; the part after the last shape is the seed check.
    """
    return [int(s) for s in np.random.SeedSequence([seed, index]).generate_state(count)]


def _shapes(law: Law, layout: str, shapes: Sequence[Sequence[int]] | None,
            ranks: tuple[int, ...] | None) -> tuple[list[tuple[int, ...]], tuple[tuple[int, ...], ...]]:
    """The shapes to draw, and the default shapes left out: the given shapes (checked, each of a
    rank in ``ranks``), or the defaults read in ``layout`` and filtered to ``ranks``."""
    if shapes is None:
        defaults = DEFAULT_ORTHOGONAL_SHAPES if law.name == "orthogonal" else DEFAULT_SHAPES
        read = [from_torch(s, layout) for s in defaults]
        kept = [s for s in read if ranks is None or len(s) in ranks]
        if not kept:
            have = sorted({len(s) for s in read})
            raise expected("ranks", ranks, f"a rank some default shape has ({_ranks_text(have)}): "
                           "the sampler builds none of them; give its shapes (shapes= or --shape)")
        return kept, tuple(s for s in read if s not in kept)
    shape_list = [validate.shape(tuple(s)) for s in shapes]
    if not shape_list:
        raise expected("shapes", shapes, "at least one shape")
    for s in shape_list:
        if ranks is not None and len(s) not in ranks:
            raise expected("shape", s, f"a shape the sampler can build: of rank {_ranks_text(ranks)} "
                           f"(this one has rank {len(s)})")
    return shape_list, ()


def _ranks_text(ranks: Sequence[int]) -> str:
    """``2`` or ``2, 3 or 4``."""
    words = [str(r) for r in sorted(ranks)]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _memory_bytes() -> int:
    """Physical memory of this machine (0 if unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def _check_fits(shape: tuple[int, ...]) -> None:
    """Refuse, up front, a shape one draw of which would not fit in memory."""
    need = math.prod(shape) * 8
    have = _memory_bytes()
    if have and need > MEMORY_SHARE * have:
        raise expected("shape", shape, f"a shape one draw of which fits in memory: it needs "
                       f"{need / 2**30:.1f} GiB as float64, more than {MEMORY_SHARE:.0%} of this "
                       f"machine's {have / 2**30:.1f} GiB")
