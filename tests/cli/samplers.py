"""Plain numpy samplers the CLI tests name as targets."""

from __future__ import annotations

import math

import numpy as np

NOT_CALLABLE = 3


def xavier_uniform_sampler(shape, seed):
    rf = math.prod(shape[2:])
    a = math.sqrt(6 / ((shape[0] + shape[1]) * rf))
    return np.random.default_rng(seed).uniform(-a, a, shape)


def too_wide(shape, seed):
    return 1.5 * xavier_uniform_sampler(shape, seed)


def raises(shape, seed):
    raise RuntimeError("boom")


def hangs(shape, seed):
    import time

    time.sleep(30)
    return np.zeros(shape)


def slow(shape, seed):
    import os
    import time

    mark = os.environ.get("INITCHECK_TEST_MARK")
    if mark and not os.path.exists(mark):
        open(mark, "w").close()  # tells the test that drawing has started
    pids = os.environ.get("INITCHECK_TEST_PIDS")
    if pids:
        open(os.path.join(pids, str(os.getpid())), "w").close()  # tells the test which process draws
    time.sleep(0.05)
    return xavier_uniform_sampler(shape, seed)


def dense_only(shape, seed):
    """N(0, 0.05^2) that, like a dense layer, builds (out, in) weights only: it declares so."""
    if len(shape) != 2:
        raise ValueError(f"dense_only builds 2-D weights only, not {shape}")
    return np.random.default_rng(seed).normal(0.0, 0.05, shape)


dense_only.ranks = (2,)


def dense_only_undeclared(shape, seed):
    """dense_only without the declaration: the default shapes of other ranks make it raise."""
    return dense_only(shape, seed)
