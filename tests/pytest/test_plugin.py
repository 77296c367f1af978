"""The pytest plugin, driven through real pytest runs (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
import numpy as np
from initcheck import assert_conforms, init

def good(shape, seed):
    return init.xavier_uniform()(shape, seed)

def bad(shape, seed):
    return np.random.default_rng(seed).normal(0, 0.3, shape)

def test_good():
    assert_conforms(good, "xavier_uniform", shapes=[(32, 16)])

def test_bad():
    assert_conforms(bad, "xavier_uniform", shapes=[(32, 16)])
"""


def test_header_shows_the_seed_and_options_have_a_group(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_nothing():\n    assert True\n")
    result = pytester.runpytest("--initcheck-seed", "17", "--initcheck-alpha", "0.001")
    result.stdout.fnmatch_lines(["initcheck: seed 17, alpha 0.001 (replay with --initcheck-seed 17)"])
    assert result.ret == 0
    help_text = pytester.runpytest("--help").stdout.str()
    assert "initcheck: statistical checks of weight initializers" in help_text
    assert "--initcheck-seed" in help_text and "--initcheck-alpha" in help_text


@pytest.mark.false_alarm(
    1e-6, per="item", reason="the good sampler conforms at the default alpha (seed 5)"
)
def test_assert_conforms_passes_good_and_fails_bad_with_the_sentence(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inits=TEST_FILE)
    result = pytester.runpytest("--initcheck-seed", "5")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "sampler must conform to xavier_uniform(gain=1)" in out
    assert "--seed 5" in out  # the reproducer carries the plugin's seed
    assert "variance" in out


@pytest.mark.false_alarm(0, reason="a constant law: exact checks only, whatever the alpha")
def test_seed_option_reaches_the_verdict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_seed="""
from initcheck import assert_conforms, init

def test_seed():
    report = assert_conforms(init.zeros(), "zeros", shapes=[(16, 8)])
    assert report.seed == 23 and report.alpha == 0.01
""")
    result = pytester.runpytest("--initcheck-seed", "23", "--initcheck-alpha", "0.01")
    result.assert_outcomes(passed=1)


def test_bad_option_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_nothing():\n    assert True\n")
    result = pytester.runpytest("--initcheck-seed", "abc")
    assert result.ret != 0
    assert "--initcheck-seed" in result.stderr.str()
