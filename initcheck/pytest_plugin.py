"""pytest plugin: ``--initcheck-seed`` / ``--initcheck-alpha`` for ``assert_conforms``.

Registered through the ``pytest11`` entry point. The seed is printed in the
report header, so any run can be replayed.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import assertions
from .options import OPTIONS

__all__ = ["pytest_addoption", "pytest_configure", "pytest_report_header"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("initcheck", "initcheck: statistical checks of weight initializers")
    for opt in OPTIONS:
        group.addoption(f"--initcheck-{opt.name}", type=opt.type, default=opt.default,
                        dest=f"initcheck_{opt.name}", help=f"{opt.help} (default {opt.default:g})")


def pytest_configure(config: pytest.Config) -> None:
    for opt in OPTIONS:
        assertions.defaults[opt.name] = config.getoption(f"initcheck_{opt.name}")


def pytest_unconfigure(config: pytest.Config) -> None:
    assertions.defaults.clear()


def pytest_report_header(config: pytest.Config) -> list[str]:
    values: dict[str, Any] = {opt.name: config.getoption(f"initcheck_{opt.name}") for opt in OPTIONS}
    return [f"initcheck: seed {values['seed']}, alpha {values['alpha']:g} (replay with --initcheck-seed "
            f"{values['seed']})"]
