"""Write the conformance matrices page at build time.

Each framework's table (the rows and the laws their documentation promises)
comes from ``initcheck.adapters``; the verdicts come from the last conformance
run written as JSON to ``INITCHECK_CONFORMANCE_DIR`` (the ``frameworks`` and
``mxnet`` tox envs write them, and run before ``docs`` in ``tox``'s order). A
framework with no run on record shows its promised laws and says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from initcheck.adapters import FRAMEWORKS, conformance, excluded

FRAMEWORK_ORDER = ("torch", "jax", "flax", "keras", "tensorflow", "mxnet")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _section(framework: str, run: dict[str, Any] | None) -> list[str]:
    rows = conformance(framework)
    notes = [r.note for r in rows]
    common = os.path.commonprefix(notes)
    # keep whole sentences only: up to the last full stop that ends a sentence in every note
    cut = max((i + 1 for i, ch in enumerate(common) if ch == "." and all(
        len(n) == i + 1 or n[i + 1] == " " for n in notes)), default=0)
    common = common[:cut]
    lines = [f"## {framework}", ""]
    if common:
        lines += [f"Conventions: {common.strip()}", ""]
    results = {r["name"]: r for r in run["rows"]} if run else {}
    if run:
        lines += [f"Run with seed {run['seed']}, matrix α = {run['alpha']:g} (shared by "
                  f"{run['rows_total']} rows), tolerance {run['tolerance']:g}: "
                  f"{sum(r['status'] == 'conforms' for r in run['rows'])} of {run['rows_total']} conform.", ""]
    else:
        lines += ["No run on record in this build (run `tox -e frameworks` or `tox -e mxnet` before "
                  "`tox -e docs`, or `initcheck conformance " + framework + "`); the laws promised:", ""]
    lines += ["| initializer | law promised | verdict | values | note |", "|---|---|---|---|---|"]
    for row in rows:
        res = results.get(row.name)
        if res is None:
            verdict, n = "not run", "-"
        elif res["status"] == "conforms":
            verdict, n = "conforms", f"{res['n']:,}"
        else:
            verdict, n = f"**{res['status']}**: {_cell(res['finding'])}", f"{res['n']:,}"
        note = row.note[len(common):].strip() if common else row.note
        lines.append(f"| `{_cell(row.name)}` | `{_cell(row.law)}` | {verdict} | {n} | {_cell(note)} |")
    gone = excluded(framework)
    if gone:
        lines += ["", "Not in the matrix:", ""] + [f"- `{_cell(e.name)}`: {_cell(e.reason)}" for e in gone]
    return lines + [""]


def write(out: Path, runs_dir: Path | None) -> None:
    """Write the generated Markdown (included by ``howto/conformance.md``)."""
    lines: list[str] = []
    for fw in FRAMEWORK_ORDER:
        if fw not in FRAMEWORKS:
            continue
        run = None
        if runs_dir is not None and (runs_dir / f"{fw}.json").exists():
            run = json.loads((runs_dir / f"{fw}.json").read_text())
        lines += _section(fw, run)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
