"""The committed tables of what each framework's defaults draw are what it draws now.

``docs/_generated/defaults/<framework>.md`` (included by ``docs/howto/defaults.md``) is written
by ``docs/_ext/defaults_page.py`` in the env that installs the framework, since the docs env
has none, and committed. This test regenerates the file of every framework its env installs
and compares it with the committed one: a change of initcheck's identification or check, of
what the framework draws, or of its version, fails it, with the diff and the command that
regenerates the file. Keras's file is drawn on the JAX backend (the ``frameworks`` env's);
on another backend it is not compared.

False alarms: none. The tables are drawn at fixed seeds, and at the same versions their
regeneration repeats the same draws and the same decisions, byte for byte. (The
identifications in them have false-alarm rates of their own: one that struck when the file
was written would be in the committed file, for review to see, not a failure here.)
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.frameworks._helpers import import_framework

GENERATOR = Path(__file__).resolve().parents[2] / "docs" / "_ext" / "defaults_page.py"
ENVS = {"torch": "frameworks", "jax": "frameworks", "flax": "frameworks", "keras": "frameworks",
        "tensorflow": "tensorflow", "mxnet": "mxnet"}


def _generator() -> ModuleType:
    name = "initcheck_docs_defaults_page"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, GENERATOR)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.false_alarm(
    0, requires="{framework}",
    reason="a snapshot drawn at fixed seeds: regenerated at the same versions it is the same, byte for byte")
@pytest.mark.parametrize("framework", ["torch", "jax", "flax", "keras", "tensorflow", "mxnet"])
def test_the_committed_defaults_table_is_what_the_framework_draws(framework):
    import_framework(framework, f"tox -e {ENVS[framework]}")
    page = _generator()
    if framework == "keras":
        import keras

        if keras.backend.backend() != page.KERAS_BACKEND:
            pytest.skip(f"the keras table is drawn on the {page.KERAS_BACKEND} backend, not "
                        f"{keras.backend.backend()} (tox -e frameworks compares it)")
    path = page.OUT / f"{framework}.md"
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    drawn = page.generate(framework)
    if drawn != committed:
        diff = "".join(difflib.unified_diff(committed.splitlines(keepends=True), drawn.splitlines(keepends=True),
                                            "committed", "drawn now", n=0))
        pytest.fail(f"{path.relative_to(GENERATOR.parents[2])} is not what {framework} draws now: regenerate it "
                    f"with `.tox/{ENVS[framework]}/bin/python docs/_ext/defaults_page.py {framework}` and commit "
                    f"it\n{diff}", pytrace=False)
