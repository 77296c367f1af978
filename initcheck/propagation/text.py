"""A :class:`~initcheck.propagation.report.PropagationReport` as text for people."""

from __future__ import annotations

import math

from ..render import table
from .estimates import Estimate
from .report import LayerRow, PropagationReport

__all__ = ["render"]


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if math.isnan(x):
        return "nan"
    return f"{x:.3g}"


def _cell(est: Estimate | None, theory: float | None = None) -> str:
    if est is None:
        return "-"
    text = _num(est.value)
    if math.isfinite(est.low) and math.isfinite(est.high) and est.low != est.high:
        text += f" [{_num(est.low)}, {_num(est.high)}]"
    if theory is not None:
        text += f" ({_num(theory)})"
    return text


def _row(r: LayerRow) -> list[str]:
    th = r.theory
    return [
        r.name + ("" if r.hidden else " (out)"),
        str(r.width),
        _cell(r.forward, th.get("forward")),
        _cell(r.forward_factor, th.get("forward_factor")),
        _cell(r.backward, th.get("backward")),
        _cell(r.backward_factor, th.get("backward_factor")),
        _cell(r.weight_grad, th.get("weight_grad")),
    ]


def render(report: PropagationReport, *, plot: str | None = None) -> str:
    """The report as a table and sentences: per layer, mean squares and factors [interval] (theory).

    Args:
        report: the report.
        plot: the path of the plot written, to mention it.
    """
    theory = " (theory)" if report.meanfield is not None else ""
    lines = [
        f"{report.target}",
        (f"{report.trials} initializations x {report.batch} inputs, seed {report.seed}; intervals at level "
        f"{report.interval_alpha:.2g} each (family-wise alpha = {report.alpha:g})"),
        "",
        table(["layer", "width", f"forward E[h²] [interval]{theory}", "factor", f"backward E[(dℓ/dh)²]{theory}",
               "factor", "weight grad E[(dℓ/dW)²]"], [_row(r) for r in report.layers],
              [None, None, None, None, None, None, None]),
        "",
    ]
    mf = report.meanfield
    if mf is not None:
        q = "inf" if math.isinf(mf.q_star) else f"{mf.q_star:.4g}"
        lines.append(f"mean field (hidden layers): σ_w² = {mf.sigma_w2:.4g}, σ_b² = {mf.sigma_b2:.4g}, "
                     f"q* = {q}, χ1 = {mf.chi1:.4g}: {mf.phase}")
    d = report.drift
    if d is not None:
        text = (f"log size per hidden layer: typical {_cell(d.typical, d.theory_typical)}, "
                f"mean square {_cell(d.mean_square, d.theory_mean_square)}; finite-width drift {d.drift:.3g}")
        lines.append(text)
    lines.append("")
    lines.append(report.summary())
    worst = sorted(report.findings, key=lambda f: -f.severity)
    for f in worst[:10]:
        lines.append(f"- {f.sentence()}")
    if len(report.findings) > 10:
        lines.append(f"- ... and {len(report.findings) - 10} more (all in --json)")
    for note in report.notes:
        lines.append(f"note: {note}")
    if plot:
        lines.append(f"plot: {plot}")
    if report.reproducer:
        lines.append(f"re-run: {report.reproducer}")
    return "\n".join(lines)
