"""Multiple testing within a verdict: Bonferroni and Holm.

A verdict runs many checks and promises one family-wise false-alarm rate
alpha. Bonferroni rejects p_i ≤ alpha/m. Holm's step-down procedure is
uniformly more powerful with the same guarantee (no assumption on the
dependence between checks): sort p ascending, reject p_(k) while
``p_(k) ≤ alpha / (m - k + 1)``, stop at the first that is not.

Every function accepts p-values or objects with a ``pvalue`` attribute
(e.g. :class:`~initcheck.stats.result.TestResult`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from initcheck.errors import expected
from initcheck.stats._common import check_probability

__all__ = ["bonferroni", "bonferroni_adjusted", "family_pvalue", "holm", "holm_adjusted"]


def _pvalues(items: Iterable[Any]) -> np.ndarray:
    values = [getattr(item, "pvalue", item) for item in items]
    try:
        p = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as err:
        raise expected("pvalues", values, "numbers in [0, 1] or results with a pvalue") from err
    if p.size and not np.all((p >= 0.0) & (p <= 1.0)):
        bad = p[~((p >= 0.0) & (p <= 1.0))][0]
        raise expected("pvalue", float(bad), "a probability in [0, 1]")
    return p


def bonferroni_adjusted(pvalues: Iterable[Any]) -> list[float]:
    """``min(1, m p_i)`` for each of the m p-values."""
    p = _pvalues(pvalues)
    return [float(v) for v in np.minimum(1.0, p * p.size)]


def bonferroni(pvalues: Iterable[Any], alpha: float) -> list[bool]:
    """Which hypotheses Bonferroni rejects at family-wise level alpha (p_i ≤ alpha/m)."""
    alpha = check_probability(alpha, "alpha")
    p = _pvalues(pvalues)
    return [bool(v <= alpha / p.size) for v in p]


def holm_adjusted(pvalues: Iterable[Any]) -> list[float]:
    """Holm-adjusted p-values, in the input order.

    For the sorted p_(1) ≤ ... ≤ p_(m): ``adj_(k) = min(1, max_{j ≤ k} (m - j + 1) p_(j))``
    (monotone in k, capped at 1). Hypothesis i is rejected by Holm at level
    alpha exactly when ``adj_i ≤ alpha``.
    """
    p = _pvalues(pvalues)
    m = p.size
    if not m:
        return []
    order = np.argsort(p, kind="stable")
    scaled = p[order] * (m - np.arange(m))
    adjusted_sorted = np.minimum(1.0, np.maximum.accumulate(scaled))
    out = np.empty(m)
    out[order] = adjusted_sorted
    return [float(v) for v in out]


def holm(pvalues: Iterable[Any], alpha: float) -> list[bool]:
    """Which hypotheses Holm's step-down procedure rejects at family-wise level alpha."""
    alpha = check_probability(alpha, "alpha")
    return [adj <= alpha for adj in holm_adjusted(pvalues)]


def family_pvalue(pvalues: Iterable[Any]) -> float:
    """The family's p-value: the smallest Holm-adjusted p-value, ``min(1, m · min p)``.

    The family (some null is false) is rejected at level alpha exactly when
    Holm rejects anything. An empty family has p-value 1.0.
    """
    adjusted = holm_adjusted(pvalues)
    return min(adjusted) if adjusted else 1.0
