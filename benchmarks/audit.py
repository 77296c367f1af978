"""Scale: auditing GPT-2 small (124M parameters) against building it, in time and memory.

``python -m benchmarks.audit --python PATH [--output benchmarks/RESULTS.audit.md]``, PATH an
interpreter with torch and transformers (``.tox/frameworks/bin/python`` after ``pip install
transformers``, or the ``models`` env). Goals (issue 11): the audit with its default seeds
costs at most 3× the time of building the model that many times, and peaks at most 2.5× one
model's parameter memory.

Each measurement runs in its own subprocess, after a warm-up build of a 1-layer GPT-2
(imports, lazy code paths): the build case builds the model as many times as the audit
did (each build freed before the next) and times each; the audit case runs
``initcheck.audit`` with GPT-2's documented scheme as rules (N(0, 0.02²) weights, residual
projections N(0, (0.02/√(2·12))²), zero biases, LayerNorm 1 and 0), with the default sequential
design and, on as many builds, the fixed one. Memory is the peak RSS
(Linux VmHWM, reset to the current RSS just before) above the RSS before the first build, as
a multiple of the parameters' bytes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from .memory import _CHILD as _PEAK_CHILD
from .tables import markdown_table

ROOT = Path(__file__).resolve().parent.parent
TIME_GOAL, MEMORY_GOAL = 3.0, 2.5
RULES = [
    "*.weight=normal(std=0.02)", "*.bias=zeros", "*.ln_*.weight=ones",
    "transformer.h.*.*.c_proj.weight=normal(std=0.02/sqrt(2*12))",
]

_HELPERS = _PEAK_CHILD[: _PEAK_CHILD.index("claim, shape")].replace("from initcheck import check, init\n", "")

_CHILD = _HELPERS + r"""
import time
from transformers import GPT2Config, GPT2LMHeadModel

def gpt2():
    return GPT2LMHeadModel(GPT2Config())

GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=64, n_head=2, vocab_size=100, n_positions=32))  # warm-up
mode, builds = sys.argv[1], int(sys.argv[2])
base = reset_peak()
if mode == "build":
    times = []
    for _ in range(builds):
        t = time.perf_counter()
        model = gpt2()
        times.append(time.perf_counter() - t)
        params = sum(p.numel() * p.element_size() for p in model.parameters())
        del model
    out = {"times": times, "params": params}
else:
    import initcheck
    t = time.perf_counter()
    report = initcheck.audit(gpt2, rules=json.loads(sys.argv[3]), seeds=None if builds == 0 else builds,
                             design=sys.argv[4])
    out = {"time": time.perf_counter() - t, "builds": report.builds, "passed": report.passed,
           "verdicts": sum(len(p.verdicts) for p in report.parameters), "parameters": len(report.parameters),
           "findings": len(report.findings)}
out["peak"] = (peak() - base) * 1024
print(json.dumps(out))
"""


def _run(python: str, *args: str) -> dict:
    done = subprocess.run([python, "-c", _CHILD, *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=3600)
    if done.returncode:
        raise SystemExit(f"benchmark child failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="an interpreter with torch and transformers")
    parser.add_argument("--output", default=None, help="write the Markdown here (default: print it)")
    args = parser.parse_args(argv)
    audit = _run(args.python, "audit", "0", json.dumps(RULES), "sequential")
    build = _run(args.python, "build", str(audit["builds"]))
    fixed = _run(args.python, "audit", str(audit["builds"]), json.dumps(RULES), "fixed")
    mean_build = sum(build["times"]) / len(build["times"])
    time_ratio = audit["time"] / (audit["builds"] * mean_build)
    memory_ratio = audit["peak"] / build["params"]
    rows = [
        ["audit wall time", f"{audit['time']:.1f} s ({audit['builds']} builds, default seeds)",
         f"{time_ratio:.2f}× {audit['builds']} builds of {mean_build:.2f} s", f"≤ {TIME_GOAL:g}×",
         "yes" if time_ratio <= TIME_GOAL else "no"],
        ["audit peak memory", f"{audit['peak'] / 2**20:.0f} MiB above the start",
         f"{memory_ratio:.2f}× the parameters' {build['params'] / 2**20:.0f} MiB", f"≤ {MEMORY_GOAL:g}×",
         "yes" if memory_ratio <= MEMORY_GOAL else "no"],
        ["audit, design=fixed (same builds)", f"{fixed['time']:.1f} s, {fixed['peak'] / 2**20:.0f} MiB",
         f"{fixed['time'] / (audit['builds'] * mean_build):.2f}×, {fixed['peak'] / build['params']:.2f}×", "", ""],
        ["building alone, peak", f"{build['peak'] / 2**20:.0f} MiB", f"{build['peak'] / build['params']:.2f}×", "", ""],
    ]
    text = "\n".join([
        "# Auditing GPT-2 small (124M parameters)", "",
        f"`python -m benchmarks.audit --python {args.python}`: {audit['parameters']} parameters, "
        f"{audit['verdicts']} rule verdicts, passed: {audit['passed']}, findings: {audit['findings']}.", "",
        markdown_table(["measure", "value", "ratio", "goal", "met?"], rows), ""])
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
