"""Law identification: from a sampler's draws to the law of the grammar that explains them.

* :mod:`~initcheck.identification.core` — draws of one shape to a description (no sampler calls):
  constant, fixed, orthogonal, normal, uniform, truncated normal or none, with intervals.
* :mod:`~initcheck.identification.rules` — across shapes: the fan mode and the gain, named when
  it is a recognized constant, and the law as grammar text.
* ``initcheck.identification.report`` — :func:`~initcheck.identification.report.identify` (draws, decides, confirms by
  :func:`initcheck.check`) and :func:`~initcheck.identification.report.compare` (two targets side by side).
"""

from __future__ import annotations

from .core import ALPHA_FAMILY, ALPHA_INTERVAL, FamilyFit, ShapeDescription, describe_draws, detectable_error
from .report import IDENTIFY_SHAPES, Comparison, Identification, Step, compare, identify, identify_shapes
from .rules import ALPHA_MODE, GAINS, FanRule, fit_fan_rule, law_text

__all__ = [
    "ALPHA_FAMILY",
    "ALPHA_INTERVAL",
    "ALPHA_MODE",
    "GAINS",
    "IDENTIFY_SHAPES",
    "Comparison",
    "FamilyFit",
    "FanRule",
    "Identification",
    "ShapeDescription",
    "Step",
    "compare",
    "describe_draws",
    "detectable_error",
    "fit_fan_rule",
    "identify",
    "identify_shapes",
    "law_text",
]
