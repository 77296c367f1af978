"""Hypothesis profiles: ``ci`` (derandomized, used by tox) and ``dev`` (random); the
``false_alarm`` marker, which ``tests/ledger`` adds up into the suite's false-alarm budget."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "false_alarm(rate, *, per='example', assertions=1, reason, requires=None): the chance "
        "that one assertion fails on correct code by bad luck or misses its planted error (0: "
        "det.); per: one Hypothesis 'example' of an item, one collected 'item', or one 'run' of "
        "the test; requires: a module the item needs ('{param}': a parameter names it). "
        "See tests/README.md.",
    )
