"""Calibration, measured: how often does a correct sampler fail a verdict at α?

The cheap version of the benchmark: correct reference samplers of every law
family, 40 seeds each, at α = 0.05 with a small shape and a loose tolerance (so
each verdict takes milliseconds). Holm's procedure bounds the verdict's
false-alarm rate by α; we assert the observed count is not significantly above
it: one-sided exact binomial test, P(X ≥ k | p = α) > 1e-6 (false alarm 1e-6).
"""

from __future__ import annotations

import pytest
from scipy import stats

from initcheck import init
from initcheck.verdict import check

ALPHA = 0.05
SEEDS = 40
LAWS = [
    (init.xavier_uniform(), "xavier_uniform"),
    (init.xavier_normal(), "xavier_normal"),
    (init.variance_scaling(1.0, "fan_in", "truncated_normal"), "variance_scaling"),
    (init.truncated_normal(std=0.5), "truncated_normal(std=0.5)"),
    (init.orthogonal(), "orthogonal"),
]


@pytest.mark.false_alarm(
    1e-6, per="item", reason="one-sided binomial test of 40 verdicts at 0.05, at 1e-6"
)
@pytest.mark.parametrize("sampler, claim", LAWS, ids=[c for _, c in LAWS])
def test_false_alarm_rate_does_not_exceed_alpha(sampler, claim) -> None:
    failures = sum(
        not check(sampler, claim, shapes=[(48, 32)], seed=seed, alpha=ALPHA, tolerance=0.1).passed
        for seed in range(SEEDS)
    )
    p = stats.binom.sf(failures - 1, SEEDS, ALPHA)  # P(X >= failures)
    assert p > 1e-6, f"{failures} of {SEEDS} verdicts failed at α = {ALPHA}"
