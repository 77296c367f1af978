"""``initcheck check`` and ``initcheck laws`` on plain numpy samplers: output, JSON, exit codes."""

from __future__ import annotations

import json

import pytest

from initcheck.cli import main

GOOD = "tests.cli.samplers:xavier_uniform_sampler"
BAD = "tests.cli.samplers:too_wide"
DENSE = "tests.cli.samplers:dense_only"  # declares ranks = (2,)


@pytest.mark.false_alarm(1e-6, per="item", reason="one verdict at the default alpha, seed 0")
def test_conforming_sampler_exits_0_with_a_table(capsys):
    assert main(["check", GOOD, "--law", "xavier_uniform", "--shape", "64x32", "--shape", "16x8x3x3"]) == 0
    out = capsys.readouterr().out
    assert "conforms to xavier_uniform(gain=1)" in out and "64x32" in out and "16x8x3x3" in out


@pytest.mark.false_alarm(0, reason="planted: a bound 1.5x too wide, variance 2.25x")
def test_non_conforming_sampler_exits_1_with_sentences_and_a_reproducer(capsys):
    assert main(["check", BAD, "--law", "xavier_uniform", "--shape", "64x32", "--seed", "4"]) == 1
    out = capsys.readouterr().out
    assert "does NOT conform" in out
    assert f"re-run: initcheck check {BAD} --law 'xavier_uniform(gain=1)' --layout torch --shape 64x32 --seed 4" in out


@pytest.mark.false_alarm(0, reason="planted: a bound 1.5x too wide, variance 2.25x")
def test_json_is_deterministic_and_complete(capsys):
    outs = []
    for _ in range(2):
        assert main(["check", BAD, "--law", "xavier_uniform", "--shape", "40x20", "--json"]) == 1
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1]
    data = json.loads(outs[0])
    assert data["passed"] is False and data["findings"] and data["n"] > 0
    assert {"check", "shape", "expected", "observed", "statistic", "pvalue", "n", "seed"} <= set(data["findings"][0])


def test_laws_lists_every_law(capsys):
    from initcheck.laws import LAWS

    assert main(["laws"]) == 0
    out = capsys.readouterr().out
    for name in LAWS:
        assert name in out


@pytest.mark.parametrize("argv, message", [
    (["check", GOOD, "--law", "xavier_unifrom"], "law='xavier_unifrom': expected a law name"),
    (["check", GOOD, "--law", "normal(sd=1)"], "normal parameter='sd': expected one of mean, std"),
    (["check", GOOD, "--law", "normal(std=-1)"], "normal std='-1': expected a positive number"),
    (["check", GOOD, "--law", "xavier_uniform", "--layout", "nchw"], "layout='nchw': expected one of"),
    (["check", GOOD, "--law", "xavier_uniform", "--shape", "64x0"], "shape='64x0': expected positive"),
    (["check", GOOD, "--law", "xavier_uniform", "--shape", "64by32"], "shape='64by32': expected dimensions"),
    (["check", GOOD, "--law", "xavier_uniform", "--alpha", "2"], "alpha=2.0: expected a number in (0, 1)"),
    (["check", GOOD, "--law", "xavier_uniform", "--tolerance", "0"], "tolerance=0.0: expected a number in (0, 0.5)"),
    (["check", "no_such_module_xyz:f", "--law", "zeros"], "target='no_such_module_xyz:f'"),
    (["check", "tests.cli.samplers:nothing", "--law", "zeros"], "has no attribute 'nothing'"),
    (["check", "tests.cli.samplers:NOT_CALLABLE", "--law", "zeros"], "is not callable"),
    (["check", GOOD], "one of the arguments --law is required"),
    (["check", GOOD, "--law", "zeros", "--kwarg", "gain"], "option='gain': expected key=value"),
    (["check", GOOD, "--law", "zeros", "--shape", "100000x100000x10"], "it needs 745.1 GiB as float64"),
    (["check", DENSE, "--law", "zeros", "--shape", "8x8", "--shape", "16x8x3x3"],
     "shape=(16, 8, 3, 3): expected a shape the sampler can build: of rank 2 (this one has rank 4)"),
])
def test_usage_errors_exit_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("initcheck: error: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_debug_shows_the_traceback(capsys):
    assert main(["--debug", "check", GOOD, "--law", "nosuchlaw"]) == 2
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.false_alarm(0, reason="a sampler that raises")
def test_misbehaving_sampler_is_exit_1_not_a_crash(capsys):
    assert main(["check", "tests.cli.samplers:raises", "--law", "zeros", "--shape", "4x4"]) == 1
    out = capsys.readouterr().out
    assert "raises: the sampler raised RuntimeError: boom" in out


@pytest.mark.false_alarm(1e-6, per="item", reason="one verdict on a correct N(0, 0.05^2) at alpha 1e-6, seed 0; "
                         "the undeclared sampler raises (det.)")
def test_default_shapes_a_sampler_cannot_build_are_left_out_and_said_so(capsys):
    argv = ["--law", "normal(std=0.05)", "--tolerance", "0.2"]
    assert main(["check", "tests.cli.samplers:dense_only_undeclared", *argv]) == 1  # the false non-conformance
    capsys.readouterr()
    assert main(["check", DENSE, *argv]) == 0
    out = capsys.readouterr().out
    assert "conforms to normal(mean=0, std=0.05)" in out and "over 4 shapes" in out
    assert "default shapes left out, as the sampler builds rank 2 only: 32x16x5, 16x8x3x3, 8x4x3x3x3" in out
    table = out.split("\n\n", 1)[1]
    assert all(s in table for s in ("96x160", "160x96", "6x4", "300x1200"))
