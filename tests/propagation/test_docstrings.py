"""The ``>>>`` examples in the docstrings of initcheck.propagation run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["api", "cases", "drift", "estimates", "expect", "isometry", "meanfield", "measure", "quadrature", "spec",
           "theory"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"initcheck.propagation.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0 and result.attempted > 0, f"initcheck.propagation.{name}: {result}"
