"""Hypothesis strategies for users' own tests: shapes in a layout, fans, laws, seeds.

>>> from hypothesis import given
>>> from initcheck import strategies as ics
>>> @given(shape=ics.shapes("keras"), seed=ics.seeds())
... def test_my_init(shape, seed): ...
"""

from __future__ import annotations

from hypothesis import strategies as st

from .fans import from_torch, validate_layout

__all__ = ["claims", "fans", "seeds", "shapes"]


def seeds() -> st.SearchStrategy[int]:
    """Seeds of the sampler protocol: integers in [0, 2³² − 1]."""
    return st.integers(0, 2**32 - 1)


def shapes(layout: str = "torch", *, max_kernel_dims: int = 3, max_channels: int = 64,
           max_kernel: int = 5) -> st.SearchStrategy[tuple[int, ...]]:
    """Weight shapes in ``layout``: dense ``(out, in)`` and convolution kernels with 1 to
    ``max_kernel_dims`` spatial dimensions (``(out, in, *k)`` in torch layout,
    ``(*k, in, out)`` in keras layout)."""
    validate_layout(layout)
    channels = st.integers(1, max_channels)
    kernel = st.lists(st.integers(1, max_kernel), min_size=0, max_size=max_kernel_dims)

    def arrange(parts: tuple[int, int, list[int]]) -> tuple[int, ...]:
        out, inp, k = parts
        return from_torch((out, inp, *k), layout)

    return st.tuples(channels, channels, kernel).map(arrange)


def fans(max_fan: int = 4096) -> st.SearchStrategy[tuple[int, int]]:
    """``(fan_in, fan_out)`` pairs."""
    return st.tuples(st.integers(1, max_fan), st.integers(1, max_fan))


_NAMED = ("xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
          "mxnet_default", "zeros", "ones", "orthogonal")


def claims() -> st.SearchStrategy[str]:
    """Claims in the ``--law`` grammar: named laws, with drawn parameters where they take any."""
    pos = st.floats(0.01, 10.0).map(lambda v: f"{v:.4g}")
    return st.one_of(
        st.sampled_from(_NAMED),
        pos.map(lambda g: f"xavier_uniform(gain={g})"),
        st.tuples(st.sampled_from(["fan_in", "fan_out"]), st.sampled_from(["relu", "tanh", "linear"])).map(
            lambda t: f"he_normal(mode={t[0]}, nonlinearity={t[1]})"),
        pos.map(lambda s: f"normal(std={s})"),
        pos.map(lambda a: f"uniform({a})"),
        pos.map(lambda c: f"constant({c})"),
        st.tuples(pos, st.sampled_from(["fan_in", "fan_out", "fan_avg"]),
                  st.sampled_from(["truncated_normal", "normal", "uniform"])).map(
            lambda t: f"variance_scaling(scale={t[0]}, mode={t[1]}, distribution={t[2]})"),
    )
