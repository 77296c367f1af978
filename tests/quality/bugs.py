"""A catalogue of broken samplers: each draws *almost* the law it is checked against.

Every bug is a sampler ``(shape, seed) -> array`` with its own seeded generator
and the claim it pretends to satisfy. ``tests/quality/test_bugs.py`` asserts
that ``check()`` with default settings catches every one of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Bug:
    name: str
    claim: str
    sampler: Callable[[tuple[int, ...], int], object]
    layout: str = "torch"


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    rf = math.prod(shape[2:])
    return shape[1] * rf, shape[0] * rf


def _xavier_std(shape: tuple[int, ...]) -> float:
    fi, fo = _fans(shape)
    return math.sqrt(2 / (fi + fo))


def _xavier_bound(shape: tuple[int, ...]) -> float:
    fi, fo = _fans(shape)
    return math.sqrt(6 / (fi + fo))


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def normal_scaled(factor: float):
    """Xavier normal with its variance multiplied by ``factor``."""
    return lambda shape, seed: _rng(seed).normal(0, _xavier_std(shape) * math.sqrt(factor), shape)


def normal_shifted(shift_in_std: float):
    return lambda shape, seed: _rng(seed).normal(shift_in_std * _xavier_std(shape), _xavier_std(shape), shape)


def uniform_for_normal(shape, seed):
    b = _xavier_std(shape) * math.sqrt(3)  # same variance
    return _rng(seed).uniform(-b, b, shape)


def normal_for_uniform(shape, seed):
    return _rng(seed).normal(0, _xavier_bound(shape) / math.sqrt(3), shape)


def student_for_normal(df: float):
    def draw(shape, seed):
        return _rng(seed).standard_t(df, shape) * _xavier_std(shape) / math.sqrt(df / (df - 2))
    return draw


def truncated_for_normal(shape, seed):
    law = stats.truncnorm(-2, 2, scale=_xavier_std(shape) / 0.87962566103423978)  # right variance, cut at 2σ
    return law.rvs(size=shape, random_state=_rng(seed))


def normal_for_truncated(shape, seed):
    fi, _ = _fans(shape)
    return _rng(seed).normal(0, math.sqrt(1 / fi), shape)  # variance_scaling(1, fan_in) untruncated


def rare_outside_support(shape, seed):
    rng = _rng(seed)
    w = rng.uniform(-_xavier_bound(shape), _xavier_bound(shape), shape)
    # 1e-4 of the values scaled by 1.5: a third of those (|w| > a/1.5) leave the support, about 58
    # in a default verdict's 1.76e6 values: missed with probability e^-58
    w[rng.random(shape) < 1e-4] *= 1.5
    return w


def uniform_too_narrow(shape, seed):
    b = 0.97 * _xavier_bound(shape)
    return _rng(seed).uniform(-b, b, shape)


def coarse_grid(shape, seed):
    s = _xavier_std(shape)
    return np.round(_rng(seed).normal(0, s, shape) / s * 64) / 64 * s  # 1/64 std grid


def few_points(shape, seed):
    s = _xavier_std(shape)
    points = stats.norm.ppf((np.arange(64) + 0.5) / 64) * s  # 64 atoms, roughly the right quantiles
    return _rng(seed).choice(points, size=shape)


def stuck_at_bound(shape, seed):
    b = _xavier_bound(shape)
    return np.clip(_rng(seed).uniform(-1.01 * b, 1.01 * b, shape), -b, b)  # ~1% piled at ±b


def rare_outliers(shape, seed):
    rng = _rng(seed)
    w = rng.normal(0, _xavier_std(shape), shape)
    w[rng.random(shape) < 1e-5] *= 10
    return w


def one_nan(shape, seed):
    w = _rng(seed).normal(0, _xavier_std(shape), shape)
    w.flat[seed % w.size] = np.nan
    return w


def one_inf(shape, seed):
    w = _rng(seed).normal(0, _xavier_std(shape), shape)
    if seed % 3 == 0:
        w.flat[0] = np.inf
    return w


def he_with_fan_out(shape, seed):
    _, fo = _fans(shape)
    return _rng(seed).normal(0, math.sqrt(2 / fo), shape)


def he_without_receptive_field(shape, seed):
    return _rng(seed).normal(0, math.sqrt(2 / shape[1]), shape)


def he_keras_axes_on_torch(shape, seed):
    # reads fan_in from axis -2 (Keras) on a torch-layout (out, in, *k) array
    fan_in = shape[-2] * math.prod(shape[:-2])
    return _rng(seed).normal(0, math.sqrt(2 / fan_in), shape)


def repeated_rows(shape, seed):
    row = _rng(seed).normal(0, _xavier_std(shape), (1, *shape[1:]))
    return np.repeat(row, shape[0], axis=0)


def sorted_rows(shape, seed):
    w = _rng(seed).normal(0, _xavier_std(shape), (shape[0], math.prod(shape[1:])))
    return np.sort(w, axis=1).reshape(shape)


def correlated_units(shape, seed):
    rng = _rng(seed)
    z = rng.normal(size=(shape[0], math.prod(shape[1:])))
    common = rng.normal(size=(1, z.shape[1]))
    rho = 0.3
    return (_xavier_std(shape) * (math.sqrt(1 - rho**2) * z + rho * common)).reshape(shape)


def ignores_seed(shape, seed):
    return _rng(0).normal(0, _xavier_std(shape), shape)


_GLOBAL = np.random.default_rng(12345)


def ignores_seed_uses_global_state(shape, seed):
    return _GLOBAL.normal(0, _xavier_std(shape), shape)


def _matrix(shape):
    rows = shape[0]
    return rows, math.prod(shape) // rows


def gaussian_for_orthogonal(shape, seed):
    rows, cols = _matrix(shape)
    return (_rng(seed).normal(size=(rows, cols)) / math.sqrt(max(rows, cols))).reshape(shape)


def qr_without_sign_fix(shape, seed):
    rows, cols = _matrix(shape)
    q, _ = np.linalg.qr(_rng(seed).normal(size=(max(rows, cols), min(rows, cols))))
    return (q.T if rows < cols else q).reshape(shape)


def almost_ones(shape, seed):
    return 1.0 + 1e-7 * _rng(seed).normal(size=shape)


BUGS: tuple[Bug, ...] = (
    Bug("variance +2%", "xavier_normal", normal_scaled(1.02)),
    Bug("variance -2%", "xavier_normal", normal_scaled(0.98)),
    Bug("mean shift 0.02 std", "xavier_normal", normal_shifted(0.02)),
    Bug("uniform for normal", "xavier_normal", uniform_for_normal),
    Bug("normal for uniform", "xavier_uniform", normal_for_uniform),
    Bug("Student-t(20) for normal", "xavier_normal", student_for_normal(20)),
    Bug("truncated for untruncated", "xavier_normal", truncated_for_normal),
    Bug("untruncated for truncated", "variance_scaling", normal_for_truncated),
    Bug("rare values outside the support", "xavier_uniform", rare_outside_support),
    Bug("support 3% too narrow", "xavier_uniform", uniform_too_narrow),
    Bug("coarse grid (1/64 std)", "xavier_normal", coarse_grid),
    Bug("64 atoms", "xavier_normal", few_points),
    Bug("values stuck at a bound", "xavier_uniform", stuck_at_bound),
    Bug("rare extreme outliers", "xavier_normal", rare_outliers),
    Bug("NaN", "xavier_normal", one_nan),
    Bug("inf", "xavier_normal", one_inf),
    Bug("fan_out for fan_in", "he_normal", he_with_fan_out),
    Bug("no receptive field", "he_normal", he_without_receptive_field),
    Bug("keras axes on a torch array", "he_normal", he_keras_axes_on_torch),
    Bug("repeated rows", "xavier_normal", repeated_rows),
    Bug("sorted rows", "xavier_normal", sorted_rows),
    Bug("correlated units", "xavier_normal", correlated_units),
    Bug("ignores its seed", "xavier_normal", ignores_seed),
    Bug("global RNG state instead of the seed", "xavier_normal", ignores_seed_uses_global_state),
    Bug("Gaussian for orthogonal", "orthogonal", gaussian_for_orthogonal),
    Bug("QR without the sign fix", "orthogonal", qr_without_sign_fix),
    Bug("ones, not exactly", "ones", almost_ones),
)
