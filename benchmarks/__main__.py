"""Run the benchmarks and write RESULTS.md: ``python -m benchmarks [--quick] [--only SECTION ...]``.

Every section that runs verdicts runs them with both designs (fixed and
sequential). Sections: efficiency (draws against closed-form minima, every
error class planted), power (planted errors over seeds), speed (check against
drawing, the default verdict against numpy, conformance torch, profiles),
memory, calibration,
tools (``initcheck verify`` and ``tox -e py`` wall times), import (``import
initcheck`` against ``import numpy``, and the installed pytest plugin's cost
to a run that does not use it). Progress goes to
stderr. The full run writes ``benchmarks/RESULTS.md``; ``--quick`` (fewer seeds,
sizes and repeats; no tool timings) writes ``benchmarks/RESULTS.quick.md``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

from . import calibration, classes, efficiency, imports, machine, memory, power, speed
from .montecarlo import clopper_pearson
from .tables import ci, count, markdown_table, seconds

SECTIONS = ("efficiency", "power", "speed", "memory", "calibration", "tools", "import")
HERE = Path(__file__).resolve().parent

FULL = {
    "class_seeds": 5,
    "class_extra_seeds": 24,
    "power_seeds": 150,
    "default_seeds": 16,
    "calibration_seeds": 200,
    "calibration_seq_seeds": 150,
    "speed_sizes": [64, 128, 256, 512, 1024, 2048, 4096],
    "repeats": 3,
    "repeats_default": 5,
    "memory_sizes": [256, 1024, 2048, 4096],
    "memory_claims": ["xavier_normal", "xavier_uniform"],
    "tools": True,
    "import_rounds": (20, 10),
}
QUICK = {
    "class_seeds": 2,
    "class_extra_seeds": 4,
    "power_seeds": 16,
    "default_seeds": 2,
    "calibration_seeds": 24,
    "calibration_seq_seeds": 16,
    "speed_sizes": [64, 256, 1024],
    "repeats": 1,
    "repeats_default": 2,
    "memory_sizes": [256, 1024],
    "memory_claims": ["xavier_normal"],
    "tools": False,
    "import_rounds": (10, 5),
}


class Progress:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.start:6.0f} s] {text}", file=sys.stderr, flush=True)


def _command(argv: list[str]) -> str:
    unset = [v for v in machine.OPENBLAS_VARS if v not in os.environ]
    prefix = "env " + " ".join(f"-u {v}" for v in unset) + " " if len(unset) == len(machine.OPENBLAS_VARS) else ""
    return f"{prefix}python -m benchmarks" + "".join(" " + shlex.quote(a) for a in argv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run (for trying out)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--no-tox", action="store_true", help="skip the `tox -e py` timing")
    parser.add_argument("--torch-python", help="an interpreter with PyTorch, for `initcheck conformance torch` "
                        "(default: this one, or .tox/frameworks)")
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the markdown (default: benchmarks/RESULTS.md, "
        "RESULTS.quick.md with --quick, RESULTS.partial.md with --only)",
    )
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    cfg = QUICK if args.quick else FULL
    sections = args.only or list(SECTIONS)
    out = args.output or HERE / (
        "RESULTS.quick.md" if args.quick else "RESULTS.partial.md" if args.only else "RESULTS.md"
    )
    progress = Progress()
    warning = machine.openblas_env_warning()
    if warning:
        progress(f"warning: {warning}")
    progress(f"benchmarks ({'quick' if args.quick else 'full'}): {', '.join(sections)} -> {out}")
    load_start = os.getloadavg()
    parts: list[str] = []
    goals: list[list[str]] = []

    if "efficiency" in sections:
        progress("efficiency: one default verdict per law family and design")
        by_design = {d: efficiency.default_reports(progress, d) for d in classes.DESIGNS}
        progress("efficiency: every error class planted, both designs, over seeds")
        measured = classes.measure(cfg["class_seeds"], cfg["class_extra_seeds"], progress)
        progress("efficiency: closed-form minima and sequential designs")
        parts.append(_efficiency(by_design, measured, cfg, goals))
    if "power" in sections:
        progress("power: the real check() on planted errors over seeds")
        parts.append(_power(power.measure(cfg["power_seeds"], cfg["default_seeds"], progress), goals))
    if "speed" in sections:
        progress("speed: check() against drawing the same values, both designs")
        timings = speed.measure(cfg["speed_sizes"], cfg["repeats"], progress)
        progress("speed: the default verdict against numpy drawing the χ² minimum")
        defaults = speed.default_verdict(cfg["repeats_default"], progress)
        conf = None
        if cfg["tools"] or args.only:
            python = speed.torch_python(args.torch_python)
            conf = {"python": None} if python is None else speed.time_conformance(python, progress)
        parts.append(_speed(timings, defaults, conf, cfg, goals, progress))
    if "memory" in sections:
        progress("memory: peak of a verdict, one subprocess per case")
        parts.append(_memory(memory.measure(cfg["memory_sizes"], cfg["memory_claims"], progress), goals))
    if "calibration" in sections:
        progress("calibration: correct samplers at α = 0.01 and 0.05")
        parts.append(_calibration(calibration.measure(cfg["calibration_seeds"], progress,
                                                     cfg["calibration_seq_seeds"]), cfg, goals))
    if "tools" in sections and (cfg["tools"] or args.only):
        parts.append(_tools(not args.no_tox, goals, progress))
    elif "tools" in sections:
        parts.append("## Tools\n\nNot timed in a quick run (`initcheck verify` and `tox -e py` take minutes).\n")
    if "import" in sections:
        progress("import: import initcheck against import numpy; the installed pytest plugin")
        parts.append(_imports(cfg, goals, progress))

    wall = time.perf_counter() - progress.start
    load_end = os.getloadavg()
    head = [
        "# initcheck benchmarks: statistical power, speed and robustness, measured\n",
        (
            f"Produced by `{_command(argv)}` from the repository root (or `tox -e bench`; for timings unset "
            "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in that command, e.g. "
            "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE tox -e bench`). "
            + ("Quick run: fewer seeds, sizes and repeats — not the committed figures. "
               if args.quick else "Full run. ")
            + f"Wall time of this run: {wall / 60:.1f} min.\n"
        ),
        "## Machine\n",
        markdown_table(
            ["what", "value"],
            machine.describe()
            + [
                (
                    "load average (1 min) at start / end",
                    (
                        f"{load_start[0]:.2f} / {load_end[0]:.2f} "
                        "(other work on the machine slows wall-clock timings; CPU-time ratios are given too)"
                    ),
                )
            ],
        ),
        "",
    ]
    if goals:
        head += ["## Goals\n", markdown_table(["goal", "measured", "met?"], goals), ""]
    text = "\n".join(head) + "\n" + "\n".join(parts)
    out.write_text(text)
    progress(f"wrote {out} ({wall / 60:.1f} min)")
    return 0


def _efficiency(by_design, measured, cfg, goals) -> str:
    reports = by_design["fixed"]
    rows = efficiency.rows(reports)
    dec, f = efficiency.decomposition(reports)
    met = [r for r in rows if r.met]
    under = [r for r in rows if r.power < 0.999]
    normal = reports["normal"]
    small = min(normal.shapes, key=lambda s: s.n)
    correct = efficiency.correct(measured)
    ms = efficiency.measured_rows(rows, measured)
    for c in correct:
        goal = efficiency.VALUES_GOAL.get(c.family)
        if goal is None:
            continue
        goals.append(
            [
                f"correct {c.family} sampler, sequential vs fixed: values ≤ {goal:g}×, sampler calls "
                f"≤ {efficiency.CALLS_GOAL:g}× (median of {c.seeds[1]} seeds)",
                (
                    f"values {c.values_ratio:.3f}× ({count(c.seq_values)} vs {count(c.fixed_values)}; "
                    f"seeds {count(c.seq_range[0])}–{count(c.seq_range[1])}), calls {c.calls_ratio:.3f}× "
                    f"({count(c.seq_calls)} vs {count(c.fixed_calls)})"
                ),
                {(True, True): "yes", (False, False): "no"}.get(
                    (bool(c.values_met), c.calls_met), f"values {'yes' if c.values_met else 'no'}, "
                    f"calls {'yes' if c.calls_met else 'no'}"),
            ]
        )
    ortho = next(c for c in correct if c.family == "orthogonal")
    lost = [m for m in ms if not m.kept]
    kept_rows = len(ms) - len(lost)
    goals.append(
        [
            "every error class of the efficiency table keeps its power under the sequential design "
            f"({cfg['class_seeds']} seeds per class and design, {cfg['class_extra_seeds']} for the sequential "
            "design's contamination classes)",
            f"{kept_rows} of {len(ms)} classes kept (every sequential verdict caught it)"
            + (
                "; given up: "
                + "; ".join(
                    f"{m.row.family}, {m.row.error}: sequential {m.seq.failed}/{m.seq.runs} caught"
                    + (f", closed form {m.seq_power:.3f} vs fixed {m.fixed_power:.4f}" if m.seq_power is not None
                       else f" (fixed {m.fixed.failed}/{m.fixed.runs}, closed form {m.fixed_power:.6f})")
                    for m in lost
                )
                + " — fewer values drawn"
                if lost
                else ""
            ),
            "yes" if not lost else ("as expected (contamination only)" if all(
                classes.contamination(m.row.error) for m in lost) else "no"),
        ]
    )
    seq_met = [m for m in ms if m.seq.failed == m.seq.runs
               and classes.median_values(m.seq) <= 1.5 * m.row.n_min and m.row.family != "orthogonal"]
    goals.append(
        [
            "sample efficiency: ≤ 1.5× the single-test minimum in every row, at power ≥ 0.999",
            (
                f"fixed (closed form): {len(met)} of {len(rows)} rows; normal variance {normal.n / f['n_min']:.1f}× "
                f"in all, {f['n_share'] / f['n_min']:.2f}× per shape. Sequential (measured, every seed caught): "
                f"{len(seq_met)} of {len([m for m in ms if m.row.family != 'orthogonal'])} non-orthogonal rows; "
                f"normal variance +2% {classes.median_values(ms[0].seq) / ms[0].row.n_min:.1f}× in all"
            ),
            "no" if len(met) < len(rows) else "yes",
        ]
    )
    var = rows[0]
    var_m = ms[0]
    c_normal = measured[("normal", classes.CORRECT, "sequential")]
    goals.append(
        [
            "below the minimum where a sequential design pays (normal variance +2%, per shape)",
            (
                f"Wald: an SPRT would need {var.seq[1] / var.n_min:.2f}× the χ² minimum under the error and "
                f"{var.seq[0] / var.n_min:.2f}× on a correct sampler; measured, the sequential verdict draws "
                f"{classes.median_shape_values(var_m.seq) / var.n_min:.2f}× and "
                f"{classes.median_shape_values(c_normal) / var.n_min:.2f}× per shape (median; at its share "
                "of α, not α)"
            ),
            "yes" if classes.median_shape_values(c_normal) < var.n_min else "no",
        ]
    )
    square = any(len(s.shape) == 2 and s.shape[0] == s.shape[1] for s in reports["orthogonal"].shapes)
    text = [
        "## 1. Sample efficiency\n",
        "### Draws of the default verdict, both designs\n",
        (
            "One default `check()` per family on a correct reference sampler, seed 0, with `design=\"fixed\"` and "
            "`design=\"sequential\"` (the default); `Report.shapes` per shape: planned values, sampler calls, "
            "values drawn, why the sequential design stopped the shape (`stop`), its per-shape tolerance "
            "(coarser at a tiny shape), and the power each design promises there against a variance error "
            "(±2% for the fixed design; ± the tolerance for the sequential one) and a mean shift.\n"
        ),
        efficiency.draws_table(by_design),
        "",
        (
            f"Fixed design: every shape is planned for the same n (the larger of the variance and the mean plans at "
            f"the per-test share α/({f['k_tests']}·shapes)). Two shapes depart from the plan: the tiny 6×4 shape is "
            f"capped at {efficiency.MAX_CALLS} sampler calls, so it draws {count(small.n)} values and has power "
            f"{small.power_variance:.4f} against a 2% variance error (it relies on the other shapes), and the "
            "300×1200 shape draws 2 whole calls (720,000 values) where about 400,000 are planned. The sequential "
            "design stops each shape once its SPRTs decide (or once the bound checks cover the moment errors, "
            "`planned`); the tiny shape gets a coarser tolerance, and a one-call shape may hold more values than "
            "its tests need.\n"
        ),
        "### Correct samplers: values and calls, sequential against fixed\n",
        (
            f"Default verdicts (default shapes, α, tolerance) on seeds 0…N−1; medians over seeds. The fixed "
            "design's draws do not depend on the seed. Goals: values ≤ 0.3× the fixed design's for the normal law, "
            f"≤ 0.1× for the uniform and truncated laws; sampler calls ≤ {efficiency.CALLS_GOAL:g}×.\n"
        ),
        efficiency.correct_table(correct),
        "",
        (
            "Orthogonal has no goal here; its sequential design takes the Haar tests' own number of matrices "
            f"per shape ({count(ortho.seq_calls)} calls vs {count(ortho.fixed_calls)}). Where a goal on values is "
            "missed, look at the largest shape: a draw is a whole call, and at seed 0 the sequential design's "
            + "; ".join(
                f"{fam} verdict takes {count(big.n)} of its {count(rep.n)} values ({big.n / rep.n:.0%}) from "
                f"{count(big.draws)} call(s) of {'×'.join(map(str, big.shape))}"
                for fam, rep in by_design["sequential"].items()
                if fam in efficiency.VALUES_GOAL
                for big in [max(rep.shapes, key=lambda s: s.n)]
            )
            + " — a whole call, which the fixed design also draws (twice). The other shapes stop "
            + "; ".join(
                f"{fam}: " + ", ".join(sorted({s.stop for s in rep.shapes}))
                for fam, rep in by_design["sequential"].items()
                if fam in efficiency.VALUES_GOAL
            )
            + " (`planned`: the bound checks cover the moment errors and the fixed-size tests' prefix is drawn; "
            "`decided`: the SPRTs decided).\n"
        ),
        "### Each error against the fewest draws any single test needs (fixed design, closed forms)\n",
        (
            "Minimum: the best fixed-sample test we derive in closed form for that error alone, at α = 1e-6 and power "
            "0.999 (exact unless marked asymptotic; derivations in `benchmarks/minimum.py`). "
            "The fixed design's own test for "
            "that error needs the next column per shape at its Bonferroni share of α. Its power combines its "
            "shapes: 1 − Π(1 − power at each shape's n). Laws standardized; orthogonal rows count matrices.\n"
        ),
        efficiency.rows_table(rows),
        "",
        f"The goal (≤ 1.5× the minimum) is met in {len(met)} of {len(rows)} rows by the fixed design. It is one "
        "fixed-sample design sized for its hardest error, a 2% variance error of a normal law (or a 0.02σ mean "
        "shift), per shape; every other error is found with far fewer values than it draws, by exact support, "
        "extreme-value and orthogonality checks, so its draws are hundreds or thousands of times their minimum. "
        + (
            "Rows where it is *under*-powered: "
            + "; ".join(f"{r.family}, {r.error} (power {r.power:.4f})" for r in under)
            + " "
            "— a contamination rate p is caught with power 0.999 only once n ≥ ln(1000)/p values are drawn in all, "
            "so rates below ~7/n are out of reach of any fixed n. "
            if under
            else ""
        )
        + (
            "The default orthogonal shapes include a square one, so the exact det test runs by default on the "
            "QR-without-sign-fix bug (the row's closed form counts only the entry KS test).\n"
            if square
            else "For the QR-without-sign-fix bug the default orthogonal shapes contain no square matrix, so the "
            "exact det test never runs by default and the entry KS test, which needs about twice the matrices, "
            "catches it.\n"
        ),
        "### Every error class, planted, both designs (measured)\n",
        (
            f"Each error class of the table above planted in a sampler (`benchmarks/planted.py`, "
            f"`benchmarks/classes.py`) and checked by the default verdict with each design on seeds "
            f"0…{cfg['class_seeds'] - 1} ({cfg['class_extra_seeds']} seeds for the sequential design's "
            "contamination classes, which are cheap and far from certain): median values and sampler calls, "
            "verdicts that failed (caught) with the 95% Clopper–Pearson interval, and for the support classes the "
            "closed-form power 1 − (1 − p)^n at each design's median values (both designs check the support on "
            "every value). A handful of seeds cannot show a power of 0.999 (see section 2 for that); it shows "
            "what each design draws, and any class a design misses.\n"
        ),
        efficiency.measured_table(ms),
        "",
        (
            "Every class but the contamination ones is caught in every verdict by both designs. "
            if all(m.kept or classes.contamination(m.row.error) for m in ms)
            else "**Not caught in every verdict**: "
            + "; ".join(f"{m.row.family}, {m.row.error}" for m in lost if not classes.contamination(m.row.error))
            + ". "
        )
        + "Contamination classes (a fraction 1e-5 of values × 10, or × 1.5 beyond a bound) are caught with "
        "probability about 1 − exp(−n·p): the sequential design draws what its own tests need, fewer values than "
        "the fixed design, so it catches them less often; the design does not size for them "
        "(`initcheck/sequential.py`): "
        + "; ".join(
            f"{m.row.family}, {m.row.error}: sequential {m.seq.failed}/{m.seq.runs}"
            + (f" (closed form {m.seq_power:.3f}, fixed {m.fixed_power:.4f})" if m.seq_power is not None
               else f" (fixed {m.fixed.failed}/{m.fixed.runs})")
            for m in ms
            if classes.contamination(m.row.error)
        )
        + ". Under a support error the sequential design stops at the first value out of bounds (one call); "
        "under a narrowed support it draws as on a correct sampler (the bound-reach test reads the prefix). "
        "An orthogonal matrix that is not orthogonal does not stop the sequential design at the first matrix: "
        "it draws the first shape's Haar-test matrices, then the verdict stops "
        f"({count(classes.median_calls(ms[-4].seq))} calls for the gain error).\n",
        "### Why the fixed design's normal verdict draws more than one χ² test\n",
        dec,
        "",
        (
            f"Per shape the fixed design is within {f['n_share'] / f['n_min']:.2f}× of the single χ² test: the whole "
            f"excess is the Bonferroni share (z = {f['z_share']:.2f} instead of {f['z_alpha']:.2f}). In all it draws "
            f"{normal.n / f['n_min']:.1f}× the minimum because each of the {f['shapes']} shapes is planned to reach "
            "power 0.999 on its own (an error confined to one shape, e.g. a wrong fan for 3-D kernels, must be "
            "caught there).\n"
        ),
        "### Sequential designs: Wald's approximations and the sequential verdict, measured\n",
        (
            "Expected draws of a sequential version of the best test, one test at α (Wald's approximations, "
            "overshoot ignored), and beside them the sequential verdict's median values per shape tested (over "
            "the seeds of the table above: the verdict's SPRTs run at its per-test share of α, a fixed-size "
            "prefix feeds its other tests, and a draw is a whole call).\n"
        ),
        efficiency.sequential_table(rows, measured),
        "",
        (
            f"Wald: an SPRT needs {var.seq[1] / var.n_min:.2f}× the χ² minimum under a +2% variance error and "
            f"{var.seq[0] / var.n_min:.2f}× on a correct normal sampler; the sequential verdict measured "
            f"{classes.median_shape_values(var_m.seq) / var.n_min:.2f}× and "
            f"{classes.median_shape_values(c_normal) / var.n_min:.2f}× per shape. For support errors a check that "
            "stops at the first value out of bounds needs 1/ln(1000) ≈ 0.14× on average; the verdict's first call "
            "already holds more values than that at every default shape.\n"
        ),
    ]
    return "\n".join(text)


def _power(results, goals) -> str:
    summary = {}
    for design in power.DESIGNS:
        mine = [(p, o, pr) for p, o, pr in results if p.design == design]
        at_tol = [(p, o, pr) for p, o, pr in mine if p.at_tolerance]
        correct = [(p, o) for p, o, _ in mine if p.correct]
        caught = sum(o.failed for _, o, _ in at_tol)
        runs = sum(o.runs for _, o, _ in at_tol)
        low, high = clopper_pearson(caught, runs)
        expected = sum(o.runs * (1 - pr) for _, o, pr in at_tol if pr is not None)
        fa = sum(o.failed for _, o in correct)
        fa_runs = sum(o.runs for _, o in correct)
        summary[design] = (caught, runs, low, high, expected, fa, fa_runs)
        goals.append(
            [
                f"{design} design: power ≥ 0.999 at the tolerance (planted variance ±2%, mean +0.02σ; "
                "normal and uniform)",
                (
                    f"{caught} of {runs} caught, 95% CP {ci(low, high)}; {expected:.2f} misses expected at the "
                    + ("planner's power" if design == "fixed" else "promised power")
                ),
                "consistent" if high >= 0.999 else "no",
            ]
        )
        goals.append(
            [
                f"{design} design: false alarms ≤ α = 1e-6 on correct samplers",
                f"{fa} of {fa_runs} verdicts, 95% CP {ci(*clopper_pearson(fa, fa_runs))}",
                "consistent" if fa == 0 else "no",
            ]
        )
    below = [(p, o, pr) for p, o, pr in results if p.effect is not None and not p.at_tolerance]

    def words(design: str) -> str:
        caught, runs, low, high, expected, fa, fa_runs = summary[design]
        return (
            f"{design}: {caught} of {runs} caught (95% CP {ci(low, high)}; {expected:.2f} misses expected), "
            + ("consistent with power ≥ 0.999" if high >= 0.999 else "**significantly below** 0.999")
            + f"; correct samplers failed {fa} of {fa_runs} verdicts"
        )

    text = [
        "## 2. Achieved power and false alarms, measured\n",
        (
            f"The real `check()` with the default α = 1e-6 and tolerance 0.02, seeds 0…N−1, each case with both "
            f"designs on the same seeds. Single-shape cases use `shapes=[{power.SHAPE}]` (the planning share is then "
            "α/20); the default 7-shape verdict is repeated on fewer seeds. The fixed design's planner power is the "
            "probability that the planted effect's own test alone reaches Holm's first threshold α/m (m = the "
            "verdict's number of tests), a lower bound on the catch rate; the sequential design's is the power its "
            "plan promises at the tolerance (`ShapePlan.power_variance` / `power_mean`, ≥ 0.999 per shape by "
            "construction: Wald's β plus the chance of reaching the cut undecided), combined over shapes.\n"
        ),
        power.table(results),
        "",
        "At the tolerance — "
        + "; ".join(words(d) for d in power.DESIGNS)
        + ". With a few hundred verdicts a power of 0.999 cannot be shown, only not refuted: an interval whose "
        "upper end is ≥ 0.999 is consistent with it (a miss at power 0.999 is one verdict in 1,000). α = 1e-6 "
        "is likewise too small to measure with hundreds of verdicts (calibration at larger α is in section 5). "
        "Below the tolerance: "
        + "; ".join(
            f"{p.what} ({p.design}): {o.rate:.3f} {ci(*clopper_pearson(o.failed, o.runs))}"
            + (
                ""
                if pr is None
                else f" vs the planner's ≥ {pr:.3f} "
                + ("(**below the prediction**)" if clopper_pearson(o.failed, o.runs)[1] < pr else "(consistent)")
            )
            for p, o, pr in below
        )
        + ". The fixed design's planner power is a lower bound (other tests add power), so an observed rate may "
        "exceed it; the sequential design makes no promise below its tolerance (an SPRT tuned to ±2% accepts "
        "smaller errors more often than a fixed test of the same n).\n",
    ]
    return "\n".join(text)


def _speed(timings, defaults, conf, cfg, goals, progress) -> str:
    for design in speed.DESIGNS:
        mine = [t for t in timings if t.design == design]
        ok = [t for t in mine if t.ratio <= speed.GOAL]
        goals.append(
            [
                f"{design} design: check() ≤ {speed.GOAL:g}× the time to draw the same values",
                (
                    f"{len(ok)} of {len(mine)} shapes; ratios {min(t.ratio for t in mine):.1f}×–"
                    f"{max(t.ratio for t in mine):.1f}× (wall)"
                ),
                "yes" if len(ok) == len(mine) else "no",
            ]
        )
    for d in defaults:
        goals.append(
            [
                f"{d.design} design: a correct normal sampler's default verdict ≤ {speed.DEFAULT_GOAL:g}× numpy "
                f"drawing the χ² minimum ({speed.CHI2_MIN:,} normals) at each of the {d.shapes} default shapes",
                (
                    f"{d.ratio:.1f}× wall ({seconds(d.wall)} vs {seconds(d.numpy_wall)}), {d.ratio_cpu:.1f}× CPU "
                    f"(median of {cfg['repeats_default']})"
                ),
                "yes" if d.ratio <= speed.DEFAULT_GOAL else "no",
            ]
        )
    conf_text = _conformance_text(conf, goals)
    big = max(t.size for t in timings)
    progress(f"speed: profiles (default shapes, {big}×{big}; default design)")
    prof_default, t_default = speed.profile("xavier_normal", None)
    prof_big, t_big = speed.profile("xavier_normal", [(big, big)])
    text = [
        "## 3. Speed\n",
        (
            f"`check(sampler, claim, shapes=[(n, n)], design=...)` with the default α and tolerance, against "
            f"calling the same sampler as many times as the verdict did (same values, `Report.n`), in the same "
            f"process; medians of {cfg['repeats']} repeats.\n"
        ),
        speed.table(timings),
        "",
        (
            "Checking costs "
            + "; ".join(
                f"{d} {min(t.ratio for t in timings if t.design == d):.0f}–"
                f"{max(t.ratio for t in timings if t.design == d):.0f}×"
                for d in speed.DESIGNS
            )
            + " drawing (wall). At small shapes fixed costs dominate (planning, dozens of tests, scipy law objects); "
            "uniform draws are so cheap that any test is many times their cost. At large shapes both designs draw "
            "one or two calls; the verdict's own work then grows with the draw (the profiles show where).\n"
        ),
        "### The default verdict of a correct normal sampler against numpy drawing the χ² minimum\n",
        (
            f"`check(init.xavier_normal(), \"xavier_normal\", seed=r, design=...)` (default shapes, α, tolerance) "
            f"against `rng.normal(size={speed.CHI2_MIN})` once per default shape, in the same process after a "
            f"warm-up verdict; medians of {cfg['repeats_default']} seeds. {speed.CHI2_MIN:,} normals are the fewest "
            "a χ² test needs for a 2% variance error at α = 1e-6 and power 0.999 (section 1). Goal: "
            f"≤ {speed.DEFAULT_GOAL:g}×.\n"
        ),
        speed.default_table(defaults),
        "",
        conf_text,
        f"### Where the time goes: xavier_normal, default shapes, sequential design ({seconds(t_default)} under "
        "cProfile)\n",
        prof_default,
        "",
        f"### Where the time goes: xavier_normal, {big}×{big}, sequential design ({seconds(t_big)} under cProfile)\n",
        prof_big,
        "",
        (
            "Cumulative times nest (a caller includes its callees); `__call__` rows are the sampler "
            "(`init.py`); the seed check's draws are `draw_seed_check` (`drawing.py`).\n"
        ),
    ]
    return "\n".join(text)


def _conformance_text(conf, goals) -> str:
    head = "### `initcheck conformance torch`, both designs\n"
    if conf is None:
        goals.append(["`initcheck conformance torch` (sequential) ≤ 0.35× the fixed design's time",
                      "**not measured**: not run in this run (quick run, or no section speed)", "—"])
        return head + "\nNot timed in this run.\n"
    if conf.get("python") is None:
        goals.append(["`initcheck conformance torch` (sequential) ≤ 0.35× the fixed design's time",
                      "**not measured**: no interpreter with PyTorch (pass `--torch-python PATH`)", "—"])
        return head + "\n**Not measured**: no interpreter here imports torch (pass `--torch-python PATH`).\n"
    fixed, seq, cli = conf["fixed"], conf["sequential"], conf["cli"]
    failed = [d for d in speed.DESIGNS if conf[d].get("exit") != 0]
    if failed:
        goals.append(["`initcheck conformance torch` (sequential) ≤ 0.35× the fixed design's time",
                      f"**not measured**: the {', '.join(failed)} run failed", "—"])
        return head + "\n**Not measured**: " + "; ".join(f"{d}: {conf[d].get('error')}" for d in failed) + "\n"
    r = seq["wall"] / fixed["wall"]
    r_cli = cli["wall"] / fixed["wall"]
    patched = "replaced" in fixed["how"]
    goals.append(
        [
            "`initcheck conformance torch` (sequential) ≤ 0.35× the fixed design's time",
            (
                f"{r:.2f}× wall ({fixed['wall']:.1f} s fixed, {seq['wall']:.1f} s sequential; CPU "
                f"{seq['cpu'] / fixed['cpu']:.2f}×); the CLI itself (default design) {cli['wall']:.1f} s = "
                f"{r_cli:.2f}×"
                + ("; the fixed design through a replaced `check` (conformance takes no design argument)"
                   if patched else "")
            ),
            "yes" if r <= speed.CONFORMANCE_GOAL else "no",
        ]
    )
    rows = [
        [
            d,
            f"`{conf[d]['how']}`",
            f"{conf[d]['wall']:.1f} s",
            f"{conf[d]['cpu']:.1f} s",
            f"{conf[d]['seconds']:.1f} s",
            f"{conf[d]['conform']} of {conf[d]['rows']}",
            count(conf[d]["values"]),
            ", ".join(conf[d]["designs"]),
        ]
        for d in speed.DESIGNS
    ]
    rows.append(["default (the CLI)", "`python -m initcheck conformance torch`", f"{cli['wall']:.1f} s",
                 f"{cli['cpu']:.1f} s", "—", cli["last"], "—", "default"])
    return "\n".join(
        [
            head,
            (
                f"Subprocesses with `{conf['python']}` (an interpreter with PyTorch; this checkout on PYTHONPATH), "
                "wall and CPU time of the whole process (imports of torch and initcheck included). "
                + (
                    "`initcheck.conformance.run_conformance` takes no `design` argument at this commit, and neither "
                    "does the CLI: each design's matrix is run by a script that replaces the module's `check` with "
                    "`check(design=...)` — the same rows, seed, α share and tolerance as the CLI; the CLI's own "
                    "time (default design) is the last row. "
                    if patched
                    else "Each design through `run_conformance(design=...)`; the CLI's own time is the last row. "
                )
                + f"Goal: sequential ≤ {speed.CONFORMANCE_GOAL:g}× the fixed design's wall time; measured "
                f"{r:.2f}× ({r_cli:.2f}× for the CLI).\n"
            ),
            markdown_table(
                ["design", "how", "wall", "CPU (user + sys)", "matrix (in process)", "rows conforming", "values",
                 "designs reported"],
                rows,
            ),
            "",
        ]
    )


def _memory(peaks, goals) -> str:
    for design in memory.DESIGNS:
        mine = [p for p in peaks if p.design == design]
        ok = [p for p in mine if max(p.rss, p.traced) <= memory.GOAL * p.draw_bytes]
        single = [p for p in mine if p.shape is not None]
        goals.append(
            [
                f"{design} design: peak memory ≤ {memory.GOAL:g}× one draw",
                (
                    f"{len(ok)} of {len(mine)} cases; "
                    f"{min(max(p.rss, p.traced) / p.draw_bytes for p in single):.1f}"
                    f"–{max(max(p.rss, p.traced) / p.draw_bytes for p in single):.1f}× for single shapes"
                ),
                "yes" if len(ok) == len(mine) else "no",
            ]
        )
    ok = [p for p in peaks if max(p.rss, p.traced) <= memory.GOAL * p.draw_bytes]
    text = [
        "## 4. Memory\n",
        (
            "Peak of one verdict (default α and tolerance) in a fresh subprocess per case and design: the RSS "
            "high-water mark's increase over the verdict (`/proc/self/status` VmHWM, reset first), and the "
            "`tracemalloc` peak of a second identical verdict. One draw = the largest shape × 8 bytes.\n"
        ),
        memory.table(peaks),
        "",
        (
            f"The goal (≤ {memory.GOAL:g}× one draw) is met in {len(ok)} of {len(peaks)} cases. Single shapes, worst "
            "of RSS and traced peak per draw: "
            + "; ".join(
                f"{d} {min(max(p.rss, p.traced) / p.draw_bytes for p in peaks if p.design == d and p.shape):.1f}–"
                f"{max(max(p.rss, p.traced) / p.draw_bytes for p in peaks if p.design == d and p.shape):.1f}×"
                for d in memory.DESIGNS
            )
            + ". A verdict holds several full draws of a large shape at once whatever the design (the seed check "
            "draws the first shape for several seeds; draws are validated); the sequential design draws fewer "
            "calls, which shows at small shapes.\n"
        ),
    ]
    return "\n".join(text)


def _calibration(results, cfg, goals) -> str:
    verdicts = calibration.verdicts(results)
    flagged = [v for v in verdicts if v[6].startswith("**FLAG")]
    for design in calibration.DESIGNS:
        mine = [v for v in verdicts if v[2] == design]
        bad = [v for v in mine if v[6].startswith("**FLAG")]
        goals.append(
            [
                f"{design} design: calibration: observed false-alarm rate's CP interval contains α or lies below it "
                "(α = 0.01, 0.05)",
                f"{len(mine) - len(bad)} of {len(mine)} (law, α) pairs"
                + (f"; flagged: {', '.join(f'{v[0]} at {v[1]}' for v in bad)}" if bad else "")
                + "; false alarms at α = 0.01 / 0.05 in all: "
                + " / ".join(
                    f"{sum(v[3].failed for v in mine if v[1] == a)} of {sum(v[3].runs for v in mine if v[1] == a)}"
                    for a in calibration.ALPHAS
                ),
                "yes" if not bad else "no",
            ]
        )
    text = [
        "## 5. Calibration\n",
        (
            f"Correct samplers of every law family, {cfg['calibration_seeds']} seeds each, at α = 0.01 and 0.05, "
            f"with both designs on the same seeds. Each verdict uses one small shape, `shapes=[{calibration.SHAPE}]`, "
            f"and a loose tolerance, {calibration.TOLERANCE} (fewer values, so each verdict takes milliseconds; the "
            "tolerance sets the sample size, not the false-alarm rate, which Holm's procedure bounds by α; the "
            "sequential design's SPRTs are valid at any stopping by Ville's inequality). There the sequential "
            "design's fixed-size prefix already holds every value the fixed plan draws (same values per verdict "
            "below), so the SPRTs' early stopping is calibrated in the rows at tolerance "
            f"{calibration.SEQ_TOLERANCE:g} on `shapes=[{calibration.SEQ_SHAPE}]` ({cfg['calibration_seq_seeds']} "
            "seeds), where the sequential design stops well before the fixed plan.\n"
        ),
        calibration.table(results),
        "",
        (
            "No (law, α, design) is flagged: every interval contains α or lies below it (Holm over ~20 tests with "
            "some dependence between them makes the verdict conservative; an SPRT's Ville bound is conservative "
            "too). "
            if not flagged
            else "**Flagged** (interval above α): "
            + ", ".join(f"{v[0]} at α = {v[1]} ({v[2]})" for v in flagged)
            + ". "
        )
        + "The constant law runs only exact checks, so it can never raise a false alarm.\n",
    ]
    return "\n".join(text)


def _tools(with_tox: bool, goals, progress) -> str:
    progress("tools: initcheck verify")
    wall, cpu, last = speed.time_verify()
    goals.append(["`initcheck verify` under 30 s (default design)", f"{wall:.1f} s wall, {cpu:.1f} s CPU",
                  "yes" if wall < 30 else "no"])
    rows = [["`initcheck verify`", f"{wall:.1f} s", f"{cpu:.1f} s", "30 s", "✓" if wall < 30 else "✗", last]]
    slow = ""
    if with_tox:
        tox = speed.time_tox(progress)
        if tox is None:
            rows.append(["`tox -e py`", "—", "—", "2 min", "—", "tox not found on PATH"])
        else:
            goals.append(
                [
                    "`tox -e py` rerun under 2 min on 2 cores",
                    f"{tox['wall']:.0f} s wall, {tox['cpu']:.0f} s CPU",
                    "yes" if tox["wall"] < 120 else "no",
                ]
            )
            rows.append(
                [
                    "`tox -e py` (existing env)",
                    f"{tox['wall']:.0f} s",
                    f"{tox['cpu']:.0f} s",
                    "2 min",
                    "✓" if tox["wall"] < 120 else "✗",
                    tox["summary"],
                ]
            )
            if tox["slowest"]:
                slow = (
                    "\nSlowest tests of that run (pytest `--durations`):\n\n"
                    + markdown_table(["seconds", "test"], [[f"{t:.1f}", f"`{n}`"] for t, n in tox["slowest"]])
                    + "\n"
                )
    text = [
        "## 6. Tools\n",
        (
            "Wall time of whole commands in a subprocess, from the repository root, with the default design "
            "(sequential; neither command takes a design). `tox -e py` is timed on a rerun with an existing env (a "
            "first run creates it).\n"
        ),
        markdown_table(["command", "wall time", "CPU time (user + sys)", "goal (wall)", "met", "result"], rows),
        "",
        (
            "Wall and CPU time both depend on other work on the machine (load average above): when the second core "
            "is busy, OpenBLAS's two threads spin-wait on small matrix products, which inflates CPU time as well. "
            "A failed test in the result line is the suite's own verdict at this commit.\n"
        ),
        slow,
    ]
    return "\n".join(text)


def _imports(cfg, goals, progress) -> str:
    load = os.getloadavg()[0]
    with imports.interpreter(progress) as (python, where):
        res = imports.measure(python, where, *cfg["import_rounds"], progress)
    text, rows = imports.table(res)
    goals.extend(rows)
    return "\n".join(
        [
            "## 7. Import and pytest plugin cost\n",
            text,
            f"Load average (1 min) at the start / end of this section: {load:.2f} / {os.getloadavg()[0]:.2f}.\n",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
