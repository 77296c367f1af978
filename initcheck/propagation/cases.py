"""The chapter's demonstrations, as propagation cases with the verdict each should get.

=================  ==========================================  ========  ===========================
case               network                                     verdict   why
=================  ==========================================  ========  ===========================
sigmoid-xavier     784,256x20,10 sigmoid, ``xavier_normal``     fails     χ1 ≈ 0.056: gradients vanish
relu-he            784,256x20,10 relu, ``he_normal``            holds     χ1 = 1: critical
normal-explodes    4,4x100,4 linear, ``normal(std=1)``          fails     n·σ² = 4 per layer: explodes
mxnet-default      784,256x20,10 relu, ``mxnet_default``        fails     n·σ² = 0.42, χ1 = 0.21: vanishes
=================  ==========================================  ========  ===========================

``normal-explodes`` is the chapter's product of a 4×4 N(0, 1) matrix with 100
more. Each case is judged against ``within=2`` (every hidden layer within a
factor 2 of the first, both ways).

>>> [c.name for c in CASES]
['sigmoid-xavier', 'relu-he', 'normal-explodes', 'mxnet-default']
"""

from __future__ import annotations

from dataclasses import dataclass

from .._deprecations import warn_renamed
from ..errors import expected
from .api import propagate
from .report import PropagationReport
from .spec import MLPSpec

__all__ = ["CASES", "Case", "run_case"]


@dataclass(frozen=True)
class Case:
    """One of the chapter's demonstrations.

    Attributes:
        name: its id.
        spec: the network.
        expect: the expectation it is judged by.
        passes: the verdict the chapter predicts (whether the expectation passes).
        why: the reason, in a few words.
    """

    name: str
    spec: MLPSpec
    expect: str
    passes: bool
    why: str

    @property
    def holds(self) -> bool:
        """Deprecated name of :attr:`passes`."""
        warn_renamed("Case.holds", "Case.passes")
        return self.passes


CASES: tuple[Case, ...] = (
    Case("sigmoid-xavier", MLPSpec("784,256x20,10", "sigmoid", "xavier_normal"), "within=2", False,
         "sigmoid' <= 1/4: χ1 = σ_w²·E[sigmoid'(h)²] ≈ 0.056, gradients vanish"),
    Case("relu-he", MLPSpec("784,256x20,10", "relu", "he_normal"), "within=2", True,
         "σ_w² = 2 and E[relu'²] = 1/2: χ1 = 1, critical"),
    Case("normal-explodes", MLPSpec("4,4x100,4", "identity", "normal(std=1)"), "within=2", False,
         "n·σ² = 4: the mean square grows 4-fold per layer"),
    Case("mxnet-default", MLPSpec("784,256x20,10", "relu", "mxnet_default"), "within=2", False,
         "U(±0.07) has variance 0.07²/3: n·σ² = 0.42 at width 256, χ1 = 0.21, signals vanish"),
)


def run_case(name: str, *, trials: int = 10, batch: int = 32, seed: int = 0) -> PropagationReport:
    """Measure the case called ``name`` (see :data:`CASES`).

    Raises:
        UsageError: an unknown case.
    """
    for case in CASES:
        if case.name == name:
            return propagate(case.spec, trials=trials, batch=batch, seed=seed, expect=case.expect)
    raise expected("case", name, f"one of {', '.join(c.name for c in CASES)}")
