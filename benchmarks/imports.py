"""What importing initcheck costs, and what its pytest plugin costs a run that does not use it.

Every figure is the wall time of a fresh interpreter process (``python -c ...``,
``python -m pytest ...``), so nothing is cached in memory between runs. The
commands compared are run in alternation, round after round, so that other
work on the machine slows both alike; each figure is the median over rounds,
after warm-up rounds that fill the disk cache.

The pytest plugin is measured as users get it: installed, with its ``pytest11``
entry point. If the current interpreter has this checkout installed so, it is
used; otherwise a virtual environment is made in a temporary directory (seeing
this interpreter's packages: ``--system-site-packages``) and this checkout is
installed into it editable, without dependencies (and without network, unless the
installed setuptools cannot build it: then pip fetches the build backend).

Run alone: ``python -m benchmarks --only import``; or
``python -m benchmarks.imports [--python PATH]`` to print the tables for another
interpreter (e.g. one with an older initcheck installed, for a before/after).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .tables import markdown_table

__all__ = ["IMPORT_GOAL", "PLUGIN_GOAL", "Timing", "interpreter", "measure", "table"]

ROOT = Path(__file__).resolve().parent.parent
IMPORT_GOAL = 2.5  # `import initcheck` at most this many times `import numpy`
PLUGIN_GOAL = 1.15  # a one-test pytest run with the plugin at most this many times one without
WARMUP = 2  # rounds not counted: they fill the disk cache

ONE_TEST = "def test_one():\n    assert True\n"

_PROBE = (
    "import importlib.metadata as m, json, initcheck\n"
    "eps = [e.value for e in m.entry_points(group='pytest11') if e.name == 'initcheck']\n"
    "print(json.dumps({'file': initcheck.__file__, 'entry_points': eps}))\n"
)


@dataclass(frozen=True)
class Timing:
    """One command's wall times (and CPU times, user + system) over the counted rounds, in seconds."""

    label: str
    command: str
    times: tuple[float, ...]
    cpu: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def quartiles(self) -> tuple[float, float]:
        q = statistics.quantiles(self.times, n=4)
        return q[0], q[2]


def _env() -> dict[str, str]:
    """This environment, without what would make a child run another initcheck or env."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTEST_ADDOPTS", "PYTEST_PLUGINS",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("TOX_ENV")}


def _probe(python: str, cwd: Path) -> tuple[Path | None, bool]:
    """Where ``python`` imports initcheck from (outside this checkout's directory), and
    whether its ``pytest11`` entry point is installed."""
    import json

    done = subprocess.run([python, "-c", _PROBE], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        return None, False
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return Path(info["file"]).resolve().parent, "initcheck.pytest_plugin" in info["entry_points"]


@contextlib.contextmanager
def interpreter(progress: Callable[[str], None]) -> Iterator[tuple[str, str]]:
    """A Python that has this checkout installed with its entry point, and how it was found."""
    with tempfile.TemporaryDirectory(prefix="initcheck-bench-") as tmp:
        here = Path(tmp)
        home, entry = _probe(sys.executable, here)
        if home == ROOT / "initcheck" and entry:
            yield sys.executable, (f"the current environment (`{sys.executable}`): this checkout is "
                                   "installed there with its pytest11 entry point")
            return
        progress("import: this checkout is not what the current environment installs; making a venv")
        venv = here / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True,
                       env=_env(), capture_output=True, timeout=300)
        python = str(venv / "bin" / "python")
        install = [python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)]
        offline = subprocess.run([*install, "--no-build-isolation", "--no-index"], env=_env(),
                                 capture_output=True, timeout=600, check=False)
        if offline.returncode != 0:  # this setuptools cannot build it: let pip fetch the build backend
            progress("import: building offline failed; pip installs the build backend from the index")
            subprocess.run(install, check=True, env=_env(), capture_output=True, timeout=600)
        home, entry = _probe(python, here)
        if home != ROOT / "initcheck" or not entry:
            raise RuntimeError(f"the venv imports initcheck from {home} (entry point: {entry}), "
                               f"expected {ROOT / 'initcheck'} with its entry point")
        yield python, ("a virtual environment made for this run in a temporary directory "
                       "(`venv --system-site-packages`, this checkout installed editable with "
                       "its pytest11 entry point; the current environment installs another initcheck)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time of one run of ``argv``."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=300, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return elapsed, _children_cpu() - cpu


def _alternate(commands: Sequence[tuple[str, Sequence[str], dict[str, str]]], rounds: int, cwd: Path,
               progress: Callable[[str], None]) -> list[Timing]:
    times: list[list[tuple[float, float]]] = [[] for _ in commands]
    for r in range(WARMUP + rounds):
        for i, (_, argv, env) in enumerate(commands):
            t = _time(argv, cwd, env)
            if r >= WARMUP:
                times[i].append(t)
        if (r + 1) % 10 == 0:
            progress(f"  round {r + 1} of {WARMUP + rounds}")
    return [Timing(label, _shell(argv, env), tuple(w for w, _ in ts), tuple(c for _, c in ts))
            for (label, argv, env), ts in zip(commands, times)]


def _shell(argv: Sequence[str], env: dict[str, str]) -> str:
    prefix = "PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 " if env.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else ""
    return prefix + shlex.join(["python", *argv[1:]])


def _modules(python: str, code: str, cwd: Path) -> int:
    done = subprocess.run([python, "-c", f"{code}\nimport sys\nprint(len(sys.modules))"], cwd=cwd,
                          env=_env(), capture_output=True, text=True, timeout=120, check=True)
    return int(done.stdout.split()[-1])


@dataclass(frozen=True)
class Results:
    """The section's figures."""

    where: str
    imports: list[Timing]  # numpy, initcheck, initcheck + first use
    modules: list[int]  # modules loaded by each import command (and by bare Python, last)
    pytest: list[Timing]  # with the plugin, -p no:initcheck
    bare: list[Timing]  # no autoload: -p initcheck.pytest_plugin, nothing


def measure(python: str, where: str, import_rounds: int, pytest_rounds: int,
            progress: Callable[[str], None]) -> Results:
    """Time the imports and the pytest runs with ``python``."""
    with tempfile.TemporaryDirectory(prefix="initcheck-bench-run-") as tmp:
        cwd = Path(tmp)  # not the checkout: its initcheck/ must not shadow the installed one
        (cwd / "test_one.py").write_text(ONE_TEST)
        env = _env()
        codes = ["import numpy", "import initcheck", "import initcheck; initcheck.check"]
        progress(f"import: {', '.join(codes)} ({import_rounds} rounds)")
        imports = _alternate([(c, [python, "-c", c], env) for c in codes], import_rounds, cwd, progress)
        modules = [_modules(python, c, cwd) for c in codes] + [_modules(python, "pass", cwd)]
        base = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"]
        progress(f"import: pytest on a one-test file, plugin and -p no:initcheck ({pytest_rounds} rounds)")
        runs = _alternate([("with the plugin", base, env),
                           ("`-p no:initcheck`", [*base[:-1], "-p", "no:initcheck", "test_one.py"], env)],
                          pytest_rounds, cwd, progress)
        noauto = env | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        progress(f"import: pytest with no plugin autoloaded, ours alone and none ({pytest_rounds} rounds)")
        bare = _alternate([("only the plugin", [*base[:-1], "-p", "initcheck.pytest_plugin", "test_one.py"],
                            noauto), ("no plugin", base, noauto)], pytest_rounds, cwd, progress)
    return Results(where, imports, modules, runs, bare)


def _ms(t: float) -> str:
    return f"{t * 1e3:.0f} ms"


def table(res: Results) -> tuple[str, list[list[str]]]:
    """The section's markdown, and its rows for the goals table."""
    numpy, light, first = res.imports
    with_plugin, without = res.pytest
    alone, none = res.bare
    r_import = light.median / numpy.median
    r_plugin = with_plugin.median / without.median
    r_bare = alone.median / none.median

    def row(t: Timing, against: Timing | None, goal: str, modules: int | None = None) -> list[str]:
        q1, q3 = t.quartiles
        cells = [f"`{t.command}`", _ms(t.median), f"{_ms(q1)}–{_ms(q3)}", _ms(t.cpu_median),
                 "—" if against is None else f"{t.median / against.median:.2f}×",
                 "—" if against is None else f"{t.cpu_median / against.cpu_median:.2f}×", goal]
        return cells + ([f"{modules:,}"] if modules is not None else [])

    head = ["command", "median wall", "wall quartiles", "median CPU", "ratio (wall)", "ratio (CPU)",
            "goal (wall)"]
    imports = markdown_table(head + ["modules loaded"], [
        row(numpy, None, "", res.modules[0]),
        row(light, numpy, f"≤ {IMPORT_GOAL:g}× `import numpy`", res.modules[1]),
        row(first, numpy, "(first use: the engine and scipy load here)", res.modules[2]),
    ])
    pytest = markdown_table(head, [
        row(without, None, ""),
        row(with_plugin, without, f"≤ {PLUGIN_GOAL:g}×"),
        row(none, None, ""),
        row(alone, none, "(the plugin against bare pytest)"),
    ])
    goals = [
        [f"`import initcheck` ≤ {IMPORT_GOAL:g}× `import numpy`",
         f"{r_import:.2f}× ({_ms(light.median)} against {_ms(numpy.median)})",
         "yes" if r_import <= IMPORT_GOAL else "no"],
        [f"pytest on a one-test file with the plugin installed ≤ {PLUGIN_GOAL:g}× `-p no:initcheck`",
         f"{r_plugin:.2f}× ({_ms(with_plugin.median)} against {_ms(without.median)})",
         "yes" if r_plugin <= PLUGIN_GOAL else "no"],
    ]
    text = "\n".join([
        (f"Fresh interpreter processes, the commands of each table run in alternation; wall time, and CPU "
         f"time (user + system) which other work on the machine disturbs less; medians of "
         f"{len(light.times)} rounds for the imports and {len(with_plugin.times)} for pytest, after "
         f"{WARMUP} warm-up rounds. Interpreter: {res.where}. The pytest runs are in an empty temporary "
         f"directory holding `test_one.py` (`{ONE_TEST.splitlines()[0]} assert True`). Bare Python "
         f"loads {res.modules[3]:,} modules.\n"),
        imports, "",
        (f"`import initcheck` costs {r_import:.2f}× `import numpy` and loads "
         f"{res.modules[1] - res.modules[3]:,} modules beyond bare Python's (numpy: "
         f"{res.modules[0] - res.modules[3]:,}); touching `initcheck.check` loads "
         f"{res.modules[2] - res.modules[3]:,} ({_ms(first.median)} in all).\n"),
        pytest, "",
        (f"With every installed plugin autoloaded (as users run pytest), initcheck's plugin costs "
         f"{r_plugin:.2f}× a run without it in wall time ({_ms(with_plugin.median - without.median)} of "
         f"{_ms(without.median)}), {with_plugin.cpu_median / without.cpu_median:.2f}× in CPU time; "
         f"against bare pytest (`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`, the plugin alone with `-p`) "
         f"{r_bare:.2f}× ({_ms(alone.median - none.median)}), {alone.cpu_median / none.cpu_median:.2f}× in "
         "CPU time (a ratio below 1 can only be noise). The rest of a run is pytest itself and the "
         "other plugins installed beside it.\n"),
    ])
    return text, goals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="time this interpreter as it is (default: find or make one "
                        "with this checkout installed)")
    parser.add_argument("--rounds", type=int, nargs=2, default=(20, 10), metavar=("IMPORTS", "PYTEST"))
    args = parser.parse_args(argv)

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    load = os.getloadavg()[0]
    if args.python:
        res = measure(args.python, f"`{args.python}`, as installed", *args.rounds, progress)
    else:
        with interpreter(progress) as (python, where):
            res = measure(python, where, *args.rounds, progress)
    text, goals = table(res)
    print(text)
    print(markdown_table(["goal", "measured", "met?"], goals))
    print(f"\nload average (1 min) at start / end: {load:.2f} / {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
