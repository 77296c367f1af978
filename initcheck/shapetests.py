"""The tests of one shape, fed one draw at a time (so a verdict never holds all its draws).

A :class:`ShapeTests` takes the claimed law of one shape and the draws as they
come. Moments (mean, variance, kurtosis) and the extremes (support, bound
reach, max |x − μ|) stream over every value; the EDF and atom tests see the
first :data:`EDF_VALUES` values, the structure tests the first
:data:`STRUCTURE_VALUES` of the first draws; orthogonal laws keep their (small)
matrices for the Haar tests. Memory stays near one draw plus these caps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import stats as st
from .laws import TargetLaw
from .precision import dequantize, precision_bits, widen
from .stats.orthogonal import RTOL_FACTOR

__all__ = ["CHUNK", "EDF_VALUES", "STRUCTURE_VALUES", "ShapeOutcome", "ShapeTests"]

EDF_VALUES = 100_000  # values the KS, Anderson-Darling and atoms tests look at per shape
STRUCTURE_VALUES = 16_384  # values (whole rows) the structure tests look at per shape
CHUNK = 1 << 20  # values converted to float64 at a time when accumulating moments


@dataclass(frozen=True)
class ShapeOutcome:
    """What a design found at one shape.

    Attributes:
        results: every test it ran, in a fixed order, before the family's correction.
        n: scalar values it used.
        calls: sampler calls (draws) it used.
        power_variance: the power it promises against a relative variance error of ``tolerance``
            (None: no such promise, e.g. for an orthogonal or constant law).
        power_mean: the same against a mean shift of ``tolerance`` standard deviations.
        tolerance: the error size these powers are for (the verdict's, or a coarser one that a
            tiny shape can afford, said in the report).
        stop: why it stopped drawing (``planned``: the planned draws; ``decided``: its
            sequential tests decided; ``violation``: an exact check failed; ``cut``: its
            sequential tests reached their cut undecided).
    """

    results: tuple[st.TestResult, ...]
    n: int
    calls: int
    power_variance: float | None = None
    power_mean: float | None = None
    tolerance: float | None = None
    stop: str = "planned"

    @property
    def violation(self) -> bool:
        """Whether an exact check failed here; the verdict then stops, as it cannot pass any more."""
        return self.stop == "violation"


def _units(a: np.ndarray, layout: str) -> np.ndarray:
    """The draw as (units, inputs per unit): rows are output units."""
    if layout in ("torch", "mxnet"):
        return a.reshape(a.shape[0], -1)
    return a.reshape(-1, a.shape[-1]).T


class ShapeTests:
    """Accumulate the draws of one shape, then run the tests its law calls for."""

    def __init__(self, target: TargetLaw, layout: str, seed: int, *, edf_values: int = EDF_VALUES) -> None:
        self.target, self.layout, self.seed = target, layout, seed
        self.edf_values = edf_values  # values the EDF and atoms tests see
        self.n = 0
        self.draws = 0
        self.bits = 53
        self._constant: st.TestResult | None = None
        self._matrices: list[np.ndarray] = []
        self._edf: list[np.ndarray] = []
        self._edf_count = 0
        self._units: list[np.ndarray] = []
        self._unit_values = 0
        self._support: st.TestResult | None = None
        law = target.law
        self._moments = st.RunningMoments(float(law.mean())) if target.kind == "iid" else None
        if target.kind == "iid":
            self._low, self._high = (float(v) for v in law.support())

    @property
    def moments(self) -> st.RunningMoments | None:
        """The running moments about the law's mean over every value taken (iid laws only)."""
        return self._moments

    @property
    def exact_violation(self) -> bool:
        """Whether an exact check already fails on the draws taken (support, or a constant's value)."""
        found = self._support if self.target.kind == "iid" else self._constant
        return found is not None and found.pvalue == 0.0

    def add(self, a: np.ndarray) -> None:
        """Take one validated draw (finite floats of the shape)."""
        self.draws += 1
        self.n += a.size
        if self.draws <= 3:
            self.bits = min(self.bits, precision_bits(a)) if self.draws > 1 else precision_bits(a)
        kind = self.target.kind
        if kind == "constant":
            r = st.constant_test(a, self.target.value)
            if self._constant is None or r.pvalue < self._constant.pvalue:
                self._constant = r
            return
        if kind == "orthogonal":
            self._matrices.append(a.reshape(self.target.matrix))
            return
        flat = a.reshape(-1)
        assert self._moments is not None
        for start in range(0, flat.size, CHUNK):
            self._moments.update(flat[start:start + CHUNK].astype(np.float64))
        if math.isfinite(self._low) and math.isfinite(self._high):
            r = st.support_test(flat, *widen(self._low, self._high, self.bits))
            if self._support is None or r.pvalue < self._support.pvalue:
                self._support = r
        if self._edf_count < self.edf_values:
            take = flat[:self.edf_values - self._edf_count].astype(np.float64)
            self._edf.append(take)
            self._edf_count += take.size
        if self._unit_values < STRUCTURE_VALUES:
            u = _units(a, self.layout)
            rows = max(2, min(u.shape[0], -(-(STRUCTURE_VALUES - self._unit_values) // u.shape[1])))
            self._units.append(u[:rows].astype(np.float64))
            self._unit_values += rows * u.shape[1]

    def results(self) -> list[st.TestResult]:
        """Every test of this shape, in a fixed order."""
        kind = self.target.kind
        if kind == "constant":
            return [self._constant] if self._constant is not None else []
        if kind == "orthogonal":
            # tolerance 10·eps·sqrt(size) at the draws' precision (bfloat16 has no numpy dtype)
            rtol = RTOL_FACTOR * 2.0 ** (1 - self.bits) * math.sqrt(max(self.target.matrix))
            return st.haar_test(self._matrices, self.target.gain, rtol=rtol)
        return self._iid_results()

    def _iid_results(self) -> list[st.TestResult]:
        law, rm, bits = self.target.law, self._moments, self.bits
        assert rm is not None
        low, high = self._low, self._high
        tests = [st.mean_test(rm, law), st.variance_test(rm, law)]
        if st.finite_moment_order(law) > 8.5:
            tests.append(st.kurtosis_test(rm, law))
        sample = np.concatenate(self._edf)
        # a rounded sample spread back over its rounding cells; what that spreads past a bound is
        # mirrored back inside (a density flat over one cell stays flat)
        smooth = dequantize(sample, bits, self.seed)
        if bits < 53:
            smooth = np.where(smooth > high, 2 * high - smooth, smooth)
            smooth = np.where(smooth < low, 2 * low - smooth, smooth)
        tests += [st.ks_test(smooth, law), st.ad_test(smooth, law)]
        if math.isfinite(low) and math.isfinite(high):
            assert self._support is not None
            tests.append(self._support)
            # rounded values cannot come closer to a bound than the rounding grid: within one
            # rounding step of a bound counts as reaching it
            lo_in, hi_in = widen(low, high, bits)
            reach = rm
            if bits < 53:
                reach = rm.with_extremes(low if rm.min <= 2 * low - lo_in else rm.min,
                                         high if rm.max >= 2 * high - hi_in else rm.max)
            tests.append(st.bound_reach_test(reach, law))
        else:
            tests.append(st.extremes_test(rm, law))
        tests.append(st.atoms_test(sample, law, precision_bits=bits))
        tests += st.structure_tests(np.concatenate(self._units, axis=1) if len(self._units) > 1
                                    and all(u.shape[0] == self._units[0].shape[0] for u in self._units)
                                    else self._units[0], law)
        return tests
