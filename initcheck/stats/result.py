"""The result type every statistical or exact check returns.

A check never answers with a bare ``bool``: it says which null hypothesis it
tested, what it measured, what the null says it should have measured, how
sure it is (p-value, confidence interval) and how many samples it used, so a
report can print one sentence with numbers and a caller can apply its own
share of the false-alarm budget with :meth:`TestResult.rejects`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from initcheck.errors import expected as _expected

__all__ = ["DEFAULT_LEVEL", "TestResult"]

DEFAULT_LEVEL = 0.999  # confidence level of every reported interval


@dataclass(frozen=True)
class TestResult:
    """The outcome of one check.

    Attributes:
        check: short name, e.g. ``"variance"``, ``"shape-ks"``, ``"support"``.
        null: the null hypothesis in words, e.g. ``"E[x] = 0"``.
        statistic: the test statistic (its scale is named in ``detail``).
        pvalue: in [0, 1]; exact checks use 0.0 (violated) or 1.0 (holds).
        n: number of samples (scalars, matrices or pairs) the check used.
        estimate: what was measured, e.g. the sample variance.
        ci: confidence interval for ``estimate``'s population value at the
            level the check was called with (default :data:`DEFAULT_LEVEL`).
            Exact checks and checks whose estimate is an observed extreme or
            count report the degenerate interval ``(estimate, estimate)``.
        expected: what the null says ``estimate`` should be (``None`` when the
            null does not name one scalar).
        detail: one human sentence with numbers.

    Example: suppose a check measured a p-value of 1e-9; with a budget of
    1e-6 for it, the null is rejected:

    >>> r = TestResult("mean", "E[x] = 0", 6.1, 1e-9, 1000, 0.19, (0.09, 0.29), 0.0)
    >>> r.rejects(1e-6)
    True
    """

    __test__ = False  # not a pytest test class, despite its name

    check: str
    null: str
    statistic: float
    pvalue: float
    n: int
    estimate: float
    ci: tuple[float, float]
    expected: float | None
    detail: str = ""

    def __post_init__(self) -> None:
        p = self.pvalue
        if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
            raise _expected("pvalue", p, "a probability in [0, 1]")

    def rejects(self, alpha: float) -> bool:
        """Whether the null is rejected at level ``alpha`` (``pvalue <= alpha``).

        Raises:
            UsageError: if ``alpha`` is not in (0, 1).
        """
        if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0) or math.isnan(alpha):
            raise _expected("alpha", alpha, "a probability in (0, 1)")
        return self.pvalue <= alpha

    def __str__(self) -> str:
        text = f"{self.check}: p = {self.pvalue:.3g} (H0: {self.null}, n = {self.n:,})"
        return f"{text}; {self.detail}" if self.detail else text
