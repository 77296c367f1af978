"""The budget of the suite as it is, computed once for the ledger's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ledger.budget import Budget, compute, ledger_texts

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def budget() -> Budget:
    return compute(REPO)


@pytest.fixture(scope="session")
def texts() -> dict[str, str]:
    return ledger_texts(REPO)
