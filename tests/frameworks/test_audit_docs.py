"""The worked example of docs/howto/audit.md: run here (the frameworks env), rendered by the docs.

The docs env has no PyTorch: this test runs the example's audits and writes them where the
docs build reads them (``INITCHECK_CONFORMANCE_DIR``, as the conformance matrices do), and
checks what the page will say: the correct model conforms, the planted one fails exactly
its projections' rule, and the plot exists.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.frameworks._helpers import import_framework

import_framework("torch", "pip install torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))
import audit_example  # noqa: E402


@pytest.mark.false_alarm(1e-6, per="item", assertions=1, requires="torch",
                         reason="the correct model's audit at alpha 1e-6 (the planted 2.8x sd error is caught "
                         "whatever the draw at 16,384 values per build)")
def test_the_docs_example_conforms_and_its_planted_bug_is_named(tmp_path):
    directory = Path(os.environ.get("INITCHECK_CONFORMANCE_DIR") or tmp_path)
    reports = audit_example.run(directory)
    assert reports["correct"].passed, reports["correct"].sentences()
    bad = reports["planted"]
    rule = f"blocks.*.proj.weight=normal(std=0.02/sqrt(2*{audit_example.DEPTH}))"
    assert sorted({v.rule for v in bad.failed}) == [rule]
    assert sorted(p.name for p in bad.parameters if not p.passed) == [
        f"blocks.{i}.proj.weight" for i in range(audit_example.DEPTH)]
    assert (directory / "audit" / "depth.png").read_bytes()[:4] == b"\x89PNG"
    page = tmp_path / "page.md"
    audit_example.write(page, directory, tmp_path / "depth.png")
    text = page.read_text(encoding="utf-8")
    assert "padding row 0: exactly 0 in every build" in text and "does not conform" in text
