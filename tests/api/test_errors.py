"""The error tree: each type raised in a real situation, its attributes, and the CLI's one line.

A missing framework is simulated with ``sys.modules[name] = None`` (then
``import name`` fails with ModuleNotFoundError), so these tests give the same
answer whether or not the framework is installed.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

import initcheck
from initcheck import conformance as conf_module
from initcheck.adapters import ConformanceRow, adapt, load_target, require
from initcheck.cli import main
from initcheck.errors import FrameworkNotInstalled, InitcheckError, UsageError
from tests.cli.samplers import xavier_uniform_sampler

GOOD = "tests.cli.samplers:xavier_uniform_sampler"


def _missing(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("initcheck: error: "), err
    return err.strip()


def test_the_tree() -> None:
    assert initcheck.InitcheckError is InitcheckError and initcheck.UsageError is UsageError
    assert issubclass(UsageError, InitcheckError) and issubclass(UsageError, ValueError)
    assert issubclass(FrameworkNotInstalled, UsageError) and issubclass(FrameworkNotInstalled, ImportError)


@pytest.mark.false_alarm(0, reason="refused before anything is drawn")
def test_a_bad_argument_is_a_usage_error_with_name_value_and_expected() -> None:
    with pytest.raises(ValueError) as caught:  # except ValueError keeps working
        initcheck.check(xavier_uniform_sampler, "xavier_uniform", alpha=2.0)
    err = caught.value
    assert isinstance(err, UsageError)
    assert (err.name, err.value) == ("alpha", 2.0) and err.expected and err.expected in str(err)
    assert str(err).startswith("alpha=2.0: expected ")


def test_usage_errors_from_the_engine_and_the_claims_name_what_was_expected() -> None:
    from initcheck.claims.base import Measurement, Outcome
    from initcheck.stats.tails import pearson3_tails

    with pytest.raises(UsageError) as caught:
        pearson3_tails(0.0, 0.0, -1.0, 0.5)
    assert (caught.value.name, caught.value.value) == ("sd", -1.0)
    outcome = Outcome(True, (Measurement("ratio", 1.0), Measurement("slope", 0.5)), 10)
    with pytest.raises(UsageError) as caught:
        outcome.get("intercept")
    assert caught.value.name == "name" and "ratio, slope" in str(caught.value)


def test_a_target_in_a_missing_framework(monkeypatch: pytest.MonkeyPatch) -> None:
    _missing(monkeypatch, "torch")
    with pytest.raises(ImportError) as caught:  # except ImportError keeps working
        load_target("torch.nn.init:xavier_uniform_")
    err = caught.value
    assert isinstance(err, FrameworkNotInstalled)
    assert (err.framework, err.extra, err.name) == ("torch", "torch", "torch")
    assert err.install == "pip install 'initcheck[torch]'"
    assert str(err) == ("torch is not installed (needed for target 'torch.nn.init:xavier_uniform_'): "
                        "pip install 'initcheck[torch]'")


def test_a_look_alike_initializer_without_its_framework(monkeypatch: pytest.MonkeyPatch) -> None:
    def trunc_normal_(tensor, std=1.0):  # a PyTorch-style in-place initializer, outside torch
        return tensor

    _missing(monkeypatch, "torch")
    with pytest.raises(FrameworkNotInstalled) as caught:
        adapt(trunc_normal_)
    assert caught.value.framework == "torch"
    assert "trunc_normal_ looks like a torch initializer" in str(caught.value)


def test_a_module_the_framework_needs_is_named_and_the_note_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    _missing(monkeypatch, "mxnet")
    err = pytest.raises(FrameworkNotInstalled, require, "mxnet").value
    assert err.framework == "mxnet" and err.note.startswith("mxnet 1.9.1 needs numpy<1.24")
    assert str(err).endswith(f"pip install 'initcheck[mxnet]'; {err.note}")
    _missing(monkeypatch, "keras")
    err = pytest.raises(FrameworkNotInstalled, require, "keras").value
    assert (err.framework, err.name) == ("keras", "keras")


def test_a_framework_that_is_installed_but_fails_to_import(monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "mxnet").mkdir()
    (tmp_path / "mxnet" / "__init__.py").write_text(
        "raise AttributeError(\"module 'numpy' has no attribute 'bool'\")\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mxnet", raising=False)
    with pytest.raises(UsageError) as caught:
        load_target("mxnet.init:Xavier")
    err = caught.value
    assert not isinstance(err, FrameworkNotInstalled)  # installed, but broken: not "not installed"
    assert "mxnet is installed but fails to import" in str(err) and "numpy<1.24" in str(err)


def test_errors_survive_pickling_with_their_attributes() -> None:
    err = FrameworkNotInstalled("keras", "keras", "tensorflow", "needed for target 'keras:HeNormal'")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is FrameworkNotInstalled and str(back) == str(err)
    assert (back.framework, back.extra, back.name, back.needed_by) == ("keras", "keras", "tensorflow",
                                                                        err.needed_by)
    assert "its module 'tensorflow' is not installed" in str(back)
    usage = initcheck.errors.expected("alpha", 2.0, "a number in (0, 1)")
    back_usage = pickle.loads(pickle.dumps(usage))
    assert (str(back_usage), back_usage.name, back_usage.value) == (str(usage), "alpha", 2.0)


@pytest.mark.false_alarm(0, reason="refused before any row is drawn")
def test_conformance_stops_when_the_framework_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    _missing(monkeypatch, "jax")
    with pytest.raises(FrameworkNotInstalled) as caught:
        conf_module.run_conformance("jax")
    assert caught.value.framework == "jax" and "jax conformance matrix" in str(caught.value)


@pytest.mark.false_alarm(1e-6, per="item", reason="one xavier_uniform matrix row at the default alpha, seed 0")
def test_conformance_reads_the_type_not_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A first row whose error merely mentions "install" is that row's error, not a missing framework."""
    rows = (ConformanceRow("gone", "tests.cli.samplers:not_installed_anywhere", {}, "xavier_uniform", "n"),
            ConformanceRow("good", GOOD, {}, "xavier_uniform", "n", shapes=((16, 8),)))
    monkeypatch.setattr(conf_module, "conformance", lambda framework: rows)
    monkeypatch.setattr(conf_module, "require", lambda framework, **kwargs: None)
    matrix = conf_module.run_conformance("torch")
    assert [r.status for r in matrix.rows] == ["error", "conforms"]
    assert "install" in (matrix.rows[0].error or "")


def test_cli_a_missing_framework_is_exit_2_and_one_line(monkeypatch, capsys) -> None:
    _missing(monkeypatch, "torch")
    assert main(["check", "torch.nn.init:xavier_uniform_", "--law", "xavier_uniform"]) == 2
    assert _one_line_error(capsys) == ("initcheck: error: torch is not installed (needed for target "
                                       "'torch.nn.init:xavier_uniform_'): pip install 'initcheck[torch]'")
    _missing(monkeypatch, "jax")
    assert main(["conformance", "jax"]) == 2
    assert "jax is not installed" in _one_line_error(capsys)


def test_cli_any_initcheck_error_is_exit_2_and_one_line(monkeypatch, capsys) -> None:
    assert main(["check", GOOD, "--law", "xavier_uniform", "--alpha", "2"]) == 2  # a UsageError
    assert _one_line_error(capsys).startswith("initcheck: error: alpha=2.0: expected ")

    def refuse(*args, **kwargs):
        raise InitcheckError("a reason, in one line")

    monkeypatch.setattr("initcheck.adapters.load_target", refuse)
    assert main(["check", GOOD, "--law", "xavier_uniform"]) == 2  # the root, too
    assert _one_line_error(capsys) == "initcheck: error: a reason, in one line"
