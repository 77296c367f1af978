"""Planted samplers for the identify tests (importable as ``tests.identify.samplers:NAME``)."""

from __future__ import annotations

import math

import numpy as np

from initcheck.fans import compute_fans


def laplace(shape, seed):
    """Laplace draws: heavier tails than any family of the grammar."""
    return np.random.default_rng(seed).laplace(0.0, 0.1, shape)


def student_t(shape, seed):
    """Student-t with 5 degrees of freedom."""
    return np.random.default_rng(seed).standard_t(5, shape) * 0.05


def he_gain_too_big(shape, seed):
    """N(0, (1.1 √2)² / fan_in): he_normal's law with a gain 10% too large."""
    std = 1.1 * math.sqrt(2.0) / math.sqrt(compute_fans(shape, "torch").fan_in)
    return np.random.default_rng(seed).normal(0.0, std, shape)


def he_fan_out(shape, seed):
    """Claims he_normal (fan_in) but divides by fan_out."""
    std = math.sqrt(2.0 / compute_fans(shape, "torch").fan_out)
    return np.random.default_rng(seed).normal(0.0, std, shape)


def loaded(shape, seed):
    """The same values whatever the seed (a loaded checkpoint)."""
    return np.random.default_rng(12345).normal(0.0, 0.02, shape)


def fan_out_weights_lecun_vectors(shape, seed):
    """N(0, 2/fan_out) for a matrix, N(0, 1/n) for a vector of n values.

    At matrices where fan_out = 2 fan_in (64x32, 128x64) the weights are also N(0, 1/fan_in):
    only the vectors' fans, (n, n) by convention, would pick fan_in over fan_out.
    """
    std = math.sqrt(2.0 / compute_fans(shape, "torch").fan_out) if len(shape) >= 2 else math.sqrt(1.0 / shape[0])
    return np.random.default_rng(seed).normal(0.0, std, shape)


def fan_out_weights_fixed_bias(shape, seed):
    """N(0, 2/fan_out) for a matrix, N(0, 0.05²) for a vector: no one fan rule explains both."""
    std = math.sqrt(2.0 / compute_fans(shape, "torch").fan_out) if len(shape) >= 2 else 0.05
    return np.random.default_rng(seed).normal(0.0, std, shape)


def halves(shape, seed):
    """0.5 everywhere: a constant, identified and confirmed exactly."""
    return np.full(shape, 0.5)


def dense_only(shape, seed):
    """N(0, 1/fan_in) for matrices only: it declares the ranks it builds."""
    if len(shape) != 2:
        raise ValueError(f"dense_only builds matrices, not {shape}")
    return np.random.default_rng(seed).normal(0.0, math.sqrt(1.0 / shape[1]), shape)


dense_only.ranks = (2,)


def bias_like(shape, seed):
    """U(±0.125) for vectors only (a bias whose bound, 1/√64, comes from its layer's fan_in)."""
    if len(shape) != 1:
        raise ValueError(f"bias_like builds vectors, not {shape}")
    return np.random.default_rng(seed).uniform(-0.125, 0.125, shape)


bias_like.ranks = (1,)
