"""An audit's answer: per parameter its identified law and its rules' verdicts; the findings.

:class:`AuditReport` is :class:`~initcheck.reportable.Reportable`: ``passed`` when every
rule's verdict conforms and nothing was found; ``table()`` groups the parameters by module,
``markdown()`` is the same as a Markdown table, ``to_dict()`` the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..identification.core import ShapeDescription
from ..verdict import Report
from .findings import Finding
from .model import Parameter

__all__ = ["AuditReport", "ParameterAudit", "RuleVerdict"]


def _shape(s: tuple[int, ...]) -> str:
    return "x".join(map(str, s)) or "scalar"


@dataclass(frozen=True)
class RuleVerdict:
    """One rule's verdict on one parameter (or one block of it).

    Attributes:
        rule: the rule as written.
        block: the block's text (``[0:64]``), or None for the whole parameter.
        law: the intended law (``fixed`` for a parameter that must not change between builds).
        passed: whether the parameter conforms.
        report: the verdict of the engine (None for ``fixed``).
        detail: for ``fixed`` (and a failed verdict), what was seen, in one sentence.
        expected_std: the law's sd at this shape (iid laws), or None.
    """

    rule: str
    block: str | None
    law: str
    passed: bool
    report: Report | None = None
    detail: str = ""
    expected_std: float | None = None

    def sentence(self, name: str) -> str:
        """The verdict in one sentence."""
        where = name + (self.block or "")
        if self.report is None:
            return f"{where}: {'conforms to' if self.passed else 'does not conform to'} {self.law}: {self.detail}"
        if self.passed:
            return f"{where}: conforms to {self.law}"
        return f"{where}: does not conform to {self.law}: " + "; ".join(self.report.sentences()[:3])

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"rule": self.rule, "block": self.block, "law": self.law, "passed": self.passed,
                "detail": self.detail, "expected_std": self.expected_std,
                "report": None if self.report is None else self.report.to_dict()}


@dataclass(frozen=True)
class ParameterAudit:
    """What the audit found for one parameter.

    Attributes:
        parameter: the parameter (name, module, layer, shape, layout, tie, padding rows).
        description: its draws described (None if it is tied or was not drawn).
        law: the identified law in the grammar, or None.
        why: how the law was identified, or why none was.
        verdicts: one per rule (block) that applies to it.
        note: anything else worth a line (tied, padding row checked, not drawn).
    """

    parameter: Parameter
    description: ShapeDescription | None
    law: str | None
    why: str
    verdicts: tuple[RuleVerdict, ...] = ()
    note: str = ""

    @property
    def name(self) -> str:
        """The parameter's full name."""
        return self.parameter.name

    @property
    def module(self) -> str:
        """The name of its module."""
        return self.parameter.module

    @property
    def layer(self) -> str:
        """Its layer's type."""
        return self.parameter.layer

    @property
    def shape(self) -> tuple[int, ...]:
        """Its stored shape."""
        return self.parameter.shape

    @property
    def tied_to(self) -> str | None:
        """The parameter it is tied to, or None."""
        return self.parameter.tied_to

    @property
    def kind(self) -> str | None:
        """The identified kind (``normal``, ``constant``, ...), None if tied or not drawn."""
        return None if self.description is None else self.description.kind

    @property
    def passed(self) -> bool:
        """Whether every rule's verdict on it conforms."""
        return all(v.passed for v in self.verdicts)

    @property
    def matched(self) -> bool:
        """Whether a rule applies to it (a tied parameter is judged under the name it is tied to)."""
        return bool(self.verdicts) or self.tied_to is not None

    def measured(self) -> str:
        """The identified law in a few words: the sd with its interval, the mean where it is not 0."""
        d = self.description
        if d is None:
            return self.note or "-"
        if d.kind in ("normal", "uniform", "truncated_normal") and d.std_interval is not None:
            lo, hi = d.std_interval
            centered = d.mean_interval[0] <= 0 <= d.mean_interval[1]
            return f"{d.kind} sd {d.std:.4g} [{lo:.4g}, {hi:.4g}]" + ("" if centered else f", mean {d.mean:.3g}")
        if d.kind == "constant":
            return f"constant {d.value:.6g}"
        if d.kind == "orthogonal":
            return f"orthogonal gain {d.gain:.6g}"
        return d.kind

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        p = self.parameter
        return {"name": p.name, "module": p.module, "layer": p.layer, "shape": list(p.shape), "dtype": p.dtype,
                "layout": None if p.layout is None else p.layout.words, "tied_to": p.tied_to,
                "padding_rows": list(p.padding_rows), "kind": self.kind, "law": self.law, "why": self.why,
                "note": self.note, "passed": self.passed,
                "detectable": None if self.description is None else self.description.detectable,
                "description": None if self.description is None else self.description.to_dict(),
                "verdicts": [v.to_dict() for v in self.verdicts]}


@dataclass(frozen=True)
class AuditReport:
    """The audit of a whole model.

    Attributes:
        target: the model's target in words.
        framework: ``torch``, ``flax`` or ``keras``.
        seeds: the seed of each build, in order.
        seed: the audit's seed (the builds' seeds derive from it).
        alpha: the family-wise false-alarm probability of all the rules' verdicts together.
        parameters: every parameter, in the model's order.
        findings: what is wrong across parameters (and rules that matched nothing).
        rules: the rules, as written.
    """

    target: str
    framework: str
    seeds: tuple[int, ...]
    seed: int
    alpha: float
    parameters: tuple[ParameterAudit, ...]
    findings: tuple[Finding, ...]
    rules: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """Whether every rule's verdict conforms and nothing was found."""
        return not self.findings and all(p.passed for p in self.parameters)

    @property
    def builds(self) -> int:
        """How many times the model was built."""
        return len(self.seeds)

    @property
    def unmatched(self) -> tuple[str, ...]:
        """The parameters no rule applies to (identified and listed, not judged)."""
        return tuple(p.name for p in self.parameters if not p.matched)

    @property
    def failed(self) -> tuple[RuleVerdict, ...]:
        """The verdicts that do not conform."""
        return tuple(v for p in self.parameters for v in p.verdicts if not v.passed)

    @property
    def reproducer(self) -> str | None:
        """The command line that repeats the audit (the rules as given)."""
        rules = " ".join(f"--rule '{r}'" for r in self.rules)
        head = f"initcheck audit {self.target} --seed {self.seed} --seeds {self.builds}"
        return head + (f" {rules}" if rules else "")

    def sentences(self) -> list[str]:
        """One sentence per failed verdict and per finding."""
        out = [v.sentence(p.name) for p in self.parameters for v in p.verdicts if not v.passed]
        return out + [f.detail for f in self.findings]

    def summary(self) -> str:
        """The audit in one line."""
        judged = sum(len(p.verdicts) for p in self.parameters)
        bad = len(self.failed)
        head = "conforms" if self.passed else "DOES NOT CONFORM"
        return (f"{self.target}: {head}: {len(self.parameters)} parameters in {self.builds} builds; "
                f"{judged - bad} of {judged} rule verdicts conform, {len(self.findings)} findings, "
                f"{len(self.unmatched)} parameters without a rule")

    def rows(self) -> list[tuple[str, str, str, str, str, str, str]]:
        """(module, parameter, layer and shape, measured, the smallest variance error its draws
        detect at power 0.999, identified law, verdict) per parameter."""
        out = []
        for p in self.parameters:
            local = p.name[len(p.module) + 1:] if p.module and p.name.startswith(p.module + ".") else p.name
            if p.tied_to is not None:
                verdict = f"tied to {p.tied_to}"
            elif not p.verdicts:
                verdict = "no rule"
            else:
                verdict = "; ".join(("ok " if v.passed else "FAIL ") + (v.block or "") + v.law for v in p.verdicts)
            if p.note and p.description is not None:
                verdict += f"; {p.note}"
            d = p.description
            detects = "-" if d is None or d.detectable is None else (
                "none" if d.detectable == float("inf") else f"{100 * d.detectable:.2g}%")
            out.append((p.module or "(model)", local, f"{p.layer} {_shape(p.shape)}", p.measured(), detects,
                        p.law or "-", verdict))
        return out

    def table(self) -> str:
        """The parameters as a text table grouped by module, then the findings. ``detects``: the
        smallest relative variance error the parameter's draws detect at power 0.999."""
        rows = self.rows()
        heads = ("parameter", "layer, shape", "measured", "detects", "law", "verdict")
        widths = [max([len(h)] + [len(r[i + 1]) for r in rows]) for i, h in enumerate(heads)]
        widths = [min(w, 48) for w in widths[:-1]] + [widths[-1]]  # the verdict column in full

        def line(cells: tuple[str, ...]) -> str:
            return "  " + "  ".join(c[:w].ljust(w) for c, w in zip(cells, widths)).rstrip()

        out = [line(heads)]
        module = None
        for r in rows:
            if r[0] != module:
                module = r[0]
                out.append(module)
            out.append(line(r[1:]))
        if self.findings:
            out.append("findings:")
            out += [f"  {f.kind}: {f.detail}" for f in self.findings]
        return "\n".join(out)

    def markdown(self) -> str:
        """The parameters as a Markdown table, then the findings as a list."""
        out = [f"**{self.summary()}**", "",
               "| module | parameter | layer, shape | measured | detects | law | verdict |",
               "|---|---|---|---|---|---|---|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in self.rows()]
        if self.findings:
            out += ["", "Findings:", ""] + [f"- **{f.kind}**: {f.detail}" for f in self.findings]
        return "\n".join(out) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"target": self.target, "framework": self.framework, "passed": self.passed,
                "summary": self.summary(), "seed": self.seed, "seeds": list(self.seeds), "alpha": self.alpha,
                "rules": list(self.rules), "unmatched": list(self.unmatched),
                "findings": [f.to_dict() for f in self.findings],
                "parameters": [p.to_dict() for p in self.parameters]}
