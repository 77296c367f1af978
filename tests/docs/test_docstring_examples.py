"""The ``>>>`` examples in the docstrings that the API pages show, run in their own modules.

The Sphinx doctest build runs only the pages' ``{doctest}`` blocks: docstring
examples need their module's globals, which a page does not have. They run
here instead, one test per module that defines a documented object.
"""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

from tests.docs._docs import documented_modules, documented_names


def _home_modules() -> list[str]:
    homes = set(documented_modules())
    for target in documented_names():
        module, _, name = target.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        home = inspect.getmodule(obj)
        if home is not None and home.__name__.startswith("initcheck"):
            homes.add(home.__name__)
    return sorted(homes)


@pytest.mark.parametrize("module", _home_modules())
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    report: list[str] = []
    for test in finder.find(mod, module, globs=dict(vars(mod))):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"docstring examples of {module} must pass, got:\n" + "".join(report)
