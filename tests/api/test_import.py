"""``import initcheck`` is light: names are served on first use, and the plugin loads no engine.

Each check runs in a fresh interpreter (this process has loaded everything
already) and reads ``sys.modules``: which modules an import loads is exact, so
these tests are deterministic. How long the imports take is measured in
``benchmarks/`` (``python -m benchmarks --only import``), never here.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import initcheck
from initcheck import _deprecations, _lazy

ROOT = Path(initcheck.__file__).resolve().parents[1]  # where this initcheck is imported from

#: what the top level and the pytest plugin must not load: the engine and what it needs
HEAVY = ("numpy", "scipy", "initcheck.verdict", "initcheck.stats", "initcheck.laws",
         "initcheck.drawing", "initcheck.shapetests", "initcheck.init", "initcheck.fans")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _loaded_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=_env(),
                         cwd=ROOT, timeout=120, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m in HEAVY or m.startswith(tuple(f"{h}." for h in HEAVY)))


def test_import_initcheck_loads_neither_numpy_nor_scipy_nor_the_engine() -> None:
    loaded = _loaded_after("import initcheck")
    assert "initcheck" in loaded
    assert not _heavy(loaded), f"import initcheck must stay light, but it loaded {_heavy(loaded)}"


def test_touching_check_loads_the_engine_and_scipy() -> None:
    loaded = _loaded_after("import initcheck\ninitcheck.check")
    assert {"scipy", "scipy.stats", "initcheck.verdict", "initcheck.stats"} <= loaded


def test_the_pytest_plugin_and_assertions_modules_load_no_engine() -> None:
    loaded = _loaded_after("import initcheck.pytest_plugin, initcheck.assertions, initcheck.options")
    assert not _heavy(loaded), f"the plugin must load nothing heavy, but it loaded {_heavy(loaded)}"


def test_a_pytest_run_with_only_the_plugin_loads_no_engine(tmp_path: Path) -> None:
    """The whole plugin (options, configure, header) in a real run, with no other plugin autoloaded."""
    (tmp_path / "test_unused.py").write_text(
        "import sys\n\n"
        "def test_engine_absent(pytestconfig):\n"
        "    assert pytestconfig.pluginmanager.has_plugin('initcheck.pytest_plugin')\n"
        f"    heavy = [m for m in {list(HEAVY)!r} if m in sys.modules]\n"
        "    assert not heavy, heavy\n")
    env = _env() | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "initcheck.pytest_plugin", "-p",
                          "no:cacheprovider", "test_unused.py"], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "initcheck: seed 0, alpha 1e-06" in run.stdout and "1 passed" in run.stdout


def test_reference_initializers_need_numpy_but_not_scipy() -> None:
    loaded = _loaded_after("from initcheck import init\ninit.xavier_uniform()((4, 3), 0)")
    assert "numpy" in loaded and "scipy" not in loaded
    loaded = _loaded_after("from initcheck import init\ninit.truncated_normal(std=0.1)((4, 3), 0)")
    assert "scipy.stats" in loaded  # the truncated normal draws with scipy, imported when needed


@pytest.mark.parametrize("name", [n for n in initcheck.__all__ if n != "__version__"])
def test_every_public_name_is_its_home_modules_object(name: str) -> None:
    obj = getattr(initcheck, name)
    home = importlib.import_module(obj.__module__)
    assert getattr(home, name) is obj
    assert name in dir(initcheck)


def test_star_import_gives_every_public_name_and_unknown_names_fail() -> None:
    namespace: dict[str, object] = {}
    exec("from initcheck import *", namespace)  # noqa: S102 - a fixed string: the star import itself
    assert set(initcheck.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="'initcheck' has no attribute 'chekc'"):
        initcheck.chekc  # noqa: B018


def test_lazy_names_and_renamed_names_combine() -> None:
    """The top level's two tables side by side: lazy names cached, old names warn and resolve."""
    _deprecations._warned.discard("pkg.old_dumps")  # it warns once per process
    namespace: dict[str, object] = {}
    renamed: _deprecations.Renamed = {"old_dumps": ("pkg.dumps", lambda: getattr_("dumps"))}
    getattr_ = _lazy.lazy_getattr("pkg", namespace, {"dumps": "json"},
                                  fallback=_deprecations.module_getattr("pkg", renamed))
    assert getattr_("dumps") is json.dumps and namespace["dumps"] is json.dumps
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert getattr_("old_dumps") is json.dumps
    assert [str(w.message) for w in caught] == [
        (f"pkg.old_dumps is deprecated and will be removed in initcheck {_deprecations.REMOVED_IN}: "
         "use pkg.dumps")]
    assert "old_dumps" not in namespace  # a deprecated name keeps warning from the table, uncached
    with pytest.raises(AttributeError, match="'pkg' has no attribute 'nope'"):
        getattr_("nope")
    assert _lazy.lazy_dir(namespace, {"loads": "json"})() == ["dumps", "loads"]
