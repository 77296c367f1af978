"""The feed runs a design on pushed arrays exactly as on pulled ones; law naming from closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from initcheck.auditing.feed import Feed
from initcheck.auditing.naming import name_law
from initcheck.designs import design
from initcheck.identification.core import describe_draws
from initcheck.laws import parse_law
from initcheck.planning import plan_verdict


@pytest.mark.parametrize("name", ["sequential", "fixed"])
@pytest.mark.parametrize("std", [0.02, 0.03])
def test_a_pushed_design_gives_the_pulled_outcome(name, std):
    plan = plan_verdict(parse_law("normal(std=0.02)"), layout="torch", shapes=[(64, 48)], seed=0, alpha=1e-6,
                        tolerance=0.02)
    draws = [np.random.default_rng(i).normal(0, std, (64, 48)) for i in range(40)]
    pulled = design(name).test_shape(plan.shapes[0], iter(draws))
    feed = Feed(design(name), plan.shapes[0])
    for a in draws:
        feed.push(a)
    pushed = feed.close()
    assert (pushed.n, pushed.calls, pushed.stop) == (pulled.n, pulled.calls, pulled.stop)
    assert [(r.check, r.pvalue) for r in pushed.results] == [(r.check, r.pvalue) for r in pulled.results]
    assert feed.pushed >= pushed.calls


def test_a_design_that_raises_hands_the_error_over():
    plan = plan_verdict(parse_law("normal(std=0.02)"), layout="torch", shapes=[(8, 8)], seed=0, alpha=1e-6,
                        tolerance=0.02)
    feed = Feed(design("sequential"), plan.shapes[0])
    feed.push("not an array")  # type: ignore[arg-type]  # the design fails on it: raised on close
    with pytest.raises(Exception):  # noqa: B017 - whichever the design raises
        feed.close()


@pytest.mark.false_alarm(4e-6, per="item", assertions=3, reason="each naming needs the family kept (KS and two "
                         "max tails at 1e-6) and the gain inside its 1 - 1e-6 interval")
def test_a_parameter_law_is_named_from_its_fans():
    rng = np.random.default_rng(11)
    k = 1 / math.sqrt(96)
    d = describe_draws([rng.uniform(-k, k, (128, 96)) for _ in range(3)])
    assert name_law(d, (128, 96))[0] == "he_uniform(a=2.2360679775)"  # U(±1/√fan_in): gain 1/√3 on fan_in
    d = describe_draws([rng.normal(0, 0.02, (256, 384)) for _ in range(2)])
    assert name_law(d, (256, 384))[0] == "normal(std=0.02)"  # no fan explains 0.02 here: the sd itself
    d = describe_draws([rng.uniform(-k, k, 128) for _ in range(40)])
    assert name_law(d, (128,), [("the fan_in of weight", 96)])[0] == f"uniform(a={k:.10g})"
