"""The false-alarm budget, computed from the declarations, against the ledgers and the bound.

Reads every test module from its source (nothing imported), so the framework tests
count whether or not their framework is installed here; where a module does import
here, the counts read from the source are compared with what pytest will collect.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections import Counter
from pathlib import Path

import pytest

from tests.ledger.budget import (
    Budget,
    bound_problems,
    check_ledgers,
    ledger_texts,
    selects,
)
from tests.ledger.sources import Item, TestFunction
from tests.ledger.toxenvs import Run, read_envs

REPO = Path(__file__).resolve().parents[2]


def test_every_statistical_test_declares_its_rate(budget: Budget) -> None:
    undeclared = [p for p in budget.problems if "declares no false-alarm rate" in p]
    assert not undeclared, "statistical tests must declare their rate:\n" + "\n".join(undeclared)


def test_every_declaration_is_well_formed_and_countable(budget: Budget) -> None:
    other = [p for p in budget.problems if "declares no false-alarm rate" not in p]
    assert not other, "declarations must be readable and their tests countable:\n" + "\n".join(
        other
    )


def test_the_ledgers_match_the_declarations(budget: Budget) -> None:
    problems = check_ledgers(budget, ledger_texts(REPO))
    assert not problems, (
        "the ledgers must say what the declarations give (python -m tests.ledger --write):\n"
        + "\n".join(problems)
    )


def test_a_full_ci_run_stays_within_the_bound(budget: Budget) -> None:
    problems = bound_problems(budget)
    assert not problems, "\n".join(problems)


def test_every_pytest_command_of_tox_selects_tests(budget: Budget) -> None:
    # a path that selects nothing is a typo in tox.ini or a misreading of it
    def chooses(path: str, fn: TestFunction) -> bool:
        if fn.items:
            return any(selects(Run((path,)), fn, item, REPO) for item in fn.items)
        file, _, name = path.partition("::")
        return selects(Run((file,)), fn, Item("", (), 0), REPO) and name in ("", fn.name)

    for env in read_envs(REPO):
        for run in env.runs:
            for path in run.paths:
                assert any(chooses(path, fn) for fn in budget.tests), (
                    f"tox.ini [{env.name}]: {path} selects no test"
                )


def _importable(fn: TestFunction) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in fn.module.requires)


def _imported(fn: TestFunction) -> object:
    module = importlib.import_module(fn.module.path.removesuffix(".py").replace("/", "."))
    obj: object = module
    for part in fn.name.split("::"):
        obj = getattr(obj, part)
    return obj


def _session_counts(request: pytest.FixtureRequest) -> Counter[str]:
    """Items per test function that this pytest session collected, when it selected whole files
    and deselected nothing (a full run: ``tox -e py``); empty otherwise."""
    config = request.config
    if config.option.keyword or config.option.markexpr or config.getoption("deselect"):
        return Counter()
    if any("::" in str(arg) for arg in config.args):  # node ids: parts of a test's items
        return Counter()
    counts: Counter[str] = Counter()
    for item in request.session.items:
        path = Path(str(item.path)).resolve()
        if path.is_relative_to(REPO / "tests"):
            name = getattr(item, "originalname", item.name)
            counts[f"{path.relative_to(REPO / 'tests').as_posix()}::{name}"] += 1
    return counts


def test_counts_read_from_the_source_are_what_pytest_collects(
    budget: Budget, request: pytest.FixtureRequest
) -> None:
    # pytest's own count where this session collected the test (a full run), else the count of
    # its parametrize marks; Hypothesis's max_examples from the test's settings; the marker
    declared = [fn for fn in budget.tests if fn.declaration and not fn.declaration.deterministic]
    session = _session_counts(request)
    checked = 0
    for fn in declared:
        if not _importable(fn) or fn.items is None:
            continue
        try:
            obj = _imported(fn)
        except pytest.skip.Exception as skip:  # pragma: no cover - a skip the reader missed
            pytest.fail(f"{fn.key}: its module skips here ({skip}) but declares no such need")
        marks = getattr(obj, "pytestmark", [])
        items = session.get(fn.key) or math.prod(
            len(m.args[1]) for m in marks if m.name == "parametrize"
        )
        assert len(fn.items) == items, f"{fn.key}: {len(fn.items)} items read, pytest makes {items}"
        [mark] = [m for m in marks if m.name == "false_alarm"]
        decl = fn.declaration
        assert decl is not None
        rate = mark.args[0] if mark.args else mark.kwargs["rate"]
        assert (rate, mark.kwargs.get("per", "example"), mark.kwargs.get("assertions", 1)) == (
            decl.rate,
            decl.per,
            decl.assertions,
        ), fn.key
        settings = getattr(obj, "_hypothesis_internal_use_settings", None)
        if fn.settings_explicit and hasattr(obj, "hypothesis") and settings is not None:
            assert {i.examples for i in fn.items} == {settings.max_examples}, fn.key
        checked += 1
    assert checked >= 40  # most declared tests import here: the comparison is not vacuous
