"""The worked example of "Audit your model": run in the ``frameworks`` env, rendered by the docs.

:func:`run` audits a small PyTorch model (an embedding with a padding row, residual blocks
whose output projections are scaled by 1/√(2·depth), LayerNorms) against its rules, then the
same model with the scaling skipped, writes both reports as JSON and the depth plot as PNG
to ``INITCHECK_CONFORMANCE_DIR/audit/`` (``tests/frameworks/test_audit_docs.py`` runs it and
checks what it found). :func:`write`, called by ``docs/conf.py``, turns them into the
Markdown the page includes; with no run on record the page says so.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

DEPTH = 4
WIDTH = 64
RULES = [
    "*.weight=normal(std=0.02)",
    "*.bias=zeros",
    "*.norm.weight=ones",
    f"blocks.*.proj.weight=normal(std=0.02/sqrt(2*{DEPTH}))",
]


def model(skip_scaling: bool = False) -> Any:
    """The example model: ``skip_scaling`` plants the bug (every projection keeps 0.02)."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm = nn.LayerNorm(WIDTH)
            self.fc = nn.Linear(WIDTH, 4 * WIDTH)
            self.proj = nn.Linear(4 * WIDTH, WIDTH)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(1000, WIDTH, padding_idx=0)
            self.blocks = nn.ModuleList(Block() for _ in range(DEPTH))
            for name, p in self.named_parameters():
                with torch.no_grad():
                    if name.endswith("norm.weight"):
                        p.fill_(1.0)
                    elif name.endswith("bias"):
                        p.zero_()
                    else:
                        scaled = name.endswith("proj.weight") and not skip_scaling
                        p.normal_(0.0, 0.02 / math.sqrt(2 * DEPTH) if scaled else 0.02)
            with torch.no_grad():
                self.embed.weight[0].zero_()  # the padding row

    return Net()


def planted() -> Any:
    """The example model with its residual scaling skipped."""
    return model(skip_scaling=True)


def run(directory: Path) -> dict[str, Any]:
    """Audit both models and write ``correct.json``, ``planted.json`` and ``depth.png``."""
    import initcheck
    from initcheck.auditing.plot import plot_depth

    out = directory / "audit"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    reports = {}
    for name, factory in (("correct", model), ("planted", planted)):
        report = initcheck.audit(factory, rules=RULES, seed=0)
        rows = [[p.name, p.measured(), p.law or "-", "; ".join(
            ("ok " if v.passed else "FAIL ") + v.law for v in p.verdicts) + (f"; {p.note}" if p.note else "")]
            for p in report.parameters]
        data = {"summary": report.summary(), "table": report.table(), "rows": rows,
                "sentences": report.sentences(), "passed": report.passed, "builds": report.builds,
                "parameters": len(report.parameters)}
        (out / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        reports[name] = report
        if name == "planted":
            plot_depth(report, str(out / "depth.png"))
    return reports


def _md(text: str) -> str:
    """``text`` safe in Markdown: a law's ``*`` is not emphasis, a ``|`` not a cell's end."""
    return text.replace("*", "\\*").replace("|", "\\|")


def write(page: Path, runs: Path | None, image: Path) -> None:
    """Write the example's Markdown to ``page`` (and copy the plot to ``image``) from ``runs``."""
    page.parent.mkdir(parents=True, exist_ok=True)
    found = runs / "audit" if runs else None
    if found is None or not (found / "correct.json").exists():
        page.write_text("*No audit run on record: run `tox -e frameworks` before the docs to fill this "
                        "example in.*\n", encoding="utf-8")
        return
    correct = json.loads((found / "correct.json").read_text(encoding="utf-8"))
    bad = json.loads((found / "planted.json").read_text(encoding="utf-8"))
    lines = ["The correct model, audited against its rules (the command prints the same as a table",
             "grouped by module, with a column for what each parameter's draws can detect):", "",
             f"**{_md(correct['summary'])}**", "", "| parameter | measured | law identified | verdict |",
             "|---|---|---|---|", *("| " + " | ".join(_md(c) for c in r) + " |" for r in correct["rows"]),
             "", "The same model with the scaling of its projections skipped:", "", f"**{_md(bad['summary'])}**",
             "", *(f"- {_md(s[:200])}" for s in bad["sentences"]), "",
             "and its plot (`--plot`): each projection's measured sd, with its interval, sits above its "
             "rule's dashed line:", "", "![measured sd per layer against the rules](/_generated/audit_depth.png)",
             ""]
    page.write_text("\n".join(lines), encoding="utf-8")
    shutil.copyfile(found / "depth.png", image)
