"""Every report offers the same small interface: passed, summary, sentences, reproducer, to_dict.

For each report type (a ``check`` verdict, a conformance row and matrix, a
``verify`` claim and run, a propagation) a passing and a failing instance are
built for real, and the interface must say the same thing in each: ``passed``
matches the verdict, a failing report has one sentence per finding (each naming
the reproducer), a passing one none, ``findings`` ⊆ ``results``, ``to_dict``
carries ``passed`` and ``reproducer`` and is JSON-serializable, and the
reproducer is an ``initcheck`` command line that the CLI's parser accepts.
"""

from __future__ import annotations

import json
import shlex

import pytest

from initcheck import check, init
from initcheck.adapters import ConformanceRow
from initcheck.claims import verify
from initcheck.cli import build_parser
from initcheck.conformance import Matrix, RowResult
from initcheck.propagation import propagate
from initcheck.render import jsonable
from initcheck.reportable import Reportable


def _check_reports():
    good = check(init.zeros(), "zeros", shapes=[(4, 4)], target="tests.cli.samplers:zeros")
    bad = check(init.ones(), "zeros", shapes=[(4, 4)], target="tests.cli.samplers:ones")
    return good, bad


def _rows():
    good, bad = _check_reports()
    row = ConformanceRow("zeros_", "torch.nn.init:zeros_", {}, "zeros", "note")
    return (
        RowResult(row, "conforms", good, None, 0.0, "torch", 0, 1e-6, 0.02),
        RowResult(row, "does not conform", bad, None, 0.0, "torch", 0, 1e-6, 0.02),
    )


def _matrices():
    ok, no = _rows()
    return (Matrix("torch", (ok,), (), 1, 1e-6, 0.02, 0), Matrix("torch", (ok, no), (), 2, 1e-6, 0.02, 0))


def _verify_reports(monkeypatch):
    good = verify(["vanishing.sigmoid-gradient"], progress=False)
    import initcheck.claims.vanishing as mod
    from initcheck.activations import Activation, get_activation

    sigmoid = get_activation("sigmoid")
    broken = Activation("sigmoid", sigmoid.fn, sigmoid.fn)  # planted: σ' = σ, whose maximum is 1 > 1/4
    monkeypatch.setattr(mod, "get_activation", lambda name: broken if name == "sigmoid" else get_activation(name))
    bad = verify(["vanishing.sigmoid-gradient"], progress=False)
    return good, bad


def _propagations():
    kw = {"widths": "16,32x4,4", "activation": "relu", "trials": 6, "batch": 8}
    return propagate(init="he_normal", **kw), propagate(init="normal(std=1)", **kw)


def _assert_interface(good, bad):
    for report, passed in ((good, True), (bad, False)):
        assert isinstance(report, Reportable)
        assert report.passed is passed, report.summary()
        assert isinstance(report.summary(), str) and "\n" not in report.summary()
        sentences = report.sentences()
        if passed:
            assert sentences == []
        else:
            assert sentences and all(report_reproducer_named(s) for s in sentences), sentences
        if hasattr(report, "findings"):
            assert all(any(f is r for r in report.results) for f in report.findings)
            assert bool(report.findings) is not passed
        data = report.to_dict()
        assert data["passed"] is passed and data["reproducer"] == report.reproducer
        json.dumps(jsonable(data))
        argv = shlex.split(report.reproducer)
        assert argv[0] == "initcheck"
        build_parser().parse_args(argv[1:])  # a command line the CLI takes (exits 2 otherwise)


def report_reproducer_named(sentence: str) -> bool:
    return "re-run: initcheck " in sentence


@pytest.mark.false_alarm(0, reason="constant laws: exact checks only")
def test_check_report():
    _assert_interface(*_check_reports())


@pytest.mark.false_alarm(0, reason="constant laws: exact checks only")
def test_conformance_row_and_matrix():
    _assert_interface(*_rows())
    _assert_interface(*_matrices())


@pytest.mark.false_alarm(0, reason="an exact claim, and a planted derivative with maximum 1 > 1/4")
def test_verify_claim_and_run(monkeypatch):
    good, bad = _verify_reports(monkeypatch)
    _assert_interface(good, bad)
    _assert_interface(good.results[0], bad.results[0])
    assert bad.results[0].reproducer == "initcheck verify --only vanishing.sigmoid-gradient --seed 0"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # N(0, 1) at width 32 overflows nothing, but be safe
@pytest.mark.false_alarm(
    1e-6, per="item", reason="ReLU at He judged at alpha 1e-6; N(0, 1) at width 32 grows 32-fold per layer (det.)"
)
def test_propagation_report():
    good, bad = _propagations()
    _assert_interface(good, bad)
    assert len(bad.findings) < len(bad.results) or not bad.passed
