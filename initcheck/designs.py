"""How one shape is tested: a design takes the plan of a shape and its draws, and gives results.

A verdict is the same pipeline for every design (plan, draw, test each shape,
seed dependence, one Holm family, report); the design is the part that decides,
at one shape, how many of the draws offered it takes and which tests it runs on
them. The draws arrive validated (finite floats of the shape, from
:mod:`initcheck.drawing`), one at a time, so a design holds no more of them
than it chooses to and may stop early.

There is one design today, :class:`FixedDesign` (``"fixed"``): the planned
number of draws, then every test the law calls for, once. Another (a
sequential screen-and-confirm design) implements :class:`Design` and goes in
:data:`DESIGNS` beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

import numpy as np

from .planning import PlannedShape
from .shapetests import ShapeTests
from .stats import TestResult

__all__ = ["DESIGNS", "Design", "FixedDesign", "ShapeOutcome"]


@dataclass(frozen=True)
class ShapeOutcome:
    """What a design found at one shape.

    Attributes:
        results: every test it ran, in a fixed order, before the family's correction.
        n: scalar values it used.
        calls: sampler calls (draws) it used.
    """

    results: tuple[TestResult, ...]
    n: int
    calls: int


class Design(Protocol):
    """A way to test one shape from a stream of its validated draws."""

    name: str

    def test_shape(self, planned: PlannedShape, draws: Iterator[np.ndarray]) -> ShapeOutcome:
        """Take draws from ``draws`` (at most ``planned.calls``), test them, say what was found.

        A :class:`~initcheck.drawing.SamplerFault` raised by ``draws`` propagates: the
        verdict records it in place of this shape's results.
        """
        ...


class FixedDesign:
    """Today's design: exactly the planned draws, then every test of :class:`ShapeTests` once."""

    name = "fixed"

    def test_shape(self, planned: PlannedShape, draws: Iterator[np.ndarray]) -> ShapeOutcome:
        """Feed the shape's ``planned.calls`` draws to its tests, then run them."""
        tests = ShapeTests(planned.target, planned.layout, planned.seeds[0])
        for draw in islice(draws, planned.calls):
            tests.add(draw)
        return ShapeOutcome(tuple(tests.results()), tests.n, tests.draws)


#: the designs by name
DESIGNS: dict[str, Design] = {"fixed": FixedDesign()}
