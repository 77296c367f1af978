"""What a theory claim is, and what checking it produces.

A :class:`Claim` is one statement of the chapter with an id, the section it
comes from, and a check. The check is either *exact* (an identity or an
inequality, checked to floating-point tolerance) or *statistical* (a null
hypothesis tested at a stated false-alarm rate, with a planned sample size).
Checking returns an :class:`Outcome`: the verdict and the measured quantities,
each a :class:`Measurement` with its interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .._deprecations import warn_renamed
from ..errors import expected

__all__ = ["Claim", "Context", "Measurement", "Outcome"]

Kind = Literal["exact", "statistical"]


@dataclass(frozen=True)
class Measurement:
    """One measured quantity.

    Attributes:
        name: a stable identifier (``growth_rate``, ``var_ratio`` ...), the key in JSON.
        value: the point estimate.
        ci: a confidence interval at the claim's level, or None for exact quantities.
        expected: the value the theory predicts (closed form), if there is one.
    """

    name: str
    value: float
    ci: tuple[float, float] | None = None
    expected: float | None = None

    def __str__(self) -> str:
        text = f"{self.name} = {_fmt(self.value)}"
        if self.ci is not None:
            text += f" [{_fmt(self.ci[0])}, {_fmt(self.ci[1])}]"
        if self.expected is not None:
            text += f" (theory {_fmt(self.expected)})"
        return text


def _fmt(x: float) -> str:
    return f"{x:.4g}"


@dataclass(frozen=True)
class Outcome:
    """The result of checking one claim.

    Attributes:
        passed: whether the claim holds.
        measurements: what was measured, in display order.
        n: how many samples (draws, trials or points) the check used.
        note: one sentence saying what was tested, at what false-alarm rate.
    """

    passed: bool
    measurements: tuple[Measurement, ...]
    n: int
    note: str = ""

    @property
    def holds(self) -> bool:
        """Deprecated name of :attr:`passed`."""
        warn_renamed("Outcome.holds", "Outcome.passed")
        return self.passed

    def get(self, name: str) -> Measurement:
        """The measurement called ``name`` (a UsageError naming the others if there is none)."""
        for m in self.measurements:
            if m.name == name:
                return m
        raise expected("name", name, f"one of {', '.join(m.name for m in self.measurements)}")


@dataclass(frozen=True)
class Context:
    """What a check may use: its seed, and its share of the family-wise α.

    Attributes:
        seed: the seed every random draw of the check derives from.
        alpha: the false-alarm probability allotted to this claim's check.
        level: confidence level of reported intervals (1 - alpha).
    """

    seed: int
    alpha: float

    @property
    def level(self) -> float:
        return 1.0 - self.alpha


@dataclass(frozen=True)
class Claim:
    """A statement of the chapter, made executable.

    Attributes:
        id: stable identifier, e.g. ``xavier.uniform-law``.
        statement: the claim in words.
        section: where the chapter makes it (section title, and which text).
        kind: ``exact`` or ``statistical``.
        check: ``check(context) -> Outcome``.
        tests: the test file that checks it as a property.
    """

    id: str
    statement: str
    section: str
    kind: Kind
    check: Callable[[Context], Outcome] = field(repr=False, compare=False)
    tests: str = ""
