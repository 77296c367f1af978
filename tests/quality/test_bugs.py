"""Does ``check()`` find what it should? Every planted bug is caught at the defaults,
and no correct sampler is flagged.

Miss rates: each bug's effect is at or above the tolerance the verdict is planned
for (power ≥ 0.999 per shape, over 7 shapes), or is caught by an exact check; runs
are derandomized (fixed seeds), so a pass here is reproducible. Correct samplers:
one verdict each at α = 1e-6 (the default), so the false-alarm rate of
``test_correct_reference_samplers_conform`` is 1e-6 per sampler (see tests/README.md).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from initcheck import init
from initcheck.verdict import check
from tests.quality.bugs import BUGS, Bug


@pytest.mark.false_alarm(
    1e-21, per="item", reason="power >= 0.999 per shape over 7 shapes, or an exact check"
)
@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_every_planted_bug_is_caught_at_the_defaults(bug: Bug) -> None:
    report = check(bug.sampler, bug.claim, layout=bug.layout)
    assert not report.passed, f"{bug.name} was not caught: {report.summary()}"
    assert report.findings and report.sentences()[0].startswith(report.law)


CORRECT = [
    (init.xavier_uniform(), "xavier_uniform", "torch"),
    (init.xavier_normal(), "glorot_normal", "torch"),
    (init.he_uniform(mode="fan_out"), "he_uniform(mode=fan_out)", "torch"),
    (init.he_normal(a=0.2), "kaiming_normal(a=0.2)", "torch"),
    (init.lecun_normal(layout="keras"), "lecun_normal", "keras"),
    (init.variance_scaling(2.0, "fan_avg", "truncated_normal", layout="keras"),
     "variance_scaling(scale=2, mode=fan_avg)", "keras"),
    (init.truncated_normal(0.0, 0.02, -0.04, 0.04), "truncated_normal(std=0.02, a=-0.04, b=0.04)", "torch"),
    (init.mxnet_default(), "mxnet_default", "mxnet"),
    (init.normal(std=0.01), "normal(std=0.01)", "torch"),
    (init.orthogonal(1.5), "orthogonal(gain=1.5)", "torch"),
    (init.constant(0.25), "constant(0.25)", "torch"),
]


@pytest.mark.false_alarm(1e-6, per="item", reason="one verdict at the default alpha = 1e-6")
@pytest.mark.parametrize("sampler, claim, layout", CORRECT, ids=[c[1] for c in CORRECT])
def test_correct_reference_samplers_conform(sampler, claim, layout) -> None:
    report = check(sampler, claim, layout=layout)
    assert report.passed, "\n".join(report.sentences())


@pytest.mark.false_alarm(1e-6, per="item", assertions=3, reason="three verdicts at alpha = 1e-6")
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_every_precision_of_a_correct_sampler_conforms(dtype) -> None:
    # the engine widens bounds by one rounding step, dequantizes for EDF tests and counts
    # coincidences at the sample's precision, and sets the orthogonality tolerance; α = 1e-6 per verdict
    for base, claim in ((init.xavier_uniform(), "xavier_uniform"), (init.he_normal(), "he_normal"),
                        (init.orthogonal(), "orthogonal")):
        if dtype == "bfloat16":
            def sampler(shape, seed, base=base):  # round to 8 significant bits, stored as float32
                x = base(shape, seed).astype(np.float32)
                bits = x.view(np.uint32)
                bits = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) & np.uint32(0xFFFF0000)
                return bits.view(np.float32)
        else:
            sampler = base.with_dtype(dtype)
        report = check(sampler, claim)
        assert report.passed, f"{dtype} {claim}:\n" + "\n".join(report.sentences())


def _raises(shape, seed):
    raise RuntimeError("boom")


_shared = np.zeros((96, 160))


def _mutates_shared(shape, seed):
    global _shared
    if _shared.shape != shape:
        _shared = np.zeros(shape)
    _shared[...] = np.random.default_rng(seed).normal(0, 0.05, shape)
    return _shared


def _hangs(shape, seed):
    time.sleep(5)
    return np.zeros(shape)


MISBEHAVING = [
    ("raises", _raises),
    ("returns", lambda shape, seed: None),
    ("returns", lambda shape, seed: "weights"),
    ("shape", lambda shape, seed: np.zeros(shape[::-1] + (1,))),
    ("dtype", lambda shape, seed: np.ones(shape, dtype=np.int64)),
    ("dtype", lambda shape, seed: np.ones(shape, dtype=np.complex128)),
    ("finite", lambda shape, seed: np.full(shape, np.nan)),
    ("aliasing", _mutates_shared),
    ("timeout", _hangs),
]


@pytest.mark.false_alarm(0, reason="exact checks: raises, shape, dtype, finite, aliasing, timeout")
@pytest.mark.parametrize("kind, sampler", MISBEHAVING, ids=[f"{k}-{i}" for i, (k, _) in enumerate(MISBEHAVING)])
def test_a_misbehaving_sampler_gets_a_verdict_not_a_crash(kind, sampler) -> None:
    report = check(sampler, "xavier_normal", shapes=[(96, 160), (8, 4, 3)], timeout=0.5)
    assert not report.passed
    assert report.findings[0].check == kind, report.sentences()
