"""The statistical engine: tests that return results, sample-size planning, multiple testing.

Every test returns a :class:`TestResult` (check, null, statistic, pvalue, n,
estimate, ci, expected, detail); exact checks report p = 0 or 1. Laws are
frozen ``scipy.stats`` laws; what a test expects comes from the law (closed
forms, ``mean``/``var``/``stats``/``cdf``/``support``), never from the data.

Tests and their null hypotheses (x: a sample, law: the claimed law, mu and
sigma² its mean and variance):

- :func:`mean_test` — E[x] = mu (sigma known).
- :func:`variance_test` — E[(x - mu)²] = sigma² (kurtosis-aware; exact
  chi-square for a normal law).
- :func:`kurtosis_test` — E[(x - mu)⁴]/sigma⁴ equals the law's kurtosis.
- :func:`ks_test` — x ~ iid law (Kolmogorov–Smirnov).
- :func:`ad_test` — x ~ iid law (Anderson–Darling, tail-sensitive).
- :func:`support_test` — every value is finite and in [low, high] (exact).
- :func:`constant_test` — every value equals a constant (exact).
- :func:`bound_reach_test` — the sample reaches the bounds of a bounded law
  as iid draws would.
- :func:`extremes_test` — max |x - mu| follows its exact law under iid draws.
- :func:`atoms_test` — repeated values no more frequent than for the law
  rounded to the sample's precision.
- :func:`orthogonality_test` — the smaller Gram matrix is gain² I (exact).
- :func:`haar_test` — independent draws are Haar (semi-)orthogonal.
- :func:`structure_tests` — entries iid across positions and units (serial
  correlation, duplicate and sorted lines, correlated units, per-line scale).
- :func:`seed_dependence_test` — same seed, same draw; different seeds,
  different and uncorrelated draws.
- :func:`adjacent_seed_test` — seeds s and s + 1 give different draws, not
  shifted copies of each other, and uncorrelated.

Laws: :func:`kurtosis`, :func:`finite_moment_order` and :func:`has_moment`
(whether a test needing the k-th moment applies; ``kurtosis_test`` needs the
8th, ``variance_test`` and ``structure_tests`` the 4th).

Planning (:func:`plan_variance_n`, :func:`plan_mean_n`, :func:`plan_bound_n`,
:func:`plan_ks_n` and the matching ``power_*``) and multiple testing
(:func:`holm`, :func:`bonferroni`, :func:`holm_adjusted`,
:func:`bonferroni_adjusted`, :func:`family_pvalue`) complete it.
"""

from __future__ import annotations

# ruff: noqa: I001 - one import per line, as the public API lists it

from initcheck.stats.atoms import atoms_test
from initcheck.stats.edf import ad_test
from initcheck.stats.edf import ks_test
from initcheck.stats.lawmoments import finite_moment_order
from initcheck.stats.lawmoments import has_moment
from initcheck.stats.lawmoments import kurtosis
from initcheck.stats.moments import kurtosis_test
from initcheck.stats.moments import mean_test
from initcheck.stats.moments import variance_test
from initcheck.stats.multiple import bonferroni
from initcheck.stats.multiple import bonferroni_adjusted
from initcheck.stats.multiple import family_pvalue
from initcheck.stats.multiple import holm
from initcheck.stats.multiple import holm_adjusted
from initcheck.stats.orthogonal import haar_test
from initcheck.stats.orthogonal import orthogonality_test
from initcheck.stats.planning import plan_bound_n
from initcheck.stats.planning import plan_ks_n
from initcheck.stats.planning import plan_mean_n
from initcheck.stats.planning import plan_variance_n
from initcheck.stats.planning import power_bound
from initcheck.stats.planning import power_ks
from initcheck.stats.planning import power_mean
from initcheck.stats.planning import power_variance
from initcheck.stats.result import DEFAULT_LEVEL
from initcheck.stats.result import TestResult
from initcheck.stats.running import RunningMoments
from initcheck.stats.seeds import adjacent_seed_test
from initcheck.stats.seeds import seed_dependence_test
from initcheck.stats.structure import structure_tests
from initcheck.stats.support import bound_reach_test
from initcheck.stats.support import constant_test
from initcheck.stats.support import extremes_test
from initcheck.stats.support import support_test

__all__ = [
    "DEFAULT_LEVEL",
    "RunningMoments",
    "TestResult",
    "ad_test",
    "adjacent_seed_test",
    "atoms_test",
    "bonferroni",
    "bonferroni_adjusted",
    "bound_reach_test",
    "constant_test",
    "extremes_test",
    "family_pvalue",
    "finite_moment_order",
    "haar_test",
    "has_moment",
    "holm",
    "holm_adjusted",
    "ks_test",
    "kurtosis",
    "kurtosis_test",
    "mean_test",
    "orthogonality_test",
    "plan_bound_n",
    "plan_ks_n",
    "plan_mean_n",
    "plan_variance_n",
    "power_bound",
    "power_ks",
    "power_mean",
    "power_variance",
    "seed_dependence_test",
    "structure_tests",
    "support_test",
    "variance_test",
]
