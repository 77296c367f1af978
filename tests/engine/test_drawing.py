"""The drawing layer (``initcheck.drawing``): every way a sampler misbehaves becomes the right
fault; a correct sampler's draws pass through unchanged; the seed check's repeated seed is not
aliasing.

Every assertion is exact (no statistics): false-alarm rate 0. The timeout test waits on a clock;
its bounds (a hang of 30 s cut at 0.2 s, asserted under 10 s) leave a wide margin.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from initcheck.drawing import SEED_CHECK_VALUES, Drawer, SamplerFault, draw_seed_check

SHAPE = (4, 3)
SEEDS = st.integers(0, 2**32 - 1)


def normal(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 0.1, shape)


def fault_of(sampler, shape: tuple[int, ...] = SHAPE, seed: int = 7, timeout: float | None = 5.0,
             calls: int = 1) -> SamplerFault:
    """The fault ``calls`` draws (seeds seed, seed+1, ...) of ``sampler`` end in. The draws are
    kept, as a consumer holding them would (the drawer itself keeps only a weak reference)."""
    drawer = Drawer(sampler, timeout)
    kept = []
    try:
        with pytest.raises(SamplerFault) as info:
            for i in range(calls):
                kept.append(drawer.draw(shape, seed + i))
    finally:
        drawer.close()
    return info.value


class Unconvertible:
    def __array__(self, dtype=None, copy=None):
        raise TypeError("no array here")


def boom(shape, seed):
    raise RuntimeError("boom")


@pytest.mark.parametrize("timeout", [None, 5.0])  # on this thread, and on the worker thread
@pytest.mark.parametrize(("sampler", "check", "detail"), [
    (boom, "raises", "the sampler raised RuntimeError: boom"),
    (lambda shape, seed: None, "returns", "the sampler returned None"),
    (lambda shape, seed: "weights", "returns",
     "the sampler returned a str of dtype <U7, not an array of floats"),
    (lambda shape, seed: Unconvertible(), "returns",
     "the sampler returned a Unconvertible, which is not an array (no array here)"),
    (lambda shape, seed: np.zeros(shape[::-1]), "shape",
     "the sampler returned shape (3, 4), not (4, 3)"),
    (lambda shape, seed: np.zeros((1, *shape)), "shape",
     "the sampler returned shape (1, 4, 3), not (4, 3)"),
    (lambda shape, seed: np.ones(shape, dtype=np.int64), "dtype",
     "the sampler returned integers (dtype int64), not floats"),
    (lambda shape, seed: np.ones(shape, dtype=bool), "dtype",
     "the sampler returned integers (dtype bool), not floats"),
    (lambda shape, seed: np.ones(shape, dtype=np.uint8), "dtype",
     "the sampler returned integers (dtype uint8), not floats"),
    (lambda shape, seed: np.ones(shape, dtype=np.complex128), "dtype",
     "the sampler returned complex numbers (dtype complex128)"),
    (lambda shape, seed: np.full(shape, np.nan), "finite", "12 of 12 values are NaN or infinite"),
    (lambda shape, seed: np.where(np.arange(12).reshape(shape) < 2, np.inf, 0.0), "finite",
     "2 of 12 values are NaN or infinite"),
])
def test_each_misbehaviour_is_its_fault(sampler, check: str, detail: str, timeout) -> None:
    fault = fault_of(sampler, timeout=timeout)
    assert (fault.check, fault.detail, fault.shape, fault.seed) == (check, detail, SHAPE, 7)
    assert str(fault) == f"{check}: {detail} (shape {SHAPE}, seed 7)"


_shared = np.zeros(SHAPE)


def returns_the_same_array(shape, seed):
    _shared[...] = normal(shape, seed)
    return _shared


_buffer = np.zeros(12)


def returns_a_view_of_one_buffer(shape, seed):
    _buffer[...] = normal((12,), seed)
    return _buffer.reshape(shape)  # a new array object each call, the same memory


def mutates_what_it_returned(shape, seed, last=[]):  # noqa: B006 - the state is the point
    if last:
        last[0][...] = 0.0  # hands out a new array, but overwrites the one it gave before
    last[:] = [normal(shape, seed)]
    return last[0]


SAME = "the sampler returned the same array object as on its previous call"


@pytest.mark.parametrize(("sampler", "detail"), [
    (returns_the_same_array, SAME),
    (returns_a_view_of_one_buffer, SAME),
    (mutates_what_it_returned, "an array the sampler returned earlier changed after a later call"),
])
def test_a_shared_or_mutated_array_is_aliasing_on_the_second_call(sampler, detail: str) -> None:
    fault = fault_of(sampler, calls=2)
    assert fault.check == "aliasing" and fault.seed == 8 and fault.detail.startswith(detail)


def test_a_hung_sampler_times_out() -> None:
    def hangs(shape, seed):
        time.sleep(30)
        return np.zeros(shape)

    start = time.monotonic()
    fault = fault_of(hangs, timeout=0.2)
    assert fault.check == "timeout" and fault.detail == "the sampler did not return within 0.2 s"
    assert time.monotonic() - start < 10


def test_ctrl_c_in_the_sampler_is_not_a_fault() -> None:
    def interrupted(shape, seed):
        raise KeyboardInterrupt

    drawer = Drawer(interrupted, 5.0)
    try:
        with pytest.raises(KeyboardInterrupt):
            drawer.draw(SHAPE, 1)
    finally:
        drawer.close()


@given(seed=SEEDS, dtype=st.sampled_from([np.float16, np.float32, np.float64]))
def test_a_correct_draw_passes_through_unchanged(seed: int, dtype) -> None:
    given_back = []

    def sampler(shape, s):
        given_back.append(normal(shape, s).astype(dtype))
        return given_back[-1]

    drawer = Drawer(sampler, None)
    draws = [drawer.draw((6, 5), seed), drawer.draw((6, 5), seed ^ 1)]
    drawer.close()
    for out, raw in zip(draws, given_back):
        assert out is raw  # not copied, not converted
    assert draws[0].dtype == dtype and np.array_equal(draws[0], normal((6, 5), seed).astype(dtype))


def test_array_likes_become_arrays_with_the_same_values() -> None:
    drawer = Drawer(lambda shape, seed: [[0.5, -0.25]] * shape[0], None)
    out = drawer.draw((3, 2), 0)
    assert isinstance(out, np.ndarray) and out.tolist() == [[0.5, -0.25]] * 3


@given(seed=SEEDS)
def test_stream_draws_each_seed_in_order_and_only_when_asked(seed: int) -> None:
    calls: list[int] = []

    def logs(shape, s):
        calls.append(s)
        return normal(shape, s)

    drawer = Drawer(logs, None)
    seeds = [seed, seed ^ 1, seed ^ 2, seed ^ 3]
    stream = drawer.stream(SHAPE, seeds)
    assert calls == []  # nothing drawn before it is asked for
    first, second = next(stream), next(stream)
    assert calls == seeds[:2]
    assert np.array_equal(first, normal(SHAPE, seed))
    assert np.array_equal(second, normal(SHAPE, seed ^ 1))


def test_the_worker_thread_ends_when_the_drawer_closes() -> None:
    threads = []

    def where(shape, seed):
        threads.append(threading.current_thread())
        return np.zeros(shape)

    Drawer(where, None).draw(SHAPE, 0)  # no timeout: on this thread
    drawer = Drawer(where, 5.0)
    drawer.draw(SHAPE, 0)
    drawer.draw(SHAPE, 1)
    drawer.close()
    assert threads[0] is threading.main_thread() and threads[1] is threads[2]  # one worker
    assert threads[1].name == "initcheck-sampler" and not threads[1].is_alive()


# -- the seed check's draws ----------------------------------------------------------------------


def caching(shape, seed, cache={}):  # noqa: B006 - hands back the same array for the same seed
    return cache.setdefault((shape, seed), normal(shape, seed))


def test_the_seed_checks_repeat_is_not_aliasing() -> None:
    # a sampler that caches its draws gives the very same array for the repeated seed
    draws = draw_seed_check(caching, SHAPE, [3, 4, 5], timeout=5.0)
    assert draws.seeds == (3, 4, 5) and draws.shape == SHAPE
    assert np.array_equal(draws.again, draws.draws[0])
    # whereas the drawing of one shape, which keeps each draw while it takes the next, flags it
    assert fault_of(lambda shape, s: caching(shape, 3), calls=2).check == "aliasing"


@given(seed=SEEDS)
def test_seed_check_draws_are_strided_float64_copies(seed: int) -> None:
    shape = (1000, 301)  # 301,000 values: every 3rd one, 100,334 in all
    raw = {}

    def keeps(shp, s):
        raw.setdefault(s, normal(shp, s).astype(np.float32))
        return raw[s]

    seeds = [seed, seed ^ 1]
    draws = draw_seed_check(keeps, shape, seeds, timeout=None)
    step = 301_000 // SEED_CHECK_VALUES
    for s, sample in zip(seeds, draws.draws):
        assert sample.dtype == np.float64 and not np.shares_memory(sample, raw[s])
        assert np.array_equal(sample, raw[s].reshape(-1)[::step].astype(np.float64))
    assert np.array_equal(draws.again, draws.draws[0])


def test_a_seed_check_draw_that_misbehaves_is_a_fault() -> None:
    calls = []

    def shape_on_the_repeat(shape, seed):
        calls.append(seed)
        return np.zeros(shape if len(calls) <= 3 else (1, *shape))

    with pytest.raises(SamplerFault) as info:
        draw_seed_check(shape_on_the_repeat, SHAPE, [10, 11, 12], timeout=5.0)
    assert (info.value.check, info.value.seed) == ("shape", 10) and calls == [10, 11, 12, 10]
