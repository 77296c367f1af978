"""Shared by the model tests: the rules files and what "conforms parameter by parameter" means."""

from __future__ import annotations

from pathlib import Path

RULES = Path(__file__).parent / "rules"


def rules_file(name: str) -> str:
    """The path of ``rules/NAME.toml``."""
    return str(RULES / f"{name}.toml")


def conforms_parameter_by_parameter(report) -> list[str]:
    """What keeps ``report`` from conforming parameter by parameter: a parameter with no rule or
    a failed verdict (tied ones are judged under the name they are tied to), any finding."""
    problems = [f"{name}: no rule matched" for name in report.unmatched]
    for p in report.parameters:
        if p.tied_to is None and not p.verdicts:
            problems.append(f"{p.name}: no verdict")
        problems += [v.sentence(p.name) for v in p.verdicts if not v.passed]
    problems += [f"{f.kind}: {f.detail}" for f in report.findings]
    if not problems and not report.passed:
        problems.append(report.summary())
    return problems


def failing(report) -> set[str]:
    """The names (with the block) of the parameters whose verdicts do not conform."""
    return {p.name + (v.block or "") for p in report.parameters for v in p.verdicts if not v.passed}


def named_in_findings(report, kind: str | None = None) -> set[str]:
    """Every parameter a finding (of ``kind``, or of any kind) names."""
    return {n for f in report.findings if kind is None or f.kind == kind for n in f.parameters}
