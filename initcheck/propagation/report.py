"""The result of a propagation run: per-layer estimates, theory beside them, and a verdict.

:func:`build_report` turns :class:`~initcheck.propagation.measure.Measurements`
(and, for the reference MLP, the mean-field :class:`~.theory.NetworkTheory`)
into a :class:`PropagationReport` judged against an
:class:`~.expect.Expectation`. The verdict is about the *typical* network:
each tested ratio's geometric mean over initializations, with a t interval on
the log scale (:mod:`.estimates` says why). Every interval in the report is a
Student-t interval at level ``alpha / m``, where m is the number of layers the
expectation tests (Bonferroni): the intervals of the tested quantities hold
simultaneously with probability at least 1 − alpha, and a correct expectation
is rejected with probability at most alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._deprecations import warn_renamed
from ..defaults import DEFAULT_ALPHA  # family-wise false-alarm rate of one verdict, as for `check`
from ..render import jsonable
from .estimates import Estimate, estimate, ratio_estimate
from .expect import Expectation, LayerResult, classify
from .meanfield import MeanField
from .measure import Measurements
from .theory import NetworkTheory

__all__ = ["DEFAULT_ALPHA", "Drift", "LayerRow", "PropagationReport", "build_report"]


@dataclass(frozen=True)
class LayerRow:
    """One layer's measurements (mean squares are over units and examples, then over trials).

    Attributes:
        index: 1-based layer index.
        name: the layer's name.
        width: its number of output values per example.
        hidden: False for the output layer (not tested by the expectation).
        forward: mean square of the pre-activations ``q_l``.
        backward: mean square of the gradients ``g_l = E[(∂ℓ/∂h_l)²]``.
        weight_grad: mean square of the weight gradient per example.
        forward_ratio: ``q_l / q_1`` within each trial.
        backward_ratio: ``g_l / g_{L-1}`` within each trial (None for the output layer).
        forward_factor: ``q_l / q_{l-1}`` (None for layer 1).
        backward_factor: ``g_l / g_{l+1}`` (None for the output layer).
        forward_log: the typical size, mean of ``ln(‖h_l‖²/n_l)`` over examples.
        theory: mean-field values of the same quantities by name (empty without theory), and
            ``forward_ratio_typical`` where the typical ratio has a closed form (linear, Gaussian).
    """

    index: int
    name: str
    width: int
    hidden: bool
    forward: Estimate
    backward: Estimate
    weight_grad: Estimate
    forward_ratio: Estimate
    backward_ratio: Estimate | None
    forward_factor: Estimate | None
    backward_factor: Estimate | None
    forward_log: Estimate
    theory: dict = field(default_factory=dict)  # name -> float; a bare dict: Sphinx cannot parse dict[str, float] here

    def to_dict(self) -> dict[str, Any]:
        """The row as plain data (estimates as ``{"value", "ci"}``)."""
        out: dict[str, Any] = {"index": self.index, "name": self.name, "width": self.width, "hidden": self.hidden}
        for key in ("forward", "backward", "weight_grad", "forward_ratio", "backward_ratio", "forward_factor",
                    "backward_factor", "forward_log"):
            value = getattr(self, key)
            out[key] = None if value is None else value.to_dict()
        out["theory"] = dict(self.theory)
        return out


@dataclass(frozen=True)
class Drift:
    """How the forward signal's size changes per hidden layer, on the log scale.

    Attributes:
        typical: per-layer change of the mean of ``ln(‖h‖²/n)`` (the typical size).
        mean_square: per-layer change of ``ln E[q]`` (from the mean ratio ``q_{L-1}/q_1``).
        theory_typical: the closed form of ``typical`` where one exists (linear
            network, Gaussian weights, no biases), else None.
        theory_mean_square: the mean-field value of ``mean_square``, else None.
    """

    typical: Estimate
    mean_square: Estimate
    theory_typical: float | None
    theory_mean_square: float | None

    @property
    def drift(self) -> float:
        """typical − mean_square: the finite-width drift per layer (0 at infinite width)."""
        return self.typical.value - self.mean_square.value

    def to_dict(self) -> dict[str, Any]:
        """The drift as plain data."""
        theory_drift = None
        if self.theory_typical is not None and self.theory_mean_square is not None:
            theory_drift = self.theory_typical - self.theory_mean_square
        return {"typical_per_layer": self.typical.to_dict(), "mean_square_per_layer": self.mean_square.to_dict(),
                "drift_per_layer": self.drift, "theory_typical_per_layer": self.theory_typical,
                "theory_mean_square_per_layer": self.theory_mean_square, "theory_drift_per_layer": theory_drift}


@dataclass(frozen=True)
class PropagationReport:
    """Per-layer signal sizes across depth, the theory beside them, and the verdict.

    Attributes:
        target: what was measured, in words.
        layers: one :class:`LayerRow` per layer, input to output.
        expectation: the declared expectation.
        results: one :class:`~.expect.LayerResult` per tested quantity.
        passed: True unless some result is ``outside`` (a finding).
        alpha: the verdict's family-wise false-alarm probability.
        interval_alpha: the level of each interval (``alpha / m``).
        trials: independent initializations.
        batch: inputs per trial.
        seed: the seed every draw derives from.
        meanfield: q*, χ1 and the phase of the hidden layers (reference MLP only).
        theory_applies: whether the mean-field assumptions hold (False without theory).
        notes: where theory is approximate or absent.
        drift: the typical vs mean-square change per layer (None below 2 hidden layers).
        reproducer: the command line that reproduces the run, where there is one.
    """

    target: str
    layers: tuple[LayerRow, ...]
    expectation: Expectation
    results: tuple[LayerResult, ...]
    passed: bool
    alpha: float
    interval_alpha: float
    trials: int
    batch: int
    seed: int
    meanfield: MeanField | None = None
    theory_applies: bool = False
    notes: tuple[str, ...] = ()
    drift: Drift | None = None
    reproducer: str | None = None

    @property
    def findings(self) -> tuple[LayerResult, ...]:
        """The results outside the band."""
        return tuple(f for f in self.results if f.status == "outside")

    @property
    def undecided(self) -> tuple[LayerResult, ...]:
        """The results whose interval straddles the band's edge."""
        return tuple(f for f in self.results if f.status == "undecided")

    @property
    def failures(self) -> tuple[LayerResult, ...]:
        """Deprecated name of ``findings``."""
        warn_renamed("PropagationReport.failures", "PropagationReport.findings")
        return self.findings

    @property
    def holds(self) -> bool:
        """Deprecated name of :attr:`passed`."""
        warn_renamed("PropagationReport.holds", "PropagationReport.passed")
        return self.passed

    @property
    def command(self) -> str | None:
        """Deprecated name of :attr:`reproducer`."""
        warn_renamed("PropagationReport.command", "PropagationReport.reproducer")
        return self.reproducer

    def sentences(self) -> list[str]:
        """One sentence per finding (a tested quantity outside its band), with the reproducer."""
        rerun = f"; re-run: {self.reproducer}" if self.reproducer else ""
        return [f"{self.target}: expectation {self.expectation}: {f.sentence()}{rerun}"
                for f in sorted(self.findings, key=lambda f: -f.severity)]

    def factors(self, direction: str = "forward") -> np.ndarray:
        """The measured per-layer factors of the hidden layers (NaN where none)."""
        key = f"{direction}_factor"
        return np.array([getattr(r, key).value if getattr(r, key) is not None else math.nan for r in self.layers])

    def summary(self) -> str:
        """One line: the expectation, HOLDS or FAILS, and the worst layer."""
        verdict = "holds" if self.passed else "FAILS"
        text = f"expectation {self.expectation} ({self.expectation.describe()}): {verdict}"
        if self.findings:
            worst = max(self.findings, key=lambda f: f.severity)
            text += f"; {len(self.findings)} of {len(self.results)} outside, e.g. {worst.sentence()}"
        elif self.undecided:
            text += f"; {len(self.undecided)} undecided (more --trials would tell)"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data (non-finite floats as strings)."""
        return jsonable({
            "command": "propagate",
            "target": self.target,
            "trials": self.trials,
            "batch": self.batch,
            "seed": self.seed,
            "alpha": self.alpha,
            "interval_alpha": self.interval_alpha,
            "expectation": {"text": str(self.expectation), "kind": self.expectation.kind,
                            "value": self.expectation.value, "tolerance": self.expectation.tolerance,
                            "direction": self.expectation.direction, "band": list(self.expectation.band()),
                            "description": self.expectation.describe()},
            "passed": self.passed,
            "holds": self.passed,
            "results": [f.to_dict() for f in self.results],
            "findings": [f.to_dict() for f in self.findings],
            "meanfield": None if self.meanfield is None else self.meanfield.to_dict(),
            "theory_applies": self.theory_applies,
            "notes": list(self.notes),
            "drift": None if self.drift is None else self.drift.to_dict(),
            "layers": [r.to_dict() for r in self.layers],
            "reproducer": self.reproducer,
            "reproduce": self.reproducer,
        })


def _tested(expectation: Expectation, depth: int) -> int:
    hidden = depth - 1
    per_direction = hidden - 1  # within: ratio of each hidden layer but the reference; factor: between hidden layers
    return max(per_direction, 0) * len(expectation.directions())


def build_report(
    m: Measurements,
    expectation: Expectation,
    *,
    target: str,
    alpha: float = DEFAULT_ALPHA,
    theory: NetworkTheory | None = None,
    reproducer: str | None = None,
) -> PropagationReport:
    """Estimate every layer's quantities, test the expectation, and attach the theory.

    Args:
        m: per-trial measurements (the last layer is the output layer).
        expectation: what the hidden layers must satisfy.
        target: the network in words.
        alpha: family-wise false-alarm probability of the verdict.
        theory: mean-field predictions (reference MLP), or None.
        reproducer: the command line reproducing the run.

    Returns:
        The :class:`PropagationReport`.
    """
    depth = m.depth
    tests = _tested(expectation, depth)
    a = alpha / max(tests, 1)
    ref_b = depth - 2  # 0-based index of the last hidden layer: the first gradient the network propagated
    rows = []
    for i in range(depth):
        th: dict[str, float] = {}
        if theory is not None:
            th = _theory_row(theory, i, ref_b)
        rows.append(LayerRow(
            index=i + 1,
            name=m.names[i],
            width=m.widths[i],
            hidden=i < depth - 1,
            forward=estimate(m.forward[:, i], a),
            backward=estimate(m.backward[:, i], a),
            weight_grad=estimate(m.weight_grad[:, i], a),
            forward_ratio=ratio_estimate(m.forward[:, i], m.forward[:, 0], a),
            backward_ratio=ratio_estimate(m.backward[:, i], m.backward[:, ref_b], a) if i <= ref_b else None,
            forward_factor=ratio_estimate(m.forward[:, i], m.forward[:, i - 1], a) if i > 0 else None,
            backward_factor=ratio_estimate(m.backward[:, i], m.backward[:, i + 1], a) if i < depth - 1 else None,
            forward_log=estimate(m.forward_log[:, i], a, nonnegative=False),
            theory=th,
        ))
    results = _results(rows, expectation)
    passed = not any(f.status == "outside" for f in results)
    notes = ("no mean-field theory for this model: measurements only",) if theory is None else theory.notes
    if not results:
        notes += (("fewer than two hidden layers: there is nothing across depth to test, the expectation holds "
                  "trivially"),)
    drift = _drift(m, theory, a) if depth >= 3 else None
    return PropagationReport(
        target=target, layers=tuple(rows), expectation=expectation, results=tuple(results), passed=passed,
        alpha=alpha, interval_alpha=a, trials=m.trials, batch=m.batch, seed=m.seed,
        meanfield=None if theory is None else theory.meanfield,
        theory_applies=False if theory is None else theory.applies,
        notes=notes,
        drift=drift, reproducer=reproducer,
    )


def _theory_row(t: NetworkTheory, i: int, ref_b: int) -> dict[str, float]:
    with np.errstate(all="ignore"):
        out = {
            "forward": float(t.forward[i]),
            "backward": float(t.backward[i]),
            "weight_grad": float(t.weight_grad[i]),
            "forward_ratio": float(t.forward[i] / t.forward[0]),
        }
        if t.forward_log_drift is not None:  # the typical network's ratio, where a closed form exists
            out["forward_ratio_typical"] = float(np.exp(t.forward_log_drift[i]))
        if i <= ref_b:
            out["backward_ratio"] = float(t.backward[i] / t.backward[ref_b])
        if i > 0:
            out["forward_factor"] = float(t.forward[i] / t.forward[i - 1])
        if i < len(t.forward) - 1:
            out["backward_factor"] = float(t.backward[i] / t.backward[i + 1])
    return out


def _results(rows: list[LayerRow], e: Expectation) -> list[LayerResult]:
    band = e.band()
    found: list[LayerResult] = []
    hidden = [r for r in rows if r.hidden]
    for direction in e.directions():
        for k, r in enumerate(hidden):
            if e.kind == "within":
                if direction == "forward" and k > 0:
                    est, what = r.forward_ratio, f"q_{r.index}/q_1"
                elif direction == "backward" and k < len(hidden) - 1 and r.backward_ratio is not None:
                    est, what = r.backward_ratio, f"g_{r.index}/g_{hidden[-1].index}"
                else:
                    continue
            elif direction == "forward" and k > 0 and r.forward_factor is not None:
                est, what = r.forward_factor, f"q_{r.index}/q_{r.index - 1}"
            elif direction == "backward" and k < len(hidden) - 1 and r.backward_factor is not None:
                est, what = r.backward_factor, f"g_{r.index}/g_{r.index + 1}"
            else:
                continue
            status = classify(est.typical, est.typical_low, est.typical_high, band)
            found.append(LayerResult(direction, r.index, r.name, what, est.typical, est.typical_low, est.typical_high,
                                 band, status))
    return found


def _drift(m: Measurements, theory: NetworkTheory | None, a: float) -> Drift:
    last = m.depth - 2  # last hidden layer (0-based)
    steps = last
    with np.errstate(invalid="ignore"):  # inf - inf for a network that overflowed: nan, judged as such
        typical = estimate((m.forward_log[:, last] - m.forward_log[:, 0]) / steps, a, nonnegative=False)
    ratio = ratio_estimate(m.forward[:, last], m.forward[:, 0], a)

    def log_rate(x: float) -> float:
        if math.isnan(x):
            return math.nan
        return math.log(x) / steps if x > 0 else -math.inf

    mean_square = Estimate(log_rate(ratio.value), log_rate(ratio.low), log_rate(ratio.high))
    th_typ = th_ms = None
    if theory is not None:
        with np.errstate(all="ignore"):
            th_ms = float(np.log(theory.forward[last] / theory.forward[0]) / steps)
        if theory.forward_log_drift is not None:
            th_typ = float(theory.forward_log_drift[last] / steps)
    return Drift(typical, mean_square, th_typ, th_ms)
