"""Renamed names keep working for one release, each with one deprecation notice.

The table of old and new names is ``initcheck._deprecations``' users: every
module that renamed something. Each old name must give the same object or the
same behaviour as the new one, and say so once.
"""

from __future__ import annotations

import importlib
import warnings

import pytest

from initcheck import _deprecations
from initcheck.cli import main

GOOD = "tests.cli.samplers:xavier_uniform_sampler"


@pytest.fixture(autouse=True)
def _fresh_notices(monkeypatch):
    monkeypatch.setattr(_deprecations, "_warned", set())


@pytest.mark.parametrize(("module", "old", "new"), [
    ("initcheck.laws", "Claim", "Law"),
    ("initcheck.laws", "parse_claim", "parse_law"),
    ("initcheck.verdict", "Finding", "Result"),
])
def test_old_python_names_are_the_new_objects_with_one_warning(module, old, new):
    mod = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{module}.{old} is deprecated .* use .*{new}"):
        assert getattr(mod, old) is getattr(mod, new)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(mod, old)  # once per process, not on every use


def test_an_unknown_name_is_still_an_attribute_error():
    import initcheck.laws

    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        initcheck.laws.nothing_here  # noqa: B018


@pytest.mark.false_alarm(0, reason="a constant law: exact checks only")
def test_check_claim_keyword_and_report_claim_attribute():
    from initcheck import check, init

    with pytest.warns(DeprecationWarning, match=r"check\(claim=...\) is deprecated"):
        report = check(init.zeros(), claim="zeros", shapes=[(4, 4)])
    assert report.passed and report.law == "zeros"
    with pytest.warns(DeprecationWarning, match="Report.claim is deprecated"):
        assert report.claim == report.law
    assert report.to_dict()["claim"] == report.to_dict()["law"] == "zeros"


@pytest.mark.false_alarm(1e-6, per="item", reason="one xavier_uniform verdict at the default alpha, seed 0")
def test_cli_claim_option_and_claims_command(capsys):
    assert main(["check", GOOD, "--claim", "xavier_uniform", "--shape", "32x16"]) == 0
    err = capsys.readouterr().err
    assert "warning: --claim is deprecated" in err and "use --law" in err
    assert main(["claims"]) == 0
    captured = capsys.readouterr()
    assert "'initcheck claims' is deprecated" in captured.err and "xavier_uniform" in captured.out


def test_cli_law_and_claim_together_is_a_usage_error(capsys):
    assert main(["check", GOOD, "--law", "zeros", "--claim", "zeros"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_every_renamed_module_name_is_on_the_changes_page():
    """The docs' Changes page lists every old name a module still serves (and nothing is left out)."""
    from pathlib import Path

    for module in ("initcheck.assertions", "initcheck.laws", "initcheck.verdict", "initcheck.propagation",
                   "initcheck.propagation.expect", "initcheck.claims.measure", "initcheck.report"):
        importlib.import_module(module)
    page = (Path(__file__).parents[2] / "docs" / "changes.md").read_text()
    listed = [f"{module}.{old}" for module, table in _deprecations.TABLES.items() for old in table
              if module.split(".")[0] == "initcheck"]  # other tests plant tables of made-up modules
    assert len(listed) >= 9
    missing = [name for name in listed if f"`{name}`" not in page]
    assert not missing, f"docs/changes.md must list every renamed name, but not: {', '.join(missing)}"
