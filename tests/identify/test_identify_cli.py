"""``initcheck identify`` at the command line: output, JSON, two targets, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from initcheck.cli import main

ONE = 1.5e-5  # one identification of a correct normal sampler (test_identify.py's docstring)
ONE_UNIFORM = 7e-6  # of a uniform one


@pytest.mark.false_alarm(ONE_UNIFORM, per="item", reason="one identification of a correct uniform sampler, exit 0")
def test_identify_prints_the_law_and_exits_0(capsys):
    assert main(["identify", "initcheck.init:he_uniform", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("initcheck.init:he_uniform: identified as he_uniform: uniform with variance gain²/fan_in")
    assert "= √2 (ReLU)" in out and "confirmed by check: conforms" in out
    assert "fan rule: fan_in" in out


@pytest.mark.false_alarm(
    2 * ONE, per="item", reason="two identifications of correct normal samplers; the JSON says they differ (exit 1)")
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


@pytest.mark.false_alarm(0, reason="a constant: identified, and confirmed by check's exact tests")
def test_shapes_given_are_the_shapes_drawn_and_in_the_reproducer(capsys):
    argv = ["identify", "tests.identify.samplers:halves", "--shape", "3x5", "--shape", "7", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["shape"] for d in data["shapes"]] == [[3, 5], [7]]
    assert data["law"] == "constant(value=0.5)"
    assert data["reproducer"] == ("initcheck identify tests.identify.samplers:halves --layout torch "
                                  "--shape 3x5 --shape 7 --seed 0")


@pytest.mark.false_alarm(
    7e-6, per="item",
    reason="normal at each of the 2 shapes (KS, the max test's two tails: 1e-6 each), the tied modes' "
           "chi-square rejecting them at 1e-6; constant consistent: sds a factor 1.4 apart, se < 1% (negligible)")
def test_shapes_of_one_fan_ratio_leave_the_mode_ambiguous_and_exit_1(capsys):
    assert main(["identify", "initcheck.init:he_normal", "--shape", "64x32", "--shape", "128x64"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("initcheck.init:he_normal: the shapes drawn do not decide its law:")
    assert "fan rule: ambiguous (fan_in, fan_out, fan_avg)" in out
    assert "fan_in: he_normal; fan_out: variance_scaling(scale=4, mode=fan_out, distribution=normal)" in out
    assert "re-run: initcheck identify initcheck.init:he_normal --layout torch --shape 64x32 --shape 128x64" in out


@pytest.mark.false_alarm(0, reason="usage errors, raised before any draw")
@pytest.mark.parametrize(("argv", "said"), [
    (["identify", "tests.identify.samplers:nothere"], "nothere"),
    (["identify", "tests.identify.samplers:laplace", "--layout", "sideways"], "sideways"),
    (["identify"], "TARGET"),
    (["identify", "tests.identify.samplers:laplace", "--shape", "0x3"],
     "shape='0x3': expected positive dimensions like 64x32"),
    (["identify", "tests.identify.samplers:laplace", "--shape", "64xa"], "shape='64xa': expected dimensions like"),
    (["identify", "tests.identify.samplers:laplace", "--shape", "64x32", "--shape", "64x32"],
     "shape=(64, 32): expected each shape once (this one is given twice)"),
    (["identify", "tests.identify.samplers:dense_only", "--shape", "16x8x3"],
     "shape=(16, 8, 3): expected a shape the sampler can build: of rank 2 (this one has rank 3)"),
    (["identify", "tests.identify.samplers:laplace", "--shape", "100000x100000x100"],
     "shape=(100000, 100000, 100): expected a shape whose 4 draws fit in memory"),
], ids=["no-target", "layout", "no-argument", "zero", "not-a-number", "twice", "rank", "memory"])
def test_usage_errors_are_one_line_and_exit_2(argv, said, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("initcheck: error:") and err.count("\n") == 1
    assert said in err
