"""Signal propagation across depth: measure a whole network, put the theory beside it, judge.

Does a network, initialized your way, keep forward activations and backward
gradients of order one from input to output? :func:`propagate` measures it,
over independent initializations, for the reference MLP (with the mean-field
theory of every layer beside the measurement) or a PyTorch model, and judges
a declared expectation (``within=2``, ``factor=0.25``).

* :mod:`.meanfield` — the length map, its fixed point q*, χ1 and the phase.
* :mod:`.drift` — the finite-width drift of the typical norm.
* :mod:`.isometry` — the spread of the Jacobian's singular values across depth.
* :mod:`.cases` — the chapter's demonstrations.
"""

from __future__ import annotations

from .api import propagate
from .cases import CASES
from .cases import Case
from .cases import run_case
from .drift import DriftResult
from .drift import finite_width_drift
from .estimates import Estimate
from .expect import Expectation
from .expect import Finding
from .expect import parse_expectation
from .isometry import SpreadPoint
from .isometry import jacobian_spread
from .meanfield import MeanField
from .meanfield import chi1
from .meanfield import critical_line
from .meanfield import critical_sigma_w2
from .meanfield import fixed_point
from .meanfield import length_map
from .meanfield import mean_field
from .meanfield import phase
from .plot import plot_report
from .plot import save_plot
from .report import LayerRow
from .report import PropagationReport
from .spec import MLPSpec
from .spec import parse_init
from .spec import parse_widths
from .theory import NetworkTheory
from .theory import network_theory

__all__ = [
    "CASES",
    "Case",
    "DriftResult",
    "Estimate",
    "Expectation",
    "Finding",
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
