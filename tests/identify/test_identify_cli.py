"""``initcheck identify`` at the command line: output, JSON, two targets, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from initcheck.cli import main

ONE = 1.5e-5  # one identification of a correct sampler (test_identify.py's docstring)


@pytest.mark.false_alarm(ONE, per="item", reason="one identification of a correct sampler, exit 0")
def test_identify_prints_the_law_and_exits_0(capsys):
    assert main(["identify", "initcheck.init:he_uniform", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("initcheck.init:he_uniform: identified as he_uniform: uniform with variance gain²/fan_in")
    assert "= √2 (ReLU)" in out and "confirmed by check: conforms" in out
    assert "fan rule: fan_in" in out


@pytest.mark.false_alarm(
    2 * ONE, per="item", reason="two identifications of correct samplers; the JSON says they differ (exit 1)")
def test_two_targets_in_json(capsys):
    code = main(["identify", "initcheck.init:xavier_normal", "initcheck.init:lecun_normal", "--json", "--seed", "2"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["same"] is False
    assert (data["a"]["law"], data["b"]["law"]) == ("xavier_normal", "lecun_normal")
    assert data["a"]["passed"] and data["b"]["passed"]


@pytest.mark.false_alarm(
    1e-9, per="item", reason="miss: Laplace's KS distance to the best normal 0.062 against 0.0074")
def test_no_law_exits_1_with_the_numbers(capsys):
    assert main(["identify", "tests.identify.samplers:laplace"]) == 1
    out = capsys.readouterr().out
    assert "no law of the grammar explains it" in out and "kurtosis" in out
    assert "re-run: initcheck identify tests.identify.samplers:laplace --layout torch --seed 0" in out


@pytest.mark.false_alarm(0, reason="usage errors, raised before any draw")
@pytest.mark.parametrize("argv", [
    ["identify", "tests.identify.samplers:nothere"],
    ["identify", "tests.identify.samplers:laplace", "--layout", "sideways"],
    ["identify"],
])
def test_usage_errors_are_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("initcheck: error:") and err.count("\n") == 1
