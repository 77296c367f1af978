"""How one shape is tested: a design takes the plan of a shape and its draws, and gives results.

A verdict is the same pipeline for every design (plan, draw, test each shape,
seed dependence, one Holm family, report); the design is the part that decides,
at one shape, how many of the draws offered it takes and which tests it runs on
them. The draws arrive validated (finite floats of the shape, from
:mod:`initcheck.drawing`), one at a time, so a design holds no more of them
than it chooses to and may stop early.

Two designs: :class:`~initcheck.sequential.SequentialDesign`
(``"sequential"``, the default) screens each shape with exact checks and stops
its sequential mean and variance tests as soon as they decide;
:class:`FixedDesign` (``"fixed"``) takes the planned number of draws, then runs
every test the law calls for, once. Both report the values and sampler calls
they used and the power they promise, per shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Protocol

import numpy as np

from .errors import expected
from .planning import PlannedShape, power_at
from .sequential import SequentialDesign
from .shapetests import ShapeOutcome, ShapeTests

__all__ = ["DESIGNS", "Design", "FixedDesign", "design"]


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
    """The fixed-sample design: exactly the planned draws, then every test of
    :class:`~initcheck.shapetests.ShapeTests` once."""

    name = "fixed"

    def test_shape(self, planned: PlannedShape, draws: Iterator[np.ndarray]) -> ShapeOutcome:
        """Feed the shape's ``planned.calls`` draws to its tests, then run them."""
        tests = ShapeTests(planned.target, planned.layout, planned.seeds[0])
        for draw in islice(draws, planned.calls):
            tests.add(draw)
        power_variance, power_mean = power_at(planned, tests.n, planned.tolerance)
        return ShapeOutcome(tuple(tests.results()), tests.n, tests.draws, power_variance, power_mean,
                            planned.tolerance if power_variance is not None else None)


#: the designs by name
DESIGNS: dict[str, Design] = {"sequential": SequentialDesign(), "fixed": FixedDesign()}


def design(name: str) -> Design:
    """The design called ``name`` (``sequential`` or ``fixed``).

    Raises:
        UsageError: no design has that name.
    """
    if name not in DESIGNS:
        raise expected("design", name, " or ".join(repr(d) for d in DESIGNS))
    return DESIGNS[name]
