"""Robustness at the command line: hung samplers, Ctrl-C, interrupted conformance runs."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from initcheck import conformance as conf_module
from initcheck.adapters import ConformanceRow
from initcheck.cli import main
from initcheck.errors import UsageError
from initcheck.render import jsonable


def test_a_sampler_that_never_returns_times_out_with_a_finding(capsys):
    start = time.monotonic()
    code = main(["check", "tests.cli.samplers:hangs", "--law", "zeros", "--shape", "4x4", "--timeout", "0.3"])
    assert code == 1 and time.monotonic() - start < 10
    assert "timeout: the sampler did not return within 0.3 s" in capsys.readouterr().out


def _default_sigint() -> None:
    """In the child: SIGINT as a terminal leaves it. A shell's background job inherits it ignored, and
    Python then installs no KeyboardInterrupt handler, so Ctrl-C would not reach the command."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_a_check_cleanly(tmp_path):
    mark = tmp_path / "drawing"
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "INITCHECK_TEST_MARK": str(mark)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "initcheck", "check", "tests.cli.samplers:slow", "--law", "xavier_uniform"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_default_sigint,
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


# --- conformance --jobs: worker processes ------------------------------------------------------

FAKE = [sys.executable, "-m", "tests.cli.fake_matrix", "conformance", "torch"]  # a stand-in table


@pytest.mark.false_alarm(2e-7, per="item", assertions=2, reason="two rows conform, each at alpha/5 of the matrix; "
                         "the other process draws the same values (the same event); the wide row is det.")
def test_jobs_gives_the_same_matrix_in_the_tables_order(monkeypatch):
    from tests.cli import fake_matrix

    monkeypatch.setattr(conf_module, "conformance", lambda framework: fake_matrix.rows())
    monkeypatch.setattr(conf_module, "require", lambda framework, **kwargs: None)
    names = [r.name for r in fake_matrix.rows()]
    out = {}
    for jobs in (1, 2):
        seen, advanced = [], []
        matrix = conf_module.run_conformance("torch", tolerance=0.2, jobs=jobs, progress=seen.append,
                                             advance=functools.partial(advanced.append, 1))
        assert [r.row.name for r in matrix.rows] == names and not matrix.interrupted
        assert sorted(seen) == sorted(names) and len(advanced) == len(names)
        out[jobs] = json.dumps(jsonable(matrix.to_dict()), sort_keys=True)
    assert out[1] == out[2]
    statuses = [r["status"] for r in json.loads(out[2])["rows"]]
    assert statuses == ["conforms", "does not conform", "error", "conforms", "conforms"]


@pytest.mark.false_alarm(2e-7, per="item", assertions=2, reason="two rows conform, each at alpha/5 of the matrix; "
                         "the wide row is det.")
def test_a_matrix_runs_each_rows_verdict_with_its_design(monkeypatch):
    from tests.cli import fake_matrix

    monkeypatch.setattr(conf_module, "conformance", lambda framework: fake_matrix.rows())
    monkeypatch.setattr(conf_module, "require", lambda framework, **kwargs: None)
    matrix = conf_module.run_conformance("torch", tolerance=0.2, design="fixed")
    assert matrix.design == "fixed" and matrix.to_dict()["design"] == "fixed"
    assert "--design fixed" in matrix.reproducer
    checked = [r for r in matrix.rows if r.report is not None]
    assert checked and all(r.report.design == "fixed" and "--design fixed" in r.reproducer for r in checked)
    assert [r.status for r in matrix.rows] == ["conforms", "does not conform", "error", "conforms", "conforms"]
    with pytest.raises(UsageError, match="design"):
        conf_module.run_conformance("torch", design="adaptive")


@pytest.mark.false_alarm(0, reason="refused before any row runs")
@pytest.mark.parametrize("jobs", [0, -2, True, 1.5, "2"])
def test_jobs_must_be_a_positive_integer(jobs):
    from initcheck.errors import UsageError

    with pytest.raises(UsageError) as err:
        conf_module.run_conformance("torch", jobs=jobs)
    assert err.value.name == "jobs"


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_at_the_command_line_is_a_one_line_usage_error(capsys, value):
    assert main(["conformance", "torch", "--jobs", value]) == 2
    err = capsys.readouterr().err
    assert err == f"initcheck: error: argument --jobs: jobs={value!r}: expected a positive integer " \
                  "(worker processes)\n"


@pytest.mark.parametrize("whole_group", [True, False], ids=["terminal-ctrl-c", "sigint-to-the-parent"])
def test_ctrl_c_during_jobs_ends_the_workers_with_one_line(tmp_path, whole_group, start):
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "INITCHECK_TEST_ROWS": "slow", "INITCHECK_TEST_PIDS": str(pids)}
    proc = start([*FAKE, "--jobs", "2"], env)
    deadline = time.monotonic() + 60
    while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:  # both workers are drawing
        time.sleep(0.05)
    workers = [int(p.name) for p in pids.iterdir()]
    assert len(workers) == 2 and proc.pid not in workers
    time.sleep(0.2)
    if whole_group:  # what a terminal's Ctrl-C does: SIGINT to every process of the job
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == "initcheck: interrupted after 0 of 4 rows\n"  # one line, no traceback from any process
    assert "interrupted after 0 of 4 rows" in out
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if _alive(pid)]
        time.sleep(0.05)
    assert alive == []  # terminated, not left drawing (their rows take minutes)


@pytest.mark.false_alarm(0, reason="a zeros row: exact checks only")
def test_ctrl_c_reaching_an_idle_worker_prints_nothing_from_it(tmp_path, start):
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "INITCHECK_TEST_ROWS": "quick-and-slow",
           "INITCHECK_TEST_PIDS": str(pids)}
    proc = start([*FAKE, "--jobs", "2"], env)
    deadline = time.monotonic() + 60
    while not list(pids.iterdir()) and time.monotonic() < deadline:  # the slow row is drawing
        time.sleep(0.05)
    time.sleep(3)  # the zeros row (a few ms) is done: its worker waits for work
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == "initcheck: interrupted after 1 of 2 rows\n"  # nothing from the idle worker
    assert "zeros" in out


@pytest.fixture
def start():
    """``start(argv, env)``: a process in its own group (as a terminal's job); any still running at
    the test's end is killed with its workers."""
    started = []

    def run(argv, env):
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                start_new_session=True, preexec_fn=_default_sigint)
        started.append(proc)
        return proc

    yield run
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True



@pytest.mark.false_alarm(0, reason="exact: no draws; the pipe is closed before any output")
def test_a_closed_pipe_ends_the_command_quietly(monkeypatch, capsys):
    # `initcheck laws | head -0`: the reader has gone; the command stops with 141, no error line
    import io

    read, write = os.pipe()
    os.close(read)
    out = io.TextIOWrapper(os.fdopen(write, "wb", buffering=0), write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    code = main(["laws"])
    monkeypatch.undo()
    assert code == 141
    assert capsys.readouterr().err == ""
    out.write("after\n")  # stdout now goes nowhere, so flushing at exit cannot raise again
    out.close()
