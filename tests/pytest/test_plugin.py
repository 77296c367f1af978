"""The pytest plugin, driven through real pytest runs (pytester)."""

from __future__ import annotations

import pytest

import initcheck.verdict  # noqa: F401 - see below

pytest_plugins = ["pytester"]

# pytester's in-process runs drop the modules a run imported when it ends, and numpy's and
# scipy's C extensions cannot be loaded twice in one process. The plugin no longer imports
# them (``import initcheck`` is light), so this module loads them once, before any run.

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


def test_the_plugin_keeps_its_values_on_the_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_stash="""
from initcheck.pytest_plugin import VALUES

def test_stash(pytestconfig):
    assert dict(pytestconfig.stash[VALUES]) == {"seed": 9, "alpha": 0.5}
""")
    result = pytester.runpytest("--initcheck-seed", "9", "--initcheck-alpha", "0.5")
    result.assert_outcomes(passed=1)


@pytest.mark.false_alarm(0, reason="a constant law: exact checks only, whatever the alpha")
def test_values_do_not_leak_between_runs(pytester: pytest.Pytester) -> None:
    """A run's options are the defaults during that run only; the next run and this one keep theirs."""
    from initcheck import options

    before = dict(options.active())
    pytester.makepyfile(test_seed="""
from initcheck import assert_conforms, init, options

def test_seed(request):
    report = assert_conforms(init.zeros(), "zeros", shapes=[(16, 8)])
    assert (report.seed, report.alpha) == (request.config.getoption("initcheck_seed"),
                                           request.config.getoption("initcheck_alpha"))
    assert dict(options.active()) == {"seed": report.seed, "alpha": report.alpha}
""")
    pytester.runpytest("--initcheck-seed", "23", "--initcheck-alpha", "0.01").assert_outcomes(passed=1)
    assert dict(options.active()) == before
    pytester.runpytest().assert_outcomes(passed=1)  # seed 0 and alpha 1e-6 again, not 23 and 0.01
    assert dict(options.active()) == before


def test_a_thread_started_by_a_test_sees_the_run_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_thread="""
from concurrent.futures import ThreadPoolExecutor
from initcheck import assert_conforms, init

def test_thread():
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(assert_conforms, init.zeros(), "zeros", shapes=[(16, 8)]).result()
    assert report.seed == 31
""")
    pytester.runpytest("--initcheck-seed", "31").assert_outcomes(passed=1)


def test_a_negative_seed_is_refused_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_nothing():\n    assert True\n")
    result = pytester.runpytest("--initcheck-seed", "-3")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--initcheck-seed: seed='-3': expected a non-negative integer*"])


@pytest.mark.false_alarm(0, reason="a constant law: exact checks only")
def test_the_old_defaults_dict_still_works_with_a_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_old="""
import pytest
from initcheck import assertions, init

def test_old():
    with pytest.warns(DeprecationWarning, match="initcheck.assertions.defaults is deprecated"):
        old = assertions.defaults
    old["seed"] = 41
    try:
        assert assertions.assert_conforms(init.zeros(), "zeros", shapes=[(16, 8)]).seed == 41
    finally:
        old.clear()
""")
    pytester.runpytest("--initcheck-seed", "5").assert_outcomes(passed=1)
