"""pytest plugin: ``--initcheck-seed`` / ``--initcheck-alpha`` for ``assert_conforms``.

Registered through the ``pytest11`` entry point, so every pytest run in an
environment with initcheck installed loads it: it imports nothing but pytest,
:mod:`initcheck.options` and :mod:`initcheck.defaults` (no numpy, no scipy, no
engine) until a test calls :func:`initcheck.assert_conforms`. The seed is
printed in the report header, so any run can be replayed.

The plugin's state lives on the run's ``config``: ``config.stash[VALUES]`` holds
the option values, which :func:`initcheck.options.activate` makes the defaults of
:func:`~initcheck.assertions.assert_conforms` until the run ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from .options import OPTIONS, activate, deactivate

__all__ = ["VALUES", "pytest_addoption", "pytest_configure", "pytest_report_header",
           "pytest_unconfigure"]

#: ``config.stash[VALUES]``: the run's option values by name (``{"seed": 0, "alpha": 1e-06}``)
VALUES = pytest.StashKey[Mapping[str, Any]]()

_PREFIX = "initcheck-"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``initcheck`` option group: ``--initcheck-seed``, ``--initcheck-alpha``."""
    group = parser.getgroup("initcheck", "initcheck: statistical checks of weight initializers")
    for opt in OPTIONS:
        opt.add_to(group.addoption, prefix=_PREFIX)


def pytest_configure(config: pytest.Config) -> None:
    """Read the options into ``config.stash[VALUES]`` and make them the assertions' defaults."""
    values = {opt.name: config.getoption(f"initcheck_{opt.name}") for opt in OPTIONS}
    config.stash[VALUES] = activate(values)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run is over: its values stop being anyone's defaults."""
    values = config.stash.get(VALUES, None)
    if values is not None:
        deactivate(values)
        del config.stash[VALUES]


def pytest_report_header(config: pytest.Config) -> list[str]:
    """``initcheck: seed S, alpha A (replay with --initcheck-seed S)``."""
    values = config.stash[VALUES]
    seed, alpha = values["seed"], values["alpha"]
    return [f"initcheck: seed {seed}, alpha {alpha:g} (replay with --initcheck-seed {seed})"]
