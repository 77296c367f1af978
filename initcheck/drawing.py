"""Calling a sampler safely: every way it can misbehave becomes a :class:`SamplerFault`.

A sampler may raise, return None or something that is not numbers, return the
wrong shape, an integer or complex array, NaN or inf, hand back the same
(mutated) array on every call, or never return. The verdict turns each of
these into a finding; none of them reaches the user as a traceback.

This is the only code of a verdict that calls a sampler: :meth:`Drawer.stream`
gives the draws of one shape, :func:`draw_seed_check` those of the seed check
(one per seed, the first seed's again, and two adjacent seeds).
"""

from __future__ import annotations

import queue
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .precision import FORMATS, as_floats, untestable

__all__ = [
    "DEFAULT_TIMEOUT",
    "SEED_CHECK_VALUES",
    "Drawer",
    "SamplerFault",
    "SeedDraws",
    "draw_seed_check",
]

DEFAULT_TIMEOUT = 120.0  # seconds one sampler call may take before it counts as hung (generous)


@dataclass(frozen=True)
class SamplerFault(Exception):
    """The sampler misbehaved on one call.

    Attributes:
        check: what went wrong: ``raises``, ``returns``, ``shape``, ``dtype``,
            ``finite``, ``aliasing`` or ``timeout``.
        shape: the shape asked for.
        seed: the seed it was called with.
        detail: one sentence.
    """

    check: str
    shape: tuple[int, ...]
    seed: int
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail} (shape {self.shape}, seed {self.seed})"


FINGERPRINT_VALUES = 4096  # values compared to see whether a returned array changed later


def _fingerprint(a: np.ndarray) -> np.ndarray:
    """A strided sample of ``a``'s values (all of them for small arrays), as a copy."""
    flat = a.reshape(-1)
    step = max(1, flat.size // FINGERPRINT_VALUES)
    return np.array(flat[::step], copy=True)


class Drawer:
    """Calls ``sampler(shape, seed)`` on a worker thread with a per-call timeout.

    A call that does not return within ``timeout`` seconds is abandoned (the
    worker is a daemon thread, so it cannot keep the program alive) and raises
    a ``timeout`` fault; the drawer is then unusable. With ``aliasing`` (the
    default) a call that hands back the previous call's array, or after which
    that array has changed, raises an ``aliasing`` fault; without it, calls are
    not compared (for draws that are copied at once, as the seed check's are).
    """

    def __init__(
        self, sampler: Callable[..., Any], timeout: float | None = DEFAULT_TIMEOUT, *, aliasing: bool = True
    ) -> None:
        self.sampler = sampler
        self.timeout = timeout
        self.aliasing = aliasing
        self._jobs: queue.Queue[tuple[tuple[int, ...], int] | None] = queue.Queue()
        self._results: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._previous: tuple[weakref.ref[np.ndarray], np.ndarray] | None = None  # last array, its fingerprint

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                self._results.put((True, self.sampler(*job)))
            except BaseException as err:  # noqa: BLE001 - the sampler's own failure, a finding
                self._results.put((False, err))

    def _call(self, shape: tuple[int, ...], seed: int) -> Any:
        if self.timeout is None:
            try:
                return self.sampler(shape, seed)
            except Exception as err:
                raise SamplerFault("raises", shape, seed, f"the sampler raised {type(err).__name__}: {err}") from err
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, daemon=True, name="initcheck-sampler")
            self._thread.start()
        self._jobs.put((shape, seed))
        try:
            ok, value = self._results.get(timeout=self.timeout)
        except queue.Empty:
            raise SamplerFault(
                "timeout", shape, seed, f"the sampler did not return within {self.timeout:g} s"
            ) from None
        if not ok:
            if isinstance(value, KeyboardInterrupt):
                raise value
            raise SamplerFault("raises", shape, seed, f"the sampler raised {type(value).__name__}: {value}")
        return value

    def draw(self, shape: tuple[int, ...], seed: int) -> np.ndarray:
        """One validated draw: a real floating array of ``shape`` with finite values.

        ml_dtypes' bfloat16 and float8 arrays come back as they are (their format is the
        precision they are tested at; :func:`initcheck.precision.as_floats` converts them);
        formats no law can be tested at (float8_e8m0fnu, float4, float6) are a ``dtype`` fault.

        Raises:
            SamplerFault: the sampler misbehaved.
        """
        raw = self._call(shape, seed)
        if raw is None:
            raise SamplerFault("returns", shape, seed, "the sampler returned None")
        if self._previous is not None:
            ref, fingerprint = self._previous
            obj = ref()
            if obj is not None and (raw is obj or (isinstance(raw, np.ndarray) and np.shares_memory(raw, obj))):
                raise SamplerFault(
                    "aliasing",
                    shape,
                    seed,
                    "the sampler returned the same array object as on its previous call (it mutates a shared array)",
                )
            if obj is not None and not np.array_equal(_fingerprint(obj), fingerprint, equal_nan=True):
                raise SamplerFault(
                    "aliasing",
                    shape,
                    seed,
                    "an array the sampler returned earlier changed after a later call (it mutates a shared array)",
                )
        try:
            arr = np.asarray(raw)
        except Exception as err:  # noqa: BLE001 - whatever it returned, a finding
            raise SamplerFault(
                "returns", shape, seed, f"the sampler returned a {type(raw).__name__}, which is not an array ({err})"
            ) from None
        if arr.dtype.kind in "iub":
            raise SamplerFault("dtype", shape, seed, f"the sampler returned integers (dtype {arr.dtype}), not floats")
        if arr.dtype.kind == "c":
            raise SamplerFault("dtype", shape, seed, f"the sampler returned complex numbers (dtype {arr.dtype})")
        why = untestable(arr.dtype)
        if why is not None:
            raise SamplerFault("dtype", shape, seed, f"the sampler returned {arr.dtype} values, which {why}")
        if arr.dtype.kind != "f" and arr.dtype.name not in FORMATS:
            raise SamplerFault(
                "returns",
                shape,
                seed,
                f"the sampler returned a {type(raw).__name__} of dtype {arr.dtype}, not an array of floats",
            )
        if arr.shape != shape:
            raise SamplerFault("shape", shape, seed, f"the sampler returned shape {arr.shape}, not {shape}")
        bad = int(arr.size - np.count_nonzero(np.isfinite(as_floats(arr))))
        if bad:
            raise SamplerFault("finite", shape, seed, f"{bad:,} of {arr.size:,} values are NaN or infinite")
        # a weak reference and a fingerprint, not a copy: memory stays at one draw
        tracked = self.aliasing and isinstance(raw, np.ndarray)
        self._previous = (weakref.ref(raw), _fingerprint(raw)) if tracked else None
        return arr

    def stream(self, shape: tuple[int, ...], seeds: Sequence[int]) -> Iterator[np.ndarray]:
        """The validated draws of ``shape``, one per seed, each drawn when it is asked for
        (so whoever consumes them holds one at a time, and may stop early).

        Raises:
            SamplerFault: the sampler misbehaved (on the draw being asked for).
        """
        for seed in seeds:
            yield self.draw(shape, seed)

    def close(self) -> None:
        """End the worker thread and wait for it (briefly: a hung sampler's thread is
        abandoned as a daemon). Frameworks such as PyTorch abort the process if a thread
        of theirs is still alive at interpreter exit, so a finished drawer must not leave one."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=1.0)
            self._thread = None


SEED_CHECK_VALUES = 100_000  # values of each draw the seed check compares (a strided sample)


@dataclass(frozen=True)
class SeedDraws:
    """The seed check's draws, as :func:`initcheck.stats.seed_dependence_test` takes them.

    Attributes:
        shape: the shape drawn.
        seeds: the distinct seeds, in the order drawn.
        draws: one strided sample per seed (float64, at most :data:`SEED_CHECK_VALUES` values).
        again: the first seed's draw, drawn a second time (sampled the same way).
        adjacent_shape: the shape the adjacent seeds were drawn at (None: none drawn).
        adjacent_seeds: the adjacent seeds ``(b, b + 1)``, or ``()``.
        adjacent: their draws' first :data:`SEED_CHECK_VALUES` values in flattened order
            (float64 copies: a contiguous head, so that a copy shifted by a few positions
            still lines up), one per adjacent seed.
    """

    shape: tuple[int, ...]
    seeds: tuple[int, ...]
    draws: tuple[np.ndarray, ...]
    again: np.ndarray
    adjacent_shape: tuple[int, ...] | None = None
    adjacent_seeds: tuple[int, ...] = ()
    adjacent: tuple[np.ndarray, ...] = ()


def _strided(draw: np.ndarray) -> np.ndarray:
    flat = draw.reshape(-1)
    return np.array(flat[:: max(1, flat.size // SEED_CHECK_VALUES)], dtype=np.float64)


def _head(draw: np.ndarray) -> np.ndarray:
    return np.array(draw.reshape(-1)[:SEED_CHECK_VALUES], dtype=np.float64)


def draw_seed_check(
    sampler: Callable[..., Any],
    shape: tuple[int, ...],
    seeds: Sequence[int],
    timeout: float | None = DEFAULT_TIMEOUT,
    *,
    adjacent_shape: tuple[int, ...] | None = None,
    adjacent_seeds: Sequence[int] = (),
) -> SeedDraws:
    """Draw ``shape`` once per seed, then with the first seed again; keep a strided sample of each;
    then, with ``adjacent_shape``, draw it once per adjacent seed and keep the head of each.

    The check holds several draws, so each is cut to at most :data:`SEED_CHECK_VALUES`
    values (a copy) as soon as it is returned. Calls are not compared for aliasing: the
    copies cannot change later, and the repeated seed may rightly give back the very array
    it gave the first time (a sampler that caches its draws).

    Raises:
        SamplerFault: the sampler misbehaved on one of these calls.
    """
    drawer = Drawer(sampler, timeout, aliasing=False)
    try:
        draws = tuple(_strided(drawer.draw(shape, s)) for s in seeds)
        again = _strided(drawer.draw(shape, seeds[0]))
        adjacent = () if adjacent_shape is None else tuple(
            _head(drawer.draw(tuple(adjacent_shape), s)) for s in adjacent_seeds)
    finally:
        drawer.close()
    return SeedDraws(tuple(shape), tuple(int(s) for s in seeds), draws, again,
                     None if adjacent_shape is None else tuple(adjacent_shape),
                     tuple(int(s) for s in adjacent_seeds) if adjacent_shape is not None else (),
                     adjacent)
