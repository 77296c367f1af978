"""Signal propagation across depth: measure a whole network, put the theory beside it, judge.

Does a network, initialized your way, keep forward activations and backward
gradients of order one from input to output? :func:`propagate` measures it,
over independent initializations, for the reference MLP (with the mean-field
theory of every layer beside the measurement) or a PyTorch or Flax model, and judges
a declared expectation (``within=2``, ``factor=0.25``).

* ``initcheck.propagation.meanfield`` — the length map, its fixed point q*, χ1 and the phase.
* ``initcheck.propagation.drift`` — the finite-width drift of the typical norm.
* ``initcheck.propagation.isometry`` — the spread of the Jacobian's singular values across depth.
* ``initcheck.propagation.cases`` — the chapter's demonstrations.
"""

from __future__ import annotations

from .._deprecations import module_getattr
from .api import propagate
from .cases import CASES, Case, run_case
from .drift import DriftResult, finite_width_drift
from .estimates import Estimate
from .expect import Expectation, LayerResult, parse_expectation
from .isometry import SpreadPoint, jacobian_spread
from .meanfield import (
    MeanField,
    chi1,
    critical_line,
    critical_sigma_w2,
    fixed_point,
    length_map,
    mean_field,
    phase,
)
from .plot import plot_report, save_plot
from .report import Drift, LayerRow, PropagationReport
from .spec import MLPSpec, parse_init, parse_widths
from .theory import NetworkTheory, layered_theory, network_theory

__all__ = [
    "CASES",
    "Case",
    "Drift",
    "DriftResult",
    "Estimate",
    "Expectation",
    "LayerResult",
    "LayerRow",
    "MLPSpec",
    "MeanField",
    "NetworkTheory",
    "PropagationReport",
    "SpreadPoint",
    "chi1",
    "critical_line",
    "critical_sigma_w2",
    "finite_width_drift",
    "fixed_point",
    "jacobian_spread",
    "layered_theory",
    "length_map",
    "mean_field",
    "network_theory",
    "parse_expectation",
    "parse_init",
    "parse_widths",
    "phase",
    "plot_report",
    "propagate",
    "run_case",
    "save_plot",
]


__getattr__ = module_getattr(__name__, {
    "Finding": ("initcheck.propagation.LayerResult", lambda: LayerResult)})
