"""Robustness at the command line: hung samplers, Ctrl-C, interrupted conformance runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from initcheck import conformance as conf_module
from initcheck.adapters import ConformanceRow
from initcheck.cli import main


def test_a_sampler_that_never_returns_times_out_with_a_finding(capsys):
    start = time.monotonic()
    code = main(["check", "tests.cli.samplers:hangs", "--law", "zeros", "--shape", "4x4", "--timeout", "0.3"])
    assert code == 1 and time.monotonic() - start < 10
    assert "timeout: the sampler did not return within 0.3 s" in capsys.readouterr().out


def test_ctrl_c_stops_a_check_cleanly(tmp_path):
    mark = tmp_path / "drawing"
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "INITCHECK_TEST_MARK": str(mark)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "initcheck", "check", "tests.cli.samplers:slow", "--law", "xavier_uniform"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = time.monotonic() + 60
    while not mark.exists() and time.monotonic() < deadline:  # wait until it is drawing
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "initcheck: interrupted" and "Traceback" not in err


@pytest.mark.false_alarm(
    2.5e-7, per="item", assertions=2, reason="two rows conform, each at alpha/4 of the matrix"
)
def test_ctrl_c_during_conformance_keeps_the_rows_done(monkeypatch, capsys):
    rows = tuple(ConformanceRow(f"row{i}", "tests.cli.samplers:xavier_uniform_sampler", {}, "xavier_uniform", "note")
                 for i in range(4))
    monkeypatch.setattr(conf_module, "conformance", lambda framework: rows)
    monkeypatch.setattr(conf_module, "require", lambda framework, **kwargs: None)  # torch need not be here
    real_check, calls = conf_module.check, []

    def interrupting_check(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_check(*args, **{**kwargs, "shapes": [(16, 8)]})

    monkeypatch.setattr(conf_module, "check", interrupting_check)
    matrix = conf_module.run_conformance("torch")
    assert matrix.interrupted and not matrix.passed
    assert [r.row.name for r in matrix.rows] == ["row0", "row1"]
    assert all(r.status == "conforms" for r in matrix.rows)
    data = matrix.to_dict()
    assert data["rows_done"] == 2 and data["rows_total"] == 4 and data["interrupted"] is True
